"""Predicted labels as the scores read them: one shape, in chunks, counted.

Internal helpers shared by the scores and the analyses of a record (phases,
histograms): the predictions of a record or an array in the shape
``(n_members, n_stages, n_samples)``, the chunks of examples that bound the
memory a score uses beyond the predictions, and the count of the members
that give each label, which consensus and the majority label both read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..record import PredictionRecord

__all__ = [
    "CHUNK_ELEMENTS",
    "LabelCodes",
    "LabelCounts",
    "LabelledPredictions",
    "StackedPredictions",
    "as_labelled",
    "as_stacked",
    "chunks",
    "label_codes",
    "label_counts",
]

#: Largest number of array elements a temporary of one chunk may hold.
CHUNK_ELEMENTS = 1 << 18


def chunks(n_samples: int, elements_per_sample: int) -> Iterator[slice]:
    """Slices of the examples, each small enough for a temporary of one chunk.

    Examples
    --------
    >>> from sklearn_difficulty.scores._predictions import chunks
    >>> list(chunks(3, 1))
    [slice(0, 3, None)]
    """
    step = max(1, CHUNK_ELEMENTS // max(1, elements_per_sample))
    for start in range(0, n_samples, step):
        yield slice(start, min(start + step, n_samples))


class StackedPredictions(NamedTuple):
    """Predictions of shape (n_members, n_stages, n_samples) and what they came as."""

    predictions: NDArray
    #: True labels of shape (n_samples,), None when none were given.
    targets: NDArray | None
    #: Whether the predictions came without a stage axis (one stage).
    one_stage: bool
    #: Number of classes when the predictions are class indices (a record).
    n_codes: int | None


def as_stacked(
    predictions: PredictionRecord | ArrayLike,
    y: ArrayLike | None,
    scored_set: str,
) -> StackedPredictions:
    """The predictions of a record's scored set, or checked predictions and labels.

    Examples
    --------
    >>> from sklearn_difficulty.scores._predictions import as_stacked
    >>> stacked = as_stacked([[0, 1], [1, 1]], [0, 1], "train")  # 2 members
    >>> stacked.predictions.shape, stacked.one_stage
    ((2, 1, 2), True)
    """
    if isinstance(predictions, PredictionRecord):
        if y is not None:
            raise ValueError(
                "y must be None when predictions is a PredictionRecord: the "
                "record holds the true labels of each scored set."
            )
        pred, target = predictions.scored_set(scored_set)
        return StackedPredictions(pred, target, False, predictions.n_classes)

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
        return StackedPredictions(pred, None, one_stage, None)
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
    return StackedPredictions(pred, target, one_stage, None)


class LabelledPredictions(NamedTuple):
    """Predictions of shape (n_members, n_stages, n_samples) and their true labels."""

    predictions: NDArray
    #: True labels of shape (n_samples,).
    targets: NDArray
    #: Whether the predictions came without a stage axis (one stage).
    one_stage: bool


def as_labelled(
    predictions: PredictionRecord | ArrayLike,
    y: ArrayLike | None,
    scored_set: str,
) -> LabelledPredictions:
    """:func:`as_stacked` for the scores that compare predictions with true labels.

    An array of predictions needs ``y``; a record holds the labels of its
    scored sets.

    Examples
    --------
    >>> from sklearn_difficulty.scores._predictions import as_labelled
    >>> as_labelled([[0, 1]], [0, 0], "train").targets
    array([0, 0])
    """
    if y is None and not isinstance(predictions, PredictionRecord):
        raise ValueError("y is required when predictions is an array.")
    stacked = as_stacked(predictions, y, scored_set)
    if stacked.targets is None:  # unreachable: a record or y gives them
        raise AssertionError("predictions without true labels")
    return LabelledPredictions(stacked.predictions, stacked.targets, stacked.one_stage)


class LabelCodes(NamedTuple):
    """Predicted labels as codes 0 .. n_codes - 1."""

    #: Array of the predictions' shape, of codes.
    codes: NDArray
    n_codes: int
    #: The label of each code; None when each code is its own label.
    labels: NDArray | None


def label_codes(predictions: NDArray, n_codes: int | None) -> LabelCodes:
    """Codes of the predicted labels: themselves when they are small integers.

    ``n_codes`` is the number of classes of predictions that are class
    indices (a record's), None when unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.scores._predictions import label_codes
    >>> label_codes(np.array([2, 0]), None).n_codes
    3
    >>> label_codes(np.array(["b", "a"]), None).codes.tolist()
    [1, 0]
    """
    if n_codes is not None:
        return LabelCodes(predictions, n_codes, None)
    if predictions.dtype.kind in "iub" and predictions.size:
        low, high = int(predictions.min()), int(predictions.max())
        if low >= 0 and high < (1 << 16):
            return LabelCodes(predictions, high + 1, None)
    labels, inverse = np.unique(predictions, return_inverse=True)
    return LabelCodes(inverse.reshape(predictions.shape), labels.size, labels)


class LabelCounts(NamedTuple):
    """How many members give each label, for one chunk of examples."""

    #: The examples of the chunk.
    examples: slice
    #: Array of shape (n_stages, n_examples_in_chunk, n_codes).
    counts: NDArray[np.intp]


def label_counts(codes: LabelCodes) -> Iterator[LabelCounts]:
    """Per chunk of examples, the number of members that give each label.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.scores._predictions import label_codes, label_counts
    >>> codes = label_codes(np.array([[[0, 1]], [[0, 0]], [[1, 1]]]), None)
    >>> [chunk.counts.tolist() for chunk in label_counts(codes)]
    [[[[2, 1], [1, 2]]]]
    """
    n_members, n_stages, n_samples = codes.codes.shape
    n_codes = codes.n_codes
    for chunk in chunks(n_samples, n_stages * max(n_members, n_codes)):
        block = codes.codes[:, :, chunk].astype(np.intp)
        width = block.shape[2]
        cells = np.arange(n_stages * width, dtype=np.intp).reshape(n_stages, width)
        counts = np.bincount(
            (cells * n_codes + block).ravel(), minlength=n_stages * width * n_codes
        )
        yield LabelCounts(chunk, counts.reshape(n_stages, width, n_codes))
