"""Time and memory of an AdaBoost difficulty ensemble, side by side.

Three ways to get every member's predictions at every boosting round on the
training and test sets, and the consistency scores from them, measured in
one run on the same data and the same members:

- loop: the plain loop a user would otherwise write (fit N clones on random
  80% subsets, call ``staged_predict`` on train and test, stack, compare);
- loop joblib=2: the same members spread by hand over two joblib processes,
  the most a parallel run can gain on this machine;
- ours n_jobs=1: EnsembleDifficulty with one process;
- ours n_jobs=2: EnsembleDifficulty with two processes (loky).

Times are the best of ``--repeats`` runs after one warm-up run (which also
starts joblib's worker processes): on a shared machine, slower runs are
other processes interfering (as Python's timeit advises). The runs take
turns, so a drift in the machine's speed hits all of them alike; every run's
time is printed too. Memory is the peak of memory
allocated in this process (tracemalloc) during one run of the loop and of
EnsembleDifficulty(n_jobs=1), measured apart from the timed runs, and the
size of the stored predictions. Run::

    python benchmarks/bench_adaboost.py            # or: make bench
"""

import argparse
import time
import tracemalloc

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.ensemble import AdaBoostClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty


def loop_member(estimator, seed, X, y, X_test):
    """One member, as a user would fit and record it by hand."""
    rng = np.random.RandomState(seed)
    member = clone(estimator).set_params(random_state=rng.randint(2**31 - 1))
    rows = rng.choice(len(y), int(0.8 * len(y)), replace=False)
    member.fit(X[rows], y[rows])
    return np.stack(list(member.staged_predict(X))), np.stack(
        list(member.staged_predict(X_test))
    )


def plain_loop(estimator, n_members, X, y, X_test, y_test, seed, n_jobs=None):
    """What a user writes without this package: a loop, or joblib by hand."""
    seeds = np.random.RandomState(seed).randint(2**31 - 1, size=n_members)
    if n_jobs is None:
        members = [loop_member(estimator, s, X, y, X_test) for s in seeds]
    else:
        members = Parallel(n_jobs=n_jobs)(
            delayed(loop_member)(estimator, s, X, y, X_test) for s in seeds
        )
    train = np.stack([m[0] for m in members])
    test = np.stack([m[1] for m in members])
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
    """Best time of each run; the runs take turns so drifts hit all alike."""
    times = {name: [] for name in runs}
    for run in runs.values():
        run()  # warm-up, which also starts joblib's workers
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: min(t) for name, t in times.items()}, times


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
        "loop joblib=2": lambda: plain_loop(*data, n_jobs=2),
        "ours n_jobs=1": lambda: ours(*data, n_jobs=1),
        "ours n_jobs=2": lambda: ours(*data, n_jobs=2),
    }
    print(
        f"digits: {len(y)} train / {len(y_test)} test images; {args.members} members "
        f"of AdaBoost ({args.rounds} rounds, depth-{args.depth} trees), 80% subsets; "
        f"best of {args.repeats} runs"
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
        f"  loop joblib=2 / ours n_jobs=2:   "
        f"{times['loop joblib=2'] / times['ours n_jobs=2']:.2f}x"
        f"  (the hand-made parallel loop gains "
        f"{times['loop'] / times['loop joblib=2']:.2f}x over the loop)"
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
