"""JointConsistencyDisplay: two records' consistency at matched stages, in 2-D.

The histogram comes from
:meth:`~sklearn_difficulty.compare.RecordComparison.joint_histogram`.
"""

from __future__ import annotations

import numpy as np

from ._base import as_comparison, figure_and_axes, merge_style

__all__ = ["JointConsistencyDisplay"]


class JointConsistencyDisplay:
    """2-D distribution of two records' consistency at matched stages (Fig. 4c-d).

    Parameters
    ----------
    histogram : ndarray of shape (n_bins_a, n_bins_b)
        Fraction of the examples in each cell; rows follow the first
        record (x axis), columns the second (y axis).
    edges_a : ndarray of shape (n_bins_a + 1,)
        Bin edges of the first record's consistency.
    edges_b : ndarray of shape (n_bins_b + 1,)
        Bin edges of the second record's consistency.
    names : tuple of str, default=("a", "b")
        Names of the two records, for the axis labels.
    title : str, default=""
        Title of the plot.

    Attributes
    ----------
    image_ : matplotlib QuadMesh
        The 2-D histogram.
    colorbar_ : matplotlib Colorbar or None
        Its colour scale.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    See Also
    --------
    sklearn_difficulty.compare.RecordComparison.joint_histogram : Computes it.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.plotting import JointConsistencyDisplay
    >>> rng = np.random.RandomState(0)
    >>> p = rng.uniform(0.2, 0.9, 60)
    >>> def record(seed):
    ...     right = np.random.RandomState(seed).uniform(size=(4, 3, 60)) < p
    ...     return PredictionRecord(
    ...         predictions={"train": right.astype(np.uint8)},
    ...         targets={"train": np.ones(60, np.uint8)},
    ...         classes=np.array([0, 1]), stages=np.arange(1, 4))
    >>> display = JointConsistencyDisplay.from_comparison(
    ...     record(1), record(2), names=("first", "second"), tolerance=0.1)
    >>> display.ax_.get_xlabel()
    'consistency, first'
    >>> display.image_.get_array().shape  # one bin per score k / 4
    (5, 5)
    """

    def __init__(self, histogram, edges_a, edges_b, *, names=("a", "b"), title=""):
        self.histogram = histogram
        self.edges_a = edges_a
        self.edges_b = edges_b
        self.names = names
        self.title = title

    def plot(
        self,
        ax=None,
        *,
        log: bool = True,
        cmap="viridis",
        image_kw: dict | None = None,
        colorbar: bool = True,
    ):
        """Draw the 2-D histogram.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        log : bool, default=True
            A logarithmic colour scale (empty cells left blank).
        cmap : str or matplotlib Colormap, default="viridis"
            The colour map.
        image_kw : dict, default=None
            Passed to ``Axes.pcolormesh``, over the defaults (``cmap``, and
            ``norm`` for the log scale).
        colorbar : bool, default=True
            Draw the colour scale.

        Returns
        -------
        display : JointConsistencyDisplay
        """
        self.figure_, self.ax_ = figure_and_axes(ax)
        histogram = np.asarray(self.histogram, dtype=float)
        style: dict = {"cmap": cmap}
        if log:
            from matplotlib.colors import LogNorm

            histogram = np.where(histogram > 0, histogram, np.nan)
            style["norm"] = LogNorm()
        self.image_ = self.ax_.pcolormesh(
            self.edges_a, self.edges_b, histogram.T, **merge_style(style, image_kw)
        )
        self.colorbar_ = (
            self.figure_.colorbar(
                self.image_, ax=self.ax_, label="fraction of examples"
            )
            if colorbar
            else None
        )
        self.ax_.set_xlabel(f"consistency, {self.names[0]}")
        self.ax_.set_ylabel(f"consistency, {self.names[1]}")
        self.ax_.set_title(self.title, fontsize=9)
        return self

    @classmethod
    def from_comparison(
        cls,
        a,
        b=None,
        *,
        names=("a", "b"),
        scored_set: str = "train",
        tolerance: float = 0.01,
        pair: int = -1,
        bins: int | None = None,
        ax=None,
        log: bool = True,
        cmap="viridis",
        image_kw: dict | None = None,
        colorbar: bool = True,
    ):
        """The 2-D histogram of one matched pair of stages of two records.

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
        tolerance : float, default=0.01
            Largest difference of mean accuracy for two stages to match
            (see :func:`~sklearn_difficulty.compare.compare_records`); not
            used with a comparison.
        pair : int, default=-1
            Which matched pair of stages (an index into the comparison's
            ``pairs``); the last by default.
        bins : int, default=None
            Bins on each axis; None for one per possible score.
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        log, cmap, image_kw, colorbar
            As in :meth:`plot`.

        Returns
        -------
        display : JointConsistencyDisplay
            Its title names the pair's stages by their epochs where the
            records know them ("a epoch 0.22 (step 4), b round 12").
        """
        comparison = as_comparison(
            a, b, names=names, scored_set=scored_set, tolerance=tolerance
        )
        histogram, edges_a, edges_b = comparison.joint_histogram(pair, bins=bins)
        accuracy = comparison.accuracy_a[comparison.pairs[pair][0]]
        name_a, name_b = comparison.names
        stage_a, stage_b = comparison.pair_names(pair)
        title = f"accuracy {accuracy:.2f}: {name_a} {stage_a}, {name_b} {stage_b}"
        display = cls(histogram, edges_a, edges_b, names=comparison.names, title=title)
        return display.plot(
            ax=ax, log=log, cmap=cmap, image_kw=image_kw, colorbar=colorbar
        )
