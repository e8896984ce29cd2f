"""Recorders: every way of training members and recording their stages.

A *recorder* trains members of an ensemble and records, at every stage of
their training (a boosting round, an epoch, or the fitted model alone), the
class each member predicts for every example of every scored set. Each way
of recording is one :class:`Recorder` subclass, registered by name in one
registry; ``EnsembleDifficulty(stage_method=...)`` names one of them, or
``"auto"`` lets the registry choose.

The core recorders are ``staged_predict``, ``partial_fit`` and ``final``.
:mod:`sklearn_difficulty.nets` registers ``skorch`` and ``vectorised`` (this
module never imports it: it is loaded through the package's
``sklearn_difficulty.recorders`` entry points when an estimator that is not
scikit-learn's own needs a recorder, or on ``import sklearn_difficulty.nets``).
A third-party package can register its own recorder the same way.

The contract, in the manner of skorch's ``Callback``:

- :attr:`Recorder.name`, :attr:`Recorder.kind` ("round", "epoch" or
  "final") and :attr:`Recorder.uses_codes` (whether members learn class
  indices 0..n_classes-1, as networks do, or the labels themselves);
- :meth:`Recorder.accepts`: whether ``"auto"`` picks it for an estimator;
- :meth:`Recorder.n_stages`: how many stages a member will record;
- :meth:`Recorder.record`: train a group of members (one seed each) and
  return one :class:`MemberRecord` per member, or the exception that member
  failed with.

Everything else a member goes through (seeding, subsets, caching, failures,
progress, record assembly) is shared, in :mod:`sklearn_difficulty._members`.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from inspect import Parameter, signature
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

import numpy as np
from scipy.special import softmax
from sklearn.base import clone
from sklearn.naive_bayes import _BaseNB
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _check_method_params, _num_samples

from ._data import n_samples, take
from ._random import MemberStreams, draw_training_indices, seed_estimator
from .record import OUTPUTS

__all__ = [
    "RECORDERS",
    "FinalRecorder",
    "MemberPlan",
    "MemberRecord",
    "PartialFitRecorder",
    "Recorder",
    "StageStore",
    "StagedPredictRecorder",
    "get_recorder",
    "register_recorder",
    "resolve_recorder",
    "true_class_outputs",
]

DEFAULT_EPOCHS = 10
ENTRY_POINT_GROUP = "sklearn_difficulty.recorders"


class MemberRecord(NamedTuple):
    """What one member gives back: itself, its stages and its predictions.

    Attributes
    ----------
    estimator : estimator
        The fitted member.
    stages : ndarray of shape (n_stages,)
        The stages it recorded, in increasing order (0 is the untrained
        member, before the first epoch).
    predictions : list of ndarray of shape (n_stages, n_samples)
        Its predicted class indices on each scored set, in the record's
        dtype.
    indices : ndarray or None
        The training examples it was given (None for all of them).
    outputs : mapping of str to list of ndarray of shape (n_stages, n_samples)
        The outputs the plan asked for (``MemberPlan.outputs``), by kind, one
        array per scored set, in the plan's ``output_dtype``; empty for
        labels only.
    """

    estimator: Any
    stages: np.ndarray
    predictions: list
    indices: np.ndarray | None
    outputs: Mapping[str, list] = MappingProxyType({})


@dataclass(frozen=True)
class MemberPlan:
    """What every member of one fit trains on and records (the same for all).

    Attributes
    ----------
    X, y : data
        The training data, as the members take it, and the labels they learn
        (class indices for recorders with ``uses_codes``).
    fit_params : dict
        Other parameters of the members' ``fit`` (or ``partial_fit``).
    scored : list
        The sets to record, the training set first.
    names : list of str
        Their names ("train", then the evaluation sets).
    classes : ndarray
        The labels members learn, in the order of the class indices.
    label_dtype : numpy dtype
        The dtype of the recorded class indices (the smallest that holds them).
    n_epochs : int or None
        Epochs to train, for epoch recorders; None keeps the network's own.
    step : int
        Keep every ``step``-th stage (and always the last).
    n_draw : int or None
        Training examples per member; None for all of them.
    bootstrap : bool
        Draw them with replacement.
    record_initial : bool
        Record the untrained members as stage 0 (epoch recorders that can).
    options : dict
        Settings of one recorder that the ensemble decided once (for
        instance whether a skorch network keeps its validation split).
    targets : list of ndarray
        The true class index of every example of each scored set (what the
        outputs are measured against).
    outputs : tuple of str
        What to record beyond the labels (see
        :data:`~sklearn_difficulty.record.OUTPUTS`); empty for labels only.
    output_dtype : numpy dtype
        The dtype of the recorded outputs (float16 or float32).
    """

    X: Any
    y: Any
    fit_params: dict
    scored: list
    names: list
    classes: np.ndarray
    label_dtype: np.dtype
    n_epochs: int | None
    step: int
    n_draw: int | None
    bootstrap: bool
    record_initial: bool = True
    options: dict = field(default_factory=dict)
    targets: list = field(default_factory=list)
    outputs: tuple = ()
    output_dtype: np.dtype = field(default_factory=lambda: np.dtype(np.float32))

    def encode(self, set_index: int, labels) -> np.ndarray:
        """Class indices of a member's predicted ``labels`` on one scored set."""
        try:
            return encode_labels(labels, self.classes, self.label_dtype)
        except ValueError as error:
            error.add_note(f"(recording the scored set {self.names[set_index]!r})")
            raise

    def true_class_outputs(self, set_index: int, *, proba=None, scores=None) -> dict:
        """The outputs this plan records, of one member at one stage on one set.

        See :func:`true_class_outputs`; ``proba`` and ``scores`` have one
        column per class of the plan.
        """
        return true_class_outputs(
            self.outputs,
            self.targets[set_index],
            proba=proba,
            scores=scores,
            dtype=self.output_dtype,
        )

    def is_kept(self, stage: int, last: int) -> bool:
        """Whether a stage is recorded: stage 0, every ``step``-th, and the last."""
        return stage == 0 or stage % self.step == 0 or stage == last

    def member_indices(self, streams: MemberStreams) -> np.ndarray | None:
        """The training examples of one member (its "subset" stream); None: all."""
        return draw_training_indices(
            streams.random_state("subset"), n_samples(self.X), self.n_draw,
            self.bootstrap,
        )  # fmt: skip

    def training_data(self, streams: MemberStreams):
        """One member's training data: its subset of X, y and fit_params."""
        indices = self.member_indices(streams)
        if indices is None:
            return self.X, self.y, self.fit_params, None
        return (
            take(self.X, indices),
            _safe_indexing(self.y, indices),
            _check_method_params(self.y, self.fit_params, indices),
            indices,
        )


class Recorder:
    """How members of one kind are trained and recorded: one subclass each.

    Subclasses set the class attributes and implement :meth:`train` (one
    member at a time) or override :meth:`record` (a group of members at
    once); the rest has defaults.

    Attributes
    ----------
    name : str
        What ``stage_method`` calls it.
    kind : {"round", "epoch", "final"}
        What a stage is.
    uses_codes : bool
        Members learn class indices 0..n_classes-1 instead of the labels.
    records_initial : bool
        It can record the untrained members as stage 0.
    records_outputs : bool
        It can record outputs beyond the labels (``record_outputs``); a
        recorder that cannot may return ``(stages, predictions)`` alone from
        :meth:`train`.
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    uses_codes: ClassVar[bool] = False
    records_initial: ClassVar[bool] = False
    records_outputs: ClassVar[bool] = False

    def accepts(self, estimator) -> bool:
        """Whether ``stage_method="auto"`` picks this recorder for ``estimator``."""
        return False

    def check(self, estimator) -> None:
        """Raise a ValueError when this recorder cannot record ``estimator``."""

    def n_epochs(self, estimator, n_epochs) -> int | None:
        """The epochs each member trains, from ``EnsembleDifficulty.n_epochs``."""
        return None

    def n_stages(self, estimator, plan: MemberPlan) -> int | None:
        """How many stages each member records (stage 0 included), if known."""
        return None

    def check_fit_params(self, estimator, fit_params: dict) -> None:
        """Raise a TypeError for fit parameters the members cannot take."""
        _check_accepted(estimator, "fit", fit_params)

    def options(self, estimator) -> dict:
        """Decisions made once, from the user's own estimator (see MemberPlan)."""
        return {}

    def group_size(self, estimator, plan: MemberPlan, n_members: int) -> int:
        """How many members one job trains together (and caches when done)."""
        return 1

    def place(self, estimator, group: int):
        """The estimator for the ``group``-th job (a device of its own, say).

        Called in the process that runs the job; returns a copy when it
        changes anything, never the caller's estimator changed.
        """
        return estimator

    def cache_token(self, estimator):
        """What identifies the members' training, for the per-member cache."""
        return estimator

    def record(
        self, estimator, plan: MemberPlan, seeds: Sequence[int]
    ) -> list[MemberRecord | Exception]:
        """Train one member per seed; a failed member gives its exception."""
        results: list[MemberRecord | Exception] = []
        for seed in seeds:
            try:
                results.append(self.record_member(clone(estimator), plan, seed))
            except Exception as error:  # the ensemble decides what a failure does
                results.append(error)
        return results

    def record_member(self, estimator, plan: MemberPlan, seed: int) -> MemberRecord:
        """Seed, subset, train and record one member."""
        streams = MemberStreams.from_seed(seed)
        seed_estimator(estimator, streams.random_state("estimator"))
        X, y, fit_params, indices = plan.training_data(streams)
        trained = self.train(estimator, X, y, fit_params, plan, streams)
        stages, predictions = trained[0], trained[1]
        outputs = trained[2] if len(trained) > 2 else {}
        missing = sorted(set(plan.outputs) - set(outputs))
        if missing:
            raise ValueError(
                f"the recorder {self.name!r} recorded no {', '.join(missing)} output."
            )
        return MemberRecord(
            estimator, np.asarray(stages), predictions, indices, outputs
        )

    def train(self, estimator, X, y, fit_params, plan: MemberPlan, streams):
        """Fit one member; return its stages, labels and outputs on each scored set.

        Returns
        -------
        stages : ndarray of shape (n_stages,)
        predictions : list of ndarray of shape (n_stages, n_samples)
            One per scored set.
        outputs : dict of str to list of ndarray of shape (n_stages, n_samples)
            The plan's outputs, by kind, one per scored set (see
            :class:`StageStore`, which builds all three).
        """
        raise NotImplementedError

    def check_outputs(self, estimator, outputs: Sequence[str]) -> None:
        """Raise a ValueError when members cannot give the ``outputs`` asked for.

        A recorder without :attr:`records_outputs` refuses any. The core
        recorders read probabilities from ``predict_proba`` (or
        ``staged_predict_proba``) and margins from ``decision_function`` (or
        ``staged_decision_function``), else from the log-probabilities.
        """
        if outputs and not self.records_outputs:
            raise ValueError(
                f"the recorder {self.name!r} records labels only; record_outputs="
                f"{tuple(outputs)} needs a recorder that records outputs."
            )
        staged = self.kind == "round"
        proba, decision = (
            ("staged_predict_proba", "staged_decision_function")
            if staged
            else ("predict_proba", "decision_function")
        )
        name = type(estimator).__name__
        for kind in outputs:
            if kind in ("proba", "error_norm") and not hasattr(estimator, proba):
                raise ValueError(
                    f"record_outputs asks for {kind!r}, which needs class "
                    f"probabilities, but {name} has no {proba}; record 'margin' "
                    "only, or give a member with probabilities (an SVC wrapped "
                    "in CalibratedClassifierCV, say)."
                )
            if kind == "margin" and not (
                hasattr(estimator, decision) or hasattr(estimator, proba)
            ):
                raise ValueError(
                    f"record_outputs asks for 'margin', which needs class scores, "
                    f"but {name} has neither {decision} nor {proba}."
                )


class StageStore:
    """A member's recorded stages: labels and outputs per scored set.

    Recorders add one stage at a time and return :meth:`result` from
    :meth:`Recorder.train`.
    """

    def __init__(self, plan: MemberPlan):
        self.plan = plan
        self.stages: list[int] = []
        self.labels: list[list[np.ndarray]] = [[] for _ in plan.scored]
        self.outputs: dict[str, list[list[np.ndarray]]] = {
            kind: [[] for _ in plan.scored] for kind in plan.outputs
        }

    def add(self, set_index: int, labels, outputs: Mapping | None = None) -> None:
        """One stage of one scored set: encoded labels, and the outputs asked for."""
        self.labels[set_index].append(labels)
        for kind, lists in self.outputs.items():
            lists[set_index].append((outputs or {})[kind])

    def result(self) -> tuple[np.ndarray, list[np.ndarray], dict[str, list]]:
        """``(stages, predictions, outputs)``, as :meth:`Recorder.train` returns."""
        return (
            np.asarray(self.stages),
            [np.stack(labels) for labels in self.labels],
            {
                kind: [np.stack(values) for values in lists]
                for kind, lists in self.outputs.items()
            },
        )


# The core recorders -----------------------------------------------------------


def _record_stage(store: StageStore, estimator, plan: MemberPlan) -> None:
    """Predict every scored set with a fitted member; add the stage's outputs."""
    for index, X in enumerate(plan.scored):
        outputs = None
        if plan.outputs:
            proba, scores = _member_scores(
                estimator, X, plan, "predict_proba", "decision_function"
            )
            outputs = plan.true_class_outputs(index, proba=proba, scores=scores)
        store.add(index, plan.encode(index, estimator.predict(X)), outputs)


def _member_scores(estimator, X, plan: MemberPlan, proba_method, decision_method):
    """A member's probabilities and class scores, as the plan's outputs need them.

    Either is a value, or an iterator of values per stage for the staged
    methods; None when not needed or not available.
    """
    wants_proba = bool({"proba", "error_norm"} & set(plan.outputs))
    decision = None
    if "margin" in plan.outputs and hasattr(estimator, decision_method):
        decision = getattr(estimator, decision_method)(X)
    if wants_proba or ("margin" in plan.outputs and decision is None):
        proba = getattr(estimator, proba_method)(X)
    else:
        proba = None
    columns = encode_labels(estimator.classes_, plan.classes, np.intp)
    n_classes = len(plan.classes)

    def widen(values, fill):
        if values is None:
            return None
        if isinstance(values, np.ndarray):
            return class_columns(values, columns, n_classes, fill)
        return (class_columns(v, columns, n_classes, fill) for v in values)

    return widen(proba, 0.0), widen(decision, -np.inf)


class StagedPredictRecorder(Recorder):
    """One stage per boosting round, read from ``staged_predict`` after fitting."""

    name = "staged_predict"
    kind = "round"
    records_outputs = True

    def accepts(self, estimator) -> bool:
        return hasattr(estimator, "staged_predict")

    def check(self, estimator) -> None:
        _require_method(estimator, "staged_predict")

    def n_stages(self, estimator, plan):
        return getattr(estimator, "n_estimators", None) or getattr(
            estimator, "max_iter", None
        )

    def train(self, estimator, X, y, fit_params, plan, streams):
        estimator.fit(X, y, **fit_params)
        store = StageStore(plan)
        for set_index, X_scored in enumerate(plan.scored):
            proba, scores = _member_scores(
                estimator,
                X_scored,
                plan,
                "staged_predict_proba",
                "staged_decision_function",
            ) if plan.outputs else (None, None)  # fmt: skip
            last = None
            for stage, labels in enumerate(estimator.staged_predict(X_scored), 1):
                stage_proba = None if proba is None else next(proba)
                stage_scores = None if scores is None else next(scores)
                last = stage, labels, stage_proba, stage_scores
                if stage % plan.step == 0:
                    self._add(store, plan, set_index, *last)
            if last is None:
                raise ValueError(
                    f"{type(estimator).__name__}.staged_predict yielded no stage."
                )
            if last[0] % plan.step:  # the last round is always kept
                self._add(store, plan, set_index, *last)
        return store.result()

    @staticmethod
    def _add(store, plan, set_index, stage, labels, proba, scores) -> None:
        outputs = None
        if plan.outputs:
            outputs = plan.true_class_outputs(set_index, proba=proba, scores=scores)
        store.add(set_index, plan.encode(set_index, labels), outputs)
        if set_index == 0:
            store.stages.append(stage)


class PartialFitRecorder(Recorder):
    """One stage per epoch: one ``partial_fit`` call over the member's data.

    Each member draws its own order of the examples every epoch (its
    "order" stream). scikit-learn's estimators create their weights in
    their first ``partial_fit`` call and cannot predict before it, so the
    first recorded stage is epoch 1: there is no stage 0.
    """

    name = "partial_fit"
    kind = "epoch"
    records_outputs = True

    def accepts(self, estimator) -> bool:
        # Naive Bayes would count the same statistics again in every epoch.
        return hasattr(estimator, "partial_fit") and not isinstance(estimator, _BaseNB)

    def check(self, estimator) -> None:
        _require_method(estimator, "partial_fit")

    def n_epochs(self, estimator, n_epochs) -> int:
        if n_epochs != "auto":
            return int(n_epochs)
        max_iter = estimator.get_params().get("max_iter")
        if isinstance(max_iter, int | np.integer) and max_iter > 0:
            return int(max_iter)
        return DEFAULT_EPOCHS

    def n_stages(self, estimator, plan):
        return plan.n_epochs

    def check_fit_params(self, estimator, fit_params):
        _check_accepted(estimator, "partial_fit", fit_params)

    def train(self, estimator, X, y, fit_params, plan, streams):
        order_state = streams.random_state("order")
        n_samples = _num_samples(X)
        store = StageStore(plan)
        for epoch in range(1, plan.n_epochs + 1):
            order = order_state.permutation(n_samples)
            estimator.partial_fit(
                _safe_indexing(X, order),
                _safe_indexing(y, order),
                classes=plan.classes,
                **_check_method_params(X, fit_params, order),
            )
            loss = getattr(estimator, "loss_", None)
            if loss is not None and not np.isfinite(loss):
                raise FloatingPointError(
                    f"the training loss of {type(estimator).__name__} became {loss} "
                    f"at epoch {epoch}."
                )
            if plan.is_kept(epoch, plan.n_epochs):
                store.stages.append(epoch)
                _record_stage(store, estimator, plan)
        return store.result()


class FinalRecorder(Recorder):
    """The fitted model alone: one stage, labelled 1."""

    name = "final"
    kind = "final"
    records_outputs = True

    def accepts(self, estimator) -> bool:
        return True

    def n_stages(self, estimator, plan):
        return 1

    def train(self, estimator, X, y, fit_params, plan, streams):
        estimator.fit(X, y, **fit_params)
        store = StageStore(plan)
        store.stages.append(1)
        _record_stage(store, estimator, plan)
        return store.result()


# The registry -----------------------------------------------------------------

RECORDERS: dict[str, Recorder] = {}
"""The registered recorders by name, in the order ``"auto"`` asks them."""

_PLUGINS_LOADED = False


def register_recorder(recorder: Recorder, *, before: str | None = None) -> Recorder:
    """Register a recorder under its name (again: replace it).

    ``before`` puts it ahead of another recorder in the order in which
    ``stage_method="auto"`` asks them (plugins for a kind of estimator that
    a core recorder would also accept go before it).
    """
    if not isinstance(recorder, Recorder):
        raise TypeError(f"a recorder must be a Recorder; got {recorder!r}.")
    RECORDERS.pop(recorder.name, None)
    items = list(RECORDERS.items())
    position = next(
        (i for i, (name, _) in enumerate(items) if name == before), len(items)
    )
    items.insert(position, (recorder.name, recorder))
    RECORDERS.clear()
    RECORDERS.update(items)
    return recorder


for _recorder in (StagedPredictRecorder(), PartialFitRecorder(), FinalRecorder()):
    register_recorder(_recorder)


def load_plugins() -> None:
    """Import the recorders other packages declare (once per process).

    Packages declare them as entry points of the group
    ``sklearn_difficulty.recorders``; one whose dependencies are missing is
    skipped (its recorders cannot be needed without them).
    """
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry_point.load()
        except ImportError as error:
            if _missing_dependency(error):
                continue
            raise
        except Exception as error:
            raise RuntimeError(
                f"the recorder plugin {entry_point.name!r} ({entry_point.value}) "
                f"failed to load: {error}"
            ) from error


def _missing_dependency(error: BaseException | None) -> bool:
    """Whether an import failed for a package that is not installed (not a bug)."""
    while error is not None:
        if isinstance(error, ModuleNotFoundError):
            return (error.name or "").split(".")[0] != __name__.split(".")[0]
        error = error.__cause__
    return False


def _from_scikit_learn(estimator) -> bool:
    return type(estimator).__module__.split(".")[0] == "sklearn"


def get_recorder(name: str) -> Recorder:
    """The registered recorder called ``name``."""
    if name not in RECORDERS:
        load_plugins()
    if name not in RECORDERS:
        raise ValueError(
            f"stage_method={name!r} names no registered recorder: the "
            f"'stage_method' parameter must be 'auto' or one of {sorted(RECORDERS)}. "
            "The networks' recorders (skorch, vectorised) need the torch extra: "
            'pip install "sklearn-difficulty[torch]".'
        )
    return RECORDERS[name]


def resolve_recorder(estimator, stage_method: str = "auto") -> Recorder:
    """The recorder for ``estimator``: the one named, or the first that accepts it.

    Examples
    --------
    >>> from sklearn.ensemble import AdaBoostClassifier
    >>> from sklearn.svm import SVC
    >>> from sklearn_difficulty.recorders import resolve_recorder
    >>> resolve_recorder(AdaBoostClassifier()).name, resolve_recorder(SVC()).name
    ('staged_predict', 'final')
    """
    if stage_method != "auto":
        recorder = get_recorder(stage_method)
        recorder.check(estimator)
        return recorder
    if not _from_scikit_learn(estimator):
        load_plugins()  # a network's recorder must be asked before partial_fit
    recorder = next(r for r in RECORDERS.values() if r.accepts(estimator))
    recorder.check(estimator)
    return recorder


# Helpers ------------------------------------------------------------------------


def _require_method(estimator, method: str) -> None:
    if not hasattr(estimator, method):
        raise ValueError(
            f"stage_method={method!r} needs an estimator with a {method} method; "
            f"{type(estimator).__name__} has none."
        )


def _check_accepted(estimator, method: str, fit_params: dict) -> None:
    """A clear error, before any member trains, for parameters ``method`` lacks."""
    if not fit_params or not hasattr(estimator, method):
        return
    parameters = signature(getattr(estimator, method)).parameters
    if any(p.kind is Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = sorted(set(fit_params) - set(parameters))
    if unknown:
        raise TypeError(
            f"{type(estimator).__name__}.{method} takes no parameter "
            f"{', '.join(map(repr, unknown))}; it takes "
            f"{sorted(set(parameters) - {'X', 'y', 'self'})}."
        )


def encode_labels(labels, classes: np.ndarray, dtype) -> np.ndarray:
    """Class indices of ``labels``; an error if a label is not in ``classes``."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "iu" and _are_indices(classes):
        # Labels 0..n_classes-1 are their own indices: only check the range.
        if labels.size and (labels.min() < 0 or labels.max() >= classes.size):
            unknown = (labels < 0) | (labels >= classes.size)
            _raise_unknown(labels[unknown])
        return labels.astype(dtype, copy=False)
    codes = np.searchsorted(classes, labels)
    codes = np.clip(codes, 0, classes.size - 1)
    unknown = classes[codes] != labels
    if np.any(unknown):
        _raise_unknown(labels[unknown])
    return codes.astype(dtype, copy=False)


def _are_indices(classes: np.ndarray) -> bool:
    return (
        classes.dtype.kind in "iu"
        and classes[0] == 0
        and classes[-1] == classes.size - 1  # sorted and unique, so 0..K-1
    )


def _raise_unknown(labels: np.ndarray):
    raise ValueError(
        "a member predicted labels never seen in training: "
        f"{np.unique(labels)[:10].tolist()}."
    )


# Outputs beyond the labels ------------------------------------------------------


def class_columns(values, columns: np.ndarray, n_classes: int, fill: float):
    """A member's per-class values on the columns of all the ensemble's classes.

    ``values`` has one column per class the member knows (``columns`` are
    their indices among the ``n_classes``); a class it never saw (a subset
    without it) gets ``fill``. A binary ``decision_function`` (one value,
    positive for the second class) becomes the scores ``(0, value)``, so
    that the margin of the second class is the value and that of the first
    its opposite.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = np.column_stack([np.zeros_like(values), values])
    if values.shape[1] != columns.size:
        raise ValueError(
            f"a member gave {values.shape[1]} values per example for its "
            f"{columns.size} classes."
        )
    if columns.size == n_classes and np.array_equal(columns, np.arange(n_classes)):
        return values
    full = np.full((values.shape[0], n_classes), fill)
    full[:, columns] = values
    return full


def true_class_outputs(
    kinds: Sequence[str], targets, *, proba=None, scores=None, dtype=np.float32
) -> dict[str, np.ndarray]:
    """Outputs measured against the true class, one value per example.

    Parameters
    ----------
    kinds : sequence of {"proba", "margin", "error_norm"}
        What to compute.
    targets : array-like of shape (n_samples,)
        True class indices.
    proba : ndarray of shape (n_samples, n_classes), default=None
        Class probabilities. None with ``scores``: their softmax (what a
        network's logits give).
    scores : ndarray of shape (n_samples, n_classes), default=None
        Class scores: a network's logits or a ``decision_function``. None:
        the margin comes from the log-probabilities (which differ from a
        softmax's logits by a constant per example, so the margin is the
        same).
    dtype : numpy dtype, default=float32

    Returns
    -------
    outputs : dict of str to ndarray of shape (n_samples,)
        "proba": ``p[y]``; "margin": ``s[y] - max_{k != y} s[k]``;
        "error_norm": ``||p - onehot(y)||_2``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.recorders import true_class_outputs
    >>> proba = np.array([[0.7, 0.2, 0.1], [0.5, 0.25, 0.25]])
    >>> out = true_class_outputs(
    ...     ["proba", "error_norm"], [0, 2], proba=proba, dtype=np.float64)
    >>> np.round(out["proba"], 4).tolist(), np.round(out["error_norm"], 4).tolist()
    ([0.7, 0.25], [0.3742, 0.9354])
    >>> logits = np.array([[2.0, 0.5, -1.0]])
    >>> true_class_outputs(["margin"], [1], scores=logits)["margin"].tolist()
    [-1.5]
    """
    if not kinds:
        return {}
    targets = np.asarray(targets, dtype=np.intp)
    rows = np.arange(targets.size)
    if scores is not None:
        scores = np.asarray(scores, dtype=np.float64)
        if proba is None and {"proba", "error_norm"} & set(kinds):
            proba = softmax(scores, axis=1)
    if proba is not None:
        proba = np.asarray(proba, dtype=np.float64)
    result = {}
    for kind in kinds:
        if kind in ("proba", "error_norm") and proba is None:
            raise ValueError(f"the output {kind!r} needs class probabilities.")
        if kind == "proba":
            values = proba[rows, targets]
        elif kind == "error_norm":
            error = proba.copy()
            error[rows, targets] -= 1.0
            values = np.sqrt(np.einsum("ij,ij->i", error, error))
        elif kind == "margin":
            if scores is None:
                if proba is None:
                    raise ValueError("the output 'margin' needs class scores.")
                # A probability of 0 counts as the smallest positive double.
                base = np.log(np.maximum(proba, np.finfo(np.float64).tiny))
            else:
                base = scores
            other = base.copy()
            other[rows, targets] = -np.inf
            values = base[rows, targets] - other.max(axis=1)
        else:
            raise ValueError(f"unknown output {kind!r}; the outputs are {OUTPUTS}.")
        result[kind] = values.astype(dtype)
    return result
