"""Difficulty scores, each a pure function of a prediction record.

The paper's scores (consistency, consensus, learning speed, member accuracy,
and held-out consistency) take either a
:class:`~sklearn_difficulty.PredictionRecord` (and the name of one of its
scored sets) or a plain array of predicted labels of shape ``(n_members,
n_stages, n_samples)`` with the true labels ``y``. A 2-D array ``(n_members,
n_samples)`` stands for one stage, and the stage axis is then dropped from
the result. Work is done in chunks of examples, so the memory used beyond
the predictions themselves stays small.

The field's other training-dynamics scores take a record or a fitted
:class:`~sklearn_difficulty.EnsembleDifficulty`: :func:`data_map` (dataset
cartography), :func:`aum` (area under the margin), :func:`forgetting_events`
and :func:`el2n`. Those that read probabilities or margins need a record
fitted with ``record_outputs``. They read a record one member at a time, so
a memory-mapped record is never copied whole.

Training pass and evaluation pass: this package records every member's
outputs in its own evaluation pass over each scored set after each stage
(eval mode, no dropout, the weights at the end of the stage). Dataset
cartography and AUM, as published, read the outputs of the training pass
(each example's output in its mini-batch while the weights move); the
scores here are their end-of-epoch variants, and are defined on evaluation
sets too.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.utils import Bunch

from .record import PredictionRecord, as_record

__all__ = [
    "SCORES",
    "SCORE_OUTPUTS",
    "aum",
    "consensus",
    "consistency",
    "data_map",
    "el2n",
    "forgetting_events",
    "heldout_consistency",
    "learning_speed",
    "mean_over_training",
    "member_accuracy",
    "resolve_score",
    "score_examples",
    "training_stages",
]

# Largest number of array elements a temporary of one chunk may hold.
_CHUNK_ELEMENTS = 1 << 18


def _chunks(n_samples: int, elements_per_sample: int) -> Iterator[slice]:
    step = max(1, _CHUNK_ELEMENTS // max(1, elements_per_sample))
    for start in range(0, n_samples, step):
        yield slice(start, min(start + step, n_samples))


def _as_stacked(predictions, y, scored_set):
    """Return ``(predictions (M, S, N), y (N,) or None, one_stage, n_codes)``.

    ``n_codes`` is the number of classes when the predictions are known class
    indices (a record), else None.
    """
    if isinstance(predictions, PredictionRecord):
        if y is not None:
            raise ValueError(
                "y must be None when predictions is a PredictionRecord: the "
                "record holds the true labels of each scored set."
            )
        pred, target = predictions.scored_set(scored_set)
        return pred, target, False, predictions.n_classes

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
        return pred, None, one_stage, None
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
    return pred, target, one_stage, None


def _required(y, predictions):
    if y is None and not isinstance(predictions, PredictionRecord):
        raise ValueError("y is required when predictions is an array.")
    return y


def _correct_counts(pred: NDArray, target: NDArray) -> NDArray[np.intp]:
    """Number of members right, per stage and example: shape (S, N)."""
    n_members, n_stages, n_samples = pred.shape
    counts = np.empty((n_stages, n_samples), dtype=np.intp)
    for chunk in _chunks(n_samples, n_members * n_stages):
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
    pred, target, one_stage, _ = _as_stacked(
        predictions, _required(y, predictions), scored_set
    )
    result = _correct_counts(pred, target) / pred.shape[0]
    return result[0] if one_stage else result


def _class_codes(pred: NDArray, n_codes: int | None) -> tuple[NDArray, int]:
    if n_codes is not None:
        return pred, n_codes
    if pred.dtype.kind in "iub" and pred.size:
        low, high = int(pred.min()), int(pred.max())
        if low >= 0 and high < (1 << 16):
            return pred, high + 1
    uniques, inverse = np.unique(pred, return_inverse=True)
    return inverse.reshape(pred.shape), uniques.size


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
    pred, _, one_stage, n_codes = _as_stacked(predictions, None, scored_set)
    codes, n_codes = _class_codes(pred, n_codes)
    n_members, n_stages, n_samples = codes.shape
    result = np.empty((n_stages, n_samples), dtype=np.float64)
    per_sample = n_stages * max(n_members, n_codes)
    for chunk in _chunks(n_samples, per_sample):
        block = codes[:, :, chunk].astype(np.intp)
        width = block.shape[2]
        cells = np.arange(n_stages * width, dtype=np.intp).reshape(n_stages, width)
        counts = np.bincount(
            (cells * n_codes + block).ravel(), minlength=n_stages * width * n_codes
        )
        result[:, chunk] = counts.reshape(n_stages, width, n_codes).max(axis=2)
    result /= n_members
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
    pred, target, one_stage, _ = _as_stacked(
        predictions, _required(y, predictions), scored_set
    )
    n_members, n_stages, n_samples = pred.shape
    if n_samples == 0:
        raise ValueError("accuracy is undefined on a scored set with no example.")
    correct = np.zeros((n_members, n_stages), dtype=np.intp)
    for chunk in _chunks(n_samples, n_members * n_stages):
        correct += np.count_nonzero(pred[:, :, chunk] == target[chunk], axis=2)
    result = correct / n_samples
    return result[:, 0] if one_stage else result


def learning_speed(
    predictions: PredictionRecord | ArrayLike,
    y: ArrayLike | None = None,
    *,
    scored_set: str = "train",
) -> NDArray[np.float64]:
    """Mean consistency over stages: how early and how firmly an example is learnt.

    Hacohen & Weinshall, section 4.1: "averaging its consistency score
    across all training epochs". An example learnt early and kept has a
    speed near 1, one never learnt a speed of 0. Stage 0 of a record (the
    untrained members, before the first epoch) is not a training epoch and
    is left out (see :func:`training_stages`).

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
    speed : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from sklearn_difficulty import learning_speed
    >>> # 2 members, 2 stages, 2 examples: the first is learnt at stage 1
    >>> learning_speed([[[1, 0], [1, 0]], [[0, 0], [1, 1]]], [1, 1])
    array([0.75, 0.25])
    """
    scores = consistency(predictions, y, scored_set=scored_set)
    if scores.ndim == 1:
        return scores
    if isinstance(predictions, PredictionRecord):
        return mean_over_training(scores, predictions.stages)
    return scores.mean(axis=0)


def training_stages(stages: ArrayLike) -> NDArray[np.bool_]:
    """Which stages come from training: all but stage 0, the untrained members.

    A record of one stage 0 alone has nothing else, and keeps it.

    Examples
    --------
    >>> from sklearn_difficulty.scores import training_stages
    >>> training_stages([0, 1, 2]).tolist(), training_stages([1, 2]).tolist()
    ([False, True, True], [True, True])
    """
    stages = np.asarray(stages)
    trained = stages != 0
    return trained if trained.any() else np.ones_like(trained)


def mean_over_training(scores: ArrayLike, stages: ArrayLike) -> NDArray[np.float64]:
    """Mean of per-stage scores of shape (n_stages, n_samples) over training stages."""
    return np.asarray(scores)[training_stages(stages)].mean(axis=0)


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
    if isinstance(predictions, PredictionRecord):
        if in_bag is not None:
            raise ValueError("in_bag must be None when predictions is a record.")
        if scored_set != "train":
            raise ValueError(
                "held-out consistency is defined on the training set only; "
                f"got scored_set={scored_set!r}."
            )
        if predictions.in_bag is None:
            raise ValueError(
                "this record has no in_bag: its members all trained on the whole "
                "training set, so no member held any example out. Fit with "
                "max_samples or bootstrap to get held-out consistency."
            )
        in_bag = predictions.in_bag
    elif in_bag is None:
        raise ValueError("in_bag is required when predictions is an array.")
    pred, target, one_stage, _ = _as_stacked(
        predictions, _required(y, predictions), scored_set
    )
    n_members, n_stages, n_samples = pred.shape
    in_bag = np.asarray(in_bag)
    if in_bag.shape != (n_members, n_samples):
        raise ValueError(
            f"in_bag must have shape (n_members, n_samples) = {(n_members, n_samples)}"
            f"; got {in_bag.shape}."
        )
    held_out = in_bag <= 0 if in_bag.dtype.kind in "iuf" else ~in_bag.astype(bool)
    counts = np.empty((n_stages, n_samples), dtype=np.intp)
    for chunk in _chunks(n_samples, n_members * n_stages):
        right = (pred[:, :, chunk] == target[chunk]) & held_out[:, np.newaxis, chunk]
        counts[:, chunk] = np.count_nonzero(right, axis=0)
    n_held_out = held_out.sum(axis=0)
    result = np.full((n_stages, n_samples), np.nan)
    np.divide(counts, n_held_out, out=result, where=n_held_out > 0)
    return result[0] if one_stage else result


# Scores from the outputs beyond the labels ----------------------------------------


def _per_member(values: NDArray, index: int, stages: NDArray) -> NDArray:
    """One member's values at the chosen stages, as float64 (a memmap is read)."""
    return np.asarray(values[index], dtype=np.float64)[stages]


def data_map(source, *, scored_set: str = "train", aggregate: str = "members"):
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

    Returns
    -------
    data_map : Bunch
        ``confidence``, ``variability`` and ``correctness``, each an ndarray
        of shape (n_samples,).

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
    stages = training_stages(record.stages)
    n_members, n_samples = record.n_members, targets.size
    total, squares, spread, right = (np.zeros(n_samples) for _ in range(4))
    for member in range(n_members):
        values = _per_member(proba, member, stages)
        total += values.mean(axis=0)
        if aggregate == "pooled":
            squares += (values**2).mean(axis=0)
        else:
            spread += values.std(axis=0)
        right += (np.asarray(predictions[member])[stages] == targets).mean(axis=0)
    confidence = total / n_members
    if aggregate == "pooled":
        variability = np.sqrt(np.maximum(squares / n_members - confidence**2, 0.0))
    else:
        variability = spread / n_members
    return Bunch(
        confidence=confidence,
        variability=variability,
        correctness=right / n_members,
    )


def aum(source, *, scored_set: str = "train") -> NDArray[np.float64]:
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

    Returns
    -------
    aum : ndarray of shape (n_samples,)
        Higher is easier.

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
    stages = training_stages(record.stages)
    total = np.zeros(record.scored_set(scored_set)[1].size)
    for member in range(record.n_members):
        total += _per_member(margin, member, stages).mean(axis=0)
    return total / record.n_members


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
        The stage label (epoch) to read. None: early in training, as the
        paper (epoch 20 of 200): the training stage at 10% of the training
        stages (the first one for fewer than 20).

    Returns
    -------
    el2n : ndarray of shape (n_samples,)
        Higher is harder.

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
        trained = np.flatnonzero(training_stages(record.stages))
        position = int(trained[max(int(np.ceil(0.1 * trained.size)) - 1, 0)])
    else:
        matches = np.flatnonzero(record.stages == stage)
        if matches.size == 0:
            raise ValueError(
                f"stage={stage} is not a recorded stage; the record has stages "
                f"{record.stages.tolist()[:10]}{'...' if record.n_stages > 10 else ''}."
            )
        position = int(matches[0])
    total = np.zeros(norms.shape[2])
    for member in range(record.n_members):
        total += np.asarray(norms[member, position], dtype=np.float64)
    return total / record.n_members


# One number per example, by name -------------------------------------------------

SCORES = (
    "learning_speed",
    "consistency",
    "heldout_consistency",
    "aum",
    "confidence",
    "forgetting",
    "el2n",
)
"""The names ``rank_by`` takes (see :func:`score_examples`), besides "auto"."""

# What each score needs recorded beyond the labels ("auto" prefers AUM).
SCORE_OUTPUTS = {
    "aum": ("margin",),
    "confidence": ("proba",),
    "el2n": ("error_norm",),
    "auto": ("margin",),
}


def resolve_score(record: PredictionRecord, score: str) -> str:
    """The score that ``"auto"`` stands for with this record.

    AUM when the record holds margins: it found flipped labels best of all
    the scores in ``benchmarks/bench_label_noise.py`` (and at least as well
    as cleanlab in 20 of 21 settings); else learning speed, from the labels.
    """
    if score != "auto":
        return score
    return "aum" if "margin" in record.output_kinds else "learning_speed"


def score_examples(
    record: PredictionRecord,
    *,
    score: str = "auto",
    stage: int | None = None,
    scored_set: str = "train",
) -> np.ndarray:
    """One difficulty score per example, higher is easier (what ``rank_by`` names).

    Parameters
    ----------
    record : PredictionRecord
    score : str, default="auto"
        - "auto": "aum" when the record holds margins, else "learning_speed"
          (see :func:`resolve_score`);
        - "learning_speed": mean consistency over the training stages
          (Hacohen & Weinshall);
        - "consistency", "heldout_consistency": the (held-out) consistency at
          the stage ``stage``;
        - "aum": area under the margin (Pleiss et al.; needs "margin");
        - "confidence": the data map's confidence (Swayamdipta et al.; needs
          "proba");
        - "forgetting": minus the forgetting score (Toneva et al.; never
          learnt counts as forgotten at every stage);
        - "el2n": minus EL2N at the stage ``stage`` (Paul et al.; needs
          "error_norm").

        Scores that need outputs beyond the labels need a record fitted with
        ``record_outputs`` (see :data:`SCORE_OUTPUTS`).
    stage : int, default=None
        A position in ``record.stages`` (-1, the last). None: the last stage
        for the consistencies, an early one for EL2N (see
        :func:`~sklearn_difficulty.scores.el2n`). Other scores use every
        training stage and ignore it.
    scored_set : str, default="train"

    Returns
    -------
    scores : ndarray of shape (n_samples,)
    """
    score = resolve_score(record, score)
    if score not in SCORES:
        raise ValueError(
            f"score must be 'auto' or one of {list(SCORES)}; got {score!r}."
        )
    if stage is not None and not -record.n_stages <= stage < record.n_stages:
        raise ValueError(
            f"stage={stage} is out of range for a record of {record.n_stages} stages."
        )
    if score == "learning_speed":
        return learning_speed(record, scored_set=scored_set)
    if score == "aum":
        return aum(record, scored_set=scored_set)
    if score == "confidence":
        return data_map(record, scored_set=scored_set).confidence
    if score == "forgetting":
        return -forgetting_events(record, scored_set=scored_set).score
    if score == "el2n":
        label = None if stage is None else record.stages[stage]
        return -el2n(record, scored_set=scored_set, stage=label)
    function = consistency if score == "consistency" else heldout_consistency
    scores = function(record, scored_set=scored_set)[-1 if stage is None else stage]
    if np.isnan(scores).any():
        raise ValueError(
            f"{np.isnan(scores).sum()} examples were trained on by every member, "
            "so they have no held-out consistency: use more members or a smaller "
            "max_samples."
        )
    return scores
