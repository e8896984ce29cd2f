"""Plots of the paper's figures as scikit-learn style Display objects.

As :class:`sklearn.metrics.ConfusionMatrixDisplay`: public functions compute
(:func:`~sklearn_difficulty.histograms.score_histograms`,
:func:`~sklearn_difficulty.compare.compare_records`,
:func:`~sklearn_difficulty.scores.data_map`,
:func:`~sklearn_difficulty.split_half_reliability`, ...); a Display holds
their results in its constructor, and ``plot(ax=None, **style)`` draws them
with matplotlib (imported only then), keeps what it drew as attributes
(``bars_``, ``lines_``, ``image_``, ``scatter_``, ...), sets ``ax_`` (or
``axes_`` for a grid) and ``figure_``, and returns the Display. Style goes
through ``*_kw`` dictionaries, merged over the defaults.

The factories are ``from_record`` (a :class:`~sklearn_difficulty.\
PredictionRecord`, for instance one loaded from disk) and ``from_estimator``
(a fitted :class:`~sklearn_difficulty.EnsembleDifficulty`); both accept
either. Displays of two ensembles are built by ``from_comparison``, from a
:class:`~sklearn_difficulty.compare.RecordComparison` or from the two
records or ensembles.

One Display per module, named after it (``score_histogram`` holds
:class:`ScoreHistogramDisplay`, ...); what they share (matplotlib, axes,
style, :func:`save_figure`) lives once in the internal module ``_base``.
"""

from ._base import save_figure
from .data_map import DataMapDisplay
from .group_accuracy import GroupAccuracyDisplay
from .joint_consistency import JointConsistencyDisplay
from .learning_speed import LearningSpeedDisplay
from .learning_speed_histogram import LearningSpeedHistogramDisplay
from .pruning_curve import PruningCurveDisplay
from .reliability import ReliabilityDisplay
from .score_histogram import ScoreHistogramDisplay
from .trajectory import TrajectoryDisplay

__all__ = [
    "DataMapDisplay",
    "GroupAccuracyDisplay",
    "JointConsistencyDisplay",
    "LearningSpeedDisplay",
    "LearningSpeedHistogramDisplay",
    "PruningCurveDisplay",
    "ReliabilityDisplay",
    "ScoreHistogramDisplay",
    "TrajectoryDisplay",
    "save_figure",
]
