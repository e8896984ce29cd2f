"""The paper's scores, read off the labels the members predict.

Consistency, consensus, learning speed, member accuracy, held-out
consistency and the label most members assign each take either a
:class:`~sklearn_difficulty.PredictionRecord` (and the name of one of its
scored sets) or a plain array of predicted labels of shape ``(n_members,
n_stages, n_samples)`` with the true labels ``y``. A 2-D array ``(n_members,
n_samples)`` stands for one stage, and the stage axis is then dropped from
the result. Work is done in chunks of examples, so the memory used beyond
the predictions themselves stays small.

Beside held-out consistency, :func:`heldout_probability` reads the
probability of the true class (the recorded "proba" output) over the same
held-out members: the soft C-score.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_choice
from ..record import PredictionRecord, record_of
from ._predictions import as_labelled, as_stacked, chunks, label_codes, label_counts
from ._training import AVERAGES, mean_over_training

__all__ = [
    "consensus",
    "consistency",
    "consistency_matrix",
    "heldout_consistency",
    "heldout_probability",
    "learning_speed",
    "majority_label",
    "member_accuracy",
]


def _correct_counts(pred: NDArray, target: NDArray) -> NDArray[np.intp]:
    """Number of members right, per stage and example: shape (S, N)."""
    n_members, n_stages, n_samples = pred.shape
    counts = np.empty((n_stages, n_samples), dtype=np.intp)
    for chunk in chunks(n_samples, n_members * n_stages):
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
    pred, target, one_stage = as_labelled(predictions, y, scored_set)
    result = _correct_counts(pred, target) / pred.shape[0]
    return result[0] if one_stage else result


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
    pred, _, one_stage, n_codes = as_stacked(predictions, None, scored_set)
    result = np.empty(pred.shape[1:], dtype=np.float64)
    for chunk in label_counts(label_codes(pred, n_codes)):
        result[:, chunk.examples] = chunk.counts.max(axis=2)
    result /= pred.shape[0]
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
    pred, target, one_stage = as_labelled(predictions, y, scored_set)
    n_members, n_stages, n_samples = pred.shape
    if n_samples == 0:
        raise ValueError("accuracy is undefined on a scored set with no example.")
    correct = np.zeros((n_members, n_stages), dtype=np.intp)
    for chunk in chunks(n_samples, n_members * n_stages):
        correct += np.count_nonzero(pred[:, :, chunk] == target[chunk], axis=2)
    result = correct / n_samples
    return result[:, 0] if one_stage else result


def learning_speed(
    predictions: PredictionRecord | ArrayLike,
    y: ArrayLike | None = None,
    *,
    scored_set: str = "train",
    average: str = "stages",
) -> NDArray[np.float64]:
    """Mean consistency over stages: how early and how firmly an example is learnt.

    Hacohen & Weinshall, section 4.1: "averaging its consistency score
    across all training epochs". An example learnt early and kept has a
    speed near 1, one never learnt a speed of 0. Stage 0 of a record (the
    untrained members, before the first epoch) is not a training epoch and
    is left out (see
    :func:`~sklearn_difficulty.scores.training_stages`).

    By default each recorded training stage counts once: the paper's mean,
    what ``EnsembleDifficulty.learning_speed_`` holds. A record whose stages
    are not evenly spaced (``record_every="log"`` records densely in the
    first epoch) gives its early stages more say than the steps they stand
    for; ``average="steps"`` gives instead the area under the consistency
    curve over the optimiser steps, over their number (the trapezoidal rule
    of :func:`~sklearn_difficulty.scores.training_weights`): the speed of
    the same curve whatever the schedule, and the mean itself when the
    stages are evenly spaced.

    Parameters
    ----------
    predictions : PredictionRecord or array-like of shape (n_members, n_stages, \
n_samples) or (n_members, n_samples)
        A record, or the labels each member predicted.
    y : array-like of shape (n_samples,), default=None
        True labels. None with a record.
    scored_set : str, default="train"
        With a record: which scored set.
    average : {"stages", "steps"}, default="stages"
        "stages": the mean over the recorded training stages. "steps": the
        area under the consistency curve over the record's steps (its stage
        labels where it has no steps: epochs, rounds), each stage weighing
        the share of training it stands for; needs a record, which knows
        where its stages lie.

    Returns
    -------
    speed : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord, learning_speed
    >>> # 2 members, 2 stages, 2 examples: the first is learnt at stage 1
    >>> learning_speed([[[1, 0], [1, 0]], [[0, 0], [1, 1]]], [1, 1])
    array([0.75, 0.25])

    Stages after steps 1, 2 and 10: the last one stands for most of training.

    >>> record = PredictionRecord(
    ...     predictions={"train": np.array([[[0], [1], [1]], [[0], [0], [1]]])},
    ...     targets={"train": np.array([1])}, classes=np.array([0, 1]),
    ...     stages=np.array([1, 2, 10]), stage_kind="step")
    >>> learning_speed(record), learning_speed(record, average="steps")
    (array([0.5]), array([0.759...]))
    """
    check_choice(average, "average", AVERAGES)
    scores = consistency(predictions, y, scored_set=scored_set)
    if scores.ndim == 1:
        return scores
    if isinstance(predictions, PredictionRecord):
        return mean_over_training(
            scores, predictions.stages, steps=predictions.steps, average=average
        )
    if average != "stages":
        raise ValueError(
            f"average={average!r} weighs each stage by where it lies in training, "
            "which an array of predictions does not say: pass a PredictionRecord "
            "(with its steps), or use mean_over_training with the stages' steps."
        )
    return scores.mean(axis=0)


def _in_bag_of(source, in_bag, scored_set: str, what: str) -> ArrayLike:
    """Which examples each member trained on: the record's, or ``in_bag``."""
    if isinstance(source, PredictionRecord):
        if in_bag is not None:
            raise ValueError("in_bag must be None when predictions is a record.")
        if scored_set != "train":
            raise ValueError(
                f"{what} is defined on the training set only; got "
                f"scored_set={scored_set!r}."
            )
        if source.in_bag is None:
            raise ValueError(
                "this record has no in_bag: its members all trained on the whole "
                "training set, so no member held any example out. Fit with "
                f"max_samples or bootstrap to get {what}."
            )
        return source.in_bag
    if in_bag is None:
        raise ValueError("in_bag is required when predictions is an array.")
    return in_bag


def _held_out(in_bag: ArrayLike, n_members: int, n_samples: int) -> NDArray[np.bool_]:
    """Where a member did not train on an example, of shape (n_members, n_samples)."""
    in_bag = np.asarray(in_bag)
    if in_bag.shape != (n_members, n_samples):
        raise ValueError(
            f"in_bag must have shape (n_members, n_samples) = {(n_members, n_samples)}"
            f"; got {in_bag.shape}."
        )
    return in_bag <= 0 if in_bag.dtype.kind in "iuf" else ~in_bag.astype(bool)


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
    in_bag = _in_bag_of(predictions, in_bag, scored_set, "held-out consistency")
    pred, target, one_stage = as_labelled(predictions, y, scored_set)
    n_members, n_stages, n_samples = pred.shape
    held_out = _held_out(in_bag, n_members, n_samples)
    counts = np.empty((n_stages, n_samples), dtype=np.intp)
    for chunk in chunks(n_samples, n_members * n_stages):
        right = (pred[:, :, chunk] == target[chunk]) & held_out[:, np.newaxis, chunk]
        counts[:, chunk] = np.count_nonzero(right, axis=0)
    n_held_out = held_out.sum(axis=0)
    result = np.full((n_stages, n_samples), np.nan)
    np.divide(counts, n_held_out, out=result, where=n_held_out > 0)
    return result[0] if one_stage else result


def heldout_probability(
    proba: PredictionRecord | ArrayLike,
    in_bag: ArrayLike | None = None,
    *,
    scored_set: str = "train",
) -> NDArray[np.float64]:
    """Mean probability of the true class over the members that did not train on it.

    The soft counterpart of :func:`heldout_consistency`: where held-out
    consistency counts the held-out members that predict the true label,
    this averages the probability they give it, so that a member that is
    nearly right counts for more than one that is far off. A mislabelled
    example gets a low probability of its (wrong) label from the members
    that never saw it.

    Parameters
    ----------
    proba : PredictionRecord or array-like of shape (n_members, n_stages, \
n_samples) or (n_members, n_samples)
        A record whose members trained on subsets, recorded with
        ``record_outputs`` including "proba"; or the probability each member
        gave the true class of each training example. NaN where a member
        gave none (it never saw the class): the mean is then over the
        held-out members that have a value.
    in_bag : array-like of shape (n_members, n_samples), default=None
        True (or a positive count) where a member trained on an example.
        None with a record, which holds it.
    scored_set : str, default="train"
        With a record: must be "train", the set the members trained on.

    Returns
    -------
    probability : ndarray of shape (n_stages, n_samples) or (n_samples,)
        In [0, 1]; NaN for an example that every member trained on (or
        whose held-out members all gave NaN).

    See Also
    --------
    heldout_consistency : The fraction of those members that are right.

    Examples
    --------
    >>> from sklearn_difficulty.scores import heldout_probability
    >>> proba = [[0.9, 0.2, 0.6], [0.5, 0.4, 0.8], [0.1, 0.3, 0.7]]  # 3 members
    >>> in_bag = [[True, True, False], [False, True, True], [False, True, False]]
    >>> heldout_probability(proba, in_bag)
    array([0.3 ,  nan, 0.65])
    """
    in_bag = _in_bag_of(proba, in_bag, scored_set, "held-out probability")
    values = (
        proba.output("proba", scored_set)
        if isinstance(proba, PredictionRecord)
        else np.asarray(proba, dtype=np.float64)
    )
    one_stage = values.ndim == 2
    if one_stage:
        values = values[:, np.newaxis]
    if values.ndim != 3:
        raise ValueError(
            "proba must have shape (n_members, n_stages, n_samples) or "
            f"(n_members, n_samples); got {values.shape}."
        )
    n_members, n_stages, n_samples = values.shape
    held_out = _held_out(in_bag, n_members, n_samples)
    total = np.zeros((n_stages, n_samples))
    counts = np.zeros((n_stages, n_samples), dtype=np.intp)
    for member in range(n_members):  # one member at a time: a memmap stays on disk
        examples = np.flatnonzero(held_out[member])
        member_proba = np.asarray(values[member], dtype=np.float64)[:, examples]
        given = ~np.isnan(member_proba)
        total[:, examples] += np.where(given, member_proba, 0.0)
        counts[:, examples] += given
    result = np.full((n_stages, n_samples), np.nan)
    np.divide(total, counts, out=result, where=counts > 0)
    return result[0] if one_stage else result


def majority_label(
    predictions: PredictionRecord | ArrayLike, *, scored_set: str = "train"
) -> NDArray:
    """The label most members assign to each example at each stage (Appendix C).

    Ties go to the smallest label (class index, for a record).

    Parameters
    ----------
    predictions : PredictionRecord, EnsembleDifficulty or array-like of shape \
(n_members, n_stages, n_samples)
        A record, or the labels each member predicted.
    scored_set : str, default="train"
        With a record: which scored set.

    Returns
    -------
    labels : ndarray of shape (n_stages, n_samples)
        Class indices for a record; labels from ``predictions`` otherwise.

    Examples
    --------
    >>> from sklearn_difficulty.scores import majority_label
    >>> majority_label([[["a", "b"]], [["c", "b"]], [["c", "a"]]])
    array([['c', 'b']], dtype='<U1')
    """
    record = record_of(predictions)
    pred, _, _, n_codes = as_stacked(
        record if record is not None else predictions, None, scored_set
    )
    codes = label_codes(pred, n_codes)
    result = np.empty(pred.shape[1:], dtype=np.intp)
    for chunk in label_counts(codes):
        result[:, chunk.examples] = chunk.counts.argmax(axis=2)
    if codes.labels is not None:
        return codes.labels[result]
    return result if record is not None else result.astype(pred.dtype)


def consistency_matrix(source, scored_set: str = "train") -> NDArray[np.float64]:
    """Consistency of shape (n_stages, n_samples) from a record, ensemble or array.

    What the analyses of a record (phases, ranking) read: the consistency of
    a record's scored set, or an array of consistency scores, checked.

    Parameters
    ----------
    source : PredictionRecord, EnsembleDifficulty or array-like of shape \
(n_stages, n_samples) or (n_samples,)
        Where the consistency scores come from; a 1-D array is one stage.
    scored_set : str, default="train"
        With a record or an ensemble: which scored set.

    Returns
    -------
    consistency : ndarray of shape (n_stages, n_samples)

    Examples
    --------
    >>> from sklearn_difficulty.scores import consistency_matrix
    >>> consistency_matrix([0.5, 1])
    array([[0.5, 1. ]])
    """
    record = record_of(source)
    if record is not None:
        return consistency(record, scored_set=scored_set)
    scores = np.asarray(source, dtype=float)
    if scores.ndim == 1:
        scores = scores[np.newaxis]
    if scores.ndim != 2 or scores.size == 0:
        raise ValueError(
            "consistency scores must have shape (n_stages, n_samples); got an "
            f"array of shape {np.shape(source)}."
        )
    if np.any((scores < 0) | (scores > 1)) or np.isnan(scores).any():
        raise ValueError("consistency scores must lie in [0, 1].")
    return scores
