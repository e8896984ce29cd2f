"""Difficulty scores, each a pure function of a prediction record.

- The paper's scores, from the labels the members predict: :func:`consistency`,
  :func:`consensus`, :func:`learning_speed`, :func:`member_accuracy`,
  :func:`heldout_consistency` and :func:`majority_label`, on a
  :class:`~sklearn_difficulty.PredictionRecord` or an array of predicted
  labels; and :func:`heldout_probability`, the mean probability of the true
  class over the members that did not train on an example (a record with
  "proba" recorded, or an array of those probabilities).
- The field's other training-dynamics scores, from a record or a fitted
  :class:`~sklearn_difficulty.EnsembleDifficulty`: :func:`data_map` (dataset
  cartography), :func:`aum` (area under the margin),
  :func:`forgetting_events` and :func:`el2n`.
- One registry of the scores that give one number per example, by name
  (:class:`ExampleScore`, :func:`register_score`), which
  :func:`score_examples` reads (higher is easier), as do the pruners'
  ``rank_by``, the reliability of a score and the default scorer.
- Averages over training (:func:`mean_over_training`,
  :func:`training_weights`): stage 0 left out, each stage counted once
  (``average="stages"``, the default) or by the share of the optimiser
  steps it stands for (``average="steps"``), for records whose stages are
  not evenly spaced.
"""

from ._labels import (
    consensus,
    consistency,
    consistency_matrix,
    heldout_consistency,
    heldout_probability,
    learning_speed,
    majority_label,
    member_accuracy,
)
from ._registry import (
    SCORE_OUTPUTS,
    SCORES,
    ExampleScore,
    get_score,
    outputs_needed,
    register_score,
    resolve_score,
    score_examples,
    score_names,
    unregister_score,
)
from ._training import AVERAGES, mean_over_training, training_stages, training_weights
from ._training_dynamics import aum, data_map, el2n, forgetting_events

__all__ = [
    "AVERAGES",
    "SCORES",
    "SCORE_OUTPUTS",
    "ExampleScore",
    "aum",
    "consensus",
    "consistency",
    "consistency_matrix",
    "data_map",
    "el2n",
    "forgetting_events",
    "get_score",
    "heldout_consistency",
    "heldout_probability",
    "learning_speed",
    "majority_label",
    "mean_over_training",
    "member_accuracy",
    "outputs_needed",
    "register_score",
    "resolve_score",
    "score_examples",
    "score_names",
    "training_stages",
    "training_weights",
    "unregister_score",
]
