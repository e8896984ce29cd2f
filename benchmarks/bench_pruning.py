"""Pruning by difficulty against pruning at random: test score per kept fraction.

For each data set, two difficulty ensembles score the training examples (all
seeded 0):

- one of 8 members trained on every example, recorded after every epoch with
  ``record_outputs=("margin", "proba", "error_norm")``: learning speed
  (Hacohen & Weinshall), AUM (Pleiss et al.), the data map's confidence
  (Swayamdipta et al.), forgetting (Toneva et al.) and EL2N (Paul et al.);
- one of 8 members each trained on a random half (``max_samples=0.5``):
  held-out probability and held-out consistency (the few examples every
  member trained on get the median).

Then :func:`sklearn_difficulty.pruning_curve.pruning_curve` retrains a
downstream model on what is kept after dropping the easiest or the hardest
examples by each score, or a random subset of the same size, at keep
fractions 0.9 down to 0.1, over 3 seeds (the same seed for every end at a
given repeat: paired), and measures test accuracy. The data sets:

- ``tabular``: ``make_classification`` (3,000 examples, 20 features, 10
  informative, 5 classes, 2% of labels random), 2,000 to train, 1,000 to
  test; scored and modelled downstream by standardised features; scorer
  members: the default scorer's MLP (30 epochs); downstream: an RBF
  support vector classifier (``SVC()``);
- ``signals``: MNIST-1D (the ``mnist1d`` package's 4,000 training and 1,000
  test signals, standardised); scorer: the same MLPs; downstream:
  ``MLPClassifier(hidden_layer_sizes=(100,), max_iter=60)``;
- ``digits``: scikit-learn's 8x8 digits images, 70% to train and 30% to
  test (stratified); scorer and downstream model: the paper's MNIST CNN
  (``VectorisedCNN("mnist")``, AdaDelta, batches of 100, 10 epochs for the
  scorer); each downstream CNN takes the same number of optimiser steps
  whatever it keeps, 8 epochs of the whole training set (104 steps: 80
  epochs at 10% kept). With 8 epochs whatever is kept instead (a first run),
  a CNN on 10% of the examples takes 16 steps and some seeds barely train,
  so the curves measured how little the network trained more than what it
  trained on;
- ``tabular_noisy``: ``tabular`` with 20% of the training labels flipped
  uniformly to another class (test labels clean);
- ``digits_noisy``: ``digits`` with 20% of its training labels flipped
  (about an hour on 2 cores, so not in the default run: name it in
  ``--datasets``).

Prints one table per data set (mean test accuracy over seeds, and the
difference from random with its 95% paired t-interval), then a summary (the
best score at each end, per fraction), and writes
``benchmarks/results/pruning.json``, ``pruning.md`` and one figure per data
set. Run::

    python benchmarks/bench_pruning.py                    # about 70 min on 2 cores
    python benchmarks/bench_pruning.py --datasets tabular signals   # about 5 min
    python benchmarks/bench_pruning.py --quick            # a smoke run, 1 min
    python benchmarks/bench_pruning.py --summarise benchmarks/results/*.json
"""

import argparse
import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.pruning_curve import PruningCurve, pruning_curve
from sklearn_difficulty.scores import (
    heldout_consistency,
    heldout_probability,
    mean_over_training,
    score_examples,
)
from sklearn_difficulty.selection import default_member

RESULTS = Path(__file__).parent / "results"
KEEP = (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)
FULL_SCORES = ("learning_speed", "aum", "confidence", "forgetting", "el2n")
HALF_SCORES = ("heldout_proba", "heldout_consistency")
OUTPUTS = ("margin", "proba", "error_norm")
N_MEMBERS = 8


@dataclass
class Task:
    """A data set: its split, its scorer's member and its downstream model."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    member: Callable[[], object]
    downstream: Callable[[], object]
    description: str


class StepBudget(ClassifierMixin, BaseEstimator):
    """A network trained for ``steps`` optimiser steps whatever it is given.

    Sets ``max_epochs`` of a clone of ``estimator`` (batches of
    ``batch_size``) to ``round(steps / steps per epoch)``, at least 1.
    """

    def __init__(self, estimator, *, steps=104, batch_size=100, random_state=None):
        self.estimator = estimator
        self.steps = steps
        self.batch_size = batch_size
        self.random_state = random_state

    def fit(self, X, y):
        per_epoch = -(-len(X) // self.batch_size)
        epochs = max(1, round(self.steps / per_epoch))
        self.estimator_ = clone(self.estimator).set_params(
            max_epochs=epochs, random_state=self.random_state
        )
        self.estimator_.fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        return self.estimator_.predict(X)


def flip_labels(y: np.ndarray, level: float, seed: int) -> np.ndarray:
    """round(level * n) labels moved uniformly to another class."""
    rng = np.random.RandomState(seed)
    n_classes = int(y.max()) + 1
    flipped = rng.choice(y.size, int(round(level * y.size)), replace=False)
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.randint(1, n_classes, flipped.size)) % n_classes
    return noisy


def tabular(noise: float = 0.0) -> Task:
    X, y = make_classification(
        n_samples=3000, n_features=20, n_informative=10, n_classes=5,
        flip_y=0.02, random_state=0,
    )  # fmt: skip
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=2000, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    if noise:
        y_train = flip_labels(y_train, noise, seed=0)
    return Task(
        scaler.transform(X_train), y_train, scaler.transform(X_test), y_test,
        member=lambda: default_member(30),
        downstream=lambda: SVC(),
        description="make_classification 2,000/1,000; SVC (RBF)"
        + (f"; {noise:.0%} of training labels flipped" if noise else ""),
    )  # fmt: skip


def signals() -> Task:
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())  # 4,000 + 1,000 signals, seed 42
    scaler = StandardScaler().fit(data["x"])
    return Task(
        scaler.transform(data["x"]), data["y"],
        scaler.transform(data["x_test"]), data["y_test"],
        member=lambda: default_member(30),
        downstream=lambda: MLPClassifier(hidden_layer_sizes=(100,), max_iter=60),
        description="MNIST-1D 4,000/1,000; MLP (100,), 60 epochs",
    )  # fmt: skip


def digits(noise: float = 0.0) -> Task:
    from sklearn_difficulty.datasets import load_digits_images
    from sklearn_difficulty.nets import VectorisedCNN

    X, y = load_digits_images(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=0
    )
    if noise:
        y_train = flip_labels(y_train, noise, seed=0)
    return Task(
        X_train, y_train, X_test, y_test,
        member=lambda: VectorisedCNN("mnist", max_epochs=10),
        downstream=lambda: StepBudget(VectorisedCNN("mnist"), steps=8 * 13),
        description=(
            "digits 8x8 images 1,257/540"
            + (f", {noise:.0%} of training labels flipped" if noise else "")
            + "; the paper's MNIST CNN, 104 steps (8 epochs of all)"
        ),
    )  # fmt: skip


DATASETS: dict[str, Callable[[], Task]] = {
    "tabular": tabular,
    "tabular_noisy": lambda: tabular(noise=0.2),
    "signals": signals,
    "digits": digits,
    "digits_noisy": lambda: digits(noise=0.2),
}


def example_scores(record, name: str) -> tuple[np.ndarray, int]:
    """The score ``name`` of every training example (higher is easier).

    Held-out scores have no value for an example every member trained on:
    those get the median; the count is returned.
    """
    if name == "heldout_proba":
        values = mean_over_training(heldout_probability(record), record.stages)
    elif name == "heldout_consistency":
        values = heldout_consistency(record)[-1]
    else:
        values = score_examples(record, score=name)
    values = np.array(values, dtype=float)
    missing = np.isnan(values)
    values[missing] = np.nanmedian(values)
    return values, int(missing.sum())


def score_task(task: Task, n_jobs: int) -> dict[str, np.ndarray]:
    """Every score of the benchmark for the task's training examples."""
    scores = {}
    for max_samples, names, outputs in (
        (1.0, FULL_SCORES, OUTPUTS),
        (0.5, HALF_SCORES, ("proba",)),
    ):
        record = (
            EnsembleDifficulty(
                task.member(),
                n_estimators=N_MEMBERS,
                max_samples=max_samples,
                record_outputs=outputs,
                n_jobs=n_jobs,
                random_state=0,
            )  # fmt: skip
            .fit(task.X_train, task.y_train)
            .record_
        )
        for name in names:
            scores[name], missing = example_scores(record, name)
            if missing:
                print(f"  {name}: {missing} examples no member held out (median)")
    return scores


def paired_difference(curve: PruningCurve, end: int, random: PruningCurve):
    """Mean difference from random per fraction, and its 95% t-interval."""
    diff = curve.test_scores[end] - random.test_scores[0]  # (fractions, repeats)
    mean = diff.mean(axis=1)
    n = diff.shape[1]
    half = stats.t.ppf(0.975, n - 1) * diff.std(axis=1, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def run_dataset(name: str, task: Task, args) -> dict:
    start = time.perf_counter()
    scores = score_task(task, args.n_jobs)
    scored = time.perf_counter() - start
    common = dict(
        keep=args.keep, n_repeats=args.seeds, random_state=0, n_jobs=args.n_jobs
    )
    fit = (task.X_train, task.y_train, task.X_test, task.y_test)
    random = pruning_curve(
        task.downstream(), *fit, scores=scores["learning_speed"], drop=("random",),
        **common,
    )  # fmt: skip
    result: dict = {
        "description": task.description,
        "keep": list(args.keep),
        "full": float(random.full_scores.mean()),
        "random": random.test_scores[0].mean(axis=1).tolist(),
        "curves": {},
        "scoring_seconds": scored,
    }
    curves = {"random": random}
    for score in args.scores:
        curve = pruning_curve(
            task.downstream(), *fit, scores=scores[score],
            drop=("easiest", "hardest"), **common,
        )  # fmt: skip
        curves[score] = curve
        for end, label in enumerate(curve.drop):
            mean, low, high = paired_difference(curve, end, random)
            result["curves"][f"{score}/{label}"] = {
                "mean": curve.test_scores[end].mean(axis=1).tolist(),
                "minus_random": mean.tolist(),
                "low": low.tolist(),
                "high": high.tolist(),
            }
    result["seconds"] = time.perf_counter() - start
    draw(name, result, curves)
    return result


def draw(name: str, result: dict, curves: dict) -> None:
    """The dropping curves of the best score at each end, beside random."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from sklearn_difficulty.plotting import PruningCurveDisplay
    except ImportError:
        return
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, end in zip(axes, ("hardest", "easiest"), strict=True):
        best = max(
            (key for key in result["curves"] if key.endswith("/" + end)),
            key=lambda key: np.mean(result["curves"][key]["minus_random"]),
        )
        score = best.split("/")[0]
        PruningCurveDisplay.from_curve(curves[score]).plot(ax=ax)
        PruningCurveDisplay.from_curve(curves["random"]).plot(
            ax=ax, full_kw={"label": "_nolegend_"}
        )
        ax.set_title(f"{name}: drop the {end} by {score}, or at random")
    fig.tight_layout()
    fig.savefig(RESULTS / f"pruning_{name}.png", dpi=100)
    plt.close(fig)


def table(name: str, result: dict) -> str:
    """Markdown: accuracy, and the difference from random with its interval."""
    keep = result["keep"]
    head = "| drop | " + " | ".join(f"keep {k:.0%}" for k in keep) + " |"
    lines = [
        f"### {name}: {result['description']}",
        "",
        f"Test accuracy on every example: {result['full']:.3f}. Cells: accuracy "
        "minus random's at the same fraction (mean of seeds) and its 95% "
        "paired t-interval; **bold** when the interval excludes 0.",
        "",
        head,
        "|---" * (len(keep) + 1) + "|",
        "| random (accuracy) | "
        + " | ".join(f"{v:.3f}" for v in result["random"])
        + " |",
    ]
    for key, curve in result["curves"].items():
        cells = []
        for mean, low, high in zip(
            curve["minus_random"], curve["low"], curve["high"], strict=True
        ):
            text = f"{mean:+.3f} [{low:+.3f}, {high:+.3f}]"
            cells.append(f"**{text}**" if low > 0 or high < 0 else text)
        score, end = key.split("/")
        lines.append(f"| {end} by {score} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


SUMMARY_KEEP = (0.9, 0.7, 0.5, 0.3, 0.1)


def summary(results: dict) -> str:
    """Markdown: per data set and fraction, random, and the best score per end.

    The best is the score with the highest mean difference from random at
    that fraction; its 95% paired interval follows.
    """
    head = "| data set | end | " + " | ".join(f"keep {k:.0%}" for k in SUMMARY_KEEP)
    lines = [head + " |", "|---|---" + "|---" * len(SUMMARY_KEEP) + "|"]
    for name, result in results.items():
        where = [result["keep"].index(k) for k in SUMMARY_KEEP if k in result["keep"]]
        cells = [f"{result['random'][i]:.3f}" for i in where]
        lines.append(f"| {name} | random (accuracy) | " + " | ".join(cells) + " |")
        for end in ("hardest", "easiest"):
            keys = [key for key in result["curves"] if key.endswith("/" + end)]
            cells = []
            for i in where:
                best = max(keys, key=lambda k: result["curves"][k]["minus_random"][i])
                curve = result["curves"][best]
                low, high = curve["low"][i], curve["high"][i]
                text = (
                    f"{curve['minus_random'][i]:+.3f} [{low:+.3f}, {high:+.3f}] "
                    f"{best.split('/')[0]}"
                )
                cells.append(f"**{text}**" if low > 0 or high < 0 else text)
            lines.append(f"| | drop {end}: best | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS),
        default=["tabular", "signals", "digits", "tabular_noisy"],
    )  # fmt: skip
    parser.add_argument("--scores", nargs="+", default=FULL_SCORES + HALF_SCORES)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--keep", type=float, nargs="+", default=KEEP)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2 seeds, 3 fractions")
    parser.add_argument("--out", default="pruning")
    parser.add_argument(
        "--summarise", nargs="+", metavar="JSON",
        help="print the summary of saved results (several runs' JSON) and stop",
    )  # fmt: skip
    args = parser.parse_args()
    if args.summarise:
        results = {}
        for path in args.summarise:
            results.update(json.loads(Path(path).read_text()))
        print(summary(results))
        return
    if args.quick:
        args.seeds, args.keep = 2, (0.9, 0.5, 0.1)
    RESULTS.mkdir(exist_ok=True)
    warnings.simplefilter("ignore", ConvergenceWarning)
    results = {}
    for name in args.datasets:
        print(f"{name} ...", flush=True)
        results[name] = run_dataset(name, DATASETS[name](), args)
        text = table(name, results[name])
        print(text, f"({results[name]['seconds']:.0f} s)\n", flush=True)
        (RESULTS / f"{args.out}.json").write_text(json.dumps(results, indent=1))
        (RESULTS / f"{args.out}.md").write_text(
            summary(results) + "\n" + "\n".join(table(n, r) for n, r in results.items())
        )
    print(summary(results))


if __name__ == "__main__":
    main()
