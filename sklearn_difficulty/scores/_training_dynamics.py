"""The field's other training-dynamics scores, read off a record.

:func:`data_map` (dataset cartography), :func:`aum` (area under the
margin), :func:`forgetting_events` and :func:`el2n` take a record or a
fitted :class:`~sklearn_difficulty.EnsembleDifficulty`. Those that read
probabilities or margins need a record fitted with ``record_outputs``. They
read a record one member at a time, so a memory-mapped record is never
copied whole.

Training pass and evaluation pass: this package records every member's
outputs in its own evaluation pass over each scored set after each stage
(eval mode, no dropout, the weights at the end of the stage). Dataset
cartography and AUM, as published, read the outputs of the training pass
(each example's output in its mini-batch while the weights move); the
scores here are their end-of-epoch variants, and are defined on evaluation
sets too.

Stages that are not evenly spaced (a record made with ``record_every``
after optimiser steps): the means over training of :func:`aum` and
:func:`data_map` count each recorded training stage once by default, as
the learning speed does, and weigh each by the share of the steps it
stands for with ``average="steps"``; :func:`el2n` reads the stage at 10%
of the steps, and at least 1,000 steps into training;
:func:`forgetting_events` counts the events between consecutive recorded
stages, so a denser schedule sees forgetting that epoch-level recording
misses (an example lost and learnt again within an epoch).

Members without a value: a scikit-learn member trained on a subset
(``max_samples``, ``bootstrap``) that lacked a class has no output for the
examples of that class (NaN in the record, never an infinity). The scores
that read outputs (:func:`aum`, :func:`data_map`'s confidence and
variability, :func:`el2n`) average over the members that have a value for
each example, and give NaN where none has (train more members, or larger
subsets); the correctness and :func:`forgetting_events`, from the labels,
count every member.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sklearn.utils import Bunch

from ..record import as_record
from ._training import training_stages, training_weights

__all__ = ["aum", "data_map", "el2n", "forgetting_events"]


def _per_member(values: NDArray, index: int, stages: NDArray) -> NDArray:
    """One member's values at the chosen stages, as float64 (a memmap is read)."""
    return np.asarray(values[index], dtype=np.float64)[stages]


def _over_training(record, average: str):
    """The training stages, and their weights (None: each counts once)."""
    weights = training_weights(record.stages, record.steps, average=average)
    trained = weights > 0
    return trained, None if average == "stages" else weights[trained]


def _mean(values: NDArray, weights: NDArray | None) -> NDArray:
    """Mean over the first axis, plain or weighted."""
    return values.mean(axis=0) if weights is None else weights @ values


class _OverMembers:
    """A mean over the members that have a value for each example.

    A member trained on a subset without an example's class has no output
    for it (NaN, see :func:`~sklearn_difficulty.recorders.true_class_outputs`):
    it is left out of that example's means, and an example no member has a
    value for gets NaN. A member with NaN at any of the stages read has no
    value for that example.
    """

    def __init__(self, n_samples: int):
        self.count = np.zeros(n_samples)

    def has(self, value: NDArray) -> NDArray[np.bool_]:
        """Count one member's value where it is a number; where that is."""
        has = ~np.isnan(value)
        self.count += has
        return has

    def mean(self, total: NDArray) -> NDArray[np.float64]:
        """``total`` (summed over the members that have a value) over their count."""
        result = np.full(total.shape, np.nan)
        np.divide(total, self.count, out=result, where=self.count > 0)
        return result


def data_map(
    source,
    *,
    scored_set: str = "train",
    aggregate: str = "members",
    average: str = "stages",
):
    """Dataset cartography: confidence, variability and correctness per example.

    Swayamdipta et al., "Dataset Cartography: Mapping and Diagnosing Datasets
    with Training Dynamics" (EMNLP 2020; allenai/cartography): over the
    epochs of training,

    - *confidence* is the mean probability of the true class,
    - *variability* its standard deviation (the population one, ``ddof=0``,
      as ``numpy.std`` in the reference code),
    - *correctness* the fraction of epochs at which the example is classified
      correctly.

    Easy-to-learn examples have high confidence and low variability,
    ambiguous ones high variability, hard-to-learn (often mislabelled) ones
    low confidence and low variability. The paper follows one model; with N
    members, ``aggregate`` says how they combine. Stage 0 (the untrained
    members) is not an epoch of training and is left out.

    Parameters
    ----------
    source : PredictionRecord or fitted EnsembleDifficulty
        Recorded with ``record_outputs`` including "proba".
    scored_set : str, default="train"
        The training set, or an evaluation set.
    aggregate : {"members", "pooled"}, default="members"
        "members": each member's map over its stages, then the mean over
        members (the map one model would give, averaged). "pooled": mean and
        standard deviation over every (member, stage) pair, so variability
        also counts how much members disagree.
    average : {"stages", "steps"}, default="stages"
        How the training stages weigh in the means: once each, or by the
        share of the optimiser steps each stands for (see
        :func:`~sklearn_difficulty.scores.training_weights`), for stages
        that are not evenly spaced.

    Returns
    -------
    data_map : Bunch
        ``confidence``, ``variability`` and ``correctness``, each an ndarray
        of shape (n_samples,); the first two over the members that have a
        value (NaN where none has, see the module documentation).

    Notes
    -----
    The reference code reads the probabilities of the training pass (each
    example's output in its mini-batch while the weights move, dropout on);
    this package records an evaluation pass after each epoch (see the module
    documentation), which gives the map of the model at the end of each
    epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.scores import data_map
    >>> proba = np.array([[[0.2, 0.9], [0.6, 0.9]]], np.float32)  # 1 member, 2 stages
    >>> record = PredictionRecord(
    ...     predictions={"train": np.array([[[1, 0], [0, 0]]])},
    ...     targets={"train": np.array([0, 0])}, classes=np.array([0, 1]),
    ...     stages=np.array([1, 2]), outputs={"proba": {"train": proba}})
    >>> result = data_map(record)
    >>> np.round(result.confidence, 3).tolist()
    [0.4, 0.9]
    >>> np.round(result.variability, 3).tolist()
    [0.2, 0.0]
    >>> result.correctness.tolist()
    [0.5, 1.0]
    """
    if aggregate not in ("members", "pooled"):
        raise ValueError(f"aggregate must be 'members' or 'pooled'; got {aggregate!r}.")
    record = as_record(source)
    proba = record.output("proba", scored_set)
    predictions, targets = record.scored_set(scored_set)
    stages, weights = _over_training(record, average)
    n_members, n_samples = record.n_members, targets.size
    total, spread, right = (np.zeros(n_samples) for _ in range(3))
    members = _OverMembers(n_samples)
    for member in range(n_members):
        values = _per_member(proba, member, stages)
        mean = _mean(values, weights)
        if aggregate == "pooled":
            second = _mean(values**2, weights)
        elif weights is None:
            second = values.std(axis=0)
        else:
            second = np.sqrt(weights @ (values - mean) ** 2)
        has = members.has(mean)
        total += np.where(has, mean, 0.0)
        spread += np.where(has, second, 0.0)
        right += _mean(np.asarray(predictions[member])[stages] == targets, weights)
    confidence, variability = members.mean(total), members.mean(spread)
    if aggregate == "pooled":
        variability = np.sqrt(np.maximum(variability - confidence**2, 0.0))
    return Bunch(
        confidence=confidence,
        variability=variability,
        correctness=right / n_members,
    )


def aum(
    source, *, scored_set: str = "train", average: str = "stages"
) -> NDArray[np.float64]:
    """Area under the margin: the mean margin over the epochs of training.

    Pleiss et al., "Identifying Mislabeled Data using the Area Under the
    Margin Ranking" (NeurIPS 2020; the ``aum`` package): the margin of an
    example at an epoch is the logit of its assigned class minus the largest
    other logit; its AUM is the mean margin over epochs. Mislabelled
    examples have a low, often negative, AUM. Here the margin is recorded
    per member (see ``record_outputs`` for what it is for each kind of
    member), averaged over the training stages (stage 0 left out), then over
    members.

    Parameters
    ----------
    source : PredictionRecord or fitted EnsembleDifficulty
        Recorded with ``record_outputs`` including "margin".
    scored_set : str, default="train"
    average : {"stages", "steps"}, default="stages"
        How the training stages weigh in the mean: once each, or by the
        share of the optimiser steps each stands for (the area under the
        margin over the steps, see
        :func:`~sklearn_difficulty.scores.training_weights`).

    Returns
    -------
    aum : ndarray of shape (n_samples,)
        Higher is easier. The mean over the members that have a margin for
        the example (NaN where none has, see the module documentation).

    Notes
    -----
    Pleiss et al. read the margins of the training pass (and add "threshold
    samples" of a fake class to choose a cut-off); this package records an
    evaluation pass after each epoch and leaves the cut-off to the user (a
    fraction, a count, or a threshold in :class:`~sklearn_difficulty.pruning.
    DifficultyPruner`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.scores import aum
    >>> margin = np.array([[[-1.0, 2.0], [1.0, 4.0]], [[0.0, 2.0], [2.0, 0.0]]])
    >>> record = PredictionRecord(
    ...     predictions={"train": np.zeros((2, 2, 2), np.uint8)},
    ...     targets={"train": np.array([0, 0])}, classes=np.array([0, 1]),
    ...     stages=np.array([1, 2]), outputs={"margin": {"train": margin}})
    >>> aum(record).tolist()
    [0.5, 2.0]
    """
    record = as_record(source)
    margin = record.output("margin", scored_set)
    stages, weights = _over_training(record, average)
    total = np.zeros(record.scored_set(scored_set)[1].size)
    members = _OverMembers(total.size)
    for member in range(record.n_members):
        mean = _mean(_per_member(margin, member, stages), weights)
        total += np.where(members.has(mean), mean, 0.0)
    return members.mean(total)


def forgetting_events(source, *, scored_set: str = "train"):
    """Forgetting events: how often an example, once learnt, is lost again.

    Toneva et al., "An Empirical Study of Example Forgetting during Deep
    Neural Network Learning" (ICLR 2019): a forgetting event is a transition
    from correctly to incorrectly classified between two consecutive
    epochs. Examples never learnt have no event, but are not
    "unforgettable": the reference code ranks them above every learnt
    example (it gives them as many events as epochs). Counted here per
    member over the training stages (stage 0 left out), from the predicted
    labels alone, so any record has them.

    Parameters
    ----------
    source : PredictionRecord or fitted EnsembleDifficulty
    scored_set : str, default="train"

    Returns
    -------
    forgetting : Bunch
        - ``per_member``: ndarray of shape (n_members, n_samples), int, the
          number of events of each member, -1 where that member never
          classified the example correctly at any training stage;
        - ``events``: ndarray of shape (n_samples,), the mean number of
          events over the members that learnt the example, NaN where none
          did;
        - ``never_learnt``: ndarray of shape (n_samples,), the fraction of
          members that never learnt it;
        - ``score``: ndarray of shape (n_samples,), one hardness number, as
          the reference code ranks: the mean over members of the number of
          events, a member that never learnt it counting as many events as
          there are training stages (higher is harder).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.scores import forgetting_events
    >>> # 1 member, 4 stages, 3 examples; the true class is 0 for all
    >>> predictions = np.array([[[0, 1, 1], [1, 0, 1], [0, 0, 1], [1, 0, 1]]])
    >>> record = PredictionRecord(
    ...     predictions={"train": predictions}, targets={"train": np.zeros(3, int)},
    ...     classes=np.array([0, 1]), stages=np.array([1, 2, 3, 4]))
    >>> result = forgetting_events(record)
    >>> result.per_member.tolist(), result.never_learnt.tolist()
    ([[2, 0, -1]], [0.0, 0.0, 1.0])
    >>> result.events.tolist(), result.score.tolist()
    ([2.0, 0.0, nan], [2.0, 0.0, 4.0])
    """
    record = as_record(source)
    predictions, targets = record.scored_set(scored_set)
    stages = training_stages(record.stages)
    n_stages = int(stages.sum())
    per_member = np.empty((record.n_members, targets.size), dtype=np.intp)
    for member in range(record.n_members):
        right = np.asarray(predictions[member])[stages] == targets
        lost = np.count_nonzero(right[:-1] & ~right[1:], axis=0)
        per_member[member] = np.where(right.any(axis=0), lost, -1)
    learnt = per_member >= 0
    n_learnt = learnt.sum(axis=0)
    events = np.full(targets.size, np.nan)
    np.divide(
        np.where(learnt, per_member, 0).sum(axis=0), n_learnt,
        out=events, where=n_learnt > 0,
    )  # fmt: skip
    return Bunch(
        per_member=per_member,
        events=events,
        never_learnt=1.0 - n_learnt / record.n_members,
        score=np.where(learnt, per_member, n_stages).mean(axis=0),
    )


#: EL2N's default stage is at least this many optimiser steps into training
#: (see :func:`el2n`, which gives the figures it was chosen by).
_EL2N_MIN_STEPS = 1000


def _early_stage(record) -> int:
    """Index of EL2N's default stage (see :func:`el2n`).

    With steps: the first training stage at 10% of the steps and at least
    ``_EL2N_MIN_STEPS`` steps, else (shorter training) the last. Without
    steps (old records, boosting rounds): the first at 10% of the stage
    labels.
    """
    trained = np.flatnonzero(training_stages(record.stages))
    if record.steps is None:
        positions = np.asarray(record.stages, dtype=np.float64)[trained]
        target = 0.1 * positions[-1]
    else:
        positions = np.asarray(record.steps, dtype=np.float64)[trained]
        target = max(0.1 * positions[-1], _EL2N_MIN_STEPS)
    reached = positions >= target
    return int(trained[np.argmax(reached)] if reached.any() else trained[-1])


def el2n(
    source, *, scored_set: str = "train", stage: int | None = None
) -> NDArray[np.float64]:
    """EL2N: the L2 norm of the error vector early in training, over members.

    Paul et al., "Deep Learning on a Data Diet: Finding Important Examples
    Early in Training" (NeurIPS 2021): ``E || p(x) - onehot(y) ||_2``, the
    norm of the softmax output minus the one-hot label, averaged over
    networks from different initialisations, at an early epoch. High is
    hard (or mislabelled); pruning the lowest keeps accuracy.

    Parameters
    ----------
    source : PredictionRecord or fitted EnsembleDifficulty
        Recorded with ``record_outputs`` including "error_norm".
    scored_set : str, default="train"
    stage : int, default=None
        The stage label (epoch) to read. None: the first training stage at
        10% of the optimiser steps and at least 1,000 steps into training;
        the last stage where training is shorter (see Notes). A record
        without steps (saved before they were recorded, boosting rounds):
        the first training stage at 10% of its stage labels.

    Returns
    -------
    el2n : ndarray of shape (n_samples,)
        Higher is harder. The mean over the members that have a value for
        the example (NaN where none has, see the module documentation).

    Notes
    -----
    The paper reads epoch 20 of 200 on CIFAR-10, about 7,800 optimiser
    steps; 10% of a short training run on a small data set is a handful of
    steps (3 on the wine data set: 178 examples, one mini-batch per epoch,
    30 epochs), where the members have learnt little and EL2N finds
    flipped labels poorly. The floor of 1,000 steps was chosen by the area
    under the precision-recall curve of EL2N at finding 20% of labels
    flipped uniformly (``benchmarks/bench_el2n_stage.py``: 10
    ``MLPClassifier(hidden_layer_sizes=(100,))`` members, standardised
    features, mean of 2 seeds) on the digits (1,797 examples, 9 steps an
    epoch), wine (178, 1) and MNIST-1D (4,000 signals, 20), trained for 30
    to 200 epochs (the PR-AUC, and the steps of the stage read):

    ========  ==========  =================  =======================
    epochs    data set    10% alone          10%, >= 1,000 steps
    ========  ==========  =================  =======================
    30        digits      0.965 (27 steps)   0.989 (270 steps, last)
    30        wine        0.738 (3)          0.986 (30, last)
    30        MNIST-1D    0.645 (60)         0.757 (600, last)
    200       digits      0.990 (180)        0.965 (1,008)
    200       wine        0.973 (20)         0.928 (200, last)
    200       MNIST-1D    0.732 (400)        0.778 (1,000)
    ========  ==========  =================  =======================

    The best stages of the 200-epoch runs gave 0.990 (digits, about 150
    steps), 0.990 (wine, 43) and 0.780 (MNIST-1D, about 1,100); of the
    30-epoch runs, the last stage of each. Over runs of 30, 50, 100 and
    200 epochs of the three data sets the mean was 0.848 by 10% alone and
    0.906 with the floor, the best of the floors tried (10 to 2,000 steps;
    800 gave the same). A long run on a small data set (wine, 200
    epochs) is read late, after the members have begun to memorise the
    flipped labels: pass ``stage`` there.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.scores import el2n
    >>> norm = np.array([[[0.2, 1.0], [0.1, 0.4]], [[0.4, 1.2], [0.1, 0.2]]])
    >>> record = PredictionRecord(
    ...     predictions={"train": np.zeros((2, 2, 2), np.uint8)},
    ...     targets={"train": np.array([0, 0])}, classes=np.array([0, 1]),
    ...     stages=np.array([1, 2]), outputs={"error_norm": {"train": norm}})
    >>> np.round(el2n(record), 3).tolist(), np.round(el2n(record, stage=2), 3).tolist()
    ([0.3, 1.1], [0.1, 0.3])
    """
    record = as_record(source)
    norms = record.output("error_norm", scored_set)
    if stage is None:
        position = _early_stage(record)
    else:
        matches = np.flatnonzero(record.stages == stage)
        if matches.size == 0:
            raise ValueError(
                f"stage={stage} is not a recorded stage; the record has stages "
                f"{record.stages.tolist()[:10]}{'...' if record.n_stages > 10 else ''}."
            )
        position = int(matches[0])
    total = np.zeros(norms.shape[2])
    members = _OverMembers(total.size)
    for member in range(record.n_members):
        norm = np.asarray(norms[member, position], dtype=np.float64)
        total += np.where(members.has(norm), norm, 0.0)
    return members.mean(total)
