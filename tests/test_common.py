"""scikit-learn's own estimator checks on EnsembleDifficulty."""

import pytest
from sklearn.ensemble import AdaBoostClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_difficulty import EnsembleDifficulty

WEIGHT_CHECKS = (
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)

ESTIMATORS = [
    EnsembleDifficulty(DecisionTreeClassifier(), n_estimators=3, random_state=0),
    EnsembleDifficulty(
        AdaBoostClassifier(n_estimators=5),
        n_estimators=3,
        random_state=0,
        record_outputs="all",
        output_dtype="float16",
    ),
    EnsembleDifficulty(SGDClassifier(), n_estimators=3, n_epochs=3, random_state=0),
    EnsembleDifficulty(
        LogisticRegression(), n_estimators=3, max_samples=0.8, random_state=0
    ),
]

REASONS = {
    SGDClassifier: (
        "SGDClassifier fails this check on its own, and each epoch also visits "
        "the rows in a member-drawn order, which repeating rows changes."
    ),
    LogisticRegression: (
        "with max_samples, each member trains on rows drawn at random; repeated "
        "rows are drawn differently from weighted ones."
    ),
}


def expected_failed_checks(estimator):
    reason = REASONS.get(type(estimator.estimator))
    return dict.fromkeys(WEIGHT_CHECKS, reason) if reason else {}


@pytest.mark.filterwarnings(
    "ignore::sklearn_difficulty.exceptions.IdenticalMembersWarning"
)
@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
