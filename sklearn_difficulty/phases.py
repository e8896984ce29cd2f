"""The phases of learning read off a prediction record (Hacohen & Weinshall, section 3).

Pearson's bi-modality measure of the consistency scores at each stage, the
stages at which the members' predictions have collapsed, the phase of
learning of each stage (initialization, beginning of learning, bi-modality,
end of learning) and the stages that show each phase. Each function takes a
:class:`~sklearn_difficulty.PredictionRecord` (with the name of a scored
set), a fitted :class:`~sklearn_difficulty.EnsembleDifficulty`, or an array
of consistency scores of shape (n_stages, n_samples); :func:`collapsed_stages`
reads the members' predictions, so it needs a record or an ensemble.

How :func:`learning_phases` labels a stage
------------------------------------------

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

Stages that are not evenly spaced
---------------------------------

A record made after optimiser steps (``record_every``) may hold many
stages inside the first epoch and one per epoch after it. Each stage is
still labelled from its own distribution of scores alone: its spacing
plays no part in the rules above. In the ordering each stage counts once,
whatever share of training it stands for, so a dense early schedule gives
the early stages more say there. That is on purpose: a stage is one
observation of the distribution, no surer for standing for more steps,
and the ordering is there to outvote observations out of line with their
neighbours. Weighing stages by their steps
(:func:`~sklearn_difficulty.stages.stage_weights`) would let one late
stage of a whole epoch outvote a run of early stages that are each a
fraction of one, and erase the short bi-modal phase that dense recording
is there to catch (the paper's MNIST recipe goes through it within the
first epoch). :func:`phase_spans` gives where each phase starts and ends
in epochs (and steps) where the record knows them.

For example, two untrained members that answer class 0 for everything
(stage 0), then learn all: their scores are 0 and 1 at stage 0, yet nothing
has been learnt. The scores alone cannot tell.

>>> import numpy as np
>>> from sklearn_difficulty import PredictionRecord
>>> from sklearn_difficulty.phases import learning_phases
>>> from sklearn_difficulty.scores import consistency_matrix
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

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from ._validation import check_fraction
from .record import record_of
from .scores import consistency_matrix
from .scores._predictions import chunks

__all__ = [
    "PHASES",
    "PhaseSpan",
    "bimodality",
    "collapsed_stages",
    "learning_phases",
    "phase_spans",
    "phase_stages",
]

#: The four phases of learning, in the order they come (section 3).
PHASES = ("initialization", "beginning of learning", "bi-modality", "end of learning")


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
    >>> from sklearn_difficulty.phases import bimodality
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
    >>> from sklearn_difficulty.phases import collapsed_stages
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
    check_fraction(collapse_coverage, "collapse_coverage", closed="left")
    pred, target = record.scored_set(scored_set)
    n_members, n_stages, n_samples = pred.shape
    n_classes = record.n_classes
    predicted = np.zeros(n_members * n_stages * n_classes, dtype=bool)
    offsets = (np.arange(n_members * n_stages, dtype=np.intp) * n_classes)[:, None]
    for chunk in chunks(n_samples, n_members * n_stages):
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

    Each stage is labelled by the rules of the module documentation
    (:mod:`sklearn_difficulty.phases`): collapsed stages first, then "end of
    learning", "bi-modality", "initialization", and "beginning of learning"
    for anything else; with ``ordered=True`` the stages that have not
    collapsed are then put in the non-decreasing sequence of phases closest
    to their own labels.

    Stages need not be evenly spaced: each is labelled from its own
    distribution, and counts once in the ordering whatever share of
    training it stands for, so a schedule that records densely in the
    first epoch gives the early stages more say there (the module
    documentation says why; :func:`phase_spans` gives the phases' positions
    in epochs).

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
    >>> from sklearn_difficulty.phases import learning_phases
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
    """
    scores = consistency_matrix(source, scored_set)
    record = record_of(source)
    if n_classes is None:
        if record is None:
            raise ValueError("n_classes is required with an array of scores.")
        n_classes = record.n_classes
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2; got {n_classes}.")
    _check_thresholds(
        chance_tolerance=chance_tolerance,
        bimodal_threshold=bimodal_threshold,
        min_spread=min_spread,
        end_threshold=end_threshold,
    )
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


def _check_thresholds(**thresholds: float) -> None:
    for name, value in thresholds.items():
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a non-negative number; got {value}.")


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
        Increasing stage indices (positions in ``stages``, not stage labels):
        ``record.stage_axis[0][positions]`` are their epochs where the record
        knows them (fractions for stages recorded after optimiser steps),
        and :func:`phase_spans` describes each phase with its epochs.

    Examples
    --------
    >>> from sklearn_difficulty.phases import phase_stages
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


def _ends(values, first: int, last: int, kind):
    """``(values[first], values[last])`` as ``kind``; None without values."""
    return None if values is None else (kind(values[first]), kind(values[last]))


class PhaseSpan(NamedTuple):
    """A run of consecutive stages in one phase of learning, and where it lies.

    The result of :func:`phase_spans`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.phases import phase_spans
    >>> record = PredictionRecord(  # 2 identical members, epochs 0 to 4
    ...     predictions={"train": np.array([[[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0],
    ...                                      [0, 1, 0, 1], [0, 1, 0, 1]]] * 2)},
    ...     targets={"train": np.array([0, 1, 0, 1])}, classes=np.array([0, 1]),
    ...     stages=np.arange(5), stage_kind="epoch")
    >>> spans = phase_spans(record)
    >>> spans[1]
    PhaseSpan(phase='bi-modality', first=1, last=2, stages=(1, 2), epochs=None, \
steps=None)
    >>> [(span.phase, span.last - span.first + 1) for span in spans]  # its stages
    [('initialization', 1), ('bi-modality', 2), ('end of learning', 2)]
    """

    #: The phase, one of :data:`PHASES`.
    phase: str
    #: Indices of its first and last stage (positions in ``stages``).
    first: int
    last: int
    #: The labels of its first and last stage (``record.stages``).
    stages: tuple
    #: The epochs of its first and last stage (fractions for stages recorded
    #: after optimiser steps); None where the record does not know them.
    epochs: tuple[float, float] | None
    #: The optimiser steps of its first and last stage; None where unknown.
    steps: tuple[int, int] | None


def phase_spans(source, *, scored_set: str = "train", **thresholds) -> list[PhaseSpan]:
    """The phases of learning of a record, run by run, with where they lie.

    The stages of each run of consecutive stages in the same phase
    (:func:`learning_phases`, ``ordered=True``), with the epochs and steps
    of the run's first and last stage where the record knows them: for a
    record made after optimiser steps, a bi-modal phase between epoch 0.05
    and 0.5 reads as such, whatever the stage labels. A phase reads first
    to last; with collapsed stages (which keep their own label) a phase may
    come back, as a run of its own.

    Parameters
    ----------
    source : PredictionRecord or fitted EnsembleDifficulty
        Where the predictions (and the stages' positions) come from.
    scored_set : str, default="train"
        The scored set whose phases count.
    **thresholds
        Passed to :func:`learning_phases` (``chance_tolerance``,
        ``bimodal_threshold``, ``min_spread``, ``end_threshold``,
        ``collapse_coverage``).

    Returns
    -------
    spans : list of PhaseSpan
        In the order of the stages.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.phases import phase_spans
    >>> targets = np.array([0, 1, 0, 1])
    >>> record = PredictionRecord(  # learnt half after step 3, all after step 9
    ...     predictions={"train": np.array([[[0, 0, 0, 0], [0, 1, 1, 0],
    ...                                      [0, 1, 0, 1]]] * 2)},
    ...     targets={"train": targets}, classes=np.array([0, 1]),
    ...     stages=np.array([0, 3, 9]), stage_kind="step",
    ...     steps=np.array([0, 3, 9]), epochs=np.array([0, 3, 9]) / 6)
    >>> for span in phase_spans(record):
    ...     print(span.phase, span.epochs, span.steps)
    initialization (0.0, 0.0) (0, 0)
    bi-modality (0.5, 0.5) (3, 3)
    end of learning (1.5, 1.5) (9, 9)
    """
    record = record_of(source)
    if record is None:
        raise TypeError(
            "phase_spans reads where the stages lie: pass a PredictionRecord or a "
            f"fitted EnsembleDifficulty, not {type(source).__name__}."
        )
    phases = learning_phases(record, scored_set=scored_set, ordered=True, **thresholds)
    starts = np.flatnonzero(np.r_[True, phases[1:] != phases[:-1]])
    ends = np.r_[starts[1:] - 1, phases.size - 1]
    return [
        PhaseSpan(
            phase=str(phases[first]),
            first=first,
            last=last,
            stages=(record.stages[first].item(), record.stages[last].item()),
            epochs=_ends(record.epochs, first, last, float),
            steps=_ends(record.steps, first, last, int),
        )
        for first, last in zip(starts.tolist(), ends.tolist(), strict=True)
    ]
