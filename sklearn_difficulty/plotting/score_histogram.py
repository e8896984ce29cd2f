"""ScoreHistogramDisplay: histograms of consistency or consensus over stages.

The counts come from :func:`~sklearn_difficulty.histograms.score_histograms`.
"""

from __future__ import annotations

import numpy as np

from ..histograms import score_histograms, stage_name
from ._base import RecordDisplayMixin, figure_and_axes, merge_style

__all__ = ["ScoreHistogramDisplay"]


class ScoreHistogramDisplay(RecordDisplayMixin):
    """Histograms of consistency or consensus scores over stages (Fig. 1-3, 9).

    One row of panels per scored set (train, test), one column per stage.
    The counts come from
    :func:`~sklearn_difficulty.histograms.score_histograms`; with one layer per
    label, each bar is stacked by the label most members assign to the
    examples in it (Fig. 9). With ``phases``, each column's title names the
    phase of learning of its stage. Titles name a stage by its epoch where
    the record knows it: "train, epoch 0.22 (step 4)" for a stage recorded
    after optimiser steps, "train, epoch 3", else "train, round 12".

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
    steps : array-like of shape (n_shown,), default=None
        The optimiser steps of the stages shown, for the titles; None where
        unknown.
    epochs : array-like of shape (n_shown,), default=None
        The epochs of the stages shown: where given, the titles name each
        stage by its epoch ("epoch 0.22 (step 4)" for a stage recorded after
        optimiser steps, see :func:`~sklearn_difficulty.histograms.stage_name`).

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
    sklearn_difficulty.histograms.score_histograms : Computes the counts.
    sklearn_difficulty.phases.phase_stages : The stages of ``stages="phases"``.

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
        steps=None,
        epochs=None,
    ):
        self.counts = counts
        self.edges = edges
        self.stages = stages
        self.score_name = score_name
        self.stage_kind = stage_kind
        self.phases = phases
        self.label_names = label_names
        self.steps = steps
        self.epochs = epochs

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
        self.figure_, self.axes_ = figure_and_axes(
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
                        **merge_style(style, bar_kw),
                    )
                    self.bars_[(row, col, layer) if stacked else (row, col)] = bars
                    bottom = bottom + heights
                title = f"{name}, {self._stage_name(col, stage)}"
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

    def _stage_name(self, col: int, stage) -> str:
        return stage_name(
            stage,
            self.stage_kind,
            step=None if self.steps is None else np.asarray(self.steps)[col],
            epoch=None if self.epochs is None else np.asarray(self.epochs)[col],
        )

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
            (:func:`~sklearn_difficulty.phases.phase_stages`); None for up
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
            :func:`~sklearn_difficulty.phases.learning_phases` finds it.
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
            steps=histograms.steps,
            epochs=histograms.epochs,
        )
        return display.plot(ax=ax, bar_kw=bar_kw, cmap=cmap)
