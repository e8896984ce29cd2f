"""The default label cleaner: its preprocessing, its members, and their checks."""

import sys

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_difficulty.selection import (
    DEFAULT_EPOCHS,
    DEFAULT_MEMBERS,
    FlooredScaler,
    default_member,
    default_scorer,
    scorer_record,
)

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from sklearn_difficulty.nets import VectorisedMLP  # noqa: E402


@parametrize_with_checks(
    [FlooredScaler(), VectorisedMLP(hidden_layer_sizes=(8,), max_iter=200)]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_ordinary_features_are_standardised_as_by_standard_scaler():
    X = np.random.RandomState(0).normal(size=(500, 4)) * [1, 10, 1e3, 1e-3]
    np.testing.assert_allclose(
        FlooredScaler().fit_transform(X), StandardScaler().fit_transform(X)
    )


def test_a_near_constant_feature_stays_within_the_cap():
    X, _ = load_digits(return_X_y=True)
    standard = np.abs(StandardScaler().fit_transform(X)).max()
    floored = FlooredScaler().fit_transform(X)
    assert standard > 30  # the digits' border pixels: the pitfall is real here
    assert np.abs(floored).max() <= 10 + 1e-9
    assert np.all(floored[:, X.std(axis=0) == 0] == 0)  # constant pixels
    assert np.abs(FlooredScaler(cap=3).fit_transform(X)).max() <= 3 + 1e-9


def test_sparse_input_is_scaled_without_centring():
    X, _ = load_digits(return_X_y=True)
    dense = FlooredScaler().fit(X)
    scaled = FlooredScaler().fit_transform(csr_matrix(X))
    np.testing.assert_allclose(scaled.toarray(), X / dense.scale_)
    with pytest.raises(ValueError, match="cap"):
        FlooredScaler(cap=0).fit(X)


def test_the_default_scorer_trains_vectorised_members_with_torch():
    scorer = default_scorer(0, rank_by="aum")
    assert isinstance(scorer.estimator, VectorisedMLP)
    assert scorer.estimator.max_iter == DEFAULT_EPOCHS
    assert scorer.n_estimators == DEFAULT_MEMBERS
    assert scorer.record_outputs == ("margin",)


def test_without_torch_the_default_scorer_falls_back_to_scikit_learn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn_difficulty.nets", None)
    member = default_member()
    assert isinstance(member, MLPClassifier)
    assert member.get_params()["hidden_layer_sizes"] == (100,)
    assert member.max_iter == DEFAULT_EPOCHS
    X, y = load_digits(return_X_y=True)
    record = scorer_record(None, X[:300], y[:300], random_state=0)
    assert record.n_members == DEFAULT_MEMBERS
    assert record.n_stages == DEFAULT_EPOCHS  # partial_fit: no stage 0


def test_the_default_record_is_fitted_on_floored_features(monkeypatch):
    seen = {}
    real = FlooredScaler.fit_transform

    def spy(self, X, y=None):
        seen["scaled"] = real(self, X, y)
        return seen["scaled"]

    monkeypatch.setattr(FlooredScaler, "fit_transform", spy)
    X, y = load_digits(return_X_y=True)
    record = scorer_record(None, X[:200], y[:200], random_state=0)
    assert np.abs(seen["scaled"]).max() <= 10 + 1e-9
    assert record.n_members == DEFAULT_MEMBERS
