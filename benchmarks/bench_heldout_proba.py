"""Held-out probability against held-out consistency at finding flipped labels.

MNIST-1D (the ``mnist1d`` package: 4,000 training signals, features
standardised), 10% of the labels flipped uniformly to another class; one
``EnsembleDifficulty`` of 10 ``MLPClassifier(hidden_layer_sizes=(100,),
max_iter=30)`` members, each on a random half of the signals
(``max_samples=0.5``), recorded after every epoch with
``record_outputs=("proba",)``. Both scores are averaged over the training
stages (stage 0 left out); the few signals every member trained on (about
4 in 4,000) get the median, as in ``bench_label_noise.py``. Prints the area
under the precision-recall curve (flipped = positive) and the precision at
k (k = number flipped) of each, per seed. Run::

    python benchmarks/bench_heldout_proba.py     # about a minute on 2 cores
"""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import average_precision_score
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.scores import (
    heldout_consistency,
    heldout_probability,
    mean_over_training,
)

SEEDS = (0, 1)
LEVEL = 0.1


def mnist1d() -> tuple[np.ndarray, np.ndarray]:
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples = int(4000 / args.train_split)
    data = make_dataset(args)  # seeded by args.seed = 42
    return StandardScaler().fit_transform(data["x"]), data["y"]


def flip_labels(y, seed: int):
    rng = np.random.RandomState(seed)
    flipped = np.zeros(y.size, bool)
    flipped[rng.choice(y.size, int(round(LEVEL * y.size)), replace=False)] = True
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + rng.randint(1, 10, flipped.sum())) % 10
    return noisy, flipped


def hardness(per_stage, stages):
    easy = mean_over_training(per_stage, stages)
    easy[np.isnan(easy)] = np.nanmedian(easy)
    return -easy


def main() -> None:
    X, y = mnist1d()
    for seed in SEEDS:
        noisy, flipped = flip_labels(y, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            record = EnsembleDifficulty(
                MLPClassifier(hidden_layer_sizes=(100,), max_iter=30, random_state=0),
                n_estimators=10, max_samples=0.5, n_jobs=2, random_state=seed,
                record_outputs=("proba",),
            ).fit(X, noisy).record_  # fmt: skip
        k = int(flipped.sum())
        never = int(record.in_bag.all(axis=0).sum())
        print(f"seed {seed}: {never} signals trained on by every member")
        for name, per_stage in (
            ("held-out consistency", heldout_consistency(record)),
            ("held-out probability", heldout_probability(record)),
        ):
            score = hardness(per_stage, record.stages)
            top = np.argsort(-score, kind="stable")[:k]
            print(
                f"  {name}: PR-AUC {average_precision_score(flipped, score):.3f}, "
                f"precision at k {flipped[top].mean():.3f}"
            )


if __name__ == "__main__":
    main()
