"""Score every digit by how hard it is for an ensemble of boosted trees.

The main job on the embedded default data (scikit-learn's digits): fit 20
AdaBoost ensembles from different seeds, each on a random 80% of the
training set, record what each predicts for every training and test image
after every boosting round, and read off each image's consistency (the
fraction of members that classify it correctly) and learning speed.

Run it with ``make demo`` or ``python examples/digits_difficulty.py``.
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import AdaBoostClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty


def main():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    ensemble = EnsembleDifficulty(
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=3), n_estimators=40),
        n_estimators=20,
        max_samples=0.8,
        n_jobs=-1,
        random_state=0,
        verbose=1,
    )
    start = time.perf_counter()
    ensemble.fit(X_train, y_train, eval_set={"test": (X_test, y_test)})
    print(
        f"\n20 members x 40 rounds fitted and recorded in "
        f"{time.perf_counter() - start:.1f} s"
    )

    print("\nround  train acc  test acc  train consistency: =0    =1   mean consensus")
    test_accuracy = ensemble.eval_member_accuracy_["test"].mean(axis=0)
    for i, stage in enumerate(ensemble.stages_):
        if stage in (1, 2, 5, 10, 20, 40):
            c = ensemble.consistency_[i]
            print(
                f"{stage:5d}  {ensemble.member_accuracy_[:, i].mean():9.3f}"
                f"  {test_accuracy[i]:8.3f}  {np.mean(c == 0):22.3f}"
                f"  {np.mean(c == 1):5.3f}  {ensemble.consensus_[i].mean():14.3f}"
            )

    speed = ensemble.learning_speed_
    order = np.argsort(speed, kind="stable")
    print("\nhardest training images (lowest learning speed):")
    print("  index  label  speed  held-out consistency  most members say")
    final = ensemble.record_.predictions["train"][:, -1, :]
    for index in order[:10]:
        votes = np.bincount(final[:, index], minlength=10)
        print(
            f"  {index:5d}  {y_train[index]:5d}  {speed[index]:5.2f}"
            f"  {ensemble.heldout_consistency_[-1, index]:20.2f}"
            f"  {ensemble.classes_[votes.argmax()]:16d}"
        )
    learnt = ensemble.consistency_[-1] == 1
    print(
        f"\n{learnt.sum()} of {speed.size} training images are classified correctly "
        "by every member after the last round; the fastest learnt:"
    )
    for index in order[::-1][:5]:
        print(f"  index {index:5d}  label {y_train[index]}  speed {speed[index]:.2f}")
    print(f"ensemble test accuracy: {ensemble.score(X_test, y_test):.3f}")


if __name__ == "__main__":
    main()
