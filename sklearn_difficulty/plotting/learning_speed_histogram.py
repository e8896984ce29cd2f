"""LearningSpeedHistogramDisplay: how many examples learn at each speed.

The speeds come from :func:`~sklearn_difficulty.scores.learning_speed`: the
mean over the training stages, or with ``average="steps"`` the area over the
optimiser steps (for stages that are not evenly spaced).
"""

from __future__ import annotations

import numpy as np

from ..record import as_record
from ..scores import learning_speed
from ._base import RecordDisplayMixin, figure_and_axes, merge_style

__all__ = ["LearningSpeedHistogramDisplay"]

_X_LABELS = {
    "stages": "learning speed (mean consistency over training)",
    "steps": "learning speed over steps (area under consistency / steps)",
}


class LearningSpeedHistogramDisplay(RecordDisplayMixin):
    """How many examples of each scored set learn at each speed.

    The learning speed (mean consistency over the training stages, section
    4.1) of one record's examples, one histogram per scored set, side by
    side in each bin. (:class:`~sklearn_difficulty.plotting.LearningSpeedDisplay`
    plots two records' speeds against each other.)

    Parameters
    ----------
    speeds : dict of str to ndarray of shape (n_samples,)
        The learning speed of each example of each scored set.
    bins : int, default=20
        Equal bins over [0, 1].
    average : {"stages", "steps"}, default="stages"
        How the speeds average over the training stages (see
        :func:`~sklearn_difficulty.scores.learning_speed`), for the x label.

    Attributes
    ----------
    bars_ : dict of str to matplotlib BarContainer
        The bars of each scored set.
    legend_ : matplotlib Legend
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.plotting import LearningSpeedHistogramDisplay
    >>> right = np.random.RandomState(0).uniform(size=(4, 3, 20)) < 0.6
    >>> record = PredictionRecord(
    ...     predictions={"train": right.astype(np.uint8)},
    ...     targets={"train": np.ones(20, np.uint8)}, classes=np.array([0, 1]),
    ...     stages=np.arange(1, 4))
    >>> display = LearningSpeedHistogramDisplay.from_record(record, bins=5)
    >>> int(sum(bar.get_height() for bar in display.bars_["train"]))
    20
    """

    def __init__(self, speeds: dict, *, bins: int = 20, average: str = "stages"):
        self.speeds = speeds
        self.bins = bins
        self.average = average

    def plot(self, ax=None, *, bar_kw: dict | None = None):
        """Draw the histograms.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        bar_kw : dict, default=None
            Passed to ``Axes.bar`` for every set, over the defaults (colours
            from the property cycle).

        Returns
        -------
        display : LearningSpeedHistogramDisplay
        """
        self.figure_, self.ax_ = figure_and_axes(ax, size=(4.0, 3.0))
        edges = np.linspace(0, 1, self.bins + 1)
        width = np.diff(edges) / max(len(self.speeds), 1)
        self.bars_ = {}
        for k, (name, speed) in enumerate(self.speeds.items()):
            counts, _ = np.histogram(speed, bins=edges)
            style = {"width": width, "align": "edge", "label": name}
            self.bars_[name] = self.ax_.bar(
                edges[:-1] + k * width, counts, **merge_style(style, bar_kw)
            )
        self.ax_.set_xlabel(_X_LABELS[self.average])
        self.ax_.set_ylabel("examples")
        self.legend_ = self.ax_.legend(fontsize=7)
        return self

    @classmethod
    def from_record(
        cls,
        record,
        *,
        scored_sets=None,
        bins: int = 20,
        average: str = "stages",
        ax=None,
        bar_kw=None,
    ):
        """The learning speeds of a record (or a fitted ensemble).

        Parameters
        ----------
        record : PredictionRecord or fitted EnsembleDifficulty
        scored_sets : list of str, default=None
            Which scored sets; None for all.
        bins : int, default=20
        average : {"stages", "steps"}, default="stages"
            The mean over the training stages, or the area over the
            optimiser steps (see
            :func:`~sklearn_difficulty.scores.learning_speed`).
        ax, bar_kw
            As in :meth:`plot`.

        Returns
        -------
        display : LearningSpeedHistogramDisplay
        """
        record = as_record(record, "record")
        names = record.set_names if scored_sets is None else scored_sets
        speeds = {
            name: learning_speed(record, scored_set=name, average=average)
            for name in names
        }
        return cls(speeds, bins=bins, average=average).plot(ax=ax, bar_kw=bar_kw)
