"""Averages over training: which stages count, and how much each weighs.

Stage 0 of a record (the untrained members) is not training and never
counts. The other stages count either once each (``average="stages"``, the
mean over the recorded training stages: the paper's learning speed) or by
the share of training they stand for (``average="steps"``: the trapezoidal
rule over the stages' positions, the optimiser steps where the record knows
them, else the stage labels, :func:`~sklearn_difficulty.stages.stage_weights`),
which is the area under the score's curve over training divided by its
length. On evenly spaced stages the two are the same; on a schedule that
records densely early (``record_every="log"``) the mean over stages gives
the early stages, where the scores are low, far more say than the steps
they stand for.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_choice
from ..stages import stage_weights

__all__ = [
    "AVERAGES",
    "mean_over_training",
    "training_stages",
    "training_weights",
]

#: How an average over training weighs the stages (``average`` of the scores).
AVERAGES = ("stages", "steps")


def training_stages(stages: ArrayLike) -> NDArray[np.bool_]:
    """Which stages come from training: all but stage 0, the untrained members.

    A record of one stage 0 alone has nothing else, and keeps it.

    Examples
    --------
    >>> from sklearn_difficulty.scores import training_stages
    >>> training_stages([0, 1, 2]).tolist(), training_stages([1, 2]).tolist()
    ([False, True, True], [True, True])
    """
    stages = np.asarray(stages)
    trained = stages != 0
    return trained if trained.any() else np.ones_like(trained)


def _spaced_weights(positions: NDArray) -> NDArray[np.float64]:
    """:func:`stage_weights` of non-decreasing positions; tied stages share theirs."""
    if positions.size > 1 and (np.diff(positions) < 0).any():
        raise ValueError(
            "the positions of the stages (steps) must be non-decreasing; got "
            f"{positions.tolist()[:10]}{'...' if positions.size > 10 else ''}."
        )
    unique, inverse, counts = np.unique(
        positions, return_inverse=True, return_counts=True
    )
    return stage_weights(unique)[inverse] / counts[inverse]


def training_weights(
    stages: ArrayLike, steps: ArrayLike | None = None, *, average: str = "stages"
) -> NDArray[np.float64]:
    """Each stage's weight in an average over training; stage 0 weighs nothing.

    Parameters
    ----------
    stages : array-like of shape (n_stages,)
        The stage labels (``record.stages``); stage 0 is left out (see
        :func:`training_stages`).
    steps : array-like of shape (n_stages,), default=None
        Where each stage lies (``record.steps``); None where unknown: the
        stage labels are then the positions (epochs, rounds, steps).
    average : {"stages", "steps"}, default="stages"
        "stages": every training stage weighs the same. "steps": each
        weighs the share of training it stands for, the steps halfway to
        its neighbours (:func:`~sklearn_difficulty.stages.stage_weights`,
        tied positions share one weight); the same as "stages" when the
        stages are evenly spaced.

    Returns
    -------
    weights : ndarray of shape (n_stages,)
        Non-negative, 0 at stage 0, summing to 1.

    Examples
    --------
    >>> from sklearn_difficulty.scores import training_weights
    >>> training_weights([0, 1, 2, 4, 8]).tolist()
    [0.0, 0.25, 0.25, 0.25, 0.25]
    >>> training_weights([0, 1, 2, 4, 8], average="steps").round(2).tolist()
    [0.0, 0.11, 0.16, 0.32, 0.42]
    """
    check_choice(average, "average", AVERAGES)
    stages = np.asarray(stages)
    trained = training_stages(stages)
    weights = np.zeros(stages.shape, dtype=np.float64)
    if average == "stages":
        weights[trained] = 1.0 / np.count_nonzero(trained)
        return weights
    positions = np.asarray(stages if steps is None else steps, dtype=np.float64)
    if positions.shape != stages.shape:
        raise ValueError(
            f"steps must give one position per stage, {stages.shape}; got "
            f"{positions.shape}."
        )
    weights[trained] = _spaced_weights(positions[trained])
    return weights


def mean_over_training(
    scores: ArrayLike,
    stages: ArrayLike,
    *,
    steps: ArrayLike | None = None,
    average: str = "stages",
) -> NDArray[np.float64]:
    """Average of per-stage scores over the training stages (stage 0 left out).

    Parameters
    ----------
    scores : array-like of shape (n_stages, n_samples)
        A score of every example at every stage (consistency, for the
        learning speed).
    stages : array-like of shape (n_stages,)
        The stage labels.
    steps : array-like of shape (n_stages,), default=None
        The stages' optimiser steps (``record.steps``), for
        ``average="steps"``; None: the stage labels are the positions.
    average : {"stages", "steps"}, default="stages"
        "stages": the mean over the training stages. "steps": the area
        under the score's curve over the steps, over their number
        (trapezoidal weights, :func:`training_weights`); equal to the mean
        when the stages are evenly spaced.

    Returns
    -------
    average : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from sklearn_difficulty.scores import mean_over_training
    >>> scores = [[0.0, 0.0], [0.2, 1.0], [0.6, 1.0], [1.0, 1.0]]
    >>> mean_over_training(scores, [0, 1, 2, 10]).round(3).tolist()
    [0.6, 1.0]
    >>> mean_over_training(scores, [0, 1, 2, 10], average="steps").round(3).tolist()
    [0.807, 1.0]
    """
    scores = np.asarray(scores)
    if average == "stages":  # the plain mean, as it always was
        check_choice(average, "average", AVERAGES)
        return scores[training_stages(stages)].mean(axis=0)
    weights = training_weights(stages, steps, average=average)
    trained = weights > 0
    return np.tensordot(weights[trained], scores[trained], axes=1)
