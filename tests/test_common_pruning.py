"""imbalanced-learn's sampler checks and scikit-learn's estimator checks."""

import pytest
from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.pruning import DifficultyFilter, DifficultyPruner


def scorer():
    return EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=3),
        n_estimators=3,
        max_samples=0.8,
        random_state=0,
    )


@imblearn_checks([DifficultyPruner(scorer())])
def test_imblearn_compatible_sampler(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn_difficulty.IdenticalMembersWarning")
@parametrize_with_checks([DifficultyFilter(LogisticRegression(), scorer=scorer())])
def test_sklearn_compatible_filter(estimator, check):
    check(estimator)
