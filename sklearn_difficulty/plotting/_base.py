"""What the Displays share, written once.

matplotlib imported on first use (with an error naming the ``plot`` extra),
the figure and axes to draw on, ``*_kw`` style merged over defaults, labelled
curves, :func:`save_figure`, the comparison behind the ``from_comparison``
factories, and :class:`RecordDisplayMixin`, which gives every Display of one
record its ``from_estimator``.

An internal module (as :mod:`sklearn.utils._plotting`): its names carry no
leading underscore because the Display modules of this package import them;
users import :func:`save_figure` from :mod:`sklearn_difficulty.plotting`.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np

from ..compare import RecordComparison, compare_records
from ..record import as_record

__all__ = [
    "ALIASES",
    "SPEED_NAMES",
    "RecordDisplayMixin",
    "as_comparison",
    "draw_curves",
    "figure_and_axes",
    "merge_style",
    "pyplot",
    "save_figure",
]


def pyplot():
    """matplotlib.pyplot, or an ImportError that names the extra to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            'plotting needs matplotlib: pip install "sklearn-difficulty[plot]"'
        ) from error
    return plt


def figure_and_axes(ax, shape=None, *, size=(3.6, 3.2)):
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
    plt = pyplot()
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
    plt = pyplot()
    figure = getattr(display, "figure_", display)
    figure.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return path


#: Short names of matplotlib properties, and the full names they stand for.
ALIASES = {
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


def merge_style(defaults: dict, user: dict | None) -> dict:
    """The defaults, overridden by a user's ``*_kw``.

    A short name ("c", "lw", ...) replaces the default of its full name, so
    that matplotlib is not given both.
    """
    style = dict(defaults)
    for key, value in (user or {}).items():
        full = ALIASES.get(key, key)
        style[full if full in defaults else key] = value
    return style


def draw_curves(ax, x, curves, labels, line_kw: dict | None) -> list:
    """One labelled curve per row of ``curves`` against ``x``; their lines.

    The defaults are small round markers and the colours of the property
    cycle; ``line_kw`` (a Display's ``*_kw``) goes over them.
    """
    lines = []
    for curve, label in zip(curves, labels, strict=True):
        style = {"marker": "o", "markersize": 2, "label": label}
        (line,) = ax.plot(x, curve, **merge_style(style, line_kw))
        lines.append(line)
    return lines


#: The learning speed of each ``average``, in the words of axis labels.
SPEED_NAMES = {
    "stages": "learning speed",
    "steps": "learning speed over steps",
}


def as_comparison(
    a, b, *, names, scored_set, tolerance=0.01, average="stages"
) -> RecordComparison:
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
        a, b, scored_set=scored_set, tolerance=tolerance, names=names, average=average
    )


class RecordDisplayMixin:
    """A Display of one record, built by ``from_record`` or ``from_estimator``.

    A Display that inherits it defines ``from_record(record, ...)``, which
    computes through public functions and draws; ``from_estimator`` is
    written here once: it passes a fitted ensemble's record and every other
    argument on unchanged, so the two factories take the same arguments and
    draw the same data.
    """

    @classmethod
    def from_record(cls, record, *args: Any, **kwargs: Any) -> Self:
        """Compute what the Display shows from a record, and draw it.

        Each Display defines it, with its own arguments after ``record``.
        """
        raise NotImplementedError(f"{cls.__name__} defines no from_record")

    @classmethod
    def from_estimator(cls, estimator, *args: Any, **kwargs: Any) -> Self:
        """The Display of a fitted EnsembleDifficulty: ``from_record`` of its record.

        Parameters
        ----------
        estimator : fitted EnsembleDifficulty or PredictionRecord
            The ensemble whose record to show.
        *args, **kwargs
            The other arguments of the Display's ``from_record``, passed on
            unchanged, positional ones included (``indices`` of
            :meth:`TrajectoryDisplay.from_record
            <sklearn_difficulty.plotting.TrajectoryDisplay.from_record>`,
            ``score`` of :meth:`ReliabilityDisplay.from_record
            <sklearn_difficulty.plotting.ReliabilityDisplay.from_record>`).

        Returns
        -------
        display : Display
            A Display of the class it is called on, drawn.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.neighbors import KNeighborsClassifier
        >>> from sklearn_difficulty import EnsembleDifficulty
        >>> from sklearn_difficulty.plotting import TrajectoryDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> ensemble = EnsembleDifficulty(
        ...     KNeighborsClassifier(), n_estimators=3, max_samples=0.5,
        ...     random_state=0).fit(X, y)
        >>> display = TrajectoryDisplay.from_estimator(ensemble, [0, 70])
        >>> [line.get_label() for line in display.lines_]
        ['example 0', 'example 70']
        """
        record = as_record(estimator, "estimator")
        return cls.from_record(record, *args, **kwargs)
