import os

# scikit-learn's array API check runs only when SciPy's array API support is on,
# and that must be set before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
os.environ.setdefault("MPLBACKEND", "Agg")  # plots render without a screen

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris

#: Debian's chromium, headless, kept off the network and its first-run pages
#: (the tests that open a page in a real browser add their own flags).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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


class SlowCountingClassifier(ClassifierMixin, BaseEstimator):
    """Logs every fit to a file (and can sleep, and fail for some seeds)."""

    def __init__(self, log=None, sleep=0.0, fail_every=0, random_state=None):
        self.log = log
        self.sleep = sleep
        self.fail_every = fail_every
        self.random_state = random_state

    def fit(self, X, y):
        import time

        if self.fail_every and self.random_state % self.fail_every == 0:
            raise RuntimeError(f"member with seed {self.random_state} breaks")
        time.sleep(self.sleep)
        if self.log:
            with open(self.log, "a") as handle:
                handle.write(f"{self.random_state}\n")
        rng = np.random.RandomState(self.random_state)
        self.classes_ = np.unique(y)
        self.flip_ = rng.rand(len(X)) < 0.3
        return self

    def predict(self, X):
        X = np.asarray(X)
        rng = np.random.RandomState(self.random_state)
        return self.classes_[(X[:, 0] > rng.rand()).astype(int) % len(self.classes_)]
