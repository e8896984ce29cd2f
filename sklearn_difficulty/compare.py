"""Comparing two records of the same data (Hacohen & Weinshall, sections 4-5).

Two ensembles (two architectures, a CNN and AdaBoost, a CNN and an SVM) learn
at their own pace, so their stages are matched where the mean accuracies of
their members agree within a tolerance; the matched pairs are then compared
example by example.

The stages may be of any kind and spacing: epochs, boosting rounds,
optimiser steps on an uneven schedule (``record_every``), or one stage of a
model fitted once. Matching reads the accuracies only, so a record made
after steps compares with one made every epoch or with boosting rounds; the
comparison keeps where each record's stages lie (``steps_a``, ``epochs_a``,
:attr:`RecordComparison.stage_axis_a`, ...) for plots and reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from sklearn.utils import Bunch

from ._validation import check_choice, check_fraction, check_int
from .histograms import score_edges, stage_name
from .ranking import difficulty_groups
from .record import PredictionRecord, as_record
from .reliability import bootstrap_correlation
from .scores import AVERAGES, consistency, mean_over_training, member_accuracy

__all__ = [
    "RecordComparison",
    "compare_records",
    "group_accuracy",
    "single_stage_agreement",
]


def _check_same_data(a: PredictionRecord, b: PredictionRecord, scored_set: str):
    _, targets_a = a.scored_set(scored_set)
    _, targets_b = b.scored_set(scored_set)
    same_classes = a.classes.shape == b.classes.shape and np.array_equal(
        a.classes, b.classes
    )
    if (
        targets_a.shape != targets_b.shape
        or not same_classes
        or not np.array_equal(targets_a, targets_b)
    ):
        raise ValueError(
            f"the two records do not score the same data in {scored_set!r}: "
            f"{targets_a.size} and {targets_b.size} examples, whose classes or "
            "labels differ. Compare records of the same examples in the same order."
        )


def _in_words(index: int, stages, kind: str, steps, epochs) -> str:
    """Stage ``index`` of a record, by its epoch where known."""
    return stage_name(
        stages[index],
        kind,
        step=None if steps is None else steps[index],
        epoch=None if epochs is None else epochs[index],
    )


@dataclass(frozen=True, eq=False)
class RecordComparison:
    """Two records of the same data, their stages matched by accuracy.

    Attributes
    ----------
    pairs : ndarray of shape (n_pairs, 2)
        Stage indices ``(i, j)``: stage i of the first record and stage j of
        the second, whose members' mean accuracies are within ``tolerance``.
    unmatched : ndarray
        Stage indices of the first record that no stage of the second matches
        (reported, never guessed).
    accuracy_a, accuracy_b : ndarray of shape (n_stages_a,), (n_stages_b,)
        Mean accuracy of the members at each stage.
    stages_a, stages_b : ndarray
        Stage labels of each record.
    consistency_a, consistency_b : ndarray of shape (n_stages, n_samples)
        Consistency of each example at each stage.
    pearson, spearman : tuple of float
        Correlation of the two learning speeds and its p-value.
    pearson_ci : tuple of float
        Bootstrap confidence interval of Pearson's r over the members of
        each record (see :func:`~sklearn_difficulty.reliability.\
bootstrap_correlation`); NaN without bootstraps.
    pearson_bootstrap : ndarray of shape (n_bootstraps,)
        Pearson's r of each bootstrap resample (empty without bootstraps).
    confidence_level : float
        The confidence level of ``pearson_ci``.
    tolerance : float
        The accuracy tolerance of the matching.
    names : tuple of str
        Names of the two records, for plots.
    n_members : tuple of int
        Number of members of each record.
    stage_kinds : tuple of str
        What a stage is in each record ("epoch", "round", "step", ...).
    steps_a, steps_b : ndarray of shape (n_stages,) or None
        The optimiser steps of each record's stages (``record.steps``);
        None where the record does not know them (boosting rounds).
    epochs_a, epochs_b : ndarray of shape (n_stages,) or None
        The epochs of each record's stages, fractions for stages recorded
        after steps (``record.epochs``); None where unknown.
    average : {"stages", "steps"}
        How the learning speeds average over the training stages (see
        :func:`~sklearn_difficulty.scores.learning_speed`); stage 0 never
        counts.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.compare import compare_records
    >>> def record(predictions, kind):  # 4 examples of classes 0, 1, 1, 0
    ...     return PredictionRecord(
    ...         predictions={"train": np.array(predictions, np.uint8)},
    ...         targets={"train": np.array([0, 1, 1, 0])}, classes=np.array([0, 1]),
    ...         stages=np.arange(1, len(predictions[0]) + 1), stage_kind=kind)
    >>> cnn = record([[[1, 0, 0, 1], [0, 1, 0, 1], [0, 1, 1, 0]],
    ...               [[0, 0, 0, 0], [0, 1, 0, 0], [0, 1, 1, 1]]], "epoch")
    >>> boost = record([[[0, 1, 0, 1], [0, 1, 1, 0]], [[0, 0, 0, 0], [0, 1, 1, 1]]],
    ...                "round")
    >>> comparison = compare_records(cnn, boost, tolerance=0.15)
    >>> comparison.accuracy_a, comparison.accuracy_b
    (array([0.25 , 0.625, 0.875]), array([0.5  , 0.875]))
    >>> comparison.pairs.tolist(), comparison.unmatched.tolist()
    ([[1, 0], [2, 1]], [0])
    >>> comparison.pair_names()
    ('epoch 3', 'round 2')
    >>> np.round(comparison.learning_speed_a, 3), round(comparison.pearson[0], 3)
    (array([0.833, 0.667, 0.333, 0.5  ]), 0.944)
    """

    pairs: NDArray[np.intp]
    unmatched: NDArray[np.intp]
    accuracy_a: NDArray[np.float64]
    accuracy_b: NDArray[np.float64]
    stages_a: NDArray
    stages_b: NDArray
    consistency_a: NDArray[np.float64]
    consistency_b: NDArray[np.float64]
    pearson: tuple[float, float]
    spearman: tuple[float, float]
    tolerance: float
    names: tuple[str, str] = ("a", "b")
    n_members: tuple[int, int] = (0, 0)
    pearson_ci: tuple[float, float] = (math.nan, math.nan)
    pearson_bootstrap: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    confidence_level: float = 0.95
    stage_kinds: tuple[str, str] = ("stage", "stage")
    steps_a: NDArray[np.integer] | None = None
    steps_b: NDArray[np.integer] | None = None
    epochs_a: NDArray[np.floating] | None = None
    epochs_b: NDArray[np.floating] | None = None
    average: str = "stages"

    @property
    def learning_speed_a(self) -> NDArray[np.float64]:
        """Consistency averaged over the training stages of the first record.

        The mean over the stages, or the area over the steps with
        ``average="steps"``; stage 0 (the untrained members) is left out.
        """
        return mean_over_training(
            self.consistency_a, self.stages_a, steps=self.steps_a, average=self.average
        )

    @property
    def learning_speed_b(self) -> NDArray[np.float64]:
        """Consistency averaged over the training stages of the second record."""
        return mean_over_training(
            self.consistency_b, self.stages_b, steps=self.steps_b, average=self.average
        )

    @property
    def stage_axis_a(self) -> tuple[NDArray, str]:
        """Where the first record's stages lie: ``(epochs, "epoch")`` where known.

        Else ``(stages_a, stage_kinds[0])``, as
        :attr:`PredictionRecord.stage_axis
        <sklearn_difficulty.PredictionRecord.stage_axis>`: what plots put on
        their x axis.
        """
        if self.epochs_a is not None:
            return self.epochs_a, "epoch"
        return self.stages_a, self.stage_kinds[0]

    @property
    def stage_axis_b(self) -> tuple[NDArray, str]:
        """Where the second record's stages lie (see :attr:`stage_axis_a`)."""
        if self.epochs_b is not None:
            return self.epochs_b, "epoch"
        return self.stages_b, self.stage_kinds[1]

    def pair_names(self, pair: int = -1) -> tuple[str, str]:
        """The two stages of a matched pair, in words: "epoch 0.22 (step 4)".

        Each named by its epoch where its record knows it, else by its kind
        and label ("round 12"); see
        :func:`~sklearn_difficulty.histograms.stage_name`.

        Parameters
        ----------
        pair : int, default=-1
            Which matched pair (an index into ``pairs``).

        Returns
        -------
        name_a, name_b : str
        """
        i, j = self.pairs[pair]
        kind_a, kind_b = self.stage_kinds
        return (
            _in_words(i, self.stages_a, kind_a, self.steps_a, self.epochs_a),
            _in_words(j, self.stages_b, kind_b, self.steps_b, self.epochs_b),
        )

    def joint_histogram(self, pair: int = -1, *, bins: int | None = None):
        """2-D histogram of the consistency scores of one matched pair (Fig. 4c-d).

        Parameters
        ----------
        pair : int, default=-1
            Which matched pair (an index into ``pairs``).
        bins : int, default=None
            Bins on each axis, over [0, 1]. None gives one bin per possible
            score, k / n_members, on each axis.

        Returns
        -------
        histogram : ndarray of shape (n_bins_a, n_bins_b)
            Fraction of the examples in each cell; rows follow the first
            record, columns the second.
        edges_a, edges_b : ndarray
            The bin edges of each axis.
        """
        if self.pairs.size == 0:
            raise ValueError(
                "no stages of the two records match within the tolerance "
                f"{self.tolerance}: there is no pair to show."
            )
        i, j = self.pairs[pair]
        edges_a, edges_b = (score_edges(n, bins) for n in self.n_members)
        histogram, _, _ = np.histogram2d(
            self.consistency_a[i], self.consistency_b[j], bins=[edges_a, edges_b]
        )
        return histogram / self.consistency_a.shape[1], edges_a, edges_b

    def group_accuracy(self, n_groups: int = 3) -> NDArray[np.float64]:
        """Accuracy of the first record's members on the second's groups (Fig. 6a).

        The examples are split into ``n_groups`` groups of equal size by
        their learning speed in the second record (group 0 the easiest);
        then, at each stage of the first, the mean accuracy of its members
        on each group: :func:`group_accuracy` of the two records.

        Parameters
        ----------
        n_groups : int, default=3
            Number of groups.

        Returns
        -------
        accuracy : ndarray of shape (n_groups, n_stages_a)
            At each stage of the first record, which lie at
            :attr:`stage_axis_a` (epochs where known).
        """
        groups = difficulty_groups(self.learning_speed_b[np.newaxis], n_groups=n_groups)
        return _accuracy_on_groups(self.consistency_a, groups, n_groups)


def _mean_accuracy(record: PredictionRecord, scored_set: str) -> NDArray[np.float64]:
    return member_accuracy(record, scored_set=scored_set).mean(axis=0)


def _match_stages(accuracy_a, accuracy_b, tolerance: float, epochs=(None, None)):
    """Pairs (i, j) of stages whose mean accuracies are within ``tolerance``.

    Each stage i of the first record goes with the stage j of the second of
    closest accuracy, when it is close enough; ``matched`` says which i did.
    Of stages of the second record equally close (a plateau of accuracy),
    the one nearest in epochs when both records know their epochs, else
    the first.
    """
    distance = np.abs(accuracy_a[:, np.newaxis] - accuracy_b[np.newaxis, :])
    closest_distance = distance.min(axis=1, keepdims=True)
    tie = np.zeros_like(distance)
    if epochs[0] is not None and epochs[1] is not None:
        tie = np.abs(epochs[0][:, np.newaxis] - epochs[1][np.newaxis, :])
    closest = np.where(distance <= closest_distance + 1e-12, tie, np.inf).argmin(axis=1)
    matched = distance[np.arange(closest.size), closest] <= tolerance + 1e-12
    pairs = np.column_stack([np.flatnonzero(matched), closest[matched]])
    return pairs.astype(np.intp).reshape(-1, 2), matched


def _speed(scores, record: PredictionRecord, average: str) -> NDArray[np.float64]:
    """The learning speed of a record's examples, from their consistency."""
    return mean_over_training(
        scores, record.stages, steps=record.steps, average=average
    )


def _positions(a: PredictionRecord, b: PredictionRecord) -> dict:
    """The steps and epochs of the two records' stages (None where unknown)."""
    return {"steps_a": a.steps, "steps_b": b.steps, "epochs_a": a.epochs,
            "epochs_b": b.epochs}  # fmt: skip


def _correlations(speed_a, speed_b):
    """Pearson's and Spearman's (r, p) of two learning speeds; NaN if undefined."""
    if speed_a.size < 2 or np.ptp(speed_a) == 0 or np.ptp(speed_b) == 0:
        return (np.nan, np.nan), (np.nan, np.nan)
    r, p_r = stats.pearsonr(speed_a, speed_b)
    rho, p_rho = stats.spearmanr(speed_a, speed_b)
    return (float(r), float(p_r)), (float(rho), float(p_rho))


#: The registered score of each ``average`` of the learning speed.
_SPEED_SCORES = {"stages": "learning_speed", "steps": "learning_speed_steps"}


def _pearson_interval(
    a, b, scored_set, n_bootstraps, confidence_level, random_state, average
):
    """The bootstrap interval of Pearson's r of the learning speeds (NaN: none)."""
    if not n_bootstraps:
        return Bunch(low=math.nan, high=math.nan, correlations=np.empty(0))
    return bootstrap_correlation(
        a,
        b,
        score=_SPEED_SCORES[average],
        scored_set=scored_set,
        n_bootstraps=n_bootstraps,
        confidence_level=confidence_level,
        random_state=random_state,
    )


def compare_records(
    a,
    b,
    *,
    scored_set: str = "train",
    tolerance: float = 0.01,
    names: tuple[str, str] = ("a", "b"),
    n_bootstraps: int = 0,
    confidence_level: float = 0.95,
    random_state=None,
    average: str = "stages",
) -> RecordComparison:
    """Match the stages of two records by accuracy and correlate their orderings.

    Each stage of ``a`` is paired with the stage of ``b`` whose members' mean
    accuracy is closest, if it is within ``tolerance`` (the paper's 1%); the
    stages of ``a`` with no such stage are listed in ``unmatched``. Stages
    of any kind and spacing match (steps, epochs, boosting rounds); of
    stages of ``b`` equally close, the nearest in epochs where both records
    know them. The learning speeds of the examples (stage 0 left out) are
    correlated with Pearson's r and Spearman's rho. With ``n_bootstraps``,
    the members of each record are resampled with replacement that many
    times, for a confidence interval of Pearson's r (``pearson_ci``).

    Parameters
    ----------
    a, b : PredictionRecord or fitted EnsembleDifficulty
        Two records of the same examples.
    scored_set : str, default="train"
        Which scored set to compare.
    tolerance : float, default=0.01
        Largest difference of mean accuracy for two stages to match.
    names : tuple of str, default=("a", "b")
        Names of the two records, for plots.
    n_bootstraps : int, default=0
        Bootstrap resamples of the members for ``pearson_ci``; 0 for none.
    confidence_level : float, default=0.95
        The confidence level of ``pearson_ci``, in (0, 1).
    random_state : int, RandomState instance or None, default=None
        Draws the bootstrap resamples.
    average : {"stages", "steps"}, default="stages"
        The learning speeds' mean over the training stages, or area over the
        steps (see :func:`~sklearn_difficulty.scores.learning_speed`).

    Returns
    -------
    comparison : RecordComparison

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.compare import compare_records
    >>> def record(predictions):
    ...     predictions = np.array(predictions, dtype=np.uint8)
    ...     return PredictionRecord(
    ...         predictions={"train": predictions},
    ...         targets={"train": np.array([0, 1, 1, 0])},
    ...         classes=np.array([0, 1]), stages=np.arange(1, predictions.shape[1] + 1))
    >>> slow = record([[[1, 0, 0, 1], [0, 1, 0, 1], [0, 1, 1, 0]]])  # 1 member
    >>> fast = record([[[0, 1, 0, 1], [0, 1, 1, 0]]])
    >>> comparison = compare_records(slow, fast)
    >>> comparison.pairs.tolist(), comparison.unmatched.tolist()
    ([[1, 0], [2, 1]], [0])
    """
    a, b = as_record(a, "a"), as_record(b, "b")
    _check_same_data(a, b, scored_set)
    check_fraction(tolerance, "tolerance", closed="left")
    check_int(n_bootstraps, "n_bootstraps", 0)
    check_fraction(confidence_level, "confidence_level")
    check_choice(average, "average", AVERAGES)
    accuracy_a, accuracy_b = (_mean_accuracy(r, scored_set) for r in (a, b))
    pairs, matched = _match_stages(
        accuracy_a, accuracy_b, tolerance, epochs=(a.epochs, b.epochs)
    )
    consistency_a, consistency_b = (
        consistency(r, scored_set=scored_set) for r in (a, b)
    )
    pearson, spearman = _correlations(
        _speed(consistency_a, a, average), _speed(consistency_b, b, average)
    )
    interval = _pearson_interval(
        a, b, scored_set, int(n_bootstraps), confidence_level, random_state, average
    )
    return RecordComparison(
        pairs=pairs,
        unmatched=np.flatnonzero(~matched),
        accuracy_a=accuracy_a,
        accuracy_b=accuracy_b,
        stages_a=a.stages,
        stages_b=b.stages,
        consistency_a=consistency_a,
        consistency_b=consistency_b,
        pearson=pearson,
        spearman=spearman,
        tolerance=tolerance,
        names=tuple(names),  # type: ignore[arg-type]
        n_members=(a.n_members, b.n_members),
        pearson_ci=(interval.low, interval.high),
        pearson_bootstrap=interval.correlations,
        confidence_level=float(confidence_level),
        stage_kinds=(a.stage_kind, b.stage_kind),
        **_positions(a, b),
        average=average,
    )


def group_accuracy(
    record,
    groups_from,
    *,
    n_groups: int = 3,
    scored_set: str = "train",
    average: str = "stages",
) -> NDArray[np.float64]:
    """Accuracy of one record's members on another's easy ... hard groups (Fig. 6a).

    The examples are split into ``n_groups`` groups of equal size by their
    learning speed in ``groups_from`` (group 0 the easiest); then, at each
    stage of ``record``, the mean accuracy of its members on each group.

    Parameters
    ----------
    record : PredictionRecord or fitted EnsembleDifficulty
        Whose members' accuracy to measure (for instance AdaBoost).
    groups_from : PredictionRecord or fitted EnsembleDifficulty
        Whose learning speed defines the groups (for instance CNNs).
    n_groups : int, default=3
    scored_set : str, default="train"
    average : {"stages", "steps"}, default="stages"
        The average of ``groups_from``'s learning speed (see
        :func:`~sklearn_difficulty.scores.learning_speed`).

    Returns
    -------
    accuracy : ndarray of shape (n_groups, n_stages)
        At each stage of ``record``; the x axis of a plot is
        ``record.stage_axis``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.compare import group_accuracy
    >>> targets = {"train": np.array([0, 0, 0])}
    >>> easy_first = PredictionRecord(
    ...     predictions={"train": np.array([[[0, 1, 1]], [[0, 0, 1]]], np.uint8)},
    ...     targets=targets, classes=np.array([0, 1]), stages=np.array([1]))
    >>> group_accuracy(easy_first, easy_first).ravel()
    array([1. , 0.5, 0. ])
    """
    record = as_record(record, "record")
    reference = as_record(groups_from, "groups_from")
    _check_same_data(record, reference, scored_set)
    groups = difficulty_groups(
        reference, n_groups=n_groups, scored_set=scored_set, average=average
    )
    return _accuracy_on_groups(
        consistency(record, scored_set=scored_set), groups, n_groups
    )


def _accuracy_on_groups(
    consistency_scores: NDArray, groups: NDArray, n_groups: int
) -> NDArray[np.float64]:
    """Mean accuracy of the members on each group at each stage.

    The mean consistency over a group's examples: the fraction of members
    right, averaged over the examples.
    """
    result = np.empty((n_groups, consistency_scores.shape[0]))
    for group in range(n_groups):
        result[group] = consistency_scores[:, groups == group].mean(axis=1)
    return result


def single_stage_agreement(
    single, other, *, stage: int = -1, threshold: float = 0.5, scored_set: str = "train"
) -> tuple[float, float]:
    """How often a single-stage learner is right where another is right or wrong.

    Fig. 7 of the paper: at one stage of ``other`` (an ensemble of networks),
    an example counts as right when at least ``threshold`` of its members
    classify it correctly. Returns the accuracy of ``single``'s members
    (an SVM, k-NN, ... recorded once) on the examples ``other`` gets right,
    and on those it gets wrong.

    Parameters
    ----------
    single : PredictionRecord or fitted EnsembleDifficulty
        The single-stage learner; its last stage is used.
    other : PredictionRecord or fitted EnsembleDifficulty
        The other learner.
    stage : int, default=-1
        Stage index of ``other``.
    threshold : float, default=0.5
        Consistency from which ``other`` gets an example right.
    scored_set : str, default="train"

    Returns
    -------
    right_where_right, right_where_wrong : float
        NaN where ``other`` gets no example right (or none wrong).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.compare import single_stage_agreement
    >>> targets, classes = {"train": np.array([0, 1, 1, 0])}, np.array([0, 1])
    >>> cnn = PredictionRecord(  # 2 members, 2 epochs
    ...     predictions={"train": np.array([[[1, 0, 0, 1], [0, 1, 1, 0]],
    ...                                     [[0, 0, 0, 0], [0, 1, 0, 1]]])},
    ...     targets=targets, classes=classes, stages=np.array([1, 2]))
    >>> svm = PredictionRecord(  # 1 member, fitted once: right on examples 0, 1, 3
    ...     predictions={"train": np.array([[[0, 1, 0, 0]]])}, targets=targets,
    ...     classes=classes, stages=np.array([1]), stage_kind="final")
    >>> single_stage_agreement(svm, cnn)  # half the CNNs get every example right
    (0.75, nan)
    >>> single_stage_agreement(svm, cnn, threshold=1.0)  # both: examples 0, 1
    (1.0, 0.5)
    """
    single, other = as_record(single, "single"), as_record(other, "other")
    _check_same_data(single, other, scored_set)
    check_fraction(threshold, "threshold", closed="right")
    single_right = consistency(single, scored_set=scored_set)[-1]
    other_right = consistency(other, scored_set=scored_set)[stage] >= threshold
    right = float(single_right[other_right].mean()) if other_right.any() else np.nan
    wrong = float(single_right[~other_right].mean()) if (~other_right).any() else np.nan
    return right, wrong
