"""Recorders: every way of training members and recording their stages.

A *recorder* trains members of an ensemble and records, at every stage of
their training (a boosting round, an epoch, or the fitted model alone), the
class each member predicts for every example of every scored set. Each way
of recording is one :class:`Recorder` subclass, registered by name in one
registry (:data:`RECORDERS`); ``EnsembleDifficulty(stage_method=...)`` names
one of them, or ``"auto"`` lets the registry choose.

The words, one meaning each: a *recorder* records members (its
:meth:`Recorder.record` trains a group of them, :func:`record_member` one);
each member gives a :class:`MemberRecord` (itself, its stages, its
predictions); the ensemble assembles them into the one
:class:`~sklearn_difficulty.PredictionRecord`, which a run saves as
``record.npz``.

- the contract (:class:`Recorder` and its hooks, the typed
  :class:`MemberPlan`, :class:`RecorderSettings`, :class:`MemberTraining`
  and :class:`MemberRecord`): ``_base``;
- the checks of the members' fit parameters that recorders share:
  ``_checks``;
- the registry and the plugins' entry points: ``_registry``;
- the core recorders ``staged_predict``, ``partial_fit`` and ``final``:
  ``_sklearn``; :mod:`sklearn_difficulty.nets` registers ``skorch`` and
  ``vectorised``;
- labels as class indices and the outputs measured against the true class,
  the same maths for every kind of member: ``_outputs``.

The registered recorders (``EnsembleDifficulty(stage_method=...)``):

- "staged_predict": fit, then one stage per boosting round from
  ``staged_predict`` (AdaBoost, gradient boosting); rounds are already
  fine-grained, so it records no optimiser steps (``record_every`` stays
  "epoch"; ``stage_step`` keeps every k-th round).
- "partial_fit": one stage per epoch; each epoch is one call of
  ``partial_fit`` over the training data in an order that each member draws
  for itself (SGD, Perceptron, MLP); the members' own ``shuffle`` is
  switched off. With ``record_every`` a number of steps or a schedule, each
  epoch is fed in consecutive chunks of the same order, one call up to each
  step to record; a step is one batch (``batch_size`` examples, for an MLP)
  or one example (the SGD family, which updates after every example), and
  at the end of every epoch the member is the one recorded every epoch (see
  :class:`PartialFitRecorder` for the exceptions). There is no stage 0:
  scikit-learn's estimators create their weights in their first
  ``partial_fit`` call and cannot predict before it.
- "final": the fitted model alone, one stage (SVM, k-NN, trees, forests);
  no steps.
- "skorch" (with the torch extra): one stage per epoch of a skorch
  classifier (``NeuralNetClassifier``,
  :class:`~sklearn_difficulty.nets.SkorchCNN`), from an eval-mode pass over
  every scored set at the end of each epoch, and before the first one
  (stage 0). Each member gets its own initial weights, dropout masks and
  mini-batch order from its own seed, shuffles its batches, and trains on
  all its data (skorch's default hidden validation split is switched off; a
  split the user passed is kept). Members train on class indices
  0..n_classes-1, so any labels work. Each trains on one CPU thread, and
  members sharing a process (the threading backend) take turns, so that the
  record does not depend on ``n_jobs`` or the backend; separate processes
  (loky, dask) train in parallel, on CPUs or sharing a GPU. torch's global
  random generator is left as it was.
- "vectorised" (with the torch extra): all members of a network that trains
  many at once (:class:`~sklearn_difficulty.nets.VectorisedCNN`) as one
  batched model, in groups of its ``member_chunk``; recorded like "skorch".

"auto" asks them in this order (the networks' recorders first), and picks
the first that accepts the estimator; naive Bayes models, whose epochs would
count the same statistics again, are recorded once, after fitting.

Everything else a member goes through (seeding, subsets, caching, failures,
progress, record assembly) is shared, in the ensemble's running modules.
"""

from ._base import (
    MemberData,
    MemberPlan,
    MemberRecord,
    MemberTraining,
    Recorder,
    RecorderSettings,
    StageStore,
    record_member,
)
from ._checks import check_fit_parameters, check_sample_weight
from ._outputs import (
    NEEDS_PROBABILITIES,
    class_columns,
    encode_labels,
    resolve_outputs,
    true_class_outputs,
)
from ._registry import (
    ENTRY_POINT_GROUP,
    RECORDERS,
    get_recorder,
    load_plugins,
    register_recorder,
    resolve_recorder,
)
from ._sklearn import FinalRecorder, PartialFitRecorder, StagedPredictRecorder

for _recorder in (StagedPredictRecorder(), PartialFitRecorder(), FinalRecorder()):
    register_recorder(_recorder)

__all__ = [
    "ENTRY_POINT_GROUP",
    "NEEDS_PROBABILITIES",
    "RECORDERS",
    "FinalRecorder",
    "MemberData",
    "MemberPlan",
    "MemberRecord",
    "MemberTraining",
    "PartialFitRecorder",
    "Recorder",
    "RecorderSettings",
    "StageStore",
    "StagedPredictRecorder",
    "check_fit_parameters",
    "check_sample_weight",
    "class_columns",
    "encode_labels",
    "get_recorder",
    "load_plugins",
    "record_member",
    "register_recorder",
    "resolve_outputs",
    "resolve_recorder",
    "true_class_outputs",
]
