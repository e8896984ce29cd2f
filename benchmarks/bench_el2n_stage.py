"""EL2N at finding flipped labels, as a function of the stage it is read at.

EL2N (Paul et al., 2021) is read early in training: epoch 20 of 200 on
CIFAR-10, about 7,800 optimiser steps. This measures, on the data sets that
choose the default stage of :func:`sklearn_difficulty.scores.el2n` (digits,
wine and MNIST-1D; breast cancer is kept to confirm), the area under the
precision-recall curve (``average_precision_score``, flipped = positive,
hardness = EL2N) at every recorded stage, against the optimiser steps taken
before it. Setting: features standardised, 20% of the labels flipped
uniformly to another class, one ``EnsembleDifficulty`` of 10
``MLPClassifier(hidden_layer_sizes=(100,), max_iter=30)`` members recorded
after every epoch with ``record_outputs=("error_norm",)``, seeds 0 and 1.

It prints, per data set, the PR-AUC (mean of the seeds) at chosen step
counts and at the stage the default rule picks, and writes
``benchmarks/results/el2n_stage.json``. Run::

    python benchmarks/bench_el2n_stage.py        # about 2 minutes on 2 cores
"""

import argparse
import json
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import average_precision_score
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.scores import el2n

DATASETS = ("digits", "wine", "mnist1d")
SEEDS = (0, 1)
LEVEL = 0.2


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features and labels 0..K-1 (MNIST-1D: 4,000 signals)."""
    if name == "mnist1d":
        from mnist1d.data import get_dataset_args, make_dataset

        args = get_dataset_args()
        args.num_samples = int(4000 / args.train_split)
        data = make_dataset(args)  # seeded by args.seed = 42
        X, y = data["x"], data["y"]
    else:
        X, y = {"digits": load_digits, "wine": load_wine}[name](return_X_y=True)
    return StandardScaler().fit_transform(X), np.unique(y, return_inverse=True)[1]


def flip_labels(y, level: float, seed: int):
    """Labels with round(level * n) of them flipped uniformly, and the mask."""
    rng = np.random.RandomState(seed)
    n_classes = int(y.max()) + 1
    flipped = np.zeros(y.size, bool)
    flipped[rng.choice(y.size, int(round(level * y.size)), replace=False)] = True
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.randint(1, n_classes, flipped.sum())) % n_classes
    return noisy, flipped


def curve(name: str, seed: int, epochs: int) -> dict:
    X, y = load(name)
    noisy, flipped = flip_labels(y, LEVEL, seed)
    model = MLPClassifier(hidden_layer_sizes=(100,), max_iter=epochs, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        record = EnsembleDifficulty(
            model, n_estimators=10, n_jobs=2, random_state=seed,
            record_outputs=("error_norm",),
        ).fit(X, noisy).record_  # fmt: skip
    per_stage = [el2n(record, stage=int(label)) for label in record.stages]
    pr_auc = [float(average_precision_score(flipped, v)) for v in per_stage]
    default_el2n = el2n(record)  # which stage the default rule reads
    default = next(i for i, v in enumerate(per_stage) if (v == default_el2n).all())
    return {
        "steps": np.asarray(record.steps).tolist(),
        "stages": np.asarray(record.stages).tolist(),
        "pr_auc": pr_auc,
        "default_stage": int(record.stages[default]),
        "default_pr_auc": pr_auc[default],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    epochs = parser.parse_args().epochs
    results = {name: [curve(name, seed, epochs) for seed in SEEDS] for name in DATASETS}
    for name, runs in results.items():
        steps = np.asarray(runs[0]["steps"])
        mean = np.mean([run["pr_auc"] for run in runs], axis=0)
        print(f"{name}: {steps[-1]} steps in {epochs} epochs")
        for step, value in zip(steps, mean, strict=True):
            print(f"  step {step:4d}  PR-AUC {value:.3f}")
        best = int(np.argmax(mean[1:])) + 1
        print(f"  best: step {steps[best]} ({mean[best]:.3f}); default: stage "
              f"{runs[0]['default_stage']} "
              f"({np.mean([run['default_pr_auc'] for run in runs]):.3f})")  # fmt: skip
    suffix = "" if epochs == 30 else f"_{epochs}_epochs"
    out = Path(__file__).parent / "results" / f"el2n_stage{suffix}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
