"""Plots of the paper's figures as scikit-learn style Display objects.

As :class:`sklearn.metrics.ConfusionMatrixDisplay`: public functions compute
(:func:`~sklearn_difficulty.dynamics.score_histograms`,
:func:`~sklearn_difficulty.compare.compare_records`,
:func:`~sklearn_difficulty.scores.data_map`,
:func:`~sklearn_difficulty.split_half_reliability`, ...); a Display holds
their results in its constructor, and ``plot(ax=None, **style)`` draws them
with matplotlib (imported only then), keeps what it drew as attributes
(``bars_``, ``lines_``, ``image_``, ``scatter_``, ...), sets ``ax_`` (or
``axes_`` for a grid) and ``figure_``, and returns the Display. Style goes
through ``*_kw`` dictionaries, merged over the defaults.

The factories are ``from_record`` (a :class:`~sklearn_difficulty.\
PredictionRecord`, for instance one loaded from disk) and ``from_estimator``
(a fitted :class:`~sklearn_difficulty.EnsembleDifficulty`); both accept
either. Displays of two ensembles are built by ``from_comparison``, from a
:class:`~sklearn_difficulty.compare.RecordComparison` or from the two
records or ensembles.
"""

from __future__ import annotations

import numpy as np

from .compare import RecordComparison, compare_records, group_accuracy
from .dynamics import score_histograms
from .record import as_record
from .reliability import members_needed, projected_reliability, split_half_reliability
from .scores import consistency, data_map, learning_speed

__all__ = [
    "DataMapDisplay",
    "GroupAccuracyDisplay",
    "JointConsistencyDisplay",
    "LearningSpeedDisplay",
    "LearningSpeedHistogramDisplay",
    "ReliabilityDisplay",
    "ScoreHistogramDisplay",
    "TrajectoryDisplay",
    "save_figure",
]


def _pyplot():
    """matplotlib.pyplot, or an ImportError that names the extra to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            'plotting needs matplotlib: pip install "sklearn-difficulty[plot]"'
        ) from error
    return plt


def _figure_and_axes(ax, shape=None, *, size=(3.6, 3.2)):
    """The figure and the axes a Display draws on, given or new.

    Parameters
    ----------
    ax : matplotlib Axes, array-like of Axes or None
        Where to draw; None for a new figure.
    shape : tuple of int, default=None
        None for one Axes; ``(n_rows, n_cols)`` for a grid, returned as a
        2-D array (``ax`` then holds that many Axes, in row-major order).
    size : tuple of float, default=(3.6, 3.2)
        Width and height in inches of a new figure, or of each panel of a
        new grid.

    Returns
    -------
    figure : matplotlib Figure
    axes : matplotlib Axes or ndarray of shape ``shape`` of Axes
    """
    plt = _pyplot()
    if shape is None:
        if ax is None:
            _, ax = plt.subplots(figsize=size)
        return ax.figure, ax
    n_rows, n_cols = shape
    if ax is None:
        figure, axes = plt.subplots(
            n_rows,
            n_cols,
            figsize=(size[0] * n_cols, size[1] * n_rows),
            squeeze=False,
        )
        return figure, axes
    axes = np.asarray(ax, dtype=object)
    if axes.size != n_rows * n_cols:
        raise ValueError(
            f"ax must hold {n_rows} x {n_cols} Axes (one per scored set and "
            f"stage); got {axes.size}."
        )
    axes = axes.reshape(shape)
    return axes.flat[0].figure, axes


def save_figure(display, path, *, dpi: int = 100):
    """Save the figure of a Display (or a Figure) to a file, and close it.

    Parameters
    ----------
    display : Display or matplotlib Figure
        What to save: a Display's ``figure_``, or a figure.
    path : str or path-like
        The file; its suffix gives the format (".png", ".svg", ".pdf").
    dpi : int, default=100
        Resolution of raster formats.

    Returns
    -------
    path : str or path-like
        ``path``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import os, tempfile
    >>> from sklearn_difficulty.plotting import GroupAccuracyDisplay, save_figure
    >>> display = GroupAccuracyDisplay([[0.5, 1.0]], [1, 2]).plot()
    >>> folder = tempfile.mkdtemp()
    >>> path = save_figure(display, os.path.join(folder, "groups.png"))
    >>> os.path.getsize(path) > 1000
    True
    """
    plt = _pyplot()
    figure = getattr(display, "figure_", display)
    figure.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return path


#: Short names of matplotlib properties, and the full names they stand for.
_ALIASES = {
    "c": "color",
    "ls": "linestyle",
    "lw": "linewidth",
    "ms": "markersize",
    "ec": "edgecolor",
    "fc": "facecolor",
    "mec": "markeredgecolor",
    "mfc": "markerfacecolor",
    "ha": "horizontalalignment",
    "va": "verticalalignment",
}


def _style(defaults: dict, user: dict | None) -> dict:
    """The defaults, overridden by a user's ``*_kw``.

    A short name ("c", "lw", ...) replaces the default of its full name, so
    that matplotlib is not given both.
    """
    style = dict(defaults)
    for key, value in (user or {}).items():
        full = _ALIASES.get(key, key)
        style[full if full in defaults else key] = value
    return style


def _comparison(a, b, *, names, scored_set, tolerance=0.01) -> RecordComparison:
    """``a`` if a comparison (and ``b`` None), else the comparison of a and b."""
    if b is None:
        if not isinstance(a, RecordComparison):
            raise TypeError(
                "with b=None, a must be a RecordComparison (see "
                "compare_records); to compare two records or fitted ensembles, "
                f"pass both as a and b. Got {type(a).__name__}."
            )
        return a
    return compare_records(
        a, b, scored_set=scored_set, tolerance=tolerance, names=names
    )


class ScoreHistogramDisplay:
    """Histograms of consistency or consensus scores over stages (Fig. 1-3, 9).

    One row of panels per scored set (train, test), one column per stage.
    The counts come from
    :func:`~sklearn_difficulty.dynamics.score_histograms`; with one layer per
    label, each bar is stacked by the label most members assign to the
    examples in it (Fig. 9). With ``phases``, each column's title names the
    phase of learning of its stage.

    Parameters
    ----------
    counts : dict of str to ndarray
        For each scored set, the number of examples per bin at each stage
        shown: shape (n_shown, n_bins), or (n_shown, n_labels, n_bins) for
        bars stacked by label.
    edges : ndarray of shape (n_bins + 1,)
        The bin edges.
    stages : array-like of shape (n_shown,)
        Labels of the stages shown.
    score_name : str, default="consistency"
        The score, for the x labels.
    stage_kind : str, default="stage"
        What a stage is ("epoch", "round", ...), for the titles.
    phases : array-like of str of shape (n_shown,), default=None
        The phase of learning of each stage, added to the titles of the top
        row; None for none.
    label_names : array-like of shape (n_labels,), default=None
        Names of the labels of stacked bars, for the legend; None for their
        positions 0, 1, ...

    Attributes
    ----------
    bars_ : ndarray of matplotlib BarContainer
        Of shape (n_sets, n_shown); stacked by label, (n_sets, n_shown,
        n_labels), one container per label.
    legend_ : matplotlib Legend or None
        The legend of the labels of stacked bars.
    axes_ : ndarray of matplotlib Axes of shape (n_sets, n_shown)
    figure_ : matplotlib Figure

    See Also
    --------
    sklearn_difficulty.dynamics.score_histograms : Computes the counts.
    sklearn_difficulty.dynamics.phase_stages : The stages of ``stages="phases"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.plotting import ScoreHistogramDisplay
    >>> rng = np.random.RandomState(0)
    >>> right = rng.uniform(size=(4, 3, 50)) < rng.uniform(0.2, 0.9, 50)
    >>> record = PredictionRecord(
    ...     predictions={"train": right.astype(np.uint8)},
    ...     targets={"train": np.ones(50, np.uint8)}, classes=np.array([0, 1]),
    ...     stages=np.arange(1, 4), stage_kind="epoch")
    >>> display = ScoreHistogramDisplay.from_record(record, phases=True)
    >>> display.bars_.shape  # 1 scored set, 3 stages
    (1, 3)
    >>> len(display.bars_[0, 0])  # one bar per possible score k / 4
    5
    >>> display.axes_[0, 0].get_title().splitlines()[0]
    'train, epoch 1'
    """

    def __init__(
        self,
        counts,
        edges,
        stages,
        *,
        score_name="consistency",
        stage_kind="stage",
        phases=None,
        label_names=None,
    ):
        self.counts = counts
        self.edges = edges
        self.stages = stages
        self.score_name = score_name
        self.stage_kind = stage_kind
        self.phases = phases
        self.label_names = label_names

    def plot(self, ax=None, *, bar_kw: dict | None = None, cmap=None):
        """Draw the histograms.

        Parameters
        ----------
        ax : array-like of matplotlib Axes of shape (n_sets, n_shown), default=None
            Where to draw, one Axes per scored set and stage (row-major);
            None for a new figure.
        bar_kw : dict, default=None
            Passed to ``Axes.bar`` for every bar container, over the
            defaults (the first colour of the property cycle, or the label's
            colour for stacked bars).
        cmap : str or matplotlib Colormap, default=None
            Colours of the labels of stacked bars; None for the property
            cycle.

        Returns
        -------
        display : ScoreHistogramDisplay
        """
        names = list(self.counts)
        stages = np.asarray(self.stages)
        edges = np.asarray(self.edges, dtype=float)
        counts = {name: np.asarray(self.counts[name]) for name in names}
        stacked = counts[names[0]].ndim == 3
        n_layers = counts[names[0]].shape[1] if stacked else 1
        self.figure_, self.axes_ = _figure_and_axes(
            ax, (len(names), stages.size), size=(2.6, 2.4)
        )
        colors = self._layer_colors(n_layers, cmap) if stacked else ["C0"]
        left, width = edges[:-1], np.diff(edges)
        shape = (len(names), stages.size) + ((n_layers,) if stacked else ())
        self.bars_ = np.empty(shape, dtype=object)
        for row, name in enumerate(names):
            for col, stage in enumerate(stages):
                axis = self.axes_[row, col]
                layers = counts[name][col] if stacked else counts[name][col][None]
                bottom = np.zeros(left.size)
                for layer, heights in enumerate(layers):
                    style = {"color": colors[layer]}
                    if stacked:
                        style["label"] = self._label_name(layer)
                    bars = axis.bar(
                        left,
                        heights,
                        width,
                        bottom=bottom,
                        align="edge",
                        **_style(style, bar_kw),
                    )
                    self.bars_[(row, col, layer) if stacked else (row, col)] = bars
                    bottom = bottom + heights
                title = f"{name}, {self.stage_kind} {stage}"
                if self.phases is not None and row == 0:
                    title += f"\n{self.phases[col]}"
                axis.set_title(title, fontsize=9)
                axis.set_xlim(edges[0], edges[-1])
                if row == len(names) - 1:
                    axis.set_xlabel(self.score_name)
        self.legend_ = None
        if stacked:
            self.legend_ = self.axes_[0, -1].legend(
                fontsize=6,
                title="most members say",
                title_fontsize=7,
                loc="upper left",
                bbox_to_anchor=(1.02, 1.0),
            )
        if ax is None:
            self.figure_.tight_layout()
        return self

    def _label_name(self, layer: int) -> str:
        if self.label_names is None:
            return str(layer)
        return str(np.asarray(self.label_names)[layer])

    @staticmethod
    def _layer_colors(n_layers: int, cmap) -> list:
        if cmap is None:
            return [f"C{layer % 10}" for layer in range(n_layers)]
        import matplotlib as mpl

        colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
        if n_layers <= colormap.N <= 20:  # a qualitative map: one colour each
            return [colormap(layer) for layer in range(n_layers)]
        return list(colormap(np.linspace(0, 1, n_layers)))

    @classmethod
    def from_record(
        cls,
        record,
        *,
        score: str = "consistency",
        stages=None,
        scored_sets=None,
        bins: int | None = None,
        color_by_label: bool = False,
        phases: bool = False,
        ax=None,
        bar_kw: dict | None = None,
        cmap=None,
    ):
        """Histograms of a record's scores.

        Parameters
        ----------
        record : PredictionRecord or fitted EnsembleDifficulty
            Where the predictions come from.
        score : {"consistency", "consensus"}, default="consistency"
            Which score.
        stages : array-like of int or "phases", default=None
            Stage indices to show (negative ones count from the end);
            "phases" for the first stage, the first stage of each later
            phase of learning and the last
            (:func:`~sklearn_difficulty.dynamics.phase_stages`); None for up
            to 6 stages spread over the run.
        scored_sets : list of str, default=None
            Which scored sets, one row each; None for all.
        bins : int, default=None
            Number of equal bins over [0, 1]; None for one bin per possible
            score k / n_members.
        color_by_label : bool, default=False
            Stack the bars by the label most members assign (Fig. 9).
        phases : bool, default=False
            Name the phase of learning of each stage (of the training set)
            in the titles of the top row, as
            :func:`~sklearn_difficulty.dynamics.learning_phases` finds it.
        ax : array-like of matplotlib Axes of shape (n_sets, n_shown), default=None
            Where to draw; None for a new figure.
        bar_kw : dict, default=None
            Passed to ``Axes.bar``; see :meth:`plot`.
        cmap : str or matplotlib Colormap, default=None
            Colours of the labels of stacked bars; see :meth:`plot`.

        Returns
        -------
        display : ScoreHistogramDisplay
        """
        histograms = score_histograms(
            record,
            score=score,
            stages=stages,
            scored_sets=scored_sets,
            bins=bins,
            by_label=color_by_label,
            phases=phases,
        )
        display = cls(
            histograms.counts,
            histograms.edges,
            histograms.stages,
            score_name=histograms.score,
            stage_kind=histograms.stage_kind,
            phases=histograms.phases,
            label_names=histograms.labels,
        )
        return display.plot(ax=ax, bar_kw=bar_kw, cmap=cmap)

    @classmethod
    def from_estimator(cls, estimator, **kwargs):
        """Histograms of a fitted EnsembleDifficulty's scores.

        Parameters
        ----------
        estimator : fitted EnsembleDifficulty or PredictionRecord
            The ensemble whose record to show.
        **kwargs
            The keyword arguments of :meth:`from_record` (``score``,
            ``stages``, ``scored_sets``, ``bins``, ``color_by_label``,
            ``phases``, ``ax``, ``bar_kw``, ``cmap``).

        Returns
        -------
        display : ScoreHistogramDisplay
        """
        return cls.from_record(as_record(estimator, "estimator"), **kwargs)


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
        self.figure_, self.ax_ = _figure_and_axes(ax)
        histogram = np.asarray(self.histogram, dtype=float)
        style: dict = {"cmap": cmap}
        if log:
            from matplotlib.colors import LogNorm

            histogram = np.where(histogram > 0, histogram, np.nan)
            style["norm"] = LogNorm()
        self.image_ = self.ax_.pcolormesh(
            self.edges_a, self.edges_b, histogram.T, **_style(style, image_kw)
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
        """
        comparison = _comparison(
            a, b, names=names, scored_set=scored_set, tolerance=tolerance
        )
        histogram, edges_a, edges_b = comparison.joint_histogram(pair, bins=bins)
        i, j = comparison.pairs[pair]
        (name_a, name_b), (kind_a, kind_b) = comparison.names, comparison.stage_kinds
        title = (
            f"accuracy {comparison.accuracy_a[i]:.2f}: {name_a} {kind_a} "
            f"{comparison.stages_a[i]}, {name_b} {kind_b} {comparison.stages_b[j]}"
        )
        display = cls(histogram, edges_a, edges_b, names=comparison.names, title=title)
        return display.plot(
            ax=ax, log=log, cmap=cmap, image_kw=image_kw, colorbar=colorbar
        )


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

    def __init__(self, speed_a, speed_b, *, pearson=(np.nan, np.nan), names=("a", "b")):
        self.speed_a = speed_a
        self.speed_b = speed_b
        self.pearson = pearson
        self.names = names

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
        self.figure_, self.ax_ = _figure_and_axes(ax, size=(3.4, 3.2))
        self.scatter_ = self.ax_.scatter(
            self.speed_a, self.speed_b, **_style({"s": 4, "alpha": 0.4}, scatter_kw)
        )
        (self.diagonal_,) = self.ax_.plot(
            [0, 1],
            [0, 1],
            **_style({"color": "grey", "linewidth": 0.8}, diagonal_kw),
        )
        self.ax_.set_xlabel(f"learning speed, {self.names[0]}")
        self.ax_.set_ylabel(f"learning speed, {self.names[1]}")
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
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        scatter_kw, diagonal_kw : dict, default=None
            As in :meth:`plot`.

        Returns
        -------
        display : LearningSpeedDisplay
        """
        comparison = _comparison(a, b, names=names, scored_set=scored_set)
        display = cls(
            comparison.learning_speed_a,
            comparison.learning_speed_b,
            pearson=comparison.pearson,
            names=comparison.names,
        )
        return display.plot(ax=ax, scatter_kw=scatter_kw, diagonal_kw=diagonal_kw)


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
        Labels of the stages.
    stage_kind : str, default="stage"
        What a stage is, for the x label.
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
        self.figure_, self.ax_ = _figure_and_axes(ax, size=(3.8, 3.0))
        names = self.group_names or _group_names(len(self.accuracy))
        self.lines_ = []
        for curve, name in zip(self.accuracy, names, strict=True):
            style = {"marker": "o", "markersize": 2, "label": name}
            (line,) = self.ax_.plot(self.stages, curve, **_style(style, line_kw))
            self.lines_.append(line)
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
        ax : matplotlib Axes, default=None
            Where to draw; None for a new figure.
        line_kw : dict, default=None
            As in :meth:`plot`.

        Returns
        -------
        display : GroupAccuracyDisplay
        """
        if b is None:
            comparison = _comparison(a, b, names=names, scored_set=scored_set)
            accuracy = comparison.group_accuracy(n_groups)
            stages, stage_kind = comparison.stages_a, comparison.stage_kinds[0]
            names = comparison.names
        else:
            accuracy = group_accuracy(a, b, n_groups=n_groups, scored_set=scored_set)
            record = as_record(a, "a")
            stages, stage_kind = record.stages, record.stage_kind
        display = cls(
            accuracy,
            stages,
            stage_kind=stage_kind,
            title=f"{names[0]} on the groups of {names[1]}",
        )
        return display.plot(ax=ax, line_kw=line_kw)


class LearningSpeedHistogramDisplay:
    """How many examples of each scored set learn at each speed.

    The learning speed (mean consistency over the training stages, section
    4.1) of one record's examples, one histogram per scored set, side by
    side in each bin. (:class:`LearningSpeedDisplay` plots two records'
    speeds against each other.)

    Parameters
    ----------
    speeds : dict of str to ndarray of shape (n_samples,)
        The learning speed of each example of each scored set.
    bins : int, default=20
        Equal bins over [0, 1].

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

    def __init__(self, speeds: dict, *, bins: int = 20):
        self.speeds = speeds
        self.bins = bins

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
        self.figure_, self.ax_ = _figure_and_axes(ax, size=(4.0, 3.0))
        edges = np.linspace(0, 1, self.bins + 1)
        width = np.diff(edges) / max(len(self.speeds), 1)
        self.bars_ = {}
        for k, (name, speed) in enumerate(self.speeds.items()):
            counts, _ = np.histogram(speed, bins=edges)
            style = {"width": width, "align": "edge", "label": name}
            self.bars_[name] = self.ax_.bar(
                edges[:-1] + k * width, counts, **_style(style, bar_kw)
            )
        self.ax_.set_xlabel("learning speed (mean consistency over training)")
        self.ax_.set_ylabel("examples")
        self.legend_ = self.ax_.legend(fontsize=7)
        return self

    @classmethod
    def from_record(
        cls, record, *, scored_sets=None, bins: int = 20, ax=None, bar_kw=None
    ):
        """The learning speeds of a record (or a fitted ensemble).

        Parameters
        ----------
        record : PredictionRecord or fitted EnsembleDifficulty
        scored_sets : list of str, default=None
            Which scored sets; None for all.
        bins : int, default=20
        ax, bar_kw
            As in :meth:`plot`.

        Returns
        -------
        display : LearningSpeedHistogramDisplay
        """
        record = as_record(record, "record")
        names = record.set_names if scored_sets is None else scored_sets
        speeds = {name: learning_speed(record, scored_set=name) for name in names}
        return cls(speeds, bins=bins).plot(ax=ax, bar_kw=bar_kw)

    @classmethod
    def from_estimator(cls, estimator, **kwargs):
        """:meth:`from_record` of a fitted EnsembleDifficulty."""
        return cls.from_record(estimator, **kwargs)


class TrajectoryDisplay:
    """Consistency of single examples over the stages (Fig. 11).

    Parameters
    ----------
    consistency : ndarray of shape (n_stages, n_examples)
        The consistency of each example shown at each stage.
    stages : array-like of shape (n_stages,)
        Labels of the stages.
    indices : array-like of shape (n_examples,)
        Indices of the examples, for the legend.
    stage_kind : str, default="stage"
        What a stage is, for the x label.

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
        self.figure_, self.ax_ = _figure_and_axes(ax, size=(4.0, 3.0))
        self.lines_ = []
        curves = np.asarray(self.consistency).T
        for curve, index in zip(curves, self.indices, strict=True):
            style = {"marker": "o", "markersize": 2, "label": f"example {index}"}
            (line,) = self.ax_.plot(self.stages, curve, **_style(style, line_kw))
            self.lines_.append(line)
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
        display = cls(scores, record.stages, indices, stage_kind=record.stage_kind)
        return display.plot(ax=ax, line_kw=line_kw)

    @classmethod
    def from_estimator(cls, estimator, indices, **kwargs):
        """Trajectories of some examples in a fitted EnsembleDifficulty.

        Parameters
        ----------
        estimator : fitted EnsembleDifficulty or PredictionRecord
            The ensemble whose record to show.
        indices : int or array-like of int
            The examples to show.
        **kwargs
            The keyword arguments of :meth:`from_record` (``scored_set``,
            ``ax``, ``line_kw``).

        Returns
        -------
        display : TrajectoryDisplay
        """
        return cls.from_record(as_record(estimator, "estimator"), indices, **kwargs)


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
        self.figure_, self.ax_ = _figure_and_axes(ax, size=(4.2, 3.6))
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
            self.variability, self.confidence, **_style(style, scatter_kw)
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
                    ax.text(x, y, text, **_style({**place, **defaults}, text_kw))
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

    @classmethod
    def from_estimator(cls, estimator, **kwargs):
        """The data map of a fitted EnsembleDifficulty.

        Parameters
        ----------
        estimator : fitted EnsembleDifficulty or PredictionRecord
            Fitted with ``record_outputs`` including "proba".
        **kwargs
            The keyword arguments of :meth:`from_record` (``scored_set``,
            ``aggregate``, ``ax``, ``scatter_kw``, ``text_kw``,
            ``colorbar``, ``annotate``).

        Returns
        -------
        display : DataMapDisplay
        """
        return cls.from_record(as_record(estimator, "estimator"), **kwargs)


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
        self.figure_, self.ax_ = _figure_and_axes(ax, size=(4.2, 3.2))
        ax = self.ax_
        (self.line_,) = ax.plot(
            self.n_members,
            self.reliability,
            **_style({"color": "C0", "label": "Spearman-Brown"}, line_kw),
        )
        self.splits_ = None
        if self.split_correlations is not None and len(self.split_correlations):
            n_half = self.measured_members[0]
            style = {"s": 6, "color": "grey", "alpha": 0.5, "label": "each split"}
            self.splits_ = ax.scatter(
                np.full(len(self.split_correlations), n_half),
                self.split_correlations,
                **_style(style, splits_kw),
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
            **_style(style, scatter_kw),
        )
        self.target_line_ = self.needed_line_ = None
        line_style = _style(
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

    @classmethod
    def from_estimator(cls, estimator, score="learning_speed", **kwargs):
        """Measure the split-half reliability of a fitted EnsembleDifficulty.

        Parameters
        ----------
        estimator : fitted EnsembleDifficulty or PredictionRecord
            An ensemble of at least 2 members.
        score : str or callable, default="learning_speed"
            The score; see :func:`~sklearn_difficulty.split_half_reliability`.
        **kwargs
            The keyword arguments of :meth:`from_record` (``scored_set``,
            ``n_splits``, ``random_state``) and :meth:`from_reliability`
            (``target``, ``max_members``, ``ax``, ``*_kw``).

        Returns
        -------
        display : ReliabilityDisplay
        """
        return cls.from_record(as_record(estimator, "estimator"), score, **kwargs)
