"""What the pickle-free member cache costs, side by side with a pickle.

A fitted member in the cache (``EnsembleDifficulty(memory=...)``) is one
``.npz`` per member: its predictions as arrays, its metadata as JSON, and the
fitted estimator as bytes its recorder saved (skops for scikit-learn
estimators, loaded with a list of trusted types; a ``state_dict`` for
networks). The plain alternative, and what sklearn-difficulty 0.2 did, is
``joblib.dump`` / ``joblib.load`` of the same things: fast, but loading a
file from someone else runs its code. In one run, on the same fitted
members, this measures

- fit: the ensemble without a cache (the time the cache is weighed against);
- cold: the same fit with an empty cache (train, then store every member);
- warm: the same fit again (every member read from the cache, none trained);
- pickle: ``joblib.dump`` then ``joblib.load`` of every member's record;

for AdaBoost (40 rounds, stumps) and an MLP (20 epochs of ``partial_fit``) on
the digits, each with ``--members`` members, and the cache's size on disk.
Times are the best of ``--repeats`` runs. Run::

    python benchmarks/bench_cache.py
"""

import argparse
import tempfile
import time
from pathlib import Path

import joblib
from sklearn.datasets import load_digits
from sklearn.ensemble import AdaBoostClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty

MODELS = {
    "adaboost": lambda: AdaBoostClassifier(
        DecisionTreeClassifier(max_depth=1), n_estimators=40
    ),
    "mlp": lambda: MLPClassifier((64,), max_iter=20),
}


def ensemble(name: str, members: int, memory=None) -> EnsembleDifficulty:
    return EnsembleDifficulty(
        MODELS[name](), n_estimators=members, max_samples=0.8, random_state=0,
        memory=memory, n_jobs=1,
    )  # fmt: skip


def best(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def pickled(fitted: EnsembleDifficulty, folder: Path) -> None:
    """What 0.2 did with every member: joblib.dump, then joblib.load."""
    for member, estimator in enumerate(fitted.estimators_):
        path = folder / f"{member}.joblib"
        joblib.dump((estimator, fitted.record_.predictions["train"][member]), path)
        joblib.load(path)


def size(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def measure(name: str, members: int, repeats: int, X, y) -> dict:
    fit = best(lambda: ensemble(name, members).fit(X, y), repeats)
    colds, warms = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            ensemble(name, members, cache).fit(X, y)
            colds.append(time.perf_counter() - start)
            start = time.perf_counter()
            ensemble(name, members, cache).fit(X, y)
            warms.append(time.perf_counter() - start)
            megabytes = size(Path(cache))
    fitted = ensemble(name, members).fit(X, y)
    with tempfile.TemporaryDirectory() as folder:
        dump_load = best(lambda: pickled(fitted, Path(folder)), repeats)
        pickle_megabytes = size(Path(folder))
    return {
        "fit": fit, "cold": min(colds), "warm": min(warms), "pickle": dump_load,
        "MiB": megabytes, "pickle MiB": pickle_megabytes,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    print(
        f"{args.members} members on the digits ({len(y)} examples), best of "
        f"{args.repeats}"
    )
    print(
        "| model | fit, no cache | fit + store (cold) | read back (warm) | "
        "cold / fit | warm / fit | joblib dump + load | cache on disk | "
        "pickles on disk |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in MODELS:
        m = measure(name, args.members, args.repeats, X, y)
        print(
            f"| {name} | {m['fit']:.2f} s | {m['cold']:.2f} s | {m['warm']:.2f} s "
            f"| {m['cold'] / m['fit']:.2f}x | {m['warm'] / m['fit']:.2f}x "
            f"| {m['pickle']:.2f} s | {m['MiB']:.1f} MiB | {m['pickle MiB']:.1f} MiB |"
        )


if __name__ == "__main__":
    main()
