"""Choosing examples by difficulty: the record that scores them, and which to keep.

What the uses of difficulty share, the pruning samplers
(:mod:`sklearn_difficulty.pruning`) and the data experiments
(:mod:`sklearn_difficulty.experiments`): the scorer used when none is
given (an :class:`~sklearn_difficulty.EnsembleDifficulty` of perceptrons,
fitted here, on features scaled by :class:`FlooredScaler`), the record
that scores a training set (fitted, cached,
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
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin, clone
from sklearn.neural_network import MLPClassifier
from sklearn.utils.sparsefuncs import mean_variance_axis, min_max_axis
from sklearn.utils.validation import check_is_fitted, check_memory, validate_data

from .ensemble import EnsembleDifficulty
from .record import PredictionRecord
from .scores import SCORES, outputs_needed, resolve_score, score_examples

__all__ = [
    "SCORES",
    "FlooredScaler",
    "default_member",
    "default_scorer",
    "resolve_score",
    "score_examples",
    "scorer_record",
    "select_examples",
]


DEFAULT_MEMBERS = 5
DEFAULT_EPOCHS = 30


class FlooredScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardise each feature, its divisor floored at its range over ``cap``.

    ``(x - mean_j) / max(std_j, (max_j - min_j) / cap)``: every training
    value lands in ``[-cap, cap]``. A feature that spans at most ``cap``
    standard deviations (any ordinary feature: a Gaussian one spans about 7
    over a few thousand examples) is standardised exactly as by
    ``StandardScaler``; a near-constant one (a border pixel that is zero
    but in a few images, a rare indicator), whose standard deviation is
    tiny against its range, is squashed into ``[-cap, cap]`` instead of
    reaching ``|x| = 50`` and more, where a network memorises the few
    examples that light it up. A constant feature becomes 0. Each feature
    is floored by its own range, so features in very different units are
    all standardised. Sparse input is scaled without centring.

    It is the default scorer's preprocessing (see :func:`default_scorer`).

    Parameters
    ----------
    cap : float, default=10.0
        The largest absolute value a training feature can take.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Zeros for sparse input.
    scale_ : ndarray of shape (n_features,)
        The divisors (1 for a constant feature).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.selection import FlooredScaler
    >>> X = np.column_stack([np.r_[np.zeros(199), 4.0], np.arange(200.0)])
    >>> Z = FlooredScaler().fit_transform(X)  # StandardScaler: 14.1 for the 4
    >>> np.round(np.abs(Z).max(axis=0), 2)
    array([9.95, 1.72])
    """

    def __init__(self, cap=10.0):
        self.cap = cap

    def fit(self, X, y=None):
        """Learn each feature's mean and floored spread."""
        if not (isinstance(self.cap, Real) and self.cap > 0):
            raise ValueError(f"cap must be a positive number; got {self.cap!r}.")
        X = validate_data(self, X, accept_sparse=("csr", "csc"), dtype=np.float64)
        if issparse(X):
            self.mean_ = np.zeros(X.shape[1])
            _, variance = mean_variance_axis(X, axis=0)
            low, high = min_max_axis(X, axis=0)
        else:
            self.mean_ = X.mean(axis=0)
            variance = X.var(axis=0)
            low, high = X.min(axis=0), X.max(axis=0)
        scale = np.maximum(np.sqrt(variance), (high - low) / self.cap)
        scale[scale == 0] = 1.0
        self.scale_ = scale
        return self

    def transform(self, X):
        """Centre (dense input only) and divide by the floored spread."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse=("csr", "csc"), dtype=np.float64, reset=False
        )
        if issparse(X):
            return X.multiply(1 / self.scale_).tocsr()
        return (X - self.mean_) / self.scale_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def default_member(epochs: int = DEFAULT_EPOCHS):
    """The default scorer's member: VectorisedMLP with torch, else MLPClassifier.

    One hidden layer of 100 units, Adam, batches of 200, ``epochs`` epochs:
    :class:`~sklearn_difficulty.nets.VectorisedMLP` when torch (the
    ``torch`` extra) is installed, which trains the members together,
    scikit-learn's ``MLPClassifier`` (the same network and training, one
    ``partial_fit`` epoch at a time) otherwise.

    Examples
    --------
    >>> from sklearn_difficulty.selection import default_member
    >>> member = default_member(epochs=3)  # VectorisedMLP with torch, else sklearn's
    >>> member.hidden_layer_sizes, member.solver, member.batch_size, member.max_iter
    ((100,), 'adam', 'auto', 3)
    """
    try:
        from .nets import VectorisedMLP
    except ImportError:
        return MLPClassifier(hidden_layer_sizes=(100,), max_iter=epochs)
    return VectorisedMLP(hidden_layer_sizes=(100,), max_iter=epochs)


def default_scorer(random_state=None, *, rank_by: str = "auto") -> EnsembleDifficulty:
    """The scorer used when none is given, chosen by the label-noise benchmark.

    ``DEFAULT_MEMBERS`` (5) multi-layer perceptrons (:func:`default_member`),
    each recorded after each of its ``DEFAULT_EPOCHS`` (30) epochs, on
    features scaled by :class:`FlooredScaler` (:func:`scorer_record` scales
    them): chosen on the "choose" group of ``benchmarks/bench_label_noise.py``
    and confirmed on its "confirm" group (``docs/guide/label_cleaning.md``).
    It records the outputs that ``rank_by`` needs (see
    :func:`~sklearn_difficulty.scores.outputs_needed`).

    Examples
    --------
    >>> from sklearn_difficulty.selection import default_scorer
    >>> scorer = default_scorer(random_state=0)
    >>> scorer.n_estimators, scorer.estimator.max_iter, scorer.record_outputs
    (5, 30, ('error_norm',))
    >>> default_scorer(rank_by="learning_speed").record_outputs is None  # labels only
    True
    """
    return EnsembleDifficulty(
        default_member(),
        n_estimators=DEFAULT_MEMBERS,
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

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> from sklearn_difficulty.selection import scorer_record
    >>> X, y = np.arange(8.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1, 0, 1])
    >>> scorer = EnsembleDifficulty(DecisionTreeClassifier(max_depth=1),
    ...                             n_estimators=2, max_samples=6, random_state=0)
    >>> record = scorer_record(scorer, X, y)  # a clone of scorer, fitted on X, y
    >>> record.n_members, record.stage_kind, hasattr(scorer, "record_")
    (2, 'final', False)
    >>> scorer_record(record, X, y) is record  # a record of these examples
    True
    >>> scorer_record(record, X, y[::-1])
    Traceback (most recent call last):
    ...
    ValueError: the labels of the record differ from y: the record must score these \
examples, in this order.
    """
    if scorer is None:
        scorer = default_scorer(random_state, rank_by=rank_by)
        X = FlooredScaler().fit_transform(X)
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
