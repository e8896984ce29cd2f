"""Difficulty scores, each a pure function of a prediction record.

Every function takes either a :class:`~sklearn_difficulty.PredictionRecord`
(and the name of one of its scored sets) or a plain array of predicted labels
of shape ``(n_members, n_stages, n_samples)`` with the true labels ``y``. A
2-D array ``(n_members, n_samples)`` stands for one stage, and the stage axis
is then dropped from the result. Work is done in chunks of examples, so the
memory used beyond the predictions themselves stays small.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .record import PredictionRecord

__all__ = [
    "consensus",
    "consistency",
    "heldout_consistency",
    "learning_speed",
    "mean_over_training",
    "member_accuracy",
    "training_stages",
]

# Largest number of array elements a temporary of one chunk may hold.
_CHUNK_ELEMENTS = 1 << 18


def _chunks(n_samples: int, elements_per_sample: int) -> Iterator[slice]:
    step = max(1, _CHUNK_ELEMENTS // max(1, elements_per_sample))
    for start in range(0, n_samples, step):
        yield slice(start, min(start + step, n_samples))


def _as_stacked(predictions, y, scored_set):
    """Return ``(predictions (M, S, N), y (N,) or None, one_stage, n_codes)``.

    ``n_codes`` is the number of classes when the predictions are known class
    indices (a record), else None.
    """
    if isinstance(predictions, PredictionRecord):
        if y is not None:
            raise ValueError(
                "y must be None when predictions is a PredictionRecord: the "
                "record holds the true labels of each scored set."
            )
        pred, target = predictions.scored_set(scored_set)
        return pred, target, False, predictions.n_classes

    pred = np.asarray(predictions)
    if pred.ndim == 2:
        pred, one_stage = pred[:, np.newaxis, :], True
    elif pred.ndim == 3:
        one_stage = False
    else:
        raise ValueError(
            "predictions must have shape (n_members, n_stages, n_samples) or "
            f"(n_members, n_samples); got an array of shape {pred.shape}."
        )
    if pred.shape[0] == 0 or pred.shape[1] == 0:
        raise ValueError(
            f"predictions of shape {pred.shape} hold no member or no stage."
        )
    if y is None:
        return pred, None, one_stage, None
    target = np.asarray(y)
    if target.ndim == 2 and target.shape[1] == 1:
        target = target.ravel()
    if target.ndim != 1:
        raise ValueError(f"y must be 1-D; got an array of shape {target.shape}.")
    if target.shape[0] != pred.shape[2]:
        raise ValueError(
            f"predictions have {pred.shape[2]} samples but y has {target.shape[0]}."
        )
    numeric = pred.dtype.kind in "biuf", target.dtype.kind in "biuf"
    if numeric[0] != numeric[1]:
        raise TypeError(
            f"predictions hold labels of dtype {pred.dtype} and y labels of dtype "
            f"{target.dtype}: they can never be equal. Pass both as the same "
            "kind of label (both class indices, or both the original labels)."
        )
    return pred, target, one_stage, None


def _required(y, predictions):
    if y is None and not isinstance(predictions, PredictionRecord):
        raise ValueError("y is required when predictions is an array.")
    return y


def _correct_counts(pred: NDArray, target: NDArray) -> NDArray[np.intp]:
    """Number of members right, per stage and example: shape (S, N)."""
    n_members, n_stages, n_samples = pred.shape
    counts = np.empty((n_stages, n_samples), dtype=np.intp)
    for chunk in _chunks(n_samples, n_members * n_stages):
        counts[:, chunk] = np.count_nonzero(pred[:, :, chunk] == target[chunk], axis=0)
    return counts


def consistency(
    predictions: PredictionRecord | ArrayLike,
    y: ArrayLike | None = None,
    *,
    scored_set: str = "train",
) -> NDArray[np.float64]:
    """Fraction of members that predict the true label, per stage and example.

    The consistency score c^e(x, y) of Hacohen & Weinshall (section 2): at
    stage e, the fraction of the N members f_i with f_i^e(x) = y.

    Parameters
    ----------
    predictions : PredictionRecord or array-like of shape (n_members, n_stages, \
n_samples) or (n_members, n_samples)
        A record, or the labels each member predicted.
    y : array-like of shape (n_samples,), default=None
        True labels, of the same kind as the predictions. None with a record.
    scored_set : str, default="train"
        With a record: which scored set.

    Returns
    -------
    consistency : ndarray of shape (n_stages, n_samples) or (n_samples,)
        In [0, 1]; 1-D when the predictions have no stage axis.

    Examples
    --------
    >>> from sklearn_difficulty import consistency
    >>> predictions = [["a", "b", "b"], ["a", "a", "b"]]  # 2 members, 3 examples
    >>> consistency(predictions, ["a", "b", "a"])
    array([1. , 0.5, 0. ])
    """
    pred, target, one_stage, _ = _as_stacked(
        predictions, _required(y, predictions), scored_set
    )
    result = _correct_counts(pred, target) / pred.shape[0]
    return result[0] if one_stage else result


def _class_codes(pred: NDArray, n_codes: int | None) -> tuple[NDArray, int]:
    if n_codes is not None:
        return pred, n_codes
    if pred.dtype.kind in "iub" and pred.size:
        low, high = int(pred.min()), int(pred.max())
        if low >= 0 and high < (1 << 16):
            return pred, high + 1
    uniques, inverse = np.unique(pred, return_inverse=True)
    return inverse.reshape(pred.shape), uniques.size


def consensus(
    predictions: PredictionRecord | ArrayLike,
    y: ArrayLike | None = None,
    *,
    scored_set: str = "train",
) -> NDArray[np.float64]:
    """Largest fraction of members that agree on any one label.

    The consensus score s^e(x) of Hacohen & Weinshall (section 2): at stage e,
    max over labels k of the fraction of members with f_i^e(x) = k, whether k
    is right or not. It is at least 1 / n_members and at least the
    consistency.

    Parameters
    ----------
    predictions : PredictionRecord or array-like of shape (n_members, n_stages, \
n_samples) or (n_members, n_samples)
        A record, or the labels each member predicted.
    y : None
        Not used: consensus ignores the true labels. Present so that every
        score has the same signature.
    scored_set : str, default="train"
        With a record: which scored set.

    Returns
    -------
    consensus : ndarray of shape (n_stages, n_samples) or (n_samples,)

    Examples
    --------
    >>> from sklearn_difficulty import consensus
    >>> consensus([[0, 1, 2], [0, 1, 1], [0, 2, 0]])  # 3 members, 3 examples
    array([1.        , 0.66666667, 0.33333333])
    """
    pred, _, one_stage, n_codes = _as_stacked(predictions, None, scored_set)
    codes, n_codes = _class_codes(pred, n_codes)
    n_members, n_stages, n_samples = codes.shape
    result = np.empty((n_stages, n_samples), dtype=np.float64)
    per_sample = n_stages * max(n_members, n_codes)
    for chunk in _chunks(n_samples, per_sample):
        block = codes[:, :, chunk].astype(np.intp)
        width = block.shape[2]
        cells = np.arange(n_stages * width, dtype=np.intp).reshape(n_stages, width)
        counts = np.bincount(
            (cells * n_codes + block).ravel(), minlength=n_stages * width * n_codes
        )
        result[:, chunk] = counts.reshape(n_stages, width, n_codes).max(axis=2)
    result /= n_members
    return result[0] if one_stage else result


def member_accuracy(
    predictions: PredictionRecord | ArrayLike,
    y: ArrayLike | None = None,
    *,
    scored_set: str = "train",
) -> NDArray[np.float64]:
    """Accuracy of each member at each stage.

    Parameters
    ----------
    predictions : PredictionRecord or array-like of shape (n_members, n_stages, \
n_samples) or (n_members, n_samples)
        A record, or the labels each member predicted.
    y : array-like of shape (n_samples,), default=None
        True labels. None with a record.
    scored_set : str, default="train"
        With a record: which scored set.

    Returns
    -------
    accuracy : ndarray of shape (n_members, n_stages) or (n_members,)

    Examples
    --------
    >>> from sklearn_difficulty import member_accuracy
    >>> member_accuracy([[0, 1, 1, 1], [0, 0, 0, 1]], [0, 1, 1, 1])
    array([1. , 0.5])
    """
    pred, target, one_stage, _ = _as_stacked(
        predictions, _required(y, predictions), scored_set
    )
    n_members, n_stages, n_samples = pred.shape
    if n_samples == 0:
        raise ValueError("accuracy is undefined on a scored set with no example.")
    correct = np.zeros((n_members, n_stages), dtype=np.intp)
    for chunk in _chunks(n_samples, n_members * n_stages):
        correct += np.count_nonzero(pred[:, :, chunk] == target[chunk], axis=2)
    result = correct / n_samples
    return result[:, 0] if one_stage else result


def learning_speed(
    predictions: PredictionRecord | ArrayLike,
    y: ArrayLike | None = None,
    *,
    scored_set: str = "train",
) -> NDArray[np.float64]:
    """Mean consistency over stages: how early and how firmly an example is learnt.

    Hacohen & Weinshall, section 4.1: "averaging its consistency score
    across all training epochs". An example learnt early and kept has a
    speed near 1, one never learnt a speed of 0. Stage 0 of a record (the
    untrained members, before the first epoch) is not a training epoch and
    is left out (see :func:`training_stages`).

    Parameters
    ----------
    predictions : PredictionRecord or array-like of shape (n_members, n_stages, \
n_samples) or (n_members, n_samples)
        A record, or the labels each member predicted.
    y : array-like of shape (n_samples,), default=None
        True labels. None with a record.
    scored_set : str, default="train"
        With a record: which scored set.

    Returns
    -------
    speed : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from sklearn_difficulty import learning_speed
    >>> # 2 members, 2 stages, 2 examples: the first is learnt at stage 1
    >>> learning_speed([[[1, 0], [1, 0]], [[0, 0], [1, 1]]], [1, 1])
    array([0.75, 0.25])
    """
    scores = consistency(predictions, y, scored_set=scored_set)
    if scores.ndim == 1:
        return scores
    if isinstance(predictions, PredictionRecord):
        return mean_over_training(scores, predictions.stages)
    return scores.mean(axis=0)


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


def mean_over_training(scores: ArrayLike, stages: ArrayLike) -> NDArray[np.float64]:
    """Mean of per-stage scores of shape (n_stages, n_samples) over training stages."""
    return np.asarray(scores)[training_stages(stages)].mean(axis=0)


def heldout_consistency(
    predictions: PredictionRecord | ArrayLike,
    y: ArrayLike | None = None,
    in_bag: ArrayLike | None = None,
    *,
    scored_set: str = "train",
) -> NDArray[np.float64]:
    """Consistency over only the members that did not train on each example.

    When each member trains on a random subset of the training set, the
    consistency of a training example over the members that never saw it
    estimates how well the rest of the data predicts it: the consistency
    score (C-score) of Jiang et al. (2021).

    Parameters
    ----------
    predictions : PredictionRecord or array-like of shape (n_members, n_stages, \
n_samples) or (n_members, n_samples)
        A record whose members trained on subsets, or the labels each member
        predicted on the training set.
    y : array-like of shape (n_samples,), default=None
        True labels. None with a record.
    in_bag : array-like of shape (n_members, n_samples), default=None
        True (or a positive count) where a member trained on an example.
        None with a record, which holds it.
    scored_set : str, default="train"
        With a record: must be "train", the set the members trained on.

    Returns
    -------
    consistency : ndarray of shape (n_stages, n_samples) or (n_samples,)
        NaN for an example that every member trained on.

    Examples
    --------
    >>> from sklearn_difficulty import heldout_consistency
    >>> predictions = [[0, 1, 1], [1, 0, 1], [0, 1, 0]]  # 3 members, 3 examples
    >>> in_bag = [[True, True, False], [False, True, True], [True, True, True]]
    >>> heldout_consistency(predictions, [0, 1, 1], in_bag)
    array([ 0., nan,  1.])
    """
    if isinstance(predictions, PredictionRecord):
        if in_bag is not None:
            raise ValueError("in_bag must be None when predictions is a record.")
        if scored_set != "train":
            raise ValueError(
                "held-out consistency is defined on the training set only; "
                f"got scored_set={scored_set!r}."
            )
        if predictions.in_bag is None:
            raise ValueError(
                "this record has no in_bag: its members all trained on the whole "
                "training set, so no member held any example out. Fit with "
                "max_samples or bootstrap to get held-out consistency."
            )
        in_bag = predictions.in_bag
    elif in_bag is None:
        raise ValueError("in_bag is required when predictions is an array.")
    pred, target, one_stage, _ = _as_stacked(
        predictions, _required(y, predictions), scored_set
    )
    n_members, n_stages, n_samples = pred.shape
    in_bag = np.asarray(in_bag)
    if in_bag.shape != (n_members, n_samples):
        raise ValueError(
            f"in_bag must have shape (n_members, n_samples) = {(n_members, n_samples)}"
            f"; got {in_bag.shape}."
        )
    held_out = in_bag <= 0 if in_bag.dtype.kind in "iuf" else ~in_bag.astype(bool)
    counts = np.empty((n_stages, n_samples), dtype=np.intp)
    for chunk in _chunks(n_samples, n_members * n_stages):
        right = (pred[:, :, chunk] == target[chunk]) & held_out[:, np.newaxis, chunk]
        counts[:, chunk] = np.count_nonzero(right, axis=0)
    n_held_out = held_out.sum(axis=0)
    result = np.full((n_stages, n_samples), np.nan)
    np.divide(counts, n_held_out, out=result, where=n_held_out > 0)
    return result[0] if one_stage else result
