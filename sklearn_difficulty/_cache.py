"""The per-member cache: finished members on disk, one file each.

A member is stored as soon as its job finishes, so a run killed midway
resumes where it stopped (``EnsembleDifficulty(memory=...)``).
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
import tempfile
from pathlib import Path

import joblib
from joblib.hashing import NumpyHasher

from .recorders import MemberPlan, MemberRecord, Recorder

__all__ = ["CACHE_VERSION", "MemberCache"]

CACHE_VERSION = 3


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
        return self.folder / f"{key}.joblib"

    def load(self, key: str) -> MemberRecord | None:
        path = self.path(key)
        if not path.exists():
            return None
        try:
            return MemberRecord(*joblib.load(path))
        except Exception:  # an unreadable entry is trained again
            return None

    def store(self, key: str, record: MemberRecord) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        os.close(handle)
        try:
            joblib.dump(tuple(record), temporary)
            os.replace(temporary, self.path(key))
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)


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
