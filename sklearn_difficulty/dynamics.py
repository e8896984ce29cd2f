"""Learning dynamics read off a prediction record (Hacohen & Weinshall, sections 2-3).

Bi-modality of the consistency scores per stage, the four phases of
learning, the order in which examples are learnt (learning speed, ranking,
groups, the paper's "learnt at least as fast as" relation), the label most
members assign, and per-example trajectories. Each function takes a
:class:`~sklearn_difficulty.PredictionRecord` (with the name of a scored
set), a fitted :class:`~sklearn_difficulty.EnsembleDifficulty`, or an array
of consistency scores of shape (n_stages, n_samples).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .record import PredictionRecord
from .scores import _as_stacked, _chunks, consistency

__all__ = [
    "PHASES",
    "bimodality",
    "difficulty_groups",
    "difficulty_ranking",
    "easiest_examples",
    "hardest_examples",
    "learning_phases",
    "learnt_at_least_as_fast",
    "majority_label",
]

#: The four phases of learning, in the order they come (section 3).
PHASES = ("initialization", "beginning of learning", "bi-modality", "end of learning")


def _record_of(source):
    record = getattr(source, "record_", source)
    return record if isinstance(record, PredictionRecord) else None


def consistency_matrix(source, scored_set: str = "train") -> NDArray[np.float64]:
    """Consistency of shape (n_stages, n_samples) from a record, ensemble or array."""
    record = _record_of(source)
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


def bimodality(source, *, scored_set: str = "train") -> NDArray[np.float64]:
    """Pearson's bi-modality measure of the consistency scores at each stage.

    kurtosis - skewness^2 - 1, with Pearson's (non-excess) kurtosis and the
    population moments. It is never negative (Pearson's inequality); it is
    0 for scores that take two values only (all members identical), about 2
    for a Gaussian (members that err independently), 0.8 for a uniform
    distribution. Lower is more bi-modal.

    When all scores of a stage are equal, the moments are undefined; the
    measure is then 0, its limit for a two-valued distribution whose second
    value vanishes (the paper's "degenerate case of the bi-modal phase").

    Parameters
    ----------
    source : PredictionRecord, EnsembleDifficulty or array-like of shape \
(n_stages, n_samples)
        Where the consistency scores come from.
    scored_set : str, default="train"
        With a record or an ensemble: which scored set.

    Returns
    -------
    measure : ndarray of shape (n_stages,)

    Examples
    --------
    >>> from sklearn_difficulty.dynamics import bimodality
    >>> bimodality([[0, 0, 1, 1], [0.5, 0.5, 0.5, 0.5], [0, 0.5, 0.5, 1]])
    array([0., 0., 1.])
    """
    scores = consistency_matrix(source, scored_set)
    centred = scores - scores.mean(axis=1, keepdims=True)
    m2 = np.mean(centred**2, axis=1)
    m3 = np.mean(centred**3, axis=1)
    m4 = np.mean(centred**4, axis=1)
    spread = m2 > 1e-12 * np.maximum(1.0, np.max(np.abs(scores), axis=1)) ** 2
    result = np.zeros(scores.shape[0])
    safe = np.where(spread, m2, 1.0)
    kurtosis = m4 / safe**2
    skewness_squared = m3**2 / safe**3
    result[spread] = (kurtosis - skewness_squared - 1)[spread]
    result[result < 1e-12] = 0.0  # rounding around Pearson's bound
    return result


def learning_phases(
    source,
    *,
    n_classes: int | None = None,
    scored_set: str = "train",
    chance_tolerance: float = 0.05,
    bimodal_threshold: float = 0.8,
    min_spread: float = 0.2,
    end_threshold: float = 0.95,
    ordered: bool = True,
) -> NDArray[np.str_]:
    """The phase of learning at each stage (section 3), by documented rules.

    Each stage is, in this order of precedence:

    - "end of learning": the mean consistency is at least ``end_threshold``
      (the scores gather at 1);
    - "bi-modality": Pearson's measure is at most ``bimodal_threshold``
      (the default, 0.8, is the measure of a uniform distribution: below it,
      the scores crowd at two values) and the scores spread with a standard
      deviation of at least ``min_spread`` (so the two values are far apart,
      as 0 and 1 are; a narrow bell of few distinct values is not
      bi-modal);
    - "initialization": the mean consistency is within ``chance_tolerance``
      of chance, 1 / n_classes (a bell around chance);
    - "beginning of learning": anything else (the scores leave chance).

    Phases come in this order (section 3), so with ``ordered=True`` a stage
    is never put in an earlier phase than the stage before it: once the
    scores have been bi-modal, a stage that is neither bi-modal nor at the
    end of learning (the last few hard examples spreading the scores out) is
    still in the bi-modal phase.

    Parameters
    ----------
    source : PredictionRecord, EnsembleDifficulty or array-like of shape \
(n_stages, n_samples)
        Where the consistency scores come from.
    n_classes : int, default=None
        Number of classes, for the chance level; taken from a record or
        ensemble, required with an array.
    scored_set : str, default="train"
        With a record or an ensemble: which scored set.
    chance_tolerance, bimodal_threshold, min_spread, end_threshold : float
        The thresholds above.
    ordered : bool, default=True
        Keep the phases in their order over the stages.

    Returns
    -------
    phases : ndarray of str of shape (n_stages,)
        Values from :data:`PHASES`.

    Examples
    --------
    >>> from sklearn_difficulty.dynamics import learning_phases
    >>> learning_phases([[0.1, 0.2, 0.3, 0.2, 0.1, 0.3, 0.2, 0.1],
    ...                  [0.1, 0.5, 0.6, 0.4, 0.3, 0.5, 0.6, 0.4],
    ...                  [0, 0, 1, 1, 1, 0, 1, 1],
    ...                  [1, 1, 1, 1, 1, 1, 1, 0.9]], n_classes=5)
    array(['initialization', 'beginning of learning', 'bi-modality',
           'end of learning'], dtype='<U21')
    """
    scores = consistency_matrix(source, scored_set)
    record = _record_of(source)
    if n_classes is None:
        if record is None:
            raise ValueError("n_classes is required with an array of scores.")
        n_classes = record.n_classes
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2; got {n_classes}.")
    for name, value in [
        ("chance_tolerance", chance_tolerance),
        ("bimodal_threshold", bimodal_threshold),
        ("min_spread", min_spread),
        ("end_threshold", end_threshold),
    ]:
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a non-negative number; got {value}.")
    mean = scores.mean(axis=1)
    measure = bimodality(scores)
    phases = np.full(scores.shape[0], PHASES[1], dtype="<U21")
    phases[np.abs(mean - 1 / n_classes) <= chance_tolerance] = PHASES[0]
    bimodal = (measure <= bimodal_threshold) & (scores.std(axis=1) >= min_spread)
    phases[bimodal] = PHASES[2]
    phases[mean >= end_threshold] = PHASES[3]
    if ordered:
        rank = np.maximum.accumulate([PHASES.index(phase) for phase in phases])
        phases = np.asarray(PHASES, dtype="<U21")[rank]
    return phases


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
    >>> from sklearn_difficulty.dynamics import majority_label
    >>> majority_label([[["a", "b"]], [["c", "b"]], [["c", "a"]]])
    array([['c', 'b']], dtype='<U1')
    """
    record = _record_of(predictions)
    pred, _, _, n_codes = _as_stacked(
        record if record is not None else predictions, None, scored_set
    )
    if n_codes is None:
        uniques, inverse = np.unique(pred, return_inverse=True)
        codes, n_codes = inverse.reshape(pred.shape), uniques.size
    else:
        uniques, codes = None, pred
    n_members, n_stages, n_samples = codes.shape
    result = np.empty((n_stages, n_samples), dtype=np.intp)
    for chunk in _chunks(n_samples, n_stages * max(n_members, n_codes)):
        block = codes[:, :, chunk].astype(np.intp)
        width = block.shape[2]
        cells = np.arange(n_stages * width, dtype=np.intp).reshape(n_stages, width)
        counts = np.bincount(
            (cells * n_codes + block).ravel(), minlength=n_stages * width * n_codes
        ).reshape(n_stages, width, n_codes)
        result[:, chunk] = counts.argmax(axis=2)
    return result if uniques is None else uniques[result]


def difficulty_ranking(source, *, scored_set: str = "train") -> NDArray[np.intp]:
    """Examples from easiest to hardest, by learning speed (ties: lower index first).

    Parameters
    ----------
    source : PredictionRecord, EnsembleDifficulty or array-like of shape \
(n_stages, n_samples)
        Where the consistency scores come from.
    scored_set : str, default="train"

    Returns
    -------
    order : ndarray of shape (n_samples,)
        Indices of the examples, easiest first.

    Examples
    --------
    >>> from sklearn_difficulty.dynamics import difficulty_ranking
    >>> difficulty_ranking([[0.2, 1.0, 0.0], [0.6, 1.0, 0.2]])
    array([1, 0, 2])
    """
    speed = consistency_matrix(source, scored_set).mean(axis=0)
    return np.argsort(-speed, kind="stable")


def difficulty_groups(
    source, *, n_groups: int = 3, scored_set: str = "train"
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

    Returns
    -------
    group : ndarray of shape (n_samples,)
        The group of each example, 0 (easiest) to n_groups - 1.

    Examples
    --------
    >>> from sklearn_difficulty.dynamics import difficulty_groups
    >>> difficulty_groups([[0.9, 0.1, 0.5, 1.0, 0.0, 0.4]])
    array([0, 2, 1, 0, 2, 1])
    """
    order = difficulty_ranking(source, scored_set=scored_set)
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
    >>> from sklearn_difficulty.dynamics import learnt_at_least_as_fast
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
    >>> from sklearn_difficulty.dynamics import easiest_examples
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
    >>> from sklearn_difficulty.dynamics import hardest_examples
    >>> hardest_examples([[1.0, 0.5, 0.0], [1.0, 1.0, 0.5]])
    (array([2]), array([0]))
    """
    return _extreme_examples(consistency_matrix(source, scored_set), n_examples, False)
