"""Scoring records at CIFAR-100 size, and spreading members over processes.

Part 1, memory and time of scoring: synthetic prediction records of 100
members x 100 stages x n examples with 100 classes (n = 15,000, 30,000 and
60,000: the last is CIFAR-100's 600 MB) are written as memory-mapped files;
each is scored (consistency, consensus, member accuracy, learning speed) in
a fresh process, which reports its time and its peak resident memory
(VmHWM, which counts the record's memory-mapped pages it touched) against
the record's size.

Part 1b, the richer record (issue 13): the same 100 x 100 x 15,000 record
with its outputs ("proba", "margin", "error_norm" in float16) beside the
labels, scored by every score that reads them (data maps per member and
pooled, AUM, forgetting events, EL2N) and the labels' scores, with the peak
resident memory against the whole record's size (labels and outputs).

Part 2, joblib scaling: 16 AdaBoost members on the digits with n_jobs=1,
n_jobs=2 (loky) and on a 2-worker dask LocalCluster, best of --repeats.

Run::

    python benchmarks/bench_scale.py [--sizes 15000 30000 60000] [--rich-sizes 15000]
        [--folder /tmp/records]
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MEMBERS, STAGES, CLASSES = 100, 100, 100


OUTPUTS = ("proba", "margin", "error_norm")


def write_record(folder: Path, n_samples: int, outputs: bool = False) -> None:
    from sklearn_difficulty import PredictionRecord

    rng = np.random.RandomState(0)
    folder.mkdir(parents=True, exist_ok=True)
    targets = rng.randint(0, CLASSES, n_samples)
    shape = (MEMBERS, STAGES, n_samples)
    predictions = np.lib.format.open_memmap(
        folder / "predictions_0.npy", mode="w+", dtype=np.uint8, shape=shape
    )
    values = {
        kind: np.lib.format.open_memmap(
            folder / f"outputs_{kind}_0.npy", mode="w+", dtype=np.float16, shape=shape
        )
        for kind in (OUTPUTS if outputs else ())
    }
    for member in range(MEMBERS):  # members that learn: right more often later
        right = rng.rand(STAGES, n_samples) < np.linspace(0.01, 0.9, STAGES)[:, None]
        guesses = rng.randint(0, CLASSES, (STAGES, n_samples))
        predictions[member] = np.where(right, targets, guesses)
        if outputs:
            proba = np.where(right, 0.5 + 0.5 * rng.rand(*right.shape), 0.3)
            values["proba"][member] = proba
            values["margin"][member] = np.where(right, proba, -proba)
            values["error_norm"][member] = np.sqrt(2) * (1 - proba)
    for array in (predictions, *values.values()):
        array.flush()
    PredictionRecord(
        predictions={"train": predictions},
        targets={"train": targets},
        classes=np.arange(CLASSES),
        stages=np.arange(1, STAGES + 1),
        outputs={kind: {"train": array} for kind, array in values.items()},
    ).save(folder)


def _status(field: str) -> int:
    """A memory figure of this process from /proc, in bytes.

    VmHWM is the peak resident set of this process image; getrusage's
    ru_maxrss would carry over the parent's peak across fork and exec.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def score(folder: str) -> dict:
    from sklearn_difficulty import (
        PredictionRecord,
        consensus,
        consistency,
        learning_speed,
        member_accuracy,
    )
    from sklearn_difficulty.scores import aum, data_map, el2n, forgetting_events

    before = _status("VmRSS")
    record = PredictionRecord.load(folder, mmap_mode="r")
    start = time.perf_counter()
    consistency(record)
    consensus(record)
    member_accuracy(record)
    learning_speed(record)
    forgetting_events(record)
    if record.output_kinds:
        data_map(record)
        data_map(record, aggregate="pooled")
        aum(record)
        el2n(record)
    seconds = time.perf_counter() - start
    peak = _status("VmHWM")
    size = record.predictions["train"].nbytes + sum(
        record.output(kind).nbytes for kind in record.output_kinds
    )
    return {"seconds": seconds, "peak": peak, "baseline": before, "size": size}


def joblib_scaling(repeats: int) -> None:
    import joblib
    from distributed import Client, LocalCluster
    from sklearn.datasets import load_digits
    from sklearn.ensemble import AdaBoostClassifier
    from sklearn.tree import DecisionTreeClassifier

    from sklearn_difficulty import EnsembleDifficulty

    X, y = load_digits(return_X_y=True)

    def fit(**kwargs):
        return EnsembleDifficulty(
            AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=50),
            n_estimators=16,
            max_samples=0.8,
            random_state=0,
            **kwargs,
        ).fit(X, y)

    def best(function):
        function()  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        return min(times)

    one = best(lambda: fit(n_jobs=1))
    two = best(lambda: fit(n_jobs=2))
    local = fit(n_jobs=1).record_.predictions["train"]
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as (
            cluster
        ),
        Client(cluster),
    ):
        with joblib.parallel_config(backend="dask"):
            dask = best(fit)
            same = np.array_equal(fit().record_.predictions["train"], local)
    print("joblib scaling, 16 AdaBoost members (50 rounds) on the digits:")
    print(f"  n_jobs=1 {one:.2f} s, n_jobs=2 (loky) {two:.2f} s, dask {dask:.2f} s")
    print(
        f"  loky n_jobs=2 / n_jobs=1: {one / two:.2f}x faster; dask 2 workers / "
        f"n_jobs=1: {one / dask:.2f}x; dask / loky: {two / dask:.2f}x"
    )
    print(f"  the record on dask equals the local one: {same}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[15000, 30000, 60000])
    parser.add_argument("--rich-sizes", type=int, nargs="*", default=[15000])
    parser.add_argument("--skip-joblib", action="store_true")
    parser.add_argument("--folder", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--score", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.score:
        print(json.dumps(score(args.score)))
        return
    root = Path(args.folder or tempfile.mkdtemp(prefix="records-"))
    print(
        f"scoring {MEMBERS} members x {STAGES} stages x n examples, {CLASSES} classes:"
    )
    rows = [(n, measure(root, n, outputs=False)) for n in args.sizes]
    first_n, first = rows[0]
    for n, result in rows[1:]:
        print(
            f"  time ratio n={n} / n={first_n}: "
            f"{result['seconds'] / first['seconds']:.2f} for a size ratio of "
            f"{n / first_n:.2f}"
        )
    if args.rich_sizes:
        print(
            f"the richer record: labels (uint8) and {', '.join(OUTPUTS)} (float16), "
            "scored by every score:"
        )
        for n in args.rich_sizes:
            measure(root, n, outputs=True)
    if not args.skip_joblib:
        joblib_scaling(args.repeats)


def measure(root: Path, n: int, *, outputs: bool) -> dict:
    """Write a record of n examples, score it in a fresh process, print the figures."""
    folder = root / f"record-{n}{'-outputs' if outputs else ''}"
    write_record(folder, n, outputs=outputs)
    output = subprocess.run(
        [sys.executable, __file__, "--score", str(folder)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result = json.loads(output.strip().splitlines()[-1])
    print(
        f"  n={n:6d}: record {result['size'] / 2**20:5.0f} MiB, scored in "
        f"{result['seconds']:6.2f} s, peak RSS {result['peak'] / 2**20:5.0f} MiB = "
        f"{result['peak'] / result['size']:.2f}x the record "
        f"({(result['peak'] - result['baseline']) / result['size']:.2f}x beyond "
        "the process before loading)"
    )
    shutil.rmtree(folder)
    return result


if __name__ == "__main__":
    main()
