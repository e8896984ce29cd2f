"""GroupAccuracyDisplay: one record's accuracy on another's difficulty groups.

The accuracy comes from :func:`~sklearn_difficulty.compare.group_accuracy`.
"""

from __future__ import annotations

from ..compare import group_accuracy
from ..record import as_record
from ._base import as_comparison, draw_curves, figure_and_axes

__all__ = ["GroupAccuracyDisplay"]


def _group_names(n_groups: int) -> list[str]:
    if n_groups == 3:
        return ["easy", "intermediate", "hard"]
    return [f"group {k} ({'easiest' if k == 0 else 'harder'})" for k in range(n_groups)]


class GroupAccuracyDisplay:
    """Accuracy of one record's members on another's difficulty groups (Fig. 6a).

    Parameters
    ----------
    accuracy : ndarray of shape (n_groups, n_stages)
        Mean accuracy of the members on each group at each stage.
    stages : array-like of shape (n_stages,)
        Where the stages lie on the x axis: their epochs where known
        (``record.stage_axis``), else their labels.
    stage_kind : str, default="stage"
        What the x axis counts, for its label ("epoch" where the epochs are
        known).
    group_names : list of str, default=None
        Names of the groups, easiest first; None for "easy",
        "intermediate", "hard" (3 groups) or "group k".
    title : str, default=""
        Title of the plot.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One curve per group, easiest first.
    legend_ : matplotlib Legend
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    See Also
    --------
    sklearn_difficulty.compare.group_accuracy : Computes the accuracy.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_difficulty.plotting import GroupAccuracyDisplay
    >>> accuracy = np.array([[0.8, 1.0], [0.5, 0.9], [0.2, 0.6]])
    >>> display = GroupAccuracyDisplay(accuracy, [1, 2], stage_kind="round").plot(
    ...     line_kw={"linestyle": "--"})
    >>> [line.get_label() for line in display.lines_]
    ['easy', 'intermediate', 'hard']
    >>> display.lines_[0].get_linestyle()
    '--'
    """

    def __init__(
        self, accuracy, stages, *, stage_kind="stage", group_names=None, title=""
    ):
        self.accuracy = accuracy
        self.stages = stages
        self.stage_kind = stage_kind
        self.group_names = group_names
        self.title = title

    def plot(self, ax=None, *, line_kw: dict | None = None):
        """Draw one accuracy curve per group.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        line_kw : dict, default=None
            Passed to ``Axes.plot`` for every curve, over the defaults
            (small round markers; colours from the property cycle).

        Returns
        -------
        display : GroupAccuracyDisplay
        """
        self.figure_, self.ax_ = figure_and_axes(ax, size=(3.8, 3.0))
        names = self.group_names or _group_names(len(self.accuracy))
        self.lines_ = draw_curves(self.ax_, self.stages, self.accuracy, names, line_kw)
        self.ax_.set_xlabel(self.stage_kind)
        self.ax_.set_ylabel("accuracy")
        self.ax_.set_ylim(0, 1.02)
        self.ax_.set_title(self.title, fontsize=9)
        self.legend_ = self.ax_.legend(fontsize=7)
        return self

    @classmethod
    def from_comparison(
        cls,
        a,
        b=None,
        *,
        names=("a", "b"),
        n_groups: int = 3,
        scored_set: str = "train",
        average: str = "stages",
        ax=None,
        line_kw: dict | None = None,
    ):
        """Accuracy of the members of ``a`` on the groups ``b``'s learning speed makes.

        Parameters
        ----------
        a : RecordComparison, PredictionRecord or fitted EnsembleDifficulty
            A comparison (then ``b`` is None: the accuracy of its first
            record on its second's groups), or the record whose members'
            accuracy to show (for instance AdaBoost).
        b : PredictionRecord or fitted EnsembleDifficulty, default=None
            The record whose learning speed splits the examples into groups
            (for instance CNNs); see
            :func:`~sklearn_difficulty.compare.group_accuracy`.
        names : tuple of str, default=("a", "b")
            Names of the two records, for the title; not used with a
            comparison, which has its own.
        n_groups : int, default=3
            Number of groups of equal size.
        scored_set : str, default="train"
            Which scored set; not used with a comparison.
        average : {"stages", "steps"}, default="stages"
            The average of ``b``'s learning speed (see
            :func:`~sklearn_difficulty.scores.learning_speed`); not used
            with a comparison, which has its own.
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        line_kw : dict, default=None
            As in :meth:`plot`.

        Returns
        -------
        display : GroupAccuracyDisplay
            Its x axis in the epochs of ``a``'s stages where known, else in
            their labels.
        """
        if b is None:
            comparison = as_comparison(a, b, names=names, scored_set=scored_set)
            accuracy = comparison.group_accuracy(n_groups)
            stages, stage_kind = comparison.stage_axis_a
            names = comparison.names
        else:
            accuracy = group_accuracy(
                a, b, n_groups=n_groups, scored_set=scored_set, average=average
            )
            stages, stage_kind = as_record(a, "a").stage_axis
        display = cls(
            accuracy,
            stages,
            stage_kind=stage_kind,
            title=f"{names[0]} on the groups of {names[1]}",
        )
        return display.plot(ax=ax, line_kw=line_kw)
