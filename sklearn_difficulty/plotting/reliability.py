"""ReliabilityDisplay: a score's reliability against the number of members.

The reliability comes from
:func:`~sklearn_difficulty.reliability.split_half_reliability`.
"""

from __future__ import annotations

import numpy as np

from ..record import as_record
from ..reliability import (
    members_needed,
    projected_reliability,
    split_half_reliability,
)
from ._base import RecordDisplayMixin, figure_and_axes, merge_style

__all__ = ["ReliabilityDisplay"]


class ReliabilityDisplay(RecordDisplayMixin):
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
        The score, for the y label.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The Spearman-Brown curve.
    scatter_ : matplotlib PathCollection
        The points at ``n_half`` and ``n_members``.
    splits_ : matplotlib PathCollection or None
        Each split's correlation.
    target_line_ : matplotlib Line2D or None
        The horizontal line at the target.
    needed_line_ : matplotlib Line2D or None
        The vertical line at the members needed.
    legend_ : matplotlib Legend
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
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
        splits_kw: dict | None = None,
        target_kw: dict | None = None,
    ):
        """Draw the curve, the measured points and the target.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        line_kw : dict, default=None
            Passed to ``Axes.plot`` for the curve, over the defaults (the
            first colour of the property cycle).
        scatter_kw : dict, default=None
            Passed to ``Axes.scatter`` for the two points, over the defaults
            (the second colour of the property cycle).
        splits_kw : dict, default=None
            Passed to ``Axes.scatter`` for each split's correlation, over
            the defaults (small, grey).
        target_kw : dict, default=None
            Passed to ``Axes.axhline`` and ``Axes.axvline`` for the target
            and the members it needs, over the defaults (grey, dashed).

        Returns
        -------
        display : ReliabilityDisplay
        """
        self.figure_, self.ax_ = figure_and_axes(ax, size=(4.2, 3.2))
        ax = self.ax_
        (self.line_,) = ax.plot(
            self.n_members,
            self.reliability,
            **merge_style({"color": "C0", "label": "Spearman-Brown"}, line_kw),
        )
        self.splits_ = None
        if self.split_correlations is not None and len(self.split_correlations):
            n_half = self.measured_members[0]
            style = {"s": 6, "color": "grey", "alpha": 0.5, "label": "each split"}
            self.splits_ = ax.scatter(
                np.full(len(self.split_correlations), n_half),
                self.split_correlations,
                **merge_style(style, splits_kw),
            )
        style = {
            "s": 30,
            "color": "C1",
            "zorder": 3,
            "label": "half (measured), whole ensemble",
        }
        self.scatter_ = ax.scatter(
            self.measured_members,
            self.measured_reliability,
            **merge_style(style, scatter_kw),
        )
        self.target_line_ = self.needed_line_ = None
        line_style = merge_style(
            {"color": "grey", "linestyle": "--", "linewidth": 0.8}, target_kw
        )
        if self.target is not None:
            self.target_line_ = ax.axhline(self.target, **line_style)
        if self.members_needed is not None:
            label = f"{self.members_needed} members" + (
                f" for {self.target:g}" if self.target is not None else ""
            )
            self.needed_line_ = ax.axvline(
                self.members_needed, **{**line_style, "label": label}
            )
        ax.set_xlabel("members")
        ax.set_ylabel(f"reliability of {self.score_name}")
        finite = np.asarray(self.reliability, dtype=float)
        finite = finite[np.isfinite(finite)]
        ax.set_ylim(min(0.0, float(finite.min())) if finite.size else 0.0, 1.02)
        ax.set_xlim(0, float(np.max(self.n_members)))
        self.legend_ = ax.legend(fontsize=7, loc="lower right")
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
        splits_kw: dict | None = None,
        target_kw: dict | None = None,
    ):
        """The curve of a result of :func:`~sklearn_difficulty.split_half_reliability`.

        An alternate constructor, for a reliability already measured (it
        takes a while on a large record).

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
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        line_kw, scatter_kw, splits_kw, target_kw : dict, default=None
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
        display = cls(
            grid,
            projected_reliability(result, grid),
            np.array([result.n_half, result.n_members]),
            np.array([result.half, result.reliability]),
            split_correlations=result.correlations,
            target=target,
            members_needed=needed,
            score_name=str(result.score),
        )
        return display.plot(
            ax=ax,
            line_kw=line_kw,
            scatter_kw=scatter_kw,
            splits_kw=splits_kw,
            target_kw=target_kw,
        )

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
            A record of at least 2 members.
        score : str or callable, default="learning_speed"
            The score; see :func:`~sklearn_difficulty.split_half_reliability`.
        scored_set : str, default="train"
            The scored set whose examples are correlated.
        n_splits : int, default=20
            Number of random splits.
        random_state : int, RandomState instance or None, default=None
            Draws the splits.
        **kwargs
            The keyword arguments of :meth:`from_reliability` (``target``,
            ``max_members``, ``ax``, ``line_kw``, ``scatter_kw``,
            ``splits_kw``, ``target_kw``).

        Returns
        -------
        display : ReliabilityDisplay
        """
        result = split_half_reliability(
            as_record(record, "record"),
            score,
            scored_set=scored_set,
            n_splits=n_splits,
            random_state=random_state,
        )
        return cls.from_reliability(result, **kwargs)
