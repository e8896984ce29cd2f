"""Comparing two records: matching, correlations, groups, single-stage learners."""

import numpy as np
import pytest
from scipy import stats

from sklearn_difficulty import PredictionRecord, consistency, learning_speed
from sklearn_difficulty.compare import (
    compare_records,
    group_accuracy,
    single_stage_agreement,
)

TARGETS = np.array([0, 1, 1, 0, 1, 0])


def record_of(predictions, targets=TARGETS):
    predictions = np.asarray(predictions, dtype=np.uint8)
    return PredictionRecord(
        predictions={"train": predictions},
        targets={"train": np.asarray(targets)},
        classes=np.array([0, 1]),
        stages=np.arange(1, predictions.shape[1] + 1),
    )


# 2 members x 3 stages and 2 members x 2 stages of the same 6 examples
SLOW = record_of(
    [
        [[1, 0, 0, 1, 0, 1], [0, 1, 0, 0, 0, 1], [0, 1, 1, 0, 1, 0]],
        [[1, 0, 0, 1, 0, 1], [0, 1, 0, 1, 0, 1], [0, 1, 1, 0, 1, 1]],
    ]
)
FAST = record_of(
    [
        [[0, 1, 0, 0, 0, 1], [0, 1, 1, 0, 1, 0]],
        [[0, 1, 0, 1, 0, 1], [0, 1, 1, 0, 1, 1]],
    ]
)


def test_stage_matching_by_accuracy_reports_unmatched_stages():
    # SLOW accuracies: 0/12, 5/12, 11/12; FAST: 5/12, 11/12
    comparison = compare_records(SLOW, FAST, names=("slow", "fast"))
    np.testing.assert_allclose(comparison.accuracy_a, [0, 5 / 12, 11 / 12])
    np.testing.assert_allclose(comparison.accuracy_b, [5 / 12, 11 / 12])
    assert comparison.pairs.tolist() == [[1, 0], [2, 1]]
    assert comparison.unmatched.tolist() == [0]
    loose = compare_records(SLOW, FAST, tolerance=0.5)
    assert loose.pairs.tolist() == [[0, 0], [1, 0], [2, 1]]


def test_no_stage_matching_is_reported_not_guessed():
    never = record_of([[[1, 0, 0, 1, 0, 1]], [[1, 0, 0, 1, 0, 1]]])  # accuracy 0
    comparison = compare_records(FAST, never)
    assert comparison.pairs.shape == (0, 2)
    assert comparison.unmatched.tolist() == [0, 1]
    with pytest.raises(ValueError, match="no stages of the two records match"):
        comparison.joint_histogram()


def test_correlations_of_learning_speed_match_scipy():
    comparison = compare_records(SLOW, FAST)
    speed_a = comparison.consistency_a.mean(axis=0)
    speed_b = comparison.consistency_b.mean(axis=0)
    np.testing.assert_allclose(comparison.learning_speed_a, speed_a)
    np.testing.assert_allclose(comparison.pearson, stats.pearsonr(speed_a, speed_b))
    np.testing.assert_allclose(comparison.spearman, stats.spearmanr(speed_a, speed_b))


def test_joint_histogram_by_hand():
    comparison = compare_records(SLOW, FAST)
    histogram, edges, edges_b = comparison.joint_histogram(0, bins=2)  # SLOW 2, FAST 1
    a = comparison.consistency_a[1]
    b = comparison.consistency_b[0]
    expected = np.zeros((2, 2))
    for x, y in zip(a, b, strict=True):
        expected[min(int(x * 2), 1), min(int(y * 2), 1)] += 1 / 6
    np.testing.assert_allclose(histogram, expected)
    np.testing.assert_allclose(edges, [0, 0.5, 1])
    np.testing.assert_allclose(edges_b, [0, 0.5, 1])
    assert histogram.sum() == pytest.approx(1)
    # by default, one bin per possible score: 0, 1/2, 1 with 2 members
    histogram, edges, _ = comparison.joint_histogram(0)
    np.testing.assert_allclose(edges, [-0.25, 0.25, 0.75, 1.25])
    for x, y in zip(a, b, strict=True):
        assert histogram[int(x * 2), int(y * 2)] > 0


def test_group_accuracy_by_hand():
    # FAST's learning speed orders the examples: groups of 2 examples each
    groups_speed = compare_records(FAST, FAST).learning_speed_a
    order = np.argsort(-groups_speed, kind="stable")
    accuracy = group_accuracy(SLOW, FAST)
    predictions, targets = SLOW.scored_set("train")
    for group, members in enumerate(np.array_split(order, 3)):
        expected = (predictions[:, :, members] == targets[members]).mean(axis=(0, 2))
        np.testing.assert_allclose(accuracy[group], expected)
    assert accuracy.shape == (3, 3)


def test_single_stage_agreement_by_hand():
    single = record_of([[[0, 1, 0, 0, 0, 0]], [[0, 1, 1, 0, 0, 1]]])
    # FAST at its last stage: consistency [1, 1, 1, 1, 1, .5] -> right where >= .5
    right, wrong = single_stage_agreement(single, FAST)
    single_consistency = np.array([1, 1, 0.5, 1, 0, 0.5])
    assert right == pytest.approx(single_consistency.mean())
    assert np.isnan(wrong)
    right, wrong = single_stage_agreement(single, FAST, threshold=1.0)
    assert right == pytest.approx(single_consistency[:5].mean())
    assert wrong == pytest.approx(0.5)
    with pytest.raises(ValueError, match="threshold"):
        single_stage_agreement(single, FAST, threshold=0)


def test_records_of_other_data_are_refused():
    other = record_of([[[0, 1, 1]]], targets=np.array([0, 1, 1]))
    with pytest.raises(ValueError, match="do not score the same data"):
        compare_records(SLOW, other)
    with pytest.raises(TypeError, match="PredictionRecord"):
        compare_records(SLOW, np.zeros(3))


def test_works_on_records_loaded_from_disk(tmp_path):
    SLOW.save(tmp_path / "slow.npz")
    FAST.save(tmp_path / "fast.npz")
    loaded = compare_records(
        PredictionRecord.load(tmp_path / "slow.npz"),
        PredictionRecord.load(tmp_path / "fast.npz"),
    )
    assert loaded.pairs.tolist() == compare_records(SLOW, FAST).pairs.tolist()


def test_a_stage_0_of_untrained_members_is_matched_like_any_stage():
    # SLOW's first stage relabelled as stage 0 (untrained members, accuracy 0).
    untrained = PredictionRecord(
        predictions=dict(SLOW.predictions),
        targets=dict(SLOW.targets),
        classes=SLOW.classes,
        stages=np.array([0, 1, 2]),
        stage_kind="epoch",
    )
    comparison = compare_records(untrained, FAST)
    assert comparison.pairs.tolist() == [[1, 0], [2, 1]]
    assert comparison.stages_a[comparison.unmatched].tolist() == [0]
    # learning speed leaves stage 0 out: the mean over epochs 1 and 2 only
    expected = consistency(untrained)[1:].mean(axis=0)
    np.testing.assert_allclose(comparison.learning_speed_a, expected)
    np.testing.assert_allclose(learning_speed(untrained), expected)
    assert not np.allclose(comparison.learning_speed_a, consistency(SLOW).mean(0))
