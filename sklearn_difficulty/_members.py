"""Running members through a recorder: jobs, the per-member cache, failures.

:func:`run_members` splits the members that are not in the cache into groups
(one member each, or the recorder's group size for a vectorised trainer),
runs each group as one joblib job (any backend), stores every finished
member in the cache from inside its job, and yields one
:class:`MemberOutcome` per member, in member order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from sklearn.utils.parallel import Parallel, delayed

from ._cache import MemberCache
from .recorders import MemberPlan, MemberRecord, Recorder

__all__ = ["MemberOutcome", "run_group", "run_members"]


class MemberOutcome(NamedTuple):
    """One member's result: its record, or the error it failed with."""

    record: MemberRecord | None
    error: str | None
    cached: bool = False


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
