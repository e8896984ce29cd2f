"""Fig. 4: CNNs and AdaBoost learn the digits in the same order.

Matches the epochs of 10 CNNs with the rounds of 10 AdaBoost ensembles where
their members' mean accuracy agrees within 1%, and saves the 2-D
distribution of the two consistency scores at the first and last matched
pair (Fig. 4c-d) and the learning speed of each image under both (Fig. 4b).
``python examples/plot_cnn_vs_adaboost.py [--out figures]``, about 25 seconds.
"""

import matplotlib.pyplot as plt
from _shared import boosted, cnns, digits, output_folder, save

from sklearn_difficulty.compare import compare_records
from sklearn_difficulty.plotting import JointConsistencyDisplay, LearningSpeedDisplay


def main():
    out = output_folder(__doc__.splitlines()[0])
    split = digits()
    X_train, X_test, y_train, y_test = split
    comparison = compare_records(
        cnns(X_train, y_train, X_test, y_test),
        boosted(X_train, y_train, X_test, y_test),
        names=("CNN", "AdaBoost"),
    )
    print(
        f"{len(comparison.pairs)} of {len(comparison.stages_a)} CNN epochs match an "
        f"AdaBoost round within 1% (unmatched: "
        f"{comparison.stages_a[comparison.unmatched].tolist()}); learning speed: "
        f"Pearson r = {comparison.pearson[0]:.2f} (p = {comparison.pearson[1]:.1e}), "
        f"Spearman rho = {comparison.spearman[0]:.2f}"
    )
    figure, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    for ax, pair in zip(axes[:2], [0, -1], strict=True):
        JointConsistencyDisplay.from_comparison(comparison, pair=pair, ax=ax)
    LearningSpeedDisplay.from_comparison(comparison, ax=axes[2])
    figure.tight_layout()
    save(figure, out / "cnn_vs_adaboost.png")


if __name__ == "__main__":
    main()
