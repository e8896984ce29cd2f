"""The scores against hand computations, and their invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_difficulty import (
    PredictionRecord,
    consensus,
    consistency,
    heldout_consistency,
    learning_speed,
    member_accuracy,
)
from sklearn_difficulty.scores import _predictions

# 4 members, 2 stages, 3 examples with true labels [0, 1, 2]
PREDICTIONS = np.array(
    [
        [[0, 0, 1], [0, 1, 2]],
        [[1, 0, 1], [0, 1, 2]],
        [[2, 0, 0], [0, 1, 1]],
        [[0, 2, 1], [0, 0, 2]],
    ]
)
Y = np.array([0, 1, 2])


def test_consistency_by_hand():
    expected = np.array([[2 / 4, 0 / 4, 0 / 4], [4 / 4, 3 / 4, 3 / 4]])
    np.testing.assert_allclose(consistency(PREDICTIONS, Y), expected)


def test_consensus_by_hand():
    # stage 1: labels (0,1,2,0) -> 2 agree; (0,0,0,2) -> 3; (1,1,0,1) -> 3
    # stage 2: (0,0,0,0) -> 4; (1,1,1,0) -> 3; (2,2,1,2) -> 3
    expected = np.array([[2 / 4, 3 / 4, 3 / 4], [4 / 4, 3 / 4, 3 / 4]])
    np.testing.assert_allclose(consensus(PREDICTIONS), expected)


def test_member_accuracy_by_hand():
    expected = np.array([[1 / 3, 1], [0, 1], [0, 2 / 3], [1 / 3, 2 / 3]])
    np.testing.assert_allclose(member_accuracy(PREDICTIONS, Y), expected)


def test_learning_speed_is_mean_consistency_over_stages():
    np.testing.assert_allclose(learning_speed(PREDICTIONS, Y), [0.75, 0.375, 0.375])


def test_two_dimensional_predictions_are_one_stage():
    one_stage = PREDICTIONS[:, 1, :]
    np.testing.assert_allclose(consistency(one_stage, Y), [1, 0.75, 0.75])
    np.testing.assert_allclose(consensus(one_stage), [1, 0.75, 0.75])
    np.testing.assert_allclose(member_accuracy(one_stage, Y), [1, 1, 2 / 3, 2 / 3])
    np.testing.assert_allclose(learning_speed(one_stage, Y), [1, 0.75, 0.75])


def test_string_labels_score_like_their_codes():
    names = np.array(["ant", "bee", "cow"])
    np.testing.assert_allclose(
        consistency(names[PREDICTIONS], names[Y]), consistency(PREDICTIONS, Y)
    )
    np.testing.assert_allclose(consensus(names[PREDICTIONS]), consensus(PREDICTIONS))


def test_large_or_negative_integer_labels_in_consensus():
    labels = np.array([-5, 10**9, 7])
    np.testing.assert_allclose(consensus(labels[PREDICTIONS]), consensus(PREDICTIONS))


def test_record_gives_the_same_scores_as_arrays():
    record = PredictionRecord(
        predictions={"train": PREDICTIONS, "test": PREDICTIONS[:, :, ::-1]},
        targets={"train": Y, "test": Y[::-1]},
        classes=np.array(["a", "b", "c"]),
        stages=np.array([1, 2]),
    )
    np.testing.assert_array_equal(consistency(record), consistency(PREDICTIONS, Y))
    np.testing.assert_array_equal(
        consistency(record, scored_set="test"), consistency(PREDICTIONS, Y)[:, ::-1]
    )
    np.testing.assert_array_equal(consensus(record), consensus(PREDICTIONS))
    np.testing.assert_array_equal(
        member_accuracy(record, scored_set="test"), member_accuracy(PREDICTIONS, Y)
    )
    with pytest.raises(ValueError, match="no scored set named 'valid'"):
        consistency(record, scored_set="valid")
    with pytest.raises(ValueError, match="y must be None"):
        consistency(record, Y)


def test_heldout_consistency_by_hand():
    in_bag = np.array(
        [
            [True, False, False],
            [False, True, True],
            [True, True, False],
            [True, True, True],
        ]
    )
    # example 0 is held out by member 1 only; example 1 by member 0;
    # example 2 by members 0 and 2.
    expected = np.array([[0 / 1, 0 / 1, 0 / 2], [1 / 1, 1 / 1, 1 / 2]])
    np.testing.assert_allclose(heldout_consistency(PREDICTIONS, Y, in_bag), expected)
    counts = in_bag.astype(int) * 3  # bootstrap counts work as well
    np.testing.assert_allclose(heldout_consistency(PREDICTIONS, Y, counts), expected)


def test_heldout_consistency_is_nan_where_no_member_held_out():
    in_bag = np.ones((4, 3), dtype=bool)
    in_bag[0, 1] = False
    result = heldout_consistency(PREDICTIONS, Y, in_bag)
    assert np.isnan(result[:, [0, 2]]).all()
    np.testing.assert_allclose(result[:, 1], [0, 1])


def test_heldout_consistency_on_a_record_needs_in_bag():
    record = PredictionRecord(
        predictions={"train": PREDICTIONS},
        targets={"train": Y},
        classes=np.arange(3),
        stages=np.array([1, 2]),
    )
    with pytest.raises(ValueError, match="no in_bag"):
        heldout_consistency(record)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: consistency(np.zeros((2, 2, 2, 2)), [0, 1]), "must have shape"),
        (lambda: consistency(PREDICTIONS, [0, 1]), "3 samples but y has 2"),
        (lambda: consistency(PREDICTIONS), "y is required"),
        (lambda: consistency(np.zeros((0, 3), dtype=int), Y), "no member"),
        (lambda: heldout_consistency(PREDICTIONS, Y), "in_bag is required"),
        (
            lambda: heldout_consistency(PREDICTIONS, Y, np.ones((4, 2), bool)),
            "in_bag must have shape",
        ),
        (lambda: member_accuracy(np.zeros((2, 0), int), []), "no example"),
    ],
)
def test_bad_input_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_labels_of_different_kinds_are_refused():
    with pytest.raises(TypeError, match="can never be equal"):
        consistency(PREDICTIONS, np.array(["a", "b", "c"]))


def test_chunked_scores_equal_unchunked(monkeypatch):
    rng = np.random.RandomState(0)
    predictions = rng.randint(0, 5, size=(7, 3, 101))
    y = rng.randint(0, 5, size=101)
    in_bag = rng.rand(7, 101) < 0.5
    whole = [
        consistency(predictions, y),
        consensus(predictions),
        member_accuracy(predictions, y),
        heldout_consistency(predictions, y, in_bag),
    ]
    monkeypatch.setattr(_predictions, "CHUNK_ELEMENTS", 50)
    assert len(list(_predictions.chunks(101, 21))) > 10
    chunked = [
        consistency(predictions, y),
        consensus(predictions),
        member_accuracy(predictions, y),
        heldout_consistency(predictions, y, in_bag),
    ]
    for a, b in zip(whole, chunked, strict=True):
        np.testing.assert_array_equal(a, b)


def _naive_consensus(predictions):
    n_members, n_stages, n_samples = predictions.shape
    out = np.empty((n_stages, n_samples))
    for s in range(n_stages):
        for i in range(n_samples):
            _, counts = np.unique(predictions[:, s, i], return_counts=True)
            out[s, i] = counts.max() / n_members
    return out


records = st.tuples(
    st.integers(1, 6), st.integers(1, 3), st.integers(1, 8), st.integers(2, 5)
).flatmap(
    lambda shape: st.tuples(
        arrays(np.int64, shape[:3], elements=st.integers(0, shape[3] - 1)),
        arrays(np.int64, shape[2], elements=st.integers(0, shape[3] - 1)),
    )
)


@settings(max_examples=60, deadline=None)
@given(records)
def test_score_bounds(record):
    predictions, y = record
    n_members = predictions.shape[0]
    c = consistency(predictions, y)
    s = consensus(predictions)
    assert ((c >= 0) & (c <= 1)).all()
    assert (c <= s + 1e-12).all()
    assert (s <= 1).all()
    assert (s >= 1 / n_members - 1e-12).all()
    np.testing.assert_allclose(s, _naive_consensus(predictions))
    np.testing.assert_allclose(
        member_accuracy(predictions, y).mean(axis=0), c.mean(axis=1)
    )
