"""One contract for every recorder: registry, member independence, cache, dtype.

The promises tested here hold for every way of training members: a member's
training depends on its own seed alone (not on the group it trains in, the
number of members, ``member_chunk``, ``n_jobs`` or the backend), each of its
random streams (initial weights, batch order, dropout masks) is its own,
the per-member cache resumes a killed run, and every recorder gives the
same record dtype.

Tolerance: on this CPU, members trained alone and in a group agree exactly
for the per-member recorders; the vectorised trainer runs a member's
convolutions batched with others, which may round differently, so its
predictions may differ on at most 1% of (stage, example) pairs and its
losses by a relative 1e-4.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import AdaBoostClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.recorders import (
    RECORDERS,
    Recorder,
    get_recorder,
    register_recorder,
    resolve_recorder,
)

PACKAGE = Path(__file__).parent.parent / "sklearn_difficulty"
# The top layers (the command line, runs and what they name, plots) may use nets;
# so may the default scorer's choice of member (selection.py), lazily, falling
# back to scikit-learn without torch (tests/test_label_cleaning_defaults.py).
TOP = {"nets", "cli.py", "runs", "runs.py", "registries.py", "plotting", "plotting.py"}
TOP |= {"selection.py"}
CORE = [
    path
    for path in PACKAGE.rglob("*.py")
    if path.relative_to(PACKAGE).parts[0] not in TOP
]


def test_the_core_never_imports_nets():
    pattern = re.compile(
        r"^\s*(from\s+(\.+|sklearn_difficulty\.)nets"
        r"|import .*nets|from \.+ import nets)"
    )
    assert any(path.parts[-2] == "recorders" for path in CORE)
    offenders = [
        f"{path.relative_to(PACKAGE)}: {line.strip()}"
        for path in CORE
        for line in path.read_text().splitlines()
        if pattern.match(line)
    ]
    assert offenders == []


def test_registry_and_auto_choice():
    names = list(RECORDERS)
    assert {"staged_predict", "partial_fit", "final"} <= set(names)
    assert names[-1] == "final"  # accepts anything: asked last
    for plugin in {"skorch", "vectorised"} & set(names):  # asked before partial_fit
        assert names.index(plugin) < names.index("partial_fit")
    assert resolve_recorder(AdaBoostClassifier()).name == "staged_predict"
    assert resolve_recorder(SGDClassifier()).kind == "epoch"
    assert resolve_recorder(KNeighborsClassifier()).name == "final"
    with pytest.raises(ValueError, match="'stage_method' parameter"):
        get_recorder("epochs")
    with pytest.raises(TypeError, match="must be a Recorder"):
        register_recorder(object())


def test_a_users_own_recorder_plugs_in():
    class EveryOtherExample(Recorder):
        """A toy recorder: fits, then records the fitted model twice."""

        name = "twice"
        kind = "round"

        def train(self, estimator, X, y, fit_params, plan, streams):
            estimator.fit(X, y)
            labels = [
                plan.encode(i, estimator.predict(S)) for i, S in enumerate(plan.scored)
            ]
            return [1, 2], [np.stack([p, p]) for p in labels]

    register_recorder(EveryOtherExample())
    try:
        X = np.random.RandomState(0).rand(40, 3)
        y = (X[:, 0] > 0.5).astype(int)
        ed = EnsembleDifficulty(
            DecisionTreeClassifier(), n_estimators=3, stage_method="twice",
            max_samples=0.7, random_state=0,
        ).fit(X, y)  # fmt: skip
        assert ed.stage_method_ == "twice"
        np.testing.assert_array_equal(ed.stages_, [1, 2])
        np.testing.assert_array_equal(ed.consistency_[0], ed.consistency_[1])
    finally:
        RECORDERS.pop("twice")


# Members depend on their own seed alone -------------------------------------------


def member_predictions(ed, member):
    return {name: p[member] for name, p in ed.record_.predictions.items()}


def assert_same_member(a, b, *, tolerance=0.0):
    for name in a:
        differ = np.mean(a[name] != b[name])
        assert differ <= tolerance, f"{name}: {differ:.2%} of predictions differ"


def iris_like():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    order = np.random.RandomState(0).permutation(len(y))
    return X[order][:100], y[order][:100], X[order][100:], y[order][100:]


def test_partial_fit_members_depend_on_their_seed_alone():
    X, y, X_test, y_test = iris_like()

    def fit(n, n_jobs):
        return EnsembleDifficulty(
            MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05),
            n_estimators=n, n_epochs=4, max_samples=0.8, n_jobs=n_jobs,
            random_state=3,
        ).fit(X, y, eval_set={"test": (X_test, y_test)})  # fmt: skip

    alone, together, parallel = fit(1, 1), fit(3, 1), fit(3, 2)
    assert_same_member(member_predictions(alone, 0), member_predictions(together, 0))
    for k in range(3):
        assert_same_member(
            member_predictions(together, k), member_predictions(parallel, k)
        )
    assert not np.array_equal(
        together.record_.predictions["train"][0],
        together.record_.predictions["train"][1],
    )


def test_same_n_epochs_default_as_the_estimator():
    X, y, _, _ = iris_like()
    ed = EnsembleDifficulty(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=3), n_estimators=2,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    np.testing.assert_array_equal(ed.stages_, [1, 2, 3])
    ed.set_params(n_epochs=2).fit(X, y)
    np.testing.assert_array_equal(ed.stages_, [1, 2])


def test_fit_parameters_the_members_do_not_take_are_refused():
    X, y, _, _ = iris_like()
    ed = EnsembleDifficulty(SGDClassifier(), n_estimators=2, n_epochs=2)
    with pytest.raises(TypeError, match="partial_fit takes no parameter 'colour'"):
        ed.fit(X, y, colour=np.ones(len(y)))
    ed = EnsembleDifficulty(KNeighborsClassifier(), n_estimators=2, max_samples=0.5)
    with pytest.raises(TypeError, match="fit takes no parameter 'colour'"):
        ed.fit(X, y, colour=np.ones(len(y)))


def test_every_recorder_gives_the_same_dtype():
    X, y, _, _ = iris_like()
    dtypes = {
        EnsembleDifficulty(estimator, n_estimators=2, max_samples=0.8, n_epochs=2,
                           random_state=0).fit(X, y).record_.predictions["train"].dtype
        for estimator in (AdaBoostClassifier(n_estimators=3), SGDClassifier(),
                          KNeighborsClassifier())
    }  # fmt: skip
    assert dtypes == {np.dtype(np.uint8)}


# The per-member cache through the recorders -----------------------------------------


def test_cache_holds_each_member_and_ignores_ensemble_size(tmp_path):
    X, y, _, _ = iris_like()
    params = dict(n_epochs=3, max_samples=0.8, random_state=0, memory=tmp_path)
    first = EnsembleDifficulty(SGDClassifier(), n_estimators=3, **params).fit(X, y)
    files = list((tmp_path / "sklearn_difficulty_members").glob("*.npz"))
    assert len(files) == 3
    more = EnsembleDifficulty(SGDClassifier(), n_estimators=5, **params).fit(X, y)
    files = list((tmp_path / "sklearn_difficulty_members").glob("*.npz"))
    assert len(files) == 5
    np.testing.assert_array_equal(
        first.record_.predictions["train"], more.record_.predictions["train"][:3]
    )
    assert not list((tmp_path / "sklearn_difficulty_members").glob(".tmp-*"))
