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
from collections.abc import Sequence
from dataclasses import dataclass, field
from inspect import Parameter, signature
from typing import Any, ClassVar, NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.naive_bayes import _BaseNB
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _check_method_params, _num_samples

from ._data import n_samples, take
from ._random import MemberStreams, draw_training_indices, seed_estimator

__all__ = [
    "RECORDERS",
    "FinalRecorder",
    "MemberPlan",
    "MemberRecord",
    "PartialFitRecorder",
    "Recorder",
    "StagedPredictRecorder",
    "get_recorder",
    "register_recorder",
    "resolve_recorder",
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
    """

    estimator: Any
    stages: np.ndarray
    predictions: list
    indices: np.ndarray | None


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

    def encode(self, set_index: int, labels) -> np.ndarray:
        """Class indices of a member's predicted ``labels`` on one scored set."""
        try:
            return encode_labels(labels, self.classes, self.label_dtype)
        except ValueError as error:
            error.add_note(f"(recording the scored set {self.names[set_index]!r})")
            raise

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
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    uses_codes: ClassVar[bool] = False
    records_initial: ClassVar[bool] = False

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
        stages, predictions = self.train(estimator, X, y, fit_params, plan, streams)
        return MemberRecord(estimator, np.asarray(stages), predictions, indices)

    def train(self, estimator, X, y, fit_params, plan: MemberPlan, streams):
        """Fit one member; return its stages and predictions on each scored set."""
        raise NotImplementedError


# The core recorders -----------------------------------------------------------


def _predict_all(estimator, plan: MemberPlan) -> list[np.ndarray]:
    return [
        plan.encode(index, estimator.predict(X)) for index, X in enumerate(plan.scored)
    ]


def _stack(stages: list, kept: list) -> tuple[np.ndarray, list[np.ndarray]]:
    return np.asarray(stages), [np.stack(labels) for labels in kept]


class StagedPredictRecorder(Recorder):
    """One stage per boosting round, read from ``staged_predict`` after fitting."""

    name = "staged_predict"
    kind = "round"

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
        stages, kept = [], [[] for _ in plan.scored]
        for set_index, X_scored in enumerate(plan.scored):
            last = None
            for stage, labels in enumerate(estimator.staged_predict(X_scored), 1):
                if stage % plan.step == 0:
                    kept[set_index].append(plan.encode(set_index, labels))
                    if set_index == 0:
                        stages.append(stage)
                last = stage, labels
            if last is None:
                raise ValueError(
                    f"{type(estimator).__name__}.staged_predict yielded no stage."
                )
            if last[0] % plan.step:  # the last round is always kept
                kept[set_index].append(plan.encode(set_index, last[1]))
                if set_index == 0:
                    stages.append(last[0])
        return _stack(stages, kept)


class PartialFitRecorder(Recorder):
    """One stage per epoch: one ``partial_fit`` call over the member's data.

    Each member draws its own order of the examples every epoch (its
    "order" stream). scikit-learn's estimators create their weights in
    their first ``partial_fit`` call and cannot predict before it, so the
    first recorded stage is epoch 1: there is no stage 0.
    """

    name = "partial_fit"
    kind = "epoch"

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
        stages, kept = [], [[] for _ in plan.scored]
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
                stages.append(epoch)
                for labels, predicted in zip(
                    kept, _predict_all(estimator, plan), strict=True
                ):
                    labels.append(predicted)
        return _stack(stages, kept)


class FinalRecorder(Recorder):
    """The fitted model alone: one stage, labelled 1."""

    name = "final"
    kind = "final"

    def accepts(self, estimator) -> bool:
        return True

    def n_stages(self, estimator, plan):
        return 1

    def train(self, estimator, X, y, fit_params, plan, streams):
        estimator.fit(X, y, **fit_params)
        predicted = _predict_all(estimator, plan)
        return np.array([1]), [labels[np.newaxis] for labels in predicted]


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
