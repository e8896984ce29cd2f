"""Fig. 6a: AdaBoost's accuracy on the images the CNNs find easy, intermediate, hard.

The CNNs' learning speed splits the training images into three groups of
equal size; AdaBoost, round after round, learns the CNNs' easy images first.
``python examples/plot_group_accuracy.py [--out figures]``, about 25 seconds.
"""

from _shared import boosted, cnns, digits, output_folder, save

from sklearn_difficulty.plotting import GroupAccuracyDisplay


def main():
    out = output_folder(__doc__.splitlines()[0])
    X_train, X_test, y_train, y_test = digits()
    networks = cnns(X_train, y_train, X_test, y_test)
    boosting = boosted(X_train, y_train, X_test, y_test)
    display = GroupAccuracyDisplay.from_comparison(
        boosting, networks, names=("AdaBoost", "the CNNs")
    )
    for name, curve in zip(
        ["easy", "intermediate", "hard"], display.accuracy, strict=True
    ):
        print(
            f"{name:12s} AdaBoost accuracy after rounds 1, 10, 60: "
            f"{curve[0]:.2f}, {curve[9]:.2f}, {curve[-1]:.2f}"
        )
    display.figure_.tight_layout()
    save(display, out / "adaboost_on_cnn_groups.png")


if __name__ == "__main__":
    main()
