"""Train N networks as one: a vectorised ensemble trainer.

Each training step of one small network is far too small to keep a GPU (or
even a CPU) busy. :class:`VectorisedCNN` stacks the parameters of N members
(``torch.func.stack_module_state``) and runs them as one batched model
(``torch.func.vmap`` over ``functional_call``), so each step does the work of
N members in one set of kernels, with no Python work per member per step.
Members keep their own initialisation, their own mini-batch order (a batch
of indices per member, gathered on the device) and their own dropout masks
(``randomness="different"``); the optimiser (SGD with momentum and weight
decay, or Adam) works element-wise, so each member's update is exactly its
own.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from .._members import MAX_SEED, draw_training_indices
from ._classifier import images_to_nchw, resolve_device
from .modules import _ConvNet as _ConvNetBase
from .modules import adapts_to_data, resolve_module

__all__ = ["VectorisedCNN"]


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
    for layer in built.modules():
        if (
            isinstance(layer, nn.modules.batchnorm._BatchNorm)
            and layer.track_running_stats
        ):
            raise ValueError(
                "batch-norm running statistics cannot be vectorised: replace "
                "BatchNorm with GroupNorm or LayerNorm, or call "
                "torch.func.replace_all_batch_norm_modules_(module) in the module's "
                "constructor (batch statistics in training and evaluation)."
            )
    return built


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
                x = nn.functional.dropout(x, layer.p, self.training)
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
    trained together (``stage_method="vectorised"``, chosen automatically),
    recorded after every epoch like the skorch members, in the same record.
    On its own it trains one network. Defaults follow the paper's recipe, as
    for :class:`~sklearn_difficulty.nets.SkorchCNN`.

    Parameters
    ----------
    module : {"st_vgg", "small_st_vgg", "mnist"} or torch module class, default="st_vgg"
        Built once per member (with ``module_kwargs``); the paper's networks
        get ``input_shape`` and ``n_classes`` from the data. Batch-norm
        running statistics are refused (see the error for alternatives).
    module_kwargs : dict, default=None
    max_epochs : int, default=140
    batch_size : int, default=100
    optimizer : {"sgd", "adam"}, default="sgd"
    lr : float, default=0.05
    momentum : float, default=0.0
        SGD's momentum.
    weight_decay : float, default=0.0
    lr_step : int, default=20
        Epochs between two divisions of the learning rate by ``lr_decay``.
    lr_decay : float, default=1.8
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
        the CPU); None trains all members together.
    channels : {"auto", "first", "last"}, default="auto"
        Where the channel axis of the images is.

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
        max_epochs=140,
        batch_size=100,
        optimizer="sgd",
        lr=0.05,
        momentum=0.0,
        weight_decay=0.0,
        lr_step=20,
        lr_decay=1.8,
        device="cpu",
        precision="float32",
        channels_last=False,
        member_chunk=None,
        channels="auto",
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

    # Training N members ---------------------------------------------------------

    def fit_members(
        self, X, y, seeds, scored, *, n_classes, step=1, n_draw=None, bootstrap=False
    ):
        """Train one member per seed; record every scored set after each epoch.

        Parameters
        ----------
        X : array of images
        y : array of class indices 0..n_classes-1
        seeds : array of int
            One per member: its subset, initial weights, batch order, dropout.
        scored : list of arrays of images
            The sets to predict on after every ``step``-th epoch (and the last).
        n_classes : int
        step : int, default=1
        n_draw : int or None
            Training examples per member (None: all of them).
        bootstrap : bool
            Draw them with replacement.

        Returns
        -------
        results : list of (member, stages, predictions, indices)
            As :func:`sklearn_difficulty._members.fit_member` returns them.
        """
        self._check_params()
        device = torch.device(resolve_device(self.device))
        X = torch.as_tensor(images_to_nchw(X, self.channels), device=device)
        y = torch.as_tensor(np.asarray(y, dtype=np.int64), device=device)
        scored = [
            torch.as_tensor(images_to_nchw(s, self.channels), device=device)
            for s in scored
        ]
        input_shape = tuple(X.shape[1:])
        states = [np.random.RandomState(int(seed)) for seed in seeds]
        indices = [
            draw_training_indices(state, len(y), n_draw, bootstrap) for state in states
        ]
        chunk = self._chunk_size(len(seeds), input_shape, n_classes, device)
        results = []
        for start in range(0, len(seeds), chunk):
            members = range(start, min(start + chunk, len(seeds)))
            results += self._train_chunk(
                X,
                y,
                scored,
                [states[m] for m in members],
                [indices[m] for m in members],
                input_shape=input_shape,
                n_classes=n_classes,
                step=step,
                device=device,
            )
        return results

    def _check_params(self):
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(
                f"optimizer must be 'sgd' or 'adam'; got {self.optimizer!r}."
            )
        if self.precision not in ("float32", "bfloat16"):
            raise ValueError(
                f"precision must be 'float32' or 'bfloat16'; got {self.precision!r}."
            )
        for name in ("max_epochs", "batch_size", "lr_step"):
            value = getattr(self, name)
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
            parameters * 8 + self.batch_size * int(np.prod(input_shape)) * 4 * 64
        )
        return max(1, min(n_members, int(0.8 * free // per_member)))

    def _train_chunk(
        self, X, y, scored, states, indices, *, input_shape, n_classes, step, device
    ):
        n_members = len(states)
        modules = []
        for state in states:
            torch.manual_seed(int(state.randint(MAX_SEED)))
            modules.append(
                _build_module(self.module, self.module_kwargs, input_shape, n_classes)
            )
        params, buffers = stack_module_state(modules)
        params = {k: v.to(device).detach().requires_grad_() for k, v in params.items()}
        buffers = {k: v.to(device) for k, v in buffers.items()}
        base = copy.deepcopy(modules[0]).to("meta")

        if self.channels_last:
            grouped = _GroupedConvNet(modules[0], n_members, channels_last=True)
            batched, shared = grouped.batched, grouped.shared

            def set_training(flag):
                grouped.training = flag
        else:

            def forward(p, b, x):
                return functional_call(base, (p, b), (x,))

            batched = vmap(forward, in_dims=(0, 0, 0), randomness="different")
            shared = vmap(forward, in_dims=(0, 0, None))
            set_training = base.train
        if self.optimizer == "sgd":
            optimizer = torch.optim.SGD(
                params.values(),
                lr=self.lr,
                momentum=self.momentum,
                weight_decay=self.weight_decay,
            )
        else:
            optimizer = torch.optim.Adam(
                params.values(), lr=self.lr, weight_decay=self.weight_decay
            )
        schedule = torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=self.lr_step, gamma=1 / self.lr_decay
        )
        rows = torch.as_tensor(
            np.stack(
                [np.arange(len(y)) if i is None else i for i in indices]
            ),  # (members, examples each)
            device=device,
        )
        generators = [
            torch.Generator(device=device).manual_seed(int(state.randint(MAX_SEED)))
            for state in states
        ]
        dropout_seed = int(states[0].randint(MAX_SEED))
        torch.manual_seed(dropout_seed)
        autocast = torch.autocast(
            device_type=device.type,
            dtype=torch.bfloat16,
            enabled=self.precision == "bfloat16",
        )
        n_rows = rows.shape[1]
        stages, kept = [], [[] for _ in scored]
        history = np.zeros((n_members, self.max_epochs))
        for epoch in range(1, self.max_epochs + 1):
            set_training(True)
            order = torch.stack(
                [torch.randperm(n_rows, generator=g, device=device) for g in generators]
            )
            batches = torch.gather(rows, 1, order)
            losses = torch.zeros(n_members, device=device)
            for start in range(0, n_rows, self.batch_size):
                batch = batches[:, start : start + self.batch_size]
                with autocast:
                    logits = batched(params, buffers, X[batch])
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
            schedule.step()
            history[:, epoch - 1] = (losses / n_rows).cpu().numpy()
            if epoch % step == 0 or epoch == self.max_epochs:
                stages.append(epoch)
                set_training(False)
                with torch.no_grad(), autocast:
                    for store, data in zip(kept, scored, strict=True):
                        store.append(
                            torch.cat(
                                [
                                    shared(params, buffers, data[s : s + 1000]).argmax(
                                        dim=2
                                    )
                                    for s in range(0, len(data), 1000)
                                ],
                                dim=1,
                            )
                            .cpu()
                            .numpy()
                        )
        results = []
        for m in range(n_members):
            member = copy.copy(self)
            module = modules[m]
            module.load_state_dict(
                {k: v[m].detach().cpu() for k, v in {**params, **buffers}.items()},
                strict=False,
            )
            member.module_ = module.eval()
            member.classes_ = np.arange(n_classes)
            member.history_ = history[m].tolist()
            predictions = [np.stack([p[m] for p in store]) for store in kept]
            if not np.isfinite(history[m]).all():
                epoch = int(np.flatnonzero(~np.isfinite(history[m]))[0]) + 1
                error = FloatingPointError(
                    f"the training loss of member {m} became {history[m, epoch - 1]} "
                    f"at epoch {epoch}."
                )
                results.append((None, error))
                continue
            results.append(
                ((member, np.asarray(stages), predictions, indices[m]), None)
            )
        return results

    # One network on its own -----------------------------------------------------

    def fit(self, X, y):
        """Train one network (use EnsembleDifficulty to train many at once).

        Parameters
        ----------
        X : array of images (N, C, H, W) or (N, H, W, C)
        y : array of class indices 0..n_classes-1

        Returns
        -------
        self : VectorisedCNN
        """
        y = np.asarray(y)
        if y.dtype.kind not in "iu":
            raise ValueError(
                "VectorisedCNN takes class indices 0..n_classes-1 as labels."
            )
        ((result, error),) = self.fit_members(X, y, [0], [], n_classes=int(y.max()) + 1)
        if error is not None:
            raise error
        member = result[0]
        self.module_, self.classes_, self.history_ = (
            member.module_,
            member.classes_,
            member.history_,
        )
        return self

    def predict_proba(self, X):
        """Class probabilities from the trained network."""
        check_is_fitted(self)
        images = torch.as_tensor(images_to_nchw(X, self.channels))
        device = next(self.module_.parameters()).device
        with torch.no_grad():
            outputs = [
                torch.softmax(self.module_(images[s : s + 1000].to(device)), dim=1)
                for s in range(0, len(images), 1000)
            ]
        return torch.cat(outputs).cpu().numpy()

    def predict(self, X):
        """The class of highest probability."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
