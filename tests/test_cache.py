"""The per-member cache never unpickles, and never uses an entry that lies.

Each entry is an ``.npz`` file named ``<key>-<seed>`` read without pickles;
an entry planted, copied over another member's, truncated or holding an
untrusted type is not used: its member is trained again, with a warning
naming it. Members read back from the cache are those trained afresh.
"""

import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import SlowCountingClassifier
from sklearn.ensemble import AdaBoostClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.exceptions import MemberCacheWarning


def data(n=60, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 3)
    return X, (X[:, 1] > 0.5).astype(int)


def fits(log):
    return len(Path(log).read_text().split()) if Path(log).exists() else 0


def counting(log, memory=None, n_estimators=12, **kwargs):
    return EnsembleDifficulty(
        SlowCountingClassifier(log=str(log)),
        n_estimators=n_estimators,
        random_state=0,
        memory=memory,
        **kwargs,
    )


def entries(memory) -> dict[int, Path]:
    """Each member's entry in a cache folder, by seed (today's or an older one's)."""
    folder = Path(memory) / "sklearn_difficulty_members"
    found = {}
    for path in folder.iterdir():
        if path.suffix in (".npz", ".joblib"):
            found[int(path.stem.rsplit("-", 1)[1])] = path
    return found


def assert_same_record(a, b):
    for name in a.record_.predictions:
        np.testing.assert_array_equal(
            a.record_.predictions[name], b.record_.predictions[name]
        )
    np.testing.assert_array_equal(a.record_.stages, b.record_.stages)
    np.testing.assert_array_equal(a.record_.seeds, b.record_.seeds)


class Planted:
    """Unpickling it writes a marker file: what a planted entry would run."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').close()",))


def plant_pickle(path, marker):
    with open(path, "wb") as file:
        pickle.dump((Planted(marker),) * 5, file)


def plant_object_array(path, marker):
    with open(path, "wb") as file:  # np.savez pickles an object array
        np.savez(file, stages=np.array([Planted(marker)], dtype=object))


@pytest.mark.parametrize("plant", [plant_pickle, plant_object_array])
def test_a_planted_pickle_never_runs_and_its_member_is_trained_again(tmp_path, plant):
    X, y = data()
    log, memory, marker = tmp_path / "fits.log", tmp_path / "cache", tmp_path / "ran"
    first = counting(log, memory, n_estimators=4).fit(X, y)
    seed = int(first.record_.seeds[3])
    path = entries(memory)[seed]
    for target in {path, path.with_suffix(".joblib"), path.with_suffix(".npz")}:
        plant(target, marker)  # wherever today's cache or an older one looks
    with pytest.warns(MemberCacheWarning, match=f"member 3 \\(seed {seed}\\)"):
        try:
            again = counting(log, memory, n_estimators=4).fit(X, y)
        finally:
            assert not marker.exists(), "the planted entry ran"
    assert fits(log) == 4 + 1  # member 3 alone trained again
    assert_same_record(again, first)


def test_an_entry_copied_over_another_members_is_not_used(tmp_path):
    X, y = data()
    log, memory = tmp_path / "fits.log", tmp_path / "cache"
    first = counting(log, memory).fit(X, y)
    seeds = [int(s) for s in first.record_.seeds]
    found = entries(memory)
    shutil.copyfile(found[seeds[5]], found[seeds[11]])
    with pytest.warns(MemberCacheWarning, match="member 11 .*key") as caught:
        again = counting(log, memory).fit(X, y)
    assert str(found[seeds[11]]) in str(caught[0].message)
    assert fits(log) == 12 + 1
    fresh = counting(tmp_path / "other.log").fit(X, y)
    assert_same_record(again, fresh)
    np.testing.assert_array_equal(again.predict_proba(X), fresh.predict_proba(X))


def test_a_truncated_entry_is_trained_again_and_told(tmp_path):
    X, y = data()
    log, memory = tmp_path / "fits.log", tmp_path / "cache"
    first = counting(log, memory, n_estimators=4, max_samples=0.8).fit(X, y)
    path = entries(memory)[int(first.record_.seeds[2])]
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    with pytest.warns(MemberCacheWarning, match="member 2 .*cannot be read"):
        again = counting(log, memory, n_estimators=4, max_samples=0.8).fit(X, y)
    assert fits(log) == 4 + 1
    assert_same_record(again, first)


def test_an_entry_holding_an_untrusted_type_is_trained_again(tmp_path):
    import skops.io as sio

    X, y = data()
    log, memory = tmp_path / "fits.log", tmp_path / "cache"
    first = counting(log, memory, n_estimators=2).fit(X, y)
    planted = np.frombuffer(sio.dumps(Planted(tmp_path / "ran")), dtype=np.uint8)
    rewrite(
        entries(memory)[int(first.record_.seeds[1])], lambda a: a.update(member=planted)
    )
    with pytest.warns(MemberCacheWarning, match="member 1 .*not trusted.*Planted"):
        counting(log, memory, n_estimators=2).fit(X, y)
    assert not (tmp_path / "ran").exists()
    assert fits(log) == 2 + 1


def rewrite(path, change):
    with np.load(path, allow_pickle=False) as archive:
        arrays = dict(archive)
    change(arrays)
    with open(path, "wb") as file:
        np.savez(file, **arrays)


TAMPERINGS = {
    "another dtype": lambda a: a.update(predictions_0=a["predictions_0"] * 1.0),
    "another shape": lambda a: a.update(predictions_0=a["predictions_0"][:, :5]),
    "no stage": lambda a: a.update(stages=a["stages"][:0]),
    "an extra array": lambda a: a.update(extra=np.zeros(3)),
    "other examples": lambda a: a.update(indices=a["indices"][::-1]),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_an_entry_that_does_not_fit_the_plan_is_trained_again(tmp_path, tampering):
    X, y = data()
    log, memory = tmp_path / "fits.log", tmp_path / "cache"
    first = counting(log, memory, n_estimators=2, max_samples=0.8).fit(X, y)
    rewrite(entries(memory)[int(first.record_.seeds[0])], TAMPERINGS[tampering])
    with pytest.warns(MemberCacheWarning, match="member 0 .*is not used"):
        again = counting(log, memory, n_estimators=2, max_samples=0.8).fit(X, y)
    assert fits(log) == 2 + 1
    assert_same_record(again, first)


def double(X):
    return 2 * X


def test_a_member_skops_would_not_trust_is_not_cached_and_told_once(tmp_path):
    X, y = data()
    estimator = make_pipeline(FunctionTransformer(double), DecisionTreeClassifier())
    params = dict(n_estimators=3, max_samples=0.8, random_state=0)
    with pytest.warns(MemberCacheWarning, match="Pipeline members are not cached") as w:
        ed = EnsembleDifficulty(estimator, memory=tmp_path, **params).fit(X, y)
    assert len(w) == 1
    folder = tmp_path / "sklearn_difficulty_members"
    assert not folder.exists() or not any(folder.iterdir())
    fresh = EnsembleDifficulty(estimator, **params).fit(X, y)
    assert_same_record(ed, fresh)


SKLEARN_MEMBERS = {
    "partial_fit": lambda: MLPClassifier(hidden_layer_sizes=(4,), max_iter=3),
    "staged_predict": lambda: AdaBoostClassifier(n_estimators=3),
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kind", SKLEARN_MEMBERS)
def test_a_resumed_fit_is_an_uninterrupted_one(tmp_path, kind):
    X, y = data()
    X_test, y_test = data(20, seed=1)

    def fit(memory=None):
        return EnsembleDifficulty(
            SKLEARN_MEMBERS[kind](), n_estimators=4, max_samples=0.8,
            random_state=0, memory=memory, record_outputs=["proba"],
        ).fit(X, y, eval_set={"test": (X_test, y_test)})  # fmt: skip

    fit(tmp_path)
    found = entries(tmp_path)
    assert all(path.suffix == ".npz" for path in found.values())
    for path in found.values():  # nothing in an entry needs unpickling
        with np.load(path, allow_pickle=False) as archive:
            [archive[name] for name in archive.files]
    for path in list(found.values())[:2]:  # as if the run were killed
        path.unlink()
    resumed, fresh = fit(tmp_path), fit()
    assert (resumed.members_from_memory_, fresh.members_from_memory_) == (
        len(found) - 2,
        0,
    )
    assert_same_record(resumed, fresh)
    for name in fresh.record_.outputs:
        for kind_values, fresh_values in zip(
            resumed.record_.outputs[name].values(),
            fresh.record_.outputs[name].values(),
            strict=True,
        ):
            np.testing.assert_array_equal(kind_values, fresh_values)
    np.testing.assert_array_equal(resumed.predict_proba(X), fresh.predict_proba(X))
    written = {path: path.stat().st_mtime_ns for path in entries(tmp_path).values()}
    cached = fit(tmp_path)  # every member from the cache, none trained again
    assert {p: p.stat().st_mtime_ns for p in entries(tmp_path).values()} == written
    np.testing.assert_array_equal(cached.predict_proba(X), fresh.predict_proba(X))


try:
    import torch
except ImportError:  # the torch extra is not installed
    torch = None
else:

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = torch.nn.Linear(3, 8)
            self.out = torch.nn.Linear(8, 2)

        def forward(self, X):
            return self.out(torch.relu(self.hidden(X)))


def tiny_net():
    pytest.importorskip("skorch", reason="the torch extra is not installed")
    from skorch import NeuralNetClassifier

    return NeuralNetClassifier(
        Tiny, max_epochs=2, lr=0.1, batch_size=20,
        criterion=torch.nn.CrossEntropyLoss, verbose=0,
    )  # fmt: skip


def tiny_vectorised():
    pytest.importorskip("torch", reason="the torch extra is not installed")
    from sklearn_difficulty.nets import VectorisedCNN

    # one member a group: each trains alone, so a resumed fit matches exactly
    return VectorisedCNN(
        "mnist", max_epochs=1, batch_size=50, optimizer="sgd", member_chunk=1
    )


def tiny_skorch_cnn():
    """The package's own net: its module is built from the shapes fit learnt."""
    pytest.importorskip("skorch", reason="the torch extra is not installed")
    from sklearn_difficulty.nets import SkorchCNN

    return SkorchCNN("mnist", max_epochs=1, batch_size=50, verbose=0)


@pytest.mark.parametrize("make", [tiny_net, tiny_vectorised, tiny_skorch_cnn])
@pytest.mark.filterwarnings("error::sklearn_difficulty.MemberCacheWarning")
def test_a_resumed_network_fit_is_an_uninterrupted_one(tmp_path, make):
    if make is tiny_net:
        X, y = data()
        X = X.astype(np.float32)
    else:
        from sklearn_difficulty.datasets import load_digits_images

        X, y = load_digits_images(return_X_y=True)
        X, y = X[:150], y[:150]

    def fit(memory=None):
        return EnsembleDifficulty(
            make(), n_estimators=3, max_samples=0.8, random_state=0, memory=memory,
            record_outputs=["margin"],
        ).fit(X, y)  # fmt: skip

    fit(tmp_path)
    found = entries(tmp_path)
    assert len(found) == 3
    next(iter(found.values())).unlink()  # as if the run were killed
    resumed, fresh = fit(tmp_path), fit()
    assert_same_record(resumed, fresh)
    np.testing.assert_array_equal(
        resumed.record_.outputs["margin"]["train"],
        fresh.record_.outputs["margin"]["train"],
    )
    np.testing.assert_array_equal(resumed.predict_proba(X), fresh.predict_proba(X))
    written = {path: path.stat().st_mtime_ns for path in entries(tmp_path).values()}
    cached = fit(tmp_path)  # every member from the cache, none trained again
    assert {p: p.stat().st_mtime_ns for p in entries(tmp_path).values()} == written
    np.testing.assert_array_equal(cached.predict_proba(X), fresh.predict_proba(X))
    if make is tiny_net:
        assert [len(e.history) for e in cached.estimators_] == [2, 2, 2]
