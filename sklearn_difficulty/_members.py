"""Running members through a recorder: jobs, cache, failures, record assembly.

Every recorder (see :mod:`sklearn_difficulty.recorders`) goes through the
same steps here. :func:`run_members` splits the members that are not in the
cache into groups (one member each, or the recorder's group size for a
vectorised trainer), runs each group as one joblib job (any backend), stores
every finished member in the cache from inside its job, and yields one
:class:`MemberOutcome` per member, in member order. :func:`build_record` puts
the members' records on one stage grid, in the smallest dtype.
"""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import joblib
import numpy as np
from joblib.hashing import NumpyHasher
from sklearn.utils.parallel import Parallel, delayed

from .record import PredictionRecord
from .recorders import MemberPlan, MemberRecord, Recorder

CACHE_VERSION = 3


class MemberOutcome(NamedTuple):
    """One member's result: its record, or the error it failed with."""

    record: MemberRecord | None
    error: str | None
    cached: bool = False


class MemberCache:
    """Finished members on disk, one file each, keyed by all that shapes them.

    The key of a member hashes the package's version, its recorder, the
    estimator (as the recorder identifies it: a vectorised trainer's group
    size is left out, since it changes nothing), the data and the plan, and
    the member's seed; the
    ensemble's size, ``n_jobs``, the backend and the progress settings are
    not in it. A file is written whole or not at all (written aside, then
    renamed), so a run killed while writing loses that member only.
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
        shared = _stable_hash(
            (
                CACHE_VERSION,
                _package_version(),
                recorder.name,
                recorder.cache_token(estimator),
                plan.X,
                plan.y,
                plan.fit_params,
                plan.scored,
                plan.names,
                plan.classes,
                str(plan.label_dtype),
                plan.n_epochs,
                plan.step,
                plan.n_draw,
                plan.bootstrap,
                plan.record_initial,
                plan.options,
                plan.outputs,
                str(plan.output_dtype),
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


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def run_group(
    recorder: Recorder,
    estimator,
    plan: MemberPlan,
    seeds: Sequence[int],
    keys: Sequence[str] | None,
    cache: MemberCache | None,
    on_error: str,
    group: int = 0,
) -> list[MemberOutcome]:
    """One job: train a group of members, cache each finished one.

    The recorder first places the estimator for this group (networks on
    ``device="cuda"`` spread their groups over the GPUs of the process). A
    failure of the whole group (out of memory, say) is a failure of each of
    its members. With ``on_error="raise"`` the first failure is raised.
    """
    try:
        estimator = recorder.place(estimator, group)
        results = recorder.record(estimator, plan, list(seeds))
    except Exception as error:
        if on_error == "raise":
            raise
        results = [error] * len(seeds)
    if len(results) != len(seeds):
        raise RuntimeError(
            f"the recorder {recorder.name!r} returned {len(results)} results for "
            f"{len(seeds)} members."
        )
    outcomes = []
    for index, result in enumerate(results):
        if isinstance(result, BaseException):
            if on_error == "raise":
                raise result
            outcomes.append(MemberOutcome(None, _describe(result)))
            continue
        if cache is not None and keys is not None:
            cache.store(keys[index], result)
        outcomes.append(MemberOutcome(result, None))
    return outcomes


def run_members(
    recorder: Recorder,
    estimator,
    plan: MemberPlan,
    seeds: Sequence[int],
    *,
    cache: MemberCache | None,
    on_error: str,
    n_jobs: int | None,
    verbose: int,
    on_done: Callable[[int], None] = lambda n: None,
) -> Iterator[MemberOutcome]:
    """Every member's outcome, in member order; cached members are not trained.

    ``on_done`` is called with the number of members finished so far, after
    the cached ones are loaded and after every job.
    """
    keys = cache.keys(recorder, estimator, plan, seeds) if cache else None
    found: dict[int, MemberRecord] = {}
    if cache is not None and keys is not None:
        for member, key in enumerate(keys):
            record = cache.load(key)
            if record is not None:
                found[member] = record
    missing = [member for member in range(len(seeds)) if member not in found]
    size = max(1, int(recorder.group_size(estimator, plan, len(missing) or 1)))
    groups = [missing[start : start + size] for start in range(0, len(missing), size)]
    jobs = Parallel(n_jobs=n_jobs, verbose=max(verbose - 1, 0), return_as="generator")(
        delayed(run_group)(
            recorder,
            estimator,
            plan,
            [seeds[m] for m in group],
            None if keys is None else [keys[m] for m in group],
            cache,
            on_error,
            index,
        )
        for index, group in enumerate(groups)
    )
    done = len(found)
    on_done(done)
    fresh: dict[int, MemberOutcome] = {}
    next_member = 0
    for group, outcomes in zip(groups, jobs, strict=True):
        fresh.update(zip(group, outcomes, strict=True))
        done += len(group)
        on_done(done)
        while next_member < len(seeds) and (
            next_member in found or next_member in fresh
        ):
            if next_member in found:
                yield MemberOutcome(found[next_member], None, cached=True)
            else:
                yield fresh.pop(next_member)
            next_member += 1
    while next_member < len(seeds):  # cached members after the last job
        yield MemberOutcome(found[next_member], None, cached=True)
        next_member += 1


# Record assembly ------------------------------------------------------------------


def align_stages(member_stages: Sequence[np.ndarray], step: int) -> np.ndarray:
    """The common stage grid of all members.

    Stage 0 when the members recorded it, every ``step``-th stage up to the
    last stage any member reached, and that last stage. Members that
    stopped early (early stopping, a perfect fit) predict at later stages
    what their final model predicts.
    """
    last = max(int(stages[-1]) for stages in member_stages)
    first = min(int(stages[0]) for stages in member_stages)
    grid = np.arange(step, last + 1, step)
    if grid.size == 0 or grid[-1] != last:
        grid = np.append(grid, last)
    if first == 0 and grid[0] != 0:
        grid = np.insert(grid, 0, 0)
    return grid


def stage_positions(stages: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Position in a member's ``stages`` of its prediction at each grid stage."""
    return np.searchsorted(stages, grid, side="right") - 1


def build_record(
    results: Sequence[MemberRecord],
    *,
    plan: MemberPlan,
    targets: Sequence[np.ndarray],
    classes: np.ndarray,
    stage_kind: str,
    subsets: bool,
    seeds: np.ndarray,
    folder=None,
) -> PredictionRecord:
    """Put the members' records on one stage grid, in the plan's label dtype.

    With ``folder``, the predictions are written into memory-mapped files
    there (the folder format of :meth:`PredictionRecord.save`) instead of
    memory, and the record reads them back memory-mapped.
    """
    stages = align_stages([result.stages for result in results], plan.step)
    n_members = len(results)
    shapes = {
        name: (n_members, stages.size, len(target))
        for name, target in zip(plan.names, targets, strict=True)
    }
    dtype = plan.label_dtype
    if folder is None:
        predictions = {
            name: np.empty(shape, dtype=dtype) for name, shape in shapes.items()
        }
        outputs = {
            kind: {
                name: np.empty(shape, dtype=plan.output_dtype)
                for name, shape in shapes.items()
            }
            for kind in plan.outputs
        }
    else:
        predictions = open_record_folder(folder, shapes, dtype)
        outputs = {
            kind: open_record_folder(
                folder, shapes, plan.output_dtype, prefix=f"outputs_{kind}"
            )
            for kind in plan.outputs
        }
    in_bag = np.zeros((n_members, len(targets[0])), dtype=bool)
    for member, result in enumerate(results):
        if result.stages[0] > stages[0]:
            raise ValueError(
                f"member {member} recorded no stage {stages[0]} while others did."
            )
        positions = stage_positions(result.stages, stages)
        for name, labels in zip(plan.names, result.predictions, strict=True):
            predictions[name][member] = labels[positions]
        for kind, per_set in outputs.items():
            for name, values in zip(plan.names, result.outputs[kind], strict=True):
                per_set[name][member] = values[positions]
        if subsets:
            in_bag[member, result.indices] = True
    record = PredictionRecord(
        predictions=predictions,
        targets=dict(zip(plan.names, targets, strict=True)),
        classes=classes,
        stages=stages,
        stage_kind=stage_kind,
        in_bag=in_bag if subsets else None,
        seeds=seeds,
        outputs=outputs,
    )
    if folder is None:
        return record
    for array in [
        *predictions.values(),
        *(a for per_set in outputs.values() for a in per_set.values()),
    ]:
        array.flush()  # type: ignore[attr-defined]  # a memmap
    record.save(folder)
    return PredictionRecord.load(folder, mmap_mode="r")


def open_record_folder(folder, shapes: dict, dtype, prefix="predictions") -> dict:
    """Memory-mapped .npy files, one per scored set, for a record being built."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        name: np.lib.format.open_memmap(
            folder / f"{prefix}_{index}.npy", mode="w+", dtype=dtype, shape=shape
        )
        for index, (name, shape) in enumerate(shapes.items())
    }
