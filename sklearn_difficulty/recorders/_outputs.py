"""Labels as class indices, and outputs measured against the true class.

The one place where a member's predictions become what a record holds: the
class index of each predicted label (:func:`encode_labels`), a member's
per-class values widened to all the ensemble's classes
(:func:`class_columns`), and the outputs of :data:`~sklearn_difficulty.record.
OUTPUTS` computed from probabilities or class scores
(:func:`true_class_outputs`). Every recorder uses them: the scikit-learn
recorders on what ``predict_proba`` and ``decision_function`` give, the
networks' recorders on their logits (moved to numpy batch by batch), so the
outputs are the same maths for every kind of member.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import softmax

from ..record import OUTPUTS

__all__ = [
    "NEEDS_PROBABILITIES",
    "class_columns",
    "encode_labels",
    "resolve_outputs",
    "true_class_outputs",
]

NEEDS_PROBABILITIES = frozenset({"proba", "error_norm"})
"""The outputs that need class probabilities ("margin" needs class scores)."""


def resolve_outputs(record_outputs) -> tuple[str, ...]:
    """``record_outputs`` as a tuple of known output kinds, in :data:`OUTPUTS` order.

    Examples
    --------
    >>> from sklearn_difficulty.recorders import resolve_outputs
    >>> resolve_outputs(None), resolve_outputs(["margin", "proba"])
    ((), ('proba', 'margin'))
    >>> resolve_outputs("all")
    ('proba', 'margin', 'error_norm')
    """
    if record_outputs is None:
        return ()
    wanted = record_outputs
    if isinstance(wanted, str):
        wanted = OUTPUTS if wanted == "all" else (wanted,)
    unknown = sorted(set(wanted) - set(OUTPUTS))
    if unknown:
        raise ValueError(
            f"record_outputs names unknown outputs {unknown}; it takes None, "
            f"'all' or some of {list(OUTPUTS)}."
        )
    return tuple(kind for kind in OUTPUTS if kind in wanted)


def encode_labels(labels, classes: np.ndarray, dtype) -> np.ndarray:
    """Class indices of ``labels``; an error if a label is not in ``classes``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.recorders import encode_labels
    >>> encode_labels(["dog", "cat"], np.array(["cat", "dog"]), np.uint8)
    array([1, 0], dtype=uint8)
    """
    labels = np.asarray(labels)
    if labels.dtype.kind in "iu" and _are_indices(classes):
        # Labels 0..n_classes-1 are their own indices: only check the range.
        if labels.size and (labels.min() < 0 or labels.max() >= classes.size):
            unknown = (labels < 0) | (labels >= classes.size)
            _raise_unknown(labels[unknown])
        return labels.astype(dtype, copy=False)
    codes = np.searchsorted(classes, labels)
    codes = np.clip(codes, 0, classes.size - 1)
    unknown = classes[codes] != labels
    if np.any(unknown):
        _raise_unknown(labels[unknown])
    return codes.astype(dtype, copy=False)


def _are_indices(classes: np.ndarray) -> bool:
    return (
        classes.dtype.kind in "iu"
        and classes[0] == 0
        and classes[-1] == classes.size - 1  # sorted and unique, so 0..K-1
    )


def _raise_unknown(labels: np.ndarray):
    raise ValueError(
        "a member predicted labels never seen in training: "
        f"{np.unique(labels)[:10].tolist()}."
    )


def class_columns(values, columns: np.ndarray, n_classes: int, fill: float):
    """A member's per-class values on the columns of all the ensemble's classes.

    ``values`` has one column per class the member knows (``columns`` are
    their indices among the ``n_classes``); a class it never saw (a subset
    without it) gets ``fill``. A binary ``decision_function`` (one value,
    positive for the second class) becomes the scores ``(0, value)``, so
    that the margin of the second class is the value and that of the first
    its opposite.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.recorders import class_columns
    >>> class_columns([[0.3, 0.7]], np.array([0, 2]), 3, fill=0.0).tolist()
    [[0.3, 0.0, 0.7]]
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = np.column_stack([np.zeros_like(values), values])
    if values.shape[1] != columns.size:
        raise ValueError(
            f"a member gave {values.shape[1]} values per example for its "
            f"{columns.size} classes."
        )
    if columns.size == n_classes and np.array_equal(columns, np.arange(n_classes)):
        return values
    full = np.full((values.shape[0], n_classes), fill)
    full[:, columns] = values
    return full


def true_class_outputs(
    kinds: Sequence[str],
    targets,
    *,
    proba=None,
    scores=None,
    dtype=np.float32,
    known=None,
) -> dict[str, np.ndarray]:
    """Outputs measured against the true class, one value per example.

    Parameters
    ----------
    kinds : sequence of {"proba", "margin", "error_norm"}
        What to compute.
    targets : array-like of int
        True class indices, broadcast against the values' leading axes:
        shape (n_samples,) for values of shape (n_samples, n_classes), or
        for values of shape (n_members, n_samples, n_classes) (a group of
        networks' logits on one batch).
    proba : ndarray of shape (..., n_classes), default=None
        Class probabilities. None with ``scores``: their softmax (what a
        network's logits give).
    scores : ndarray of shape (..., n_classes), default=None
        Class scores: a network's logits or a ``decision_function``. None:
        the margin comes from the log-probabilities (which differ from a
        softmax's logits by a constant per example, so the margin is the
        same).
    dtype : numpy dtype, default=float32
    known : array-like of int, default=None
        The classes (indices) the member knows, for a member trained on a
        subset that lacked some (its other columns hold probability 0 and
        score -inf, see :func:`class_columns`). An example whose true class
        is not among them gets NaN in every output: the member has no value
        for it (never an infinity). A missing *other* class changes nothing:
        the margin's maximum runs over the classes the member knows. None:
        the member knows every class (a network's outputs).

    Returns
    -------
    outputs : dict of str to ndarray of shape (...)
        "proba": ``p[y]``; "margin": ``s[y] - max_{k != y} s[k]``;
        "error_norm": ``||p - onehot(y)||_2``; NaN where the member never
        saw the true class (``known``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.recorders import true_class_outputs
    >>> proba = np.array([[0.7, 0.2, 0.1], [0.5, 0.25, 0.25]])
    >>> out = true_class_outputs(
    ...     ["proba", "error_norm"], [0, 2], proba=proba, dtype=np.float64)
    >>> np.round(out["proba"], 4).tolist(), np.round(out["error_norm"], 4).tolist()
    ([0.7, 0.25], [0.3742, 0.9354])
    >>> logits = np.array([[2.0, 0.5, -1.0]])
    >>> true_class_outputs(["margin"], [1], scores=logits)["margin"].tolist()
    [-1.5]
    >>> scores = np.array([[2.0, -np.inf, 1.0], [0.5, -np.inf, 1.0]])  # no class 1
    >>> true_class_outputs(
    ...     ["margin"], [0, 1], scores=scores, known=[0, 2])["margin"].tolist()
    [1.0, nan]
    """
    if not kinds:
        return {}
    if scores is not None:
        scores = np.asarray(scores, dtype=np.float64)
        if proba is None and NEEDS_PROBABILITIES & set(kinds):
            proba = softmax(scores, axis=-1)
    if proba is not None:
        proba = np.asarray(proba, dtype=np.float64)
    values = scores if scores is not None else proba
    if values is None:
        raise ValueError("true-class outputs need class probabilities or scores.")
    # The true class's position along the last axis, for every leading index.
    index = np.broadcast_to(np.asarray(targets, dtype=np.intp), values.shape[:-1])[
        ..., np.newaxis
    ]
    result = {}
    for kind in kinds:
        if kind in NEEDS_PROBABILITIES and proba is None:
            raise ValueError(f"the output {kind!r} needs class probabilities.")
        if kind == "proba":
            value = np.take_along_axis(proba, index, axis=-1)[..., 0]
        elif kind == "error_norm":
            error = proba.copy()
            true = np.take_along_axis(error, index, axis=-1)
            np.put_along_axis(error, index, true - 1.0, axis=-1)
            value = np.sqrt(np.einsum("...k,...k->...", error, error))
        elif kind == "margin":
            if scores is None:
                # A probability of 0 counts as the smallest positive double.
                base = np.log(np.maximum(proba, np.finfo(np.float64).tiny))
            else:
                base = scores
            other = base.copy()
            np.put_along_axis(other, index, -np.inf, axis=-1)
            value = np.take_along_axis(base, index, axis=-1)[..., 0] - other.max(-1)
        else:
            raise ValueError(f"unknown output {kind!r}; the outputs are {OUTPUTS}.")
        result[kind] = value.astype(dtype)
    return result if known is None else _no_value(result, index[..., 0], known)


def _no_value(outputs: dict, targets: np.ndarray, known) -> dict:
    """NaN in every output of the examples of a class the member never saw."""
    unseen = ~np.isin(targets, known)
    for value in outputs.values():
        value[unseen] = np.nan
    return outputs
