"""Learning dynamics against hand computations and their edge cases."""

import numpy as np
import pytest
from scipy import stats

from sklearn_difficulty import PredictionRecord
from sklearn_difficulty.dynamics import (
    PHASES,
    bimodality,
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
