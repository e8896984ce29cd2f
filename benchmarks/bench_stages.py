"""What recording after optimiser steps costs, against epochs and a plain loop.

Recording a member is one eval-mode pass over every scored set. After every
epoch that is one pass per epoch; ``record_every`` adds a pass at each
scheduled step. In one run, each configuration in a fresh process (so that
its peak memory is its own), on the digits' images with the paper's MNIST
recipe (``SkorchCNN("mnist")``: AdaDelta at learning rate 1, batches of
100), this measures the wall time and the peak resident memory of

- ``epoch``: the ensemble recorded after every epoch (what the others are
  weighed against);
- ``log``: ``record_every="log"`` (24 log-spaced stages in the first
  epoch, then every epoch);
- ``every 1``: after every step;
- ``plain loop``: what a user would otherwise write for the ``log``
  schedule: a loop over seeds, each a skorch net with a callback that calls
  ``predict`` on the training and test sets after the same steps (one
  torch thread, as each of our members trains with);

for skorch members and for the vectorised trainer (``VectorisedCNN``, the
members trained as one model), and for MLP members fed by ``partial_fit``.
``--scale`` repeats the training images (with a little noise) to see a
larger data set: more steps per epoch, the same number of stages for
``log``, many more for ``every 1``. Run::

    python benchmarks/bench_stages.py              # the digits, about 4 min
    python benchmarks/bench_stages.py --scale 8 --kinds skorch \
        --configs "epoch,log,plain loop"          # 10,776 training images
"""

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
from sklearn.model_selection import train_test_split

CONFIGS = ["epoch", "log", "every 1", "plain loop"]


def data(scale: int):
    from sklearn_difficulty.datasets import load_digits_images

    X, y = load_digits_images(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    if scale > 1:
        rng = np.random.RandomState(0)
        X_train = np.concatenate(
            [X_train + rng.normal(0, 0.05, X_train.shape).astype(X_train.dtype)] * scale
        )
        y_train = np.tile(y_train, scale)
    return X_train, X_test, y_train, y_test


def plain_loop(members: int, epochs: int, X_train, X_test, y_train) -> None:
    """A user's own loop: one net per seed, predictions after the scheduled steps."""
    import torch
    from skorch.callbacks import Callback

    from sklearn_difficulty.nets import SkorchCNN
    from sklearn_difficulty.stages import LogSpacedSteps

    class Record(Callback):
        def on_train_begin(self, net, **kwargs):
            self.step, self.kept = 0, []
            per_epoch = -(-len(X_train) // net.batch_size)
            self.steps = set(LogSpacedSteps().steps(per_epoch, epochs).tolist())

        def on_batch_end(self, net, training=False, **kwargs):
            if training:
                self.step += 1
                if self.step in self.steps:
                    self.kept.append((net.predict(X_train), net.predict(X_test)))

    torch.set_num_threads(1)  # as each of our members, for the same sums
    for seed in range(members):
        torch.manual_seed(seed)
        net = SkorchCNN(
            "mnist", max_epochs=epochs, train_split=None, callbacks=[Record()],
            iterator_train__shuffle=True,
        )  # fmt: skip
        net.fit(X_train, y_train)


def one(kind: str, config: str, members: int, epochs: int, scale: int) -> dict:
    from sklearn.neural_network import MLPClassifier

    from sklearn_difficulty import EnsembleDifficulty
    from sklearn_difficulty.nets import SkorchCNN, VectorisedCNN

    X_train, X_test, y_train, y_test = data(scale)
    start = time.perf_counter()
    if config == "plain loop":
        plain_loop(members, epochs, X_train, X_test, y_train)
        n_stages = None
    else:
        if kind == "skorch":
            estimator = SkorchCNN("mnist")
        elif kind == "vectorised":
            estimator = VectorisedCNN("mnist")
        else:
            estimator = MLPClassifier((64,))
            X_train = X_train.reshape(len(X_train), -1)
            X_test = X_test.reshape(len(X_test), -1)
        every = {"epoch": "epoch", "log": "log", "every 1": 1}[config]
        ed = EnsembleDifficulty(
            estimator, n_estimators=members, n_epochs=epochs, record_every=every,
            random_state=0, n_jobs=1,
        ).fit(X_train, y_train, eval_set={"test": (X_test, y_test)})  # fmt: skip
        n_stages = int(ed.record_.n_stages)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak, "stages": n_stages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--kinds", default="skorch,vectorised,mlp")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, config = args.one
        result = one(kind, config, args.members, args.epochs, args.scale)
        print(json.dumps(result))
        return
    n_train = len(data(args.scale)[0])
    print(
        f"{args.members} members, {args.epochs} epochs, {n_train} training images "
        f"(batches of 100 for the CNNs), n_jobs=1; each line a fresh process"
    )
    print(f"{'members':<11} {'recorded':<11} {'stages':>6} {'seconds':>8} "
          f"{'x epoch':>8} {'peak MB':>8} {'x epoch':>8}")  # fmt: skip
    for kind in args.kinds.split(","):
        base = None
        for config in args.configs.split(","):
            if config == "plain loop" and kind != "skorch":
                continue
            output = subprocess.run(
                [sys.executable, __file__, "--one", kind, config,
                 "--members", str(args.members), "--epochs", str(args.epochs),
                 "--scale", str(args.scale)],
                check=True, capture_output=True, text=True,
            ).stdout  # fmt: skip
            result = json.loads(output.strip().splitlines()[-1])
            base = base or result
            stages = "-" if result["stages"] is None else result["stages"]
            print(
                f"{kind:<11} {config:<11} {stages:>6} {result['seconds']:>8.1f} "
                f"{result['seconds'] / base['seconds']:>8.2f} "
                f"{result['peak_mb']:>8.0f} {result['peak_mb'] / base['peak_mb']:>8.2f}"
            )


if __name__ == "__main__":
    main()
