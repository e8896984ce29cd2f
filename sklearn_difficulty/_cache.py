"""The per-member cache: finished members on disk, one file each.

A member is stored as soon as its job finishes, so a run killed midway
resumes where it stopped (``EnsembleDifficulty(memory=...)``).

A cache folder may be shared, or come from someone else, so an entry is
never unpickled: it is one ``.npz`` file read with ``allow_pickle=False``,
its metadata a JSON string inside it, the fitted member the bytes its
recorder saved (:meth:`Recorder.save_member`, never a pickle). An entry
carries its own key and seed, and is checked against the plan when it is
read; one that does not match (a file copied over another member's), that
cannot be read (truncated, not an archive) or that holds pickled objects is
not used: its member is trained again, with a
:class:`~sklearn_difficulty.exceptions.MemberCacheWarning`.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import json
import os
from pathlib import Path

import numpy as np
from joblib.hashing import NumpyHasher

from ._files import replacing
from ._random import MemberStreams
from .recorders import MemberPlan, MemberRecord, Recorder
from .stages import check_positions

__all__ = ["CACHE_VERSION", "CacheEntryError", "MemberCache"]

#: 4: one ``.npz`` entry per member, pickle-free (3 and before: joblib pickles,
#: which are never read); 5: the positions of the stages (steps, epochs).
CACHE_VERSION = 5

FORMAT = "sklearn-difficulty member"


class CacheEntryError(ValueError):
    """Why a cache entry cannot be used: the member is trained again."""


class MemberCache:
    """Finished members on disk, one file each, keyed by all that shapes them.

    The key of a member hashes the package's version, its recorder, the
    estimator (as the recorder identifies it: a vectorised trainer's group
    size is left out, since it changes nothing), every field of the plan
    (the data, the evaluation sets, the recorder's options...), and the
    member's seed; the ensemble's size, ``n_jobs``, the backend and the
    progress settings are not in it. A file is written whole or not at all
    (written aside, then renamed), so a run killed while writing loses that
    member only.

    An entry is an ``.npz`` archive: ``metadata`` (JSON as UTF-8 bytes: the
    format, the cache version, the key, the seed and the recorder),
    ``stages``, ``predictions_<set>``, ``outputs_<kind>_<set>``, ``indices``
    (when the member trained on a subset), ``steps`` and ``epochs`` (where
    the recorder counts them) and ``member`` (the bytes of
    :meth:`Recorder.save_member`).
    """

    def __init__(self, location):
        self.folder = Path(location) / "sklearn_difficulty_members"

    @classmethod
    def from_memory(cls, memory) -> MemberCache | None:
        """The cache of ``EnsembleDifficulty(memory=...)``; None for no cache."""
        if memory is None:
            return None
        if isinstance(memory, str | os.PathLike):
            return cls(os.fspath(memory))
        location = getattr(memory, "location", None)
        return None if location is None else cls(location)

    def keys(self, recorder: Recorder, estimator, plan: MemberPlan, seeds) -> list:
        """One key per seed: what the members of this plan are stored under."""
        shared = _stable_hash(
            (
                CACHE_VERSION,
                _package_version(),
                recorder.name,
                recorder.cache_token(estimator),
                # every field of the plan, so that none can be left out
                [getattr(plan, field.name) for field in dataclasses.fields(plan)],
            )
        )
        return [f"{shared}-{int(seed)}" for seed in seeds]

    def path(self, key: str) -> Path:
        """The entry of ``key`` (which need not exist)."""
        return self.folder / f"{key}.npz"

    def load(
        self, key: str, seed: int, recorder: Recorder, estimator, plan: MemberPlan
    ) -> MemberRecord | None:
        """The member cached under ``key``; None when there is none.

        Raises :class:`CacheEntryError` (saying why) for an entry that
        cannot be used; nothing in it is unpickled.
        """
        path = self.path(key)
        if not path.is_file():
            return None
        arrays = _read_entry(path)
        _check_metadata(arrays, key, seed, recorder)
        record = _member_arrays(arrays, plan, seed)
        try:
            member = recorder.load_member(
                estimator, plan, int(seed), arrays["member"].tobytes()
            )
        except Exception as error:
            raise CacheEntryError(
                f"its member cannot be loaded: {_describe(error)}"
            ) from None
        return record._replace(estimator=member)

    def store(
        self, key: str, seed: int, recorder: Recorder, record: MemberRecord
    ) -> str | None:
        """Write one finished member; None, or why it was not cached.

        A member whose recorder cannot save it (:meth:`Recorder.save_member`
        raises) is not cached; neither is any when the folder cannot be
        written. The reason is given back for the ensemble to tell the user.
        """
        try:
            member = recorder.save_member(record.estimator)
        except Exception as error:
            return (
                f"{type(record.estimator).__name__} members are not cached, since "
                f"they cannot be saved without pickling: {_describe(error)}"
            )
        metadata = {
            "format": FORMAT,
            "cache_version": CACHE_VERSION,
            "key": key,
            "seed": int(seed),
            "recorder": recorder.name,
        }
        arrays = {
            "metadata": _text_bytes(json.dumps(metadata)),
            "stages": np.asarray(record.stages),
            "member": np.frombuffer(bytes(member), dtype=np.uint8),
        }
        for index, predictions in enumerate(record.predictions):
            arrays[f"predictions_{index}"] = np.asarray(predictions)
        for kind, values in record.outputs.items():
            for index, value in enumerate(values):
                arrays[f"outputs_{kind}_{index}"] = np.asarray(value)
        if record.indices is not None:
            arrays["indices"] = np.asarray(record.indices)
        if record.steps is not None:
            arrays["steps"] = np.asarray(record.steps, dtype=np.int64)
            arrays["epochs"] = np.asarray(record.epochs, dtype=np.float64)
        try:
            self._write(key, arrays)
        except OSError as error:
            return f"the cache folder {self.folder} cannot be written: {error}"
        return None

    def _write(self, key: str, arrays: dict) -> None:
        """Written aside, then renamed: an entry is whole or absent."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with replacing(self.path(key)) as file:
            np.savez(file, allow_pickle=False, **arrays)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _text_bytes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _read_entry(path: Path) -> dict[str, np.ndarray]:
    """Every array of an entry, read without unpickling; else CacheEntryError."""
    try:
        with open(path, "rb") as file:
            head = file.read(4)
    except OSError as error:
        raise CacheEntryError(f"it cannot be read ({_describe(error)})") from None
    if head[:1] == b"\x80":
        raise CacheEntryError("it is a pickle, which is never loaded")
    if head != b"PK\x03\x04":
        raise CacheEntryError("it is not an .npz archive")
    arrays = {}
    try:
        with np.load(path, allow_pickle=False) as archive:
            for name in archive.files:
                arrays[name] = archive[name]
    except ValueError as error:
        if "pickle" in str(error):
            raise CacheEntryError(
                "it holds pickled objects, which are never loaded"
            ) from None
        raise CacheEntryError(f"it cannot be read ({_describe(error)})") from None
    except Exception as error:  # a truncated or damaged archive
        raise CacheEntryError(f"it cannot be read ({_describe(error)})") from None
    return arrays


def _check_metadata(arrays: dict, key: str, seed: int, recorder: Recorder) -> None:
    """The entry's own key, seed and recorder are those it is looked up under."""
    raw = arrays.get("metadata")
    if raw is None or raw.dtype != np.uint8 or raw.ndim != 1:
        raise CacheEntryError("it has no metadata")
    try:
        metadata = json.loads(raw.tobytes().decode("utf-8"))
    except ValueError:
        raise CacheEntryError("its metadata is not JSON") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise CacheEntryError("its metadata is not that of a member")
    expected = {
        "cache_version": CACHE_VERSION,
        "key": key,
        "seed": int(seed),
        "recorder": recorder.name,
    }
    for field, value in expected.items():
        if metadata.get(field) != value:
            raise CacheEntryError(
                f"it holds {field} {metadata.get(field)!r}, not {value!r} (an "
                "entry copied over another's?)"
            )


def _member_arrays(arrays: dict, plan: MemberPlan, seed: int) -> MemberRecord:
    """The entry's stages, predictions, outputs and indices, checked against the plan.

    Its estimator is left None (loaded by the recorder afterwards).
    """
    n_sets = len(plan.targets)
    names = {"metadata", "stages", "member"}
    names |= {f"predictions_{index}" for index in range(n_sets)}
    names |= {f"outputs_{k}_{index}" for k in plan.outputs for index in range(n_sets)}
    indices = plan.member_indices(MemberStreams.from_seed(seed))
    if indices is not None:
        names.add("indices")
    if "steps" in arrays:  # the stages' positions, where the recorder counts them
        names |= {"steps", "epochs"}
    if set(arrays) != names:
        raise CacheEntryError(
            f"it holds the arrays {sorted(arrays)}, not those of this fit "
            f"{sorted(names)}"
        )
    stages = arrays["stages"]
    if (
        stages.ndim != 1
        or stages.dtype.kind not in "iu"
        or len(stages) == 0
        or (len(stages) > 1 and bool((np.diff(stages) <= 0).any()))
        or int(stages[0]) < 0
    ):
        raise CacheEntryError("its stages are not increasing stage numbers")
    if arrays["member"].dtype != np.uint8 or arrays["member"].ndim != 1:
        raise CacheEntryError("its member is not a byte string")

    def checked(name: str, index: int, dtype: np.dtype) -> np.ndarray:
        values = arrays[name]
        shape = (len(stages), len(plan.targets[index]))
        if values.shape != shape or values.dtype != dtype:
            raise CacheEntryError(
                f"its {name} has shape {values.shape} and dtype {values.dtype}, "
                f"not {shape} and {dtype}"
            )
        return values

    predictions = [
        checked(f"predictions_{index}", index, plan.label_dtype)
        for index in range(n_sets)
    ]
    if any(bool((p >= len(plan.classes)).any()) for p in predictions):
        raise CacheEntryError("its predictions name classes this fit has not")
    outputs = {
        kind: [
            checked(f"outputs_{kind}_{index}", index, plan.output_dtype)
            for index in range(n_sets)
        ]
        for kind in plan.outputs
    }
    if indices is not None and not np.array_equal(arrays["indices"], indices):
        raise CacheEntryError("its training examples are not those of its seed")
    steps, epochs = _positions(arrays, len(stages))
    return MemberRecord(None, stages, predictions, indices, outputs, steps, epochs)


def _positions(arrays: dict, n_stages: int):
    """The entry's steps and epochs (or None, None), checked."""
    if "steps" not in arrays:
        return None, None
    try:
        return tuple(
            check_positions(name, arrays[name], n_stages)
            for name in ("steps", "epochs")
        )
    except ValueError:
        raise CacheEntryError(
            "its steps and epochs are not one non-decreasing position per stage"
        ) from None


class _Hasher(NumpyHasher):
    """joblib's hasher, with torch tensors hashed by their values.

    A tensor pickles with the identity of its storage, so two equal tensors
    (a ``TensorDataset`` made again) would never find their cached members.
    """

    def save(self, obj):
        if type(obj).__module__.split(".")[0] == "torch" and hasattr(obj, "numpy"):
            obj = ("torch.Tensor", str(obj.dtype), obj.detach().cpu().numpy())
        super().save(obj)


def _stable_hash(obj) -> str:
    return _Hasher(hash_name="md5").hash(obj)


def _package_version() -> str:
    """The installed version: members cached by another version train again."""
    try:
        return importlib.metadata.version("sklearn-difficulty")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "unknown"
