"""Running members through a recorder: jobs, the per-member cache, failures.

:func:`run_members` splits the members that are not in the cache into groups
(one member each, or the recorder's group size for a vectorised trainer),
runs each group as one joblib job (any backend), stores every finished
member in the cache from inside its job, and yields one
:class:`MemberOutcome` per member, in member order. A cache entry that
cannot be used, and a member that cannot be cached, are told with a
:class:`~sklearn_difficulty.exceptions.MemberCacheWarning`, in the parent.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from sklearn.utils.parallel import Parallel, delayed

from ._cache import CacheEntryError, MemberCache
from .exceptions import MemberCacheWarning
from .recorders import MemberPlan, MemberRecord, Recorder

__all__ = ["MemberOutcome", "run_group", "run_members"]


class MemberOutcome(NamedTuple):
    """One member's result: its record, or the error it failed with.

    ``cached`` says it came from the cache; ``not_cached`` why a member that
    finished could not be stored there (None when it was, or needed not be).
    """

    record: MemberRecord | None
    error: str | None
    cached: bool = False
    not_cached: str | None = None


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
        note = None
        if cache is not None and keys is not None:
            note = cache.store(keys[index], seeds[index], recorder, result)
        outcomes.append(MemberOutcome(result, None, not_cached=note))
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
        found = _cached_members(cache, keys, recorder, estimator, plan, seeds)
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
    told: set[str] = set()
    for group, outcomes in zip(groups, jobs, strict=True):
        fresh.update(zip(group, outcomes, strict=True))
        for outcome in outcomes:
            if outcome.not_cached is not None and outcome.not_cached not in told:
                told.add(outcome.not_cached)  # once per reason
                warnings.warn(outcome.not_cached, MemberCacheWarning, stacklevel=3)
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
