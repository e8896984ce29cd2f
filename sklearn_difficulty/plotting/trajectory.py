"""TrajectoryDisplay: the consistency of single examples over the stages.

The consistency comes from :func:`~sklearn_difficulty.scores.consistency`.
"""

from __future__ import annotations

import numpy as np

from ..record import as_record
from ..scores import consistency
from ._base import RecordDisplayMixin, draw_curves, figure_and_axes

__all__ = ["TrajectoryDisplay"]


class TrajectoryDisplay(RecordDisplayMixin):
    """Consistency of single examples over the stages (Fig. 11).

    Parameters
    ----------
    consistency : ndarray of shape (n_stages, n_examples)
        The consistency of each example shown at each stage.
    stages : array-like of shape (n_stages,)
        Where the stages lie on the x axis: their epochs where known
        (``record.stage_axis``), else their labels.
    indices : array-like of shape (n_examples,)
        Indices of the examples, for the legend.
    stage_kind : str, default="stage"
        What the x axis counts, for its label ("epoch" where the epochs are
        known).

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One curve per example.
    legend_ : matplotlib Legend
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.plotting import TrajectoryDisplay
    >>> right = np.random.RandomState(0).uniform(size=(4, 3, 20)) < 0.6
    >>> record = PredictionRecord(
    ...     predictions={"train": right.astype(np.uint8)},
    ...     targets={"train": np.ones(20, np.uint8)}, classes=np.array([0, 1]),
    ...     stages=np.arange(1, 4))
    >>> display = TrajectoryDisplay.from_record(record, [2, 7])
    >>> [line.get_label() for line in display.lines_]
    ['example 2', 'example 7']
    """

    def __init__(self, consistency, stages, indices, *, stage_kind="stage"):
        self.consistency = consistency
        self.stages = stages
        self.indices = indices
        self.stage_kind = stage_kind

    def plot(self, ax=None, *, line_kw: dict | None = None):
        """Draw one curve per example.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        line_kw : dict, default=None
            Passed to ``Axes.plot`` for every curve, over the defaults
            (small round markers; colours from the property cycle).

        Returns
        -------
        display : TrajectoryDisplay
        """
        self.figure_, self.ax_ = figure_and_axes(ax, size=(4.0, 3.0))
        curves = np.asarray(self.consistency).T
        labels = [f"example {index}" for index in self.indices]
        self.lines_ = draw_curves(self.ax_, self.stages, curves, labels, line_kw)
        self.ax_.set_xlabel(self.stage_kind)
        self.ax_.set_ylabel("consistency")
        self.ax_.set_ylim(-0.02, 1.02)
        self.legend_ = self.ax_.legend(fontsize=7)
        return self

    @classmethod
    def from_record(
        cls,
        record,
        indices,
        *,
        scored_set: str = "train",
        ax=None,
        line_kw: dict | None = None,
    ):
        """Trajectories of some examples of one scored set of a record.

        The x axis is in epochs where the record knows them (fractions for
        stages recorded after optimiser steps), else in stage labels.

        Parameters
        ----------
        record : PredictionRecord or fitted EnsembleDifficulty
            Where the predictions come from.
        indices : int or array-like of int
            The examples to show.
        scored_set : str, default="train"
            Which scored set.
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        line_kw : dict, default=None
            As in :meth:`plot`.

        Returns
        -------
        display : TrajectoryDisplay
        """
        record = as_record(record, "record")
        indices = np.atleast_1d(np.asarray(indices, dtype=int))
        scores = consistency(record, scored_set=scored_set)[:, indices]
        positions, unit = record.stage_axis
        display = cls(scores, positions, indices, stage_kind=unit)
        return display.plot(ax=ax, line_kw=line_kw)
