"""Time and memory of a CNN difficulty ensemble against the plain skorch loop.

N members of the same CNN are trained for E epochs on the digits (1347
training images, 450 test images), recording every member's predictions on
both sets after every epoch, four ways, each in a fresh process:

- ours n_jobs=1: EnsembleDifficulty(SkorchCNN(...), n_estimators=N);
- ours n_jobs=2: the same on two processes;
- loop: the plain loop a user would write: N skorch nets, seeded one by one,
  each with a callback that calls ``net.predict`` on the training and test
  sets at the end of every epoch;
- loop, no recording: the same N nets trained without the callback, the
  cost of training alone;
- loop, all threads: the loop with torch's default number of CPU threads.

Each member of EnsembleDifficulty trains on one CPU thread (so that its
record does not depend on n_jobs), and so do the first two loops: the cost
of recording is then measured at equal compute. The last loop shows what a
loop gains from torch's own threads on this machine.

It prints each time (best of --repeats), peak memory (the process's maximum
resident set size) and the ratios, among them the cost of recording (time
with recording / time without). Run::

    python benchmarks/bench_skorch.py [--members 4 --epochs 8 --module small_st_vgg]
"""

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

VARIANTS = [
    "ours n_jobs=1",
    "ours n_jobs=2",
    "loop",
    "loop, no recording",
    "loop, all threads",
]


def run_variant(variant, members, epochs, module, device):
    import torch
    from skorch.callbacks import Callback

    from sklearn_difficulty import EnsembleDifficulty
    from sklearn_difficulty.datasets import load_digits_images
    from sklearn_difficulty.nets import SkorchCNN

    X, y = load_digits_images(return_X_y=True)
    X_train, y_train, X_test, y_test = X[:1347], y[:1347], X[1347:], y[1347:]

    def net(**kwargs):
        return SkorchCNN(module, max_epochs=epochs, device=device, **kwargs)

    class PredictEveryEpoch(Callback):
        def initialize(self):
            self.train_, self.test_ = [], []
            return self

        def on_epoch_end(self, net, **kwargs):
            self.train_.append(net.predict(X_train))
            self.test_.append(net.predict(X_test))

    if variant.startswith("loop") and not variant.endswith("all threads"):
        torch.set_num_threads(1)
    start = time.perf_counter()
    if variant.startswith("ours"):
        n_jobs = int(variant[-1])
        ensemble = EnsembleDifficulty(
            net(), n_estimators=members, n_jobs=n_jobs, random_state=0
        ).fit(X_train, y_train, eval_set=[(X_test, y_test)])
        accuracy = ensemble.eval_member_accuracy_["eval_0"][:, -1].mean()
    else:
        accuracies = []
        for seed in range(members):
            torch.manual_seed(seed)
            callbacks = (
                [] if variant.endswith("no recording") else [PredictEveryEpoch()]
            )
            member = net(callbacks=callbacks).fit(X_train, y_train)
            accuracies.append(np.mean(member.predict(X_test) == y_test))
        accuracy = float(np.mean(accuracies))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"seconds": seconds, "peak": max(peak, children), "accuracy": accuracy}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--module", default="small_st_vgg")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        result = run_variant(
            args.variant, args.members, args.epochs, args.module, args.device
        )
        print(json.dumps(result))
        return

    print(
        f"digits: 1347 train / 450 test images; {args.members} x {args.module}, "
        f"{args.epochs} epochs, device {args.device}; best of {args.repeats} runs, "
        "each in a fresh process"
    )
    results = {variant: [] for variant in VARIANTS}
    for _ in range(args.repeats):
        for variant in VARIANTS:  # the variants take turns
            command = [
                sys.executable, __file__, "--variant", variant,
                "--members", str(args.members), "--epochs", str(args.epochs),
                "--module", args.module, "--device", args.device,
            ]  # fmt: skip
            output = subprocess.run(command, capture_output=True, text=True, check=True)
            results[variant].append(json.loads(output.stdout.strip().splitlines()[-1]))
    best = {v: min(r["seconds"] for r in runs) for v, runs in results.items()}
    peak = {v: max(r["peak"] for r in runs) for v, runs in results.items()}
    for variant, runs in results.items():
        print(
            f"  {variant:20s} {best[variant]:7.2f} s  peak RSS "
            f"{peak[variant] / 2**20:6.0f} MiB  test accuracy "
            f"{runs[-1]['accuracy']:.3f}   runs: "
            + ", ".join(f"{r['seconds']:.2f}" for r in runs)
        )
    bare = best["loop, no recording"]
    ratios = {
        "loop / ours n_jobs=1 (time)": best["loop"] / best["ours n_jobs=1"],
        "loop / ours n_jobs=2 (time)": best["loop"] / best["ours n_jobs=2"],
        "cost of recording, ours n_jobs=1": best["ours n_jobs=1"] / bare,
        "cost of recording, plain loop": best["loop"] / bare,
        "loop all threads / ours n_jobs=2": best["loop, all threads"]
        / best["ours n_jobs=2"],
        "peak memory, ours n_jobs=1 / loop": peak["ours n_jobs=1"] / peak["loop"],
    }
    print("ratios:")
    for name, value in ratios.items():
        print(f"  {name + ':':38s} {value:.2f}x")


if __name__ == "__main__":
    main()
