"""The paper's figures at CPU scale, on the digits, for docs/reproducing_the_paper.md.

Each figure of Hacohen & Weinshall that the gallery does not already draw
the paper's way is made here from the package's public functions, on
scikit-learn's digits (8x8 images, 1,347 training and 450 test images, the
split of ``examples/_shared.py``) with the paper's MNIST network and recipe
(10 members, 12 epochs, random state 0 unless said otherwise). Each figure
prints the numbers the page quotes and writes ``figNN_*.png`` into ``--out``.

    python benchmarks/paper_figures.py                  # every figure
    python benchmarks/paper_figures.py --figures 4 5    # some of them

Members are kept in ``--cache`` (default: a folder in the system's temporary
directory), so a second run, or a figure that reuses another's ensemble,
trains nothing again. On a 2-core machine shared with other jobs, each
figure took from seconds (reusing cached members) to about six minutes
(figure 7, six learners); the first to run trains the 10 CNNs most reuse.
"""

import argparse
import tempfile
import time
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
from sklearn.linear_model import Perceptron
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
from sklearn_difficulty.dynamics import (
    bimodality,
    difficulty_ranking,
    learning_phases,
    majority_label,
)
from sklearn_difficulty.experiments import (
    hard_dataset,
    move_to_test,
    shuffle_labels,
)
from sklearn_difficulty.plotting import (
    GroupAccuracyDisplay,
    JointConsistencyDisplay,
    LearningSpeedDisplay,
    ScoreHistogramDisplay,
    TrajectoryDisplay,
)

OPTIONS = {"out": Path("docs/images"), "cache": None, "n_jobs": 2}
STAGES = [0, 1, 3, 6, 12]


@cache
def digits():
    """Images of the digits, split 75/25 as the gallery splits them."""
    X, y = load_digits_images(return_X_y=True)
    return tuple(train_test_split(X, y, test_size=0.25, stratify=y, random_state=0))


def flat(images):
    return images.reshape(len(images), -1)


def fit_cnns(X, y, eval_set, *, members=10, epochs=12, random_state=0, **params):
    """``members`` of the paper's MNIST network (or ``module``), its recipe."""
    from sklearn_difficulty.nets import SkorchCNN

    net = SkorchCNN(params.pop("module", "mnist"), max_epochs=epochs, **params)
    ensemble = EnsembleDifficulty(
        net,
        n_estimators=members,
        n_jobs=OPTIONS["n_jobs"],
        random_state=random_state,
        memory=OPTIONS["cache"],
    )
    return ensemble.fit(X, y, eval_set=eval_set)


@cache
def cnns(random_state=0, **params):
    X_train, X_test, y_train, y_test = digits()
    return fit_cnns(
        X_train,
        y_train,
        {"test": (X_test, y_test)},
        random_state=random_state,
        **params,
    )


@cache
def boosted():
    """10 AdaBoost ensembles (60 rounds, depth-2 trees), as the gallery's."""
    X_train, X_test, y_train, y_test = digits()
    ensemble = EnsembleDifficulty(
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=60),
        n_estimators=10,
        max_samples=0.8,
        n_jobs=OPTIONS["n_jobs"],
        random_state=0,
        memory=OPTIONS["cache"],
    )
    return ensemble.fit(
        flat(X_train), y_train, eval_set={"test": (flat(X_test), y_test)}
    )


def final_accuracy(ensemble, scored_set="test"):
    """Mean accuracy of the members at the last stage."""
    if scored_set == "train":
        return float(ensemble.member_accuracy_[:, -1].mean())
    return float(ensemble.eval_consistency_[scored_set][-1].mean())


def save(figure, name):
    path = OPTIONS["out"] / name
    figure.savefig(path, dpi=100)
    plt.close(figure)
    print(f"  saved {path} ({path.stat().st_size // 1024} KiB)")


def save_display(display, name):
    display.figure_.tight_layout()
    save(display.figure_, name)


def figure_3():
    """Fig. 3: the consensus histograms at the epochs of Fig. 1."""
    ensemble = cnns()
    consensus = ensemble.consensus_
    for i in STAGES:
        print(
            f"  epoch {i:2d}: mean consensus {consensus[i].mean():.2f}, share of "
            f"training images with consensus 1: {np.mean(consensus[i] == 1):.2f}"
        )
    display = ScoreHistogramDisplay.from_estimator(
        ensemble, score="consensus", stages=STAGES, phases=True
    )
    save_display(display, "fig03_consensus.png")


def figure_4():
    """Fig. 4: two ensembles of one network, and two networks, learn alike."""
    same = compare_records(cnns(0), cnns(1), names=("MNIST net, seed 0", "seed 1"))
    # small st-VGG with the MNIST net's optimiser, so that the two learn at a
    # similar pace and many of their epochs match in accuracy
    vgg = cnns(0, module="small_st_vgg", optimizer="adadelta", lr=1.0)
    other = compare_records(cnns(0), vgg, names=("MNIST net", "small st-VGG"))
    for name, comparison in [("4a", same), ("4b", other)]:
        r, p = comparison.pearson
        print(
            f"  {name}: {comparison.names[0]} against {comparison.names[1]}: "
            f"Pearson r = {r:.2f} (p = {p:.1e}), Spearman rho = "
            f"{comparison.spearman[0]:.2f}; {len(comparison.pairs)} matched pairs"
        )
    print(
        f"  test accuracy: MNIST net {final_accuracy(cnns()):.3f}, small st-VGG "
        f"{final_accuracy(vgg):.3f}"
    )
    figure, axes = plt.subplots(1, 4, figsize=(14, 3.3))
    LearningSpeedDisplay.from_comparison(same, ax=axes[0])
    LearningSpeedDisplay.from_comparison(other, ax=axes[1])
    trained = np.flatnonzero(other.pairs[:, 0] > 0)  # leave out the untrained
    print(f"  matched epochs (MNIST net, small st-VGG): {other.pairs.tolist()}")
    for ax, pair in zip(axes[2:], [trained[0], trained[-1]], strict=True):
        JointConsistencyDisplay.from_comparison(other, pair=pair, ax=ax)
        print(f"  joint histogram: {ax.get_title()}")
    for ax, letter in zip(axes, "abcd", strict=True):
        title = ax.get_title().replace(": ", ":\n", 1)
        ax.set_title(f"({letter}) {title}", fontsize=8)
    figure.tight_layout()
    save(figure, "fig04_two_networks.png")


def _linear_overlay(ax, nonlinear, linear, stage, title):
    """Blue: non-linear consistency; red: the linear nets' share right in each bin."""
    edges = np.linspace(-0.05, 1.05, 12)
    bins = np.clip(np.digitize(nonlinear[stage], edges) - 1, 0, 10)
    counts = np.bincount(bins, minlength=11)
    right = np.bincount(bins, weights=linear[stage], minlength=11)
    centres = (edges[:-1] + edges[1:]) / 2
    ax.bar(centres, counts, width=0.09, color="tab:blue", label="all images")
    ax.bar(centres, right, width=0.06, color="tab:red", label="right, linear nets")
    ax.set(title=title, xlabel="consistency (non-linear nets)", ylabel="images")
    ax.legend(fontsize=7)


def figure_5():
    """Fig. 5: linear networks learn the images the non-linear ones learn first."""
    nonlinear, linear = cnns(), cnns(module__linear=True)
    for name, ensemble in [("non-linear", nonlinear), ("linear", linear)]:
        pooled = ensemble.consistency_[1:].reshape(1, -1)
        print(
            f"  {name}: test accuracy {final_accuracy(ensemble):.3f}, Pearson "
            f"measure of every epoch's training consistency pooled "
            f"{bimodality(pooled)[0]:.2f}, lowest of one epoch "
            f"{bimodality(ensemble)[1:].min():.2f}"
        )
    r, _ = compare_records(nonlinear, linear).pearson
    print(f"  learning speed, non-linear against linear: Pearson r = {r:.2f}")
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.3))
    _linear_overlay(
        axes[0], nonlinear.consistency_, linear.consistency_, 1, "(a) epoch 1"
    )
    _linear_overlay(
        axes[1], nonlinear.consistency_, linear.consistency_, -1, "(b) epoch 12"
    )
    axes[2].hist(linear.consistency_[1:].ravel(), bins=np.linspace(-0.05, 1.05, 12))
    axes[2].set(
        title="(c) linear nets, epochs 1-12 pooled",
        xlabel="consistency",
        ylabel="images x epochs",
    )
    figure.tight_layout()
    save(figure, "fig05_linear_networks.png")


def figure_6():
    """Fig. 6: AdaBoost on the CNNs' easy, intermediate and hard images."""
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    display = GroupAccuracyDisplay.from_comparison(
        boosted(), cnns(), names=("AdaBoost", "the CNNs"), ax=axes[0]
    )
    for name, curve in zip(
        ["easy", "intermediate", "hard"], display.accuracy, strict=True
    ):
        print(
            f"  {name:12s} AdaBoost after rounds 1, 10, 60: "
            f"{curve[0]:.2f}, {curve[9]:.2f}, {curve[-1]:.2f}"
        )
    comparison = compare_records(boosted(), cnns(), names=("AdaBoost", "CNNs"))
    r, p = comparison.pearson
    print(
        f"  learning speed: Pearson r = {r:.2f} (p = {p:.1e}), Spearman rho = "
        f"{comparison.spearman[0]:.2f}"
    )
    LearningSpeedDisplay.from_comparison(comparison, ax=axes[1])
    figure.tight_layout()
    save(figure, "fig06_adaboost.png")


LEARNERS = {
    "SVM": SVC(),
    "k-NN": KNeighborsClassifier(),
    "perceptron": Perceptron(),
    "decision tree": DecisionTreeClassifier(),
    "random forest": RandomForestClassifier(n_estimators=30),
    "naive Bayes": GaussianNB(),
}


def figure_7():
    """Fig. 7: other learners are right where the CNNs are right."""
    X_train, X_test, y_train, y_test = digits()
    print(f"  CNNs: test accuracy {final_accuracy(cnns()):.3f}")
    rows = []
    for name, learner in LEARNERS.items():
        single = EnsembleDifficulty(
            learner,
            n_estimators=10,
            max_samples=0.7,
            n_jobs=OPTIONS["n_jobs"],
            random_state=0,
        ).fit(flat(X_train), y_train, eval_set={"test": (flat(X_test), y_test)})
        shares = [
            single_stage_agreement(single, cnns(), stage=s, scored_set="test")
            for s in (1, -1)
        ]
        rows.append((name, shares))
        print(
            f"  {name:14s} test accuracy {final_accuracy(single):.3f}; right on "
            f"{shares[0][0]:.2f} / {shares[0][1]:.2f} of the images the CNNs get "
            f"right / wrong at epoch 1, {shares[1][0]:.2f} / {shares[1][1]:.2f} "
            "at epoch 12"
        )
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.3), sharey=True)
    positions = np.arange(len(rows))
    for k, (ax, title) in enumerate(zip(axes, ["epoch 1", "epoch 12"], strict=True)):
        ax.bar(positions - 0.2, [r[1][k][0] for r in rows], 0.4, label="CNNs right")
        ax.bar(positions + 0.2, [r[1][k][1] for r in rows], 0.4, label="CNNs wrong")
        ax.set_xticks(positions, [r[0] for r in rows], fontsize=7)
        ax.set_title(f"CNNs at {title}")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("accuracy of the learner")
    figure.tight_layout()
    save(figure, "fig07_other_learners.png")


def figure_8():
    """Fig. 8a-c: random labels; the networks memorise, without bi-modality."""
    X_train, X_test, y_train, y_test = digits()
    y_train, _ = shuffle_labels(y_train, random_state=0)
    y_test, _ = shuffle_labels(y_test, random_state=1)
    ensemble = fit_cnns(
        X_train,
        y_train,
        {"test": (X_test, y_test)},
        members=8,
        epochs=100,
        module__dropout=False,
    )
    for scored_set in ("train", "test"):
        measure = bimodality(ensemble, scored_set=scored_set)[1:]
        scores = (
            ensemble.consistency_
            if scored_set == "train"
            else ensemble.eval_consistency_["test"]
        )
        print(
            f"  {scored_set}: lowest Pearson measure {measure.min():.2f}, final "
            f"mean consistency (the members' accuracy) {scores[-1].mean():.3f} "
            f"(sd {scores[-1].std():.2f})"
        )
    display = ScoreHistogramDisplay.from_estimator(ensemble, stages=[1, 10, 40, 100])
    save_display(display, "fig08_random_labels.png")


def figure_8d():
    """Fig. 8d: the hardest 20% (easiest removed in rounds) against a random 20%."""
    X_train, X_test, y_train, y_test = digits()
    from sklearn_difficulty.nets import SkorchCNN

    scorer = EnsembleDifficulty(
        SkorchCNN("mnist", max_epochs=4),
        n_estimators=5,
        random_state=0,
        n_jobs=OPTIONS["n_jobs"],
        memory=OPTIONS["cache"],
    )
    hard = hard_dataset(scorer, X_train, y_train, keep=0.2, step=0.2).indices
    rng = np.random.RandomState(0)
    random = np.sort(rng.choice(y_train.size, hard.size, replace=False))
    eval_set = {"test": (X_test, y_test)}
    rows = []
    for name, kept in [("hardest 20%", hard), ("random 20%", random)]:
        # 40 epochs on a fifth of the images: the optimiser steps of 8 on all
        ensemble = fit_cnns(X_train[kept], y_train[kept], eval_set, epochs=40)
        measure = bimodality(ensemble)[1:]
        print(
            f"  {name} ({kept.size} images): test accuracy "
            f"{final_accuracy(ensemble):.3f}, lowest Pearson measure (train) "
            f"{measure.min():.2f}, last {measure[-1]:.2f}"
        )
        rows.append((name, ensemble))
    print(f"  all the training images: test accuracy {final_accuracy(cnns()):.3f}")
    figure, axes = plt.subplots(2, 3, figsize=(9, 4.6), sharex=True)
    for row, (name, ensemble) in zip(axes, rows, strict=True):
        for ax, stage in zip(row, [1, 10, 40], strict=True):
            ax.hist(ensemble.consistency_[stage], bins=np.linspace(-0.05, 1.05, 12))
            ax.set_title(f"{name}, epoch {stage}", fontsize=9)
    for ax in axes[-1]:
        ax.set_xlabel("consistency (train)")
    figure.tight_layout()
    save(figure, "fig08d_hard_dataset.png")


def figure_9():
    """Fig. 9: consistency coloured by the label most members assign."""
    ensemble = cnns()
    labels = majority_label(ensemble)
    for i in (1, 3, 12):
        shares = np.bincount(labels[i], minlength=10) / labels.shape[1]
        print(
            f"  epoch {i:2d}: the two most common majority labels cover "
            f"{np.sort(shares)[-2:].sum():.2f} of the training images"
        )
    display = ScoreHistogramDisplay.from_estimator(
        ensemble, stages=STAGES, scored_sets=["train"], color_by_label=True
    )
    save_display(display, "fig09_majority_label.png")


def figure_11():
    """Fig. 10-11: the consistency of five images over the epochs."""
    ensemble = cnns()
    order = difficulty_ranking(ensemble)
    picks = order[np.linspace(0, order.size - 1, 5).round().astype(int)]
    for index in picks:
        print(f"  image {index:4d}: {np.round(ensemble.consistency_[:, index], 1)}")
    consistency = ensemble.consistency_[1:]
    dips = np.mean(consistency.max(axis=0) - consistency[-1] >= 0.5)
    print(
        f"  share of training images whose consistency falls by 0.5 or more "
        f"from its peak by the last epoch: {dips:.3f}"
    )
    save_display(
        TrajectoryDisplay.from_estimator(ensemble, picks), "fig11_trajectories.png"
    )


def moved_examples():
    """Section 3: move the easiest, hardest or random 2.5% to the test set."""
    X_train, X_test, y_train, y_test = digits()
    speed = cnns().learning_speed_
    for which in ("easiest", "hardest", "random"):
        *split, moved = move_to_test(
            X_train, y_train, X_test, y_test, speed, which=which, random_state=0
        )
        X_tr, y_tr, X_te, y_te = split
        ensemble = fit_cnns(X_tr, y_tr, {"test": (X_te, y_te)}, members=5)
        test = ensemble.eval_consistency_["test"]
        on_moved = test[:, -moved.size :].mean(axis=1)
        on_rest = test[:, : -moved.size].mean(axis=1)
        print(
            f"  {which:8s} {moved.size} moved: accuracy on them (on the old test "
            f"set) at epochs 1, 3, 12: {on_moved[1]:.2f} ({on_rest[1]:.2f}), "
            f"{on_moved[3]:.2f} ({on_rest[3]:.2f}), {on_moved[-1]:.2f} "
            f"({on_rest[-1]:.2f})"
        )


def phases_of_the_cnns():
    """The phases and bi-modality of the 10 CNNs, per epoch (Fig. 1-2)."""
    ensemble = cnns()
    for scored_set in ("train", "test"):
        measure = bimodality(ensemble, scored_set=scored_set)
        phases = learning_phases(ensemble, scored_set=scored_set)
        print(
            f"  {scored_set}: Pearson measure per epoch {np.round(measure, 2).tolist()}"
        )
        print(f"  {scored_set}: phases {[str(p) for p in phases]}")


FIGURES = {
    "1": phases_of_the_cnns,
    "3": figure_3,
    "4": figure_4,
    "5": figure_5,
    "6": figure_6,
    "7": figure_7,
    "8": figure_8,
    "8d": figure_8d,
    "9": figure_9,
    "11": figure_11,
    "move": moved_examples,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", nargs="+", choices=FIGURES, default=list(FIGURES))
    parser.add_argument("--out", type=Path, default=OPTIONS["out"])
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="folder for the members (default: a temporary one)",
    )
    parser.add_argument("--n-jobs", type=int, default=OPTIONS["n_jobs"])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    cache_folder = args.cache or Path(tempfile.gettempdir()) / "paper_figures_cache"
    OPTIONS.update(out=args.out, cache=str(cache_folder), n_jobs=args.n_jobs)
    for name in args.figures:
        start = time.perf_counter()
        print(f"{name}: {FIGURES[name].__doc__.splitlines()[0]}")
        FIGURES[name]()
        print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
