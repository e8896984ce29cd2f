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


def assert_records_equal(a, b):
    assert a.set_names == b.set_names
    for name in a.set_names:
        np.testing.assert_array_equal(a.predictions[name], b.predictions[name])
        assert a.predictions[name].dtype == b.predictions[name].dtype
        np.testing.assert_array_equal(a.targets[name], b.targets[name])
    np.testing.assert_array_equal(a.classes, b.classes)
    np.testing.assert_array_equal(a.stages, b.stages)
    assert a.stage_kind == b.stage_kind
    for field in ("in_bag", "seeds"):
        if getattr(a, field) is None:
            assert getattr(b, field) is None
        else:
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


@pytest.mark.parametrize(
    "classes",
    [
        np.array(["a", "b"]),
        np.array(["a", "b"], dtype=object),
        np.array([3, 9]),
        np.array([3, 9], dtype=object),
    ],
)
def test_save_and_load_round_trip(tmp_path, classes):
    rng = np.random.RandomState(0)
    record = make(
        predictions={
            "train": rng.randint(0, 2, (2, 3, 4)).astype(np.uint8),
            "my test": rng.randint(0, 2, (2, 3, 2)).astype(np.uint8),
        },
        targets={"train": np.array([0, 1, 1, 0]), "my test": np.array([1, 0])},
        classes=classes,
        stage_kind="round",
        in_bag=rng.rand(2, 4) < 0.5,
        seeds=[11, 12],
    )
    record.save(tmp_path / "run.npz")
    loaded = PredictionRecord.load(tmp_path / "run.npz")
    assert_records_equal(record, loaded)
    assert loaded.classes.dtype != object
    record.save(tmp_path / "folder")  # any other path: a folder of .npy files
    assert (tmp_path / "folder" / "metadata.json").is_file()
    assert_records_equal(record, PredictionRecord.load(tmp_path / "folder"))
    mapped = PredictionRecord.load(tmp_path / "folder", mmap_mode="r")
    assert_records_equal(record, mapped)
    assert isinstance(mapped.predictions["train"], np.memmap)


def test_fitted_record_round_trip_gives_the_same_scores(tmp_path):
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    from sklearn_difficulty import EnsembleDifficulty, consensus, heldout_consistency

    X, y = load_iris(return_X_y=True)
    ed = EnsembleDifficulty(
        DecisionTreeClassifier(), n_estimators=3, max_samples=0.5, random_state=0
    ).fit(
        X,
        np.array(["x", "y", "z"])[y],
        eval_set=[(X[::3], np.array(["x", "y", "z"])[y[::3]])],
    )
    ed.record_.save(tmp_path / "run.npz")
    loaded = PredictionRecord.load(tmp_path / "run.npz")
    np.testing.assert_array_equal(consensus(loaded), ed.consensus_)
    np.testing.assert_array_equal(heldout_consistency(loaded), ed.heldout_consistency_)


def test_load_refuses_pickles_and_strangers(tmp_path):
    np.savez(tmp_path / "pickled.npz", metadata=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="pickled objects"):
        PredictionRecord.load(tmp_path / "pickled.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="not a prediction record"):
        PredictionRecord.load(tmp_path / "other.npz")


def test_load_refuses_a_newer_format(tmp_path):
    make().save(tmp_path / "run.npz")
    with np.load(tmp_path / "run.npz") as data:
        arrays = dict(data)
    arrays["metadata"] = np.array(
        str(arrays["metadata"]).replace('"version": 3', '"version": 99')
    )
    np.savez(tmp_path / "future.npz", **arrays)
    with pytest.raises(ValueError, match="version 99"):
        PredictionRecord.load(tmp_path / "future.npz")


def test_classes_of_mixed_types_cannot_be_saved(tmp_path):
    record = make(classes=np.array(["a", 1], dtype=object))
    with pytest.raises(TypeError, match="mix labels"):
        record.save(tmp_path / "run.npz")
