"""Members on clusters: Ray and dask give loky's record; a lost worker costs
only its member; results are written where they are made; GPUs reserved.

The members here are small classifiers of this module that leave a mark
file each time they are fitted (so that the tests count the trainings),
and that can stall once, so that a test kills the worker process running
them (SIGKILL, by its process id) in the middle of a fit.
"""

import os
import signal
import sys
import threading
import time
import uuid
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.tree import DecisionTreeClassifier
from test_runs import cli  # the command in a subprocess

from sklearn_difficulty import EnsembleDifficulty, MembersLostError, PredictionRecord
from sklearn_difficulty._engines import asks_for_gpu, group_size, lost_worker

pytestmark = pytest.mark.timeout(240)


class MarkedTree(DecisionTreeClassifier):
    """A tree that marks each fit in ``marks``, and stalls once on a seed."""

    def __init__(
        self, *, max_depth=3, random_state=None, marks=None, stall_on=None, pause=0.0
    ):
        super().__init__(max_depth=max_depth, random_state=random_state)
        self.marks = marks
        self.stall_on = stall_on
        self.pause = pause

    def fit(self, X, y, sample_weight=None):
        if self.marks is not None:
            folder = Path(self.marks)
            name = f"fit-{self.random_state}-{os.getpid()}-{uuid.uuid4().hex}"
            (folder / name).touch()
            if self.random_state == self.stall_on:
                try:  # only the first time: its worker is killed meanwhile
                    with open(folder / "stalled", "x") as file:
                        file.write(str(os.getpid()))
                    time.sleep(120)
                except FileExistsError:
                    pass
        time.sleep(self.pause)
        return super().fit(X, y, sample_weight=sample_weight)


def fits(marks: Path) -> dict[int, int]:
    """How many times each seed was fitted."""
    counts: dict[int, int] = {}
    for path in marks.glob("fit-*"):
        seed = int(path.name.split("-")[1])
        counts[seed] = counts.get(seed, 0) + 1
    return counts


def kill_when_stalled(marks: Path) -> threading.Thread:
    """Kill (SIGKILL) the process that stalls, as soon as it does."""

    def kill():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                pid = int((marks / "stalled").read_text())
            except (FileNotFoundError, ValueError):
                time.sleep(0.05)
                continue
            time.sleep(0.3)  # in the middle of its fit
            os.kill(pid, signal.SIGKILL)
            return

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


X, y = make_classification(
    n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=0
)
N_MEMBERS = 8


def ensemble(estimator, **kwargs):
    return EnsembleDifficulty(
        estimator, n_estimators=N_MEMBERS, max_samples=0.7, random_state=3, **kwargs
    )


LOCAL = ensemble(MarkedTree(), n_jobs=1).fit(X, y)
#: Each member's own seed (its tree's random_state), in member order.
SEEDS = [member.random_state for member in LOCAL.estimators_]


@pytest.fixture(scope="module")
def local_record():
    """What loky with 2 processes records: the reference of every engine."""
    return ensemble(MarkedTree(), n_jobs=2).fit(X, y).record_


def stalled_seed() -> int:
    """The second member of the first job: the job's first member is then
    finished (and cached) when its worker is killed."""
    return SEEDS[1]


def once_but_the_stalled() -> dict[int, int]:
    return {seed: 2 if seed == stalled_seed() else 1 for seed in SEEDS}


# ---------------------------------------------------------------------------
# dask


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed", reason="dask is not installed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def test_dask_with_memory_and_a_record_folder_gives_the_local_record(
    dask_cluster, local_record, tmp_path
):
    with joblib.parallel_config(backend="dask"):
        fitted = ensemble(
            MarkedTree(), memory=tmp_path / "cache", record_folder=tmp_path / "run"
        ).fit(X, y)
    np.testing.assert_array_equal(
        fitted.record_.predictions["train"], local_record.predictions["train"]
    )
    # the record folder's own member files are gone once the record is saved
    assert not (tmp_path / "run" / "sklearn_difficulty_members").exists()
    assert len(list((tmp_path / "cache").rglob("*.npz"))) == N_MEMBERS
    assert len(fitted.estimators_) == N_MEMBERS
    assert all(hasattr(member, "tree_") for member in fitted.estimators_)


class ProfilerWatch(MarkedTree):
    """A tree that notes whether its dask worker's profiler runs meanwhile."""

    def fit(self, X, y, sample_weight=None):
        from distributed import get_worker

        profile = get_worker().periodic_callbacks["profile"]
        deadline = time.monotonic() + 5  # the pause is sent to the event loop
        while profile.is_running() and time.monotonic() < deadline:
            time.sleep(0.01)
        (Path(self.marks) / uuid.uuid4().hex).write_text(str(profile.is_running()))
        return super().fit(X, y, sample_weight=sample_weight)


def test_the_dask_profiler_is_paused_during_jobs_and_resumes(dask_cluster, tmp_path):
    with joblib.parallel_config(backend="dask"):
        ensemble(ProfilerWatch(marks=str(tmp_path))).fit(X, y)
    noted = [p.read_text() for p in tmp_path.iterdir() if not p.name.startswith("fit")]
    assert len(noted) == N_MEMBERS and set(noted) == {"False"}

    def running():
        return dask_cluster.run(
            lambda dask_worker: dask_worker.periodic_callbacks["profile"].is_running()
        )

    deadline = time.monotonic() + 5
    while not all(running().values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(running().values()) == [True, True]


@pytest.mark.parametrize("engine", ["dask", "ray"])
def test_a_worker_killed_mid_fit_costs_only_its_member(
    engine, local_record, tmp_path, request
):
    request.getfixturevalue(f"{engine}_cluster")
    marks = tmp_path / "marks"
    marks.mkdir()
    member = MarkedTree(marks=str(marks), stall_on=stalled_seed())
    killer = kill_when_stalled(marks)
    with joblib.parallel_config(backend=engine):
        fitted = ensemble(member, memory=tmp_path / "cache").fit(X, y)
    killer.join()
    assert (marks / "stalled").exists()  # the kill did happen
    np.testing.assert_array_equal(
        fitted.record_.predictions["train"], local_record.predictions["train"]
    )
    # the killed member trained twice; every other member once, including the
    # one its job had finished before the kill (read from memory on retry)
    assert fits(marks) == once_but_the_stalled()
    assert fitted.members_from_memory_ == 1


def test_a_dask_engine_that_gives_up_names_the_members_and_how_to_resume(tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask is not installed")
    import dask

    marks = tmp_path / "marks"
    marks.mkdir()
    member = MarkedTree(marks=str(marks), stall_on=stalled_seed())
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
    with cluster, distributed.Client(cluster):
        killer = kill_when_stalled(marks)
        with (
            joblib.parallel_config(backend="dask"),
            pytest.raises(MembersLostError) as caught,
        ):
            ensemble(member, memory=tmp_path / "cache").fit(X, y)
        killer.join()
    assert 1 in caught.value.members  # the stalled member, in the first job
    message = str(caught.value)
    assert "KilledWorker" in message
    assert str(tmp_path / "cache") in message and "fit again" in message
    # fitting again trains only the members missing
    again = ensemble(member, memory=tmp_path / "cache", n_jobs=2).fit(X, y)
    assert again.members_from_memory_ >= N_MEMBERS - len(caught.value.members)
    assert fits(marks)[stalled_seed()] == 2  # lost, then trained in the fit again


def test_members_asking_for_a_gpu_reserve_the_dask_workers_gpu(tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask is not installed")
    cluster = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=3,
        processes=True,
        dashboard_address=":0",
        resources={"GPU": 1},
    )
    marks = tmp_path / "marks"
    marks.mkdir()
    with cluster, distributed.Client(cluster):
        with joblib.parallel_config(backend="dask"):
            ensemble(Timed(device="cuda", marks=str(marks))).fit(X, y)
    spans = sorted(
        tuple(map(float, path.read_text().split())) for path in marks.iterdir()
    )
    assert len(spans) == N_MEMBERS
    # three threads, but one GPU: never two members at once
    for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
        assert start >= end


class Timed(ClassifierMixin, BaseEstimator):
    """A member that asks for a GPU (``device``) and marks when it trains."""

    def __init__(self, device="cpu", marks=None, random_state=None):
        self.device = device
        self.marks = marks
        self.random_state = random_state

    def fit(self, X, y):
        start = time.time()
        time.sleep(0.2)
        self.classes_ = np.unique(y)
        self.tree_ = DecisionTreeClassifier(random_state=self.random_state).fit(X, y)
        gpu = _ray_gpu_ids()
        if self.marks is not None:
            path = Path(self.marks) / uuid.uuid4().hex
            path.write_text(f"{start} {time.time()} {len(gpu)}")
        return self

    def predict(self, X):
        return self.tree_.predict(X)


def _ray_gpu_ids():
    try:
        import ray

        return ray.get_gpu_ids() if ray.is_initialized() else []
    except Exception:
        return []


# ---------------------------------------------------------------------------
# Ray


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray", reason="Ray is not installed")
    import builtins

    from ray.util.joblib import register_ray

    print_ = builtins.print  # Ray's driver replaces print, for its progress bars
    os.environ["RAY_TQDM_PATCH_PRINT"] = "0"
    ray.init(
        num_cpus=2,
        num_gpus=1,  # declared, not real: tasks that ask for one reserve it
        include_dashboard=False,
        object_store_memory=100 * 2**20,
        log_to_driver=False,
        # Ray's workers import this module (its members) by name
        runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(sys.path)}},
    )
    register_ray()
    yield ray
    ray.shutdown()
    builtins.print = print_
    os.environ.pop("RAY_TQDM_PATCH_PRINT")


def test_ray_gives_the_local_record(ray_cluster, local_record, tmp_path):
    with joblib.parallel_config(backend="ray"):
        plain = ensemble(MarkedTree()).fit(X, y)
        stored = ensemble(MarkedTree(), memory=tmp_path).fit(X, y)
    for fitted in (plain, stored):
        np.testing.assert_array_equal(
            fitted.record_.predictions["train"], local_record.predictions["train"]
        )


def test_members_asking_for_a_gpu_reserve_a_ray_gpu(ray_cluster, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    with joblib.parallel_config(backend="ray"):
        ensemble(Timed(device="cuda", marks=str(marks))).fit(X, y)
    spans = sorted(
        tuple(map(float, path.read_text().split())) for path in marks.iterdir()
    )
    assert len(spans) == N_MEMBERS
    assert all(gpus == 1 for *_, gpus in spans)  # each saw the GPU it reserved
    for (_, end, _), (start, _, _) in zip(spans, spans[1:], strict=False):
        assert start >= end  # one GPU in the cluster: one member at a time


# ---------------------------------------------------------------------------
# this machine


def test_a_killed_loky_worker_names_the_members_lost(tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    member = MarkedTree(marks=str(marks), stall_on=stalled_seed())
    killer = kill_when_stalled(marks)
    with pytest.raises(MembersLostError) as caught:
        ensemble(member, n_jobs=2).fit(X, y)
    killer.join()
    assert 1 in caught.value.members
    assert "memory=" in str(caught.value)  # no memory given: says to give one


def test_groups_stay_one_member_each_on_this_machine():
    assert group_size(16, 2) == 1
    with joblib.parallel_config(backend="threading"):
        assert group_size(16, 2) == 1


def test_asks_for_gpu_reads_the_device_parameter():
    assert asks_for_gpu(Timed(device="cuda"))
    assert asks_for_gpu(Timed(device="cuda:1"))
    assert not asks_for_gpu(Timed(device="cpu"))
    assert not asks_for_gpu(DecisionTreeClassifier())


def test_lost_worker_errors_are_told_apart_from_member_errors():
    class KilledWorker(Exception):
        pass

    class Child(KilledWorker):
        pass

    assert lost_worker(KilledWorker()) and lost_worker(Child())
    assert not lost_worker(ValueError("a member's own error"))


# ---------------------------------------------------------------------------
# run() and the command line, pointed at a cluster

ADABOOST = ["--model", "adaboost", "--members", 3, "--rounds", 3, "--max-samples", 0.8]


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "local"
    cli("run", *ADABOOST, "--n-jobs", 1, "--out", out, "--quiet")
    return PredictionRecord.load(out / "record.npz")


def test_the_cli_runs_on_a_dask_scheduler(dask_cluster, local_run, tmp_path):
    address = dask_cluster.scheduler.address
    cli("run", *ADABOOST, "--backend", "dask", "--scheduler", address,
        "--out", tmp_path / "dask", "--quiet")  # fmt: skip
    record = PredictionRecord.load(tmp_path / "dask" / "record.npz")
    for name in ("train", "test"):
        np.testing.assert_array_equal(
            record.predictions[name], local_run.predictions[name]
        )
    # the members were written where they trained, in the run's memory
    assert len(list((tmp_path / "dask").rglob("sklearn_difficulty_members/*.npz")))


def test_the_cli_runs_on_a_ray_address(ray_cluster, local_run, tmp_path):
    address = ray_cluster.get_runtime_context().gcs_address
    cli("run", *ADABOOST, "--backend", "ray", "--address", address,
        "--out", tmp_path / "ray", "--quiet")  # fmt: skip
    record = PredictionRecord.load(tmp_path / "ray" / "record.npz")
    np.testing.assert_array_equal(
        record.predictions["train"], local_run.predictions["train"]
    )


def test_run_refuses_an_address_for_a_local_backend_before_training(tmp_path):
    from sklearn_difficulty.runs import run

    with pytest.raises(ValueError, match="is for backend 'dask' or 'ray'"):
        run(out=tmp_path / "run", model="adaboost", backend="loky",
            scheduler="tcp://127.0.0.1:8786")  # fmt: skip
    with pytest.raises(ValueError, match="backend must be one of"):
        run(out=tmp_path / "run", model="adaboost", backend="spark")
    assert not (tmp_path / "run").exists()


# ---------------------------------------------------------------------------
# receipts: a job that stored its member sends back its stages only


def test_a_job_with_a_cache_sends_receipts_and_the_parent_reads_them(tmp_path):
    fitted = ensemble(MarkedTree(), memory=tmp_path).fit(X, y)
    from sklearn_difficulty._cache import MemberCache
    from sklearn_difficulty._members import load_stored, run_group

    recorder, plan = fitted._check_and_plan(X, y, None, None, {})
    cache = MemberCache(tmp_path / "other")
    seeds = [11, 12]
    keys = cache.keys(recorder, fitted.estimator, plan, seeds)
    outcomes = run_group(
        recorder, fitted.estimator, plan, seeds, keys, cache, "raise", receipts=True
    )
    for outcome, key in zip(outcomes, keys, strict=True):
        assert outcome.stored == key
        assert outcome.record.predictions == [] and outcome.record.estimator is None
        assert outcome.record.stages.size > 0
    whole = load_stored(cache, 0, outcomes[0], recorder, fitted.estimator, plan, 11)
    sent = run_group(recorder, fitted.estimator, plan, [11], None, None, "raise")
    np.testing.assert_array_equal(whole.predictions[0], sent[0].record.predictions[0])
    # a folder the worker wrote to but this process cannot see: a clear error
    cache.path(keys[1]).unlink()
    with pytest.raises(RuntimeError, match="must be a folder that the workers"):
        load_stored(cache, 1, outcomes[1], recorder, fitted.estimator, plan, 12)


def test_records_are_the_same_whether_members_come_back_or_are_read(tmp_path):
    sent = ensemble(MarkedTree(), n_jobs=2, record_outputs=["proba"]).fit(X, y)
    read = ensemble(
        MarkedTree(),
        n_jobs=2,
        record_outputs=["proba"],
        memory=tmp_path / "cache",
        record_folder=tmp_path / "run",
    ).fit(X, y)
    np.testing.assert_array_equal(
        read.record_.predictions["train"], sent.record_.predictions["train"]
    )
    np.testing.assert_array_equal(
        read.record_.output("proba"), sent.record_.output("proba")
    )
    for a, b in zip(read.estimators_, sent.estimators_, strict=True):
        np.testing.assert_array_equal(a.predict(X), b.predict(X))
    # the record folder alone (no memory) keeps no member files afterwards
    alone = ensemble(MarkedTree(), record_folder=tmp_path / "alone").fit(X, y)
    assert not (tmp_path / "alone" / "sklearn_difficulty_members").exists()
    np.testing.assert_array_equal(
        alone.record_.predictions["train"], sent.record_.predictions["train"]
    )


def test_jobs_give_their_result_whatever_the_allocator_settings(monkeypatch):
    from sklearn_difficulty._engines import _call

    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    for trim in (None, "65536"):  # a dask worker sets it
        if trim is None:
            monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
        else:
            monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", trim)
        result = _call(lambda a, b: np.ones(2**20)[:2] * a + b, 2, 1)  # 8 MiB
        np.testing.assert_array_equal(result, [3.0, 3.0])
