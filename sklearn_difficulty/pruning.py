"""Acting on difficulty: pruning samplers and a filtering meta-estimator.

:class:`DifficultyPruner` is an imbalanced-learn sampler (``fit_resample``,
``sample_indices_``) for ``imblearn.pipeline.Pipeline``;
:class:`DifficultyFilter` is a meta-estimator for plain scikit-learn
pipelines and grid searches. Both score the training examples with an
:class:`~sklearn_difficulty.EnsembleDifficulty` (or take a saved record) and
drop the easiest or the hardest ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Set
from numbers import Integral, Real

from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._tags import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from .record import PredictionRecord
from .scores import resolve_score, score_examples, score_names
from .selection import scorer_record, select_examples

try:
    from imblearn.under_sampling.base import BaseCleaningSampler
    from imblearn.utils import check_target_type
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "sklearn_difficulty.pruning needs imbalanced-learn: pip install "
        '"sklearn-difficulty[imblearn]"'
    ) from error

__all__ = ["DifficultyFilter", "DifficultyPruner"]


class _RankByNames(Set):
    """The values ``rank_by`` takes: "auto" and the registered scores, read when
    a pruner is fitted, so that a score registered after import is taken."""

    def __contains__(self, name) -> bool:
        return name == "auto" or name in score_names()

    def __iter__(self) -> Iterator[str]:
        return iter(("auto", *score_names()))

    def __len__(self) -> int:
        return 1 + len(score_names())

    @classmethod
    def _from_iterable(cls, iterable) -> set:
        return set(iterable)  # set operations give a plain set


_SELECTION_CONSTRAINTS: dict = {
    "scorer": [HasMethods(["fit"]), PredictionRecord, str, os.PathLike, None],
    "remove": [StrOptions({"hardest", "easiest"})],
    "by": [StrOptions({"fraction", "count", "threshold"})],
    "amount": [Interval(Real, None, None, closed="neither")],
    "rank_by": [StrOptions(_RankByNames())],
    "stage": [Integral, None],
    "per_class": ["boolean"],
}


def _prune(estimator, X, y, *, memory=None, classes=None) -> None:
    """Score (X, y) with the estimator's scorer and choose the examples kept.

    Sets ``record_``, ``scores_`` and ``sample_indices_`` on ``estimator`` (a
    DifficultyPruner or a DifficultyFilter, which share these parameters).
    """
    estimator.record_ = scorer_record(
        estimator.scorer,
        X,
        y,
        memory=memory,
        random_state=estimator.random_state,
        rank_by=estimator.rank_by,
    )
    estimator.rank_by_ = resolve_score(estimator.record_, estimator.rank_by)
    estimator.scores_ = score_examples(
        estimator.record_, score=estimator.rank_by_, stage=estimator.stage
    )
    estimator.sample_indices_ = select_examples(
        estimator.scores_,
        y,
        remove=estimator.remove,
        by=estimator.by,
        amount=estimator.amount,
        per_class=estimator.per_class,
        classes=classes,
    )


class DifficultyPruner(BaseCleaningSampler):
    """Remove the easiest or the hardest training examples (an imblearn sampler).

    Scores the examples with an ensemble's consistency (Hacohen & Weinshall)
    and removes, by fraction, count or score threshold, the hardest (label
    noise, outliers) or the easiest (to save compute, or to build a hard data
    set). Usable in ``imblearn.pipeline.Pipeline``.

    Parameters
    ----------
    scorer : EnsembleDifficulty, PredictionRecord, str or None, default=None
        An ensemble to fit on the data (cloned), the record of these very
        examples, or the path of a saved record. None uses the ensemble of
        the label-noise benchmark: 10 ``MLPClassifier(hidden_layer_sizes=(100,),
        max_iter=30)`` recorded after each epoch, on standardised features,
        with their margins (see
        :func:`~sklearn_difficulty.selection.default_scorer`).
    sampling_strategy : str, list or callable, default="all"
        Which classes may lose examples (imbalanced-learn's cleaning
        strategies: "all", "not minority", "majority", a list of labels...).
    remove : {"hardest", "easiest"}, default="hardest"
    by : {"fraction", "count", "threshold"}, default="fraction"
    amount : float or int, default=0.1
        The fraction, the number of examples, or the score threshold.
    rank_by : str, default="auto"
        The score that ranks the examples: "auto" or the name of a score in
        the registry of :mod:`sklearn_difficulty.scores`
        (:func:`~sklearn_difficulty.scores.score_names`; this package's are
        :data:`~sklearn_difficulty.scores.SCORES`, and
        :func:`~sklearn_difficulty.scores.register_score` adds one's own).
        "auto" is EL2N when the scorer's record holds error norms (the
        default scorer's does), else AUM when it holds margins, else learning
        speed: EL2N found flipped labels best of all the scores on the data
        sets where the label-noise benchmark chooses defaults, and was
        confirmed on others (``docs/guide/label_cleaning.md``).
        :func:`~sklearn_difficulty.scores.score_examples` turns the score into
        one number per example, higher easier. A score that needs outputs
        beyond the labels (:func:`~sklearn_difficulty.scores.outputs_needed`:
        "margin" for "aum", "proba" for "confidence", "error_norm" for
        "el2n") needs a scorer fitted with ``record_outputs``; the default
        scorer records what ``rank_by`` needs.
    stage : int, default=None
        The stage (a position in the record's stages; -1 the last) of
        "consistency", "heldout_consistency" and "el2n"; None: the last,
        and an early one for "el2n".
    per_class : bool, default=False
        Remove the fraction or count within each class (keeping the balance
        of the classes: suits removing the easiest). False, the default,
        removes the hardest wherever they are: on the data sets where the
        label-noise benchmark chooses defaults, the removed set held more of
        the flipped labels that way (precision 0.775 against 0.758 over 12
        settings, 3 seeds each; ``docs/guide/label_cleaning.md``).
    random_state : int or None, default=None
        Seed of the default scorer.

    Attributes
    ----------
    record_ : PredictionRecord
        The record the examples were scored from.
    rank_by_ : str
        The score used (what "auto" stood for).
    scores_ : ndarray of shape (n_samples,)
    sample_indices_ : ndarray
        Indices of the examples kept.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_difficulty.pruning import DifficultyPruner
    >>> X, y = load_iris(return_X_y=True)
    >>> X_kept, y_kept = DifficultyPruner(amount=0.1, random_state=0).fit_resample(X, y)
    >>> X_kept.shape
    (135, 4)
    """

    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        **_SELECTION_CONSTRAINTS,
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        scorer=None,
        *,
        sampling_strategy="all",
        remove="hardest",
        by="fraction",
        amount=0.1,
        rank_by="auto",
        stage=None,
        per_class=False,
        random_state=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.scorer = scorer
        self.remove = remove
        self.by = by
        self.amount = amount
        self.rank_by = rank_by
        self.stage = stage
        self.per_class = per_class
        self.random_state = random_state

    def _check_X_y(self, X, y, accept_sparse=None):
        # Images (n-d arrays) pass too: the scorer, not the sampler, reads them.
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(
            self, X=X, y=y, reset=True, accept_sparse=["csr", "csc"], allow_nd=True
        )
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        _prune(self, X, y, classes=list(self.sampling_strategy_))
        return (
            _safe_indexing(X, self.sample_indices_),
            _safe_indexing(y, self.sample_indices_),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags


def _estimator_has(attribute):
    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attribute)
        return hasattr(self.estimator, attribute)

    return check


class DifficultyFilter(MetaEstimatorMixin, BaseEstimator):
    """Fit an estimator on the training data without its easiest or hardest examples.

    For plain scikit-learn pipelines and grid searches: ``fit`` scores the
    training examples with a difficulty ensemble, drops some as
    :class:`DifficultyPruner` does, and fits ``estimator`` on the rest;
    prediction goes to the fitted estimator. With ``memory``, the scores of
    a training set are computed once and reused, so that a grid search over
    the final estimator fits the difficulty ensemble once per training set.

    Parameters
    ----------
    estimator : object
        The estimator fitted on the examples kept.
    scorer : EnsembleDifficulty, PredictionRecord, str or None, default=None
        As for :class:`DifficultyPruner`.
    remove, by, amount, rank_by, stage, per_class
        As for :class:`DifficultyPruner`.
    memory : str, joblib.Memory or None, default=None
        Where to cache the fitted records of the scorer.
    random_state : int or None, default=None
        Seed of the default scorer.

    Attributes
    ----------
    estimator_ : estimator
    record_ : PredictionRecord
    rank_by_ : str
    scores_ : ndarray of shape (n_samples,)
    sample_indices_ : ndarray
        Indices of the training examples the estimator was fitted on.
    classes_ : ndarray
        The classes, when the estimator is a classifier.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_difficulty.pruning import DifficultyFilter
    >>> X, y = load_iris(return_X_y=True)
    >>> model = DifficultyFilter(LogisticRegression(max_iter=500), random_state=0)
    >>> model.fit(X, y).sample_indices_.size
    135
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        **_SELECTION_CONSTRAINTS,
        "memory": [None, str, HasMethods(["cache"])],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator,
        *,
        scorer=None,
        remove="hardest",
        by="fraction",
        amount=0.1,
        rank_by="auto",
        stage=None,
        per_class=False,
        memory=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.scorer = scorer
        self.remove = remove
        self.by = by
        self.amount = amount
        self.rank_by = rank_by
        self.stage = stage
        self.per_class = per_class
        self.memory = memory
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Score the examples, drop some, fit the estimator on the rest.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **fit_params : dict
            Passed to the estimator's ``fit``.

        Returns
        -------
        self : DifficultyFilter
        """
        X = self._validate(X, reset=True)
        y = column_or_1d(y, warn=True)
        check_consistent_length(X, y)
        _prune(self, X, y, memory=self.memory)
        kept = self.sample_indices_
        self.estimator_ = clone(self.estimator).fit(
            _safe_indexing(X, kept), y[kept], **fit_params
        )
        if hasattr(self.estimator_, "classes_"):
            self.classes_ = self.estimator_.classes_
        return self

    def _validate(self, X, *, reset):
        checked = validate_data(
            self,
            X,
            reset=reset,
            accept_sparse=["csr", "csc"],
            dtype=None,
            # NaN only for an estimator that takes it: the rows holding it
            # may be among those dropped, which must not hide it.
            ensure_all_finite=(
                "allow-nan" if get_tags(self.estimator).input_tags.allow_nan else True
            ),
        )
        return X if hasattr(X, "iloc") else checked

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict with the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.predict(self._validate(X, reset=False))

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(self._validate(X, reset=False))

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.decision_function(self._validate(X, reset=False))

    @available_if(_estimator_has("score"))
    def score(self, X, y, sample_weight=None):
        """Score of the fitted estimator."""
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        if sample_weight is None:
            return self.estimator_.score(X, y)
        return self.estimator_.score(X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        estimator_tags = get_tags(self.estimator)
        tags.estimator_type = estimator_tags.estimator_type
        tags.classifier_tags = estimator_tags.classifier_tags
        tags.input_tags.sparse = estimator_tags.input_tags.sparse
        tags.input_tags.allow_nan = estimator_tags.input_tags.allow_nan
        return tags
