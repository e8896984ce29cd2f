"""Where the members' jobs run: joblib's active backend, or Ray's tasks.

:func:`run_jobs` runs ``function(*shared, *job)`` for every job and yields
the results in job order, on whatever ``joblib.parallel_config`` chose:

- loky (the default), threading, or any backend that streams results
  (``return_as="generator"``), through :class:`joblib.Parallel`; any other
  (joblibspark's) through ``return_as="list"``;
- dask (``backend="dask"``), as futures of the backend's client: joblib's
  dask backend waits for ever on a task the scheduler gave up on;
- Ray (``ray.util.joblib.register_ray()``, then ``backend="ray"``), as Ray
  tasks: Ray's joblib backend is a pool of actors that cannot stream
  results, and a task whose worker dies is retried by Ray, where an actor's
  is lost.

Jobs run at most ``n_jobs`` at a time (None or -1: all the cluster's CPU
threads).

Members that ask for a GPU (a ``device`` parameter starting with "cuda")
reserve one: ``num_gpus=1`` per Ray task, and the dask resource ``GPU=1``
per task when the cluster's workers declare GPU resources (``dask worker
--resources GPU=1``). :func:`group_size` sizes groups of members so that a
cluster runs a few larger tasks rather than one per member.

An engine that gives up on a job (a worker killed more often than it
retries) raises :class:`~sklearn_difficulty.exceptions.MembersLostError`,
naming the members and saying how to resume.
"""

from __future__ import annotations

import ctypes
import math
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from sklearn.utils.parallel import Parallel, delayed

from .exceptions import MembersLostError

__all__ = [
    "LOST_WORKER_ERRORS",
    "active_backend",
    "asks_for_gpu",
    "group_size",
    "is_cluster",
    "lost_worker",
    "run_jobs",
]

#: The errors by which an engine says that it lost a worker and gave up on a
#: job (by class name, so that no engine needs to be installed to name them).
LOST_WORKER_ERRORS = frozenset(
    {
        "KilledWorker",  # dask: a task's workers died more than allowed-failures
        "TerminatedWorkerError",  # loky: a worker process died
        "BrokenProcessPool",  # concurrent.futures, multiprocessing
        "WorkerCrashedError",  # Ray: a task's worker died more than max_retries
        "RayActorError",
        "ActorDiedError",
        "NodeDiedError",
        "LocalRayletDiedError",
        "ObjectLostError",
        "OwnerDiedError",
    }
)

#: Ray retries a task whose worker died this many times (a member's own
#: exception is never retried).
RAY_MAX_RETRIES = 3


def lost_worker(error: BaseException) -> bool:
    """Whether ``error`` is an engine giving up on a lost worker."""
    return any(cls.__name__ in LOST_WORKER_ERRORS for cls in type(error).__mro__)


def active_backend():
    """The joblib backend that ``joblib.parallel_config`` makes active now."""
    from joblib.parallel import get_active_backend

    return get_active_backend()[0]


def _is_ray(backend) -> bool:
    return type(backend).__name__ == "RayBackend"


def _is_dask(backend) -> bool:
    return type(backend).__name__ == "DaskDistributedBackend"


def is_cluster(backend=None) -> bool:
    """Whether jobs go to a dask or Ray cluster (each task costs more there)."""
    backend = active_backend() if backend is None else backend
    return _is_ray(backend) or _is_dask(backend)


def asks_for_gpu(estimator) -> bool:
    """Whether a member asks for a GPU: a ``device`` parameter of "cuda..."."""
    get_params = getattr(estimator, "get_params", None)
    device = get_params(deep=False).get("device") if callable(get_params) else None
    return str(device).startswith("cuda")


def _workers(backend, n_jobs: int | None) -> int:
    """How many jobs the cluster runs at once (its CPU threads, or n_jobs)."""
    if n_jobs is not None and n_jobs > 0:
        return n_jobs
    if _is_ray(backend):
        import ray

        if not ray.is_initialized():
            ray.init()
        return max(1, int(ray.cluster_resources().get("CPU", 1)))
    return max(1, backend.effective_n_jobs(-1))


def group_size(n_members: int, n_jobs: int | None, backend=None) -> int:
    """Members per job for learners the recorder trains one by one.

    One each on this machine (loky's and threads' jobs cost little); on a
    dask or Ray cluster, about two jobs per worker, so that the scheduler's
    cost per task is paid a few times rather than once per member. A job
    whose worker is lost is run again, and it reads its members that had
    finished from ``memory`` rather than training them again.
    """
    backend = active_backend() if backend is None else backend
    if not is_cluster(backend) or n_members <= 1:
        return 1
    return max(1, math.ceil(n_members / (2 * _workers(backend, n_jobs))))


def run_jobs(
    function: Callable,
    shared: tuple,
    jobs: Sequence[tuple],
    *,
    n_jobs: int | None,
    verbose: int,
    members: Sequence[Sequence[int]],
    resume: str = "",
    gpu: bool = False,
) -> Iterator:
    """Each job's result, in job order, from the active joblib backend.

    ``members`` names the members of each job, for the error raised when
    the engine gives up on one (:class:`MembersLostError`, which ends with
    ``resume``: how to resume). ``shared``
    arguments (the data) are sent once where the engine allows it (Ray's
    object store).
    """
    backend = active_backend()
    if _is_ray(backend):
        results = _ray_jobs(function, shared, jobs, n_jobs=n_jobs, gpu=gpu)
    elif _is_dask(backend):
        results = _dask_jobs(backend, function, shared, jobs, n_jobs=n_jobs, gpu=gpu)
    else:
        results = _joblib_jobs(function, shared, jobs, n_jobs=n_jobs, verbose=verbose)
    done = 0
    try:
        for result in results:
            yield result
            done += 1
    except Exception as error:
        if not lost_worker(error):
            raise
        lost = sorted(member for job in members[done:] for member in job)
        raise MembersLostError(
            lost, f"{type(error).__name__}: {error}", resume
        ) from error


def _joblib_jobs(function, shared, jobs, *, n_jobs, verbose) -> Iterator:
    backend = active_backend()
    streams = getattr(backend, "supports_return_generator", True)
    yield from Parallel(
        n_jobs=n_jobs,
        verbose=max(verbose - 1, 0),
        return_as="generator" if streams else "list",
    )(delayed(function)(*shared, *job) for job in jobs)


def _call(function, *args):
    with _heap_for_large_arrays(), _dask_profiler_paused():
        return function(*args)


_paused_jobs = 0  # the jobs of this worker process running with it paused
_paused_lock = threading.Lock()


@contextmanager
def _dask_profiler_paused() -> Iterator[None]:
    """The dask worker's statistical profiler paused while a job runs.

    Every 10 ms (``distributed.worker.profile.interval``) it walks the stack
    of every thread of the worker, holding the GIL: members ran 15-20%
    slower than in loky's workers (one AdaBoost member alone: 0.38 s
    against 0.32 s; 0.33 s with it paused). It resumes when the worker's
    last such job ends; the dashboard's profile then shows no member. A
    no-op outside a dask worker, or with the profiler off.
    """
    global _paused_jobs
    try:
        from distributed import get_worker

        worker = get_worker()
        callback = worker.periodic_callbacks.get("profile")
    except (ImportError, ValueError, AttributeError):
        callback = None
    if callback is None:
        yield
        return
    with _paused_lock:
        _paused_jobs += 1
        if _paused_jobs == 1:
            worker.loop.add_callback(callback.stop)
    try:
        yield
    finally:
        with _paused_lock:
            _paused_jobs -= 1
            if _paused_jobs == 0:
                worker.loop.add_callback(callback.start)


#: glibc's mallopt parameter, and the largest threshold it allows (64-bit).
_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX = -3, 32 * 2**20


@contextmanager
def _heap_for_large_arrays() -> Iterator[None]:
    """Arrays up to 32 MiB from the heap while a job runs, in a dask worker.

    dask's nanny starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``,
    which also fixes glibc's threshold for serving an allocation by its own
    ``mmap`` at 128 KiB: every array above it is mapped, zeroed and unmapped
    again, and scikit-learn members ran 10-15% slower than in loky's workers
    (``benchmarks/bench_scale.py``). While a job runs the threshold is 32 MiB
    (what glibc's own adaptive threshold reaches), then 128 KiB again; the
    trim threshold, which returns freed memory, is left as dask set it.
    Nothing changes where the variable is not set or the C library is not
    glibc.
    """
    libc = None
    if "MALLOC_TRIM_THRESHOLD_" in os.environ and (
        "MALLOC_MMAP_THRESHOLD_" not in os.environ
    ):
        try:
            libc = ctypes.CDLL("libc.so.6")
            libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)
        except (OSError, AttributeError):
            libc = None
    try:
        yield
    finally:
        if libc is not None:
            libc.mallopt(_M_MMAP_THRESHOLD, 128 * 2**10)


def _in_order(submit, wait, cancel, n_jobs: int, limit: int) -> Iterator:
    """Each job's result in job order, at most ``limit`` jobs running at once.

    ``submit(index)`` starts a job and gives its handle; ``wait(handles)``
    gives ``(handle, result)`` pairs of finished jobs (raising what the
    engine raises); ``cancel(handles)`` stops the jobs left when the caller
    stops (an error, or a generator closed).
    """
    pending: dict = {}  # the running jobs' handles, to their index
    results: dict[int, object] = {}  # finished jobs not yet given back
    submitted = 0

    def fill():
        nonlocal submitted
        while submitted < n_jobs and len(pending) < limit:
            pending[submit(submitted)] = submitted
            submitted += 1

    try:
        for index in range(n_jobs):
            fill()
            while index not in results:
                for handle, result in wait(list(pending)):
                    results[pending.pop(handle)] = result
                fill()
            yield results.pop(index)
    finally:
        if pending:
            cancel(list(pending))


def _dask_jobs(backend, function, shared, jobs, *, n_jobs, gpu) -> Iterator:
    """Dask futures on the client of the active joblib backend.

    Submitted on the client directly rather than through joblib's dask
    backend, which never returns when the scheduler gives up on a task
    (``KilledWorker``). The shared arguments travel with each task rather
    than being scattered once: scattered data dies with the worker that
    holds it, and takes every task that needs it along (the groups are few,
    see :func:`group_size`). The backend's own ``submit`` arguments
    (``resources=...``) are kept.
    """
    from distributed import wait as dask_wait

    client = backend.client
    options = dict(backend.submit_kwargs)
    if gpu and "resources" not in options and _declares_gpus(client):
        options["resources"] = {"GPU": 1}
    prefix = f"sklearn-difficulty-{uuid.uuid4().hex}"

    def submit(index):
        return client.submit(
            _call,
            function,
            *shared,
            *jobs[index],
            key=f"{prefix}-{index}",
            pure=False,
            **options,
        )

    def wait(futures):
        done, _ = dask_wait(futures, return_when="FIRST_COMPLETED")
        return [(future, future.result()) for future in done]

    yield from _in_order(
        submit, wait, client.cancel, len(jobs), _workers(backend, n_jobs)
    )


def _declares_gpus(client) -> bool:
    """Whether some dask worker declares a GPU resource: a task asking for a
    resource that no worker has would wait for ever."""
    workers = client.scheduler_info().get("workers", {})
    return any(w.get("resources", {}).get("GPU") for w in workers.values())


def _ray_jobs(function, shared, jobs, *, n_jobs, gpu) -> Iterator:
    """Ray tasks, at most ``n_jobs`` at once (None or -1: the cluster's CPUs)."""
    import ray

    if not ray.is_initialized():
        ray.init()
    task = ray.remote(_call).options(
        num_cpus=1,
        num_gpus=1 if gpu else 0,
        max_retries=RAY_MAX_RETRIES,
        retry_exceptions=False,
    )
    refs = [ray.put(value) for value in shared]  # sent once to the object store

    def submit(index):
        return task.remote(function, *refs, *jobs[index])

    def wait(handles):
        ready, _ = ray.wait(handles, num_returns=1)
        return [(ref, ray.get(ref)) for ref in ready]

    def cancel(handles):
        for ref in handles:
            ray.cancel(ref, force=True)

    yield from _in_order(
        submit, wait, cancel, len(jobs), _workers(active_backend(), n_jobs)
    )
