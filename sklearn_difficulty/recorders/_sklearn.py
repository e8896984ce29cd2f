"""The core recorders: scikit-learn estimators by boosting round, epoch or once.

- ``staged_predict``: fit, then one stage per boosting round;
- ``partial_fit``: one stage per epoch, each epoch one ``partial_fit`` call
  over the member's data in an order of its own;
- ``final``: the fitted model alone.

Their outputs come from ``predict_proba`` and ``decision_function`` (the
staged ones for boosting rounds), through
:func:`~sklearn_difficulty.recorders.true_class_outputs`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

import numpy as np
from sklearn.naive_bayes import _BaseNB
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _check_method_params, _num_samples

from ._base import (
    MemberPlan,
    MemberTraining,
    Recorder,
    RecorderSettings,
    StageStore,
    check_fit_parameters,
)
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

        Each on the columns of all the plan's classes; a value, or for the
        staged methods an iterator of values per stage; None when not needed
        (or, for the scores, not available: the margin then comes from the
        probabilities).
        """
        outputs = set(plan.outputs)
        decision = None
        if "margin" in outputs and hasattr(estimator, self.decision_method):
            decision = getattr(estimator, self.decision_method)(X)
        proba = None
        if NEEDS_PROBABILITIES & outputs or ("margin" in outputs and decision is None):
            proba = getattr(estimator, self.proba_method)(X)
        columns = encode_labels(estimator.classes_, plan.classes, np.intp)
        n_classes = len(plan.classes)

        def widen(values, fill):
            if values is None:
                return None
            if isinstance(values, np.ndarray):
                return class_columns(values, columns, n_classes, fill)
            return (class_columns(v, columns, n_classes, fill) for v in values)

        return widen(proba, 0.0), widen(decision, -np.inf)

    def record_stage(self, store: StageStore, estimator, plan: MemberPlan) -> None:
        """Predict every scored set with a fitted member; add the stage's outputs."""
        for index, X in enumerate(plan.scored):
            outputs = None
            if plan.outputs:
                proba, scores = self.member_scores(estimator, X, plan)
                outputs = plan.true_class_outputs(index, proba=proba, scores=scores)
            store.add(index, plan.encode(index, estimator.predict(X)), outputs)


class StagedPredictRecorder(_ScikitLearnRecorder):
    """One stage per boosting round, read from ``staged_predict`` after fitting."""

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
        for set_index, X_scored in enumerate(plan.scored):
            proba, scores = (
                self.member_scores(estimator, X_scored, plan)
                if plan.outputs
                else (None, None)
            )
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


class PartialFitRecorder(_ScikitLearnRecorder):
    """One stage per epoch: one ``partial_fit`` call over the member's data.

    Each member draws its own order of the examples every epoch (its
    "order" stream). scikit-learn's estimators create their weights in
    their first ``partial_fit`` call and cannot predict before it, so the
    first recorded stage is epoch 1: there is no stage 0.
    """

    name = "partial_fit"
    kind = "epoch"
    required_method = "partial_fit"
    fit_method = "partial_fit"

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

    def n_stages(self, estimator, plan):
        return plan.n_epochs

    def train(self, estimator, X, y, fit_params, plan, streams) -> MemberTraining:
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
                self.record_stage(store, estimator, plan)
        return store.result()


class FinalRecorder(_ScikitLearnRecorder):
    """The fitted model alone: one stage, labelled 1."""

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
