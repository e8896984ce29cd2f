"""Running a run's members on a cluster: dask, Ray, or a joblib backend.

:func:`on_backend` is the context in which :func:`~.workflows.run` fits its
ensemble: it connects to a dask scheduler or a Ray cluster (or starts a
local one when no address is given), makes it joblib's backend, and
disconnects at the end. Members then go to the cluster's workers exactly
as with ``joblib.parallel_config`` in one's own code.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import joblib

__all__ = ["BACKENDS", "check_backend", "on_backend"]

#: The backends :func:`on_backend` knows; None is joblib's default (loky).
BACKENDS = ("loky", "threading", "multiprocessing", "dask", "ray")


def check_backend(backend: str | None, scheduler: str | None = None) -> None:
    """Raise a ValueError naming the problem with ``backend`` or ``scheduler``.

    Examples
    --------
    >>> from sklearn_difficulty.runs.clusters import check_backend
    >>> check_backend("dask", "tcp://127.0.0.1:8786")
    >>> check_backend("loky", "tcp://127.0.0.1:8786")
    Traceback (most recent call last):
    ...
    ValueError: an address ('tcp://127.0.0.1:8786') is for backend 'dask' or 'ray'; got backend 'loky'.
    """  # noqa: E501
    if backend is not None and backend not in BACKENDS:
        raise ValueError(
            f"backend must be one of {', '.join(BACKENDS)} (or None); got {backend!r}."
        )
    if scheduler is not None and backend not in ("dask", "ray"):
        raise ValueError(
            f"an address ({scheduler!r}) is for backend 'dask' or 'ray'; got "
            f"backend {backend!r}."
        )


@contextmanager
def on_backend(backend: str | None, scheduler: str | None = None) -> Iterator[None]:
    """Make ``backend`` joblib's backend for the duration of the block.

    Parameters
    ----------
    backend : {"loky", "threading", "multiprocessing", "dask", "ray"} or None
        None leaves joblib's backend as it is (loky unless the caller chose
        another).
    scheduler : str, default=None
        The cluster's address: a dask scheduler's ("tcp://host:8786"), or a
        Ray cluster's ("ray://host:10001", "host:6379" or "auto"). None
        starts a local cluster for "dask" and "ray"; other backends take no
        address.

    Raises
    ------
    ValueError
        For an unknown backend, or an address given to a backend that
        takes none.
    ImportError
        When dask or Ray is not installed, naming the extra to install.

    Examples
    --------
    >>> from sklearn_difficulty.runs.clusters import on_backend
    >>> with on_backend("threading"):
    ...     pass
    """
    check_backend(backend, scheduler)
    if backend == "dask":
        with _dask(scheduler):
            yield
    elif backend == "ray":
        with _ray(scheduler):
            yield
    elif backend is None:
        yield
    else:
        with joblib.parallel_config(backend=backend):
            yield


@contextmanager
def _dask(scheduler: str | None) -> Iterator[None]:
    try:
        from distributed import Client
    except ImportError as error:
        raise ImportError(
            'backend "dask" needs dask.distributed: pip install '
            '"sklearn-difficulty[dask]"'
        ) from error
    client = (
        Client(scheduler)
        if scheduler
        else Client(processes=True, dashboard_address=":0")
    )
    with client, joblib.parallel_config(backend="dask"):
        yield


@contextmanager
def _ray(address: str | None) -> Iterator[None]:
    try:
        import ray
        from ray.util.joblib import register_ray
    except ImportError as error:
        raise ImportError(
            'backend "ray" needs Ray: pip install "sklearn-difficulty[ray]"'
        ) from error
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    register_ray()
    try:
        with joblib.parallel_config(backend="ray"):
            yield
    finally:
        if started:
            ray.shutdown()
