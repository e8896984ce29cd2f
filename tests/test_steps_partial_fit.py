"""partial_fit members recorded after optimiser steps (issue 20).

The promise: a member fed its epochs in chunks, and recorded at the end of
each chunk, is at every step that ends an epoch the member fed one epoch
per call (the same seed), and ends as the same fitted model.
"""

import warnings

import numpy as np
import pytest
from sklearn.ensemble import AdaBoostClassifier
from sklearn.linear_model import Perceptron, SGDClassifier
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord
from sklearn_difficulty.recorders import MemberPlan, PartialFitRecorder
from sklearn_difficulty.stages import check_record_every

N_EPOCHS = 3

# (member, its steps per epoch on the 100 training examples, a record_every
# that divides them, one that does not)
MEMBERS = {
    "mlp-adam": (
        MLPClassifier(hidden_layer_sizes=(8,), batch_size=10, learning_rate_init=0.01),
        10, 2, 3,
    ),
    "mlp-sgd": (
        MLPClassifier(
            hidden_layer_sizes=(8,), solver="sgd", batch_size=10,
            learning_rate_init=0.05,
        ),
        10, 5, 4,
    ),
    "sgd": (SGDClassifier(penalty=None), 100, 20, 30),
    "perceptron": (Perceptron(), 100, 25, 40),
}  # fmt: skip


@pytest.fixture(scope="module")
def data(iris):
    X, y, X_test, y_test = iris
    scaler = StandardScaler().fit(X)
    return scaler.transform(X), y, scaler.transform(X_test), y_test


def outputs_of(estimator):
    return ("proba", "margin") if hasattr(estimator, "predict_proba") else ("margin",)


def fit(estimator, data, record_every="epoch", *, sample_weight=None, **params):
    X, y, X_test, y_test = data
    settings = dict(
        n_estimators=2, n_epochs=N_EPOCHS, random_state=0,
        record_outputs=outputs_of(estimator),
    )  # fmt: skip
    ensemble = EnsembleDifficulty(
        estimator, record_every=record_every, **{**settings, **params}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning of ours, nor of clipped batches
        return ensemble.fit(
            X, y, eval_set={"test": (X_test, y_test)}, sample_weight=sample_weight
        )


def weights_of(member):
    if hasattr(member, "coefs_"):
        return [*member.coefs_, *member.intercepts_]
    return [member.coef_, member.intercept_]


def assert_same_at_epoch_ends(by_steps, by_epochs, *, exact=True):
    """The step record, at its steps that end an epoch, is the epoch record."""
    steps, epochs = by_steps.record_, by_epochs.record_
    assert steps.stage_kind == "step" and epochs.stage_kind == "epoch"
    common = np.intersect1d(steps.steps, epochs.steps)
    assert common[-1] == epochs.steps[-1]  # the last step at least
    at_steps = np.searchsorted(steps.steps, common)
    at_epochs = np.searchsorted(epochs.steps, common)
    np.testing.assert_array_equal(steps.epochs[at_steps], epochs.epochs[at_epochs])
    for name in epochs.predictions:
        np.testing.assert_array_equal(
            steps.predictions[name][:, at_steps], epochs.predictions[name][:, at_epochs]
        )
        for kind in epochs.outputs:
            a = steps.outputs[kind][name][:, at_steps]
            b = epochs.outputs[kind][name][:, at_epochs]
            if exact:
                np.testing.assert_array_equal(a, b)
            else:
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for member_a, member_b in zip(
        by_steps.estimators_, by_epochs.estimators_, strict=True
    ):
        for a, b in zip(weights_of(member_a), weights_of(member_b), strict=True):
            if exact:
                np.testing.assert_array_equal(a, b)
            else:
                np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.fixture(scope="module")
def by_epochs(data):
    return {name: fit(member[0], data) for name, member in MEMBERS.items()}


@pytest.mark.parametrize("every", ["divides", "does not divide", "log"])
@pytest.mark.parametrize("name", list(MEMBERS))
def test_steps_that_end_an_epoch_predict_what_epochs_predict(
    data, by_epochs, name, every
):
    estimator, steps_per_epoch, divides, does_not = MEMBERS[name]
    record_every = {"divides": divides, "does not divide": does_not}.get(every, every)
    by_steps = fit(estimator, data, record_every)
    assert_same_at_epoch_ends(by_steps, by_epochs[name])
    expected = check_record_every(record_every).steps(steps_per_epoch, N_EPOCHS)
    np.testing.assert_array_equal(by_steps.stages_, expected)
    if every == "divides":  # every epoch's end is recorded
        assert set(by_epochs[name].record_.steps) <= set(by_steps.record_.steps)


def test_sgd_with_a_penalty_is_the_same_up_to_rounding(data):
    """An L2 penalty's weight scale is folded in at the end of every call."""
    estimator = SGDClassifier()  # penalty="l2"
    assert_same_at_epoch_ends(
        fit(estimator, data, 30), fit(estimator, data), exact=False
    )


def test_positions_of_the_stages_and_save_load(data, by_epochs, tmp_path):
    by_epochs = by_epochs["mlp-adam"]
    record = by_epochs.record_
    np.testing.assert_array_equal(record.stages, [1, 2, 3])
    np.testing.assert_array_equal(record.steps, [10, 20, 30])  # 10 batches of 10
    np.testing.assert_array_equal(record.epochs, [1.0, 2.0, 3.0])
    by_steps = fit(MEMBERS["mlp-adam"][0], data, 4)
    record = by_steps.record_
    assert record.stage_kind == "step"
    np.testing.assert_array_equal(record.stages, [4, 8, 12, 16, 20, 24, 28, 30])
    np.testing.assert_array_equal(record.steps, record.stages)
    np.testing.assert_allclose(record.epochs, record.stages / 10)
    stage_axis, kind = record.stage_axis
    assert kind == "epoch"
    np.testing.assert_allclose(stage_axis, record.epochs)
    for path in (tmp_path / "record.npz", tmp_path / "folder"):
        record.save(path)
        loaded = PredictionRecord.load(path)
        assert loaded.stage_kind == "step"
        np.testing.assert_array_equal(loaded.stages, record.stages)
        np.testing.assert_array_equal(loaded.steps, record.steps)
        np.testing.assert_array_equal(loaded.epochs, record.epochs)
    # with the members' own batch size "auto" (min(200, 100)), an epoch is a step
    auto = fit(MLPClassifier(hidden_layer_sizes=(4,)), data, 1, n_estimators=1)
    np.testing.assert_array_equal(auto.record_.steps, [1, 2, 3])
    np.testing.assert_array_equal(auto.record_.epochs, [1.0, 2.0, 3.0])


def test_members_shuffle_no_longer_and_the_estimator_is_left_alone(by_epochs, data):
    for name in ("mlp-adam", "sgd"):
        assert MEMBERS[name][0].get_params()["shuffle"] is True
        for member in by_epochs[name].estimators_:
            assert member.get_params()["shuffle"] is False
    by_steps = fit(SGDClassifier(penalty=None), data, 50, n_estimators=1)
    assert by_steps.estimators_[0].shuffle is False


def test_sample_weight_follows_the_chunks(data):
    weight = np.random.RandomState(0).uniform(0.2, 3.0, len(data[1]))
    for estimator, every in (
        (MEMBERS["mlp-adam"][0], 3),
        (SGDClassifier(penalty=None), 30),
    ):
        by_steps = fit(estimator, data, every, sample_weight=weight)
        by_epochs = fit(estimator, data, sample_weight=weight)
        assert_same_at_epoch_ends(by_steps, by_epochs)
        unweighted = fit(estimator, data)
        assert not np.array_equal(  # the weights were given to the members
            weights_of(by_epochs.estimators_[0])[0],
            weights_of(unweighted.estimators_[0])[0],
        )


def test_a_subset_counts_its_own_steps_and_ends_on_a_short_batch(data):
    """60 examples in batches of 16: 4 steps an epoch, the last of 12 examples.

    Recording every 3 steps feeds the last batch of the first epoch alone:
    the member's batch size is lowered for that call, without a warning.
    """
    estimator = MLPClassifier(
        hidden_layer_sizes=(8,), batch_size=16, learning_rate_init=0.01
    )
    params = dict(max_samples=60)
    by_steps = fit(estimator, data, 3, **params)
    by_epochs = fit(estimator, data, **params)
    np.testing.assert_array_equal(by_epochs.record_.steps, [4, 8, 12])
    np.testing.assert_array_equal(by_steps.stages_, [3, 6, 9, 12])
    np.testing.assert_allclose(by_steps.record_.epochs, [0.75, 1.5, 2.25, 3.0])
    assert_same_at_epoch_ends(by_steps, by_epochs)
    assert all(member.batch_size == 16 for member in by_steps.estimators_)
    assert by_steps.record_.in_bag is not None


def test_the_cache_gives_the_same_record(data, tmp_path):
    estimator = MEMBERS["mlp-adam"][0]
    first = fit(estimator, data, "log", memory=tmp_path)
    assert first.members_from_memory_ == 0
    again = fit(estimator, data, "log", memory=tmp_path)
    assert again.members_from_memory_ == 2
    a, b = first.record_, again.record_
    assert b.stage_kind == "step"
    for name in ("stages", "steps", "epochs"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for name in a.predictions:
        np.testing.assert_array_equal(a.predictions[name], b.predictions[name])
        for kind in a.outputs:
            np.testing.assert_array_equal(a.outputs[kind][name], b.outputs[kind][name])
    # recorded every epoch, the same members are other cache entries
    by_epochs = fit(estimator, data, memory=tmp_path)
    assert by_epochs.members_from_memory_ == 0
    assert_same_at_epoch_ends(again, by_epochs)


def test_n_stages_for_the_progress_bar(data):
    X, y = data[0], data[1]
    classes = np.unique(y)
    recorder = PartialFitRecorder()
    estimator = MLPClassifier(batch_size=16)
    for every, n_draw in (("epoch", None), (3, None), ("log", 60), (7, 60)):
        plan = MemberPlan(
            X=X, y=y, fit_params={}, scored=(X,), names=("train",),
            targets=(np.searchsorted(classes, y),), classes=classes, n_epochs=3,
            schedule=check_record_every(every), n_draw=n_draw,
        )  # fmt: skip
        n_member = n_draw or len(y)
        steps_per_epoch = -(-n_member // 16)
        expected = (
            3 if every == "epoch"
            else len(check_record_every(every).steps(steps_per_epoch, 3))
        )  # fmt: skip
        assert recorder.n_stages(estimator, plan) == expected
        ed = fit(estimator, data, every, max_samples=n_draw, n_estimators=1)
        assert len(ed.stages_) == expected


def test_a_step_that_cannot_be_told_is_refused_and_epochs_have_no_positions(data):
    wrapped = OneVsRestClassifier(MLPClassifier(hidden_layer_sizes=(4,), batch_size=8))
    assert PartialFitRecorder().examples_per_step(wrapped, 100) is None
    with pytest.raises(ValueError, match="what a step of OneVsRestClassifier is"):
        fit(wrapped, data, 5, stage_method="partial_fit", record_outputs=())
    by_epochs = fit(wrapped, data, stage_method="partial_fit", record_outputs=())
    assert by_epochs.record_.steps is None and by_epochs.record_.epochs is None
    np.testing.assert_array_equal(by_epochs.stages_, [1, 2, 3])


def test_boosting_rounds_and_final_models_do_not_count_steps(data):
    boosting = AdaBoostClassifier(n_estimators=4)
    with pytest.raises(
        ValueError,
        match=r"'staged_predict' does not count .*stage_step to keep every k-th round",
    ):
        fit(boosting, data, 2, record_outputs=())
    ed = fit(boosting, data, record_outputs=(), max_samples=0.7)
    assert ed.record_.stage_kind == "round"
    assert ed.record_.steps is None
    with pytest.raises(ValueError, match="'final' does not count"):
        fit(KNeighborsClassifier(), data, "log", record_outputs=(), max_samples=0.5)
