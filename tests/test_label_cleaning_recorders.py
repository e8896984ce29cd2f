"""Issue 21's recorder promises: one pass where one does, and no infinity.

- One pass: with outputs, a scikit-learn member's labels are read off the
  values its outputs come from, and the record is exactly the one that
  calling ``predict`` at every stage gives (the reference here: the same
  fit with the label reader made to call ``predict`` always).
- A member that never saw a class (its subset lacked it) contributes no
  output for that class's examples: NaN, never an infinity, and the
  scores average over the members that have a value.
"""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits, load_iris
from sklearn.ensemble import AdaBoostClassifier, GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord
from sklearn_difficulty.recorders import _one_pass
from sklearn_difficulty.scores import aum, data_map, el2n, score_examples


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300], X[300:400] / 16.0, y[300:400]


def _always_predict(monkeypatch):
    """Two passes: the label reader calls ``predict`` at every stage."""
    monkeypatch.setattr(
        _one_pass.LabelReader,
        "labels",
        lambda self, set_index, values, classes, predict: predict(None),
    )


def _fit(estimator, data, *, outputs, **params):
    X, y, X_eval, y_eval = data
    return EnsembleDifficulty(
        estimator, n_estimators=3, random_state=0, record_outputs=outputs, **params
    ).fit(X, y, eval_set=[(X_eval, y_eval)])


def _assert_same_record(first, second):
    for name in first.set_names:
        np.testing.assert_array_equal(
            first.scored_set(name)[0], second.scored_set(name)[0]
        )
        for kind in first.output_kinds:
            np.testing.assert_array_equal(
                first.output(kind, name), second.output(kind, name)
            )


CASES = {
    "mlp_partial_fit": (
        MLPClassifier(hidden_layer_sizes=(16,), batch_size=64),
        ("margin",),
        {"stage_method": "partial_fit", "n_epochs": 4},
    ),
    "logistic_final": (
        LogisticRegression(max_iter=300),
        ("margin", "proba"),
        {"stage_method": "final", "max_samples": 0.7},
    ),
    "adaboost_staged": (
        AdaBoostClassifier(n_estimators=8),
        ("proba", "error_norm"),
        {"stage_method": "staged_predict", "max_samples": 0.7},
    ),
    "gradient_boosting_staged": (
        GradientBoostingClassifier(n_estimators=6, max_depth=2),
        ("margin",),
        {"stage_method": "staged_predict", "max_samples": 0.5},
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_one_pass_gives_the_two_pass_record(case, digits, monkeypatch):
    estimator, outputs, params = CASES[case]
    one_pass = _fit(estimator, digits, outputs=outputs, **params).record_
    _always_predict(monkeypatch)
    two_pass = _fit(estimator, digits, outputs=outputs, **params).record_
    _assert_same_record(one_pass, two_pass)


class CountingMLP(MLPClassifier):
    """An MLPClassifier that counts its ``predict`` calls on whole sets."""

    calls: list = []

    def predict(self, X):
        CountingMLP.calls.append(len(X))
        return super().predict(X)


class CountingBoosting(GradientBoostingClassifier):
    """Counts the rounds its ``staged_predict`` yields."""

    rounds: list = []

    def staged_predict(self, X):
        for labels in super().staged_predict(X):
            CountingBoosting.rounds.append(len(X))
            yield labels


def test_predict_is_called_on_the_first_stage_only(digits):
    n_full = len(digits[0]), len(digits[2])
    CountingMLP.calls = []
    params = {"stage_method": "partial_fit", "n_epochs": 5}
    mlp = CountingMLP(hidden_layer_sizes=(16,), batch_size=64)
    _fit(mlp, digits, outputs=("margin",), **params)
    assert sorted(n for n in CountingMLP.calls if n in n_full) == sorted(n_full * 3)
    CountingMLP.calls = []  # without outputs, predict is the only pass
    _fit(mlp, digits, outputs=None, **params)
    assert len(CountingMLP.calls) == 3 * 5 * 2

    CountingBoosting.rounds = []
    boosting = CountingBoosting(n_estimators=6, max_depth=2)
    _fit(
        boosting, digits, outputs=("proba",), stage_method="staged_predict",
        max_samples=0.7,
    )  # fmt: skip
    # Up to the first round on each set (and the rows of near ties).
    assert sorted(n for n in CountingBoosting.rounds if n in n_full) == sorted(
        n_full * 3
    )


class SecondBest(SGDClassifier):
    """A classifier whose ``predict`` is not the argmax of its probabilities."""

    def predict(self, X):
        return self.classes_[np.argsort(self.predict_proba(X), axis=1)[:, -2]]


def _tied(X):
    return np.asarray(X)[:, 20] > 0.5


class LastOfTies(ClassifierMixin, BaseEstimator):
    """``predict`` takes the last of tied classes; ties appear after stage 1."""

    def fit(self, X, y):
        return self.partial_fit(X, y, classes=np.unique(y))

    def partial_fit(self, X, y, classes=None):
        self.classes_ = np.asarray(classes)
        self.n_calls_ = getattr(self, "n_calls_", 0) + 1
        return self

    def predict_proba(self, X):
        n = len(X)
        proba = np.zeros((n, self.classes_.size))
        proba[:, 0] = 1.0
        if self.n_calls_ > 1:  # some rows tie classes 0 and 1
            proba[_tied(X), :2] = 0.5
        return proba

    def predict(self, X):
        proba = self.predict_proba(X)
        return self.classes_[proba.shape[1] - 1 - proba[:, ::-1].argmax(axis=1)]


class StagedLastOfTies(LastOfTies):
    """:class:`LastOfTies` by boosting rounds: round ``r`` is ``r`` calls."""

    n_estimators = 4

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def _rounds(self, X, method):
        for n_calls in range(1, self.n_estimators + 1):
            self.n_calls_ = n_calls
            yield method(X)

    def staged_predict_proba(self, X):
        yield from self._rounds(X, self.predict_proba)

    def staged_predict(self, X):
        yield from self._rounds(X, self.predict)


# SVC(probability=True) is deprecated in scikit-learn 1.9, still the known case.
@pytest.mark.filterwarnings("ignore:The `probability` parameter:FutureWarning")
def test_the_record_is_what_predict_gives(digits):
    X, y = digits[0], digits[1]
    fitted = EnsembleDifficulty(
        SecondBest(loss="log_loss"), n_estimators=2, random_state=0,
        stage_method="partial_fit", n_epochs=3, record_outputs=("proba",),
    ).fit(X, y)  # fmt: skip
    members = zip(fitted.estimators_, fitted.record_.scored_set()[0], strict=True)
    for member, labels in members:
        np.testing.assert_array_equal(fitted.classes_[labels[-1]], member.predict(X))
        assert (labels[-1] != member.predict_proba(X).argmax(axis=1)).all()

    ties = EnsembleDifficulty(
        LastOfTies(), n_estimators=1, stage_method="partial_fit", n_epochs=3,
        record_outputs=("proba",), random_state=0,
    ).fit(X, y)  # fmt: skip
    labels = ties.record_.scored_set()[0][0]
    np.testing.assert_array_equal(labels[0], 0)
    tied = _tied(X)
    assert 0 < tied.sum() < tied.size
    np.testing.assert_array_equal(labels[1:, tied], 1)  # predict's: the last
    np.testing.assert_array_equal(labels[1:, ~tied], 0)
    staged = EnsembleDifficulty(
        StagedLastOfTies(), n_estimators=1, stage_method="staged_predict",
        record_outputs=("proba",), random_state=0,
    ).fit(X, y)  # fmt: skip
    rounds = staged.record_.scored_set()[0][0]
    assert rounds.shape[0] == 4
    np.testing.assert_array_equal(rounds[0], 0)
    np.testing.assert_array_equal(rounds[1:], np.broadcast_to(tied, (3, tied.size)))

    svc = EnsembleDifficulty(
        SVC(probability=True), n_estimators=1, stage_method="final",
        record_outputs=("proba",), random_state=0,
    ).fit(X, y)  # fmt: skip
    member, labels = svc.estimators_[0], svc.record_.scored_set()[0][0, -1]
    assert (member.predict(X) != member.predict_proba(X).argmax(axis=1)).any()
    np.testing.assert_array_equal(svc.classes_[labels], member.predict(X))


@pytest.fixture(scope="module")
def subsets():
    """Six logistic regressions on 6 iris examples each: two lack class 1."""
    X, y = load_iris(return_X_y=True)
    return EnsembleDifficulty(
        LogisticRegression(max_iter=500), n_estimators=6, max_samples=6,
        random_state=0, stage_method="final",
        record_outputs=("margin", "proba", "error_norm"),
    ).fit(X, y)  # fmt: skip


def test_a_member_that_never_saw_a_class_has_no_value_for_it(subsets):
    record = subsets.record_
    X, targets = load_iris(return_X_y=True)
    saw = np.array([np.isin(targets, m.classes_) for m in subsets.estimators_])
    assert not saw.all() and saw.any(axis=0).all()  # some member lacks a class
    for kind in record.output_kinds:
        values = record.output(kind)[:, -1]
        assert not np.isinf(values).any()
        np.testing.assert_array_equal(np.isnan(values), ~saw)
    # A missing other class changes nothing: the largest of its own classes.
    lacking = next(m for m in subsets.estimators_ if m.classes_.size == 2)
    index = subsets.estimators_.index(lacking)
    decision = lacking.decision_function(X)
    own = np.flatnonzero(saw[index])
    sign = np.where(targets[own] == lacking.classes_[1], 1.0, -1.0)
    np.testing.assert_allclose(
        record.output("margin")[index, -1, own], sign * decision[own], rtol=1e-5
    )

    margin = record.output("margin").astype(np.float64)[:, -1]
    expected = np.nansum(margin, axis=0) / saw.sum(axis=0)
    by_hand = [margin[saw[:, i], i].mean() for i in range(targets.size)]
    for score in (aum(record), data_map(record).confidence, el2n(record)):
        assert np.isfinite(score).all()
    np.testing.assert_allclose(aum(record), expected, rtol=1e-12)
    np.testing.assert_allclose(aum(record), by_hand, rtol=1e-12)
    proba = record.output("proba").astype(np.float64)[:, -1]
    np.testing.assert_allclose(
        data_map(record).confidence, np.nanmean(proba, axis=0), rtol=1e-12
    )


def test_an_example_no_member_has_a_value_for_is_nan():
    margin = np.array([[[np.nan, 1.0], [np.nan, 3.0]], [[np.nan, 2.0], [4.0, 0.0]]])
    record = PredictionRecord(
        predictions={"train": np.zeros((2, 2, 2), np.uint8)},
        targets={"train": np.array([0, 1])}, classes=np.array([0, 1]),
        stages=np.array([1, 2]),
        outputs={kind: {"train": margin} for kind in ("margin", "proba")},
    )  # fmt: skip
    # Member 0 has no value at either stage for example 0; member 1 at one.
    assert np.isnan(aum(record)[0]) and aum(record)[1] == 1.5
    result = data_map(record, aggregate="pooled")
    assert np.isnan(result.confidence[0]) and np.isnan(result.variability[0])
    np.testing.assert_allclose(result.variability[1], np.std([1, 3, 2, 0]))
    # A score to rank by names the examples it cannot score, never ranks NaN.
    with pytest.raises(ValueError, match="1 examples of 'train' have no 'aum'"):
        score_examples(record, score="aum")


@pytest.mark.parametrize("where", ["record.npz", "folder"])
def test_nan_outputs_save_and_load(subsets, tmp_path, where):
    record = subsets.record_
    record.save(tmp_path / where)
    loaded = PredictionRecord.load(tmp_path / where)
    assert np.isnan(loaded.output("margin")).any()
    _assert_same_record(record, loaded)
    np.testing.assert_array_equal(aum(loaded), aum(record))
