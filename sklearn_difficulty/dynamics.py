"""Learning dynamics read off a prediction record (Hacohen & Weinshall, sections 2-3).

A facade kept so that ``from sklearn_difficulty.dynamics import ...`` goes on
working: each name lives in the module of its concept.

- :mod:`sklearn_difficulty.phases`: bi-modality, collapsed stages, the four
  phases of learning and the stages that show them (:data:`PHASES`,
  :func:`bimodality`, :func:`collapsed_stages`, :func:`learning_phases`,
  :func:`phase_stages`);
- :mod:`sklearn_difficulty.ranking`: the order in which examples are learnt
  (:func:`difficulty_ranking`, :func:`difficulty_groups`,
  :func:`learnt_at_least_as_fast`, :func:`easiest_examples`,
  :func:`hardest_examples`);
- :mod:`sklearn_difficulty.histograms`: histograms of a score over stages
  (:func:`score_edges`, :class:`ScoreHistograms`, :func:`score_histograms`);
- :mod:`sklearn_difficulty.scores`: the label most members assign
  (:func:`majority_label`) and the consistency the analyses read
  (:func:`consistency_matrix`).
"""

from .histograms import ScoreHistograms, score_edges, score_histograms
from .phases import (
    PHASES,
    bimodality,
    collapsed_stages,
    learning_phases,
    phase_stages,
)
from .ranking import (
    difficulty_groups,
    difficulty_ranking,
    easiest_examples,
    hardest_examples,
    learnt_at_least_as_fast,
)
from .scores import consistency_matrix, majority_label

__all__ = [
    "PHASES",
    "ScoreHistograms",
    "bimodality",
    "collapsed_stages",
    "consistency_matrix",
    "difficulty_groups",
    "difficulty_ranking",
    "easiest_examples",
    "hardest_examples",
    "learning_phases",
    "learnt_at_least_as_fast",
    "majority_label",
    "phase_stages",
    "score_edges",
    "score_histograms",
]
