"""The order in which examples are learnt (Hacohen & Weinshall, sections 2 and 5).

Examples ranked by learning speed and split into groups of equal size, the
paper's "learnt at least as fast as" relation between two examples, and
the examples learnt at least as fast as all others (or than none). Each
function takes a :class:`~sklearn_difficulty.PredictionRecord` (with the
name of a scored set), a fitted :class:`~sklearn_difficulty.EnsembleDifficulty`,
or an array of consistency scores of shape (n_stages, n_samples).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import check_choice
from .record import record_of
from .scores import AVERAGES, consistency_matrix, mean_over_training

__all__ = [
    "difficulty_groups",
    "difficulty_ranking",
    "easiest_examples",
    "hardest_examples",
    "learnt_at_least_as_fast",
]


def difficulty_ranking(
    source, *, scored_set: str = "train", average: str = "stages"
) -> NDArray[np.intp]:
    """Examples from easiest to hardest, by learning speed (ties: lower index first).

    Parameters
    ----------
    source : PredictionRecord, EnsembleDifficulty or array-like of shape \
(n_stages, n_samples)
        Where the consistency scores come from.
    scored_set : str, default="train"
    average : {"stages", "steps"}, default="stages"
        The learning speed's average over the training stages: the mean, or
        the area over the optimiser steps for stages that are not evenly
        spaced (see :func:`~sklearn_difficulty.scores.learning_speed`); an
        array of scores has no positions, and is averaged over its stages.

    Returns
    -------
    order : ndarray of shape (n_samples,)
        Indices of the examples, easiest first.

    Examples
    --------
    >>> from sklearn_difficulty.ranking import difficulty_ranking
    >>> difficulty_ranking([[0.2, 1.0, 0.0], [0.6, 1.0, 0.2]])
    array([1, 0, 2])
    """
    scores = consistency_matrix(source, scored_set)
    record = record_of(source)
    check_choice(average, "average", AVERAGES)
    speed = (
        scores.mean(axis=0)
        if record is None
        else mean_over_training(
            scores, record.stages, steps=record.steps, average=average
        )
    )
    return np.argsort(-speed, kind="stable")


def difficulty_groups(
    source, *, n_groups: int = 3, scored_set: str = "train", average: str = "stages"
) -> NDArray[np.intp]:
    """Split the examples into groups of (nearly) equal size by learning speed.

    Group 0 is the easiest; with ``n_groups=3``, the easy, intermediate and
    hard examples of the paper (section 5, Fig. 6a).

    Parameters
    ----------
    source : PredictionRecord, EnsembleDifficulty or array-like of shape \
(n_stages, n_samples)
        Where the consistency scores come from.
    n_groups : int, default=3
    scored_set : str, default="train"
    average : {"stages", "steps"}, default="stages"
        The learning speed's average, as in :func:`difficulty_ranking`.

    Returns
    -------
    group : ndarray of shape (n_samples,)
        The group of each example, 0 (easiest) to n_groups - 1.

    Examples
    --------
    >>> from sklearn_difficulty.ranking import difficulty_groups
    >>> difficulty_groups([[0.9, 0.1, 0.5, 1.0, 0.0, 0.4]])
    array([0, 2, 1, 0, 2, 1])
    """
    order = difficulty_ranking(source, scored_set=scored_set, average=average)
    if not 1 <= n_groups <= order.size:
        raise ValueError(
            f"n_groups must be between 1 and the {order.size} examples; got {n_groups}."
        )
    groups = np.empty(order.size, dtype=np.intp)
    for group, members in enumerate(np.array_split(order, n_groups)):
        groups[members] = group
    return groups


def _dominance_start(scores: NDArray, better: NDArray) -> NDArray[np.intp]:
    """First stage from which ``better`` holds at every later one; n_stages if none."""
    n_stages = scores.shape[0]
    holds_after = np.logical_and.accumulate(better[::-1], axis=0)[::-1]
    first = np.argmax(holds_after, axis=0)
    return np.where(holds_after.any(axis=0), first, n_stages)


def learnt_at_least_as_fast(
    source, i: ArrayLike, j: ArrayLike, *, scored_set: str = "train"
) -> NDArray[np.intp]:
    """Since which stage example i is easier than example j, for good (section 2).

    The paper says (x_i, y_i) is *learnt at least as fast as* (x_j, y_j) when
    from some stage e' on, c^e(x_i) >= c^e(x_j) at every stage. This returns
    that e' as a stage index (the earliest one), or ``n_stages`` when the
    relation does not hold even at the last stage. ``i`` and ``j`` may be
    arrays of indices of the same shape.

    Parameters
    ----------
    source : PredictionRecord, EnsembleDifficulty or array-like of shape \
(n_stages, n_samples)
        Where the consistency scores come from.
    i, j : int or array-like of int
        Examples.
    scored_set : str, default="train"

    Returns
    -------
    since : ndarray of int
        Index of the earliest stage from which the relation holds;
        ``n_stages`` where it does not hold. 0 means i has been at least as
        easy as j from the first recorded stage.

    Examples
    --------
    >>> from sklearn_difficulty.ranking import learnt_at_least_as_fast
    >>> scores = [[0.2, 0.4], [0.1, 0.5], [0.8, 0.6], [1.0, 0.9]]  # 4 stages
    >>> learnt_at_least_as_fast(scores, 0, 1), learnt_at_least_as_fast(scores, 1, 0)
    (array(2), array(4))
    """
    scores = consistency_matrix(source, scored_set)
    i, j = np.broadcast_arrays(np.asarray(i), np.asarray(j))
    first = _dominance_start(scores, scores[:, i.ravel()] >= scores[:, j.ravel()])
    return first.reshape(i.shape)


def _extreme_examples(scores, n_examples, easiest):
    best = (
        scores.max(axis=1, keepdims=True)
        if easiest
        else scores.min(axis=1, keepdims=True)
    )
    since = _dominance_start(scores, scores == best)
    speed = scores.mean(axis=0)
    order = np.lexsort((-speed if easiest else speed, since))
    order = order[since[order] < scores.shape[0]]
    return order[:n_examples], since[order[:n_examples]]


def easiest_examples(
    source, n_examples: int | None = None, *, scored_set: str = "train"
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The examples learnt at least as fast as all others, earliest first.

    An example is easiest (section 2) when it is learnt at least as fast as
    every other example: from some stage on, its consistency is the highest
    of all at every stage. Examples with consistency 1 throughout are
    trivially easiest. They are ordered by that stage, then by learning
    speed.

    Parameters
    ----------
    source : PredictionRecord, EnsembleDifficulty or array-like of shape \
(n_stages, n_samples)
        Where the consistency scores come from.
    n_examples : int, default=None
        How many to return; None for all.
    scored_set : str, default="train"

    Returns
    -------
    indices : ndarray of int
        The easiest examples.
    since : ndarray of int
        For each, the index of the stage from which it is easiest.

    Examples
    --------
    >>> from sklearn_difficulty.ranking import easiest_examples
    >>> easiest_examples([[1.0, 0.5, 0.0], [1.0, 1.0, 0.5]])
    (array([0, 1]), array([0, 1]))
    """
    return _extreme_examples(consistency_matrix(source, scored_set), n_examples, True)


def hardest_examples(
    source, n_examples: int | None = None, *, scored_set: str = "train"
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The examples that every other example is learnt at least as fast as.

    From some stage on, their consistency is the lowest of all at every
    stage; examples with consistency 0 throughout are trivially hardest.
    Ordered by that stage, then by learning speed (slowest first).

    Parameters and returns are those of :func:`easiest_examples`.

    Examples
    --------
    >>> from sklearn_difficulty.ranking import hardest_examples
    >>> hardest_examples([[1.0, 0.5, 0.0], [1.0, 1.0, 0.5]])
    (array([2]), array([0]))
    """
    return _extreme_examples(consistency_matrix(source, scored_set), n_examples, False)
