"""Choosing examples by difficulty: the record that scores them, and which to keep.

What the uses of difficulty share, the pruning samplers
(:mod:`sklearn_difficulty.pruning`) and the data experiments
(:mod:`sklearn_difficulty.experiments`): the scorer used when none is
given (an :class:`~sklearn_difficulty.EnsembleDifficulty` of perceptrons,
fitted here), the record that scores a training set (fitted, cached,
loaded or checked against the data), and :func:`select_examples`, a pure
function of the scores that chooses the examples kept. Scores by name come
from the registry of :mod:`sklearn_difficulty.scores`, whose ``SCORES``,
:func:`resolve_score` and :func:`score_examples` are re-exported here.
Needs no optional dependency.
"""

from __future__ import annotations

import os
from numbers import Integral, Real

import numpy as np
from scipy.sparse import issparse
from sklearn.base import clone
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_memory

from .ensemble import EnsembleDifficulty
from .record import PredictionRecord
from .scores import SCORES, outputs_needed, resolve_score, score_examples

__all__ = [
    "SCORES",
    "default_scorer",
    "resolve_score",
    "score_examples",
    "scorer_record",
    "select_examples",
]


def default_scorer(random_state=None, *, rank_by: str = "auto") -> EnsembleDifficulty:
    """The scorer used when none is given, chosen by the label-noise benchmark.

    10 multi-layer perceptrons (100 hidden units), each recorded after each
    of its 30 epochs, on standardised features (:func:`scorer_record`
    standardises them): the ensemble of ``benchmarks/bench_label_noise.py``,
    where AUM from it matched or beat cleanlab in 20 of 21 settings. It
    records the outputs that ``rank_by`` needs (see
    :func:`~sklearn_difficulty.scores.outputs_needed`).
    """
    return EnsembleDifficulty(
        MLPClassifier(hidden_layer_sizes=(100,), max_iter=30),
        n_estimators=10,
        random_state=random_state,
        record_outputs=outputs_needed(rank_by) or None,
    )


def _fit_record(scorer, X, y) -> PredictionRecord:
    """Fit a difficulty ensemble and return its record (what ``memory`` caches)."""
    return scorer.fit(X, y).record_


def scorer_record(
    scorer, X, y, *, memory=None, random_state=None, rank_by="auto"
) -> PredictionRecord:
    """The record that scores the examples of (X, y).

    ``scorer`` is an EnsembleDifficulty (cloned and fitted on X, y, through
    ``memory`` when given), a PredictionRecord of these examples, or the path
    of a saved record; None uses :func:`default_scorer`, fitted on X
    standardised (each feature scaled to unit variance, and centred unless X
    is sparse).
    """
    if scorer is None:
        scorer = default_scorer(random_state, rank_by=rank_by)
        X = StandardScaler(with_mean=not issparse(X)).fit_transform(X)
    if isinstance(scorer, str | os.PathLike):
        scorer = PredictionRecord.load(scorer)
    if isinstance(scorer, PredictionRecord):
        _check_record_matches(scorer, y)
        return scorer
    if not isinstance(scorer, EnsembleDifficulty):
        raise TypeError(
            "scorer must be an EnsembleDifficulty, a PredictionRecord or the path "
            f"of a saved record; got {type(scorer).__name__}."
        )
    return check_memory(memory).cache(_fit_record)(clone(scorer), X, y)


def _check_record_matches(record: PredictionRecord, y) -> None:
    _, targets = record.scored_set("train")
    y = np.asarray(y)
    if targets.shape[0] != y.shape[0]:
        raise ValueError(
            f"the record scores {targets.shape[0]} training examples but X has "
            f"{y.shape[0]}: it must be the record of these very examples."
        )
    labels = record.classes[targets]
    if labels.dtype.kind != y.dtype.kind and not (
        labels.dtype.kind in "iu" and y.dtype.kind in "iu"
    ):
        same = np.array_equal(labels.astype(str), y.astype(str))
    else:
        same = np.array_equal(labels, y)
    if not same:
        raise ValueError(
            "the labels of the record differ from y: the record must score these "
            "examples, in this order."
        )


def select_examples(
    scores,
    y,
    *,
    remove: str = "hardest",
    by: str = "fraction",
    amount: float = 0.1,
    per_class: bool = True,
    classes=None,
) -> np.ndarray:
    """Indices of the examples kept after removing the easiest or the hardest.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Difficulty scores, higher is easier.
    y : array-like of shape (n_samples,)
        Labels.
    remove : {"hardest", "easiest"}, default="hardest"
    by : {"fraction", "count", "threshold"}, default="fraction"
        ``amount`` is a fraction in (0, 1) of the examples, a number of
        examples, or a score: the hardest are those scoring at most
        ``amount``, the easiest those scoring at least ``amount``.
    amount : float or int, default=0.1
    per_class : bool, default=True
        Apply a fraction or count within each class (keeping the balance of
        the classes) instead of over all the examples.
    classes : array-like, default=None
        Only examples of these classes may be removed; None for all.

    Returns
    -------
    kept : ndarray of int
        Sorted indices of the examples kept. Ties in score go by index: the
        earlier example is removed first.

    Examples
    --------
    >>> from sklearn_difficulty.pruning import select_examples
    >>> scores = [0.9, 0.1, 0.5, 0.2, 0.8, 0.4]
    >>> select_examples(scores, [0, 0, 0, 1, 1, 1], amount=1 / 3)
    array([0, 2, 4, 5])
    >>> select_examples(scores, [0, 0, 0, 1, 1, 1], remove="easiest", by="threshold",
    ...                 amount=0.8)
    array([1, 2, 3, 5])
    """
    scores = np.asarray(scores, dtype=float)
    y = np.asarray(y)
    if scores.shape != y.shape or scores.ndim != 1:
        raise ValueError(
            f"scores and y must be 1-D of the same length; got {scores.shape} and "
            f"{y.shape}."
        )
    if remove not in ("hardest", "easiest"):
        raise ValueError(f"remove must be 'hardest' or 'easiest'; got {remove!r}.")
    if np.isnan(scores).any():
        raise ValueError("scores hold NaN.")
    targeted = np.ones(y.shape, bool) if classes is None else np.isin(y, classes)
    removed = np.zeros(y.shape, bool)
    # Order from the first to remove to the last; ties by index.
    key = scores if remove == "hardest" else -scores
    if by == "threshold":
        if not isinstance(amount, Real):
            raise ValueError(f"a threshold must be a number; got {amount!r}.")
        hit = scores <= amount if remove == "hardest" else scores >= amount
        removed = hit & targeted
    elif by in ("fraction", "count"):
        if by == "fraction" and not (isinstance(amount, Real) and 0 < amount < 1):
            raise ValueError(f"a fraction must be in (0, 1); got {amount!r}.")
        if by == "count" and not (isinstance(amount, Integral) and amount >= 1):
            raise ValueError(f"a count must be a positive integer; got {amount!r}.")
        groups = (
            [targeted & (y == k) for k in np.unique(y[targeted])]
            if per_class
            else [targeted]
        )
        for group in groups:
            members = np.flatnonzero(group)
            n = int(round(amount * members.size)) if by == "fraction" else int(amount)
            order = members[np.argsort(key[members], kind="stable")]
            removed[order[:n]] = True
    else:
        raise ValueError(f"by must be 'fraction', 'count' or 'threshold'; got {by!r}.")
    kept = np.flatnonzero(~removed)
    if kept.size == 0:
        raise ValueError(
            f"removing the {remove} examples by {by}={amount} keeps no example."
        )
    emptied = [k for k in np.unique(y) if not np.any(y[kept] == k)]
    if emptied:
        raise ValueError(
            f"removing the {remove} examples by {by}={amount} keeps no example of "
            f"class {np.asarray(emptied[0]).tolist()!r}."
        )
    return kept
