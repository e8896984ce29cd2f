"""Running members through a recorder: jobs, the per-member cache, failures.

:func:`run_members` splits the members that are not in the cache into groups
(one member each, the recorder's group size for a vectorised trainer, or
a few per task on a dask or Ray cluster), runs each group as one job on the
active joblib backend (:mod:`._engines`), stores every finished member in
the cache from inside its job, and yields one :class:`MemberOutcome` per
member, in member order. A cache entry that cannot be used, and a member
that cannot be cached, are told with a
:class:`~sklearn_difficulty.exceptions.MemberCacheWarning`, in the parent.

Results are written where they are made: with a cache (``memory``, or the
record folder's own), a job returns for each member it stored a small
receipt (its key, stages and their positions), and the parent reads the
member back from the folder when it assembles the record, one member at a
time (:func:`load_stored`). A job run again after its worker was lost reads
the members it had finished from the cache instead of training them again.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from ._cache import CacheEntryError, MemberCache
from ._engines import asks_for_gpu, group_size, run_jobs
from .exceptions import MemberCacheWarning, MemberFailedWarning
from .recorders import MemberPlan, MemberRecord, Recorder

__all__ = [
    "MemberOutcome",
    "MembersRun",
    "collect_members",
    "load_stored",
    "run_group",
    "run_members",
]


class MemberOutcome(NamedTuple):
    """One member's result: its record, or the error it failed with.

    ``cached`` says it came from the cache rather than from training;
    ``not_cached`` why a member that finished could not be stored there
    (None when it was, or needed not be). ``stored`` is the cache key of a
    member its job wrote to the cache and did not send back: ``record``
    then holds its stages and their positions only (no estimator, no
    predictions), and :func:`load_stored` reads the rest.
    """

    record: MemberRecord | None
    error: str | None
    cached: bool = False
    not_cached: str | None = None
    stored: str | None = None


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _receipt(record: MemberRecord) -> MemberRecord:
    """What a job sends back for a member it stored: stages and positions."""
    return MemberRecord(
        None, record.stages, [], None, steps=record.steps, epochs=record.epochs
    )


def _finished_before(cache, keys, seeds, recorder, estimator, plan) -> dict:
    """The group's members already in the cache: a job run again after its
    worker was lost, whose members that had finished are not trained again."""
    found: dict[int, MemberRecord] = {}
    if cache is None or keys is None:
        return found
    for index, (key, seed) in enumerate(zip(keys, seeds, strict=True)):
        if not cache.path(key).is_file():
            continue
        try:
            record = cache.load(key, int(seed), recorder, estimator, plan)
        except CacheEntryError:
            continue  # trained again; the parent has said why
        if record is not None:
            found[index] = record
    return found


def run_group(
    recorder: Recorder,
    estimator,
    plan: MemberPlan,
    seeds: Sequence[int],
    keys: Sequence[str] | None,
    cache: MemberCache | None,
    on_error: str,
    group: int = 0,
    receipts: bool = False,
) -> list[MemberOutcome]:
    """One job: train a group of members, cache each finished one.

    The recorder first places the estimator for this group (networks on
    ``device="cuda"`` spread their groups over the GPUs of the process). A
    failure of the whole group (out of memory, say) is a failure of each of
    its members. With ``on_error="raise"`` the first failure is raised.
    Members the cache already holds (this job ran before, on a worker that
    was lost) are read, not trained. With ``receipts``, a member stored in
    the cache is sent back as a receipt (see :class:`MemberOutcome`).
    """
    done = _finished_before(cache, keys, seeds, recorder, estimator, plan)
    todo = [index for index in range(len(seeds)) if index not in done]
    together = recorder.group_size(estimator, plan, max(len(todo), 1)) > 1
    outcomes: dict[int, MemberOutcome] = {}
    for index, record in done.items():
        outcomes[index] = (
            MemberOutcome(_receipt(record), None, True, stored=keys[index])
            if receipts and keys is not None
            else MemberOutcome(record, None, cached=True)
        )
    # members trained one by one are cached one by one, as each finishes
    for chunk in [todo] if together else [[index] for index in todo]:
        results = _train(recorder, estimator, plan, [seeds[i] for i in chunk], group)
        for index, result in zip(chunk, results, strict=True):
            if isinstance(result, BaseException):
                if on_error == "raise":
                    raise result
                outcomes[index] = MemberOutcome(None, _describe(result))
                continue
            note = None
            if cache is not None and keys is not None:
                note = cache.store(keys[index], seeds[index], recorder, result)
            outcomes[index] = (
                MemberOutcome(_receipt(result), None, stored=keys[index])
                if receipts and note is None and keys is not None
                else MemberOutcome(result, None, not_cached=note)
            )
    return [outcomes[index] for index in range(len(seeds))]


def _train(recorder: Recorder, estimator, plan: MemberPlan, seeds, group) -> list:
    """The recorder's results for ``seeds``; a failure of the whole call (out
    of memory, say) is the failure of each of its members."""
    try:
        placed = recorder.place(estimator, group)
        results = recorder.record(placed, plan, list(seeds))
    except Exception as error:
        return [error] * len(seeds)
    if len(results) != len(seeds):
        raise RuntimeError(
            f"the recorder {recorder.name!r} returned {len(results)} results "
            f"for {len(seeds)} members."
        )
    return results


def load_stored(
    cache: MemberCache,
    member: int,
    outcome: MemberOutcome,
    recorder: Recorder,
    estimator,
    plan: MemberPlan,
    seed: int,
) -> MemberRecord:
    """The whole record of a member its job stored in the cache.

    Raises
    ------
    RuntimeError
        When the entry is missing or cannot be read here: the job ran where
        the cache folder is not the one this process sees.
    """
    key = outcome.stored
    assert key is not None
    try:
        record = cache.load(key, int(seed), recorder, estimator, plan)
    except CacheEntryError as error:
        record, reason = None, str(error)
    else:
        reason = "it is not there"
    if record is None:
        raise RuntimeError(
            f"member {member} (seed {int(seed)}) was written by its worker to "
            f"{cache.path(key)}, which cannot be read here: {reason}. On a "
            "cluster, memory and record_folder must be a folder that the "
            "workers and this process share, under the same path."
        )
    return record


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
    receipts: bool = False,
    resume: str = "",
    tell_not_cached: bool = True,
) -> Iterator[MemberOutcome]:
    """Every member's outcome, in member order; cached members are not trained.

    ``on_done`` is called with the number of members finished so far, after
    the cached ones are loaded and after every job. With ``receipts`` (and a
    cache), members stored by their job come back as receipts. ``resume``
    ends the error raised when the engine gives up on members. Members the
    parent finds in the cache become receipts too, so that the parent never
    holds every member's predictions at once.
    """
    keys = cache.keys(recorder, estimator, plan, seeds) if cache else None
    found: dict[int, MemberRecord] = {}
    if cache is not None and keys is not None:
        found = _cached_members(cache, keys, recorder, estimator, plan, seeds)
    stored = {}
    if receipts and keys is not None:  # read whole again when assembled
        stored = {member: keys[member] for member in found}
        found = {member: _receipt(record) for member, record in found.items()}
    missing = [member for member in range(len(seeds)) if member not in found]
    size = max(1, int(recorder.group_size(estimator, plan, len(missing) or 1)))
    if size == 1:
        size = group_size(len(missing), n_jobs)
    groups = [missing[start : start + size] for start in range(0, len(missing), size)]
    jobs = run_jobs(
        run_group,
        (recorder, estimator, plan),
        [
            (
                [seeds[m] for m in group],
                None if keys is None else [keys[m] for m in group],
                cache,
                on_error,
                index,
                receipts and cache is not None,
            )
            for index, group in enumerate(groups)
        ],
        n_jobs=n_jobs,
        verbose=verbose,
        members=groups,
        resume=resume,
        gpu=asks_for_gpu(estimator),
    )
    done = len(found)
    on_done(done)
    fresh: dict[int, MemberOutcome] = {}
    next_member = 0
    told: set[str] = set()
    for group, outcomes in zip(groups, jobs, strict=True):
        fresh.update(zip(group, outcomes, strict=True))
        for outcome in outcomes:
            note = outcome.not_cached if tell_not_cached else None
            if note is not None and note not in told:
                told.add(note)  # once per reason
                warnings.warn(note, MemberCacheWarning, stacklevel=3)
        done += len(group)
        on_done(done)
        while next_member < len(seeds) and (
            next_member in found or next_member in fresh
        ):
            if next_member in found:
                yield MemberOutcome(
                    found[next_member],
                    None,
                    cached=True,
                    stored=stored.get(next_member),
                )
            else:
                yield fresh.pop(next_member)
            next_member += 1
    while next_member < len(seeds):  # cached members after the last job
        yield MemberOutcome(
            found[next_member], None, cached=True, stored=stored.get(next_member)
        )
        next_member += 1


def _cached_members(
    cache: MemberCache, keys, recorder: Recorder, estimator, plan: MemberPlan, seeds
) -> dict[int, MemberRecord]:
    """The members found in the cache; an entry that cannot be used is told."""
    found: dict[int, MemberRecord] = {}
    for member, (key, seed) in enumerate(zip(keys, seeds, strict=True)):
        try:
            record = cache.load(key, int(seed), recorder, estimator, plan)
        except CacheEntryError as error:
            warnings.warn(
                f"member {member} (seed {int(seed)}) is trained again: its cache "
                f"entry {cache.path(key)} is not used, since {error}.",
                MemberCacheWarning,
                stacklevel=4,
            )
            continue
        if record is not None:
            found[member] = record
    return found


class MembersRun(NamedTuple):
    """What :func:`collect_members` gives back: every finished member.

    ``records`` are in member order; a member its job stored in ``cache``
    is a receipt there (``stored[i]`` its key), read whole by :meth:`load`.
    ``transport`` says the cache is the record folder's own (no ``memory``
    was given): :meth:`discard` removes its entries once the record is
    assembled.
    """

    records: list
    seeds: list
    stored: list
    failed: list
    from_memory: int
    cache: MemberCache | None
    transport: bool

    def load(self, index: int, recorder, estimator, plan) -> MemberRecord:
        """Member ``index``'s whole record (read from the cache if stored)."""
        key = self.stored[index]
        if key is None:
            return self.records[index]
        assert self.cache is not None
        outcome = MemberOutcome(self.records[index], None, stored=key)
        return load_stored(
            self.cache, index, outcome, recorder, estimator, plan, self.seeds[index]
        )

    def discard(self) -> None:
        """Remove the record folder's own entries (never ``memory``'s)."""
        if not self.transport or self.cache is None:
            return
        for key in self.stored:
            if key is not None:
                self.cache.path(key).unlink(missing_ok=True)
        try:
            self.cache.folder.rmdir()
        except OSError:
            pass  # not empty: someone else's files, left alone


def collect_members(
    recorder: Recorder,
    estimator,
    plan: MemberPlan,
    seeds: Sequence[int],
    *,
    memory,
    record_folder,
    on_error: str,
    n_jobs: int | None,
    verbose: int,
    on_done: Callable[[int], None],
    min_members: int = 1,
) -> MembersRun:
    """Run every member (:func:`run_members`) and keep the finished ones.

    With ``memory``, or else with ``record_folder``, members are written
    where they are made and come back as receipts; the record folder's
    entries live in its ``sklearn_difficulty_members`` folder until the
    record is assembled (and let a killed fit resume meanwhile).
    A failed member (``on_error="drop"``) is dropped with a
    :class:`~sklearn_difficulty.exceptions.MemberFailedWarning`; fewer than
    ``min_members`` finished is an error.
    """
    cache = MemberCache.from_memory(memory)
    transport = cache is None and record_folder is not None
    if transport:
        cache = MemberCache(record_folder)
    if cache is None:
        resume = (
            "Give memory= a folder (shared by the workers and this process on "
            "a cluster) so that a fit again trains only the members missing."
        )
    else:
        resume = (
            f"The members that finished are in {cache.folder}: fit again with "
            "the same data and parameters to train only the members missing."
        )
    run = MembersRun([], [], [], [], 0, cache, transport)
    outcomes = run_members(
        recorder,
        estimator,
        plan,
        seeds,
        cache=cache,
        on_error=on_error,
        n_jobs=n_jobs,
        verbose=verbose,
        on_done=on_done,
        receipts=cache is not None,
        resume=resume,
        tell_not_cached=not transport,
    )
    from_memory = 0
    for member, outcome in enumerate(outcomes):  # in member order
        if outcome.error is None:
            run.records.append(outcome.record)
            run.seeds.append(seeds[member])
            run.stored.append(outcome.stored)
            from_memory += outcome.cached
        else:
            seed = int(seeds[member])
            run.failed.append({"member": member, "seed": seed, "error": outcome.error})
            warnings.warn(
                f"member {member} (seed {seed}) failed and is dropped: {outcome.error}",
                MemberFailedWarning,
                stacklevel=4,
            )
    if len(run.records) < min_members:
        raise ValueError(
            f"only {len(run.records)} of {len(seeds)} members finished, fewer than "
            f"min_members={min_members}; the failures: "
            + "; ".join(f["error"] for f in run.failed[:3])
        )
    return run._replace(from_memory=from_memory)
