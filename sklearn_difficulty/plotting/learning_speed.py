"""LearningSpeedDisplay: each example's learning speed in two records.

The speeds and Pearson's r come from
:func:`~sklearn_difficulty.compare.compare_records`.
"""

from __future__ import annotations

import numpy as np

from ._base import SPEED_NAMES, as_comparison, figure_and_axes, merge_style

__all__ = ["LearningSpeedDisplay"]


class LearningSpeedDisplay:
    """Learning speed of each example in two records, with Pearson's r (Fig. 4b).

    Parameters
    ----------
    speed_a : ndarray of shape (n_samples,)
        Learning speed of each example in the first record (x axis).
    speed_b : ndarray of shape (n_samples,)
        Learning speed of each example in the second record (y axis).
    pearson : tuple of float, default=(nan, nan)
        Pearson's r of the two and its p-value, for the title.
    names : tuple of str, default=("a", "b")
        Names of the two records, for the axis labels.
    average : {"stages", "steps"}, default="stages"
        How the speeds average over the training stages (see
        :func:`~sklearn_difficulty.scores.learning_speed`), for the axis
        labels: "learning speed" or "learning speed over steps".

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        One point per example.
    diagonal_ : matplotlib Line2D
        The line y = x.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    See Also
    --------
    sklearn_difficulty.compare.compare_records : Computes the speeds and r.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_difficulty.plotting import LearningSpeedDisplay
    >>> display = LearningSpeedDisplay(
    ...     np.array([0.1, 0.5, 0.9]), np.array([0.2, 0.4, 1.0]),
    ...     pearson=(0.97, 0.15), names=("CNN", "AdaBoost")).plot()
    >>> display.ax_.get_title()
    'r = 0.97, p = 1.5e-01'
    >>> display.scatter_.get_offsets().shape
    (3, 2)
    """

    def __init__(
        self,
        speed_a,
        speed_b,
        *,
        pearson=(np.nan, np.nan),
        names=("a", "b"),
        average="stages",
    ):
        self.speed_a = speed_a
        self.speed_b = speed_b
        self.pearson = pearson
        self.names = names
        self.average = average

    def plot(
        self,
        ax=None,
        *,
        scatter_kw: dict | None = None,
        diagonal_kw: dict | None = None,
    ):
        """Draw the scatter plot and the diagonal.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        scatter_kw : dict, default=None
            Passed to ``Axes.scatter``, over the defaults (``s=4``,
            ``alpha=0.4``).
        diagonal_kw : dict, default=None
            Passed to ``Axes.plot`` for the line y = x, over the defaults
            (grey, thin).

        Returns
        -------
        display : LearningSpeedDisplay
        """
        self.figure_, self.ax_ = figure_and_axes(ax, size=(3.4, 3.2))
        self.scatter_ = self.ax_.scatter(
            self.speed_a,
            self.speed_b,
            **merge_style({"s": 4, "alpha": 0.4}, scatter_kw),
        )
        (self.diagonal_,) = self.ax_.plot(
            [0, 1],
            [0, 1],
            **merge_style({"color": "grey", "linewidth": 0.8}, diagonal_kw),
        )
        speed = SPEED_NAMES[self.average]
        self.ax_.set_xlabel(f"{speed}, {self.names[0]}")
        self.ax_.set_ylabel(f"{speed}, {self.names[1]}")
        r, p = self.pearson
        self.ax_.set_title(f"r = {r:.2f}, p = {p:.1e}", fontsize=9)
        return self

    @classmethod
    def from_comparison(
        cls,
        a,
        b=None,
        *,
        names=("a", "b"),
        scored_set: str = "train",
        average: str = "stages",
        ax=None,
        scatter_kw: dict | None = None,
        diagonal_kw: dict | None = None,
    ):
        """The learning speeds of the examples in two records.

        Parameters
        ----------
        a : RecordComparison, PredictionRecord or fitted EnsembleDifficulty
            A comparison (then ``b`` is None), or the first record.
        b : PredictionRecord or fitted EnsembleDifficulty, default=None
            The second record, of the same examples as ``a``.
        names : tuple of str, default=("a", "b")
            Names of the two records; not used with a comparison, which has
            its own.
        scored_set : str, default="train"
            Which scored set to compare; not used with a comparison.
        average : {"stages", "steps"}, default="stages"
            How the speeds average over the training stages (see
            :func:`~sklearn_difficulty.compare.compare_records`); not used
            with a comparison, which has its own.
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        scatter_kw, diagonal_kw : dict, default=None
            As in :meth:`plot`.

        Returns
        -------
        display : LearningSpeedDisplay
        """
        comparison = as_comparison(
            a, b, names=names, scored_set=scored_set, average=average
        )
        display = cls(
            comparison.learning_speed_a,
            comparison.learning_speed_b,
            pearson=comparison.pearson,
            names=comparison.names,
            average=comparison.average,
        )
        return display.plot(ax=ax, scatter_kw=scatter_kw, diagonal_kw=diagonal_kw)
