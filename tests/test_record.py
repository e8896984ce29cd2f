import numpy as np
import pytest

from sklearn_difficulty import PredictionRecord
from sklearn_difficulty.record import label_dtype

PRED = np.zeros((2, 3, 4), dtype=np.uint8)


def make(**changes):
    kwargs = dict(
        predictions={"train": PRED, "test": PRED[:, :, :2]},
        targets={"train": np.zeros(4, int), "test": np.zeros(2, int)},
        classes=np.array(["a", "b"]),
        stages=np.array([1, 2, 3]),
    )
    kwargs.update(changes)
    return PredictionRecord(**kwargs)


def test_properties():
    record = make(in_bag=np.ones((2, 4), bool), seeds=[1, 2])
    assert record.n_members == 2
    assert record.n_stages == 3
    assert record.n_classes == 2
    assert record.set_names == ("train", "test")
    predictions, targets = record.scored_set("test")
    assert predictions.shape == (2, 3, 2) and targets.shape == (2,)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"predictions": {}}, "non-empty mapping"),
        ({"targets": {"train": np.zeros(4, int)}}, "name the same scored sets"),
        ({"stages": np.array([1, 2])}, "3 stages but stages has 2"),
        (
            {"predictions": {"train": PRED, "test": np.zeros((3, 3, 2), int)}},
            "same numbers of members and stages",
        ),
        (
            {"predictions": {"train": PRED.astype(float), "test": PRED}},
            "must be an integer array",
        ),
        (
            {"targets": {"train": np.zeros(3, int), "test": np.zeros(2, int)}},
            "has 4 samples but",
        ),
        (
            {"predictions": {"train": PRED + 2, "test": PRED[:, :, :2]}},
            "outside",
        ),
        ({"in_bag": np.ones((2, 3), bool)}, "in_bag must have shape"),
        ({"seeds": [1, 2, 3]}, "seeds must have shape"),
        ({"classes": np.array([])}, "classes must be"),
    ],
)
def test_invalid_records_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        make(**changes)


def test_label_dtype_is_the_smallest_that_fits():
    assert label_dtype(2) == np.uint8
    assert label_dtype(256) == np.uint8
    assert label_dtype(257) == np.uint16
    assert label_dtype(70_000) == np.uint32
