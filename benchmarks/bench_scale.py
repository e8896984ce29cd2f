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
n_jobs=2 (loky) and on 2 dask workers (a scheduler and workers started as
the README's two commands, each its own process; and a LocalCluster, whose
scheduler runs in the client's process), with the members grouped into a
few tasks (the default on a cluster) and one member per task, best of
--repeats.

Part 3, results written where they are made: 50 and 100 SGDClassifier members x
50 epochs x 50,000 examples through a 2-worker dask cluster, the client in
a fresh process: with the members' predictions sent back through the
client, and with ``memory`` and ``record_folder`` on a folder the workers
share (receipts only). It prints the client's growth in anonymous memory
(sampled every 20 ms; the record's memory-mapped pages are not anonymous),
its peak resident set, and the scheduler's peak, against the record's size.

Run::

    python benchmarks/bench_scale.py [--sizes 15000 30000 60000] [--rich-sizes 15000]
        [--folder /tmp/records] [--skip-joblib] [--skip-big] [--skip-scoring]
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


def _status(field: str, pid: int | str = "self") -> int:
    """A memory figure of a process (this one) from /proc, in bytes.

    VmHWM is the peak resident set of this process image; getrusage's
    ru_maxrss would carry over the parent's peak across fork and exec.
    """
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
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


class DaskCluster:
    """A dask scheduler and a 2-worker ``dask worker``, each its own process,
    started with the README's two commands (the scheduler out of the client,
    as on a real cluster)."""

    def __init__(self, workers: int = 2):
        self.folder = Path(tempfile.mkdtemp(prefix="dask-"))
        self.file = self.folder / "scheduler.json"
        bin_dir = Path(sys.executable).parent
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self.scheduler = subprocess.Popen(
            [bin_dir / "dask", "scheduler", "--scheduler-file", self.file,
             "--no-dashboard", "--port", "0"], **quiet,
        )  # fmt: skip
        while not self.file.exists():
            time.sleep(0.1)
        time.sleep(1)
        self.started = _status("VmRSS", self.scheduler.pid)  # before any task
        self.workers = subprocess.Popen(
            [bin_dir / "dask", "worker", "--scheduler-file", self.file,
             "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard"],
            **quiet,
        )  # fmt: skip
        from distributed import Client

        with Client(scheduler_file=str(self.file)) as client:
            client.wait_for_workers(workers)
            self.address = client.scheduler.address

    def scheduler_peak(self) -> int:
        """The scheduler process's peak resident memory so far (VmHWM)."""
        return _status("VmHWM", self.scheduler.pid)

    def close(self):
        for process in (self.workers, self.scheduler):
            process.terminate()
            process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def adaboost_fit(**kwargs):
    from sklearn.datasets import load_digits
    from sklearn.ensemble import AdaBoostClassifier
    from sklearn.tree import DecisionTreeClassifier

    from sklearn_difficulty import EnsembleDifficulty

    X, y = load_digits(return_X_y=True)
    return EnsembleDifficulty(
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=50),
        n_estimators=16,
        max_samples=0.8,
        random_state=0,
        **kwargs,
    ).fit(X, y)


def joblib_scaling(repeats: int) -> None:
    """16 AdaBoost members: loky against dask, with and without batching."""
    import joblib
    from distributed import Client, LocalCluster

    import sklearn_difficulty._members as members

    def best(function):
        function()  # warm-up
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        return min(times)

    def dask_times(client) -> tuple[float, float, bool]:
        grouped = members.group_size
        with joblib.parallel_config(backend="dask", client=client):
            batched = best(adaboost_fit)
            same = np.array_equal(adaboost_fit().record_.predictions["train"], local)
            members.group_size = lambda *args, **kwargs: 1  # one task per member
            try:
                single = best(adaboost_fit)
            finally:
                members.group_size = grouped
        return batched, single, same

    local = adaboost_fit(n_jobs=1).record_.predictions["train"]
    one = best(lambda: adaboost_fit(n_jobs=1))
    two = best(lambda: adaboost_fit(n_jobs=2))
    cluster = DaskCluster()
    try:
        with Client(cluster.address) as client:
            apart = dask_times(client)
    finally:
        cluster.close()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as (
            local_cluster
        ),
        Client(local_cluster) as client,
    ):
        inside = dask_times(client)
    print("joblib scaling, 16 AdaBoost members (50 rounds) on the digits, best of "
          f"{repeats}:")  # fmt: skip
    print(f"  n_jobs=1 {one:.2f} s; loky n_jobs=2 {two:.2f} s ({one / two:.2f}x)")
    for name, (batched, single, same) in (
        ("dask scheduler and 2 workers in their own processes", apart),
        ("dask LocalCluster (scheduler in the client's process)", inside),
    ):
        print(
            f"  {name}: {batched:.2f} s in groups ({two / batched:.2f}x of loky), "
            f"{single:.2f} s one member per task ({two / single:.2f}x of loky); "
            f"the record equals the local one: {same}"
        )


def big_fit(config: str, folder: str, address: str, members: int) -> dict:
    """One fit of the issue's size as a client of ``address`` (a fresh process).

    "through the client": members send their predictions back, the client
    assembles the record in memory. "written where made": members write
    themselves to ``memory`` (a folder the workers share), send a receipt,
    and the client assembles the memory-mapped record in ``record_folder``.
    """
    import threading

    import joblib
    import skops.io  # noqa: F401  # imports torch (through scikit-learn's
    from distributed import Client  # discovery): 275 MiB that do not grow
    from sklearn.datasets import make_classification
    from sklearn.linear_model import SGDClassifier

    from sklearn_difficulty import EnsembleDifficulty

    X, y = make_classification(
        n_samples=BIG["examples"], n_features=20, n_informative=10, n_classes=3,
        random_state=0,
    )  # fmt: skip
    peak = {"anon": _status("RssAnon")}
    running = True

    def sample():  # the peak of anonymous memory (the record's pages are not)
        while running:
            peak["anon"] = max(peak["anon"], _status("RssAnon"))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    kwargs = {}
    if config == "written where made":
        kwargs = {
            "memory": Path(folder) / "cache",
            "record_folder": Path(folder) / "run",
        }
    before = _status("RssAnon")
    with (
        Client(address) as client,
        joblib.parallel_config(backend="dask", client=client),
    ):
        sampler.start()
        start = time.perf_counter()
        fitted = EnsembleDifficulty(
            SGDClassifier(), n_estimators=members, n_epochs=BIG["stages"],
            random_state=0, **kwargs,
        ).fit(X, y)  # fmt: skip
        seconds = time.perf_counter() - start
        running = False
        sampler.join()
    size = fitted.record_.predictions["train"].nbytes
    return {
        "seconds": seconds, "size": size, "anon_peak": peak["anon"],
        "anon_before": before, "hwm": _status("VmHWM"),
    }  # fmt: skip


#: The issue's size: 100 members (and 50), 50 stages, 50,000 examples.
BIG = {"stages": 50, "examples": 50_000}


def results_where_made(folder: Path, member_counts) -> None:
    print(
        f"records of n members x {BIG['stages']} stages x {BIG['examples']:,} "
        "examples (SGDClassifier, partial_fit) through a 2-worker dask cluster:"
    )
    for members in member_counts:
        for config in ("through the client", "written where made"):
            cluster = DaskCluster()
            target = folder / config.replace(" ", "-")
            try:
                target.mkdir(parents=True, exist_ok=True)
                output = subprocess.run(
                    [sys.executable, __file__, "--big", config, "--big-folder",
                     str(target), "--big-address", cluster.address,
                     "--big-members", str(members)],
                    capture_output=True, text=True, check=True,
                ).stdout  # fmt: skip
                scheduler = cluster.scheduler_peak() - cluster.started
            finally:
                cluster.close()
                shutil.rmtree(target, ignore_errors=True)
            r = json.loads(output.strip().splitlines()[-1])
            grown = r["anon_peak"] - r["anon_before"]
            print(
                f"  {members} members, {config}: {r['seconds']:.0f} s; record "
                f"{r['size'] / 2**20:.0f} MiB; the client's anonymous memory grew "
                f"by {grown / 2**20:.0f} MiB ({grown / r['size']:.2f}x the record; "
                f"peak resident set {r['hwm'] / 2**20:.0f} MiB with the mapped "
                f"record pages); the scheduler's peak grew by "
                f"{scheduler / 2**20:.0f} MiB from its start "
                f"({scheduler / r['size']:.2f}x the record)"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[15000, 30000, 60000])
    parser.add_argument("--rich-sizes", type=int, nargs="*", default=[15000])
    parser.add_argument("--skip-joblib", action="store_true")
    parser.add_argument("--folder", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-scoring", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--score", help=argparse.SUPPRESS)
    parser.add_argument("--big", help=argparse.SUPPRESS)
    parser.add_argument("--big-folder", help=argparse.SUPPRESS)
    parser.add_argument("--big-address", help=argparse.SUPPRESS)
    parser.add_argument("--big-members", type=int, nargs="+", default=[50, 100])
    args = parser.parse_args()
    if args.score:
        print(json.dumps(score(args.score)))
        return
    if args.big:
        print(
            json.dumps(
                big_fit(
                    args.big, args.big_folder, args.big_address, args.big_members[0]
                )
            )
        )
        return
    root = Path(args.folder or tempfile.mkdtemp(prefix="records-"))
    if not args.skip_joblib:
        joblib_scaling(args.repeats)
    if not args.skip_big:
        results_where_made(root, args.big_members)
    if args.skip_scoring:
        return
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
