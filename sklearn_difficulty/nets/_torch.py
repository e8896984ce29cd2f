"""torch plumbing shared by the networks: devices, seeding, layout, DataLoaders.

- the device: :func:`resolve_device` (the CPU, with a warning, when CUDA is
  asked for and absent), :func:`uses_cuda`, and the GPU of each job
  (:func:`spread_over_gpus`, :func:`placed_on_gpu`);
- the random streams: torch's global generators seeded with a member's own
  stream inside a fork that gives the caller's back
  (:func:`seeded_generators`, :func:`torch_member_session`), left as they
  were by a pass that must not touch them (:func:`generators_untouched`),
  and a net's own streams across its ``fit`` and ``partial_fit`` calls
  (:class:`TorchStreams`);
- the layout of images: :func:`images_to_nchw`, and :func:`nchw_shape` for the
  shape alone (sizing a group without touching the data); a layer replaced
  in a module (:func:`replace_submodule`);
- mixed precision: :func:`autocast_dtype`, :func:`autocast`;
- DataLoader settings: :func:`worker_context`, :func:`loader_settings` and,
  for a skorch net's parameters, :func:`loader_defaults`.

Nothing here imports skorch.
"""

from __future__ import annotations

import multiprocessing
import numbers
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils import check_random_state

from .._random import MemberStreams
from ..exceptions import DeviceWarning

__all__ = [
    "PRECISIONS",
    "TorchStreams",
    "autocast",
    "autocast_dtype",
    "generators_untouched",
    "images_to_nchw",
    "loader_defaults",
    "loader_settings",
    "nchw_shape",
    "placed_on_gpu",
    "replace_submodule",
    "resolve_device",
    "seed_torch",
    "seeded_generators",
    "spread_over_gpus",
    "torch_member_session",
    "uses_cuda",
    "worker_context",
]

# The device -------------------------------------------------------------------------


def resolve_device(device) -> str:
    """The device to run on: ``device``, or "cpu" with a warning when CUDA is absent.

    Examples
    --------
    >>> import warnings
    >>> import torch
    >>> from sklearn_difficulty.nets import resolve_device
    >>> resolve_device("cpu")
    'cpu'
    >>> with warnings.catch_warnings():  # a DeviceWarning without CUDA
    ...     warnings.simplefilter("ignore")
    ...     device = resolve_device("cuda")
    >>> device == ("cuda" if torch.cuda.is_available() else "cpu")
    True
    """
    name = str(device)
    if name.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(
            f"device={name!r} was asked for but CUDA is not available "
            f"(torch {torch.__version__}, built with CUDA "
            f"{torch.version.cuda or 'none'}); running on the CPU instead.",
            DeviceWarning,
            stacklevel=2,
        )
        return "cpu"
    return device


def uses_cuda(device) -> bool:
    """Whether ``device`` names a GPU that this process can use."""
    return str(device).startswith("cuda") and torch.cuda.is_available()


def spread_over_gpus(device, group: int):
    """The GPU of the ``group``-th job: ``cuda:{group % n_gpus}`` for "cuda".

    Only a plain "cuda" on a process that sees several GPUs is spread; a
    device with an index, the CPU, or a process that sees one GPU (a dask or
    ray worker that owns one) keep what they asked for. Members' results do
    not depend on which GPU of a kind trains them.

    Examples
    --------
    >>> from sklearn_difficulty.nets import spread_over_gpus
    >>> spread_over_gpus("cpu", 3), spread_over_gpus("cuda:1", 3)
    ('cpu', 'cuda:1')
    """
    if str(device) != "cuda" or not torch.cuda.is_available():
        return device
    count = torch.cuda.device_count()
    return f"cuda:{group % count}" if count > 1 else device


def placed_on_gpu(estimator, group: int):
    """A copy of ``estimator`` on the GPU of its group, if that changes it."""
    device = estimator.get_params(deep=False).get("device", "cpu")
    placed = spread_over_gpus(device, group)
    if placed == device:
        return estimator
    return clone(estimator).set_params(device=placed)


# Seeding ----------------------------------------------------------------------------


def seed_torch(seed: int, *, cuda: bool | int = False) -> None:
    """Seed torch's global generators: the CPU's, and CUDA's if ``cuda`` says so.

    ``cuda`` is False (the CPU's alone), True (every GPU's) or the index of
    one GPU. ``nn.init`` and ``nn.Dropout`` draw from these generators only.
    """
    torch.random.default_generator.manual_seed(seed)
    if cuda is True:
        torch.cuda.manual_seed_all(seed)
    elif cuda is not False:
        with torch.cuda.device(cuda):
            torch.cuda.manual_seed(seed)


def _forked_devices(cuda: bool | int) -> list[int] | None:
    """The GPUs whose generators ``torch.random.fork_rng`` forks (None: all)."""
    if cuda is True:
        return None
    return [] if cuda is False else [cuda]


@contextmanager
def seeded_generators(seed: int, *, cuda: bool | int = False) -> Iterator[None]:
    """torch's global generators seeded with ``seed``, the caller's given back after.

    The generators ``cuda`` names (see :func:`seed_torch`) are forked
    (``torch.random.fork_rng``), seeded, and restored on the way out: what
    is drawn inside comes from ``seed`` alone, and the user's own random
    streams are untouched.
    """
    with torch.random.fork_rng(devices=_forked_devices(cuda)):
        seed_torch(seed, cuda=cuda)
        yield


def _generator_device(device) -> bool | int:
    """The GPU whose generator ``device`` draws from (False: the CPU's alone)."""
    if device is None:  # skorch's device=None: the module stays where it is
        return False
    device = torch.device(device)
    if device.type != "cuda" or not torch.cuda.is_available():
        return False
    return torch.cuda.current_device() if device.index is None else device.index


@contextmanager
def generators_untouched(device) -> Iterator[None]:
    """torch's global generators given back on the way out exactly as they were.

    The CPU's generator, and the GPU's of ``device`` when it is one, are
    forked (``torch.random.fork_rng``): whatever runs inside may draw from
    them (a DataLoader without a generator of its own draws its base seed
    from the CPU's), and training afterwards draws what it would have drawn
    without it (its dropout masks, its batch order when it shares the
    generator).

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets._torch import generators_untouched
    >>> _ = torch.manual_seed(0)
    >>> expected = torch.rand(1)
    >>> _ = torch.manual_seed(0)
    >>> with generators_untouched("cpu"):
    ...     _ = torch.rand(3)  # drawn, and given back
    >>> torch.equal(torch.rand(1), expected)
    True
    """
    with torch.random.fork_rng(devices=_forked_devices(_generator_device(device))):
        yield


_member_lock = threading.Lock()


@contextmanager
def torch_member_session(seed: int, device) -> Iterator[None]:
    """Train one member alone in this process, on one CPU thread, from ``seed``.

    torch's random generator (weight initialisation, dropout) is global to a
    process: the member draws from it seeded with its own ``seed`` inside
    :func:`seeded_generators`, which gives the process its generators back
    afterwards (the user's own random streams are untouched). Members
    sharing a process (joblib's threading backend) take turns; members in
    separate processes (loky, the default, or dask) train in parallel, on
    CPUs or sharing a GPU. One CPU thread each: how many threads share a
    convolution changes the order of its sums, and with it the trained
    network, so members come out the same whether they are fitted one after
    another or in parallel.
    """
    with _member_lock, seeded_generators(seed, cuda=uses_cuda(device)):
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(threads)


class TorchStreams:
    """A net's own random streams, seeded from its ``random_state``.

    The streams of :class:`~sklearn_difficulty._random.MemberStreams`:
    weights ("init") and dropout masks ("dropout") are drawn from torch's
    global generators (the only ones ``nn.init`` and ``nn.Dropout`` use):
    :meth:`active` forks them (``torch.random.fork_rng``), puts this net's
    stream in, and on the way out keeps where the stream got to and gives
    the caller's state back; once the module is built,
    :meth:`start_dropout` reseeds the generator with the dropout stream.
    The batch order has a ``torch.Generator`` of its own, ``order``.
    """

    def __init__(self, random_state, device) -> None:
        if isinstance(random_state, numbers.Integral):
            entropy = int(random_state)
        else:  # a RandomState instance: a new draw at every fit
            entropy = int(check_random_state(random_state).randint(2**31 - 1))
        streams = MemberStreams.from_seed(entropy)
        self.order = torch.Generator().manual_seed(streams.order)
        self.init = streams.init
        self.dropout = streams.dropout
        self.states: tuple | None = None
        device = torch.device(device)
        self.cuda: bool | int = False
        if device.type == "cuda":
            index = device.index
            self.cuda = torch.cuda.current_device() if index is None else index

    def start_dropout(self) -> None:
        """From here on the generator serves dropout masks (inside :meth:`active`)."""
        seed_torch(self.dropout, cuda=self.cuda)

    @contextmanager
    def active(self) -> Iterator[None]:
        """torch's generators at this net's streams, the caller's given back after."""
        with torch.random.fork_rng(devices=_forked_devices(self.cuda)):
            if self.states is None:
                seed_torch(self.init, cuda=self.cuda)
            else:
                torch.set_rng_state(self.states[0])
                if self.cuda is not False:
                    torch.cuda.set_rng_state(self.states[1], self.cuda)
            try:
                yield
            finally:
                cuda = None
                if self.cuda is not False:
                    cuda = torch.cuda.get_rng_state(self.cuda)
                self.states = (torch.get_rng_state(), cuda)


# The layout of images ---------------------------------------------------------------

_CHANNEL_COUNTS = (1, 3, 4)


def _channels_of(shape: tuple[int, ...], channels: str) -> str:
    """Where the channel axis of images of ``shape`` (N, ., ., .) is: first or last."""
    if len(shape) != 4:
        hint = ""
        if len(shape) == 2:
            hint = (
                " Flattened images must be reshaped first, e.g. "
                "X.reshape(-1, 1, 8, 8) for the digits."
            )
        elif len(shape) == 3:
            hint = " Add the channel axis of grey images: X[:, np.newaxis]."
        raise ValueError(
            "images must be an array of shape (n_samples, channels, height, width) "
            f"or (n_samples, height, width, channels); got shape {shape}.{hint}"
        )
    if channels == "auto":
        first, last = shape[1] in _CHANNEL_COUNTS, shape[3] in _CHANNEL_COUNTS
        if not (first or last):
            raise ValueError(
                f"cannot tell the channel axis of images of shape {shape}: "
                "neither axis 1 nor axis 3 has 1, 3 or 4 channels. Set "
                "channels='first' or channels='last'."
            )
        return "first" if first else "last"
    if channels not in ("first", "last"):
        raise ValueError(
            f"channels must be 'auto', 'first' or 'last'; got {channels!r}."
        )
    return channels


def images_to_nchw(X, channels: str = "auto") -> np.ndarray:
    """Images as a float32 array of shape (n_samples, channels, height, width).

    Parameters
    ----------
    X : array-like of shape (n_samples, C, H, W) or (n_samples, H, W, C)
        The images.
    channels : {"auto", "first", "last"}, default="auto"
        Where the channel axis is. "auto" takes the axis of size 1, 3 or 4
        (the first one when both could be).

    Returns
    -------
    images : ndarray of shape (n_samples, C, H, W), dtype float32

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.nets import images_to_nchw
    >>> images_to_nchw(np.zeros((5, 32, 32, 3))).shape
    (5, 3, 32, 32)
    """
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()
    X = np.asarray(X)
    if X.ndim == 4 and X.dtype.kind not in "biuf":
        raise ValueError(f"images must be numbers; got an array of dtype {X.dtype}.")
    if _channels_of(X.shape, channels) == "last":
        X = X.transpose(0, 3, 1, 2)
    return np.ascontiguousarray(X, dtype=np.float32)


def nchw_shape(sample_shape, channels: str = "auto") -> tuple[int, ...]:
    """The shape (C, H, W) that one image of ``sample_shape`` has in NCHW layout.

    What :func:`images_to_nchw` makes of arrays of images of that shape,
    worked out from the shape alone (the same checks, the same errors).

    Examples
    --------
    >>> from sklearn_difficulty.nets._torch import nchw_shape
    >>> nchw_shape((32, 32, 3)), nchw_shape((1, 8, 8))
    ((3, 32, 32), (1, 8, 8))
    """
    shape = (1, *(int(size) for size in sample_shape))
    if _channels_of(shape, channels) == "last":
        return (shape[3], shape[1], shape[2])
    return shape[1:]


def replace_submodule(module: torch.nn.Module, path: str, layer) -> None:
    """Put ``layer`` in place of ``module``'s submodule at ``path`` ("features.3")."""
    parent_name, _, child = path.rpartition(".")
    parent = module.get_submodule(parent_name) if parent_name else module
    setattr(parent, child, layer)


# Mixed precision --------------------------------------------------------------------

PRECISIONS: dict[str, torch.dtype | None] = {
    "float32": None,  # no autocast
    "bfloat16": torch.bfloat16,
}
"""The ``precision`` a net takes, and the dtype of its autocast (None: none)."""


def autocast_dtype(precision) -> torch.dtype | None:
    """The dtype of ``torch.autocast`` for ``precision`` (None: no autocast)."""
    if not isinstance(precision, str) or precision not in PRECISIONS:
        raise ValueError(
            f"precision must be one of {sorted(PRECISIONS)}; got {precision!r}."
        )
    return PRECISIONS[precision]


def autocast(device_type: str, precision) -> torch.autocast:
    """``torch.autocast`` on ``device_type`` for ``precision`` (off for float32)."""
    dtype = autocast_dtype(precision)
    return torch.autocast(
        device_type=device_type,
        dtype=dtype or torch.bfloat16,
        enabled=dtype is not None,
    )


# DataLoader settings ----------------------------------------------------------------


def worker_context(num_workers: int):
    """The start method of DataLoader workers: "fork" where there is one.

    A member running in a joblib worker (loky) would otherwise start its
    DataLoader workers through loky's own context, which torch cannot use.
    """
    if num_workers and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return None


def loader_settings(num_workers: int, device) -> dict[str, Any]:
    """The DataLoader settings a member's data is read with on ``device``.

    With worker processes, the workers start by fork (see
    :func:`worker_context`); on a GPU, batches come from pinned memory.
    Workers are not made persistent: measured here, a persistent worker's
    batches left the member's memory growing with the data set
    (``benchmarks/bench_datasets.py``).
    """
    settings: dict[str, Any] = {}
    context = worker_context(num_workers)
    if context:
        settings["multiprocessing_context"] = context
    if uses_cuda(device):
        settings["pin_memory"] = True
    return settings


def loader_defaults(params: dict, kind: str, device) -> dict[str, Any]:
    """The :func:`loader_settings` of a skorch net's ``kind`` iterator it lacks.

    ``params`` are the net's parameters; ``kind`` is "iterator_train" or
    "iterator_valid". Worker processes are ``{kind}__num_workers`` (0 by
    default, as in skorch); a setting the net has is kept.
    """
    workers = params.get(f"{kind}__num_workers", 0)
    return {
        f"{kind}__{key}": value
        for key, value in loader_settings(workers, device).items()
        if f"{kind}__{key}" not in params
    }
