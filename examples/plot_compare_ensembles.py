"""Do CNNs and other learners learn the digits in the same order? Fig. 4, 6a, 7.

Trains 10 CNNs and 10 AdaBoost ensembles on the embedded digits, recording
every epoch and boosting round, matches their stages where the mean accuracy
agrees within 1%, and saves

- the 2-D distribution of the two consistency scores at two matched stages
  (Fig. 4c-d) and the learning speed of each image under both (Fig. 4b);
- the accuracy of AdaBoost over its rounds on the images the CNNs find easy,
  intermediate and hard (Fig. 6a);
- for single-stage learners (SVM, k-NN, random forest, Gaussian naive Bayes,
  each an ensemble on random 70% subsets): their accuracy on the test images
  the CNNs get right at epoch 4 and on those they get wrong (Fig. 7).

Run it with ``python examples/plot_compare_ensembles.py [--out figures]``;
it takes about a minute on 2 cores.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.compare import (
    compare_records,
    single_stage_agreement,
)
from sklearn_difficulty.datasets import load_digits_images
from sklearn_difficulty.nets import SkorchCNN
from sklearn_difficulty.plotting import (
    GroupAccuracyDisplay,
    JointConsistencyDisplay,
    LearningSpeedDisplay,
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="figures", help="folder for the PNG files")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)

    images, y = load_digits_images(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        images, y, test_size=0.25, stratify=y, random_state=0
    )
    flat_train = X_train.reshape(len(X_train), -1)
    flat_test = X_test.reshape(len(X_test), -1)
    cnn = SkorchCNN("mnist", max_epochs=12, lr=0.01, optimizer__momentum=0.9)
    cnns = EnsembleDifficulty(cnn, n_estimators=10, n_jobs=-1, random_state=0)
    cnns.fit(X_train, y_train, eval_set={"test": (X_test, y_test)})
    boosted = EnsembleDifficulty(
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=60),
        n_estimators=10,
        max_samples=0.8,
        n_jobs=-1,
        random_state=0,
    ).fit(flat_train, y_train)

    comparison = compare_records(cnns, boosted, names=("CNN", "AdaBoost"))
    print(
        f"{len(comparison.pairs)} of {len(comparison.stages_a)} CNN epochs match an "
        f"AdaBoost round within 1% accuracy (unmatched epochs: "
        f"{comparison.stages_a[comparison.unmatched].tolist()})"
    )
    print(
        f"learning speed, CNN against AdaBoost: Pearson r = {comparison.pearson[0]:.2f}"
        f" (p = {comparison.pearson[1]:.1e}), Spearman rho = "
        f"{comparison.spearman[0]:.2f}"
    )
    figure, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    for ax, pair in zip(axes[:2], [0, -1], strict=True):
        JointConsistencyDisplay.from_comparison(comparison, pair=pair, ax=ax)
    LearningSpeedDisplay.from_comparison(comparison, ax=axes[2])
    figure.tight_layout()
    figure.savefig(out / "cnn_vs_adaboost.png", dpi=120)

    groups = GroupAccuracyDisplay.from_records(boosted, cnns)
    groups.ax_.set_title("AdaBoost on the CNNs' groups", fontsize=9)
    groups.figure_.tight_layout()
    groups.figure_.savefig(out / "adaboost_on_cnn_groups.png", dpi=120)

    learners = {
        "SVM": SVC(),
        "k-NN": KNeighborsClassifier(),
        "random forest": RandomForestClassifier(n_estimators=30),
        "naive Bayes": GaussianNB(),
    }
    rows = []
    for name, learner in learners.items():
        single = EnsembleDifficulty(
            learner, n_estimators=10, max_samples=0.7, n_jobs=-1, random_state=0
        ).fit(flat_train, y_train, eval_set={"test": (flat_test, y_test)})
        right, wrong = single_stage_agreement(single, cnns, stage=3, scored_set="test")
        rows.append((name, right, wrong))
        print(
            f"{name:14s} right on {right:.2f} of the test images the CNNs get right "
            f"at epoch 4, on {wrong:.2f} of those they get wrong"
        )
    figure, ax = plt.subplots(figsize=(5, 3))
    positions = np.arange(len(rows))
    ax.bar(positions - 0.2, [r[1] for r in rows], 0.4, label="CNNs right")
    ax.bar(positions + 0.2, [r[2] for r in rows], 0.4, label="CNNs wrong")
    ax.set_xticks(positions, [r[0] for r in rows])
    ax.set_ylabel("accuracy of the learner")
    ax.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out / "single_stage_learners.png", dpi=120)
    for name in [
        "cnn_vs_adaboost.png",
        "adaboost_on_cnn_groups.png",
        "single_stage_learners.png",
    ]:
        print(f"saved {out / name}")


if __name__ == "__main__":
    main()
