"""Pruning samplers, the filtering meta-estimator and the data experiments."""

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline as make_imblearn_pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord
from sklearn_difficulty.experiments import (
    flip_labels,
    hard_dataset,
    move_to_test,
    shuffle_labels,
)
from sklearn_difficulty.pruning import (
    DifficultyFilter,
    DifficultyPruner,
    select_examples,
)

SCORES = np.array([0.9, 0.1, 0.5, 0.2, 0.8, 0.4, 0.4, 0.7])
Y = np.array([0, 0, 0, 0, 1, 1, 1, 1])


@pytest.mark.parametrize(
    "kwargs, kept",
    [
        ({"amount": 0.25}, [0, 2, 3, 4, 6, 7]),  # 1 hardest per class: 1 and 5
        ({"amount": 0.25, "per_class": False}, [0, 2, 4, 5, 6, 7]),  # 1 and 3
        ({"amount": 0.25, "remove": "easiest"}, [1, 2, 3, 5, 6, 7]),  # 0 and 4
        ({"by": "count", "amount": 2, "per_class": False}, [0, 2, 4, 5, 6, 7]),
        ({"by": "count", "amount": 2}, [0, 2, 4, 7]),  # 1, 3 and 5, 6
        ({"by": "threshold", "amount": 0.4}, [0, 2, 4, 7]),
        ({"by": "threshold", "amount": 0.8, "remove": "easiest"}, [1, 2, 3, 5, 6, 7]),
        ({"amount": 0.5, "classes": [1]}, [0, 1, 2, 3, 4, 7]),
    ],
)
def test_select_examples_by_hand(kwargs, kept):
    np.testing.assert_array_equal(select_examples(SCORES, Y, **kwargs), kept)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"amount": 1.0}, r"fraction must be in \(0, 1\)"),
        ({"amount": 0.0}, r"fraction must be in \(0, 1\)"),
        ({"by": "count", "amount": 0}, "positive integer"),
        ({"by": "count", "amount": 8, "per_class": False}, "keeps no example"),
        ({"by": "count", "amount": 4}, "keeps no example"),
        ({"by": "threshold", "amount": 0.95}, "keeps no example"),
        ({"by": "threshold", "amount": 0.8}, "keeps no example of class 1"),
        ({"by": "ratio"}, "by must be"),
        ({"remove": "middle"}, "remove must be"),
    ],
)
def test_select_examples_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        select_examples(SCORES, Y, **kwargs)


def hand_record(n_members=4):
    """A record whose learning speed is SCORES, for examples labelled Y."""
    rng = np.random.RandomState(0)
    right = np.zeros((n_members * 10, 1, Y.size), bool)
    for i, score in enumerate(SCORES):
        right[
            rng.permutation(right.shape[0])[: int(round(score * right.shape[0]))], 0, i
        ] = True
    predictions = np.where(right, Y, 1 - Y).astype(np.uint8)
    return PredictionRecord(
        predictions={"train": predictions},
        targets={"train": Y},
        classes=np.array(["cat", "dog"]),
        stages=np.array([1]),
    )


def test_pruner_on_a_record_keeps_rows_and_labels_together(tmp_path):
    X = np.arange(16, dtype=float).reshape(8, 2)
    labels = np.array(["cat", "dog"])[Y]
    pruner = DifficultyPruner(hand_record(), amount=0.25, per_class=True)
    X_kept, y_kept = pruner.fit_resample(X, labels)
    np.testing.assert_array_equal(pruner.sample_indices_, [0, 2, 3, 4, 6, 7])
    np.testing.assert_allclose(pruner.scores_, SCORES)
    np.testing.assert_array_equal(X_kept, X[pruner.sample_indices_])
    np.testing.assert_array_equal(y_kept, labels[pruner.sample_indices_])
    hand_record().save(tmp_path / "run.npz")
    from_file = DifficultyPruner(str(tmp_path / "run.npz"), amount=0.25, per_class=True)
    from_file.fit_resample(X, labels)
    np.testing.assert_array_equal(from_file.sample_indices_, pruner.sample_indices_)


def test_pruner_refuses_a_record_of_other_data():
    with pytest.raises(ValueError, match="scores 8 training examples but X has 7"):
        DifficultyPruner(hand_record()).fit_resample(np.zeros((7, 2)), Y[:7])
    with pytest.raises(ValueError, match="labels of the record differ"):
        DifficultyPruner(hand_record()).fit_resample(np.zeros((8, 2)), Y[::-1])
    with pytest.raises(ValueError, match="held-out consistency"):
        DifficultyPruner(
            EnsembleDifficulty(
                DecisionTreeClassifier(), n_estimators=2, max_samples=0.95
            ),
            rank_by="heldout_consistency",
        ).fit_resample(np.random.RandomState(0).rand(40, 2), np.tile([0, 1], 20))


def test_pruner_with_an_ensemble_in_an_imblearn_pipeline(iris):
    X, y, X_test, y_test = iris
    scorer = EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=3),
        n_estimators=10,
        max_samples=0.5,
        random_state=0,
    )
    pruner = DifficultyPruner(
        scorer, amount=0.2, rank_by="heldout_consistency", per_class=True
    )
    pipeline = make_imblearn_pipeline(pruner, LogisticRegression(max_iter=500))
    pipeline.fit(X, y)
    fitted = pipeline[0]
    assert fitted.sample_indices_.size == 80
    assert np.bincount(y[fitted.sample_indices_]).tolist() == [
        n - round(0.2 * n) for n in np.bincount(y)
    ]
    assert pipeline.score(X_test, y_test) > 0.8
    # the hardest are those the ensemble's held-out members got wrong most
    dropped = np.setdiff1d(np.arange(100), fitted.sample_indices_)
    assert (
        fitted.scores_[dropped].mean() < fitted.scores_[fitted.sample_indices_].mean()
    )


class CountingTree(ClassifierMixin, BaseEstimator):
    """A decision tree that counts its fits, to count ensemble fits."""

    fits = 0

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        type(self).fits += 1
        self.tree_ = DecisionTreeClassifier(max_depth=2, random_state=self.random_state)
        self.tree_.fit(X, y)
        self.classes_ = self.tree_.classes_
        return self

    def predict(self, X):
        return self.tree_.predict(X)


@pytest.mark.parametrize("memory", [None, "cache"])
def test_grid_search_with_memory_fits_the_scorer_once_per_training_set(
    iris, tmp_path, memory
):
    X, y, _, _ = iris
    scorer = EnsembleDifficulty(
        CountingTree(), n_estimators=2, max_samples=0.8, random_state=0
    )
    model = DifficultyFilter(
        LogisticRegression(max_iter=300),
        scorer=scorer,
        memory=None if memory is None else str(tmp_path / memory),
    )
    CountingTree.fits = 0
    search = GridSearchCV(model, {"estimator__C": [0.1, 1.0, 10.0]}, cv=2)
    search.fit(X, y)
    ensemble_fits = CountingTree.fits // 2
    # 3 candidates x 2 folds + the final refit, or 2 folds + the full set
    assert ensemble_fits == (7 if memory is None else 3)
    assert search.best_estimator_.sample_indices_.size == 90


def test_filter_fits_the_estimator_on_the_examples_kept():
    X = np.random.RandomState(0).rand(8, 2)
    labels = np.array(["cat", "dog"])[Y]
    model = DifficultyFilter(
        DecisionTreeClassifier(), scorer=hand_record(), amount=0.25, per_class=True
    )
    model.fit(X, labels)
    np.testing.assert_array_equal(model.sample_indices_, [0, 2, 3, 4, 6, 7])
    np.testing.assert_array_equal(
        model.predict(X[model.sample_indices_]), labels[model.sample_indices_]
    )
    np.testing.assert_array_equal(model.classes_, ["cat", "dog"])
    assert model.estimator_.tree_.n_node_samples[0] == 6


# experiments ------------------------------------------------------------------


def test_move_to_test_by_hand():
    X = np.arange(16).reshape(8, 2)
    X_test, y_test = np.array([[100, 101]]), np.array([1])
    for which, moved in [("easiest", [0, 4]), ("hardest", [1, 3])]:
        split = move_to_test(X, Y, X_test, y_test, SCORES, which=which, fraction=0.25)
        np.testing.assert_array_equal(split[4], moved)
        np.testing.assert_array_equal(split[2][1:], X[moved])
        np.testing.assert_array_equal(split[3], np.concatenate([y_test, Y[moved]]))
        assert split[0].shape == (6, 2) and split[1].size == 6
    random = move_to_test(X, Y, X_test, y_test, SCORES, which="random", random_state=0)
    assert random[4].size == 1
    with pytest.raises(ValueError, match="fraction"):
        move_to_test(X, Y, X_test, y_test, SCORES, fraction=1.5)
    with pytest.raises(ValueError, match="one value per training example"):
        move_to_test(X, Y, X_test, y_test, SCORES[:3])


def test_hard_dataset_removes_the_easiest_in_rounds(iris):
    X, y, _, _ = iris
    scorer = EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=2),
        n_estimators=3,
        max_samples=0.7,
        random_state=0,
    )
    result = hard_dataset(scorer, X, y, keep=0.8, step=0.05)
    assert result.indices.size == 80
    sizes = [r.size for r in result.removed]
    assert sizes[0] == 5 and max(sizes) <= 5 and sum(sizes) == 20  # 5% of what is left
    removed = np.concatenate(result.removed)
    assert np.intersect1d(removed, result.indices).size == 0
    assert np.union1d(removed, result.indices).size == 100
    first = EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=2),
        n_estimators=3,
        max_samples=0.7,
        random_state=0,
    ).fit(X, y)
    # the first round removed examples among the easiest of the whole set
    speed = first.learning_speed_
    assert speed[result.removed[0]].min() >= np.median(speed)
    with pytest.raises(ValueError, match="keep"):
        hard_dataset(scorer, X, y, keep=1.2)


def tiny_scorer():
    return EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=2),
        n_estimators=2,
        max_samples=0.8,
        random_state=0,
    )


@pytest.mark.timeout(30)
@pytest.mark.parametrize("per_class", [True, False])
def test_hard_dataset_refuses_to_keep_fewer_than_the_classes(per_class):
    # 40 examples of 4 classes: keep=0.05 asks for 2, but every class keeps
    # one (per class by construction; select_examples never empties a class)
    X, y = np.random.RandomState(0).rand(40, 2), np.repeat([0, 1, 2, 3], 10)
    message = (
        r"keep=0\.05 asks for 2 of the 40 examples.*each of the 4 classes.*"
        r"at least 4/40 \(0\.1\)"
    )
    with pytest.raises(ValueError, match=message):
        hard_dataset(tiny_scorer(), X, y, keep=0.05, per_class=per_class)
    if per_class:  # the fewest possible is allowed, and reached
        result = hard_dataset(tiny_scorer(), X, y, keep=0.1, step=0.2)
        np.testing.assert_array_equal(np.sort(y[result.indices]), [0, 1, 2, 3])


@pytest.mark.timeout(30)
def test_hard_dataset_stops_when_a_round_removes_nothing(monkeypatch):
    from sklearn_difficulty import experiments

    def keep_all(scores, y, n_remove):
        return np.arange(y.size)

    monkeypatch.setattr(experiments, "_remove_easiest_per_class", keep_all)
    X, y = np.random.RandomState(0).rand(40, 2), np.repeat([0, 1, 2, 3], 10)
    with pytest.raises(RuntimeError, match="round 1 removed no example"):
        hard_dataset(tiny_scorer(), X, y, keep=0.5)


def test_shuffle_and_flip_labels():
    y = np.repeat([0, 1, 2], 20)
    shuffled, changed = shuffle_labels(y, random_state=0)
    assert changed.all()
    np.testing.assert_array_equal(np.bincount(shuffled), [20, 20, 20])
    assert (shuffled != y).mean() > 0.5
    partly, changed = shuffle_labels(y, fraction=0.25, random_state=0)
    assert changed.sum() == 15
    np.testing.assert_array_equal(partly[~changed], y[~changed])
    noisy, flipped = flip_labels(y, fraction=0.1, random_state=0)
    assert flipped.sum() == 6
    np.testing.assert_array_equal(noisy != y, flipped)
    with pytest.raises(ValueError, match="fraction"):
        flip_labels(y, fraction=0)
    with pytest.raises(ValueError, match="2 classes"):
        flip_labels(np.zeros(5))
