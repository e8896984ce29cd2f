"""Argument checks shared by the analysis and the uses of difficulty.

A leaf module: it imports nothing of the package. Each check takes the value
first and its name second, raises a ValueError that names the argument, the
values it takes and the value it got, and returns the value as the caller
uses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "check_choice",
    "check_fraction",
    "check_int",
    "check_one_per_example",
    "check_stage_indices",
]


def check_choice(value, name: str, choices: Sequence[str]):
    """``value`` if it is one of ``choices``, else a ValueError naming ``name``.

    Examples
    --------
    >>> from sklearn_difficulty._validation import check_choice
    >>> check_choice("val", "subset", ("train", "test"))
    Traceback (most recent call last):
    ...
    ValueError: subset must be 'train' or 'test'; got 'val'.
    """
    if value not in choices:
        *first, last = [repr(choice) for choice in choices]
        either = f"{', '.join(first)} or {last}" if first else last
        raise ValueError(f"{name} must be {either}; got {value!r}.")
    return value


_INTERVALS = {
    "neither": "(0, 1)",
    "left": "[0, 1)",
    "right": "(0, 1]",
    "both": "[0, 1]",
}


def check_fraction(
    value,
    name: str,
    *,
    closed: Literal["neither", "left", "right", "both"] = "neither",
) -> float:
    """A number in the unit interval, its ends included as ``closed`` says.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        Its name, for the message.
    closed : {"neither", "left", "right", "both"}, default="neither"
        Which ends of [0, 1] belong to the interval (as for scikit-learn's
        ``Interval``): "neither" for (0, 1), "right" for (0, 1]...

    Returns
    -------
    value : float

    Raises
    ------
    ValueError
        When ``value`` is not a real number in the interval.

    Examples
    --------
    >>> from sklearn_difficulty._validation import check_fraction
    >>> check_fraction(1, "fraction", closed="right")
    1.0
    >>> check_fraction(1, "keep")
    Traceback (most recent call last):
    ...
    ValueError: keep must be a number in (0, 1); got 1.
    """
    if isinstance(value, Real):
        number = float(value)  # NaN fails both comparisons
        low_ok = number >= 0 if closed in ("left", "both") else number > 0
        high_ok = number <= 1 if closed in ("right", "both") else number < 1
        if low_ok and high_ok:
            return number
    raise ValueError(f"{name} must be a number in {_INTERVALS[closed]}; got {value!r}.")


def check_int(value, name: str, low: int) -> int:
    """An integer (not a bool) of at least ``low``.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str
        Its name, for the message.
    low : int
        The smallest value allowed.

    Returns
    -------
    value : int

    Raises
    ------
    ValueError
        When ``value`` is not an integer or is below ``low``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty._validation import check_int
    >>> check_int(np.int64(3), "n_splits", 1)
    3
    >>> check_int(0, "n_splits", 1)
    Traceback (most recent call last):
    ...
    ValueError: n_splits must be an integer >= 1; got 0.
    """
    if not isinstance(value, Integral) or isinstance(value, bool) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
    return int(value)


def check_stage_indices(
    stages: ArrayLike, n_stages: int, *, name: str = "stages"
) -> NDArray[np.intp]:
    """Stage indices of a record of ``n_stages`` stages, made non-negative.

    A stage index is a position in a record's ``stages`` (not a stage
    label); a negative one counts from the end, as in numpy.

    Parameters
    ----------
    stages : int or array-like of int
        The indices, at least one.
    n_stages : int
        The number of stages of the record.
    name : str, default="stages"
        The argument's name, for the message.

    Returns
    -------
    positions : ndarray of int
        Of the shape of ``stages``, each in [0, n_stages).

    Raises
    ------
    ValueError
        When there is no index or one is out of range.

    Examples
    --------
    >>> from sklearn_difficulty._validation import check_stage_indices
    >>> check_stage_indices([0, -1], 4)
    array([0, 3])
    >>> check_stage_indices(4, 4, name="stage")
    Traceback (most recent call last):
    ...
    ValueError: stage indices must be in [-4, 4) for a record of 4 stages; got \
stage=4.
    """
    positions = np.asarray(stages, dtype=np.intp)
    if positions.size == 0 or not (
        -n_stages <= positions.min() and positions.max() < n_stages
    ):
        raise ValueError(
            f"stage indices must be in [-{n_stages}, {n_stages}) for a record of "
            f"{n_stages} stages; got {name}={stages!r}."
        )
    return positions % n_stages


def check_one_per_example(
    values: ArrayLike, n_samples: int, *, scored_set: str
) -> NDArray[np.float64]:
    """What a score gave, checked to be one number per example of a scored set.

    Parameters
    ----------
    values : array-like
        The score's values.
    n_samples : int
        The number of examples of the scored set.
    scored_set : str
        Its name, for the message.

    Returns
    -------
    values : ndarray of float of shape (n_samples,)

    Raises
    ------
    ValueError
        When ``values`` has another shape.

    Examples
    --------
    >>> from sklearn_difficulty._validation import check_one_per_example
    >>> check_one_per_example([1, 0], 2, scored_set="train")
    array([1., 0.])
    >>> check_one_per_example([[1, 0]], 2, scored_set="train")
    Traceback (most recent call last):
    ...
    ValueError: a score must give one number per example of 'train', an array of \
shape (2,); got shape (1, 2).
    """
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (n_samples,):
        raise ValueError(
            f"a score must give one number per example of {scored_set!r}, an array "
            f"of shape ({n_samples},); got shape {values.shape}."
        )
    return values
