"""Train N networks as one: a vectorised ensemble trainer.

Each training step of one small network is far too small to keep a GPU (or
even a CPU) busy. :class:`VectorisedCNN` stacks the parameters of N members
(``torch.func.stack_module_state``) and runs them as one batched model
(``torch.func.vmap`` over ``functional_call``), so each step does the work of
N members in one set of kernels, with no Python work per member per step.

Every random stream of a member derives from its own seed alone (see
:mod:`sklearn_difficulty._random`): its initial weights (built on the CPU
from its "init" stream, with torch's generator forked), its mini-batch
order (a generator of its own, from its "order" stream) and its dropout
masks, which are counter-based random numbers keyed by the member's
"dropout" stream, the training step and the layer
(:func:`~sklearn_difficulty._random.keyed_uniform`), not draws from a
generator shared by the group. A member therefore trains the same alone,
in any group (``member_chunk``), beside any other members, with any
``n_jobs`` or backend, up to the rounding of batched kernels. The optimiser
(SGD with momentum and weight decay, AdaDelta or Adam) works element-wise,
so each member's update is exactly its own.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from skorch.utils import is_dataset
from torch import nn
from torch.func import functional_call, stack_module_state, vmap
from torch.utils.data import DataLoader

from .._inputs import dataset_labels, is_augmented
from .._random import MAX_SEED, MemberStreams, keyed_uniform
from ..recorders import (
    MemberPlan,
    MemberRecord,
    PartialFitRecorder,
    Recorder,
    RecorderSettings,
    check_sample_weight,
    register_recorder,
    true_class_outputs,
)
from ._torch import images_to_nchw, placed_on_gpu, resolve_device, worker_context
from .modules import _ConvNet as _ConvNetBase
from .modules import adapts_to_data, resolve_module
from .recipes import optimizer_class, recipe_for

__all__ = ["VectorisedCNN", "VectorisedRecorder"]

_LAYERS_PER_STEP = 64  # dropout counters: step * 64 + layer


class _Images:
    """Images by index: an array moved to the device once, or a Dataset streamed.

    A Dataset is read through DataLoaders (``num_workers`` and
    ``pin_memory`` of the trainer): every training step loads the images the
    members' batches need, once each, whichever members share them, and the
    recording pass reads the set in order, in batches. Only a few batches of
    images are ever in memory.
    """

    def __init__(self, data, trainer, device):
        self.device = device
        self.num_workers = trainer.num_workers
        self.pin_memory = device.type == "cuda"
        if is_dataset(data):
            self.dataset, self.tensor = data, None
            first = data[0]
            image = first[0] if isinstance(first, tuple | list) else first
            self.shape = tuple(torch.as_tensor(image).shape)
        else:
            self.dataset = None
            self.tensor = torch.as_tensor(
                images_to_nchw(data, trainer.channels), device=device
            )
            self.shape = tuple(self.tensor.shape[1:])

    def _loader(self, **kwargs):
        return DataLoader(
            self.dataset,
            num_workers=self.num_workers,
            pin_memory=self.pin_memory,
            multiprocessing_context=worker_context(self.num_workers),
            **kwargs,
        )

    def _to_device(self, batch) -> torch.Tensor:
        images = batch[0] if isinstance(batch, tuple | list) else batch
        return images.to(self.device, torch.float32, non_blocking=True)

    def batches(self, batches):
        """The images of each step's batches, of shape (members, batch, C, H, W)."""
        if self.tensor is not None:
            for batch in batches:
                yield self.tensor[batch]
            return
        steps = [torch.unique(batch, return_inverse=True) for batch in batches]
        loader = self._loader(batch_sampler=[rows.tolist() for rows, _ in steps])
        for (_, inverse), loaded in zip(steps, loader, strict=True):
            yield self._to_device(loaded)[inverse.to(self.device)]

    def in_order(self, size: int):
        """All images in order, ``size`` at a time."""
        if self.tensor is not None:
            yield from self.tensor.split(size)
            return
        for loaded in self._loader(batch_size=size, shuffle=False):
            yield self._to_device(loaded)


def _keep_mask(keys, layer: int, member_shape, p: float, device) -> torch.Tensor:
    """Dropout keep-masks of shape (members, *member_shape), one per member key.

    ``keys`` holds each member's dropout seed and training step; element i
    of a member's mask depends on those, the layer and i alone.
    """
    index = torch.arange(int(np.prod(member_shape)), device=device).view(member_shape)
    extra = (1,) * len(member_shape)
    seed = keys[:, 0].view(-1, *extra)
    counter = keys[:, 1].view(-1, *extra) * _LAYERS_PER_STEP + layer
    return keyed_uniform(seed, counter, index) >= p


class _KeyedDropout(nn.Module):
    """Dropout whose mask is keyed by the member, the step and the layer.

    Under ``vmap`` each member sees its own ``key`` buffer (dropout seed,
    step), passed in with the stacked buffers.
    """

    def __init__(self, p: float, layer: int):
        super().__init__()
        self.p = p
        self.layer = layer
        self.register_buffer("key", torch.zeros(2, dtype=torch.int64))

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        counter = self.key[1] * _LAYERS_PER_STEP + self.layer
        index = torch.arange(x.numel(), device=x.device).view(x.shape)
        keep = keyed_uniform(self.key[0], counter, index) >= self.p
        return x * keep / (1 - self.p)


def _keyed_dropouts(module: nn.Module) -> list[str]:
    """Replace every nn.Dropout of ``module`` by a keyed one; their names."""
    names: list[str] = []
    for name, layer in list(module.named_modules()):
        if isinstance(layer, nn.modules.dropout._DropoutNd) and not isinstance(
            layer, nn.Dropout
        ):
            raise ValueError(
                f"VectorisedCNN draws each member's own dropout masks for "
                f"nn.Dropout layers only; {name!r} is a {type(layer).__name__}. "
                "Use nn.Dropout, or train the network with SkorchCNN."
            )
        if isinstance(layer, nn.Dropout):
            parent_name, _, child = name.rpartition(".")
            parent = module.get_submodule(parent_name) if parent_name else module
            setattr(parent, child, _KeyedDropout(layer.p, len(names)))
            names.append(name)
    if len(names) > _LAYERS_PER_STEP:
        raise ValueError(
            f"VectorisedCNN keys at most {_LAYERS_PER_STEP} dropout layers; the "
            f"module has {len(names)}."
        )
    return names


def _build_module(module, kwargs, input_shape, n_classes) -> nn.Module:
    module = resolve_module(module)
    if isinstance(module, nn.Module):
        raise TypeError(
            "VectorisedCNN needs a module class (or a name), to build each member "
            "with its own initial weights; got an instance."
        )
    kwargs = dict(kwargs or {})
    if adapts_to_data(module):
        kwargs.setdefault("input_shape", input_shape)
        kwargs.setdefault("n_classes", n_classes)
    built = module(**kwargs)
    # The one choice for batch norm: batch statistics in training and in the
    # recording pass, no running statistics (they are state outside the
    # parameters, which vmap cannot update per member).
    torch.func.replace_all_batch_norm_modules_(built)
    return built


def _build_member(module, kwargs, input_shape, n_classes, seed: int) -> nn.Module:
    """One member's network, its initial weights from its own seed alone."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return _build_module(module, kwargs, input_shape, n_classes)


class _GroupedConvNet:
    """N members of one of the paper's networks as grouped convolutions.

    The members' channels sit side by side (member n owns channels
    n*C..(n+1)*C-1), so convolutions run with ``groups=N`` and dense layers
    as one batched product, on 4-D activations that can be channels-last;
    ``torch.func.vmap`` cannot run under a memory format other than the
    default.
    """

    LAYERS = (
        nn.Conv2d,
        nn.ZeroPad2d,
        nn.ReLU,
        nn.Identity,
        nn.MaxPool2d,
        nn.AvgPool2d,
        nn.Dropout,
        nn.Flatten,
        nn.Linear,
    )

    def __init__(self, base: nn.Module, n_members: int, channels_last: bool):
        if not isinstance(base, _ConvNetBase):
            raise ValueError(
                "channels_last=True runs the paper's networks (st_vgg, small_st_vgg, "
                f"mnist) as grouped convolutions; got {type(base).__name__}."
            )
        self.layers = [
            (f"features.{i}", layer) for i, layer in enumerate(base.features)
        ]
        self.layers += [
            (f"classifier.{i}", layer) for i, layer in enumerate(base.classifier)
        ]
        self.n_members = n_members
        self.channels_last = channels_last
        self.training = True
        self.dropout_layers = {
            name: i
            for i, name in enumerate(
                name for name, layer in self.layers if isinstance(layer, nn.Dropout)
            )
        }
        self.keys: torch.Tensor | None = None  # (members, 2): dropout seed, step

    def _dropout(self, x, p: float, layer: int):
        """Each member's own keyed mask, as the member's own layout numbers it."""
        n = self.n_members
        if x.dim() == 4:  # (batch, members * channels, height, width)
            member_shape = (x.shape[0], x.shape[1] // n, *x.shape[2:])
        else:  # (batch, members, features)
            member_shape = (x.shape[0], x.shape[2])
        keep = _keep_mask(self.keys, layer, member_shape, p, x.device)
        keep = keep.transpose(0, 1).reshape(x.shape)  # members beside each other
        return x * keep / (1 - p)

    def _run(self, params, x):
        n = self.n_members
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        for name, layer in self.layers:
            weight, bias = params.get(f"{name}.weight"), params.get(f"{name}.bias")
            if isinstance(layer, nn.Conv2d):
                x = nn.functional.conv2d(
                    x,
                    weight.flatten(0, 1),
                    None if bias is None else bias.flatten(),
                    stride=layer.stride,
                    padding=layer.padding,
                    dilation=layer.dilation,
                    groups=n,
                )
            elif isinstance(layer, nn.Flatten):
                x = x.reshape(x.shape[0], n, -1)
            elif isinstance(layer, nn.Linear):
                x = torch.einsum("bni,noi->bno", x, weight)
                if bias is not None:
                    x = x + bias
            elif isinstance(layer, nn.Dropout):
                if self.training:
                    x = self._dropout(x, layer.p, self.dropout_layers[name])
            else:  # padding, activations and pooling work channel by channel
                x = layer(x)
        return x.transpose(0, 1)  # (members, batch, classes)

    def batched(self, params, buffers, x):
        """Each member its own batch: ``x`` of shape (N, B, C, H, W)."""
        members, batch = x.shape[:2]
        return self._run(params, x.transpose(0, 1).reshape(batch, -1, *x.shape[3:]))

    def shared(self, params, buffers, x):
        """One batch for all members: ``x`` of shape (B, C, H, W)."""
        return self._run(params, x.repeat(1, self.n_members, 1, 1))


class VectorisedCNN(ClassifierMixin, BaseEstimator):
    """A network that EnsembleDifficulty trains N at a time, as one batched model.

    Wrapped in :class:`~sklearn_difficulty.EnsembleDifficulty`, all members are
    trained together (the "vectorised" recorder, chosen automatically) in
    groups of ``member_chunk``, through the same per-member cache, failure
    policy, progress and record as every other recorder, and recorded
    before the first epoch (stage 0) and after every epoch like the skorch
    members. On its own it trains one network. Training follows the paper's
    recipe for the module (:mod:`sklearn_difficulty.nets.recipes`) wherever
    a parameter is "auto", as for :class:`~sklearn_difficulty.nets.SkorchCNN`.

    Parameters
    ----------
    module : {"st_vgg", "small_st_vgg", "mnist"} or torch module class, default="st_vgg"
        Built once per member (with ``module_kwargs``); the paper's networks
        get ``input_shape`` and ``n_classes`` from the data. Batch norm
        layers keep no running statistics
        (``torch.func.replace_all_batch_norm_modules_``): they normalise with
        the statistics of the batch, in training and in the recording pass
        (batches of 1,000 images, in order), which vmap can run per member.
        Its ``nn.Dropout`` layers draw keyed masks (see the module docs);
        other dropout layers, and random operations in ``forward``, are
        refused, since they would draw from a generator the members share.
    module_kwargs : dict, default=None
    max_epochs : int or "auto", default="auto"
        The recipe's: 140 for st-VGG, 12 for the MNIST network.
    batch_size : int or "auto", default="auto"
    optimizer : {"auto", "sgd", "adadelta", "adam"}, default="auto"
        SGD for st-VGG, AdaDelta for the MNIST network.
    lr : float or "auto", default="auto"
        0.05 for st-VGG, 1.0 for the MNIST network.
    momentum : float, default=0.0
        SGD's momentum.
    weight_decay : float, default=0.0
    lr_step : int, "auto" or None, default="auto"
        Epochs between two divisions of the learning rate by ``lr_decay``;
        None keeps it constant.
    lr_decay : float or "auto", default="auto"
    device : str, default="cpu"
        "cuda" when there is a GPU (else the CPU, with a DeviceWarning).
    precision : {"float32", "bfloat16"}, default="float32"
        "bfloat16" runs the forward pass under bf16 autocast.
    channels_last : bool, default=False
        Run the paper's networks as grouped convolutions on channels-last
        activations (faster convolutions on recent GPUs) instead of
        ``vmap``, which cannot use that memory format.
    member_chunk : int, "auto" or None, default=None
        Train members in groups of this size when N do not fit at once.
        "auto" sizes the groups from the GPU's free memory (all at once on
        the CPU); None trains all members together. It changes how fast
        members train, not what they learn. In an ensemble with ``memory``,
        each group is cached as soon as it finishes.
    channels : {"auto", "first", "last"}, default="auto"
        Where the channel axis of the images is.
    num_workers : int, default=0
        Worker processes of the DataLoaders that read a torch Dataset (X
        given as a Dataset is streamed: each step loads the images its
        members' batches need; the recording pass reads it in order).
        Arrays are moved to the device once instead.
    random_state : int, RandomState instance or None, default=None
        The seed of the network fitted on its own (its initial weights,
        batch order and dropout masks). In an ensemble each member gets its
        own seed from the ensemble's ``random_state``.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network (one member).
    classes_ : ndarray
    history_ : list of float
        Mean training loss per epoch.
    """

    def __init__(
        self,
        module="st_vgg",
        *,
        module_kwargs=None,
        max_epochs="auto",
        batch_size="auto",
        optimizer="auto",
        lr="auto",
        momentum=0.0,
        weight_decay=0.0,
        lr_step="auto",
        lr_decay="auto",
        device="cpu",
        precision="float32",
        channels_last=False,
        member_chunk=None,
        channels="auto",
        random_state=None,
        num_workers=0,
    ):
        self.module = module
        self.module_kwargs = module_kwargs
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_step = lr_step
        self.lr_decay = lr_decay
        self.device = device
        self.precision = precision
        self.channels_last = channels_last
        self.member_chunk = member_chunk
        self.channels = channels
        self.random_state = random_state
        self.num_workers = num_workers

    # Settings ---------------------------------------------------------------------

    def _setting(self, name: str):
        """A training setting: the parameter, or the module's recipe for "auto"."""
        value = getattr(self, name)
        if isinstance(value, str) and value == "auto":
            return getattr(recipe_for(self.module), name)
        return value

    def resolved_max_epochs(self) -> int:
        """The number of epochs each member trains."""
        return int(self._setting("max_epochs"))

    def _check_params(self):
        optimizer = self._setting("optimizer")
        if optimizer not in ("sgd", "adam", "adadelta"):
            raise ValueError(
                "optimizer must be 'auto', 'sgd', 'adadelta' or 'adam'; got "
                f"{self.optimizer!r}."
            )
        if self.precision not in ("float32", "bfloat16"):
            raise ValueError(
                f"precision must be 'float32' or 'bfloat16'; got {self.precision!r}."
            )
        for name in ("max_epochs", "batch_size", "lr_step"):
            value = self._setting(name)
            if name == "lr_step" and value is None:
                continue
            if not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")

    def _chunk_size(self, n_members, input_shape, n_classes, device) -> int:
        if self.member_chunk is None or (
            self.member_chunk == "auto" and device.type != "cuda"
        ):
            return n_members
        if self.member_chunk != "auto":
            if (
                not isinstance(self.member_chunk, int | np.integer)
                or self.member_chunk < 1
            ):
                raise ValueError(
                    "member_chunk must be a positive integer, 'auto' or None; got "
                    f"{self.member_chunk!r}."
                )
            return int(self.member_chunk)
        module = _build_module(self.module, self.module_kwargs, input_shape, n_classes)
        parameters = sum(p.numel() for p in module.parameters()) * 4
        free, _ = torch.cuda.mem_get_info(device)
        # weights, gradients, two optimiser moments, and room for activations
        per_member = (
            parameters * 8
            + int(self._setting("batch_size")) * int(np.prod(input_shape)) * 4 * 64
        )
        return max(1, min(n_members, int(0.8 * free // per_member)))

    # Training N members ---------------------------------------------------------

    def fit_members(
        self,
        X,
        y,
        seeds,
        scored,
        *,
        n_classes,
        step=1,
        n_draw=None,
        bootstrap=False,
        record_initial=True,
        outputs=(),
        targets=None,
        output_dtype="float32",
    ) -> list[MemberRecord | Exception]:
        """Train one member per seed together; record every scored set per epoch.

        Parameters
        ----------
        X : array of images
        y : array of class indices 0..n_classes-1
        seeds : array of int
            One per member: its subset, initial weights, batch order, dropout.
        scored : list of arrays of images
            The sets to predict on before the first epoch (with
            ``record_initial``) and after every ``step``-th epoch (and the
            last).
        n_classes : int
        step : int, default=1
        n_draw : int or None
            Training examples per member (None: all of them).
        bootstrap : bool
            Draw them with replacement.
        record_initial : bool, default=True
        outputs : sequence of {"proba", "margin", "error_norm"}, default=()
            What to record beyond the labels, from the same pass (see
            :func:`~sklearn_difficulty.recorders.true_class_outputs`; the
            margin is measured on the logits).
        targets : list of arrays of int, default=None
            With ``outputs``: the true class index of every example of each
            scored set.
        output_dtype : {"float32", "float16"}, default="float32"

        Returns
        -------
        results : list of MemberRecord or Exception
            One per seed, in order; a member whose loss diverged gives a
            FloatingPointError.
        """
        outputs = tuple(outputs)
        if outputs and (targets is None or len(targets) != len(scored)):
            raise ValueError(
                "outputs are measured against the true classes: give targets, "
                "one array of class indices per scored set."
            )
        plan = MemberPlan(
            X=X,
            y=np.asarray(y),
            fit_params={},
            scored=tuple(scored),
            names=tuple(f"set_{i}" for i in range(len(scored))),
            targets=tuple(np.asarray(t) for t in targets) if outputs else (),
            classes=np.arange(n_classes),
            n_epochs=None,
            step=step,
            n_draw=n_draw,
            bootstrap=bootstrap,
            record_initial=record_initial,
            outputs=outputs,
            output_dtype=np.dtype(output_dtype),
        )
        return self._record_members(plan, seeds)

    def _record_members(
        self, plan: MemberPlan, seeds
    ) -> list[MemberRecord | Exception]:
        self._check_params()
        if is_augmented(plan.X):
            raise ValueError(
                "VectorisedCNN loads each image once per step for all the members "
                "whose batches hold it, so it cannot give each member its own "
                "random augmentation: train augmented data with SkorchCNN."
            )
        device = torch.device(resolve_device(self.device))
        X = _Images(plan.X, self, device)
        y = torch.as_tensor(np.asarray(plan.y, dtype=np.int64), device=device)
        scored = [_Images(s, self, device) for s in plan.scored]
        n_classes = len(plan.classes)
        input_shape = X.shape
        streams = [MemberStreams.from_seed(seed) for seed in seeds]
        chunk = self._chunk_size(len(seeds), input_shape, n_classes, device)
        results: list[MemberRecord | Exception] = []
        for start in range(0, len(seeds), chunk):
            results += self._train_chunk(
                X,
                y,
                scored,
                streams[start : start + chunk],
                plan,
                input_shape=input_shape,
                device=device,
            )
        return results

    def _train_chunk(self, X, y, scored, streams, plan, *, input_shape, device):
        n_members, n_classes = len(streams), len(plan.classes)
        n_epochs = plan.n_epochs or self.resolved_max_epochs()
        batch_size = int(self._setting("batch_size"))
        modules = [
            _build_member(
                self.module, self.module_kwargs, input_shape, n_classes, s.init
            )
            for s in streams
        ]
        params, buffers = stack_module_state(modules)
        params = {k: v.to(device).detach().requires_grad_() for k, v in params.items()}
        buffers = {k: v.to(device) for k, v in buffers.items()}
        # Each member's dropout seed and training step, as a buffer of each
        # keyed dropout layer.
        keys = torch.zeros(n_members, 2, dtype=torch.int64, device=device)
        keys[:, 0] = torch.as_tensor([s.dropout for s in streams], device=device)

        if self.channels_last:
            grouped = _GroupedConvNet(modules[0], n_members, channels_last=True)
            grouped.keys = keys
            batched, shared = grouped.batched, grouped.shared

            def set_training(flag):
                grouped.training = flag
        else:
            base = copy.deepcopy(modules[0])
            dropouts = _keyed_dropouts(base)
            base = base.to("meta")
            for name in dropouts:
                buffers[f"{name}.key"] = keys

            def forward(p, b, x):
                return functional_call(base, (p, b), (x,))

            batched = vmap(forward, in_dims=(0, 0, 0), randomness="error")
            shared = vmap(forward, in_dims=(0, 0, None), randomness="error")
            set_training = base.train
        optimizer = self._optimizer(params.values())
        lr_step = self._setting("lr_step")
        schedule = (
            None
            if lr_step is None
            else torch.optim.lr_scheduler.StepLR(
                optimizer, step_size=lr_step, gamma=1 / self._setting("lr_decay")
            )
        )
        indices = [plan.member_indices(s) for s in streams]
        rows = torch.as_tensor(
            np.stack([np.arange(len(y)) if i is None else i for i in indices]),
            device=device,
        )  # (members, examples each)
        generators = [
            torch.Generator(device=device).manual_seed(s.order) for s in streams
        ]
        autocast = torch.autocast(
            device_type=device.type,
            dtype=torch.bfloat16,
            enabled=self.precision == "bfloat16",
        )
        n_rows = rows.shape[1]
        stages: list[int] = []
        kept: list[list[np.ndarray]] = [[] for _ in scored]
        # The outputs: per kind and scored set, (members, examples) per stage.
        kinds = tuple(plan.outputs)
        kept_outputs: dict[str, list[list[np.ndarray]]] = {
            kind: [[] for _ in scored] for kind in kinds
        }

        def record(epoch):
            stages.append(epoch)
            set_training(False)
            with torch.no_grad():
                for index, data in enumerate(scored):
                    labels = []
                    values: dict[str, list[np.ndarray]] = {k: [] for k in kinds}
                    start = 0
                    for images in data.in_order(1000):
                        with autocast:
                            logits = shared(params, buffers, images)
                        labels.append(logits.argmax(2))
                        if kinds:  # from the same logits, per batch
                            stop = start + logits.shape[1]
                            batch = true_class_outputs(
                                kinds,
                                plan.targets[index][start:stop],
                                scores=logits.detach().double().cpu().numpy(),
                                dtype=plan.output_dtype,
                            )
                            for kind in kinds:
                                values[kind].append(batch[kind])
                            start = stop
                    kept[index].append(torch.cat(labels, dim=1).cpu().numpy())
                    for kind in kinds:
                        kept_outputs[kind][index].append(
                            np.concatenate(values[kind], axis=1)
                        )

        if plan.record_initial:
            record(0)
        history = np.zeros((n_members, n_epochs))
        steps = 0
        for epoch in range(1, n_epochs + 1):
            set_training(True)
            order = torch.stack(
                [torch.randperm(n_rows, generator=g, device=device) for g in generators]
            )
            batches = torch.gather(rows, 1, order).split(batch_size, dim=1)
            losses = torch.zeros(n_members, device=device)
            for batch, images in zip(batches, X.batches(batches), strict=True):
                keys[:, 1] = steps
                steps += 1
                with autocast:
                    logits = batched(params, buffers, images)
                per_member = (
                    nn.functional.cross_entropy(
                        logits.float().flatten(0, 1),
                        y[batch].flatten(),
                        reduction="none",
                    )
                    .view(n_members, -1)
                    .mean(dim=1)
                )
                optimizer.zero_grad(set_to_none=True)
                per_member.sum().backward()
                optimizer.step()
                losses += per_member.detach() * batch.shape[1]
            if schedule is not None:
                schedule.step()
            history[:, epoch - 1] = (losses / n_rows).cpu().numpy()
            if plan.is_kept(epoch, n_epochs):
                record(epoch)
        results: list[MemberRecord | Exception] = []
        for m in range(n_members):
            if not np.isfinite(history[m]).all():
                epoch = int(np.flatnonzero(~np.isfinite(history[m]))[0]) + 1
                results.append(
                    FloatingPointError(
                        f"the training loss of the member with seed "
                        f"{streams[m].seed} became {history[m, epoch - 1]} at "
                        f"epoch {epoch}."
                    )
                )
                continue
            member = copy.copy(self)
            module = modules[m]
            module.load_state_dict(
                {k: v[m].detach().cpu() for k, v in params.items()}, strict=False
            )
            member.module_ = module.eval()
            member.classes_ = np.arange(n_classes)
            member.history_ = history[m].tolist()
            predictions = [
                np.stack([plan.encode(i, p[m]) for p in store])
                for i, store in enumerate(kept)
            ]
            outputs = {
                kind: [np.stack([stage[m] for stage in store]) for store in per_set]
                for kind, per_set in kept_outputs.items()
            }
            results.append(
                MemberRecord(
                    member, np.asarray(stages), predictions, indices[m], outputs
                )
            )
        return results

    def _optimizer(self, parameters):
        name = self._setting("optimizer")
        kwargs = {"lr": self._setting("lr"), "weight_decay": self.weight_decay}
        if name == "sgd":
            kwargs["momentum"] = self.momentum
        return optimizer_class(name)(parameters, **kwargs)

    # One network on its own -----------------------------------------------------

    def fit(self, X, y=None):
        """Train one network (use EnsembleDifficulty to train many at once).

        Parameters
        ----------
        X : array of images (N, C, H, W) or (N, H, W, C), or a torch Dataset
        y : array of class indices 0..n_classes-1, default=None
            None with a Dataset: its own labels.

        Returns
        -------
        self : VectorisedCNN
        """
        y = np.asarray(dataset_labels(X) if y is None and is_dataset(X) else y)
        if y.dtype.kind not in "iu":
            raise ValueError(
                "VectorisedCNN takes class indices 0..n_classes-1 as labels."
            )
        seed = check_random_state(self.random_state).randint(MAX_SEED)
        (result,) = self.fit_members(
            X, y, [seed], [], n_classes=int(y.max()) + 1, record_initial=False
        )
        if isinstance(result, Exception):
            raise result
        member = result.estimator
        self.module_, self.classes_, self.history_ = (
            member.module_,
            member.classes_,
            member.history_,
        )
        return self

    def predict_proba(self, X):
        """Class probabilities from the trained network."""
        check_is_fitted(self)
        device = next(self.module_.parameters()).device
        with torch.no_grad():
            outputs = [
                torch.softmax(self.module_(images), dim=1)
                for images in _Images(X, self, device).in_order(1000)
            ]
        return torch.cat(outputs).cpu().numpy()

    def predict(self, X):
        """The class of highest probability."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class VectorisedRecorder(Recorder):
    """All members of a :class:`VectorisedCNN` trained as one batched model.

    One job trains a group of ``member_chunk`` members (all of them by
    default); the per-member cache, failures (a diverging member fails
    alone), progress and record assembly are the ensemble's, as for every
    recorder. Fit parameters are refused: the trainer takes none. The
    outputs of ``record_outputs`` come from the logits of the pass that
    gives the labels, batch by batch.
    """

    name = "vectorised"
    kind = "epoch"
    uses_codes = True

    def accepts(self, estimator) -> bool:
        return isinstance(estimator, VectorisedCNN)

    def check(self, estimator, *, fit_params, outputs) -> None:
        """A VectorisedCNN with valid settings, no fit parameter; any output.

        The members' logits give every output.
        """
        if not isinstance(estimator, VectorisedCNN):
            raise ValueError(
                "stage_method='vectorised' needs a network that trains its members "
                f"together (nets.VectorisedCNN); got {type(estimator).__name__}."
            )
        estimator._check_params()
        check_sample_weight(estimator, "fit", fit_params)
        if fit_params:
            raise TypeError(
                f"VectorisedCNN takes no fit parameters; got {sorted(fit_params)}."
            )

    def settings(self, estimator, *, n_epochs) -> RecorderSettings:
        return RecorderSettings(n_epochs=None if n_epochs == "auto" else int(n_epochs))

    def n_stages(self, estimator, plan):
        epochs = plan.n_epochs or estimator.resolved_max_epochs()
        return int(epochs) + int(plan.record_initial)

    def group_size(self, estimator, plan, n_members: int) -> int:
        """``member_chunk``; for "auto", sized here from the device's free memory.

        Each group is one job, cached as soon as it finishes, so a killed run
        loses one group at most.
        """
        if is_dataset(plan.X):
            first = plan.X[0]
            input_shape = tuple(torch.as_tensor(first[0]).shape)
        else:
            input_shape = images_to_nchw(plan.X[:1], estimator.channels).shape[1:]
        name = str(estimator.device)  # the job warns if CUDA is missing
        cuda = name.startswith("cuda") and torch.cuda.is_available()
        device = torch.device(name if cuda else "cpu")
        return estimator._chunk_size(
            n_members, tuple(input_shape), len(plan.classes), device
        )

    def place(self, estimator, group: int):
        return placed_on_gpu(estimator, group)

    def cache_token(self, estimator):
        return clone(estimator).set_params(member_chunk=None)

    def record(self, estimator, plan, seeds):
        return estimator._record_members(plan, seeds)


register_recorder(VectorisedRecorder(), before=PartialFitRecorder.name)
