"""Fig. 9: consistency histograms coloured by the label most CNNs assign.

At the first epochs most members give most images the same one or two
labels; the classes emerge one after another. ``python
examples/plot_majority_label.py [--out figures]``, about 20 seconds.
"""

import numpy as np
from _shared import cnns, digits, output_folder, save

from sklearn_difficulty.dynamics import majority_label
from sklearn_difficulty.plotting import ScoreHistogramDisplay


def main():
    out = output_folder(__doc__.splitlines()[0])
    X_train, X_test, y_train, y_test = digits()
    ensemble = cnns(X_train, y_train, X_test, y_test)
    labels = majority_label(ensemble)
    for i in (0, 3, 11):
        shares = np.bincount(labels[i], minlength=10) / labels.shape[1]
        print(
            f"epoch {ensemble.stages_[i]:2d}: share of images whose majority label "
            f"is each digit: {np.round(shares, 2).tolist()}"
        )
    save(
        ScoreHistogramDisplay.from_estimator(
            ensemble,
            stages=[0, 1, 3, 6, 12],
            scored_sets=["train"],
            color_by_label=True,
        ),
        out / "consistency_by_majority_label.png",
    )


if __name__ == "__main__":
    main()
