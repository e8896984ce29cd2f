"""A record file or folder from someone else cannot run code, exhaust memory or crash.

Every broken or hostile record is one ValueError naming the file, never a
traceback of zipfile, numpy or json, and arrays the format does not name are
never read.
"""

import io
import json
import os
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_difficulty import PredictionRecord
from sklearn_difficulty.record import FORMAT_NAME

UNREADABLE = "is not a readable prediction record"


def small_record():
    rng = np.random.RandomState(0)
    predictions = {
        "train": rng.randint(0, 2, (2, 3, 4)).astype(np.uint8),
        "test": rng.randint(0, 2, (2, 3, 2)).astype(np.uint8),
    }
    return PredictionRecord(
        predictions=predictions,
        targets={"train": np.array([0, 1, 1, 0]), "test": np.array([1, 0])},
        classes=np.array(["a", "b"]),
        stages=np.array([1, 2, 3]),
        stage_kind="round",
        in_bag=rng.rand(2, 4) < 0.5,
        seeds=np.array([11, 12]),
        outputs={
            "proba": {
                n: rng.rand(*p.shape).astype(np.float32) for n, p in predictions.items()
            }
        },
    )


def arrays_of(path):
    """The arrays of a record we wrote ourselves (trusted: a test helper)."""
    with np.load(path) as data:
        return {key: data[key] for key in data.files}


def npy_bytes(array=None, *, shape=None, dtype=np.uint8, data=b""):
    """A .npy file's bytes: an array's, or a header declaring ``shape``, then data."""
    buffer = io.BytesIO()
    if array is not None:
        np.save(buffer, array, allow_pickle=True)
        return buffer.getvalue()
    header = {
        "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
        "fortran_order": False,
        "shape": shape,
    }
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + data


def write_npz(path, members):
    """An .npz archive of raw members (name without .npy -> bytes)."""
    with zipfile.ZipFile(path, "w") as archive:
        for key, content in members.items():
            archive.writestr(f"{key}.npy", content)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "record.npz"
    small_record().save(path)
    return path


def members_of(path, **changes):
    """The raw members of a saved record, some replaced (None removes one)."""
    members = {key: npy_bytes(value) for key, value in arrays_of(path).items()}
    members.update(changes)
    return {key: value for key, value in members.items() if value is not None}


def peak_bytes_of(function):
    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_oversized_extra_key_is_never_read(saved, tmp_path):
    # 3 GB declared, 10 bytes stored: reading it would allocate 3 GB first.
    huge = npy_bytes(shape=(3 * 10**9,), data=b"0123456789")
    write_npz(tmp_path / "big.npz", members_of(saved, huge=huge))
    record, peak = peak_bytes_of(lambda: PredictionRecord.load(tmp_path / "big.npz"))
    assert record.set_names == ("train", "test")
    assert peak < 10 * 2**20


def test_a_needed_array_declaring_a_huge_shape_is_refused_before_reading(
    saved, tmp_path
):
    huge = npy_bytes(shape=(2, 3, 10**9), data=b"\0" * 24)
    write_npz(tmp_path / "big.npz", members_of(saved, predictions_0=huge))

    def load():
        with pytest.raises(ValueError, match=r"predictions_0.*declares \(2, 3, 10+\)"):
            PredictionRecord.load(tmp_path / "big.npz")

    assert peak_bytes_of(load)[1] < 10 * 2**20


def test_an_array_whose_data_is_not_its_declared_size_is_refused(saved, tmp_path):
    # Declared (4,) int64 with 8 bytes missing, or 8 bytes too many.
    short = npy_bytes(np.array([0, 1, 1, 0]))[:-8]
    write_npz(tmp_path / "short.npz", members_of(saved, targets_0=short))
    with pytest.raises(ValueError, match="targets_0.*holds 24 bytes.*truncated"):
        PredictionRecord.load(tmp_path / "short.npz")
    long = npy_bytes(np.array([0, 1, 1, 0])) + b"\0" * 8
    write_npz(tmp_path / "long.npz", members_of(saved, targets_0=long))
    with pytest.raises(ValueError, match="targets_0.*holds 40 bytes"):
        PredictionRecord.load(tmp_path / "long.npz")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:100], id="cut-in-the-first-member"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"a,b\n1,2\n", id="not-a-zip"),
        pytest.param(lambda data: b"PK\x03\x04" + b"\0" * 40, id="zip-magic-only"),
    ],
)
def test_a_broken_record_file_is_one_clear_error(saved, content):
    saved.write_bytes(content(saved.read_bytes()))
    with pytest.raises(ValueError, match=f"record.npz.*{UNREADABLE}.*truncated"):
        PredictionRecord.load(saved)


@pytest.mark.parametrize("key", ["metadata", "predictions_0", "classes"])
def test_a_member_that_is_not_npy_is_one_clear_error(saved, tmp_path, key):
    write_npz(tmp_path / "bad.npz", members_of(saved, **{key: b"hello, world"}))
    with pytest.raises(ValueError, match=f"{key}.npy.*{UNREADABLE}.*not a .npy"):
        PredictionRecord.load(tmp_path / "bad.npz")


def with_metadata(saved, tmp_path, metadata):
    text = metadata if isinstance(metadata, str) else json.dumps(metadata)
    write_npz(tmp_path / "m.npz", members_of(saved, metadata=npy_bytes(np.array(text))))
    return tmp_path / "m.npz"


GOOD = {
    "format": FORMAT_NAME,
    "version": 2,
    "set_names": ["train", "test"],
    "stage_kind": "round",
    "outputs": ["proba"],
}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"set_names": ["train", "test", "unknown"]}, "'targets_2' is missing"),
        ({"set_names": []}, "'set_names' must be a non-empty list"),
        ({"set_names": ["train", "train"]}, "'set_names' must be .* distinct"),
        ({"set_names": "train"}, "'set_names' must be"),
        ({"set_names": [1, 2]}, "'set_names' must be"),
        ({"set_names": None}, "'set_names' must be"),
        ({"version": "2"}, "'version' must be an integer"),
        ({"version": True}, "'version' must be an integer"),
        ({"version": None}, "'version' must be an integer"),
        ({"version": 2.0}, "'version' must be an integer"),
        ({"stage_kind": 3}, "'stage_kind' must be a string"),
        ({"stage_kind": None}, "'stage_kind' must be a string"),
        ({"outputs": ["logit"]}, "'outputs' must be a list of distinct kinds"),
        ({"outputs": "proba"}, "'outputs' must be"),
        ({"outputs": ["proba", "proba"]}, "'outputs' must be"),
        ({"outputs": ["proba", "margin"]}, "'outputs_margin_0' is missing"),
    ],
)
def test_each_wrong_metadata_field_is_named(saved, tmp_path, changes, message):
    path = with_metadata(saved, tmp_path, {**GOOD, **changes})
    with pytest.raises(ValueError, match=f"m.npz.*{UNREADABLE}.*{message}"):
        PredictionRecord.load(path)


@pytest.mark.parametrize(
    "metadata, message",
    [
        (["train", "test"], "metadata must be a JSON object; got list"),
        ("not json {", "metadata is not JSON"),
        ("[" * 100_000, "metadata is not JSON"),
        (7, "metadata must be a JSON object; got int"),
    ],
)
def test_metadata_that_is_not_an_object_is_refused(saved, tmp_path, metadata, message):
    with pytest.raises(ValueError, match=f"{UNREADABLE}.*{message}"):
        PredictionRecord.load(with_metadata(saved, tmp_path, metadata))


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("predictions_0", lambda a: a.astype(float), "integers"),
        ("predictions_1", lambda a: a.astype(bool), "integers"),
        ("targets_0", lambda a: a.astype("U1"), "1-D integers"),
        ("outputs_proba_1", lambda a: a.astype(np.int32), "floating point"),
        ("in_bag", lambda a: a.astype(np.float64), "booleans"),
        ("seeds", lambda a: a.astype(np.float64), "integers"),
        ("stages", lambda a: a.astype("U2"), "1-D numbers"),
        ("classes", lambda a: np.zeros(2, complex), "1-D labels"),
        ("predictions_0", lambda a: a[:, :, :3], r"shape \('n', 3, 4\)"),
        ("predictions_1", lambda a: a[:1], r"shape \(2, 3, 2\)"),
        ("outputs_proba_0", lambda a: a[..., None], r"shape \(2, 3, 4\)"),
        ("seeds", lambda a: a[None], r"shape \(2,\)"),
        ("stages", lambda a: a[None], r"shape \('n',\)"),
    ],
)
def test_arrays_of_a_wrong_dtype_or_shape_are_refused_by_name(
    saved, tmp_path, key, value, message
):
    changed = value(arrays_of(saved)[key])
    write_npz(tmp_path / "w.npz", members_of(saved, **{key: npy_bytes(changed)}))
    with pytest.raises(ValueError, match=f"{UNREADABLE}: its array '{key}'.*{message}"):
        PredictionRecord.load(tmp_path / "w.npz")


@pytest.mark.parametrize("key", ["metadata", "classes", "seeds", "predictions_0"])
def test_pickled_objects_stay_refused(saved, tmp_path, key):
    pickled = npy_bytes(np.array([{"a": 1}, None], dtype=object))
    write_npz(tmp_path / "p.npz", members_of(saved, **{key: pickled}))
    with pytest.raises(ValueError, match="holds pickled objects"):
        PredictionRecord.load(tmp_path / "p.npz")


def test_unknown_keys_and_missing_optional_keys(saved, tmp_path):
    # Pickles under unknown names are never even opened.
    pickled = npy_bytes(np.array([{"a": 1}], dtype=object))
    write_npz(
        tmp_path / "x.npz", members_of(saved, mine=pickled, seeds=None, in_bag=None)
    )
    record = PredictionRecord.load(tmp_path / "x.npz")
    assert record.seeds is None and record.in_bag is None


def test_a_missing_record_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no prediction record at"):
        PredictionRecord.load(tmp_path / "nothing.npz")
    with pytest.raises(ValueError, match="mmap_mode must be one of"):
        PredictionRecord.load(tmp_path / "nothing.npz", mmap_mode="w+")


# The folder format: metadata.json and one .npy file per array.


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "record"
    small_record().save(path)
    return path


def test_a_symlink_out_of_the_folder_is_refused(folder, tmp_path):
    np.save(tmp_path / "elsewhere.npy", np.array(["x", "y"]))
    (folder / "classes.npy").unlink()
    (folder / "classes.npy").symlink_to(tmp_path / "elsewhere.npy")
    for mmap_mode in (None, "r"):
        with pytest.raises(ValueError, match="classes.npy.*symbolic link"):
            PredictionRecord.load(folder, mmap_mode=mmap_mode)


def test_a_symlinked_metadata_is_refused(folder, tmp_path):
    (tmp_path / "elsewhere.json").write_text((folder / "metadata.json").read_text())
    (folder / "metadata.json").unlink()
    (folder / "metadata.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(ValueError, match="metadata.json.*symbolic link"):
        PredictionRecord.load(folder)


@pytest.mark.timeout(20)
def test_a_fifo_is_refused_and_an_unknown_one_never_opened(folder):
    os.mkfifo(folder / "notes.npy")  # not a key of the format: never opened
    assert PredictionRecord.load(folder).set_names == ("train", "test")
    (folder / "predictions_1.npy").unlink()
    os.mkfifo(folder / "predictions_1.npy")
    with pytest.raises(ValueError, match="predictions_1.npy.*not a regular file"):
        PredictionRecord.load(folder)


@pytest.mark.parametrize("mmap_mode", [None, "r"])
def test_a_truncated_npy_in_a_folder_is_one_clear_error(folder, mmap_mode):
    data = (folder / "predictions_0.npy").read_bytes()
    (folder / "predictions_0.npy").write_bytes(data[:-5])
    with pytest.raises(ValueError, match=f"predictions_0.npy.*{UNREADABLE}.*truncated"):
        PredictionRecord.load(folder, mmap_mode=mmap_mode)
    (folder / "predictions_0.npy").write_bytes(data[:50])  # in the header
    with pytest.raises(ValueError, match=f"predictions_0.npy.*{UNREADABLE}.*truncated"):
        PredictionRecord.load(folder, mmap_mode=mmap_mode)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "metadata is not JSON"),
        (b"\xff\xfe\x00", "metadata is not UTF-8"),
        (b'{"format": "' + FORMAT_NAME.encode() + b'", "version": 2}', "'set_names'"),
        (b" " * (5 * 2**20), "metadata is too long"),
    ],
)
def test_a_broken_metadata_json_is_one_clear_error(folder, content, message):
    (folder / "metadata.json").write_bytes(content)
    with pytest.raises(ValueError, match=f"metadata.json.*{UNREADABLE}.*{message}"):
        PredictionRecord.load(folder)


def test_a_huge_extra_file_in_a_folder_is_never_read(folder):
    (folder / "huge.npy").write_bytes(npy_bytes(shape=(3 * 10**9,), data=b"0123"))
    record, peak = peak_bytes_of(lambda: PredictionRecord.load(folder))
    assert record.set_names == ("train", "test") and peak < 10 * 2**20


def test_saving_replaces_links_and_never_writes_through_them(folder, tmp_path):
    outside = tmp_path / "precious.npy"
    outside.write_bytes(b"mine")
    (folder / "classes.npy").unlink()
    (folder / "classes.npy").symlink_to(outside)
    (tmp_path / "run.npz").symlink_to(outside)
    record = small_record()
    record.save(folder)
    record.save(tmp_path / "run.npz")
    assert outside.read_bytes() == b"mine"
    assert not (folder / "classes.npy").is_symlink()
    np.testing.assert_array_equal(PredictionRecord.load(folder).classes, ["a", "b"])
    assert PredictionRecord.load(tmp_path / "run.npz").set_names == ("train", "test")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_memory_mapped_record_saves_into_its_own_folder(folder):
    mapped = PredictionRecord.load(folder, mmap_mode="r")
    mapped.save(folder)  # the mapped files are already in place
    again = PredictionRecord.load(folder, mmap_mode="r")
    np.testing.assert_array_equal(
        again.predictions["train"], small_record().predictions["train"]
    )
    assert isinstance(again.output("proba", "test"), np.memmap)


# Any mutation of a real record: a valid record, or ValueError, nothing else.

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 5)
    | st.floats(allow_nan=True)
    | st.text(max_size=6)
    | st.sampled_from(["train", "test", "proba", "margin", "logit", FORMAT_NAME]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = [
    "classes",
    "stages",
    "predictions_0",
    "predictions_1",
    "targets_0",
    "targets_1",
    "outputs_proba_0",
    "outputs_proba_1",
    "in_bag",
    "seeds",
]
DTYPES = ["int8", "uint8", "int64", "float16", "float64", "bool", "U2", "S2", "c8"]
RESHAPES = {
    "first-dropped": lambda a: a[1:],
    "new-axis": lambda a: a[None],
    "flattened": lambda a: a.ravel(),
    "fortran": np.asfortranarray,
    "transposed": lambda a: a.T,
    "empty": lambda a: a[:0],
}


def mutate_array(array, change):
    if change in RESHAPES:
        return RESHAPES[change](array)
    if change == "object":
        return array.astype(object)
    try:
        return array.astype(change)
    except ValueError:  # labels "a", "b" as numbers
        return np.zeros(array.shape, dtype=change)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    as_folder=st.booleans(),
    metadata_change=st.one_of(
        st.tuples(st.sampled_from([*GOOD, "other"]), JSON),
        st.tuples(st.just("delete"), st.sampled_from(list(GOOD))),
        st.tuples(st.just("whole"), JSON),
        st.just(None),
    ),
    array_changes=st.dictionaries(
        st.sampled_from(KEYS),
        st.sampled_from([*DTYPES, *RESHAPES, "object", "delete"]),
        max_size=3,
    ),
)
def test_any_mutated_record_loads_or_is_a_value_error(
    tmp_path_factory, as_folder, metadata_change, array_changes
):
    path = tmp_path_factory.mktemp("mutated") / ("record" if as_folder else "r.npz")
    record = small_record()
    record.save(path)
    arrays = dict(record_arrays(path, as_folder))
    metadata = dict(GOOD)
    if metadata_change is not None:
        what, value = metadata_change
        if what == "whole":
            metadata = value
        elif what == "delete":
            del metadata[value]
        else:
            metadata[what] = value
    for key, change in array_changes.items():
        if change == "delete":
            del arrays[key]
        else:
            arrays[key] = mutate_array(arrays[key], change)
    write_record_as(path, as_folder, json.dumps(metadata), arrays)
    try:
        loaded = PredictionRecord.load(path, mmap_mode="r" if as_folder else None)
    except ValueError:
        return
    assert isinstance(loaded, PredictionRecord)
    for index, name in enumerate(loaded.set_names):  # what was written, as written
        for kind in ("predictions", "targets"):
            written = arrays[f"{kind}_{index}"]
            got = getattr(loaded, kind)[name]
            assert got.dtype == written.dtype
            np.testing.assert_array_equal(got, written)


def record_arrays(path, as_folder):
    if not as_folder:
        return {k: v for k, v in arrays_of(path).items() if k != "metadata"}
    return {p.stem: np.load(p) for p in path.glob("*.npy")}


def write_record_as(path, as_folder, metadata, arrays):
    if not as_folder:
        path.unlink()
        np.savez(path, metadata=np.array(metadata), **arrays)
        return
    for file in path.iterdir():
        file.unlink()
    (path / "metadata.json").write_text(metadata)
    for key, array in arrays.items():
        np.save(path / f"{key}.npy", array, allow_pickle=True)


# record_folder: what EnsembleDifficulty finds already in the folder.


def fit_into(folder, *, seed=0, **kwargs):
    from sklearn.tree import DecisionTreeClassifier

    from sklearn_difficulty import EnsembleDifficulty

    rng = np.random.RandomState(seed)
    X = rng.rand(40, 3)
    y = (X[:, 0] + 0.3 * rng.rand(40) > 0.6).astype(int)
    return EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=2),
        n_estimators=3,
        max_samples=0.6,
        random_state=seed,
        record_folder=folder,
        **kwargs,
    ).fit(X, y)


def test_record_folder_never_writes_through_planted_links(tmp_path):
    folder = tmp_path / "record"
    folder.mkdir()
    names = ["predictions_0.npy", "outputs_proba_0.npy", "seeds.npy", "metadata.json"]
    for name in names:
        (tmp_path / f"precious-{name}").write_bytes(b"mine")
        (folder / name).symlink_to(tmp_path / f"precious-{name}")
    ed = fit_into(folder, record_outputs=["proba"])
    for name in names:
        assert (tmp_path / f"precious-{name}").read_bytes() == b"mine"
        assert not (folder / name).is_symlink()
    loaded = PredictionRecord.load(folder)
    np.testing.assert_array_equal(
        loaded.predictions["train"], ed.record_.predictions["train"]
    )


def test_record_folder_files_of_an_earlier_run_are_never_reused(tmp_path):
    folder = tmp_path / "record"
    folder.mkdir()
    # Someone else's files under the format's names: a pickle, a wrong shape.
    np.save(folder / "predictions_0.npy", np.array([{"a": 1}], dtype=object))
    np.save(folder / "outputs_proba_0.npy", np.ones((9, 9, 9), np.float64))
    (folder / "in_bag.npy").write_bytes(b"not an array")
    ed = fit_into(folder, record_outputs=["proba"])
    loaded = PredictionRecord.load(folder, mmap_mode="r")
    assert loaded.predictions["train"].shape == (3, 1, 40)
    assert loaded.output("proba").shape == (3, 1, 40)
    assert loaded.output("proba").dtype == ed.record_.output("proba").dtype
    np.testing.assert_array_equal(loaded.in_bag, ed.record_.in_bag)


def test_a_record_mapping_an_earlier_run_keeps_its_data(tmp_path):
    first = fit_into(tmp_path / "record", seed=0).record_
    assert isinstance(first.predictions["train"], np.memmap)
    kept = np.array(first.predictions["train"])
    second = fit_into(tmp_path / "record", seed=1).record_
    assert not np.array_equal(second.predictions["train"], kept)
    np.testing.assert_array_equal(first.predictions["train"], kept)


def test_a_record_folder_that_is_a_file_or_holds_a_folder_is_refused(tmp_path):
    (tmp_path / "file").write_text("mine")
    with pytest.raises(ValueError, match="record_folder .* is a file"):
        fit_into(tmp_path / "file")
    (tmp_path / "record" / "predictions_0.npy").mkdir(parents=True)
    with pytest.raises(ValueError, match="predictions_0.npy' exists and is not a file"):
        fit_into(tmp_path / "record")


def test_a_fit_killed_before_saving_leaves_no_earlier_metadata(tmp_path, monkeypatch):
    fit_into(tmp_path / "record")
    assert (tmp_path / "record" / "metadata.json").is_file()

    def killed(self, path):
        raise KeyboardInterrupt

    monkeypatch.setattr(PredictionRecord, "save", killed)
    with pytest.raises(KeyboardInterrupt):
        fit_into(tmp_path / "record", seed=1)
    with pytest.raises(ValueError, match="is not a prediction record"):
        PredictionRecord.load(tmp_path / "record")
