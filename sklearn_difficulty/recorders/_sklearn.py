"""The core recorders: scikit-learn estimators by boosting round, epoch or once.

- ``staged_predict``: fit, then one stage per boosting round;
- ``partial_fit``: one stage per epoch, or after optimiser steps, from
  ``partial_fit`` calls over the member's data in an order of its own;
- ``final``: the fitted model alone.

Their outputs come from ``predict_proba`` and ``decision_function`` (the
staged ones for boosting rounds), through
:func:`~sklearn_difficulty.recorders.true_class_outputs`.

**One pass.** With outputs, a member's labels are read off the values the
outputs come from where its ``predict`` is their argmax, checked at its
first recorded stage: see :mod:`~sklearn_difficulty.recorders._one_pass`.

**A class a member never saw** (its ``max_samples`` subset lacked it): the
member has no probability or score for it, so it contributes no output for
the examples of that class, NaN in every output kind (never an infinity),
and the scores average over the members that have a value. A missing other
class changes nothing: the margin is measured against the largest score of
the classes the member knows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import count
from typing import ClassVar

import numpy as np
from sklearn.base import clone
from sklearn.naive_bayes import _BaseNB
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _check_method_params, _num_samples

from .._inputs import n_samples
from ._base import (
    MemberPlan,
    MemberTraining,
    Recorder,
    RecorderSettings,
    StageStore,
)
from ._checks import check_fit_parameters
from ._one_pass import LabelReader, StagedLabels
from ._outputs import NEEDS_PROBABILITIES, class_columns, encode_labels

__all__ = ["FinalRecorder", "PartialFitRecorder", "StagedPredictRecorder"]

DEFAULT_EPOCHS = 10


class _ScikitLearnRecorder(Recorder):
    """What the core recorders share: the methods they fit and read outputs from."""

    fit_method: ClassVar[str] = "fit"
    proba_method: ClassVar[str] = "predict_proba"
    decision_method: ClassVar[str] = "decision_function"
    required_method: ClassVar[str | None] = None

    def check(self, estimator, *, fit_params: Mapping, outputs: Sequence[str]) -> None:
        """The method it needs, the fit parameters, and the outputs' methods.

        Probabilities come from ``predict_proba`` (or
        ``staged_predict_proba``), margins from ``decision_function`` (or
        ``staged_decision_function``), else from the log-probabilities.
        """
        method = self.required_method
        if method is not None and not hasattr(estimator, method):
            raise ValueError(
                f"stage_method={method!r} needs an estimator with a {method} "
                f"method; {type(estimator).__name__} has none."
            )
        check_fit_parameters(estimator, self.fit_method, fit_params)
        proba, decision = self.proba_method, self.decision_method
        name = type(estimator).__name__
        for kind in outputs:
            if kind in NEEDS_PROBABILITIES and not hasattr(estimator, proba):
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

    def member_scores(self, estimator, X, plan: MemberPlan):
        """A member's probabilities and class scores, as the plan's outputs need.

        On the member's own columns (one per class of its ``classes_``): a
        value, or for the staged methods an iterator of values per stage;
        None when not needed (or, for the scores, not available: the margin
        then comes from the probabilities).
        """
        outputs = set(plan.outputs)
        decision = None
        if "margin" in outputs and hasattr(estimator, self.decision_method):
            decision = getattr(estimator, self.decision_method)(X)
        proba = None
        if NEEDS_PROBABILITIES & outputs or ("margin" in outputs and decision is None):
            proba = getattr(estimator, self.proba_method)(X)
        return proba, decision

    def record_stage(
        self,
        store: StageStore,
        estimator,
        plan: MemberPlan,
        reader: LabelReader | None = None,
    ) -> None:
        """Predict every scored set with a fitted member; add the stage's outputs.

        With outputs, the labels come from ``reader`` (one member's
        :class:`LabelReader`, kept from stage to stage): read off the
        values the outputs are computed from, or from ``predict``.
        """
        reader = LabelReader() if reader is None else reader
        for index, X in enumerate(plan.scored):
            if not plan.outputs:
                store.add(index, plan.encode(index, estimator.predict(X)))
                continue
            proba, decision = self.member_scores(estimator, X, plan)
            labels = reader.labels(
                index,
                decision if decision is not None else proba,
                estimator.classes_,
                lambda rows, X=X: estimator.predict(
                    X if rows is None else _safe_indexing(X, rows)
                ),
            )
            outputs = _stage_outputs(plan, index, estimator, proba, decision)
            store.add(index, plan.encode(index, labels), outputs)


class StagedPredictRecorder(_ScikitLearnRecorder):
    """One stage per boosting round, read from ``staged_predict`` after fitting.

    With outputs, the labels of a round are read off the staged values the
    outputs come from when they agree with ``staged_predict`` at the first
    recorded round (see the module's "One pass"): ``staged_predict`` then
    runs only up to that round (and once more over the rows of near ties).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import AdaBoostClassifier
    >>> from sklearn_difficulty.recorders import MemberPlan, StagedPredictRecorder
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> plan = MemberPlan(X, y, {}, scored=(X,), names=("train",), targets=(y,),
    ...                   classes=np.array([0, 1]))
    >>> members = StagedPredictRecorder().record(
    ...     AdaBoostClassifier(n_estimators=3), plan, seeds=[0, 1])
    >>> members[0].stages, members[0].predictions[0]  # one row per round
    (array([1, 2, 3]), array([[0, 0, 0, 0, 1, 1],
           [0, 0, 1, 1, 1, 1],
           [0, 0, 1, 0, 1, 1]], dtype=uint8))
    """

    name = "staged_predict"
    kind = "round"
    required_method = "staged_predict"
    proba_method = "staged_predict_proba"
    decision_method = "staged_decision_function"

    def accepts(self, estimator) -> bool:
        return hasattr(estimator, "staged_predict")

    def n_stages(self, estimator, plan):
        return getattr(estimator, "n_estimators", None) or getattr(
            estimator, "max_iter", None
        )

    def train(self, estimator, X, y, fit_params, plan, streams) -> MemberTraining:
        estimator.fit(X, y, **fit_params)
        store = StageStore(plan)
        reader = LabelReader()
        for set_index in range(len(plan.scored)):
            kept = self._record_set(estimator, plan, set_index, reader)
            for stage, labels, outputs in kept:
                store.add(set_index, plan.encode(set_index, labels), outputs)
                if set_index == 0:
                    store.stages.append(stage)
        return store.result()

    def _record_set(self, estimator, plan, set_index, reader) -> list:
        """``(round, labels, outputs)`` on one scored set: each ``step``-th, last."""
        X = plan.scored[set_index]
        staged = StagedLabels(estimator, X)
        kept = []
        last = None
        for last in self._rounds(estimator, X, plan, staged):
            if last[0] % plan.step == 0:
                kept.append(
                    self._read(estimator, plan, set_index, reader, staged, last)
                )
        if last is None:
            raise ValueError(
                f"{type(estimator).__name__}.staged_predict yielded no stage."
            )
        if last[0] % plan.step:  # the last round is always kept
            kept.append(self._read(estimator, plan, set_index, reader, staged, last))
        staged.fill_near_ties(kept)
        return kept

    def _rounds(self, estimator, X, plan, staged):
        """``(round, proba, decision)`` per round, from the methods the outputs need."""
        proba, decision = (
            self.member_scores(estimator, X, plan) if plan.outputs else (None, None)
        )
        if proba is None and decision is None:
            stage = 1
            while staged.at(stage) is not None:
                yield stage, None, None
                stage += 1
            return
        for stage in count(1):
            values = [None if v is None else next(v, None) for v in (proba, decision)]
            if all(v is None for v in values):
                return
            yield stage, *values

    @staticmethod
    def _read(estimator, plan, set_index, reader, staged, round_) -> tuple:
        stage, proba, decision = round_
        labels = reader.labels(
            set_index,
            decision if decision is not None else proba,
            estimator.classes_,
            lambda rows: (
                staged.at(stage) if rows is None else staged.later(stage, rows)
            ),
        )
        outputs = None
        if plan.outputs:
            outputs = _stage_outputs(plan, set_index, estimator, proba, decision)
        return stage, labels, outputs


def _stage_outputs(plan, set_index, estimator, proba, decision) -> dict:
    """The plan's outputs from a member's values on its own columns.

    Widened to the plan's classes (:func:`class_columns`): a class the
    member never saw (its subset lacked it) has probability 0 and score
    -inf, and an example of such a class gets NaN (the member has no value
    for it).
    """
    columns = encode_labels(estimator.classes_, plan.classes, np.intp)
    n_classes = len(plan.classes)
    return plan.true_class_outputs(
        set_index,
        proba=None if proba is None else class_columns(proba, columns, n_classes, 0.0),
        scores=None
        if decision is None
        else class_columns(decision, columns, n_classes, -np.inf),
        known=None if columns.size == n_classes else columns,
    )


class PartialFitRecorder(_ScikitLearnRecorder):
    """One stage per epoch, or per optimiser steps: ``partial_fit`` calls.

    Each member draws its own order of the examples every epoch (its
    "order" stream) and is fed the epoch in that order. scikit-learn's
    estimators create their weights in their first ``partial_fit`` call and
    cannot predict before it, so there is no stage 0.

    **Epochs** (``record_every="epoch"``, the default): one ``partial_fit``
    call per epoch; stage ``e`` is epoch ``e``, at step ``e *
    steps_per_epoch``.

    **Steps** (``record_every`` a number of steps or a schedule): each epoch
    is fed in consecutive chunks of the same order, one ``partial_fit``
    call from the current position up to the next step to record (or the
    end of the epoch: a chunk never spans two epochs); stages are labelled
    by their step. A *step* is one optimiser update
    (:meth:`examples_per_step`): ``batch_size`` examples for an estimator
    with a ``batch_size`` parameter (``MLPClassifier``, whose "auto" is
    ``min(200, n_samples)``; the last batch of an epoch holds what is left),
    else one example (``SGDClassifier``, ``Perceptron``,
    ``PassiveAggressiveClassifier``: they update their weights after every
    example). An epoch has ``ceil(n_samples / examples_per_step)`` steps,
    ``n_samples`` being the member's own training set (``max_samples``).
    Each recorded stage costs a ``partial_fit`` call of its own (scikit-learn
    checks its input at every call) and a pass over every scored set: for
    the SGD family, whose steps are single examples, record every few
    hundred steps or on the "log" schedule, not every few steps.

    **The members' own shuffling is switched off**, in both modes: every
    ``shuffle`` parameter of the member (nested ones included) is set to
    False, since the member's order is the recorder's. An estimator that
    shuffled inside each call (``MLPClassifier``, the SGD family) would
    shuffle a chunk otherwise than the whole epoch. (Records of such members
    therefore differ from sklearn-difficulty 0.2's for the same seed: the
    orders are drawn otherwise, from the same distribution.)

    **At the end of every epoch, a member recorded after steps is the member
    recorded after epochs** (the same seed), for

    - ``MLPClassifier`` with ``solver="adam"``, or ``solver="sgd"`` with
      ``learning_rate="constant"`` (the default): every call cuts its
      examples into batches of ``min(batch_size, n)`` in order, and the
      optimiser's state (Adam's moments and time step, the momentum) and
      ``t_`` carry over from call to call; exactly equal;
    - the SGD family without a penalty and without averaging
      (``Perceptron``, ``SGDClassifier(penalty=None)``,
      ``PassiveAggressiveClassifier``), any loss, ``class_weight`` and
      learning rate (the rate follows ``t_``, the examples seen so far;
      "adaptive" cannot lower it within one call): exactly equal.

    Not equal, since the estimator does something at the end of every call:

    - the SGD family with ``penalty="l2"`` (``SGDClassifier``'s default):
      equal up to rounding (the weights' scale is folded into the weights at
      the end of every call; about 1e-13 apart on the digits);
    - ``penalty="l1"`` or ``"elasticnet"``: the cumulative L1 penalty starts
      again at every call, so the chunks train another model;
    - ``average``: another model (what scikit-learn carries from one call to
      the next is not the whole state of the average, nor its intercepts);
    - ``MLPClassifier(solver="sgd")`` with ``learning_rate="invscaling"``
      (the rate is recomputed at the end of every call) or ``"adaptive"``
      (divided by 5 after ``n_iter_no_change`` calls without improvement);
      the MLP's ``loss_curve_`` has one entry per call, its ``loss_`` is the
      last chunk's;
    - naive Bayes models (``stage_method="partial_fit"`` asked for them):
      the same counts, up to rounding.

    Examples
    --------
    Two perceptrons, each recorded every 4 steps (4 examples) for 2 epochs:

    >>> import numpy as np
    >>> from sklearn.linear_model import Perceptron
    >>> from sklearn_difficulty.recorders import MemberPlan, PartialFitRecorder
    >>> from sklearn_difficulty.stages import StepSchedule
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> plan = MemberPlan(X, y, {}, scored=(X,), names=("train",), targets=(y,),
    ...                   classes=np.array([0, 1]),
    ...                   n_epochs=2, schedule=StepSchedule(4))
    >>> members = PartialFitRecorder().record(Perceptron(), plan, seeds=[0, 1])
    >>> members[0].stages, np.round(members[0].epochs, 2)
    (array([ 4,  8, 12]), array([0.67, 1.33, 2.  ]))
    >>> members[1].predictions[0]
    array([[0, 0, 0, 0, 0, 0],
           [0, 0, 1, 1, 1, 1],
           [0, 0, 0, 0, 1, 1]], dtype=uint8)
    """

    name = "partial_fit"
    kind = "epoch"
    required_method = "partial_fit"
    fit_method = "partial_fit"
    records_steps = True

    def accepts(self, estimator) -> bool:
        # Naive Bayes would count the same statistics again in every epoch.
        return hasattr(estimator, "partial_fit") and not isinstance(estimator, _BaseNB)

    def settings(self, estimator, *, n_epochs) -> RecorderSettings:
        if n_epochs != "auto":
            return RecorderSettings(n_epochs=int(n_epochs))
        max_iter = estimator.get_params().get("max_iter")
        if isinstance(max_iter, int | np.integer) and max_iter > 0:
            return RecorderSettings(n_epochs=int(max_iter))
        return RecorderSettings(n_epochs=DEFAULT_EPOCHS)

    def examples_per_step(self, estimator, n_samples: int) -> int | None:
        """The examples of one optimiser step of a member trained on ``n_samples``.

        ``batch_size`` for an estimator with a ``batch_size`` parameter (an
        int, at most ``n_samples``; "auto" is ``min(200, n_samples)``, as in
        scikit-learn's ``MLPClassifier``), else 1 (an SGD-family estimator
        updates its weights after every example). None when its batch size
        is something else, or belongs to an estimator it wraps: what a step
        is cannot then be told.

        Examples
        --------
        >>> from sklearn.linear_model import SGDClassifier
        >>> from sklearn.neural_network import MLPClassifier
        >>> from sklearn_difficulty.recorders import PartialFitRecorder
        >>> recorder = PartialFitRecorder()
        >>> recorder.examples_per_step(MLPClassifier(), 1000)
        200
        >>> recorder.examples_per_step(MLPClassifier(batch_size=32), 20)
        20
        >>> recorder.examples_per_step(SGDClassifier(), 1000)
        1
        """
        params = estimator.get_params(deep=True)
        if "batch_size" not in params:
            wrapped = any(name.endswith("__batch_size") for name in params)
            return None if wrapped else 1
        batch_size = params["batch_size"]
        if isinstance(batch_size, str) and batch_size == "auto":
            return min(200, n_samples)
        if isinstance(batch_size, int | np.integer) and not isinstance(
            batch_size, bool
        ):
            return max(1, min(int(batch_size), n_samples))
        return None

    def n_stages(self, estimator, plan):
        epochs = range(1, plan.n_epochs + 1)
        if plan.schedule is None:
            return sum(plan.is_kept(epoch, plan.n_epochs) for epoch in epochs)
        n_member = plan.n_draw if plan.n_draw is not None else n_samples(plan.X)
        per_step = self.examples_per_step(estimator, n_member)
        if per_step is None:
            return None
        return len(plan.schedule.steps(-(-n_member // per_step), plan.n_epochs))

    def cache_token(self, estimator):
        """The estimator as its members train: with its own shuffling off."""
        return _without_shuffling(clone(estimator))

    def train(self, estimator, X, y, fit_params, plan, streams) -> MemberTraining:
        _without_shuffling(estimator)
        n_member = _num_samples(X)
        per_step = self.examples_per_step(estimator, n_member)
        if per_step is None and plan.schedule is not None:
            raise ValueError(
                f"record_every={plan.schedule.every!r} records after optimiser "
                f"steps, but what a step of {type(estimator).__name__} is cannot "
                "be told (its batch_size is not 'auto' nor an int, or belongs to "
                "an estimator it wraps); use record_every='epoch'."
            )
        steps_per_epoch = -(-n_member // (per_step or n_member))
        recorded = _recorded_steps(plan, steps_per_epoch, plan.n_epochs)
        order_state = streams.random_state("order")
        store = StageStore(plan)
        reader = LabelReader()
        for epoch in range(1, plan.n_epochs + 1):
            order = order_state.permutation(n_member)
            first = (epoch - 1) * steps_per_epoch
            start = 0
            for step, kept in _epoch_chunks(recorded, first, steps_per_epoch):
                stop = min((step - first) * (per_step or n_member), n_member)
                self._feed(estimator, X, y, fit_params, order[start:stop], plan)
                _check_loss(estimator, epoch, None if plan.schedule is None else step)
                start = stop
                if not kept:
                    continue
                label = step if plan.schedule is not None else epoch
                if per_step is None:  # no positions for an unknown batch size
                    store.stages.append(label)
                else:
                    store.begin(label, step=step, epoch=step / steps_per_epoch)
                self.record_stage(store, estimator, plan, reader)
        return store.result()

    @staticmethod
    def _feed(estimator, X, y, fit_params, rows, plan) -> None:
        """One ``partial_fit`` call on ``rows``, in their order.

        A chunk shorter than the batch (the end of an epoch) is one batch:
        the member's ``batch_size`` is lowered for that call, as the member
        would clip it, without the warning that clipping gives.
        """
        batch_size = estimator.get_params(deep=False).get("batch_size")
        short = (
            isinstance(batch_size, int | np.integer)
            and not isinstance(batch_size, bool)
            and len(rows) < batch_size < _num_samples(X)
        )
        if short:
            estimator.set_params(batch_size=len(rows))
        try:
            estimator.partial_fit(
                _safe_indexing(X, rows),
                _safe_indexing(y, rows),
                classes=plan.classes,
                **_check_method_params(X, fit_params, rows),
            )
        finally:
            if short:
                estimator.set_params(batch_size=batch_size)


def _without_shuffling(estimator):
    """``estimator`` with every ``shuffle`` parameter (nested ones too) False."""
    off = {
        name: False
        for name, value in estimator.get_params(deep=True).items()
        if (name == "shuffle" or name.endswith("__shuffle")) and value is True
    }
    if off:
        estimator.set_params(**off)
    return estimator


def _recorded_steps(
    plan: MemberPlan, steps_per_epoch: int, n_epochs: int
) -> np.ndarray:
    """The steps after which a member is recorded, over its ``n_epochs`` epochs."""
    if plan.schedule is not None:
        return plan.schedule.steps(steps_per_epoch, n_epochs)
    kept = [e for e in range(1, n_epochs + 1) if plan.is_kept(e, n_epochs)]
    return np.asarray(kept, dtype=np.int64) * steps_per_epoch


def _epoch_chunks(recorded, first: int, steps_per_epoch: int) -> list:
    """Where the ``partial_fit`` calls of the epoch after step ``first`` end.

    ``(step, recorded)`` pairs: at each recorded step of the epoch, and at
    its end (a chunk never spans two epochs).
    """
    last = first + steps_per_epoch
    ends = [(int(s), True) for s in recorded[(recorded > first) & (recorded <= last)]]
    return ends if ends and ends[-1][0] == last else [*ends, (last, False)]


def _check_loss(estimator, epoch: int, step: int | None) -> None:
    """A clear error when the member's training loss is no longer finite."""
    loss = getattr(estimator, "loss_", None)
    if loss is not None and not np.isfinite(loss):
        where = (
            f"at epoch {epoch}" if step is None else f"at step {step} (epoch {epoch})"
        )
        raise FloatingPointError(
            f"the training loss of {type(estimator).__name__} became {loss} {where}."
        )


class FinalRecorder(_ScikitLearnRecorder):
    """The fitted model alone: one stage, labelled 1.

    Examples
    --------
    Two trees, each trained on 4 examples of its own:

    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_difficulty.recorders import FinalRecorder, MemberPlan
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> plan = MemberPlan(X, y, {}, scored=(X,), names=("train",), targets=(y,),
    ...                   classes=np.array([0, 1]), n_draw=4)
    >>> members = FinalRecorder().record(DecisionTreeClassifier(), plan, seeds=[0, 1])
    >>> [(member.stages.tolist(), member.indices.tolist()) for member in members]
    [([1], [0, 3, 4, 5]), ([1], [2, 3, 4, 5])]
    >>> members[1].predictions[0]  # its class indices on the training set
    array([[1, 1, 1, 0, 1, 1]], dtype=uint8)
    """

    name = "final"
    kind = "final"

    def accepts(self, estimator) -> bool:
        return True

    def n_stages(self, estimator, plan):
        return 1

    def train(self, estimator, X, y, fit_params, plan, streams) -> MemberTraining:
        estimator.fit(X, y, **fit_params)
        store = StageStore(plan)
        store.stages.append(1)
        self.record_stage(store, estimator, plan)
        return store.result()
