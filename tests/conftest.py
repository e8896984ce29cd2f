import os

# scikit-learn's array API check runs only when SciPy's array API support is on,
# and that must be set before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
os.environ.setdefault("MPLBACKEND", "Agg")  # plots render without a screen

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris


@pytest.fixture(scope="session")
def iris():
    X, y = load_iris(return_X_y=True)
    rng = np.random.RandomState(0)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    return X[:100], y[:100], X[100:], y[100:]


class SpyClassifier(ClassifierMixin, BaseEstimator):
    """Remembers what it was given; predicts the label in column 1 of X.

    Column 0 of X holds each row's index, so ``rows_`` tells which training
    rows (and in which order) a member saw.
    """

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None, row_info=None):
        X = np.asarray(X)
        self.classes_ = np.unique(y)
        self.rows_ = X[:, 0].astype(int)
        self.sample_weight_ = sample_weight
        self.row_info_ = row_info
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        X = np.asarray(X)
        self.classes_ = np.asarray(classes)
        self.epochs_ = [*getattr(self, "epochs_", []), X[:, 0].astype(int)]
        self.sample_weight_ = sample_weight
        return self

    def predict(self, X):
        return np.asarray(X)[:, 1].astype(int)
