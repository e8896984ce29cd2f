"""Score every digit by how hard it is for an ensemble of small CNNs.

The paper's setting on the embedded default data: 8 CNNs (the paper's MNIST
network) trained from different seeds on scikit-learn's digits, every
member's predictions recorded on the training and test images after every
epoch. Prints, per epoch, the members' accuracy and how bi-modal the
consistency scores are (the share of images that all or no members get
right), then compares the order in which the CNNs learn the images with an
AdaBoost ensemble's.

Run it with ``python examples/digits_cnn_difficulty.py`` (part of ``make demo``).
"""

import time

import numpy as np
from scipy.stats import pearsonr
from sklearn.ensemble import AdaBoostClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.datasets import load_digits_images
from sklearn_difficulty.nets import SkorchCNN


def main():
    X, y = load_digits_images(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    cnn = SkorchCNN("mnist", max_epochs=10)  # the paper's recipe: AdaDelta
    start = time.perf_counter()
    cnns = EnsembleDifficulty(cnn, n_estimators=8, n_jobs=-1, random_state=0)
    cnns.fit(X_train, y_train, eval_set={"test": (X_test, y_test)})
    print(
        f"8 CNNs x 10 epochs trained and recorded in "
        f"{time.perf_counter() - start:.0f} s"
    )

    print(
        "\nepoch  train acc  test acc   train: all right  none right  test: all right"
    )
    test_accuracy = cnns.eval_member_accuracy_["test"].mean(axis=0)
    test_consistency = cnns.eval_consistency_["test"]
    for i, epoch in enumerate(cnns.stages_):
        c = cnns.consistency_[i]
        print(
            f"{epoch:5d}  {cnns.member_accuracy_[:, i].mean():9.3f}  "
            f"{test_accuracy[i]:8.3f}  {np.mean(c == 1):16.3f}  {np.mean(c == 0):10.3f}"
            f"  {np.mean(test_consistency[i] == 1):15.3f}"
        )

    boosted = EnsembleDifficulty(
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=30),
        n_estimators=8,
        max_samples=0.8,
        n_jobs=-1,
        random_state=0,
    ).fit(  # boosted trees take flat feature vectors
        X_train.reshape(len(X_train), -1),
        y_train,
        eval_set={"test": (X_test.reshape(len(X_test), -1), y_test)},
    )
    r, p = pearsonr(cnns.learning_speed_, boosted.learning_speed_)
    print(
        f"\nlearning speed of the training images, CNNs against AdaBoost: "
        f"Pearson r = {r:.2f} (p = {p:.1e})"
    )
    hardest = np.argsort(cnns.learning_speed_)[:8]
    print(
        "hardest training images for the CNNs "
        "(index: label, CNN speed, AdaBoost speed):"
    )
    for index in hardest:
        print(
            f"  {index:4d}: {y_train[index]}, {cnns.learning_speed_[index]:.2f}, "
            f"{boosted.learning_speed_[index]:.2f}"
        )


if __name__ == "__main__":
    main()
