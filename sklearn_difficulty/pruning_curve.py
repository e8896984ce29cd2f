"""Pruning curves: the test score of a model trained on what pruning keeps.

:func:`pruning_curve` retrains a downstream estimator on the training
examples kept after dropping the easiest, the hardest or a random part of
them, at several keep fractions and over several seeds, and scores it on a
test set; :class:`PruningCurve` holds the scores, their means and Student-t
intervals over the seeds, and reads and writes itself as JSON. As in Paul et
al. (2021, EL2N), Sorscher et al. (2022) and DeepCore (Guo et al. 2022), the
random end is the baseline a difficulty score must beat.

:func:`kept_examples` is the choice of one subset (the rule the curve and
the command line's ``prune`` share): the rule of
:func:`~sklearn_difficulty.selection.select_examples` (the same subsets
whenever it accepts them), applied to the scores for the two ends and to a
random ranking for the random end, so a random subset has exactly the size
(per class, with ``per_class``) of the others. Needs no optional dependency.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed

from ._inputs import n_samples, take
from ._random import MemberStreams, draw_member_seeds, seed_estimator
from ._validation import check_choice, check_fraction, check_int
from .record import record_of
from .selection import resolve_score, score_examples, scorer_record

__all__ = ["DROPS", "PruningCurve", "kept_examples", "pruning_curve"]

#: The ends a pruning curve can drop.
DROPS = ("easiest", "hardest", "random")


def kept_examples(
    scores, y, *, keep: float, drop: str, per_class: bool = False, random_state=None
) -> np.ndarray:
    """Indices of the examples kept when dropping one end (or a random part).

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Difficulty scores, higher is easier (not used by ``drop="random"``
        beyond their number).
    y : array-like of shape (n_samples,)
        Labels.
    keep : float in (0, 1]
        Fraction of the examples kept; 1 keeps them all.
    drop : {"easiest", "hardest", "random"}
        Which examples go: the easiest, the hardest or random ones.
    per_class : bool, default=False
        Keep the fraction within each class instead of over all examples.
    random_state : int, RandomState or None, default=None
        Draws the random ranking of ``drop="random"``; the same seed gives
        nested subsets (the subset kept at 0.5 lies inside the one kept at
        0.7), as the ends give.

    Returns
    -------
    kept : ndarray of int
        Sorted indices of the examples kept; as many for every ``drop``.
        Unlike :func:`~sklearn_difficulty.selection.select_examples`, which
        keeps the same examples, an end may drop every example of a class
        (without ``per_class``): the curve then shows what that costs.

    Examples
    --------
    >>> from sklearn_difficulty.pruning_curve import kept_examples
    >>> scores, y = [0.9, 0.1, 0.5, 0.2, 0.8, 0.4], [0, 0, 0, 1, 1, 1]
    >>> kept_examples(scores, y, keep=0.5, drop="hardest")
    array([0, 2, 4])
    >>> kept_examples(scores, y, keep=0.5, drop="easiest", per_class=True)
    array([1, 3])
    >>> len(kept_examples(scores, y, keep=0.5, drop="random", random_state=0))
    3
    """
    keep = check_fraction(keep, "keep", closed="right")
    check_choice(drop, "drop", DROPS)
    scores = _check_scores(scores, np.asarray(y).shape[0])
    if drop == "random":
        # A random ranking, chosen from as select_examples chooses from scores.
        order = check_random_state(random_state).permutation(scores.size)
        scores = np.empty(scores.size)
        scores[order] = np.arange(scores.size)
    y = np.asarray(y)
    # select_examples' rule (round(fraction * n) removed per group, ties by
    # index), without its refusal to empty a class: a curve shows what that
    # costs the downstream model.
    key = -scores if drop == "easiest" else scores
    groups = [y == label for label in np.unique(y)] if per_class else [y == y]
    removed = np.zeros(scores.size, bool)
    for group in groups:
        members = np.flatnonzero(group)
        n_removed = int(round((1 - keep) * members.size))
        removed[members[np.argsort(key[members], kind="stable")[:n_removed]]] = True
    if removed.all():
        raise ValueError(f"keeping {keep} of {scores.size} examples keeps none.")
    return np.flatnonzero(~removed)


@dataclass(frozen=True, eq=False)
class PruningCurve:
    """Test scores of a model trained on pruned data, per end, fraction and seed.

    Built by :func:`pruning_curve`; read back by :meth:`from_dict`.

    Parameters
    ----------
    keep : ndarray of shape (n_fractions,)
        The fractions of the training examples kept.
    drop : tuple of str
        The ends dropped, one per row of ``test_scores``.
    n_kept : ndarray of int of shape (n_fractions,)
        The examples kept at each fraction (the same for every end).
    test_scores : ndarray of shape (n_drops, n_fractions, n_repeats)
        The test score of each end, fraction and repeat (seed).
    full_scores : ndarray of shape (n_repeats,)
        The test score of the model trained on every example, per repeat.
    score : str or None
        The difficulty score that ranked the examples (None: given as an
        array).
    scoring : str
        What the test scores are ("accuracy": the estimator's ``score``).
    confidence : float
        The confidence level of :attr:`interval`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.pruning_curve import PruningCurve
    >>> curve = PruningCurve(
    ...     keep=np.array([0.5]), drop=("random",), n_kept=np.array([10]),
    ...     test_scores=np.array([[[0.7, 0.8, 0.9]]]),
    ...     full_scores=np.array([0.9, 0.9, 0.9]), score=None,
    ...     scoring="accuracy", confidence=0.95)
    >>> curve.mean
    array([[0.8]])
    >>> low, high = curve.interval
    >>> np.round([low[0, 0], high[0, 0]], 3)  # 0.8 -/+ t(0.975, 2) * 0.1 / sqrt(3)
    array([0.552, 1.048])
    >>> PruningCurve.from_dict(curve.to_dict()).mean
    array([[0.8]])
    """

    keep: np.ndarray
    drop: tuple[str, ...]
    n_kept: np.ndarray
    test_scores: np.ndarray
    full_scores: np.ndarray
    score: str | None
    scoring: str
    confidence: float

    def __post_init__(self) -> None:
        arrays = {
            "keep": np.asarray(self.keep, dtype=float),
            "n_kept": np.asarray(self.n_kept, dtype=np.int64),
            "test_scores": np.asarray(self.test_scores, dtype=float),
            "full_scores": np.asarray(self.full_scores, dtype=float),
        }
        for name, value in arrays.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "drop", tuple(self.drop))
        shape = (len(self.drop), self.keep.size, self.full_scores.size)
        if (
            self.keep.ndim != 1
            or self.full_scores.ndim != 1
            or self.n_kept.shape != self.keep.shape
            or self.test_scores.shape != shape
        ):
            raise ValueError(
                "test_scores must be of shape (n_drops, n_fractions, n_repeats) = "
                f"{shape}, n_kept of shape ({self.keep.size},); got "
                f"{self.test_scores.shape} and {self.n_kept.shape}."
            )

    @property
    def n_repeats(self) -> int:
        """The repeats (seeds) of each point."""
        return int(self.full_scores.size)

    @property
    def mean(self) -> np.ndarray:
        """Mean test score over the repeats, of shape (n_drops, n_fractions)."""
        return self.test_scores.mean(axis=-1)

    @property
    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        """Student-t interval of the mean over the repeats: (low, high).

        ``mean -/+ t((1 + confidence) / 2, n_repeats - 1) * sem``, with the
        standard error ``sem = std(ddof=1) / sqrt(n_repeats)``. With one
        repeat there is no spread to measure: both ends are NaN.
        """
        return _t_interval(self.test_scores, self.confidence)

    @property
    def full_mean(self) -> float:
        """Mean test score of the model trained on every example."""
        return float(self.full_scores.mean())

    @property
    def full_interval(self) -> tuple[float, float]:
        """Student-t interval of :attr:`full_mean`, as :attr:`interval`."""
        low, high = _t_interval(self.full_scores, self.confidence)
        return float(low), float(high)

    def to_dict(self) -> dict[str, Any]:
        """The curve as plain lists, numbers and strings (JSON, no pickle)."""
        return {
            "keep": self.keep.tolist(),
            "drop": list(self.drop),
            "n_kept": self.n_kept.tolist(),
            "test_scores": self.test_scores.tolist(),
            "full_scores": self.full_scores.tolist(),
            "score": self.score,
            "scoring": self.scoring,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, content: dict[str, Any]) -> PruningCurve:
        """The curve that :meth:`to_dict` wrote; a ValueError if it is not one."""
        missing = {field for field in cls.__dataclass_fields__} - set(content)
        if missing:
            raise ValueError(f"a pruning curve needs {sorted(missing)}.")
        score = content["score"]
        if not (score is None or isinstance(score, str)):
            raise ValueError(f"score must be a string or None; got {score!r}.")
        return cls(
            keep=np.asarray(content["keep"], dtype=float),
            drop=tuple(check_choice(end, "drop", DROPS) for end in content["drop"]),
            n_kept=np.asarray(content["n_kept"], dtype=np.int64),
            test_scores=np.asarray(content["test_scores"], dtype=float),
            full_scores=np.asarray(content["full_scores"], dtype=float),
            score=score,
            scoring=str(content["scoring"]),
            confidence=check_fraction(content["confidence"], "confidence"),
        )


def _t_interval(values: np.ndarray, confidence: float):
    """Student-t interval of the mean over the last axis; NaN for one value."""
    n = values.shape[-1]
    mean = values.mean(axis=-1)
    if n < 2:
        width = np.full_like(mean, np.nan)
    else:
        sem = values.std(axis=-1, ddof=1) / np.sqrt(n)
        width = stats.t.ppf((1 + confidence) / 2, n - 1) * sem
    return mean - width, mean + width


def _check_scores(scores, n: int) -> np.ndarray:
    try:
        values = np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            "scores must be numbers, a PredictionRecord, a fitted "
            "EnsembleDifficulty or the path of a saved record; got "
            f"{type(scores).__name__}."
        ) from None
    if values.ndim != 1 or values.size != n:
        raise ValueError(
            f"scores must hold one number per training example ({n}); got shape "
            f"{values.shape}."
        )
    if not np.isfinite(values).all():
        raise ValueError(
            f"scores hold {np.sum(~np.isfinite(values))} NaN or infinite values."
        )
    return values


def _example_scores(scores, X, y, score, stage):
    """The scores of the training examples, and the name of the score (or None)."""
    record = record_of(scores)
    if record is not None or isinstance(scores, str | os.PathLike):
        record = scorer_record(record if record is not None else scores, X, y)
        return score_examples(record, score=score, stage=stage), resolve_score(
            record, score
        )
    if score != "auto" or stage is not None:
        raise ValueError(
            "score and stage choose a score from a record; scores given as an "
            "array are used as they are (leave score='auto' and stage=None)."
        )
    return _check_scores(scores, n_samples(X)), None


def _fit_params_of(fit_params: dict, indices, n: int) -> dict:
    """``fit_params`` with every per-example array restricted to ``indices``."""
    return {
        key: take(value, indices)
        if hasattr(value, "__len__") and not isinstance(value, str) and len(value) == n
        else value
        for key, value in fit_params.items()
    }


def _fit_and_score(estimator, seed, X, y, X_test, y_test, indices, scorer, params):
    """Test score of a clone seeded by ``seed``, fitted on the ``indices`` examples."""
    model = clone(estimator)
    seed_estimator(model, MemberStreams.from_seed(seed).random_state("estimator"))
    n = n_samples(X)
    if indices.size < n:
        X, y, params = take(X, indices), y[indices], _fit_params_of(params, indices, n)
    model.fit(X, y, **params)
    return float(scorer(model, X_test, y_test))


def _scoring_name(estimator, scoring) -> str:
    if isinstance(scoring, str):
        return scoring
    if scoring is None:
        return "accuracy" if is_classifier(estimator) else "score"
    return getattr(scoring, "__name__", type(scoring).__name__)


def pruning_curve(
    estimator,
    X,
    y,
    X_test,
    y_test,
    *,
    scores,
    score: str = "auto",
    stage: int | None = None,
    keep=(0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1),
    drop=DROPS,
    n_repeats: int = 3,
    per_class: bool = False,
    scoring=None,
    confidence: float = 0.95,
    random_state=None,
    n_jobs: int | None = None,
    fit_params: dict | None = None,
) -> PruningCurve:
    """Test score of ``estimator`` trained on what is kept after pruning.

    For each end in ``drop`` and fraction in ``keep``, the examples kept
    (:func:`kept_examples`) train a clone of ``estimator``, scored on
    ``(X_test, y_test)``, ``n_repeats`` times; a model trained on every
    example gives the reference. Seeds are drawn once from ``random_state``;
    repeat r uses the same seed at every end and fraction (a paired
    comparison): it seeds every ``random_state`` of the clone and the random
    subsets, nested over the fractions. The result does not depend on
    ``n_jobs``.

    Parameters
    ----------
    estimator : estimator
        The downstream model, cloned for every fit.
    X, y, X_test, y_test : array-like
        The training examples and their labels; where each model is scored.
    scores : array-like of shape (n_samples,), PredictionRecord, fitted \
EnsembleDifficulty, str or path-like
        Difficulty scores of the training examples (higher is easier), or
        the record that scores them (an ensemble's, or the path of a saved
        one), which must be the record of ``(X, y)``: its training set is
        scored by :func:`~sklearn_difficulty.scores.score_examples`.
    score : str, default="auto"
    stage : int, default=None
        With a record: the score to rank by, and the stage of a score taken
        at one stage (see :func:`~sklearn_difficulty.scores.score_examples`).
    keep : sequence of float in (0, 1], default=(0.9, 0.8, ..., 0.1)
        The fractions of the training examples kept.
    drop : sequence of {"easiest", "hardest", "random"}, default=all three
    n_repeats : int, default=3
        Seeds per point.
    per_class : bool, default=False
        Keep each fraction within each class.
    scoring : str, callable or None, default=None
        A scikit-learn scorer; None for the estimator's ``score`` (accuracy
        for a classifier).
    confidence : float, default=0.95
        The level of the intervals (:attr:`PruningCurve.interval`).
    random_state : int, RandomState or None, default=None
    n_jobs : int, default=None
    fit_params : dict, default=None
        Passed to ``fit``; a value with one entry per training example
        (``sample_weight``) is restricted to the examples kept.

    Returns
    -------
    curve : PruningCurve

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn_difficulty.pruning_curve import pruning_curve
    >>> X, y = load_iris(return_X_y=True)
    >>> curve = pruning_curve(KNeighborsClassifier(), X[::2], y[::2], X[1::2],
    ...                       y[1::2], scores=X[::2, 0], keep=(0.8, 0.4),
    ...                       n_repeats=2, random_state=0)
    >>> curve.test_scores.shape, curve.n_kept.tolist()
    ((3, 2, 2), [60, 30])
    """
    y = np.asarray(y)
    values, score_name = _example_scores(scores, X, y, score, stage)
    keep, drop = _check_ends(keep, drop, per_class)
    n_repeats = check_int(n_repeats, "n_repeats", 1)
    confidence = check_fraction(confidence, "confidence")
    seeds = draw_member_seeds(check_random_state(random_state), n_repeats)
    subsets = _subsets(values, y, keep, drop, per_class, seeds)
    scorer = check_scoring(estimator, scoring=scoring)
    by_key = _fit_all(estimator, X, y, X_test, y_test, subsets, seeds, scorer,
                      n_jobs=n_jobs, fit_params=fit_params or {})  # fmt: skip
    repeats, fractions = range(n_repeats), range(keep.size)
    return PruningCurve(
        keep=keep,
        drop=drop,
        n_kept=np.array([subsets[drop[0], f, 0].size for f in fractions]),
        test_scores=np.array(
            [[[by_key[end, f, r] for r in repeats] for f in fractions] for end in drop]
        ),
        full_scores=np.array([by_key["full", -1, r] for r in repeats]),
        score=score_name,
        scoring=_scoring_name(estimator, scoring),
        confidence=confidence,
    )


def _fit_all(estimator, X, y, X_test, y_test, subsets, seeds, scorer, *, n_jobs,
             fit_params) -> dict:  # fmt: skip
    """The test score of each subset's model, by the subset's key (in parallel)."""
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_and_score)(
            estimator, seeds[r], X, y, X_test, y_test, kept, scorer, fit_params
        )
        for (_, _, r), kept in subsets.items()
    )
    return dict(zip(subsets, results, strict=True))


def _subsets(values, y, keep, drop, per_class, seeds) -> dict:
    """The examples kept per (end, fraction index, repeat); ("full", -1, r): all.

    Repeat r's random subsets come from its seed alone (nested over the
    fractions, the same whatever else is asked).
    """
    subsets = {
        (end, f, r): kept_examples(
            values,
            y,
            keep=fraction,
            drop=end,
            per_class=per_class,
            random_state=MemberStreams.from_seed(seed).random_state("subset"),
        )
        for end in drop
        for f, fraction in enumerate(keep)
        for r, seed in enumerate(seeds)
    }
    for r in range(len(seeds)):
        subsets["full", -1, r] = np.arange(values.size)
    return subsets


def _check_ends(keep, drop, per_class) -> tuple[np.ndarray, tuple[str, ...]]:
    """The keep fractions as an array and the ends as a tuple, checked."""
    if not isinstance(per_class, bool | np.bool_):
        raise ValueError(f"per_class must be True or False; got {per_class!r}.")
    keep = np.array([check_fraction(k, "keep", closed="right") for k in keep])
    drop = tuple(check_choice(end, "drop", DROPS) for end in drop)
    if keep.size == 0 or not drop:
        raise ValueError("keep and drop must each name at least one value.")
    if len(set(drop)) < len(drop):
        raise ValueError(f"drop names an end twice: {drop}.")
    return keep, drop
