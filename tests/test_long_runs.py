"""Long runs: per-member caching and resume, failing members, memory, a cluster."""

import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from conftest import SlowCountingClassifier
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import (
    EnsembleDifficulty,
    MemberFailedWarning,
    PredictionRecord,
    consensus,
    consistency,
    member_accuracy,
)
from sklearn_difficulty._random import MemberStreams

TESTS = Path(__file__).parent


def data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 3)
    return X, (X[:, 1] > 0.5).astype(int)


def fits(log):
    return len(Path(log).read_text().split()) if Path(log).exists() else 0


def ensemble(log, memory=None, **kwargs):
    params = {"n_estimators": 4, "max_samples": 0.8, "random_state": 0, **kwargs}
    return EnsembleDifficulty(
        SlowCountingClassifier(log=str(log)), memory=memory, **params
    )


def test_memory_reuses_finished_members_and_invalidates_on_change(tmp_path):
    X, y = data()
    log = tmp_path / "fits.log"
    first = ensemble(log, tmp_path / "cache").fit(X, y)
    assert fits(log) == 4
    again = ensemble(log, tmp_path / "cache").fit(X, y)
    assert fits(log) == 4  # every member came from the cache
    np.testing.assert_array_equal(
        first.record_.predictions["train"], again.record_.predictions["train"]
    )
    ensemble(log, tmp_path / "cache").fit(X, 1 - y)  # other data
    assert fits(log) == 8
    ensemble(log, tmp_path / "cache", max_samples=0.7).fit(X, y)  # other parameter
    assert fits(log) == 12
    ensemble(log, tmp_path / "cache", n_estimators=6).fit(X, y)  # 4 seeds are shared
    assert fits(log) == 12 + 2


def test_a_new_eval_set_is_recorded_anew_not_read_from_the_cache(tmp_path):
    X, y = data()
    X_a, y_a = data(20, seed=1)
    X_b, y_b = X_a[::-1] * 3, y_a[::-1]  # other examples, as many
    log, cache = tmp_path / "fits.log", tmp_path / "cache"
    ensemble(log, cache).fit(X, y, eval_set={"test": (X_a, y_a)})
    assert fits(log) == 4
    cached = ensemble(log, cache).fit(X, y, eval_set={"test": (X_b, y_b)})
    assert fits(log) == 8  # the members are recorded on the new set
    fresh = ensemble(tmp_path / "other.log").fit(X, y, eval_set={"test": (X_b, y_b)})
    np.testing.assert_array_equal(
        cached.record_.predictions["test"], fresh.record_.predictions["test"]
    )


def test_every_field_of_the_plan_is_in_the_cache_key(tmp_path):
    import dataclasses

    from sklearn_difficulty._cache import MemberCache
    from sklearn_difficulty.recorders import MemberPlan, get_recorder
    from sklearn_difficulty.stages import check_record_every

    X, y = data()
    plan = MemberPlan(
        X=X, y=y, fit_params={}, scored=(X,), names=("train",), targets=(y,),
        classes=np.array([0, 1]), sample_shape=(3,), n_epochs=2,
    )  # fmt: skip
    others = {
        "X": X + 1, "y": 1 - y, "fit_params": {"sample_weight": np.ones(60)},
        "scored": (X[::-1],), "names": ("other",), "targets": (1 - y,),
        "classes": np.array([1, 2]), "sample_shape": (4,), "n_epochs": 3,
        "step": 2, "schedule": check_record_every(5), "n_draw": 10,
        "bootstrap": True, "record_initial": False,
        "options": ("an", "option"), "outputs": ("margin",),
        "output_dtype": np.dtype(np.float16),
    }  # fmt: skip
    assert set(others) == {field.name for field in dataclasses.fields(MemberPlan)}
    cache, recorder = MemberCache(tmp_path), get_recorder("final")
    estimator = DecisionTreeClassifier()
    (key,) = cache.keys(recorder, estimator, plan, [7])
    for name, value in others.items():
        changed = dataclasses.replace(plan, **{name: value})
        assert cache.keys(recorder, estimator, changed, [7]) != [key], name
    assert cache.keys(recorder, estimator, plan, [7]) == [key]


RUN = """
import sys
sys.path.insert(0, {tests!r})
import numpy as np
from conftest import SlowCountingClassifier
from sklearn_difficulty import EnsembleDifficulty
rng = np.random.RandomState(0)
X = rng.rand(60, 3)
y = (X[:, 1] > 0.5).astype(int)
EnsembleDifficulty(
    SlowCountingClassifier(log={log!r}, sleep={sleep}),
    n_estimators=6, max_samples=0.8, random_state=0, memory={memory!r}, n_jobs=1,
).fit(X, y)
"""


def test_a_killed_run_resumes_and_matches_an_uninterrupted_one(tmp_path):
    log, cache = str(tmp_path / "fits.log"), str(tmp_path / "cache")
    script = RUN.format(tests=str(TESTS), log=log, sleep=0.4, memory=cache)
    process = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 120
    while fits(log) < 3 and time.time() < deadline:  # some members are done
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done_before = fits(log)
    assert 3 <= done_before < 6

    X, y = data()
    resumed = EnsembleDifficulty(
        SlowCountingClassifier(log=log, sleep=0.4),
        n_estimators=6,
        max_samples=0.8,
        random_state=0,
        memory=cache,
    ).fit(X, y)
    refitted = fits(log) - done_before
    assert refitted <= 6 - done_before + 1  # at most the member being killed again
    uninterrupted = EnsembleDifficulty(
        SlowCountingClassifier(), n_estimators=6, max_samples=0.8, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(
        resumed.record_.predictions["train"], uninterrupted.record_.predictions["train"]
    )
    np.testing.assert_array_equal(resumed.record_.in_bag, uninterrupted.record_.in_bag)


def failing(**kwargs):
    return EnsembleDifficulty(
        SlowCountingClassifier(fail_every=2),
        n_estimators=8,
        max_samples=0.8,
        random_state=0,
        **kwargs,
    )


def test_failing_members_raise_by_default():
    X, y = data()
    with pytest.raises(RuntimeError, match="breaks"):
        failing().fit(X, y)


def test_failing_members_are_dropped_and_recorded():
    X, y = data()
    with pytest.warns(MemberFailedWarning, match="failed and is dropped"):
        ed = failing(on_error="drop").fit(X, y)
    seeds = np.random.RandomState(0).randint(2**31 - 1, size=8)
    # the seed a member's estimator gets comes from its member seed's stream
    states = [
        MemberStreams.from_seed(s).random_state("estimator").randint(2**31 - 1) % 2 == 0
        for s in seeds
    ]
    assert [f["member"] for f in ed.failed_members_] == list(np.flatnonzero(states))
    assert all(
        "RuntimeError: member with seed" in f["error"] for f in ed.failed_members_
    )
    n_ok = 8 - len(ed.failed_members_)
    assert 0 < len(ed.failed_members_) < 8
    assert ed.record_.n_members == len(ed.estimators_) == n_ok
    np.testing.assert_array_equal(ed.record_.seeds, seeds[~np.array(states)])
    # scores are those of the finished members alone
    kept = EnsembleDifficulty(
        SlowCountingClassifier(), n_estimators=8, max_samples=0.8, random_state=0
    ).fit(X, y)
    np.testing.assert_array_equal(
        ed.record_.predictions["train"],
        kept.record_.predictions["train"][~np.array(states)],
    )
    with (
        pytest.warns(MemberFailedWarning),
        pytest.raises(ValueError, match="min_members"),
    ):
        failing(on_error="drop", min_members=8).fit(X, y)


def test_a_nan_loss_is_a_failure(iris):
    pytest.importorskip("torch", reason="the torch extra is not installed")
    from sklearn_difficulty.datasets import load_digits_images
    from sklearn_difficulty.nets import SkorchCNN

    X, y = load_digits_images(return_X_y=True)
    net = SkorchCNN("mnist", max_epochs=3, lr=1e12, batch_size=50)
    with pytest.raises(FloatingPointError, match="training loss became nan"):
        EnsembleDifficulty(net, n_estimators=1).fit(X[:200], y[:200])
    with pytest.warns(MemberFailedWarning, match="FloatingPointError"):
        with pytest.raises(ValueError, match="only 0 of 2 members finished"):
            EnsembleDifficulty(net, n_estimators=2, on_error="drop").fit(
                X[:200], y[:200]
            )


def test_record_in_memory_mapped_files(tmp_path):
    X, y = data(200)
    ed = EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=3),
        n_estimators=5,
        max_samples=0.7,
        random_state=0,
        record_folder=tmp_path / "record",
    ).fit(X, y, eval_set={"test": data(50, seed=1)})
    assert isinstance(ed.record_.predictions["train"], np.memmap)
    in_memory = EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=3),
        n_estimators=5,
        max_samples=0.7,
        random_state=0,
    ).fit(X, y, eval_set={"test": data(50, seed=1)})
    np.testing.assert_array_equal(ed.consistency_, in_memory.consistency_)
    loaded = PredictionRecord.load(tmp_path / "record")
    np.testing.assert_array_equal(
        loaded.predictions["test"], in_memory.record_.predictions["test"]
    )


def test_scoring_a_memory_mapped_record_does_not_copy_it(tmp_path):
    rng = np.random.RandomState(0)
    shape = (40, 20, 20_000)  # 16 MB of uint8
    path = tmp_path / "predictions_0.npy"
    predictions = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.uint8, shape=shape
    )
    for member in range(shape[0]):
        predictions[member] = rng.randint(0, 10, shape[1:])
    predictions.flush()
    record = PredictionRecord(
        predictions={"train": np.load(path, mmap_mode="r")},
        targets={"train": rng.randint(0, 10, shape[2])},
        classes=np.arange(10),
        stages=np.arange(shape[1]),
    )
    size = predictions.nbytes
    outputs = 2 * shape[1] * shape[2] * 8  # consistency and consensus, float64
    tracemalloc.start()
    scores = consistency(record), consensus(record), member_accuracy(record)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # temporaries stay a few MB, whatever the record's size: a copy of the
    # record alone (16 MB as uint8, 128 MB as integers) would break this
    assert peak - outputs < size / 2, (peak, size)
    assert scores[0].shape == (20, 20_000)


def test_members_on_a_dask_cluster_match_the_local_run():
    distributed = pytest.importorskip("distributed", reason="dask is not installed")
    import joblib

    X, y = data(120)
    local = EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=3),
        n_estimators=4,
        max_samples=0.7,
        random_state=3,
    ).fit(X, y)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster):
        with joblib.parallel_config(backend="dask"):
            remote = EnsembleDifficulty(
                DecisionTreeClassifier(max_depth=3),
                n_estimators=4,
                max_samples=0.7,
                random_state=3,
            ).fit(X, y)
    np.testing.assert_array_equal(
        remote.record_.predictions["train"], local.record_.predictions["train"]
    )
