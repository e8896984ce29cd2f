"""Learning dynamics read off a prediction record (Hacohen & Weinshall, sections 2-3).

Bi-modality of the consistency scores per stage, the stages at which the
members' predictions have collapsed, the four phases of learning, the order
in which examples are learnt (learning speed, ranking, groups, the paper's
"learnt at least as fast as" relation), the label most members assign, and
per-example trajectories. Each function takes a
:class:`~sklearn_difficulty.PredictionRecord` (with the name of a scored
set), a fitted :class:`~sklearn_difficulty.EnsembleDifficulty`, or an array
of consistency scores of shape (n_stages, n_samples); :func:`collapsed_stages`
reads the members' predictions, so it needs a record or an ensemble.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .record import PredictionRecord, as_record, record_of
from .scores import _as_stacked, _chunks, consensus, consistency, mean_over_training

__all__ = [
    "PHASES",
    "ScoreHistograms",
    "bimodality",
    "collapsed_stages",
    "difficulty_groups",
    "difficulty_ranking",
    "easiest_examples",
    "hardest_examples",
    "learning_phases",
    "learnt_at_least_as_fast",
    "majority_label",
    "phase_stages",
    "score_edges",
    "score_histograms",
]

#: The four phases of learning, in the order they come (section 3).
PHASES = ("initialization", "beginning of learning", "bi-modality", "end of learning")


def consistency_matrix(source, scored_set: str = "train") -> NDArray[np.float64]:
    """Consistency of shape (n_stages, n_samples) from a record, ensemble or array."""
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


def collapsed_stages(
    source, *, scored_set: str = "train", collapse_coverage: float = 0.5
) -> NDArray[np.bool_]:
    """Stages at which every member's predictions have collapsed.

    A member has *collapsed* at a stage when it predicts a single class for
    every example of the scored set, or when the examples whose true class
    it predicts at least once (the only examples it could be right on) are
    at most ``collapse_coverage`` of the scored set. A stage has collapsed
    when every member has.

    At a collapsed stage the consistency of an example depends on its class
    more than on the example: members that all answer one class score 1 on
    that class and 0 elsewhere, the most bi-modal scores there are, with
    nothing learnt. Untrained networks, and the first rounds of boosting
    trees that have fewer leaves than there are classes, look like this.

    Collapse is read off the members' predictions: it needs a record or a
    fitted ensemble; an array of consistency scores cannot show it.

    Parameters
    ----------
    source : PredictionRecord or EnsembleDifficulty
        Where the predictions come from.
    scored_set : str, default="train"
        Which scored set.
    collapse_coverage : float, default=0.5
        Largest fraction of the examples a member may cover and still count
        as collapsed, in [0, 1). With K balanced classes, the default counts
        members that predict at most half the classes; 0 counts only
        members that predict one class.

    Returns
    -------
    collapsed : ndarray of bool of shape (n_stages,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.dynamics import collapsed_stages
    >>> targets = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    >>> one_class = np.zeros(8, int)                # stage 1: class 0 for all
    >>> two_classes = np.where(targets < 2, targets, 0)  # stage 2: 0 and 1
    >>> record = PredictionRecord(
    ...     predictions={"train": np.stack([[one_class, two_classes, targets]] * 3)},
    ...     targets={"train": targets}, classes=np.arange(4), stages=np.arange(1, 4))
    >>> collapsed_stages(record)
    array([ True,  True, False])
    >>> collapsed_stages(record, collapse_coverage=0)
    array([ True, False, False])
    """
    record = record_of(source)
    if record is None:
        raise TypeError(
            "collapse is read off the members' predictions: pass a "
            "PredictionRecord or a fitted EnsembleDifficulty, not "
            f"{type(source).__name__}; consistency scores cannot show it."
        )
    if not 0 <= collapse_coverage < 1:
        raise ValueError(
            f"collapse_coverage must be in [0, 1); got {collapse_coverage!r}."
        )
    pred, target = record.scored_set(scored_set)
    n_members, n_stages, n_samples = pred.shape
    n_classes = record.n_classes
    predicted = np.zeros(n_members * n_stages * n_classes, dtype=bool)
    offsets = (np.arange(n_members * n_stages, dtype=np.intp) * n_classes)[:, None]
    for chunk in _chunks(n_samples, n_members * n_stages):
        block = pred[:, :, chunk].reshape(n_members * n_stages, -1).astype(np.intp)
        predicted[(offsets + block).ravel()] = True
    predicted = predicted.reshape(n_members, n_stages, n_classes)
    examples_of_class = np.bincount(target, minlength=n_classes)
    covered = predicted.astype(np.intp) @ examples_of_class
    member_collapsed = (predicted.sum(axis=2) == 1) | (
        covered <= collapse_coverage * n_samples
    )
    return member_collapsed.all(axis=0)


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
    collapse_coverage: float = 0.5,
) -> NDArray[np.str_]:
    """The phase of learning at each stage (section 3), by documented rules.

    Each stage gets its own label by the first of these rules that holds:

    - a *collapsed* stage (:func:`collapsed_stages`: every member predicts
      a single class, or only classes whose examples make up at most
      ``collapse_coverage`` of the scored set) is "initialization" when the
      mean consistency is within ``chance_tolerance`` of chance, and
      "beginning of learning" otherwise; never "bi-modality" nor "end of
      learning": its scores are 0 or 1 because of the classes the members
      predict, not because of what they learnt about the examples.
      Collapse is read off the members' predictions, so only a record or a
      fitted ensemble shows it; an array of scores is labelled by the
      rules below alone;
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

    Untrained members (a stage 0) are right at chance rate, so their stage
    is "initialization", collapsed or not. (Members that answer one class
    are right as often as that class occurs: with unbalanced classes that
    may be further than ``chance_tolerance`` from 1 / n_classes, and the
    stage is then "beginning of learning".)

    Phases come in this order (section 3). With ``ordered=True`` the stages
    that have not collapsed get, among the sequences of phases that never
    go back to an earlier phase, the one closest to their own labels: the
    distance of a stage is the number of steps, in the order of
    :data:`PHASES`, from its phase in the sequence to its own label (2 for
    a bi-modal stage put in "initialization"), and the sequence has the
    smallest sum of distances; of several such sequences, the one that puts
    every stage in its earliest phase (there is exactly one). A stage
    labelled "initialization" or "beginning of learning" whose measure is
    at most ``bimodal_threshold`` is also at distance 0 from "bi-modality":
    its scores crowd at two values and only spread less than
    ``min_spread`` (the last few hard examples, after the bi-modal phase).
    So a stage goes to another phase than its own only where the stages
    around it outweigh it: one bi-modal stage does not make the stages
    after it bi-modal, and one stage out of line among bi-modal ones is
    read as noise. Collapsed stages keep their own label and take no part
    in the ordering. With ``ordered=False`` every stage gets its own label.

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
        Keep the phases in their order over the stages, as above.
    collapse_coverage : float, default=0.5
        With a record or an ensemble: what counts as collapsed (see
        :func:`collapsed_stages`), in [0, 1); 0 for members that predict
        one class only.

    Returns
    -------
    phases : ndarray of str of shape (n_stages,)
        Values from :data:`PHASES`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.dynamics import consistency_matrix, learning_phases
    >>> learning_phases([[0.1, 0.2, 0.3, 0.2, 0.1, 0.3, 0.2, 0.1],
    ...                  [0.1, 0.5, 0.6, 0.4, 0.3, 0.5, 0.6, 0.4],
    ...                  [0, 0, 1, 1, 1, 0, 1, 1],
    ...                  [1, 1, 1, 1, 1, 1, 1, 0.9]], n_classes=5)
    array(['initialization', 'beginning of learning', 'bi-modality',
           'end of learning'], dtype='<U21')

    One bi-modal stage followed by two bells (measure 1.7) is outvoted:

    >>> bell = [0.3, 0.5, 0.6, 0.5, 0.4, 0.5, 0.7, 0.5]
    >>> learning_phases([[0, 0, 1, 1, 1, 0, 1, 1], bell, bell], n_classes=5)
    array(['beginning of learning', 'beginning of learning',
           'beginning of learning'], dtype='<U21')

    Two untrained members that answer class 0 for everything (stage 0),
    then learn all: their scores are 0 and 1 at stage 0, yet nothing has
    been learnt. The scores alone cannot tell.

    >>> targets = np.array([0, 1, 0, 1])
    >>> before = np.zeros(4, int)
    >>> record = PredictionRecord(
    ...     predictions={"train": np.array([[before, targets]] * 2)},
    ...     targets={"train": targets}, classes=np.array(["cat", "dog"]),
    ...     stages=np.array([0, 1]))
    >>> learning_phases(record)
    array(['initialization', 'end of learning'], dtype='<U21')
    >>> learning_phases(consistency_matrix(record), n_classes=2)
    array(['bi-modality', 'end of learning'], dtype='<U21')
    """
    scores = consistency_matrix(source, scored_set)
    record = record_of(source)
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
    collapsed = (
        np.zeros(scores.shape[0], dtype=bool)
        if record is None
        else collapsed_stages(
            record, scored_set=scored_set, collapse_coverage=collapse_coverage
        )
    )
    mean = scores.mean(axis=1)
    measure = bimodality(scores)
    at_chance = np.abs(mean - 1 / n_classes) <= chance_tolerance
    bimodal_shape = measure <= bimodal_threshold
    rank = np.where(at_chance, 0, 1)
    rank[bimodal_shape & (scores.std(axis=1) >= min_spread) & ~collapsed] = 2
    rank[(mean >= end_threshold) & ~collapsed] = 3
    if ordered:
        distance = np.abs(rank[:, np.newaxis] - np.arange(len(PHASES)))
        distance[bimodal_shape & (rank < 2), 2] = 0
        rank[~collapsed] = _closest_monotone(distance[~collapsed])
    return np.asarray(PHASES, dtype="<U21")[rank]


def _closest_monotone(distance: NDArray[np.intp]) -> NDArray[np.intp]:
    """The non-decreasing sequence of phases with the smallest sum of distances.

    ``distance[stage, phase]`` is what putting a stage in a phase costs. Of
    several best sequences, the pointwise smallest: the costs are separable,
    so the best sequences are closed under the pointwise minimum, and
    choosing the smallest best phase stage by stage finds it.
    """
    n_stages, n_phases = distance.shape
    # least[s, p]: least cost of stages s.. when stage s is in phase p
    least = np.zeros((n_stages + 1, n_phases), dtype=np.intp)
    for stage in range(n_stages - 1, -1, -1):
        best_after = np.minimum.accumulate(least[stage + 1][::-1])[::-1]
        least[stage] = distance[stage] + best_after
    rank = np.zeros(n_stages, dtype=np.intp)
    lowest = 0
    for stage in range(n_stages):
        lowest += int(np.argmin(least[stage, lowest:]))
        rank[stage] = lowest
    return rank


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
    record = record_of(predictions)
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
    scores = consistency_matrix(source, scored_set)
    record = record_of(source)
    speed = (
        scores.mean(axis=0)
        if record is None
        else mean_over_training(scores, record.stages)
    )
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


def phase_stages(source, *, scored_set: str = "train") -> NDArray[np.intp]:
    """Stage indices that show every phase of learning the record went through.

    The first recorded stage (stage 0, the untrained members, when it was
    recorded), the first stage of each later phase, and the last stage, in
    order: at most five stages, one per phase present and the last.

    Parameters
    ----------
    source : PredictionRecord, EnsembleDifficulty or array-like of str of \
shape (n_stages,)
        A record or a fitted ensemble, whose phases
        :func:`learning_phases` finds (``ordered=True``, the default
        thresholds); or the phase of each stage, for instance from
        :func:`learning_phases` with other thresholds.
    scored_set : str, default="train"
        With a record or an ensemble: the scored set whose phases count.

    Returns
    -------
    positions : ndarray of int
        Increasing stage indices (positions in ``stages``, not stage labels).

    Examples
    --------
    >>> from sklearn_difficulty.dynamics import phase_stages
    >>> phase_stages(["initialization", "initialization", "beginning of learning",
    ...               "bi-modality", "bi-modality", "end of learning",
    ...               "end of learning"])
    array([0, 2, 3, 5, 6])
    >>> phase_stages(["bi-modality", "bi-modality", "bi-modality"])
    array([0, 2])
    """
    if record_of(source) is not None:
        phases = learning_phases(source, scored_set=scored_set, ordered=True)
    else:
        phases = np.asarray(source, dtype=str)
    if phases.ndim != 1 or phases.size == 0:
        raise ValueError(
            "phases must be a non-empty array of shape (n_stages,); got shape "
            f"{phases.shape}."
        )
    _, first = np.unique(phases, return_index=True)
    return np.union1d(first, [phases.size - 1]).astype(np.intp)


def score_edges(n_members: int, bins: int | None = None) -> NDArray[np.float64]:
    """Histogram edges of a score over [0, 1].

    Consistency and consensus take the values k / n_members only; by
    default each of them gets a bin of its own, centred on it.

    Parameters
    ----------
    n_members : int
        Number of members; 0 when unknown.
    bins : int, default=None
        Number of equal bins over [0, 1]; None for one bin per possible
        score k / n_members (10 bins when ``n_members`` is 0).

    Returns
    -------
    edges : ndarray of shape (n_bins + 1,)

    Examples
    --------
    >>> from sklearn_difficulty.dynamics import score_edges
    >>> score_edges(2)
    array([-0.25,  0.25,  0.75,  1.25])
    >>> score_edges(2, bins=2)
    array([0. , 0.5, 1. ])
    """
    if bins is None and n_members > 0:
        half = 0.5 / n_members
        return np.linspace(-half, 1 + half, n_members + 2)
    return np.linspace(0, 1, (bins or 10) + 1)


@dataclass(frozen=True, eq=False)
class ScoreHistograms:
    """Histograms of a score at some stages of the scored sets of a record.

    The result of :func:`score_histograms`.

    Attributes
    ----------
    counts : dict of str to ndarray
        For each scored set, the number of examples in each bin at each
        stage shown: shape (n_shown, n_bins); stacked by the label most
        members assign, shape (n_shown, n_labels, n_bins).
    edges : ndarray of shape (n_bins + 1,)
        The bin edges, over [0, 1].
    positions : ndarray of int of shape (n_shown,)
        Indices of the stages shown.
    stages : ndarray of shape (n_shown,)
        Labels of the stages shown.
    score : str
        "consistency" or "consensus".
    stage_kind : str
        What a stage is ("epoch", "round", ...).
    labels : ndarray of shape (n_labels,) or None
        When stacked by label: the labels (from the record's classes) that
        most members assign to some example at some stage shown, in the
        order of the second axis of ``counts``; None otherwise.
    phases : ndarray of str of shape (n_shown,) or None
        The phase of learning of each stage shown, when asked for.
    """

    counts: dict[str, NDArray[np.intp]]
    edges: NDArray[np.float64]
    positions: NDArray[np.intp]
    stages: NDArray
    score: str
    stage_kind: str = "stage"
    labels: NDArray | None = None
    phases: NDArray[np.str_] | None = None


def _spread_stages(n_stages: int, n_shown: int = 6) -> NDArray[np.intp]:
    """Up to ``n_shown`` stage indices spread evenly, first and last included."""
    return np.unique(
        np.linspace(0, n_stages - 1, min(n_stages, n_shown)).round().astype(np.intp)
    )


def _stage_positions(n_stages: int, stages) -> NDArray[np.intp]:
    positions = np.asarray(stages, dtype=np.intp).ravel()
    if (
        positions.size == 0
        or positions.min() < -n_stages
        or positions.max() >= n_stages
    ):
        raise ValueError(f"stage indices must be in [-{n_stages}, {n_stages}).")
    return positions % n_stages


def _bin_index(values: NDArray, edges: NDArray) -> NDArray[np.intp]:
    """The bin of each value; the last bin holds its right edge, as numpy's."""
    index = np.searchsorted(edges, values, side="right") - 1
    return np.clip(index, 0, edges.size - 2)


def score_histograms(
    source,
    *,
    score: str = "consistency",
    stages=None,
    scored_sets=None,
    bins: int | None = None,
    by_label: bool = False,
    phases: bool = False,
) -> ScoreHistograms:
    """Histograms of consistency or consensus over stages (Fig. 1-3, 9).

    For each scored set and each stage shown, the number of examples whose
    score falls in each bin; with ``by_label``, split further by the label
    most members assign to each example at that stage (Appendix C, Fig. 9).

    Parameters
    ----------
    source : PredictionRecord or fitted EnsembleDifficulty
        Where the predictions come from.
    score : {"consistency", "consensus"}, default="consistency"
        Which score.
    stages : array-like of int or "phases", default=None
        Stage indices to show (negative ones count from the end); "phases"
        for the first stage, the first stage of each later phase of
        learning and the last (:func:`phase_stages`); None for up to 6
        stages spread over the run, the first and last included.
    scored_sets : list of str, default=None
        Which scored sets, in this order; None for all.
    bins : int, default=None
        Number of equal bins over [0, 1]; None for one bin per possible
        score (:func:`score_edges`).
    by_label : bool, default=False
        Split each bin by the label most members assign
        (:func:`majority_label`).
    phases : bool, default=False
        Also give the phase of learning (:func:`learning_phases`,
        ``ordered=True``) of each stage shown, read off the training set
        ("train", or the first scored set of a record without one).

    Returns
    -------
    histograms : ScoreHistograms

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.dynamics import score_histograms
    >>> targets = np.array([0, 1, 1, 0])
    >>> record = PredictionRecord(  # 2 members, 2 stages, 4 examples
    ...     predictions={"train": np.array([[[0, 0, 0, 0], [0, 1, 1, 0]],
    ...                                     [[1, 1, 1, 1], [0, 1, 0, 0]]])},
    ...     targets={"train": targets}, classes=np.array(["cat", "dog"]),
    ...     stages=np.array([1, 2]), stage_kind="epoch")
    >>> histograms = score_histograms(record)
    >>> histograms.counts["train"]  # consistency 0, 1/2, 1 at each epoch
    array([[0, 4, 0],
           [0, 1, 3]])
    >>> histograms.edges
    array([-0.25,  0.25,  0.75,  1.25])
    >>> by_label = score_histograms(record, stages=[-1], by_label=True)
    >>> by_label.labels
    array(['cat', 'dog'], dtype='<U3')
    >>> by_label.counts["train"][0]  # cat: 1 at 1/2, 2 at 1; dog: 1 at 1
    array([[0, 1, 2],
           [0, 0, 1]])
    """
    record = as_record(source, "source")
    if score not in ("consistency", "consensus"):
        raise ValueError(f"score must be 'consistency' or 'consensus'; got {score!r}.")
    names = list(record.set_names if scored_sets is None else scored_sets)
    for name in names:
        record.scored_set(name)  # a clear error for an unknown set
    phase_set = "train" if "train" in record.set_names else record.set_names[0]
    all_phases = None
    if phases or (isinstance(stages, str) and stages == "phases"):
        all_phases = learning_phases(record, scored_set=phase_set, ordered=True)
    if isinstance(stages, str):
        if stages != "phases":
            raise ValueError(
                f"stages must be stage indices, 'phases' or None; got {stages!r}."
            )
        positions = phase_stages(all_phases)
    elif stages is None:
        positions = _spread_stages(record.n_stages)
    else:
        positions = _stage_positions(record.n_stages, stages)
    edges = score_edges(record.n_members, bins)
    n_bins, n_shown = edges.size - 1, positions.size
    bin_of, layer_of = {}, {}  # each example's bin and label, per set
    for name in names:
        predictions, targets = record.scored_set(name)
        predictions = np.asarray(predictions[:, positions])
        values = (
            consistency(predictions, targets)
            if score == "consistency"
            else consensus(predictions)
        )
        bin_of[name] = _bin_index(values, edges)
        layer_of[name] = (
            majority_label(predictions) if by_label else np.zeros_like(bin_of[name])
        )
    present = np.unique(np.concatenate([m.ravel() for m in layer_of.values()]))
    rows = np.arange(n_shown, dtype=np.intp)[:, np.newaxis]
    counts = {}
    for name in names:
        layer = np.searchsorted(present, layer_of[name])
        cell = (rows * present.size + layer) * n_bins + bin_of[name]
        flat = np.bincount(cell.ravel(), minlength=n_shown * present.size * n_bins)
        stacked = flat.reshape(n_shown, present.size, n_bins)
        counts[name] = stacked if by_label else stacked[:, 0]
    return ScoreHistograms(
        counts=counts,
        edges=edges,
        positions=positions,
        stages=record.stages[positions],
        score=score,
        stage_kind=record.stage_kind,
        labels=record.classes[present] if by_label else None,
        phases=None if all_phases is None or not phases else all_phases[positions],
    )
