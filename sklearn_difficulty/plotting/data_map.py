"""DataMapDisplay: confidence against variability, coloured by correctness.

The map comes from :func:`~sklearn_difficulty.scores.data_map`.
"""

from __future__ import annotations

from ..record import as_record
from ..scores import data_map
from ._base import RecordDisplayMixin, figure_and_axes, merge_style

__all__ = ["DataMapDisplay"]


class DataMapDisplay(RecordDisplayMixin):
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
        Standard deviation of the probability of the true class.
    confidence : ndarray of shape (n_samples,)
        Its mean.
    correctness : ndarray of shape (n_samples,)
        Fraction of the epochs at which the example is classified correctly.
    title : str, default=""
        Title of the plot.

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
    >>> import matplotlib
    >>> matplotlib.use("Agg")
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
        text_kw: dict | None = None,
        colorbar: bool = True,
        annotate: bool = True,
    ):
        """Draw the data map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        scatter_kw : dict, default=None
            Passed to ``Axes.scatter``, over the defaults (``s=4``,
            ``alpha=0.6``, ``cmap="viridis"`` over [0, 1]).
        text_kw : dict, default=None
            Passed to ``Axes.text`` for the names of the regions, over the
            defaults (small, on a white box).
        colorbar : bool, default=True
            Draw the colour scale of the correctness.
        annotate : bool, default=True
            Name the easy-to-learn, ambiguous and hard-to-learn regions.

        Returns
        -------
        display : DataMapDisplay
        """
        self.figure_, self.ax_ = figure_and_axes(ax, size=(4.2, 3.6))
        ax = self.ax_
        style = {
            "c": self.correctness,
            "s": 4,
            "alpha": 0.6,
            "cmap": "viridis",
            "vmin": 0.0,
            "vmax": 1.0,
        }
        self.scatter_ = ax.scatter(
            self.variability, self.confidence, **merge_style(style, scatter_kw)
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
            defaults = {
                "fontsize": 8,
                "bbox": {"facecolor": "white", "alpha": 0.7, "linewidth": 0},
            }
            for text, x, y, vertical, horizontal in regions:
                place = {
                    "verticalalignment": vertical,
                    "horizontalalignment": horizontal,
                    "transform": ax.transAxes,
                }
                self.annotations_.append(
                    ax.text(x, y, text, **merge_style({**place, **defaults}, text_kw))
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
        text_kw: dict | None = None,
        colorbar: bool = True,
        annotate: bool = True,
    ):
        """The data map of one scored set of a record recorded with "proba".

        Parameters
        ----------
        record : PredictionRecord or fitted EnsembleDifficulty
            Recorded with ``record_outputs`` including "proba".
        scored_set : str, default="train"
            Which scored set.
        aggregate : {"members", "pooled"}, default="members"
            How the members combine; see
            :func:`~sklearn_difficulty.scores.data_map`.
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        scatter_kw, text_kw : dict, default=None
            As in :meth:`plot`.
        colorbar, annotate : bool, default=True
            As in :meth:`plot`.

        Returns
        -------
        display : DataMapDisplay
        """
        source = as_record(record, "record")
        result = data_map(source, scored_set=scored_set, aggregate=aggregate)
        title = f"{scored_set}, {source.n_members} members" + (
            ", pooled" if aggregate == "pooled" else ""
        )
        display = cls(
            result.variability, result.confidence, result.correctness, title=title
        )
        return display.plot(
            ax=ax,
            scatter_kw=scatter_kw,
            text_kw=text_kw,
            colorbar=colorbar,
            annotate=annotate,
        )
