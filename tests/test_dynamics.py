"""Learning dynamics against hand computations and their edge cases."""

import numpy as np
import pytest
from scipy import stats

from sklearn_difficulty import PredictionRecord
from sklearn_difficulty.dynamics import (
    PHASES,
    bimodality,
    collapsed_stages,
    consistency_matrix,
    difficulty_groups,
    difficulty_ranking,
    easiest_examples,
    hardest_examples,
    learning_phases,
    learnt_at_least_as_fast,
    majority_label,
)


def record_of(predictions, targets, n_classes=2):
    predictions = np.asarray(predictions, dtype=np.uint8)
    return PredictionRecord(
        predictions={"train": predictions},
        targets={"train": np.asarray(targets)},
        classes=np.arange(n_classes),
        stages=np.arange(1, predictions.shape[1] + 1),
    )


def test_bimodality_by_hand_and_against_scipy():
    rng = np.random.RandomState(0)
    scores = rng.rand(3, 50)
    expected = (
        stats.kurtosis(scores, axis=1, fisher=False)
        - stats.skew(scores, axis=1) ** 2
        - 1
    )
    np.testing.assert_allclose(bimodality(scores), expected)
    # two values: Pearson's bound, 0; [0, .5, .5, 1]: kurtosis 2, skew 0 -> 1
    np.testing.assert_allclose(
        bimodality([[0, 1, 1, 1], [0, 0.5, 0.5, 1]]), [0, 1], atol=1e-12
    )


def test_bimodality_of_equal_scores_is_zero():
    np.testing.assert_array_equal(bimodality([[0.3] * 5, [1.0] * 5, [0.0] * 5]), 0)
    np.testing.assert_array_equal(bimodality([0.7]), [0])  # one example, one stage


def test_identical_members_are_at_the_bimodal_extreme():
    rng = np.random.RandomState(0)
    one = rng.randint(0, 3, size=(1, 4, 200))
    record = record_of(np.repeat(one, 10, axis=0), rng.randint(0, 3, 200), n_classes=3)
    np.testing.assert_allclose(bimodality(record), 0, atol=1e-12)


def test_members_that_err_independently_are_not_bimodal():
    rng = np.random.RandomState(0)
    n_members, n_samples = 60, 2000
    targets = rng.randint(0, 2, n_samples)
    right = rng.rand(n_members, 1, n_samples) < 0.6
    predictions = np.where(right, targets, 1 - targets)
    measure = bimodality(record_of(predictions, targets))
    assert measure[0] > 1.5  # a binomial bell: about 2, far from 0
    assert learning_phases(record_of(predictions, targets))[0] != "bi-modality"


def test_learning_phases_by_rule_and_thresholds():
    scores = np.array(
        [
            [0.1, 0.2, 0.3, 0.2, 0.1, 0.3, 0.2, 0.1],
            [0.1, 0.5, 0.6, 0.4, 0.3, 0.5, 0.6, 0.4],
            [0, 0, 1, 1, 1, 0, 1, 1],
            [1, 1, 1, 1, 1, 1, 1, 0.9],
        ]
    )
    phases = learning_phases(scores, n_classes=5)
    assert phases.tolist() == list(PHASES)
    # a stricter end of learning keeps the last stage bi-modal ... or beginning
    assert learning_phases(scores, n_classes=5, end_threshold=1.0)[3] != PHASES[3]
    # with chance at 0.5 the first stage is no initialisation
    assert learning_phases(scores, n_classes=2)[0] == PHASES[1]
    assert learning_phases(scores, n_classes=5, min_spread=0.6)[2] != PHASES[2]
    # phases keep their order: a spread-out stage after bi-modality stays there
    late = np.array([1, 1, 1, 1, 1, 1, 0.8, 0.7])  # mean .94, narrow
    ordered = learning_phases(np.vstack([scores[:3], late]), n_classes=5)
    assert ordered[3] == "bi-modality"
    loose = learning_phases(np.vstack([scores[:3], late]), n_classes=5, ordered=False)
    assert loose[3] == "beginning of learning"
    with pytest.raises(ValueError, match="n_classes is required"):
        learning_phases(scores)
    with pytest.raises(ValueError, match="min_spread"):
        learning_phases(scores, n_classes=5, min_spread=-1)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        bimodality([[0.2, 1.5]])


def chance_then_learning(first_stage, targets, n_classes, rng, accuracy=(0.5, 0.8)):
    """First stage as given; then members right at random at the given rates."""
    n_members = first_stage.shape[0]
    rate = np.asarray(accuracy)[:, np.newaxis]
    right = rng.rand(n_members, len(accuracy), targets.size) < rate
    wrong = (targets + rng.randint(1, n_classes, right.shape)) % n_classes
    later = np.where(right, targets, wrong)
    return np.concatenate([first_stage[:, np.newaxis], later], axis=1)


@pytest.mark.parametrize("classes", ["one for all", "one each"])
def test_untrained_members_predicting_one_class_are_initialization(classes):
    # stage 0: untrained members, each answering one class for every example
    rng = np.random.RandomState(0)
    n_members, n_classes = 10, 10
    targets = np.repeat(np.arange(n_classes), 20)
    constant = np.zeros(n_members) if classes == "one for all" else np.arange(10)
    first = np.repeat(constant[:, np.newaxis], targets.size, axis=1)
    predictions = chance_then_learning(first, targets, n_classes, rng)
    record = PredictionRecord(
        predictions={"train": predictions.astype(np.uint8)},
        targets={"train": targets},
        classes=np.arange(n_classes),
        stages=np.arange(3),  # stage 0: before any training
    )
    assert collapsed_stages(record).tolist() == [True, False, False]
    measure = bimodality(record)
    assert np.all(measure[1:] > 1.5)  # members that err independently: a bell
    expected = ["initialization", "beginning of learning", "beginning of learning"]
    assert learning_phases(record).tolist() == expected
    assert learning_phases(record, ordered=False).tolist() == expected


def test_a_collapsed_stage_is_never_bimodal():
    # every member predicts class 0: consistency 1 on class 0, 0 elsewhere,
    # the measure's bi-modal extreme, learnt from nothing but the class
    rng = np.random.RandomState(0)
    targets = np.repeat([0, 1, 1, 1], 50)  # off chance: 1/4 of class 0
    first = np.zeros((20, targets.size), int)
    learning = chance_then_learning(first, targets, 2, rng, (0.65, 0.8))
    record = record_of(learning, targets)
    assert bimodality(record)[0] == 0
    assert learning_phases(record).tolist() == ["beginning of learning"] * 3
    # a bare array of the same scores cannot show the collapse
    scores = learning_phases(consistency_matrix(record), n_classes=2, ordered=False)
    assert scores[0] == "bi-modality"


def test_members_that_cover_few_classes_have_collapsed():
    # 10 classes; each member predicts classes 0 and 1 right, and 0 for the
    # rest: the examples it can ever get right are 20% of the set
    targets = np.repeat(np.arange(10), 10)
    weak = np.where(targets < 2, targets, 0)
    five = np.where(targets < 5, targets, 0)  # covers half the examples
    six = np.where(targets < 6, targets, 0)
    predictions = np.stack([weak, five, six])[np.newaxis].repeat(4, axis=0)
    record = record_of(predictions, targets, n_classes=10)
    assert collapsed_stages(record).tolist() == [True, True, False]
    assert collapsed_stages(record, collapse_coverage=0).tolist() == [False] * 3
    phases = learning_phases(record, ordered=False)
    assert phases.tolist()[:2] == ["beginning of learning"] * 2
    assert phases[2] == "bi-modality"  # identical members, 60% right: bi-modal
    with pytest.raises(ValueError, match="collapse_coverage"):
        learning_phases(record, collapse_coverage=1)
    with pytest.raises(TypeError, match="predictions"):
        collapsed_stages(consistency_matrix(record))


def test_ordered_phases_follow_the_stages_not_one_bimodal_stage():
    chance = [0.1, 0.2, 0.3, 0.2, 0.1, 0.3, 0.2, 0.1]
    leaving = [0.1, 0.5, 0.6, 0.4, 0.3, 0.5, 0.6, 0.4]
    two_valued = [0, 0, 1, 1, 1, 0, 1, 1]
    bell = [0.3, 0.5, 0.6, 0.5, 0.4, 0.5, 0.7, 0.5]
    assert bimodality([bell])[0] > 1.5  # far above the threshold, 0.8
    begin, bimodal = "beginning of learning", "bi-modality"

    def phases(*stages):
        return learning_phases(np.array(stages), n_classes=5).tolist()

    # one bi-modal stage, then stages that are not: they are not bi-modal
    assert phases(chance, two_valued, bell, bell) == ["initialization"] + [begin] * 3
    # one against one: the earlier phase
    assert phases(chance, leaving, two_valued, bell)[3] == begin
    # outvoted: one bell among bi-modal stages is read as noise
    assert phases(chance, two_valued, two_valued, bell) == (
        ["initialization"] + [bimodal] * 3
    )
    assert phases(chance, two_valued, two_valued, bell, two_valued)[3] == bimodal
    assert learning_phases(
        np.array([chance, two_valued, bell, bell]), n_classes=5, ordered=False
    ).tolist() == ["initialization", bimodal, begin, begin]


def test_adaboost_demo_on_the_digits_is_not_bimodal_from_its_first_rounds():
    # the demo's AdaBoost run (cli.demo): depth-2 trees predict 4 of the 10
    # digits in the first rounds, all members alike, so the scores are
    # two-valued there; later rounds are bells (measure 1 to 2)
    from sklearn.ensemble import AdaBoostClassifier
    from sklearn.model_selection import train_test_split
    from sklearn.tree import DecisionTreeClassifier

    from sklearn_difficulty import EnsembleDifficulty
    from sklearn_difficulty.datasets import load_digits_images

    X, y = load_digits_images(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(
        X.reshape(len(X), -1), y, test_size=0.25, stratify=y, random_state=0
    )
    ensemble = EnsembleDifficulty(
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=40),
        n_estimators=10,
        max_samples=0.8,
        random_state=0,
    ).fit(X_train, y_train)
    measure = bimodality(ensemble)
    collapsed = collapsed_stages(ensemble)
    assert collapsed[0] and not collapsed[-1]  # 4 leaves: 4 digits, then 10
    assert measure[0] < 0.8 < np.median(measure)  # two-valued, then bells
    phases = learning_phases(ensemble)
    assert "bi-modality" not in phases[collapsed]
    assert "bi-modality" not in phases[measure > 0.8]
    assert phases.tolist() == ["beginning of learning"] * 40  # not bi-modal yet


def test_phases_of_a_record_use_its_classes():
    record = record_of([[[0, 1, 1, 0]], [[0, 1, 1, 0]]], [0, 1, 1, 0])
    assert learning_phases(record).tolist() == ["end of learning"]


def test_majority_label_by_hand_with_ties_to_the_smallest():
    predictions = np.array([[[2, 1, 0]], [[2, 0, 1]], [[1, 0, 2]], [[1, 2, 2]]])
    # example 0: 2,2,1,1 -> tie -> 1; example 1: 1,0,0,2 -> 0; example 2: 0,1,2,2 -> 2
    record = record_of(predictions, [0, 0, 0], n_classes=3)
    np.testing.assert_array_equal(majority_label(record), [[1, 0, 2]])
    names = np.array(["x", "y", "z"])
    np.testing.assert_array_equal(majority_label(names[predictions]), [["y", "x", "z"]])


def test_ranking_and_groups_by_hand():
    scores = [[0.9, 0.1, 0.5, 1.0, 0.0, 0.4], [1.0, 0.1, 0.5, 1.0, 0.0, 0.6]]
    # learning speed: 0.95, 0.1, 0.5, 1.0, 0.0, 0.5
    np.testing.assert_array_equal(difficulty_ranking(scores), [3, 0, 2, 5, 1, 4])
    np.testing.assert_array_equal(difficulty_groups(scores), [0, 2, 1, 0, 2, 1])
    np.testing.assert_array_equal(
        difficulty_groups(scores, n_groups=2), [0, 1, 0, 0, 1, 1]
    )
    with pytest.raises(ValueError, match="n_groups"):
        difficulty_groups(scores, n_groups=7)


def test_learnt_at_least_as_fast_by_hand():
    scores = np.array(
        [[0.2, 0.4, 0.3], [0.1, 0.5, 0.3], [0.8, 0.6, 0.3], [1.0, 0.9, 0.3]]
    )
    assert learnt_at_least_as_fast(scores, 0, 1) == 2  # from the third stage on
    assert learnt_at_least_as_fast(scores, 1, 0) == 4  # never, at the end
    assert learnt_at_least_as_fast(scores, 2, 2) == 0
    np.testing.assert_array_equal(
        learnt_at_least_as_fast(scores, [0, 0, 1], [1, 2, 2]), [2, 2, 0]
    )


def test_easiest_and_hardest_by_hand():
    scores = np.array(
        [[1.0, 0.5, 0.0, 0.2], [1.0, 1.0, 0.5, 0.0], [1.0, 1.0, 0.5, 0.0]]
    )
    indices, since = easiest_examples(scores)
    np.testing.assert_array_equal(indices, [0, 1])  # 0 trivially, 1 from stage 1
    np.testing.assert_array_equal(since, [0, 1])
    indices, since = hardest_examples(scores)
    np.testing.assert_array_equal(indices, [3])  # lowest from stage 1 on; 2 only once
    np.testing.assert_array_equal(since, [1])
    assert easiest_examples(scores, 1)[0].tolist() == [0]


def test_one_member_one_stage():
    record = record_of([[[0, 1, 1]]], [0, 1, 0])
    np.testing.assert_array_equal(bimodality(record), [0])
    np.testing.assert_array_equal(majority_label(record), [[0, 1, 1]])
    np.testing.assert_array_equal(difficulty_ranking(record), [0, 1, 2])
    assert learnt_at_least_as_fast(record, 2, 0) == 1


# What dynamics exported before it was split, each name with its new home.
DYNAMICS_NAMES = {
    "phases": ["PHASES", "bimodality", "collapsed_stages", "learning_phases"]
    + ["phase_stages"],
    "ranking": ["difficulty_groups", "difficulty_ranking", "easiest_examples"]
    + ["hardest_examples", "learnt_at_least_as_fast"],
    "histograms": ["ScoreHistograms", "score_edges", "score_histograms"],
    "scores": ["consistency_matrix", "majority_label"],
}


def test_the_dynamics_facade_keeps_every_name_importable():
    import importlib

    dynamics = importlib.import_module("sklearn_difficulty.dynamics")
    names = [name for group in DYNAMICS_NAMES.values() for name in group]
    assert len(names) == 15
    star: dict = {}
    exec("from sklearn_difficulty.dynamics import *", star)
    for home, group in DYNAMICS_NAMES.items():
        module = importlib.import_module(f"sklearn_difficulty.{home}")
        for name in group:
            assert name in module.__all__, (home, name)
            assert getattr(dynamics, name) is getattr(module, name), name
            assert star[name] is getattr(module, name), name


def test_majority_label_keeps_the_kind_of_labels_and_does_not_depend_on_chunks(
    monkeypatch,
):
    from sklearn_difficulty.scores import _predictions

    rng = np.random.RandomState(0)
    predictions = rng.randint(0, 4, size=(5, 3, 101)).astype(np.uint8)
    expected = np.array(
        [
            [
                np.bincount(predictions[:, s, i], minlength=4).argmax()
                for i in range(101)
            ]
            for s in range(3)
        ]
    )
    whole = majority_label(predictions)
    assert whole.dtype == np.uint8
    names = np.array(["w", "x", "y", "z"])
    by_name = majority_label(names[predictions])
    record = record_of(predictions, np.zeros(101, int), n_classes=4)
    monkeypatch.setattr(_predictions, "CHUNK_ELEMENTS", 40)
    assert len(list(_predictions.chunks(101, 15))) > 10
    for result, labels in [
        (whole, expected),
        (majority_label(predictions), expected),
        (by_name, names[expected]),
        (majority_label(names[predictions]), names[expected]),
        (majority_label(record), expected),
        (majority_label(predictions.astype(np.int64) - 1), expected - 1),
    ]:
        np.testing.assert_array_equal(result, labels)
    assert majority_label(record).dtype == np.intp
