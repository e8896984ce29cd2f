"""The recorder contract: its hooks, typed values, and where recorder names live."""

import ast
import dataclasses
from pathlib import Path

import numpy as np
import pytest
from conftest import SpyClassifier
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty._random import MemberStreams
from sklearn_difficulty.recorders import (
    RECORDERS,
    MemberData,
    MemberPlan,
    MemberTraining,
    Recorder,
    RecorderSettings,
    StageStore,
    check_fit_parameters,
    record_member,
    register_recorder,
)

PACKAGE = Path(__file__).parent.parent / "sklearn_difficulty"


def toy_data(n=40):
    X = np.random.RandomState(0).rand(n, 3)
    return X, (X[:, 0] > 0.5).astype(int)


@dataclasses.dataclass(frozen=True)
class Repeats:
    times: int


class RepeatingRecorder(Recorder):
    """Fits once, records the fitted model ``options.times`` times."""

    name = "repeating"
    kind = "round"

    def settings(self, estimator, *, n_epochs):
        return RecorderSettings(options=Repeats(times=3))

    def train(self, estimator, X, y, fit_params, plan, streams):
        estimator.fit(X, y)
        store = StageStore(plan)
        for stage in range(1, plan.options.times + 1):
            store.stages.append(stage)
            for index, scored in enumerate(plan.scored):
                store.add(index, plan.encode(index, estimator.predict(scored)))
        return store.result()


@pytest.fixture
def repeating():
    register_recorder(RepeatingRecorder())
    yield
    RECORDERS.pop("repeating")


def test_a_recorders_typed_options_reach_every_member(repeating):
    X, y = toy_data()
    ed = EnsembleDifficulty(
        DecisionTreeClassifier(), n_estimators=2, stage_method="repeating",
        max_samples=0.7, random_state=0,
    ).fit(X, y)  # fmt: skip
    np.testing.assert_array_equal(ed.stages_, [1, 2, 3])


def test_train_gives_a_named_result():
    X, y = toy_data()
    plan = MemberPlan(
        X=X, y=y, fit_params={}, scored=(X,), names=("train",), targets=(y,),
        classes=np.array([0, 1]), options=Repeats(times=2),
    )  # fmt: skip
    trained = RepeatingRecorder().train(
        DecisionTreeClassifier(), X, y, {}, plan, streams=None
    )
    assert isinstance(trained, MemberTraining)
    np.testing.assert_array_equal(trained.stages, [1, 2])
    assert trained.predictions[0].shape == (2, 40) and dict(trained.outputs) == {}
    member = record_member(RepeatingRecorder(), DecisionTreeClassifier(), plan, 5)
    assert member.indices is None and member.predictions[0].dtype == np.uint8
    subset = dataclasses.replace(plan, n_draw=10)
    data = subset.training_data(MemberStreams.from_seed(5))
    assert isinstance(data, MemberData)
    assert data.X.shape == (10, 3) and np.array_equal(data.y, y[data.indices])


def test_a_plain_tuple_from_train_still_works():
    """Recorders written for sklearn-difficulty 0.2 return (stages, predictions)."""

    class Old(RepeatingRecorder):
        def train(self, estimator, X, y, fit_params, plan, streams):
            return tuple(super().train(estimator, X, y, fit_params, plan, streams))[:2]

    X, y = toy_data()
    plan = MemberPlan(
        X=X, y=y, fit_params={}, scored=(X,), names=("train",), targets=(y,),
        classes=np.array([0, 1]), options=Repeats(times=2),
    )  # fmt: skip
    member = record_member(Old(), DecisionTreeClassifier(), plan, 5)
    np.testing.assert_array_equal(member.stages, [1, 2])
    assert dict(member.outputs) == {}


def test_the_default_check_refuses_outputs_and_unknown_fit_parameters():
    recorder = RepeatingRecorder()
    with pytest.raises(ValueError, match="'repeating' records labels only"):
        recorder.check(DecisionTreeClassifier(), fit_params={}, outputs=("proba",))
    with pytest.raises(TypeError, match="fit takes no parameter 'colour'"):
        recorder.check(DecisionTreeClassifier(), fit_params={"colour": 1}, outputs=())
    check_fit_parameters(SpyClassifier(), "fit", {"sample_weight": 1, "row_info": 2})
    check_fit_parameters(SpyClassifier(), "partial_fit", {"sample_weight": 1})
    with pytest.raises(ValueError, match="KNeighborsClassifier.fit does not take"):
        check_fit_parameters(KNeighborsClassifier(), "fit", {"sample_weight": 1})
    with pytest.raises(TypeError, match="partial_fit takes no parameter 'row_info'"):
        check_fit_parameters(SpyClassifier(), "partial_fit", {"row_info": 2})


class StagedOnly(ClassifierMixin, BaseEstimator):
    """Boosting rounds without staged probabilities or scores."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def staged_predict(self, X):
        yield self.predict(X)


def test_the_core_recorders_check_what_they_read():
    X, y = toy_data()
    with pytest.raises(ValueError, match="needs an estimator with a staged_predict"):
        EnsembleDifficulty(LogisticRegression(), stage_method="staged_predict").fit(
            X, y
        )
    with pytest.raises(ValueError, match="SVC has no predict_proba"):
        EnsembleDifficulty(SVC(), record_outputs=["proba"], max_samples=0.5).fit(X, y)
    with pytest.raises(ValueError, match="StagedOnly has no staged_predict_proba"):
        EnsembleDifficulty(StagedOnly(), record_outputs=["proba"]).fit(X, y)
    with pytest.raises(ValueError, match="neither staged_decision_function nor"):
        EnsembleDifficulty(StagedOnly(), record_outputs=["margin"]).fit(X, y)


# Where recorder names may appear -------------------------------------------------


def _string_constants(tree: ast.AST):
    """String constants of a module that are not docstrings."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ):
            body = node.body
            if body and isinstance(body[0], ast.Expr):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node


def test_no_recorder_name_is_compared_outside_the_recorders():
    """Recorder names live with their recorders, never in ``if name == ...``."""
    import sklearn_difficulty.nets  # noqa: F401  # registers the networks' recorders

    names = set(RECORDERS)
    assert {"staged_predict", "partial_fit", "final", "skorch", "vectorised"} <= names
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "recorders":
            continue
        source = path.read_text()
        tree = ast.parse(source)
        defined = {  # the names of the recorders this module defines
            node.value.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "name" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        }
        for node in _string_constants(tree):
            if node.value in names - defined:
                offenders.append(f"{relative}:{node.lineno}: {node.value!r}")
    assert offenders == []


def test_the_declared_plugins_load_and_are_the_registered_recorders():
    """The package's entry points name recorders that exist where they point."""
    import importlib.metadata

    from sklearn_difficulty.recorders import ENTRY_POINT_GROUP

    points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    assert {point.name for point in points} == {"skorch", "vectorised"}
    for point in points:
        recorder_class = point.load()
        assert issubclass(recorder_class, Recorder)
        assert isinstance(RECORDERS[recorder_class.name], recorder_class)


def test_no_module_reaches_into_another_modules_private_names():
    """Private helpers stay in their module: shared ones get public names.

    No module imports a ``_name`` from another module of the package (a
    private module of its own package may be imported whole), and none calls
    ``obj._method(...)`` on a method that another module defines (the
    recorders reach their estimators through public methods).
    """
    trees = {path: ast.parse(path.read_text()) for path in PACKAGE.rglob("*.py")}
    private = {}  # private function, class or method name -> defining modules
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and (
                node.name.startswith("_") and not node.name.startswith("__")
            ):
                private.setdefault(node.name, set()).add(path)
    offenders = []
    for path, tree in trees.items():
        where = path.relative_to(PACKAGE)
        for node in ast.walk(tree):
            ours = isinstance(node, ast.ImportFrom) and (
                node.level > 0 or (node.module or "").startswith("sklearn_difficulty")
            )
            if ours:
                module_dir = path.parent
                for alias in node.names:
                    name = alias.name
                    is_module = (module_dir / f"{name}.py").exists() or (
                        module_dir / name
                    ).is_dir()
                    if name.startswith("_") and not name.startswith("__"):
                        if not is_module:
                            offenders.append(f"{where}:{node.lineno} imports {name}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name, owner = node.func.attr, node.func.value
                if not name.startswith("_") or name.startswith("__"):
                    continue
                if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                    continue
                if isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == (
                    "super"
                ):
                    continue
                if private.get(name, {path}) - {path} and path not in private[name]:
                    offenders.append(f"{where}:{node.lineno} calls .{name}()")
    assert offenders == []
