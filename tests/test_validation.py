"""The shared argument checks: one function each, the value first, clear messages."""

import numpy as np
import pytest

from sklearn_difficulty._validation import (
    check_choice,
    check_fraction,
    check_int,
    check_one_per_example,
    check_stage_indices,
)


@pytest.mark.parametrize(
    "value, closed, expected",
    [
        (0.5, "neither", 0.5),
        (np.float32(0.25), "neither", 0.25),
        (1, "right", 1.0),
        (0, "left", 0.0),
        (0, "both", 0.0),
        (1, "both", 1.0),
    ],
)
def test_check_fraction_takes_numbers_inside(value, closed, expected):
    result = check_fraction(value, "fraction", closed=closed)
    assert result == expected and type(result) is float


@pytest.mark.parametrize(
    "value, closed, interval",
    [
        (0, "neither", r"\(0, 1\)"),
        (1, "neither", r"\(0, 1\)"),
        (1, "left", r"\[0, 1\)"),
        (0, "right", r"\(0, 1\]"),
        (1.5, "both", r"\[0, 1\]"),
        (float("nan"), "both", r"\[0, 1\]"),
        ("0.5", "neither", r"\(0, 1\)"),
        (None, "neither", r"\(0, 1\)"),
    ],
)
def test_check_fraction_names_the_argument_and_its_interval(value, closed, interval):
    message = rf"keep must be a number in {interval}; got {value!r}\."
    with pytest.raises(ValueError, match=message):
        check_fraction(value, "keep", closed=closed)


@pytest.mark.parametrize("value", [0, 3, np.int64(2)])
def test_check_int_takes_integers_from_low_on(value):
    result = check_int(value, "n_splits", 0)
    assert result == value and type(result) is int


@pytest.mark.parametrize("value", [-1, 1.0, True, "2", None])
def test_check_int_refuses_others(value):
    message = rf"n_splits must be an integer >= 0; got {value!r}\."
    with pytest.raises(ValueError, match=message):
        check_int(value, "n_splits", 0)


def test_check_stage_indices_makes_them_non_negative():
    np.testing.assert_array_equal(check_stage_indices([0, -1, 2, -3], 3), [0, 2, 2, 0])
    assert int(check_stage_indices(-1, 4, name="stage")) == 3
    with pytest.raises(
        ValueError,
        match=r"stage indices must be in \[-3, 3\) for a record of 3 stages; "
        r"got stages=\[0, 3\]\.",
    ):
        check_stage_indices([0, 3], 3)
    with pytest.raises(ValueError, match=r"got stage=-4\."):
        check_stage_indices(-4, 3, name="stage")
    with pytest.raises(ValueError, match=r"got stages=\[\]"):
        check_stage_indices([], 3)


def test_check_one_per_example():
    values = check_one_per_example(np.array([1, 2], np.int8), 2, scored_set="test")
    assert values.dtype == np.float64
    with pytest.raises(
        ValueError,
        match=r"one number per example of 'test', an array of shape \(3,\); "
        r"got shape \(2,\)",
    ):
        check_one_per_example([1, 2], 3, scored_set="test")


def test_check_choice_names_every_choice():
    assert check_choice("val", "subset", ("train", "val")) == "val"
    with pytest.raises(ValueError, match="mode must be 'L', 'RGB' or 'F'; got 'X'"):
        check_choice("X", "mode", ("L", "RGB", "F"))
    with pytest.raises(ValueError, match="label must be 'fine'; got 'coarse'"):
        check_choice("coarse", "label", ("fine",))
