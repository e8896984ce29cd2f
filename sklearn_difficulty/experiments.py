"""The paper's data experiments as functions that return new data splits.

- :func:`hard_dataset`: remove the easiest 2% of the examples, score the
  rest again, and repeat until a chosen fraction is left (section 6);
- :func:`move_to_test`: move the easiest, hardest or random k% of a training
  set into its test set (section 3, the robustness of the order);
- :func:`shuffle_labels` and :func:`flip_labels`: random labels (section 6)
  and label noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.utils import _safe_indexing, check_random_state

from ._validation import check_fraction
from .ensemble import EnsembleDifficulty
from .scores import score_examples
from .selection import select_examples

__all__ = [
    "HardDataset",
    "flip_labels",
    "hard_dataset",
    "move_to_test",
    "shuffle_labels",
]


@dataclass(frozen=True)
class HardDataset:
    """The examples left by :func:`hard_dataset`.

    Attributes
    ----------
    indices : ndarray
        Indices (into the original X) of the examples left.
    removed : list of ndarray
        Indices removed in each round, in order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> from sklearn_difficulty.experiments import hard_dataset
    >>> X, y = np.random.RandomState(0).rand(12, 2), np.repeat([0, 1], 6)
    >>> scorer = EnsembleDifficulty(DecisionTreeClassifier(max_depth=1),
    ...                             n_estimators=2, max_samples=0.8, random_state=0)
    >>> result = hard_dataset(scorer, X, y, keep=0.5, step=0.25)
    >>> result.indices  # into X: X[result.indices] is the hard data set
    array([ 3,  4,  5,  9, 10, 11])
    >>> [r.tolist() for r in result.removed]  # the easiest, round after round
    [[1, 2, 6], [7, 8], [0]]
    """

    indices: np.ndarray
    removed: list


def hard_dataset(
    scorer: EnsembleDifficulty,
    X,
    y,
    *,
    keep: float = 0.5,
    step: float = 0.02,
    rank_by: str = "learning_speed",
    per_class: bool = True,
) -> HardDataset:
    """Build the paper's hard data set by removing the easiest examples in rounds.

    Each round fits a clone of ``scorer`` on the examples left and removes the
    easiest ``step`` of them (at least one), until ``ceil(keep * n_samples)``
    of the original examples are left (section 6: 2% per round).

    Every class keeps at least one example (with ``per_class=True`` each
    class keeps one by construction; otherwise
    :func:`~sklearn_difficulty.selection.select_examples` refuses to empty a
    class), so the fewest examples that can be left is the number of
    classes: asking for fewer raises a ValueError before any fitting. A
    round that removes no example would refit the same examples for ever:
    it raises a RuntimeError instead.

    Parameters
    ----------
    scorer : EnsembleDifficulty
        The ensemble that scores the examples in every round.
    X : array-like of shape (n_samples, ...)
    y : array-like of shape (n_samples,)
    keep : float, default=0.5
        Fraction of the examples to keep, in (0, 1).
    step : float, default=0.02
        Fraction of the examples left removed in each round, in (0, 1).
    rank_by : str, default="learning_speed"
        The score that ranks the examples (see
        :func:`~sklearn_difficulty.scores.score_examples`).
    per_class : bool, default=True
        Remove the easiest within each class, keeping the balance of classes.

    Returns
    -------
    result : HardDataset

    Raises
    ------
    ValueError
        When ``keep`` asks for fewer examples than there are classes.
    RuntimeError
        When a round removes no example.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> from sklearn_difficulty.experiments import hard_dataset
    >>> X, y = np.random.RandomState(0).rand(40, 2), np.repeat([0, 1, 2, 3], 10)
    >>> scorer = EnsembleDifficulty(DecisionTreeClassifier(max_depth=2),
    ...                             n_estimators=2, max_samples=0.8, random_state=0)
    >>> result = hard_dataset(scorer, X, y, keep=0.5, step=0.2)
    >>> result.indices.size, [r.size for r in result.removed]
    (20, [8, 6, 5, 1])
    >>> hard_dataset(scorer, X, y, keep=0.05)
    Traceback (most recent call last):
    ...
    ValueError: keep=0.05 asks for 2 of the 40 examples, but each of the 4 \
classes keeps at least one: keep must be at least 4/40 (0.1).
    """
    check_fraction(keep, "keep")
    check_fraction(step, "step")
    y = np.asarray(y)
    target = int(np.ceil(keep * y.size))
    n_classes = np.unique(y).size
    if target < n_classes:
        raise ValueError(
            f"keep={keep!r} asks for {target} of the {y.size} examples, but each "
            f"of the {n_classes} classes keeps at least one: keep must be at "
            f"least {n_classes}/{y.size} ({n_classes / y.size:.3g})."
        )
    indices = np.arange(y.size)
    removed: list[np.ndarray] = []
    while indices.size > target:
        n_remove = min(max(1, int(round(step * indices.size))), indices.size - target)
        kept = _keep_after_one_round(
            scorer, _safe_indexing(X, indices), y[indices], rank_by, n_remove, per_class
        )
        if kept.size == indices.size:
            raise RuntimeError(
                f"round {len(removed) + 1} removed no example: {indices.size} "
                f"are left and keep={keep!r} asks for {target}; stopping "
                "instead of refitting the same examples again."
            )
        removed.append(np.setdiff1d(indices, indices[kept]))
        indices = indices[kept]
    return HardDataset(indices=indices, removed=removed)


def _keep_after_one_round(scorer, X, y, rank_by, n_remove, per_class):
    """Fit the scorer on what is left; the positions kept after one round."""
    scores = score_examples(clone(scorer).fit(X, y).record_, score=rank_by)
    if per_class:
        return _remove_easiest_per_class(scores, y, n_remove)
    return select_examples(
        scores, y, remove="easiest", by="count", amount=n_remove, per_class=False
    )


def _remove_easiest_per_class(scores, y, n_remove):
    """Remove ``n_remove`` easiest examples, shared between classes by their size."""
    classes, counts = np.unique(y, return_counts=True)
    shares = np.floor(n_remove * counts / counts.sum()).astype(int)
    for k in np.argsort(-counts, kind="stable")[: n_remove - shares.sum()]:
        shares[k] += 1  # the rest to the largest classes
    removed = np.zeros(y.size, bool)
    for label, share in zip(classes, shares, strict=True):
        members = np.flatnonzero(y == label)
        order = members[np.argsort(-scores[members], kind="stable")]
        removed[order[: min(share, members.size - 1)]] = True
    return np.flatnonzero(~removed)


def move_to_test(
    X_train,
    y_train,
    X_test,
    y_test,
    scores,
    *,
    which: str = "easiest",
    fraction: float = 0.025,
    random_state=None,
):
    """Move the easiest, hardest or random examples of a training set to its test set.

    Section 3: moving the easiest (or hardest) 2.5% of the training set into
    the test set and training again shows how robust the order of learning
    is.

    Parameters
    ----------
    X_train, y_train : array-like
        The training set.
    X_test, y_test : array-like
        The test set.
    scores : array-like of shape (n_train,)
        Difficulty scores of the training examples, higher is easier (for
        instance ``learning_speed_`` of an EnsembleDifficulty).
    which : {"easiest", "hardest", "random"}, default="easiest"
    fraction : float, default=0.025
        Fraction of the training set to move, in (0, 1).
    random_state : int, RandomState or None, default=None
        For ``which="random"``.

    Returns
    -------
    X_train, y_train, X_test, y_test : arrays
        The new split; moved examples come after the old test examples.
    moved : ndarray
        Indices (into the old training set) of the moved examples.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.experiments import move_to_test
    >>> X, y = np.arange(10).reshape(5, 2), np.array([0, 1, 0, 1, 0])
    >>> split = move_to_test(X, y, X[:1], y[:1], [0.9, 0.1, 0.5, 1.0, 0.3],
    ...                      which="hardest", fraction=0.4)
    >>> split[4], split[1], split[3]
    (array([1, 4]), array([0, 0, 1]), array([0, 1, 0]))
    """
    check_fraction(fraction, "fraction")
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    scores = np.asarray(scores, dtype=float)
    if scores.shape != y_train.shape:
        raise ValueError(
            f"scores must have one value per training example ({y_train.size}); "
            f"got {scores.shape}."
        )
    n_move = max(1, int(round(fraction * y_train.size)))
    if which == "random":
        moved = check_random_state(random_state).choice(
            y_train.size, n_move, replace=False
        )
    elif which in ("easiest", "hardest"):
        key = -scores if which == "easiest" else scores
        moved = np.argsort(key, kind="stable")[:n_move]
    else:
        raise ValueError(
            f"which must be 'easiest', 'hardest' or 'random'; got {which!r}."
        )
    moved = np.sort(moved)
    kept = np.setdiff1d(np.arange(y_train.size), moved)
    new_test_X = _concatenate(X_test, _safe_indexing(X_train, moved))
    return (
        _safe_indexing(X_train, kept),
        y_train[kept],
        new_test_X,
        np.concatenate([y_test, y_train[moved]]),
        moved,
    )


def _concatenate(first, second):
    if hasattr(first, "iloc"):
        import pandas as pd

        return pd.concat([first, second])
    return np.concatenate([np.asarray(first), np.asarray(second)])


def shuffle_labels(y, *, fraction: float = 1.0, random_state=None):
    """Shuffle the labels of a fraction of the examples among themselves.

    The random-label experiment of section 6 (``fraction=1``). The class
    counts stay the same.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    fraction : float, default=1.0
        Fraction of the examples whose labels are shuffled, in (0, 1].
    random_state : int, RandomState or None, default=None

    Returns
    -------
    y_shuffled : ndarray of shape (n_samples,)
    shuffled : ndarray of bool of shape (n_samples,)
        Which examples took part in the shuffle (some may keep their label).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.experiments import shuffle_labels
    >>> y = np.array([0, 0, 0, 1, 1, 2])
    >>> y_shuffled, shuffled = shuffle_labels(y, fraction=0.5, random_state=0)
    >>> y_shuffled, shuffled
    (array([0, 0, 2, 1, 1, 0]), array([False,  True,  True, False, False,  True]))
    >>> np.bincount(y_shuffled)  # the class counts stay the same
    array([3, 2, 1])
    """
    check_fraction(fraction, "fraction", closed="right")
    y = np.asarray(y)
    rng = check_random_state(random_state)
    chosen = rng.choice(y.size, int(round(fraction * y.size)), replace=False)
    y_new = y.copy()
    y_new[chosen] = y[rng.permutation(chosen)]
    shuffled = np.zeros(y.size, bool)
    shuffled[chosen] = True
    return y_new, shuffled


def flip_labels(y, *, fraction: float = 0.1, random_state=None):
    """Give a fraction of the examples a label other than their own (label noise).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
    fraction : float, default=0.1
        Fraction of the examples to mislabel, in (0, 1].
    random_state : int, RandomState or None, default=None

    Returns
    -------
    y_noisy : ndarray of shape (n_samples,)
    flipped : ndarray of bool of shape (n_samples,)
        Which examples now carry a wrong label.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.experiments import flip_labels
    >>> y_noisy, flipped = flip_labels(np.array([0, 1, 2, 0, 1]), fraction=0.4,
    ...                                random_state=0)
    >>> int(flipped.sum()), bool(np.all((y_noisy != [0, 1, 2, 0, 1]) == flipped))
    (2, True)
    """
    check_fraction(fraction, "fraction", closed="right")
    y = np.asarray(y)
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError("flipping labels needs at least 2 classes.")
    rng = check_random_state(random_state)
    chosen = rng.choice(y.size, int(round(fraction * y.size)), replace=False)
    y_new = y.copy()
    for index in chosen:
        others = classes[classes != y[index]]
        y_new[index] = others[rng.randint(others.size)]
    flipped = np.zeros(y.size, bool)
    flipped[chosen] = True
    return y_new, flipped
