"""PruningCurveDisplay: test score against the fraction of examples kept.

The scores and their intervals come from
:func:`~sklearn_difficulty.pruning_curve.pruning_curve`.
"""

from __future__ import annotations

import numpy as np

from ..pruning_curve import PruningCurve, pruning_curve
from ._base import RecordDisplayMixin, figure_and_axes, merge_style

__all__ = ["PruningCurveDisplay"]

#: How each end is named in the legend.
DROP_LABELS = {
    "easiest": "drop the easiest",
    "hardest": "drop the hardest",
    "random": "drop at random",
}


class PruningCurveDisplay(RecordDisplayMixin):
    """Mean test score against the fraction kept, one line per end, with bands.

    Parameters
    ----------
    keep : ndarray of shape (n_fractions,)
        The fractions of the training examples kept (x axis).
    mean : ndarray of shape (n_drops, n_fractions)
        Mean test score of each end at each fraction.
    low, high : ndarray of shape (n_drops, n_fractions)
        The interval of each mean (NaN: no band).
    drop : tuple of str
        The end of each row of ``mean``.
    full_mean : float, default=nan
        Mean test score when training on every example (a horizontal line;
        NaN: none).
    full_interval : tuple of float, default=(nan, nan)
        Its interval, drawn as a band.
    score : str, default=None
        The difficulty score that ranked the examples, for the title.
    scoring : str, default="accuracy"
        What the test scores are, for the y label.
    confidence : float, default=0.95
        The level of the intervals, for the title.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        One line per end, in the order of ``drop``.
    bands_ : list of matplotlib PolyCollection
        The interval band of each end.
    full_line_ : matplotlib Line2D or None
        The score of the model trained on every example.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    See Also
    --------
    sklearn_difficulty.pruning_curve.pruning_curve : Computes the curve.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_difficulty.plotting import PruningCurveDisplay
    >>> display = PruningCurveDisplay(
    ...     np.array([0.9, 0.5]), np.array([[0.8, 0.7], [0.9, 0.85]]),
    ...     np.array([[0.75, 0.6], [0.85, 0.8]]), np.array([[0.85, 0.8], [0.95, 0.9]]),
    ...     drop=("random", "hardest"), full_mean=0.82).plot()
    >>> [line.get_label() for line in display.lines_]
    ['drop at random', 'drop the hardest']
    """

    def __init__(
        self,
        keep,
        mean,
        low,
        high,
        *,
        drop,
        full_mean=np.nan,
        full_interval=(np.nan, np.nan),
        score=None,
        scoring="accuracy",
        confidence=0.95,
    ):
        self.keep = keep
        self.mean = mean
        self.low = low
        self.high = high
        self.drop = drop
        self.full_mean = full_mean
        self.full_interval = full_interval
        self.score = score
        self.scoring = scoring
        self.confidence = confidence

    def plot(
        self,
        ax=None,
        *,
        line_kw: dict | None = None,
        fill_kw: dict | None = None,
        full_kw: dict | None = None,
    ):
        """Draw a line and an interval band per end, and the full-data reference.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        line_kw : dict, default=None
            Passed to ``Axes.plot`` for each end, over the defaults (round
            markers, the colours of the property cycle, the end as label).
        fill_kw : dict, default=None
            Passed to ``Axes.fill_between`` for each band, over the defaults
            (the line's colour, ``alpha=0.2``).
        full_kw : dict, default=None
            Passed to ``Axes.axhline`` for the full-data reference, over the
            defaults (dashed grey).

        Returns
        -------
        display : PruningCurveDisplay
        """
        self.figure_, self.ax_ = figure_and_axes(ax, size=(4.2, 3.2))
        keep = np.asarray(self.keep, dtype=float)
        self.lines_, self.bands_ = [], []
        for end, mean, low, high in zip(
            self.drop, self.mean, self.low, self.high, strict=True
        ):
            style = {"marker": "o", "markersize": 3, "label": DROP_LABELS[end]}
            (line,) = self.ax_.plot(keep, mean, **merge_style(style, line_kw))
            fill = {"color": line.get_color(), "alpha": 0.2, "linewidth": 0}
            band = self.ax_.fill_between(keep, low, high, **merge_style(fill, fill_kw))
            self.lines_.append(line)
            self.bands_.append(band)
        self.full_line_ = None
        if np.isfinite(self.full_mean):
            full = {"color": "grey", "linestyle": "--", "linewidth": 1}
            full["label"] = "all examples"
            self.full_line_ = self.ax_.axhline(
                self.full_mean, **merge_style(full, full_kw)
            )
            if np.all(np.isfinite(self.full_interval)):
                self.ax_.axhspan(*self.full_interval, color="grey", alpha=0.1, lw=0)
        self.ax_.set_xlabel("fraction of training examples kept")
        self.ax_.set_ylabel(f"test {self.scoring}")
        ranked = f"ranked by {self.score}, " if self.score else ""
        self.ax_.set_title(
            f"{ranked}mean and {self.confidence:.0%} interval", fontsize=9
        )
        self.ax_.legend(fontsize=8)
        return self

    @classmethod
    def from_curve(
        cls,
        curve: PruningCurve,
        *,
        ax=None,
        line_kw: dict | None = None,
        fill_kw: dict | None = None,
        full_kw: dict | None = None,
    ):
        """The Display of a :class:`~sklearn_difficulty.pruning_curve.PruningCurve`.

        Parameters
        ----------
        curve : PruningCurve
        ax : matplotlib Axes, default=None
        line_kw, fill_kw, full_kw : dict, default=None
            As in :meth:`plot`.

        Returns
        -------
        display : PruningCurveDisplay
        """
        if not isinstance(curve, PruningCurve):
            raise TypeError(
                f"curve must be a PruningCurve; got {type(curve).__name__}."
            )
        low, high = curve.interval
        display = cls(
            curve.keep,
            curve.mean,
            low,
            high,
            drop=curve.drop,
            full_mean=curve.full_mean,
            full_interval=curve.full_interval,
            score=curve.score,
            scoring=curve.scoring,
            confidence=curve.confidence,
        )
        return display.plot(ax=ax, line_kw=line_kw, fill_kw=fill_kw, full_kw=full_kw)

    @classmethod
    def from_record(
        cls,
        record,
        estimator,
        X,
        y,
        X_test,
        y_test,
        *,
        ax=None,
        line_kw: dict | None = None,
        fill_kw: dict | None = None,
        full_kw: dict | None = None,
        **kwargs,
    ):
        """Compute the pruning curve of the examples a record scores, and draw it.

        Parameters
        ----------
        record : PredictionRecord, fitted EnsembleDifficulty or path
            The record of ``(X, y)`` whose scores rank the examples.
        estimator : estimator
            The downstream model.
        X, y, X_test, y_test : array-like
            As in :func:`~sklearn_difficulty.pruning_curve.pruning_curve`.
        ax : matplotlib Axes, default=None
        line_kw, fill_kw, full_kw : dict, default=None
            As in :meth:`plot`.
        **kwargs
            The other arguments of
            :func:`~sklearn_difficulty.pruning_curve.pruning_curve`
            (``score``, ``keep``, ``drop``, ``n_repeats``, ...).

        Returns
        -------
        display : PruningCurveDisplay
        """
        curve = pruning_curve(estimator, X, y, X_test, y_test, scores=record, **kwargs)
        return cls.from_curve(
            curve, ax=ax, line_kw=line_kw, fill_kw=fill_kw, full_kw=full_kw
        )

    @classmethod
    def from_estimator(cls, estimator, *args, **kwargs):
        """The pruning curve of a fitted EnsembleDifficulty's record, drawn.

        Parameters
        ----------
        estimator : fitted EnsembleDifficulty or PredictionRecord
            The ensemble whose record ranks the examples (the
            ``ensemble`` argument).
        *args, **kwargs
            The arguments of :meth:`from_record` after ``record``: the
            downstream estimator, X, y, X_test, y_test, and the options.

        Returns
        -------
        display : PruningCurveDisplay

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from sklearn_difficulty import EnsembleDifficulty
        >>> from sklearn_difficulty.plotting import PruningCurveDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> ensemble = EnsembleDifficulty(
        ...     KNeighborsClassifier(), n_estimators=3, max_samples=0.5,
        ...     random_state=0).fit(X[::2], y[::2])
        >>> display = PruningCurveDisplay.from_estimator(
        ...     ensemble, KNeighborsClassifier(), X[::2], y[::2], X[1::2], y[1::2],
        ...     keep=(0.9, 0.6), n_repeats=2, random_state=0)
        >>> len(display.lines_), display.lines_[0].get_xdata().tolist()
        (3, [0.9, 0.6])
        """
        return super().from_estimator(estimator, *args, **kwargs)
