"""The recorder contract: a base class with a few hooks, and its typed values.

A :class:`Recorder` trains members and records, at every stage of their
training, what each predicts for every example of every scored set. The
ensemble asks it, in this order (as skorch asks a ``Callback``):

==================  ===========================================================
hook                when, and what for
==================  ===========================================================
``accepts``         ``stage_method="auto"``: does it record this estimator?
``check``           before anything trains: can it record this estimator, with
                    these fit parameters and these outputs? (a clear error)
``settings``        once, in the parent, from the user's own estimator: the
                    epochs to train and the recorder's own typed options
``n_stages``        the stages a member will record (for the progress bar)
``group_size``      how many members one job trains together (default 1)
``place``           the estimator of one job (a device of its own, say)
``cache_token``     what identifies the members' training in the cache key
``record``          train a group of members, one seed each; by default one at
                    a time through ``train``
``train``           fit one member and record its stages
``save_member``     a finished member as bytes, for the per-member cache (in
                    the job that trained it; raise to leave it out of the cache)
``load_member``     a cached member rebuilt from those bytes, which may come
                    from someone else: never unpickle them (raise to train the
                    member again)
==================  ===========================================================

:class:`MemberPlan` is what all members of one fit share; ``train`` gives a
:class:`MemberTraining` and ``record`` one :class:`MemberRecord` (or the
exception it failed with) per member. Everything else a member goes through
(seeding, subsets, the per-member cache, failures, progress, assembling the
record) is the ensemble's, the same for every recorder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _check_method_params

from .._inputs import n_samples, take
from .._random import MemberStreams, draw_training_indices, seed_estimator
from ..record import label_dtype
from ..stages import StepSchedule
from ._checks import check_fit_parameters
from ._outputs import encode_labels, true_class_outputs
from ._saving import dump_estimator, load_estimator

__all__ = [
    "MemberData",
    "MemberPlan",
    "MemberRecord",
    "MemberTraining",
    "Recorder",
    "RecorderSettings",
    "StageStore",
    "record_member",
]


class MemberTraining(NamedTuple):
    """What :meth:`Recorder.train` gives back for one member.

    Attributes
    ----------
    stages : array-like of int of shape (n_stages,)
        The stages it recorded, in increasing order (0 is the untrained
        member, before the first epoch).
    predictions : list of ndarray of shape (n_stages, n_samples)
        Its predicted class indices on each scored set (see
        :meth:`MemberPlan.encode`).
    outputs : mapping of str to list of ndarray of shape (n_stages, n_samples)
        The outputs the plan asked for (``MemberPlan.outputs``), by kind, one
        array per scored set; empty for labels only.
    steps : array-like of int of shape (n_stages,) or None
        The optimiser steps (training batches) taken before each stage;
        None where the recorder does not count them.
    epochs : array-like of float of shape (n_stages,) or None
        The epochs completed at each stage, as a fraction; None where
        unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.recorders import MemberTraining
    >>> training = MemberTraining(  # 2 stages, on one scored set of 3 examples
    ...     stages=[1, 2], predictions=[np.array([[0, 1, 1], [0, 1, 0]], np.uint8)])
    >>> training.predictions[0].shape, dict(training.outputs), training.steps
    ((2, 3), {}, None)
    """

    stages: Any
    predictions: list
    outputs: Mapping[str, list] = MappingProxyType({})
    steps: Any = None
    epochs: Any = None


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
    steps, epochs : ndarray of shape (n_stages,) or None
        Where each stage lies: optimiser steps, and epochs as a fraction
        (see :class:`MemberTraining`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_difficulty.recorders import FinalRecorder, MemberPlan
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> plan = MemberPlan(X, y, {}, scored=(X,), names=("train",), targets=(y,),
    ...                   classes=np.array([0, 1]))
    >>> member, = FinalRecorder().record(DecisionTreeClassifier(), plan, seeds=[0])
    >>> member.estimator, member.stages, member.indices
    (DecisionTreeClassifier(random_state=829067913), array([1]), None)
    >>> member.predictions[0]  # the class indices it predicts on "train"
    array([[0, 0, 1, 0, 1, 1]], dtype=uint8)
    """

    estimator: Any
    stages: np.ndarray
    predictions: list
    indices: np.ndarray | None
    outputs: Mapping[str, list] = MappingProxyType({})
    steps: np.ndarray | None = None
    epochs: np.ndarray | None = None


class MemberData(NamedTuple):
    """One member's training data: its subset of the plan's data.

    Attributes
    ----------
    X, y : data
        The examples and labels it trains on.
    fit_params : dict
        Its fit parameters (those of one value per example follow the subset).
    indices : ndarray or None
        Which training examples it got (None: all of them, in order).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.recorders import MemberData
    >>> X, y, weights = np.arange(6.0).reshape(-1, 1), np.arange(6) % 2, np.ones(6)
    >>> rows = np.array([0, 3, 4])
    >>> data = MemberData(X[rows], y[rows], {"sample_weight": weights[rows]}, rows)
    >>> X_member, y_member, fit_params, indices = data
    >>> y_member, indices
    (array([0, 1, 0]), array([0, 3, 4]))
    """

    X: Any
    y: Any
    fit_params: dict
    indices: np.ndarray | None


@dataclass(frozen=True)
class RecorderSettings:
    """What a recorder decides once, in the parent, from the user's estimator.

    Attributes
    ----------
    n_epochs : int or None
        Epochs each member trains, for epoch recorders; None keeps the
        network's own (or has no meaning, for boosting rounds and "final").
    options : object or None
        The recorder's own settings, as a frozen dataclass of its own (typed
        fields; for instance whether a skorch network keeps its validation
        split). They are part of the cache key.

    Examples
    --------
    >>> from sklearn.linear_model import Perceptron
    >>> from sklearn_difficulty.recorders import PartialFitRecorder
    >>> PartialFitRecorder().settings(Perceptron(max_iter=7), n_epochs="auto")
    RecorderSettings(n_epochs=7, options=None)
    """

    n_epochs: int | None = None
    options: Any = None


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
    scored : tuple
        The sets to record (as the members' ``predict`` takes them), the
        training set first.
    names : tuple of str
        Their names ("train", then the evaluation sets).
    targets : tuple of ndarray
        The true class index of every example of each scored set (what the
        outputs are measured against).
    classes : ndarray
        The labels members learn, in the order of the class indices.
    sample_shape : tuple of int
        The shape of one example (``(n_features,)``, or one image's).
    n_epochs : int or None
        Epochs to train, for epoch recorders; None keeps the network's own.
    step : int
        Keep every ``step``-th stage (and always the last).
    schedule : StepSchedule or None
        Record after optimiser steps instead of epochs
        (:class:`~sklearn_difficulty.stages.StepSchedule`, from
        ``record_every``), for recorders with ``records_steps``; None
        records after every (``step``-th) epoch.
    n_draw : int or None
        Training examples per member; None for all of them.
    bootstrap : bool
        Draw them with replacement.
    record_initial : bool
        Record the untrained members as stage 0 (epoch recorders that can).
    options : object or None
        The recorder's own settings (see :class:`RecorderSettings`).
    outputs : tuple of str
        What to record beyond the labels (see
        :data:`~sklearn_difficulty.record.OUTPUTS`); empty for labels only.
    output_dtype : numpy dtype
        The dtype of the recorded outputs (float16 or float32).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.recorders import MemberPlan
    >>> X, y = np.arange(4.0).reshape(-1, 1), np.array(["cat", "dog", "dog", "cat"])
    >>> plan = MemberPlan(X, y, {}, scored=(X,), names=("train",),
    ...                   targets=(np.array([0, 1, 1, 0]),),
    ...                   classes=np.array(["cat", "dog"]), step=2)
    >>> plan.encode(0, np.array(["dog", "dog", "cat", "cat"]))  # class indices
    array([1, 1, 0, 0], dtype=uint8)
    >>> [epoch for epoch in range(6) if plan.is_kept(epoch, last=5)]
    [0, 2, 4, 5]
    """

    X: Any
    y: Any
    fit_params: dict
    scored: tuple
    names: tuple
    targets: tuple
    classes: np.ndarray
    sample_shape: tuple = ()
    n_epochs: int | None = None
    step: int = 1
    schedule: StepSchedule | None = None
    n_draw: int | None = None
    bootstrap: bool = False
    record_initial: bool = True
    options: Any = None
    outputs: tuple = ()
    output_dtype: np.dtype = field(default_factory=lambda: np.dtype(np.float32))

    @property
    def label_dtype(self) -> np.dtype:
        """The dtype of the recorded class indices (the smallest that holds them)."""
        return label_dtype(len(self.classes))

    def encode(self, set_index: int, labels) -> np.ndarray:
        """Class indices of a member's predicted ``labels`` on one scored set."""
        try:
            return encode_labels(labels, self.classes, self.label_dtype)
        except ValueError as error:
            error.add_note(f"(recording the scored set {self.names[set_index]!r})")
            raise

    def true_class_outputs(
        self, set_index: int, *, proba=None, scores=None, known=None
    ) -> dict:
        """The outputs this plan records, of one member at one stage on one set.

        See :func:`~sklearn_difficulty.recorders.true_class_outputs`;
        ``proba`` and ``scores`` have one column per class of the plan,
        ``known`` are the classes the member knows (None: all of them); an
        example of a class it never saw gets NaN.
        """
        return true_class_outputs(
            self.outputs,
            self.targets[set_index],
            proba=proba,
            scores=scores,
            dtype=self.output_dtype,
            known=known,
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

    def training_data(self, streams: MemberStreams) -> MemberData:
        """One member's training data: its subset of X, y and fit_params."""
        indices = self.member_indices(streams)
        if indices is None:
            return MemberData(self.X, self.y, self.fit_params, None)
        return MemberData(
            take(self.X, indices),
            _safe_indexing(self.y, indices),
            _check_method_params(self.y, self.fit_params, indices),
            indices,
        )


class StageStore:
    """A member's recorded stages: labels and outputs per scored set.

    Recorders add one stage at a time and return :meth:`result` from
    :meth:`Recorder.train`: :meth:`begin` (or ``stages.append``) for the
    stage, then :meth:`add` for each scored set.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.recorders import MemberPlan, StageStore
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> plan = MemberPlan(X, y, {}, scored=(X,), names=("train",), targets=(y,),
    ...                   classes=np.array([0, 1]))
    >>> store = StageStore(plan)
    >>> for step, labels in [(0, [0, 0, 0, 0, 0, 0]), (3, [0, 0, 1, 0, 1, 1])]:
    ...     store.begin(step, step=step, epoch=step / 6)
    ...     store.add(0, plan.encode(0, np.array(labels)))
    >>> training = store.result()
    >>> training.stages, training.steps, training.epochs
    (array([0, 3]), array([0, 3]), array([0. , 0.5]))
    """

    def __init__(self, plan: MemberPlan):
        self.plan = plan
        self.stages: list[int] = []
        self.steps: list[int] = []
        self.epochs: list[float] = []
        self.labels: list[list[np.ndarray]] = [[] for _ in plan.scored]
        self.outputs: dict[str, list[list[np.ndarray]]] = {
            kind: [[] for _ in plan.scored] for kind in plan.outputs
        }

    def begin(self, stage: int, *, step: int, epoch: float) -> None:
        """A new stage: its label, and where it lies (optimiser step, epoch)."""
        self.stages.append(int(stage))
        self.steps.append(int(step))
        self.epochs.append(float(epoch))

    def add(self, set_index: int, labels, outputs: Mapping | None = None) -> None:
        """One stage of one scored set: encoded labels, and the outputs asked for."""
        self.labels[set_index].append(labels)
        for kind, lists in self.outputs.items():
            lists[set_index].append((outputs or {})[kind])

    def result(self) -> MemberTraining:
        """What :meth:`Recorder.train` returns: the stages, labels and outputs.

        The positions (steps, epochs) are given when every stage has one.
        """
        positioned = len(self.steps) == len(self.stages)
        return MemberTraining(
            np.asarray(self.stages),
            [np.stack(labels) for labels in self.labels],
            {
                kind: [np.stack(values) for values in lists]
                for kind, lists in self.outputs.items()
            },
            np.asarray(self.steps, dtype=np.int64) if positioned else None,
            np.asarray(self.epochs, dtype=np.float64) if positioned else None,
        )


class Recorder:
    """How members of one kind are trained and recorded: one subclass each.

    Subclasses set the class attributes and implement :meth:`train` (one
    member at a time) or override :meth:`record` (a group of members at
    once); every other hook has a default. See the module documentation for
    when each hook is called.

    Attributes
    ----------
    name : str
        What ``stage_method`` calls it.
    kind : {"round", "epoch", "final"}
        What a stage is (the record's ``stage_kind``).
    uses_codes : bool
        Members learn class indices 0..n_classes-1 instead of the labels
        (networks do); only such recorders read torch Datasets.
    records_steps : bool
        It records after optimiser steps when the plan has a ``schedule``
        (``record_every``); the stages are then labelled by their step.

    Examples
    --------
    A recorder of decision trees, one stage per depth:

    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_difficulty.recorders import MemberPlan, Recorder, StageStore
    >>> class DepthRecorder(Recorder):
    ...     name, kind = "depth", "round"
    ...     def train(self, estimator, X, y, fit_params, plan, streams):
    ...         store = StageStore(plan)
    ...         for depth in (1, 2, 3):
    ...             estimator.set_params(max_depth=depth).fit(X, y, **fit_params)
    ...             store.stages.append(depth)
    ...             for index, scored in enumerate(plan.scored):
    ...                 store.add(index, plan.encode(index, estimator.predict(scored)))
    ...         return store.result()
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> plan = MemberPlan(X, y, {}, scored=(X,), names=("train",), targets=(y,),
    ...                   classes=np.array([0, 1]))
    >>> member, = DepthRecorder().record(DecisionTreeClassifier(), plan, seeds=[0])
    >>> member.stages, member.predictions[0]
    (array([1, 2, 3]), array([[0, 0, 1, 1, 1, 1],
           [0, 0, 0, 0, 1, 1],
           [0, 0, 1, 0, 1, 1]], dtype=uint8))
    """

    name: ClassVar[str]
    kind: ClassVar[str]
    uses_codes: ClassVar[bool] = False
    records_steps: ClassVar[bool] = False

    def accepts(self, estimator) -> bool:
        """Whether ``stage_method="auto"`` picks this recorder for ``estimator``."""
        return False

    def check(self, estimator, *, fit_params: Mapping, outputs: Sequence[str]) -> None:
        """Raise a clear error, before any member trains, for what it cannot record.

        The default refuses outputs beyond the labels (a recorder that
        records them says so by overriding this) and checks that the
        members' ``fit`` takes the fit parameters
        (:func:`check_fit_parameters`).
        """
        if outputs:
            raise ValueError(
                f"the recorder {self.name!r} records labels only; record_outputs="
                f"{tuple(outputs)} needs a recorder that records outputs."
            )
        check_fit_parameters(estimator, "fit", fit_params)

    def settings(self, estimator, *, n_epochs) -> RecorderSettings:
        """The epochs to train (from ``EnsembleDifficulty.n_epochs``) and options."""
        return RecorderSettings()

    def n_stages(self, estimator, plan: MemberPlan) -> int | None:
        """How many stages each member records (stage 0 included), if known."""
        return None

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

    def save_member(self, estimator) -> bytes:
        """A fitted member as bytes, for the per-member cache; never a pickle.

        The default saves a scikit-learn estimator with :mod:`skops.io`. A
        member that cannot be saved safely (skops refuses it, or it holds a
        type that would not be trusted on loading) raises: it is then not
        cached, and the user is told once.
        """
        return dump_estimator(estimator)

    def load_member(self, template, plan: MemberPlan, seed: int, data: bytes):
        """The member that :meth:`save_member` saved, rebuilt from ``data``.

        ``template`` is the user's estimator, ``seed`` the member's. The bytes
        come from a cache folder, which may be someone else's: nothing in
        them may run. The default loads skops' format with an explicit list
        of trusted types (skops' own, classes of scikit-learn, numpy, scipy
        and this package, and the classes of ``template`` and of the
        estimators in it). Raise for an entry that cannot be trusted or read:
        the member is then trained again, and the user told.
        """
        return load_estimator(data, template)

    def record(
        self, estimator, plan: MemberPlan, seeds: Sequence[int]
    ) -> list[MemberRecord | Exception]:
        """Train one member per seed; a failed member gives its exception."""
        results: list[MemberRecord | Exception] = []
        for seed in seeds:
            try:
                results.append(record_member(self, clone(estimator), plan, seed))
            except Exception as error:  # the ensemble decides what a failure does
                results.append(error)
        return results

    def train(
        self, estimator, X, y, fit_params: dict, plan: MemberPlan, streams
    ) -> MemberTraining:
        """Fit one member on its data; record its stages on every scored set.

        ``streams`` are the member's :class:`~sklearn_difficulty._random.
        MemberStreams` (its "order" stream for the order of its examples,
        say); its estimator is already seeded and X, y, fit_params are its
        subset. :class:`StageStore` builds the result one stage at a time.
        """
        raise NotImplementedError


def record_member(
    recorder: Recorder, estimator, plan: MemberPlan, seed: int
) -> MemberRecord:
    """Seed, subset, train and record one member (the default of ``record``).

    A plain ``(stages, predictions[, outputs])`` tuple from ``train`` (what
    recorders of sklearn-difficulty 0.2 returned) is read as a
    :class:`MemberTraining`.

    Examples
    --------
    The same seed gives the same member (its subset, its own seed):

    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_difficulty.recorders import (
    ...     FinalRecorder, MemberPlan, record_member)
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> plan = MemberPlan(X, y, {}, scored=(X,), names=("train",), targets=(y,),
    ...                   classes=np.array([0, 1]), n_draw=4)
    >>> a, b = (record_member(FinalRecorder(), DecisionTreeClassifier(), plan, seed=7)
    ...         for _ in range(2))
    >>> a.indices, b.indices, a.estimator.random_state == b.estimator.random_state
    (array([0, 1, 4, 5]), array([0, 1, 4, 5]), True)
    """
    streams = MemberStreams.from_seed(seed)
    seed_estimator(estimator, streams.random_state("estimator"))
    data = plan.training_data(streams)
    trained = recorder.train(estimator, data.X, data.y, data.fit_params, plan, streams)
    if not isinstance(trained, MemberTraining):
        trained = MemberTraining(*trained)
    missing = sorted(set(plan.outputs) - set(trained.outputs))
    if missing:
        raise ValueError(
            f"the recorder {recorder.name!r} recorded no {', '.join(missing)} output."
        )
    return MemberRecord(
        estimator,
        np.asarray(trained.stages),
        trained.predictions,
        data.indices,
        trained.outputs,
        None if trained.steps is None else np.asarray(trained.steps, dtype=np.int64),
        None if trained.epochs is None else np.asarray(trained.epochs, dtype=float),
    )
