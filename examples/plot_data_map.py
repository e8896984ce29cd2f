"""A data map and how many members are enough, on digits with flipped labels.

10% of the digits' training labels are flipped. 10 multi-layer perceptrons,
recorded after each of 30 epochs with their probabilities and margins, give
the data map of Swayamdipta et al. (2020, Fig. 1: confidence against
variability, coloured by correctness), where the flipped labels sit at the
bottom (hard to learn); AUM (Pleiss et al. 2020) ranks them; and the
split-half reliability of the learning speed, projected by Spearman-Brown,
says how many members a reliability of 0.95 needs.
``python examples/plot_data_map.py [--out figures]``, about 10 seconds.
"""

import matplotlib.pyplot as plt
import numpy as np
from _shared import output_folder
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_difficulty import EnsembleDifficulty, members_needed
from sklearn_difficulty.experiments import flip_labels
from sklearn_difficulty.plotting import DataMapDisplay, ReliabilityDisplay
from sklearn_difficulty.reliability import split_half_reliability
from sklearn_difficulty.scores import aum


def main():
    out = output_folder(__doc__.splitlines()[0])
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    noisy, flipped = flip_labels(y, fraction=0.1, random_state=0)
    ensemble = EnsembleDifficulty(
        MLPClassifier(hidden_layer_sizes=(100,), max_iter=30),
        n_estimators=10,
        record_outputs=("proba", "margin"),
        n_jobs=-1,
        random_state=0,
    ).fit(X, noisy)
    n_flipped = int(flipped.sum())
    hardest = np.argsort(aum(ensemble))[:n_flipped]
    print(
        f"{n_flipped} labels flipped; the {n_flipped} lowest AUM hold "
        f"{flipped[hardest].sum()} of them"
    )
    reliability = split_half_reliability(ensemble, random_state=0)
    print(
        f"learning speed: split-half reliability {reliability.half:.3f} (5 members), "
        f"{reliability.reliability:.3f} (10); {members_needed(reliability)} members "
        "for 0.95"
    )
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    data_map = DataMapDisplay.from_estimator(ensemble, ax=left)
    left.scatter(
        data_map.variability[flipped],
        data_map.confidence[flipped],
        facecolors="none", edgecolors="red", s=14, linewidths=0.6,
        label="flipped label",
    )  # fmt: skip
    left.legend(loc="lower right", fontsize=8)
    ReliabilityDisplay.from_reliability(reliability, ax=right)
    figure.tight_layout()
    figure.savefig(out / "data_map.png", dpi=120)
    print(f"saved {out / 'data_map.png'}")


if __name__ == "__main__":
    main()
