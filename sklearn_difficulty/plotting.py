"""Plots of the paper's figures as scikit-learn style Display objects.

Each Display holds its data in the constructor; ``plot(ax=None)`` draws it
with matplotlib (imported only then) and sets ``ax_`` (or ``axes_``) and
``figure_``; ``from_estimator`` (a fitted EnsembleDifficulty), ``from_record``
(a PredictionRecord, for instance one loaded from disk) and, for
comparisons, ``from_comparison`` build them.
"""

from __future__ import annotations

import numpy as np

from .compare import RecordComparison, compare_records, group_accuracy, score_edges
from .dynamics import majority_label
from .record import as_record, record_of
from .reliability import members_needed, projected_reliability, split_half_reliability
from .scores import consensus, consistency, data_map

__all__ = [
    "DataMapDisplay",
    "GroupAccuracyDisplay",
    "JointConsistencyDisplay",
    "LearningSpeedDisplay",
    "ReliabilityDisplay",
    "ScoreHistogramDisplay",
    "TrajectoryDisplay",
]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            'plotting needs matplotlib: pip install "sklearn-difficulty[plot]"'
        ) from error
    return plt


def _axes(ax, shape):
    """A figure and a 2-D array of axes of ``shape``, new or from ``ax``."""
    plt = _pyplot()
    if ax is None:
        rows, cols = shape
        figure, axes = plt.subplots(
            rows, cols, figsize=(2.6 * cols, 2.4 * rows), squeeze=False
        )
        return figure, axes
    axes = np.asarray(ax, dtype=object).reshape(shape)
    return axes.flat[0].figure, axes


def _pick_stages(n_stages: int, stages) -> np.ndarray:
    if stages is None:
        return np.unique(
            np.linspace(0, n_stages - 1, min(n_stages, 6)).round().astype(int)
        )
    positions = np.asarray(stages, dtype=int).ravel()
    if (
        positions.size == 0
        or positions.min() < -n_stages
        or positions.max() >= n_stages
    ):
        raise ValueError(f"stage indices must be in [-{n_stages}, {n_stages}).")
    return positions % n_stages


class ScoreHistogramDisplay:
    """Histograms of consistency or consensus scores over stages (Fig. 1-3, 9).

    One row per scored set (train, test), one column per stage. With
    ``labels``, each bar is stacked by the label most members assign to the
    examples in it (Fig. 9).

    Parameters
    ----------
    scores : dict of str to ndarray of shape (n_shown_stages, n_samples)
        The scores of each scored set at the stages shown.
    stages : ndarray
        Labels of the stages shown.
    score_name : str, default="consistency"
    stage_kind : str, default="stage"
    labels : dict of str to ndarray of shape (n_shown_stages, n_samples), default=None
        The majority label of each example at each stage shown.
    label_names : array-like, default=None
        Names of the labels.
    n_members : int, default=None
        Number of members, so that each possible score k / n_members gets
        a bar of its own.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(
        self,
        scores,
        stages,
        *,
        score_name="consistency",
        stage_kind="stage",
        labels=None,
        label_names=None,
        n_members=None,
    ):
        self.scores = scores
        self.stages = stages
        self.score_name = score_name
        self.stage_kind = stage_kind
        self.labels = labels
        self.label_names = label_names
        self.n_members = n_members

    def plot(self, ax=None, *, bins: int | None = None):
        """Draw the histograms.

        Parameters
        ----------
        ax : array of matplotlib Axes of shape (n_sets, n_stages), default=None
            Where to draw; new axes when None.
        bins : int, default=None
            Number of bins; None for one per possible score (or 10).

        Returns
        -------
        display : ScoreHistogramDisplay
        """
        names = list(self.scores)
        self.figure_, self.axes_ = _axes(ax, (len(names), len(self.stages)))
        edges = score_edges(self.n_members or 0, bins)
        for row, name in enumerate(names):
            for col, stage in enumerate(self.stages):
                axis = self.axes_[row, col]
                values = self.scores[name][col]
                if self.labels is None:
                    axis.hist(values, bins=edges, color="tab:blue")
                else:
                    labels = self.labels[name][col]
                    present = np.unique(labels)
                    axis.hist(
                        [values[labels == k] for k in present],
                        bins=edges,
                        stacked=True,
                        label=[self._label_name(k) for k in present],
                    )
                axis.set_title(f"{name}, {self.stage_kind} {stage}", fontsize=9)
                axis.set_xlim(edges[0], edges[-1])
                if row == len(names) - 1:
                    axis.set_xlabel(self.score_name)
        if self.labels is not None:
            self.axes_[0, -1].legend(
                fontsize=6,
                title="most members say",
                title_fontsize=7,
                loc="upper left",
                bbox_to_anchor=(1.02, 1.0),
            )
        self.figure_.tight_layout()
        return self

    def _label_name(self, k):
        return str(self.label_names[k]) if self.label_names is not None else str(k)

    @classmethod
    def from_record(
        cls,
        record,
        *,
        score: str = "consistency",
        stages=None,
        scored_sets=None,
        color_by_label: bool = False,
        ax=None,
        bins: int | None = None,
    ):
        """Histograms from a record.

        Parameters
        ----------
        record : PredictionRecord or fitted EnsembleDifficulty
        score : {"consistency", "consensus"}, default="consistency"
        stages : array-like of int, default=None
            Stage indices to show; None for up to 6 spread over the run.
        scored_sets : list of str, default=None
            Which sets; None for all.
        color_by_label : bool, default=False
            Stack the bars by the label most members assign (Fig. 9).
        ax : array of matplotlib Axes, default=None
        bins : int, default=None
            None for one bin per possible score.

        Returns
        -------
        display : ScoreHistogramDisplay
        """
        record = record_of(record)
        if score not in ("consistency", "consensus"):
            raise ValueError(
                f"score must be 'consistency' or 'consensus'; got {score!r}."
            )
        positions = _pick_stages(record.n_stages, stages)
        names = list(scored_sets or record.set_names)
        function = consistency if score == "consistency" else consensus
        scores = {n: function(record, scored_set=n)[positions] for n in names}
        labels = None
        if color_by_label:
            labels = {n: majority_label(record, scored_set=n)[positions] for n in names}
        display = cls(
            scores,
            record.stages[positions],
            score_name=score,
            stage_kind=record.stage_kind,
            labels=labels,
            label_names=record.classes,
            n_members=record.n_members,
        )
        return display.plot(ax=ax, bins=bins)

    @classmethod
    def from_estimator(cls, estimator, **kwargs):
        """Histograms from a fitted EnsembleDifficulty; see :meth:`from_record`."""
        return cls.from_record(estimator.record_, **kwargs)


class JointConsistencyDisplay:
    """2-D distribution of two records' consistency at matched stages (Fig. 4c-d).

    Parameters
    ----------
    histogram : ndarray of shape (n_bins_a, n_bins_b)
        Fraction of examples per cell; rows follow the first record.
    edges_a, edges_b : ndarray
        Bin edges of each axis.
    names : tuple of str
    title : str, default=""

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, histogram, edges_a, edges_b, *, names=("a", "b"), title=""):
        self.histogram = histogram
        self.edges_a = edges_a
        self.edges_b = edges_b
        self.names = names
        self.title = title

    def plot(self, ax=None, *, log: bool = True):
        """Draw the 2-D histogram (log colour scale by default)."""
        plt = _pyplot()
        from matplotlib.colors import LogNorm

        if ax is None:
            _, ax = plt.subplots(figsize=(3.6, 3.2))
        self.ax_, self.figure_ = ax, ax.figure
        values = (
            np.where(self.histogram > 0, self.histogram, np.nan)
            if log
            else self.histogram
        )
        mesh = ax.pcolormesh(
            self.edges_a,
            self.edges_b,
            values.T,
            norm=LogNorm() if log else None,
            cmap="viridis",
        )
        self.figure_.colorbar(mesh, ax=ax, label="fraction of examples")
        ax.set_xlabel(f"consistency, {self.names[0]}")
        ax.set_ylabel(f"consistency, {self.names[1]}")
        ax.set_title(self.title, fontsize=9)
        return self

    @classmethod
    def from_comparison(
        cls, comparison: RecordComparison, *, pair: int = -1, bins=None, ax=None
    ):
        """The 2-D histogram of one matched pair of a comparison."""
        histogram, edges_a, edges_b = comparison.joint_histogram(pair, bins=bins)
        i, j = comparison.pairs[pair]
        title = (
            f"accuracy {comparison.accuracy_a[i]:.2f}: {comparison.names[0]} "
            f"{comparison.stages_a[i]}, {comparison.names[1]} {comparison.stages_b[j]}"
        )
        return cls(
            histogram, edges_a, edges_b, names=comparison.names, title=title
        ).plot(ax=ax)

    @classmethod
    def from_estimators(cls, a, b, *, names=("a", "b"), scored_set="train", **kwargs):
        """Compare two fitted ensembles (or records) and show one matched pair."""
        comparison = compare_records(a, b, scored_set=scored_set, names=names)
        return cls.from_comparison(comparison, **kwargs)


class LearningSpeedDisplay:
    """Learning speed of each example in two records, with Pearson's r (Fig. 4b).

    Parameters
    ----------
    speed_a, speed_b : ndarray of shape (n_samples,)
    pearson : tuple of float
        r and its p-value.
    names : tuple of str

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, speed_a, speed_b, *, pearson=(np.nan, np.nan), names=("a", "b")):
        self.speed_a = speed_a
        self.speed_b = speed_b
        self.pearson = pearson
        self.names = names

    def plot(self, ax=None):
        """Draw the scatter plot."""
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(3.4, 3.2))
        self.ax_, self.figure_ = ax, ax.figure
        ax.scatter(self.speed_a, self.speed_b, s=4, alpha=0.4)
        ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
        ax.set_xlabel(f"learning speed, {self.names[0]}")
        ax.set_ylabel(f"learning speed, {self.names[1]}")
        r, p = self.pearson
        ax.set_title(f"r = {r:.2f}, p = {p:.1e}", fontsize=9)
        return self

    @classmethod
    def from_comparison(cls, comparison: RecordComparison, *, ax=None):
        """The learning speeds of a comparison."""
        return cls(
            comparison.learning_speed_a,
            comparison.learning_speed_b,
            pearson=comparison.pearson,
            names=comparison.names,
        ).plot(ax=ax)

    @classmethod
    def from_estimators(cls, a, b, *, names=("a", "b"), scored_set="train", ax=None):
        """Compare two fitted ensembles (or records)."""
        comparison = compare_records(a, b, scored_set=scored_set, names=names)
        return cls.from_comparison(comparison, ax=ax)


class GroupAccuracyDisplay:
    """Accuracy of one record's members on another's difficulty groups (Fig. 6a).

    Parameters
    ----------
    accuracy : ndarray of shape (n_groups, n_stages)
    stages : ndarray of shape (n_stages,)
    stage_kind : str, default="stage"
    group_names : list of str, default=None

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, accuracy, stages, *, stage_kind="stage", group_names=None):
        self.accuracy = accuracy
        self.stages = stages
        self.stage_kind = stage_kind
        self.group_names = group_names

    def plot(self, ax=None):
        """Draw one accuracy curve per group."""
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(3.8, 3.0))
        self.ax_, self.figure_ = ax, ax.figure
        names = self.group_names or _group_names(len(self.accuracy))
        for curve, name in zip(self.accuracy, names, strict=True):
            ax.plot(self.stages, curve, marker="o", markersize=2, label=name)
        ax.set_xlabel(self.stage_kind)
        ax.set_ylabel("accuracy")
        ax.set_ylim(0, 1.02)
        ax.legend(fontsize=7)
        return self

    @classmethod
    def from_records(
        cls, record, groups_from, *, n_groups=3, scored_set="train", ax=None
    ):
        """Accuracy of ``record``'s members on ``groups_from``'s groups."""
        accuracy = group_accuracy(
            record, groups_from, n_groups=n_groups, scored_set=scored_set
        )
        source = record_of(record)
        return cls(accuracy, source.stages, stage_kind=source.stage_kind).plot(ax=ax)


def _group_names(n_groups: int) -> list[str]:
    if n_groups == 3:
        return ["easy", "intermediate", "hard"]
    return [f"group {k} ({'easiest' if k == 0 else 'harder'})" for k in range(n_groups)]


class TrajectoryDisplay:
    """Consistency of single examples over the stages (Fig. 11).

    Parameters
    ----------
    consistency : ndarray of shape (n_stages, n_examples)
    stages : ndarray of shape (n_stages,)
    indices : array-like of shape (n_examples,)
    stage_kind : str, default="stage"

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, consistency, stages, indices, *, stage_kind="stage"):
        self.consistency = consistency
        self.stages = stages
        self.indices = indices
        self.stage_kind = stage_kind

    def plot(self, ax=None):
        """Draw one curve per example."""
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(4.0, 3.0))
        self.ax_, self.figure_ = ax, ax.figure
        for curve, index in zip(self.consistency.T, self.indices, strict=True):
            ax.plot(
                self.stages, curve, marker="o", markersize=2, label=f"example {index}"
            )
        ax.set_xlabel(self.stage_kind)
        ax.set_ylabel("consistency")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=7)
        return self

    @classmethod
    def from_record(cls, record, indices, *, scored_set="train", ax=None):
        """Trajectories of the examples ``indices`` of one scored set."""
        record = record_of(record)
        indices = np.atleast_1d(np.asarray(indices, dtype=int))
        scores = consistency(record, scored_set=scored_set)[:, indices]
        return cls(scores, record.stages, indices, stage_kind=record.stage_kind).plot(
            ax=ax
        )

    @classmethod
    def from_estimator(cls, estimator, indices, **kwargs):
        """Trajectories from a fitted EnsembleDifficulty."""
        return cls.from_record(estimator.record_, indices, **kwargs)


class DataMapDisplay:
    """A data map: confidence against variability, coloured by correctness.

    Swayamdipta et al. (2020), Fig. 1: each example is a point at the
    standard deviation (x) and the mean (y) over the epochs of the
    probability of its true class, coloured by the fraction of epochs at
    which it is classified correctly (see
    :func:`~sklearn_difficulty.scores.data_map`). Easy-to-learn examples lie
    top left, hard-to-learn ones bottom left, ambiguous ones to the right.

    Parameters
    ----------
    variability : ndarray of shape (n_samples,)
    confidence : ndarray of shape (n_samples,)
    correctness : ndarray of shape (n_samples,)
    title : str, default=""

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The points.
    colorbar_ : matplotlib Colorbar or None
        The colour scale of the correctness.
    annotations_ : list of matplotlib Text
        The names of the three regions.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.plotting import DataMapDisplay
    >>> rng = np.random.RandomState(0)
    >>> proba = rng.uniform(size=(3, 4, 50)).astype(np.float32)
    >>> record = PredictionRecord(
    ...     predictions={"train": (proba > 0.5).astype(np.uint8)},
    ...     targets={"train": np.ones(50, np.uint8)}, classes=np.array([0, 1]),
    ...     stages=np.arange(1, 5), outputs={"proba": {"train": proba}})
    >>> display = DataMapDisplay.from_record(record)
    >>> display.ax_.get_xlabel(), display.ax_.get_ylabel()
    ('variability', 'confidence')
    """

    def __init__(self, variability, confidence, correctness, *, title=""):
        self.variability = variability
        self.confidence = confidence
        self.correctness = correctness
        self.title = title

    def plot(
        self,
        ax=None,
        *,
        scatter_kw: dict | None = None,
        colorbar: bool = True,
        annotate: bool = True,
    ):
        """Draw the data map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; new axes when None.
        scatter_kw : dict, default=None
            Passed to ``Axes.scatter`` (``s``, ``alpha``, ``cmap``, ...).
        colorbar : bool, default=True
            Draw the colour scale of the correctness.
        annotate : bool, default=True
            Name the easy-to-learn, ambiguous and hard-to-learn regions.

        Returns
        -------
        display : DataMapDisplay
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(4.2, 3.6))
        self.ax_, self.figure_ = ax, ax.figure
        style = {"s": 4, "alpha": 0.6, "cmap": "viridis", "vmin": 0.0, "vmax": 1.0}
        self.scatter_ = ax.scatter(
            self.variability,
            self.confidence,
            c=self.correctness,
            **{**style, **(scatter_kw or {})},
        )
        self.colorbar_ = (
            self.figure_.colorbar(self.scatter_, ax=ax, label="correctness")
            if colorbar
            else None
        )
        self.annotations_ = []
        if annotate:
            regions = (
                ("easy-to-learn", 0.03, 0.96, "top", "left"),
                ("ambiguous", 0.97, 0.5, "center", "right"),
                ("hard-to-learn", 0.03, 0.04, "bottom", "left"),
            )
            for text, x, y, vertical, horizontal in regions:
                self.annotations_.append(
                    ax.text(
                        x,
                        y,
                        text,
                        transform=ax.transAxes,
                        fontsize=8,
                        va=vertical,
                        ha=horizontal,
                        bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0},
                    )
                )
        ax.set_xlabel("variability")
        ax.set_ylabel("confidence")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlim(left=0)
        ax.set_title(self.title, fontsize=9)
        return self

    @classmethod
    def from_record(
        cls,
        record,
        *,
        scored_set: str = "train",
        aggregate: str = "members",
        ax=None,
        scatter_kw: dict | None = None,
        colorbar: bool = True,
        annotate: bool = True,
    ):
        """The data map of one scored set of a record recorded with "proba".

        Parameters
        ----------
        record : PredictionRecord or fitted EnsembleDifficulty
            Recorded with ``record_outputs`` including "proba".
        scored_set : str, default="train"
        aggregate : {"members", "pooled"}, default="members"
            How the members combine; see
            :func:`~sklearn_difficulty.scores.data_map`.
        ax, scatter_kw, colorbar, annotate
            As in :meth:`plot`.

        Returns
        -------
        display : DataMapDisplay
        """
        result = data_map(record, scored_set=scored_set, aggregate=aggregate)
        source = as_record(record, "record")
        title = f"{scored_set}, {source.n_members} members" + (
            ", pooled" if aggregate == "pooled" else ""
        )
        return cls(
            result.variability, result.confidence, result.correctness, title=title
        ).plot(ax=ax, scatter_kw=scatter_kw, colorbar=colorbar, annotate=annotate)

    @classmethod
    def from_estimator(cls, estimator, **kwargs):
        """The data map of a fitted EnsembleDifficulty; see :meth:`from_record`."""
        return cls.from_record(estimator.record_, **kwargs)


class ReliabilityDisplay:
    """Reliability of a score against the number of members (Spearman-Brown).

    The curve projects the split-half correlation, measured at half the
    members, to any number of members (see
    :func:`~sklearn_difficulty.split_half_reliability`); the points are the
    split-half correlation at ``n_members // 2`` (with each split's
    correlation) and its projection to the ensemble's ``n_members``; a
    horizontal line marks the target reliability and a vertical one the
    members it needs.

    Parameters
    ----------
    n_members : ndarray of shape (n_points,)
        Numbers of members along the curve.
    reliability : ndarray of shape (n_points,)
        The projected reliability at each.
    measured_members : ndarray of shape (2,)
        ``(n_half, n_members)`` of the record.
    measured_reliability : ndarray of shape (2,)
        The split-half correlation and the ensemble's reliability.
    split_correlations : ndarray of shape (n_splits,), default=None
        Each split's correlation, shown at ``n_half``.
    target : float, default=None
        The target reliability, drawn as a horizontal line.
    members_needed : int, default=None
        The members that reach ``target``, drawn as a vertical line.
    score_name : str, default="learning_speed"

    Attributes
    ----------
    line_ : matplotlib Line2D
        The Spearman-Brown curve.
    scatter_ : matplotlib PathCollection
        The points at ``n_half`` and ``n_members``.
    splits_ : matplotlib PathCollection or None
        Each split's correlation.
    target_line_, needed_line_ : matplotlib Line2D or None
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.plotting import ReliabilityDisplay
    >>> rng = np.random.RandomState(0)
    >>> right = rng.uniform(size=(10, 1, 200)) < rng.uniform(0.2, 0.8, 200)
    >>> record = PredictionRecord(
    ...     predictions={"train": right.astype(np.uint8)},
    ...     targets={"train": np.ones(200, np.uint8)},
    ...     classes=np.array([0, 1]), stages=np.array([1]))
    >>> display = ReliabilityDisplay.from_record(record, random_state=0)
    >>> display.measured_members.tolist()
    [5, 10]
    >>> bool(display.members_needed > 10)
    True
    """

    def __init__(
        self,
        n_members,
        reliability,
        measured_members,
        measured_reliability,
        *,
        split_correlations=None,
        target=None,
        members_needed=None,
        score_name="learning_speed",
    ):
        self.n_members = n_members
        self.reliability = reliability
        self.measured_members = measured_members
        self.measured_reliability = measured_reliability
        self.split_correlations = split_correlations
        self.target = target
        self.members_needed = members_needed
        self.score_name = score_name

    def plot(
        self,
        ax=None,
        *,
        line_kw: dict | None = None,
        scatter_kw: dict | None = None,
        target_kw: dict | None = None,
    ):
        """Draw the curve, the measured points and the target.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; new axes when None.
        line_kw : dict, default=None
            Passed to ``Axes.plot`` for the curve.
        scatter_kw : dict, default=None
            Passed to ``Axes.scatter`` for the two points.
        target_kw : dict, default=None
            Passed to ``Axes.axhline`` and ``Axes.axvline`` for the target
            and the members it needs.

        Returns
        -------
        display : ReliabilityDisplay
        """
        plt = _pyplot()
        if ax is None:
            _, ax = plt.subplots(figsize=(4.2, 3.2))
        self.ax_, self.figure_ = ax, ax.figure
        (self.line_,) = ax.plot(
            self.n_members,
            self.reliability,
            **{"color": "tab:blue", "label": "Spearman-Brown", **(line_kw or {})},
        )
        self.splits_ = None
        if self.split_correlations is not None and len(self.split_correlations):
            n_half = self.measured_members[0]
            self.splits_ = ax.scatter(
                np.full(len(self.split_correlations), n_half),
                self.split_correlations,
                s=6,
                color="grey",
                alpha=0.5,
                label="each split",
            )
        self.scatter_ = ax.scatter(
            self.measured_members,
            self.measured_reliability,
            **{
                "s": 30,
                "color": "tab:orange",
                "zorder": 3,
                "label": "half (measured), whole ensemble",
                **(scatter_kw or {}),
            },
        )
        self.target_line_ = self.needed_line_ = None
        style = {"color": "grey", "linestyle": "--", "linewidth": 0.8}
        style.update(target_kw or {})
        if self.target is not None:
            self.target_line_ = ax.axhline(self.target, **style)
        if self.members_needed is not None:
            self.needed_line_ = ax.axvline(
                self.members_needed,
                **{
                    **style,
                    "label": f"{self.members_needed} members for {self.target:g}",
                },
            )
        ax.set_xlabel("members")
        ax.set_ylabel(f"reliability of {self.score_name}")
        finite = np.asarray(self.reliability, dtype=float)
        finite = finite[np.isfinite(finite)]
        ax.set_ylim(min(0.0, float(finite.min())) if finite.size else 0.0, 1.02)
        ax.set_xlim(0, float(np.max(self.n_members)))
        ax.legend(fontsize=7, loc="lower right")
        return self

    @classmethod
    def from_reliability(
        cls,
        result,
        *,
        target: float | None = 0.95,
        max_members: int | None = None,
        ax=None,
        line_kw: dict | None = None,
        scatter_kw: dict | None = None,
        target_kw: dict | None = None,
    ):
        """The curve of a result of :func:`~sklearn_difficulty.split_half_reliability`.

        Parameters
        ----------
        result : Bunch
            A split-half reliability.
        target : float, default=0.95
            The target reliability; None for no target.
        max_members : int, default=None
            The right end of the curve; None for twice the ensemble's members,
            or a tenth beyond the members needed (at most 50 times the
            ensemble's members).
        ax, line_kw, scatter_kw, target_kw
            As in :meth:`plot`.

        Returns
        -------
        display : ReliabilityDisplay
        """
        needed = None
        if target is not None:
            try:
                needed = members_needed(result, target)
            except ValueError:  # no number of members reaches it
                needed = None
        if max_members is None:
            reach = int(np.ceil(1.1 * needed)) if needed else 0
            max_members = min(max(2 * result.n_members, reach), 50 * result.n_members)
        if max_members < 1:
            raise ValueError(f"max_members must be >= 1; got {max_members}.")
        grid = np.unique(np.geomspace(1, max_members, 200).round().astype(int))
        return cls(
            grid,
            projected_reliability(result, grid),
            np.array([result.n_half, result.n_members]),
            np.array([result.half, result.reliability]),
            split_correlations=result.correlations,
            target=target,
            members_needed=needed,
            score_name=str(result.score),
        ).plot(ax=ax, line_kw=line_kw, scatter_kw=scatter_kw, target_kw=target_kw)

    @classmethod
    def from_record(
        cls,
        record,
        score="learning_speed",
        *,
        scored_set: str = "train",
        n_splits: int = 20,
        random_state=None,
        **kwargs,
    ):
        """Measure the split-half reliability of a record, and draw it.

        Parameters
        ----------
        record : PredictionRecord or fitted EnsembleDifficulty
        score, scored_set, n_splits, random_state
            As in :func:`~sklearn_difficulty.split_half_reliability`.
        **kwargs
            As in :meth:`from_reliability` (``target``, ``max_members``,
            ``ax``, ``*_kw``).

        Returns
        -------
        display : ReliabilityDisplay
        """
        result = split_half_reliability(
            record,
            score,
            scored_set=scored_set,
            n_splits=n_splits,
            random_state=random_state,
        )
        return cls.from_reliability(result, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, score="learning_speed", **kwargs):
        """The reliability of a fitted EnsembleDifficulty; see :meth:`from_record`."""
        return cls.from_record(estimator.record_, score, **kwargs)
