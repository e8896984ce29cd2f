"""Curriculum orders: the training examples from the easiest to the hardest."""

from __future__ import annotations

import os

import numpy as np
from sklearn.utils import check_random_state

from ..ensemble import EnsembleDifficulty
from ..record import PredictionRecord
from ..scores import score_examples
from ..selection import scorer_record

__all__ = [
    "KINDS",
    "balance_order",
    "curriculum_order",
    "order_from_record",
    "self_taught_order",
]

#: The orders of :func:`curriculum_order`: the curriculum and its two controls.
KINDS = ("curriculum", "anti", "random")


def balance_order(order, y) -> np.ndarray:
    """Interleave the classes of an order so that every prefix keeps them balanced.

    As the authors' ``balance_order`` (Hacohen & Weinshall, 2019): group k
    holds the k-th example of each class in ``order``, and the groups follow
    one another, each group in the order's own order. Classes of unequal
    sizes are handled as in google-research/understanding-curricula: once a
    class is exhausted, the later groups hold the other classes only. With
    classes of equal sizes, the counts of the classes in any prefix differ
    by at most one.

    Parameters
    ----------
    order : array-like of int of shape (n,)
        Indices of examples, easiest first.
    y : array-like of shape (n_samples,)
        The labels of all the examples (indexed by ``order``).

    Returns
    -------
    balanced : ndarray of int of shape (n,)
        The same indices, reordered.

    Examples
    --------
    >>> from sklearn_difficulty.curriculum import balance_order
    >>> balance_order([0, 1, 2, 3, 4, 5], [0, 0, 0, 1, 1, 1])
    array([0, 3, 1, 4, 2, 5])
    """
    order = np.asarray(order, dtype=np.intp)
    labels = np.asarray(y)[order]
    _, codes = np.unique(labels, return_inverse=True)
    rank = np.zeros(order.size, dtype=np.intp)  # the position within its class
    for code in np.unique(codes):
        members = np.flatnonzero(codes == code)
        rank[members] = np.arange(members.size)
    return order[np.lexsort((np.arange(order.size), rank))]


def _check_scores(scores, y):
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 1 or scores.size == 0:
        raise ValueError(f"scores must be 1-D and non-empty; got shape {scores.shape}.")
    if np.isnan(scores).any():
        raise ValueError("scores hold NaN.")
    if y is not None:
        y = np.asarray(y)
        if y.shape != scores.shape:
            raise ValueError(
                f"scores and y must have the same length; got {scores.shape[0]} "
                f"and {y.shape[0] if y.ndim else y.shape}."
            )
    return scores, y


def curriculum_order(
    scores, y=None, *, kind: str = "curriculum", balance: bool = True,
    random_state=None,
) -> np.ndarray:  # fmt: skip
    """The indices of the examples in the order a curriculum draws them.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Difficulty scores, higher is easier.
    y : array-like of shape (n_samples,), default=None
        The labels, to balance the order; needed when ``balance``.
    kind : {"curriculum", "anti", "random"}, default="curriculum"
        - "curriculum": easiest first (higher score first; ties by index);
        - "anti": hardest first, the exact reverse of the (unbalanced)
          curriculum order, then balanced. With classes of equal sizes this
          is the reverse of the balanced curriculum order, as the authors'
          ``np.flip`` of their balanced order; with unequal sizes every
          prefix stays balanced, which the flip would not give;
        - "random": a random permutation fixed by ``random_state``, then
          balanced when ``balance`` (the authors shuffled their balanced
          order, so their random control was not balanced: pass
          ``balance=False`` for it). The scores are not used.
    balance : bool, default=True
        Interleave the classes (:func:`balance_order`) so that the easiest
        pool of any size holds every class equally.
    random_state : int, RandomState instance or None, default=None
        For "random" only.

    Returns
    -------
    order : ndarray of int of shape (n_samples,)
        A permutation of the examples' indices, the first to draw first.

    Examples
    --------
    >>> from sklearn_difficulty.curriculum import curriculum_order
    >>> scores, y = [0.9, 0.8, 0.7, 0.1, 0.2, 0.3], [0, 0, 0, 1, 1, 1]
    >>> curriculum_order(scores, balance=False)
    array([0, 1, 2, 5, 4, 3])
    >>> curriculum_order(scores, y)
    array([0, 5, 1, 4, 2, 3])
    >>> curriculum_order(scores, y, kind="anti")
    array([3, 2, 4, 1, 5, 0])
    """
    scores, y = _check_scores(scores, y)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}.")
    if balance and y is None:
        raise ValueError("balance=True needs the labels y; or pass balance=False.")
    if kind == "random":
        order = check_random_state(random_state).permutation(scores.size)
    else:
        order = np.argsort(-scores, kind="stable")
        if kind == "anti":
            order = order[::-1]
    order = np.ascontiguousarray(order, dtype=np.intp)
    return balance_order(order, y) if balance else order


def _record_of(record) -> PredictionRecord:
    if isinstance(record, str | os.PathLike):
        return PredictionRecord.load(record)
    if isinstance(record, EnsembleDifficulty):
        if not hasattr(record, "record_"):
            raise ValueError("the EnsembleDifficulty is not fitted: it has no record.")
        return record.record_
    if not isinstance(record, PredictionRecord):
        raise TypeError(
            "record must be a PredictionRecord, a fitted EnsembleDifficulty or the "
            f"path of a saved record; got {type(record).__name__}."
        )
    return record


def order_from_record(
    record, y=None, *, score: str = "auto", stage: int | None = None,
    kind: str = "curriculum", balance: bool = True, random_state=None,
) -> np.ndarray:  # fmt: skip
    """A curriculum order scored by a record of the same training examples.

    Transfer scoring: the record of another ensemble (another architecture,
    a pre-trained network's features, ...) fitted on the very examples to
    order, in the same order.

    Parameters
    ----------
    record : PredictionRecord, fitted EnsembleDifficulty or path
        The record (or the path of a saved one) whose training set holds the
        examples to order.
    y : array-like of shape (n_samples,), default=None
        The labels of the examples; when given, checked to be the record's
        labels. The record's own labels balance the order otherwise.
    score : str, default="auto"
        The score (:func:`~sklearn_difficulty.scores.score_examples`).
    stage : int, default=None
        The stage, for the scores that take one.
    kind, balance, random_state
        As :func:`curriculum_order`.

    Returns
    -------
    order : ndarray of int of shape (n_samples,)

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> from sklearn_difficulty.curriculum import order_from_record
    >>> X, y = load_iris(return_X_y=True)
    >>> ensemble = EnsembleDifficulty(SGDClassifier(max_iter=5, tol=None),
    ...     n_estimators=4, random_state=0).fit(X, y)
    >>> order = order_from_record(ensemble.record_, y)
    >>> sorted(order.tolist()) == list(range(150)), y[order[:3]].tolist()
    (True, [0, 1, 2])
    """
    record = _record_of(record)
    if y is not None:
        scorer_record(record, None, y)  # checks that the labels are y
        labels = np.asarray(y)
    else:
        _, targets = record.scored_set("train")
        labels = record.classes[targets]
    scores = score_examples(record, score=score, stage=stage)
    return curriculum_order(
        scores, labels, kind=kind, balance=balance, random_state=random_state
    )


def self_taught_order(
    scorer, X, y, *, score: str = "auto", stage: int | None = None,
    kind: str = "curriculum", balance: bool = True, random_state=None,
    memory=None,
) -> np.ndarray:  # fmt: skip
    """A curriculum order scored by an ensemble fitted on the examples themselves.

    Self-taught scoring: ``scorer`` (an EnsembleDifficulty, cloned) is
    fitted on X, y, and its record orders the examples.

    Parameters
    ----------
    scorer : EnsembleDifficulty or None
        Cloned and fitted on X, y (through ``memory`` when given). None:
        the default scorer of :mod:`sklearn_difficulty.selection` (small
        MLPs on standardised features), seeded by ``random_state``.
    X : array-like
    y : array-like of shape (n_samples,)
    score, stage, kind, balance
        As :func:`order_from_record`.
    random_state : int, RandomState instance or None, default=None
        The default scorer's seed, and the "random" order's.
    memory : str, joblib.Memory or None, default=None
        Caches the scorer's fit.

    Returns
    -------
    order : ndarray of int of shape (n_samples,)

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> from sklearn_difficulty.curriculum import self_taught_order
    >>> X, y = load_iris(return_X_y=True)
    >>> scorer = EnsembleDifficulty(SGDClassifier(max_iter=5, tol=None),
    ...                             n_estimators=4, random_state=0)
    >>> self_taught_order(scorer, X, y).shape
    (150,)
    """
    record = scorer_record(
        scorer, X, y, memory=memory, random_state=random_state, rank_by=score
    )
    return order_from_record(
        record, y, score=score, stage=stage, kind=kind, balance=balance,
        random_state=random_state,
    )  # fmt: skip
