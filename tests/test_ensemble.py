"""EnsembleDifficulty: stages, members, subsets, labels, input kinds, errors."""

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from conftest import SpyClassifier
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import make_column_transformer
from sklearn.ensemble import (
    AdaBoostClassifier,
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LinearRegression, Perceptron, SGDClassifier
from sklearn.naive_bayes import GaussianNB, MultinomialNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import (
    EnsembleDifficulty,
    IdenticalMembersWarning,
    consensus,
    consistency,
)
from sklearn_difficulty._assembly import align_stages, stage_positions

# SpyClassifier predicts column 1 of X whatever its seed: identical members.
identical_spies = pytest.mark.filterwarnings(
    "ignore::sklearn_difficulty.exceptions.IdenticalMembersWarning"
)


def codes_of(labels, classes):
    return np.searchsorted(classes, labels)


def test_adaboost_records_every_round_on_train_and_eval(iris):
    X, y, X_test, y_test = iris
    ed = EnsembleDifficulty(
        AdaBoostClassifier(n_estimators=8),
        n_estimators=4,
        max_samples=0.7,
        random_state=0,
    ).fit(X, y, eval_set=[(X_test, y_test)])
    assert ed.stage_method_ == "staged_predict"
    assert ed.record_.stage_kind == "round"
    np.testing.assert_array_equal(ed.stages_, np.arange(1, 9))
    assert ed.consistency_.shape == ed.consensus_.shape == (8, 100)
    assert ed.eval_consistency_["eval_0"].shape == (8, 50)
    assert ed.member_accuracy_.shape == ed.eval_member_accuracy_["eval_0"].shape
    assert ed.record_.predictions["train"].dtype == np.uint8
    # The record is what each fitted member predicts at each round.
    for m, member in enumerate(ed.estimators_):
        for name, data in [("train", X), ("eval_0", X_test)]:
            staged = np.stack(list(member.staged_predict(data)))
            np.testing.assert_array_equal(
                ed.record_.predictions[name][m], codes_of(staged, ed.classes_)
            )
    by_hand = np.mean(
        [np.stack(list(m.staged_predict(X_test))) == y_test for m in ed.estimators_],
        axis=0,
    )
    np.testing.assert_allclose(ed.eval_consistency_["eval_0"], by_hand)
    np.testing.assert_allclose(ed.learning_speed_, ed.consistency_.mean(axis=0))
    np.testing.assert_allclose(ed.eval_learning_speed_["eval_0"], by_hand.mean(axis=0))


def test_stage_step_keeps_every_kth_round_and_the_last(iris):
    X, y, _, _ = iris
    ed = EnsembleDifficulty(
        AdaBoostClassifier(n_estimators=10),
        n_estimators=2,
        stage_step=3,
        max_samples=0.8,
        random_state=0,
    ).fit(X, y)
    np.testing.assert_array_equal(ed.stages_, [3, 6, 9, 10])
    staged = np.stack(list(ed.estimators_[1].staged_predict(X)))
    np.testing.assert_array_equal(
        ed.record_.predictions["train"][1], staged[[2, 5, 8, 9]]
    )


def test_members_that_stop_early_keep_their_final_prediction():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 4)
    y = (X[:, 0] + 0.5 * rng.randn(300) > 0).astype(int)
    estimator = HistGradientBoostingClassifier(
        max_iter=60, early_stopping=True, n_iter_no_change=2, validation_fraction=0.3
    )
    ed = EnsembleDifficulty(estimator, n_estimators=4, random_state=1).fit(X, y)
    n_iter = [member.n_iter_ for member in ed.estimators_]
    assert len(set(n_iter)) > 1, n_iter  # the members stopped at different rounds
    np.testing.assert_array_equal(ed.stages_, np.arange(1, max(n_iter) + 1))
    for m, member in enumerate(ed.estimators_):
        final = codes_of(member.predict(X), ed.classes_)
        np.testing.assert_array_equal(
            ed.record_.predictions["train"][m, member.n_iter_ - 1 :],
            np.broadcast_to(final, (max(n_iter) - member.n_iter_ + 1, len(y))),
        )


def test_stage_alignment_helpers():
    grid = align_stages([np.array([2, 4, 5]), np.array([2, 4, 6, 7])], step=2)
    np.testing.assert_array_equal(grid, [2, 4, 6, 7])
    np.testing.assert_array_equal(
        stage_positions(np.array([2, 4, 5]), grid), [0, 1, 2, 2]
    )
    np.testing.assert_array_equal(align_stages([np.array([1])], step=5), [1])


@identical_spies
def test_partial_fit_epochs_with_member_own_order():
    rng = np.random.RandomState(0)
    n = 30
    X = np.column_stack([np.arange(n), rng.randint(0, 3, n)])
    y = rng.randint(0, 3, n)
    ed = EnsembleDifficulty(
        SpyClassifier(),
        stage_method="partial_fit",
        n_estimators=3,
        n_epochs=4,
        random_state=0,
    ).fit(X, y)
    assert ed.record_.stage_kind == "epoch"
    np.testing.assert_array_equal(ed.stages_, [1, 2, 3, 4])
    orders = [tuple(order) for member in ed.estimators_ for order in member.epochs_]
    assert len(orders) == 12
    assert len(set(orders)) == 12  # every member and epoch has its own order
    for member in ed.estimators_:
        for order in member.epochs_:
            np.testing.assert_array_equal(np.sort(order), np.arange(n))


def test_sgd_epochs_match_the_fitted_members(iris):
    X, y, X_test, y_test = iris
    ed = EnsembleDifficulty(
        make_pipeline(StandardScaler(), SGDClassifier()),
        stage_method="partial_fit",
        n_estimators=3,
        n_epochs=5,
        random_state=0,
    )
    with pytest.raises(ValueError, match="partial_fit"):
        ed.fit(X, y)  # a pipeline has no partial_fit
    ed = EnsembleDifficulty(
        SGDClassifier(), n_estimators=3, n_epochs=5, stage_step=2, random_state=0
    ).fit(StandardScaler().fit_transform(X), y)
    assert ed.stage_method_ == "partial_fit"
    np.testing.assert_array_equal(ed.stages_, [2, 4, 5])
    for m, member in enumerate(ed.estimators_):
        final = codes_of(member.predict(StandardScaler().fit_transform(X)), ed.classes_)
        np.testing.assert_array_equal(ed.record_.predictions["train"][m, -1], final)
    assert not np.array_equal(
        ed.record_.predictions["train"][0], ed.record_.predictions["train"][1]
    )


def test_mlp_is_recorded_by_epoch(iris):
    X, y, _, _ = iris
    ed = EnsembleDifficulty(
        MLPClassifier(hidden_layer_sizes=(5,)),
        n_estimators=2,
        n_epochs=3,
        random_state=0,
    ).fit(X, y)
    assert ed.stage_method_ == "partial_fit"
    assert ed.consistency_.shape == (3, 100)


@pytest.mark.parametrize(
    "estimator, expected",
    [
        (AdaBoostClassifier(), "staged_predict"),
        (HistGradientBoostingClassifier(), "staged_predict"),
        (GradientBoostingClassifier(), "staged_predict"),
        (SGDClassifier(), "partial_fit"),
        (Perceptron(), "partial_fit"),
        (MLPClassifier(), "partial_fit"),
        (MultinomialNB(), "final"),
        (GaussianNB(), "final"),
        (SVC(), "final"),
        (KNeighborsClassifier(), "final"),
        (RandomForestClassifier(), "final"),
    ],
)
def test_auto_stage_method(estimator, expected):
    from sklearn_difficulty.recorders import resolve_recorder

    assert resolve_recorder(estimator, "auto").name == expected


def test_naive_bayes_can_be_recorded_by_epoch_on_request(iris):
    X, y, _, _ = iris
    ed = EnsembleDifficulty(
        GaussianNB(),
        stage_method="partial_fit",
        n_estimators=2,
        n_epochs=2,
        max_samples=0.5,
        random_state=0,
    ).fit(X, y)
    assert ed.consistency_.shape == (2, 100)


@identical_spies
def test_final_only_learner_with_subsets_and_heldout_consistency():
    rng = np.random.RandomState(0)
    n = 40
    X = np.column_stack([np.arange(n), rng.randint(0, 2, n)])
    y = rng.randint(0, 2, n)
    ed = EnsembleDifficulty(
        SpyClassifier(),
        stage_method="final",
        n_estimators=6,
        max_samples=0.5,
        random_state=0,
    ).fit(X, y)
    assert ed.stage_method_ == "final"
    np.testing.assert_array_equal(ed.stages_, [1])
    for m, member in enumerate(ed.estimators_):
        assert len(member.rows_) == 20
        np.testing.assert_array_equal(
            ed.record_.in_bag[m], np.isin(np.arange(n), member.rows_)
        )
    held_out = ~ed.record_.in_bag
    right = X[:, 1] == y
    with np.errstate(invalid="ignore"):
        expected = (held_out * right).sum(axis=0) / held_out.sum(axis=0)
    np.testing.assert_allclose(ed.heldout_consistency_[0], expected)


@identical_spies
def test_bootstrap_draws_with_replacement():
    rng = np.random.RandomState(0)
    n = 50
    X = np.column_stack([np.arange(n), rng.randint(0, 2, n)])
    y = rng.randint(0, 2, n)
    ed = EnsembleDifficulty(
        SpyClassifier(),
        stage_method="final",
        n_estimators=4,
        bootstrap=True,
        random_state=0,
    ).fit(X, y)
    for m, member in enumerate(ed.estimators_):
        assert len(member.rows_) == n
        assert len(np.unique(member.rows_)) < n
        np.testing.assert_array_equal(
            ed.record_.in_bag[m], np.isin(np.arange(n), member.rows_)
        )
    assert ed.heldout_consistency_.shape == (1, n)


def test_knn_members_are_identical_without_subsets(iris):
    X, y, _, _ = iris
    with pytest.warns(IdenticalMembersWarning, match="max_samples"):
        EnsembleDifficulty(KNeighborsClassifier(), n_estimators=3).fit(X, y)
    ed = EnsembleDifficulty(
        KNeighborsClassifier(), n_estimators=5, max_samples=0.6, random_state=0
    ).fit(X, y)
    for m in range(ed.n_estimators):
        alone = clone(KNeighborsClassifier()).fit(
            X[ed.record_.in_bag[m]], y[ed.record_.in_bag[m]]
        )
        np.testing.assert_array_equal(
            ed.record_.predictions["train"][m, 0],
            codes_of(alone.predict(X), ed.classes_),
        )
    with pytest.warns(IdenticalMembersWarning):
        full = EnsembleDifficulty(DecisionTreeClassifier(), n_estimators=2).fit(X, y)
    assert not hasattr(full, "heldout_consistency_")


def test_seeds_reach_nested_random_states(iris):
    X, y, _, _ = iris
    estimator = make_pipeline(
        StandardScaler(),
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=3),
    )
    ed = EnsembleDifficulty(estimator, n_estimators=3, max_samples=0.5, random_state=0)
    ed.fit(X, y)
    states = [
        (
            m.get_params()["adaboostclassifier__random_state"],
            m.get_params()["adaboostclassifier__estimator__random_state"],
        )
        for m in ed.estimators_
    ]
    flat = [s for pair in states for s in pair]
    assert all(isinstance(s, int | np.integer) for s in flat)
    assert len(set(flat)) == len(flat)
    np.testing.assert_array_equal(
        ed.record_.seeds, np.random.RandomState(0).randint(2**31 - 1, size=3)
    )


def test_string_and_non_contiguous_labels(iris):
    X, y, X_test, y_test = iris
    for labels in (
        np.array(["setosa", "versicolor", "virginica"]),
        np.array([10, 20, 35]),
    ):
        ed = EnsembleDifficulty(
            DecisionTreeClassifier(max_depth=2),
            n_estimators=3,
            max_samples=0.5,
            random_state=0,
        ).fit(X, labels[y], eval_set={"test": (X_test, labels[y_test])})
        np.testing.assert_array_equal(ed.classes_, labels)
        predicted = np.stack([m.predict(X_test) for m in ed.estimators_])
        np.testing.assert_allclose(
            ed.eval_consistency_["test"][0], consistency(predicted, labels[y_test])
        )
        np.testing.assert_allclose(ed.eval_consensus_["test"][0], consensus(predicted))
        assert set(ed.predict(X_test)) <= set(labels)
        np.testing.assert_array_equal(ed.record_.targets["test"], y_test)


def test_pandas_input_reaches_members_as_a_dataframe(iris):
    X, y, X_test, y_test = iris
    columns = ["sepal_l", "sepal_w", "petal_l", "petal_w"]
    frame, frame_test = (
        pd.DataFrame(X, columns=columns),
        pd.DataFrame(X_test, columns=columns),
    )
    names = pd.Series(np.array(["a", "b", "c"])[y])
    estimator = make_pipeline(
        make_column_transformer((StandardScaler(), ["petal_l", "petal_w"])),
        DecisionTreeClassifier(max_depth=2),
    )
    ed = EnsembleDifficulty(estimator, n_estimators=2, max_samples=0.8, random_state=0)
    ed.fit(frame, names, eval_set=[(frame_test, np.array(["a", "b", "c"])[y_test])])
    np.testing.assert_array_equal(ed.feature_names_in_, columns)
    assert list(ed.estimators_[0].feature_names_in_) == columns
    assert ed.predict(frame_test).shape == (50,)
    assert ed.score(frame_test, np.array(["a", "b", "c"])[y_test]) > 0.8


def test_sparse_input(iris):
    X, y, X_test, y_test = iris
    dense = EnsembleDifficulty(
        DecisionTreeClassifier(), n_estimators=3, max_samples=0.7, random_state=0
    )
    sparse = clone(dense)
    dense.fit(X, y, eval_set=[(X_test, y_test)])
    sparse.fit(sp.csr_matrix(X), y, eval_set=[(sp.csr_matrix(X_test), y_test)])
    np.testing.assert_array_equal(dense.consistency_, sparse.consistency_)
    np.testing.assert_array_equal(
        dense.eval_consistency_["eval_0"], sparse.eval_consistency_["eval_0"]
    )


@identical_spies
def test_sample_weight_and_fit_params_follow_each_members_subset():
    rng = np.random.RandomState(0)
    n = 30
    X = np.column_stack([np.arange(n), rng.randint(0, 2, n)])
    y = rng.randint(0, 2, n)
    weight = np.arange(n, dtype=float) + 1
    ed = EnsembleDifficulty(
        SpyClassifier(),
        stage_method="final",
        n_estimators=3,
        max_samples=10,
        random_state=0,
    )
    ed.fit(X, y, sample_weight=weight, row_info=np.arange(n) * 10)
    for member in ed.estimators_:
        np.testing.assert_array_equal(member.sample_weight_, weight[member.rows_])
        np.testing.assert_array_equal(member.row_info_, member.rows_ * 10)
    ed = EnsembleDifficulty(
        SpyClassifier(),
        stage_method="partial_fit",
        n_estimators=2,
        n_epochs=1,
        random_state=0,
    ).fit(X, y, sample_weight=weight)
    for member in ed.estimators_:
        np.testing.assert_array_equal(member.sample_weight_, weight[member.epochs_[0]])


def test_sample_weight_changes_the_members(iris):
    X, y, _, _ = iris
    weight = np.where(y == 2, 0.0, 1.0)
    ed = EnsembleDifficulty(
        DecisionTreeClassifier(), n_estimators=2, max_samples=0.9, random_state=0
    )
    ed.fit(X, y, sample_weight=weight)
    assert (ed.member_accuracy_[:, -1] < 1).all()  # class 2 can't be learnt
    assert 2 not in ed.predict(X)


def test_same_scores_whatever_n_jobs_or_backend(iris):
    X, y, X_test, y_test = iris

    def fit(random_state=42, **kwargs):
        return EnsembleDifficulty(
            AdaBoostClassifier(n_estimators=5),
            n_estimators=4,
            max_samples=0.6,
            random_state=random_state,
            **kwargs,
        ).fit(X, y, eval_set=[(X_test, y_test)])

    reference = fit(n_jobs=1)
    others = [fit(n_jobs=2)]
    with joblib.parallel_config(backend="threading", n_jobs=2):
        others.append(fit())
    for other in others:
        for name in ("train", "eval_0"):
            np.testing.assert_array_equal(
                reference.record_.predictions[name], other.record_.predictions[name]
            )
        np.testing.assert_array_equal(reference.record_.in_bag, other.record_.in_bag)
        np.testing.assert_array_equal(reference.consistency_, other.consistency_)
    other_seed = fit(random_state=1)
    assert not np.array_equal(reference.record_.in_bag, other_seed.record_.in_bag)


def test_predict_proba_averages_members_with_and_without_proba():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    y = np.repeat([0, 1, 2], 20)
    ed = EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=2),
        n_estimators=5,
        max_samples=3,
        random_state=0,
    ).fit(X, y)
    # 3 examples: some members miss a class, and their columns still line up.
    assert any(len(m.classes_) < 3 for m in ed.estimators_)
    expected = np.zeros((60, 3))
    for member in ed.estimators_:
        expected[:, member.classes_] += member.predict_proba(X)
    np.testing.assert_allclose(ed.predict_proba(X), expected / 5)
    np.testing.assert_array_equal(ed.predict(X), np.argmax(expected, axis=1))

    votes = EnsembleDifficulty(
        SGDClassifier(), n_estimators=3, n_epochs=2, random_state=0
    )
    votes.fit(X, y)
    proba = votes.predict_proba(X)
    members = np.stack([m.predict(X) for m in votes.estimators_])
    np.testing.assert_allclose(proba[:, 1], (members == 1).mean(axis=0))
    np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_verbose_reports_progress(iris, capfd):
    X, y, _, _ = iris
    EnsembleDifficulty(
        DecisionTreeClassifier(),
        n_estimators=3,
        max_samples=0.5,
        verbose=10,
        random_state=0,
    ).fit(X, y)
    captured = capfd.readouterr()
    assert "Done" in captured.out + captured.err


# Bad input -----------------------------------------------------------------


def test_nan_where_the_estimator_cannot_take_it(iris):
    X, y, X_test, y_test = iris
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        EnsembleDifficulty(SVC(), n_estimators=2, max_samples=0.5).fit(X_nan, y)
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        EnsembleDifficulty(SVC(), n_estimators=2, max_samples=0.5).fit(X_inf, y)
    test_nan = X_test.copy()
    test_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        EnsembleDifficulty(SVC(), n_estimators=2, max_samples=0.5).fit(
            X, y, eval_set=[(test_nan, y_test)]
        )
    # An estimator that takes NaN gets it.
    ed = EnsembleDifficulty(
        HistGradientBoostingClassifier(max_iter=3),
        n_estimators=2,
        max_samples=0.9,
        random_state=0,
    ).fit(X_nan, y, eval_set=[(test_nan, y_test)])
    assert ed.consistency_.shape == (3, 100)


@pytest.mark.parametrize(
    "make_call, error, message",
    [
        (lambda X, y: ((X, np.zeros_like(y)), {}), ValueError, "at least 2 classes"),
        (lambda X, y: ((X, y[:-1]), {}), ValueError, "inconsistent numbers"),
        (
            lambda X, y: ((X, y), {"eval_set": [(X[:, :3], y)]}),
            ValueError,
            "3 features, but EnsembleDifficulty is expecting 4",
        ),
        (
            lambda X, y: ((X, y), {"eval_set": [(X, y + 5)]}),
            ValueError,
            "never seen in training: \\[5, 6, 7\\]",
        ),
        (
            lambda X, y: ((X, y), {"eval_set": [(X, y[:-1])]}),
            ValueError,
            "inconsistent numbers",
        ),
        (lambda X, y: ((X, y), {"eval_set": (X, y)}), TypeError, "list of \\(X, y\\)"),
        (lambda X, y: ((X, y), {"eval_set": {"train": (X, y)}}), ValueError, "'train'"),
        (lambda X, y: ((X, y), {"eval_set": [(X, y, y)]}), TypeError, "pair"),
        (lambda X, y: ((X, y + 0.5), {}), ValueError, "Unknown label type"),
    ],
)
def test_bad_data(iris, make_call, error, message):
    X, y, _, _ = iris
    args, kwargs = make_call(X, y)
    ed = EnsembleDifficulty(DecisionTreeClassifier(), n_estimators=2, max_samples=0.5)
    with pytest.raises(error, match=message):
        ed.fit(*args, **kwargs)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_estimators": 0}, "'n_estimators' parameter"),
        ({"estimator": object()}, "implementing 'fit' and 'predict'"),
        ({"estimator": LinearRegression()}, "must be a classifier"),
        ({"stage_method": "epochs"}, "'stage_method' parameter"),
        ({"estimator": SVC(), "stage_method": "staged_predict"}, "has no"),
        ({"max_samples": 1.5}, "'max_samples' parameter"),
        ({"max_samples": 101}, "larger than the 100 training examples"),
        ({"n_epochs": 0}, "'n_epochs' parameter"),
        ({"stage_step": 0}, "'stage_step' parameter"),
    ],
)
def test_bad_parameters(iris, params, message):
    X, y, _, _ = iris
    ed = EnsembleDifficulty(DecisionTreeClassifier(), n_estimators=2, max_samples=0.5)
    with pytest.raises(ValueError, match=message):
        ed.set_params(**params).fit(X, y)


def test_sample_weight_for_an_estimator_without_it(iris):
    X, y, _, _ = iris
    ed = EnsembleDifficulty(KNeighborsClassifier(), n_estimators=2, max_samples=0.5)
    with pytest.raises(ValueError, match="does not take sample_weight"):
        ed.fit(X, y, sample_weight=np.ones(len(y)))


class LabelInventor(SpyClassifier):
    """Predicts a label it was never shown."""

    def predict(self, X):
        return np.full(len(X), 99)


@pytest.mark.parametrize("labels", [np.array([0, 1]), np.array([5, 7])])
def test_a_member_predicting_an_unseen_label_is_an_error(labels):
    X = np.column_stack([np.arange(20), np.zeros(20)])
    y = labels[np.arange(20) % 2]
    ed = EnsembleDifficulty(LabelInventor(), stage_method="final", n_estimators=2)
    with pytest.raises(ValueError, match=r"never seen in training: \[99\]") as error:
        ed.fit(X, y)
    assert "scored set 'train'" in " ".join(error.value.__notes__)


def test_max_samples_of_the_whole_set_is_no_subset(iris):
    X, y, _, _ = iris
    with pytest.warns(IdenticalMembersWarning):
        ed = EnsembleDifficulty(KNeighborsClassifier(), n_estimators=2, max_samples=1.0)
        ed.fit(X, y)
    assert ed.record_.in_bag is None
    assert not hasattr(ed, "heldout_consistency_")


class _NeverFit(ClassifierMixin, BaseEstimator):
    """Fails the test if any member is trained: checks must come first."""

    def fit(self, X, y):
        raise AssertionError("a member was trained before the parameters were checked")

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_estimators": True}, "n_estimators must be a number, not a bool"),
        ({"stage_step": True}, "stage_step must be a number, not a bool"),
        ({"max_samples": True}, "max_samples must be a number, not a bool"),
        ({"min_members": True}, "min_members must be an int, not a bool"),
        ({"n_estimators": 3, "min_members": 4}, "min_members=4 is more than"),
    ],
)
def test_impossible_counts_are_refused_before_any_training(iris, params, message):
    X, y = iris[:2]
    with pytest.raises(ValueError, match=message):
        EnsembleDifficulty(_NeverFit(), **params).fit(X, y)


def test_a_record_folder_that_is_a_file_is_refused_before_any_training(iris, tmp_path):
    X, y = iris[:2]
    (tmp_path / "record").write_text("not a folder")
    with pytest.raises(ValueError, match="record_folder .* is a file"):
        EnsembleDifficulty(_NeverFit(), record_folder=tmp_path / "record").fit(X, y)
