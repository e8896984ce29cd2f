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
from .dynamics import _record_of, majority_label
from .scores import consensus, consistency

__all__ = [
    "GroupAccuracyDisplay",
    "JointConsistencyDisplay",
    "LearningSpeedDisplay",
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
        record = _record_of(record)
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
        source = _record_of(record)
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
        record = _record_of(record)
        indices = np.atleast_1d(np.asarray(indices, dtype=int))
        scores = consistency(record, scored_set=scored_set)[:, indices]
        return cls(scores, record.stages, indices, stage_kind=record.stage_kind).plot(
            ax=ax
        )

    @classmethod
    def from_estimator(cls, estimator, indices, **kwargs):
        """Trajectories from a fitted EnsembleDifficulty."""
        return cls.from_record(estimator.record_, indices, **kwargs)
