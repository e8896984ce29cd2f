"""Members that cost what one costs: VectorisedMLP against MLPClassifier members.

10 members of the default scorer's perceptron (100 hidden units, Adam,
batches of 200) for 30 epochs, recorded after every epoch with the margins
(what label cleaning reads), on standardised features, three ways, each in a
fresh process (wall time of the fit, peak resident memory of the process):

- "vectorised": ``EnsembleDifficulty(VectorisedMLP(max_iter=30))``: the 10
  members as one batched torch model, one recording pass per epoch (torch's
  default threads: one per core);
- "partial_fit": ``EnsembleDifficulty(MLPClassifier(max_iter=30),
  n_jobs=2)``: scikit-learn's members, one ``partial_fit`` call per epoch,
  in 2 processes;
- "plain loop": what a user writes without this package: 10
  ``MLPClassifier(max_iter=1, warm_start=True)`` members in a loop, each
  fitted one epoch at a time and asked ``predict`` and ``predict_proba``
  after every epoch, in 2 processes (joblib).

Each first fits 2 members for 1 epoch on 100 examples, untimed (imports,
the workers' start-up). It prints each time and memory and the ratios to
"vectorised". Run::

    python benchmarks/bench_vectorised_mlp.py                 # digits, MNIST-1D
    python benchmarks/bench_vectorised_mlp.py --datasets digits --repeats 1
"""

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings

import numpy as np

CONFIGS = ("vectorised", "partial_fit", "plain loop")


def load(name: str):
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    if name == "mnist1d":
        from mnist1d.data import get_dataset_args, make_dataset

        args = get_dataset_args()
        args.num_samples = 5000
        data = make_dataset(args)
        X, y = data["x"], data["y"]
    else:
        X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _plain_member(X, y, seed, epochs):
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(max_iter=1, warm_start=True, random_state=seed)
    labels, proba = [], []
    for _ in range(epochs):
        model.fit(X, y)
        labels.append(model.predict(X))
        proba.append(model.predict_proba(X))
    return np.array(labels), np.array(proba)


def measure(config: str, dataset: str, members: int, epochs: int) -> dict:
    """One fit in this process: its wall time, and the process's peak memory."""
    from joblib import Parallel, delayed
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from sklearn_difficulty import EnsembleDifficulty
    from sklearn_difficulty.nets import VectorisedMLP

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    X, y = load(dataset)

    def fit(X, y, members, epochs) -> float:
        """The members' mean final training accuracy."""
        if config == "vectorised":
            ensemble = EnsembleDifficulty(
                VectorisedMLP(max_iter=epochs), n_estimators=members,
                random_state=0, record_outputs=("margin",),
            ).fit(X, y)  # fmt: skip
            return float(ensemble.member_accuracy_[:, -1].mean())
        if config == "partial_fit":
            ensemble = EnsembleDifficulty(
                MLPClassifier(max_iter=epochs), n_estimators=members,
                random_state=0, n_jobs=2, record_outputs=("margin",),
            ).fit(X, y)  # fmt: skip
            return float(ensemble.member_accuracy_[:, -1].mean())
        results = Parallel(n_jobs=2)(
            delayed(_plain_member)(X, y, seed, epochs) for seed in range(members)
        )
        return float(np.mean([(labels[-1] == y).mean() for labels, _ in results]))

    fit(X[:100], y[:100], 2, 1)  # imports and worker start-up, for every way
    start = time.perf_counter()
    accuracy = fit(X, y, members, epochs)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mib": max(peak, children),
            "final_accuracy": accuracy}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist1d"])
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3, help="best of")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        config, dataset = args.one
        print(json.dumps(measure(config, dataset, args.members, args.epochs)))
        return
    for dataset in args.datasets:
        best = {}
        for config in CONFIGS:
            runs = []
            for _ in range(args.repeats):
                out = subprocess.run(
                    [sys.executable, __file__, "--one", config, dataset,
                     "--members", str(args.members), "--epochs", str(args.epochs)],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            best[config] = min(runs, key=lambda run: run["seconds"])
        base = best["vectorised"]
        for config in CONFIGS:
            run = best[config]
            print(
                f"{dataset:8s} {config:12s} {run['seconds']:6.2f} s "
                f"({run['seconds'] / base['seconds']:4.2f}x of vectorised), "
                f"peak {run['peak_mib']:5.0f} MiB "
                f"({run['peak_mib'] / base['peak_mib']:4.2f}x), "
                f"final train accuracy {run['final_accuracy']:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
