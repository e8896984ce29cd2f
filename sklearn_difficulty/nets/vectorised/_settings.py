"""Training settings and what they decide: each member's network, group sizes.

:class:`TrainingSettings` are an estimator's parameters with the recipe's
values for "auto", checked; :func:`build_network` builds one member from
them, :func:`chunk_size` and :func:`group_size` say how many members train
together. The trainer (:mod:`~sklearn_difficulty.nets.vectorised.trainer`)
exports them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import torch
from torch import nn

from ..._inputs import is_torch_dataset
from ...recorders import MemberPlan
from .._torch import autocast_dtype, nchw_shape, seeded_generators, uses_cuda
from ..modules import adapts_to_data, resolve_module
from ..recipes import resolve_setting

__all__ = [
    "TrainingSettings",
    "build_network",
    "chunk_size",
    "group_size",
    "image_shape",
    "steps_per_epoch",
]


@dataclass(frozen=True)
class TrainingSettings:
    """How members train: an estimator's parameters, "auto" resolved, checked.

    The fields are :class:`~sklearn_difficulty.nets.VectorisedCNN`'s
    parameters of the same names (see there); ``max_epochs``,
    ``batch_size``, ``optimizer``, ``lr``, ``lr_step`` and ``lr_decay`` hold
    the module's recipe's values where the parameter is "auto".

    Examples
    --------
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> from sklearn_difficulty.nets.vectorised.trainer import TrainingSettings
    >>> params = VectorisedCNN("mnist", lr=0.5).get_params()
    >>> settings = TrainingSettings.from_params(params)
    >>> settings.optimizer, settings.lr, settings.max_epochs  # the recipe's, but lr
    ('adadelta', 0.5, 12)
    >>> TrainingSettings.from_params({**params, "batch_size": 0})
    Traceback (most recent call last):
    ...
    ValueError: batch_size must be a positive integer; got 0.
    """

    module: Any
    module_kwargs: Mapping | None
    max_epochs: int
    batch_size: int
    optimizer: str
    lr: float
    momentum: float
    weight_decay: float
    lr_step: int | None
    lr_decay: float | None
    device: str
    precision: str
    channels_last: bool
    member_chunk: int | str | None
    channels: str | None
    num_workers: int
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    nesterov: bool = False
    decay_biases: bool = True
    sampler: Any = None

    @classmethod
    def from_params(cls, params: Mapping) -> TrainingSettings:
        """The settings of an estimator's ``get_params()``; a clear error if invalid."""
        module = params["module"]
        values = {
            field.name: resolve_setting(module, field.name, params[field.name])
            if field.name in _FROM_RECIPE
            else params[field.name]
            for field in fields(cls)
            if field.name in params
        }
        if values["optimizer"] not in ("sgd", "adam", "adadelta"):
            raise ValueError(
                "optimizer must be 'auto', 'sgd', 'adadelta' or 'adam'; got "
                f"{params['optimizer']!r}."
            )
        autocast_dtype(values["precision"])  # a known precision
        for name in ("max_epochs", "batch_size", "lr_step"):
            value = values[name]
            if name == "lr_step" and value is None:
                continue
            if not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
            values[name] = int(value)
        return cls(**values)


_FROM_RECIPE = frozenset(
    {"max_epochs", "batch_size", "optimizer", "lr", "lr_step", "lr_decay"}
)


# Networks and group sizes --------------------------------------------------------


def build_network(
    settings: TrainingSettings, shape, n_classes: int, *, seed: int = 0
) -> nn.Module:
    """One member's network, its initial weights drawn from ``seed`` alone.

    The paper's networks and torchvision's are built for images of ``shape``
    (C, H, W) and ``n_classes``. Batch norm keeps no running statistics: batch
    statistics in training and in the recording pass (running statistics
    are state outside the parameters, which vmap cannot update per member).
    torch's own generators are left as they were.

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> from sklearn_difficulty.nets.vectorised.trainer import build_network
    >>> settings = VectorisedCNN("mnist").training_settings()
    >>> net = build_network(settings, (1, 8, 8), 3, seed=0)
    >>> type(net).__name__, net(torch.zeros(2, 1, 8, 8)).shape
    ('MNISTNet', torch.Size([2, 3]))
    >>> again = build_network(settings, (1, 8, 8), 3, seed=0)  # the same weights
    >>> all(torch.equal(a, b) for a, b in zip(net.parameters(), again.parameters()))
    True
    """
    module = resolve_module(settings.module)
    if isinstance(module, nn.Module):
        raise TypeError(
            "VectorisedCNN needs a module class (or a name), to build each member "
            "with its own initial weights; got an instance."
        )
    kwargs = dict(settings.module_kwargs or {})
    if adapts_to_data(module):
        kwargs.setdefault("input_shape", shape)
        kwargs.setdefault("n_classes", n_classes)
    with seeded_generators(seed):
        built = module(**kwargs)
    torch.func.replace_all_batch_norm_modules_(built)
    return built


def image_shape(plan: MemberPlan, channels: str | None) -> tuple[int, ...]:
    """The shape (C, H, W) of one of the plan's images as the members take it.

    A Dataset's images are taken as they are; arrays of images are converted
    to NCHW (:func:`~sklearn_difficulty.nets.images_to_nchw` with
    ``channels``), so their sample shape may be channels-last.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.nets.vectorised.trainer import image_shape
    >>> from sklearn_difficulty.recorders import MemberPlan
    >>> X = np.zeros((4, 8, 8, 1))  # channels last
    >>> plan = MemberPlan(X, None, {}, (X,), ("train",), (), np.arange(2), (8, 8, 1))
    >>> image_shape(plan, "last"), image_shape(plan, None)
    ((1, 8, 8), (8, 8, 1))
    """
    if is_torch_dataset(plan.X) or channels is None:
        return tuple(int(size) for size in plan.sample_shape)
    return nchw_shape(plan.sample_shape, channels)


def chunk_size(
    settings: TrainingSettings, n_members: int, shape, n_classes: int, device
) -> int:
    """How many members train together: ``member_chunk``, or sized for the GPU.

    ``member_chunk`` None trains them all at once, as does "auto" off a GPU;
    "auto" on a GPU fits the groups to its free memory.

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> from sklearn_difficulty.nets.vectorised.trainer import chunk_size
    >>> cpu = torch.device("cpu")
    >>> for chunk in (None, 4, "auto"):  # "auto": all at once off a GPU
    ...     settings = VectorisedCNN("mnist", member_chunk=chunk).training_settings()
    ...     print(chunk, chunk_size(settings, 10, (1, 8, 8), 3, cpu))
    None 10
    4 4
    auto 10
    """
    chunk = settings.member_chunk
    if chunk is None or (chunk == "auto" and device.type != "cuda"):
        return n_members
    if chunk != "auto":
        if not isinstance(chunk, int | np.integer) or chunk < 1:
            raise ValueError(
                "member_chunk must be a positive integer, 'auto' or None; got "
                f"{chunk!r}."
            )
        return int(chunk)
    module = build_network(settings, shape, n_classes)
    parameters = sum(p.numel() for p in module.parameters()) * 4
    free, _ = torch.cuda.mem_get_info(device)
    # weights, gradients, two optimiser moments, and room for activations
    per_member = parameters * 8 + settings.batch_size * int(np.prod(shape)) * 4 * 64
    return max(1, min(n_members, int(0.8 * free // per_member)))


def group_size(settings: TrainingSettings, plan: MemberPlan, n_members: int) -> int:
    """How many members one job trains: :func:`chunk_size` on the plan's data.

    Worked out in the parent from the plan's sample shape, on the device a
    job will use (a job warns if CUDA is missing).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> from sklearn_difficulty.nets.vectorised.trainer import group_size
    >>> from sklearn_difficulty.recorders import MemberPlan
    >>> X = np.zeros((6, 1, 8, 8))
    >>> plan = MemberPlan(X, None, {}, (X,), ("train",), (), np.arange(3), (1, 8, 8))
    >>> settings = VectorisedCNN("mnist", member_chunk=4).training_settings()
    >>> group_size(settings, plan, 10)
    4
    """
    name = str(settings.device)
    device = torch.device(name if uses_cuda(name) else "cpu")
    return chunk_size(
        settings, n_members, image_shape(plan, settings.channels),
        len(plan.classes), device,
    )  # fmt: skip


def steps_per_epoch(n_rows: int, batch_size: int) -> int:
    """Optimiser steps in one epoch of ``n_rows`` training rows: one per batch.

    Examples
    --------
    >>> from sklearn_difficulty.nets.vectorised.trainer import steps_per_epoch
    >>> steps_per_epoch(120, 50)
    3
    """
    return -(-int(n_rows) // int(batch_size))
