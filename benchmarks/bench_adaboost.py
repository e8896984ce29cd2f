"""Time and memory of an AdaBoost difficulty ensemble, side by side.

Three ways to get every member's predictions at every boosting round on the
training and test sets, and the consistency scores from them, measured in
one run on the same data and the same members:

- loop: the plain loop a user would otherwise write (fit N clones on random
  80% subsets, call ``staged_predict`` on train and test, stack, compare);
- ours n_jobs=1: EnsembleDifficulty with one process;
- ours n_jobs=2: EnsembleDifficulty with two processes (loky).

Times are the median of ``--repeats`` runs after one warm-up run (which
also starts joblib's worker processes). Memory is the peak of memory
allocated in this process (tracemalloc) during one run of the loop and of
EnsembleDifficulty(n_jobs=1), measured apart from the timed runs, and the
size of the stored predictions. Run::

    python benchmarks/bench_adaboost.py            # or: make bench
"""

import argparse
import statistics
import time
import tracemalloc

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.ensemble import AdaBoostClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty


def plain_loop(estimator, n_members, X, y, X_test, y_test, seed):
    """What a user writes without this package."""
    rng = np.random.RandomState(seed)
    train, test = [], []
    for _ in range(n_members):
        member = clone(estimator).set_params(random_state=rng.randint(2**31 - 1))
        rows = rng.choice(len(y), int(0.8 * len(y)), replace=False)
        member.fit(X[rows], y[rows])
        train.append(np.stack(list(member.staged_predict(X))))
        test.append(np.stack(list(member.staged_predict(X_test))))
    train, test = np.stack(train), np.stack(test)
    scores = (train == y).mean(axis=0), (test == y_test).mean(axis=0)
    return scores, train.nbytes + test.nbytes


def ours(estimator, n_members, X, y, X_test, y_test, seed, n_jobs):
    ensemble = EnsembleDifficulty(
        estimator,
        n_estimators=n_members,
        max_samples=0.8,
        n_jobs=n_jobs,
        random_state=seed,
    ).fit(X, y, eval_set=[(X_test, y_test)])
    record = ensemble.record_
    size = sum(p.nbytes for p in record.predictions.values())
    return (ensemble.consistency_, ensemble.eval_consistency_["eval_0"]), size


def timed(runs, repeats):
    """Median time of each run; the runs take turns so drifts hit all alike."""
    times = {name: [] for name in runs}
    for run in runs.values():
        run()  # warm-up, which also starts joblib's workers
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}, times


def peak_memory(function):
    tracemalloc.start()
    _, size = function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    X, y = load_digits(return_X_y=True)
    X, X_test, y, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    estimator = AdaBoostClassifier(
        DecisionTreeClassifier(max_depth=args.depth), n_estimators=args.rounds
    )
    data = (estimator, args.members, X, y, X_test, y_test, 0)
    runs = {
        "loop": lambda: plain_loop(*data),
        "ours n_jobs=1": lambda: ours(*data, n_jobs=1),
        "ours n_jobs=2": lambda: ours(*data, n_jobs=2),
    }
    print(
        f"digits: {len(y)} train / {len(y_test)} test images; {args.members} members "
        f"of AdaBoost ({args.rounds} rounds, depth-{args.depth} trees), 80% subsets; "
        f"median of {args.repeats} runs"
    )
    times, all_times = timed(runs, args.repeats)
    for name in runs:
        print(
            f"  {name:14s} {times[name]:7.2f} s   runs: "
            + ", ".join(f"{t:.2f}" for t in all_times[name])
        )
    loop_memory, loop_size = peak_memory(runs["loop"])
    ours_memory, ours_size = peak_memory(runs["ours n_jobs=1"])
    print("ratios (higher is better for ours):")
    print(
        f"  speed-up n_jobs=2 / n_jobs=1:    "
        f"{times['ours n_jobs=1'] / times['ours n_jobs=2']:.2f}x"
    )
    print(
        f"  loop time / ours n_jobs=1:       "
        f"{times['loop'] / times['ours n_jobs=1']:.2f}x"
    )
    print(
        f"  loop time / ours n_jobs=2:       "
        f"{times['loop'] / times['ours n_jobs=2']:.2f}x"
    )
    print(
        f"  loop peak memory / ours n_jobs=1: {loop_memory / ours_memory:.2f}x "
        f"({loop_memory / 2**20:.1f} MiB against {ours_memory / 2**20:.1f} MiB)"
    )
    print(
        f"  loop predictions / our record:   {loop_size / ours_size:.2f}x "
        f"({loop_size / 2**20:.1f} MiB against {ours_size / 2**20:.1f} MiB)"
    )


if __name__ == "__main__":
    main()
