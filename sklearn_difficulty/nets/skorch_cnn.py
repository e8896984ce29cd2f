"""SkorchCNN: a skorch classifier with the paper's networks and training recipe."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import LRScheduler
from skorch.dataset import Dataset
from skorch.utils import is_dataset, to_tensor
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader

from .._inputs import first_example_shape
from ._torch import TorchStreams, autocast_dtype, images_to_nchw, resolve_device
from .modules import adapts_to_data, resolve_module
from .recipes import is_auto, optimizer_class, recipe_for, resolve_setting

__all__ = ["SkorchCNN"]


def _to_float32(output):
    """A module's output, a tensor or a tuple of them, with floats in float32."""
    if isinstance(output, torch.Tensor):
        return output.float() if output.is_floating_point() else output
    if isinstance(output, tuple):
        return tuple(_to_float32(part) for part in output)
    return output


_REQUESTED_DEVICE = "_sklearn_difficulty_requested_device"


class SkorchCNN(NeuralNetClassifier):
    """A skorch classifier with the paper's networks and training recipes.

    Every training setting left at "auto" follows the recipe of the module
    (:func:`~sklearn_difficulty.nets.recipes.recipe_for`; Hacohen &
    Weinshall, supplementary A): st-VGG and small st-VGG train with SGD at a
    learning rate of 0.05 divided by 1.8 every 20 epochs, for 140 epochs;
    the MNIST network with AdaDelta at a learning rate of 1, constant, for
    12 epochs; torchvision's architectures and a module of your own with
    st-VGG's recipe (the paper gives none for them). The "auto" values
    are resolved when the net is initialised: ``get_params`` keeps "auto".
    Explicit values always win (``lr=0.01``, ``optimizer="sgd"``,
    ``optimizer__momentum=0.9``, ``callbacks__lr_scheduler__step_size=10``).
    All recipes use batches of 100, cross-entropy, and all the training data
    (no hidden validation split) in a shuffled order every epoch; the
    paper's networks start from Xavier weights, torchvision's from their own
    initialisation.

    Images are numpy arrays of shape (n_samples, C, H, W) or
    (n_samples, H, W, C), converted to float32; labels are class indices
    0..n_classes-1, as for any skorch classifier.

    Parameters
    ----------
    module : str, torch module class or instance, default="st_vgg"
        The network: one of the paper's ("st_vgg", "small_st_vgg", "mnist"),
        the name of a torchvision classification architecture ("resnet18",
        "resnet50", "alexnet", "densenet121", "vgg16", any of
        ``torchvision.models.list_models(module=torchvision.models)``), or a
        module of your own. The paper's networks and torchvision's get
        ``input_shape`` and ``n_classes`` from the data. Set
        ``module__linear=True`` for the linear variant of the paper's
        networks and ``module__dropout=False`` to remove their dropout.
        torchvision's are trained from scratch (``weights=None``, nothing
        downloaded), their first convolution rebuilt for the images'
        channels (1 for grey images: never copied to 3 channels), and
        ``module__small_input`` ("auto", True or False) adapts ResNet,
        DenseNet, AlexNet and VGG to small images ("auto": below 64 pixels;
        a 3x3 stride-1 stem without max-pool for ResNet and DenseNet, a 3x3
        stride-1 first convolution for AlexNet, the CIFAR VGG for VGG; the
        table is in :mod:`sklearn_difficulty.nets.architectures`). Images too
        small for an architecture are a ValueError at fit that names the
        smallest side it takes.
    criterion : torch loss class, default=torch.nn.CrossEntropyLoss
    optimizer : "auto", {"sgd", "adadelta", "adam"} or torch optimizer class, \
default="auto"
        "auto" is the recipe's optimizer, with the recipe's momentum and
        weight decay (``optimizer__*`` parameters win).
    lr : float or "auto", default="auto"
        "auto" is the recipe's learning rate; with an optimizer other than
        the recipe's, give one.
    max_epochs : int or "auto", default="auto"
        "auto" is the recipe's number of epochs (:meth:`resolved_max_epochs`).
    batch_size : int, default=100
    lr_step : int, None or "auto", default="auto"
        Epochs between two divisions of the learning rate by ``lr_decay``;
        None keeps the learning rate constant. A recipe without a schedule
        (the MNIST network) needs both ``lr_step`` and ``lr_decay`` to get one.
    lr_decay : float, None or "auto", default="auto"
        What the learning rate is divided by every ``lr_step`` epochs.
    channels : {"auto", "first", "last"}, default="auto"
        Where the channel axis of the images is.
    precision : {"float32", "bfloat16"}, default="float32"
        "bfloat16" runs the forward pass (in training and in prediction)
        under ``torch.autocast`` with bfloat16 on the net's device, CPU or
        GPU (mixed precision: the weights stay float32); the network's output
        is cast back to float32 before the loss and the probabilities. No
        gradient scaling is needed with bfloat16.
    channels_last : bool, default=False
        True puts the module's weights and each batch of images in
        ``torch.channels_last`` memory format (NHWC), which convolutions run
        faster in on recent GPUs, above all with bfloat16. The results are
        the same up to float rounding, except that dropout draws its masks
        in memory order: the same ``random_state`` drops other units. Not to
        be confused with ``channels="last"``, the axis order of the arrays
        given.
    iterator_train__sampler : torch Sampler, default=None
        A :class:`~sklearn_difficulty.curriculum.CurriculumSampler` (with
        the net's ``batch_size``) trains on a curriculum. A sampler replaces
        the shuffling (``iterator_train__shuffle`` is then ignored); one that
        can ``reset`` is reset at every ``fit`` (not ``partial_fit``), with
        a seed from the net's batch-order stream when ``random_state`` is
        set.
    random_state : int, RandomState instance or None, default=None
        The seed of the net's initial weights, dropout masks and batch order
        (unless ``iterator_train__generator`` is given), drawn from streams
        of its own: the caller's torch generators are left as they were
        (``torch.get_rng_state()`` is unchanged by ``fit``), and the same
        int gives the same network whatever the global seed. A fitted net's
        streams go on across ``partial_fit`` calls; each ``fit`` starts them
        anew. None draws from torch's global generators, as skorch does.
        torch's generators are global to a process, so nets fitted at the
        same time in threads of one process disturb each other's streams.
        In :class:`~sklearn_difficulty.EnsembleDifficulty`, each member gets
        its own seed here.
    train_split : callable or None, default=None
        skorch's validation split; None trains on all the data.
    device : str, default="cpu"
        "cuda" runs on the GPU when one is there, else on the CPU with a
        :class:`~sklearn_difficulty.DeviceWarning`. ``get_params`` (and so
        ``clone``) keeps the device asked for; the one the net runs on is
        ``device_`` once initialised (and what ``net.device`` reads then).
    verbose : int, default=0
        skorch's per-epoch log.
    **kwargs
        Any other skorch parameter.

    Attributes
    ----------
    device_ : str
        The device the net runs on.
    module_, optimizer_, criterion_, callbacks_, history_
        As for any skorch net.

    Examples
    --------
    >>> from sklearn_difficulty.datasets import load_digits_images
    >>> from sklearn_difficulty.nets import SkorchCNN
    >>> X, y = load_digits_images(return_X_y=True)
    >>> net = SkorchCNN("mnist", max_epochs=2, random_state=0).fit(X[:200], y[:200])
    >>> net.predict(X[:3]).shape
    (3,)
    >>> type(net.optimizer_).__name__, net.get_params()["lr"]
    ('Adadelta', 'auto')
    >>> SkorchCNN("mnist").resolved_max_epochs()
    12

    A torchvision architecture, adapted to 8x8 grey images, in bfloat16:

    >>> net = SkorchCNN("resnet18", max_epochs=1, precision="bfloat16",
    ...                 random_state=0).fit(X[:32], y[:32])
    >>> net.module_.conv1
    Conv2d(1, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)
    """

    def __init__(
        self,
        module="st_vgg",
        *,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer="auto",
        lr="auto",
        max_epochs="auto",
        batch_size=100,
        lr_step="auto",
        lr_decay="auto",
        channels="auto",
        precision="float32",
        channels_last=False,
        random_state=None,
        train_split=None,
        iterator_train__shuffle=True,
        device="cpu",
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            iterator_train__shuffle=iterator_train__shuffle,
            device=device,
            verbose=verbose,
            **kwargs,
        )
        self.lr_step = lr_step
        self.lr_decay = lr_decay
        self.channels = channels
        self.precision = precision
        self.channels_last = channels_last
        self.random_state = random_state

    # The recipe -------------------------------------------------------------

    def _resolved(self, name: str):
        """A training setting: the parameter, or the module's recipe for "auto"."""
        return resolve_setting(self.module, name, getattr(self, name))

    def resolved_max_epochs(self) -> int:
        """The number of epochs ``fit`` trains: ``max_epochs`` or the recipe's."""
        return int(self._resolved("max_epochs"))

    def _optimizer_class(self):
        optimizer = self._resolved("optimizer")
        return optimizer_class(optimizer) if isinstance(optimizer, str) else optimizer

    def _check_schedule(self) -> None:
        recipe = recipe_for(self.module)
        for given, other in (("lr_step", "lr_decay"), ("lr_decay", "lr_step")):
            value = getattr(self, given)
            if (
                value is not None
                and not is_auto(value)
                and is_auto(getattr(self, other))
                and getattr(recipe, other) is None
            ):
                raise ValueError(
                    f"{given}={value!r} needs {other} too: the recipe of "
                    f"{self.module!r} keeps the learning rate constant."
                )

    @property
    def _default_callbacks(self):
        step, decay = self._resolved("lr_step"), self._resolved("lr_decay")
        schedule = None
        if step is not None and decay is not None:
            schedule = LRScheduler(policy=StepLR, step_size=step, gamma=1 / decay)
        return [*super()._default_callbacks, ("lr_scheduler", schedule)]

    def initialize_optimizer(self, triggered_directly=None):
        """The optimizer: ``optimizer``, or the recipe's for "auto"."""
        named_parameters = self.get_all_learnable_params()
        args, kwargs = self.get_params_for_optimizer("optimizer", named_parameters)
        self.optimizer_ = self._optimizer_class()(*args, **kwargs)
        return self

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if prefix != "optimizer":
            return args, kwargs
        recipe = recipe_for(self.module)
        own = self._optimizer_class() is optimizer_class(recipe.optimizer)
        if is_auto(kwargs.get("lr")):
            if not own:
                raise ValueError(
                    f"lr='auto' is the learning rate of the {recipe.optimizer!r} "
                    f"recipe of {self.module!r}; give lr for "
                    f"{self._resolved('optimizer')!r}."
                )
            kwargs["lr"] = recipe.lr
        if own:
            for name in ("momentum", "weight_decay"):
                if getattr(recipe, name):
                    kwargs.setdefault(name, getattr(recipe, name))
        return args, kwargs

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        if epochs is None:
            epochs = self.resolved_max_epochs()
        return super().fit_loop(X, y, epochs=epochs, **fit_params)

    # Precision and memory format ----------------------------------------------

    def _check_channels_last(self) -> bool:
        if not isinstance(self.channels_last, bool | np.bool_):
            raise ValueError(
                f"channels_last must be True or False; got {self.channels_last!r}."
            )
        return bool(self.channels_last)

    def infer(self, x, **fit_params):
        """The module's output for a batch, in ``precision`` and memory format."""
        dtype = autocast_dtype(self.precision)
        x = to_tensor(x, device=self.device)
        if self._check_channels_last() and isinstance(x, torch.Tensor) and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        if dtype is None:
            return super().infer(x, **fit_params)
        device_type = x.device.type if isinstance(x, torch.Tensor) else "cpu"
        with torch.autocast(device_type, dtype=dtype):
            output = super().infer(x, **fit_params)
        return _to_float32(output)

    # The device ---------------------------------------------------------------

    @property
    def device(self):
        """The device the net runs on once initialised, else the one asked for."""
        attributes = vars(self)
        return attributes.get("device_", attributes.get("device"))

    @device.setter
    def device(self, value):
        vars(self)["device"] = value
        if "device_" in vars(self):
            self.device_ = resolve_device(value)

    def get_params(self, deep=True, **kwargs):
        params = super().get_params(deep=deep, **kwargs)
        params["device"] = vars(self)["device"]  # the one asked for
        return params

    def __getstate__(self):
        state = super().__getstate__()
        # skorch's __setstate__ maps the tensors from state["device"]: the
        # device they are on (none before initialisation).
        state[_REQUESTED_DEVICE] = state["device"]
        state["device"] = state.get("device_", "cpu")
        return state

    def __setstate__(self, state):
        requested = state.pop(_REQUESTED_DEVICE, state["device"])
        super().__setstate__(state)
        attributes = vars(self)
        if "device_" in attributes:
            attributes["device_"] = attributes["device"]  # where they are now
        attributes["device"] = requested

    # Random streams -------------------------------------------------------------

    def _random_streams(self):
        streams = getattr(self, "_torch_streams_", None)
        return nullcontext() if streams is None else streams.active()

    def get_params_for(self, prefix):
        params = super().get_params_for(prefix)
        if prefix == "iterator_train" and params.get("sampler") is not None:
            self._check_sampler(params["sampler"])
            params["shuffle"] = False  # the sampler orders the batches
        streams = getattr(self, "_torch_streams_", None)
        if (
            prefix == "iterator_train"
            and streams is not None
            and isinstance(self.iterator_train, type)
            and issubclass(self.iterator_train, DataLoader)
        ):
            params.setdefault("generator", streams.order)
        return params

    # A curriculum sampler ----------------------------------------------------------

    def _check_sampler(self, sampler) -> None:
        size = getattr(sampler, "batch_size", None)
        if size is not None and int(size) != int(self.batch_size):
            raise ValueError(
                f"the sampler's batch_size ({size}) differs from the net's "
                f"({self.batch_size}): the DataLoader would cut its batches "
                "elsewhere; give them the same."
            )

    def _reset_sampler(self) -> None:
        """A new fit starts a sampler that can reset (a curriculum) at step 0.

        Its seed comes from the net's batch-order stream when the net has a
        ``random_state``, else from torch's global generator.
        """
        sampler = super().get_params_for("iterator_train").get("sampler")
        if not callable(getattr(sampler, "reset", None)):
            return
        streams = self._torch_streams_
        seed = None
        if streams is not None:
            seed = int(torch.randint(2**62, (1,), generator=streams.order).item())
        sampler.reset(seed)

    def get_iterator(self, dataset, training=False):
        if training:
            sampler = super().get_params_for("iterator_train").get("sampler")
            if callable(getattr(sampler, "check_n_samples", None)):
                sampler.check_n_samples(len(dataset))
        return super().get_iterator(dataset, training=training)

    # Fitting ------------------------------------------------------------------

    def initialize(self):
        self._check_schedule()
        autocast_dtype(self.precision)
        self._check_channels_last()
        self.device_ = resolve_device(vars(self)["device"])
        self._torch_streams_ = None
        if self.random_state is not None:
            self._torch_streams_ = TorchStreams(self.random_state, self.device_)
        with self._random_streams():
            super().initialize()
            if self._torch_streams_ is not None:  # from here on: dropout masks
                self._torch_streams_.start_dropout()
            self._reset_sampler()
        return self

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        module = resolve_module(self.module)
        if adapts_to_data(module):
            if hasattr(self, "input_shape_"):
                kwargs.setdefault("input_shape", self.input_shape_)
            if hasattr(self, "n_classes_"):
                kwargs.setdefault("n_classes", self.n_classes_)
            if not {"input_shape", "n_classes"} <= kwargs.keys():
                raise ValueError(
                    "the network's input shape comes from the data: call fit, "
                    "or pass module__input_shape and module__n_classes."
                )
        self.module_ = self.initialized_instance(module, kwargs)
        if self._check_channels_last():
            self.module_ = self.module_.to(memory_format=torch.channels_last)
        return self

    def get_dataset(self, X, y=None):
        if is_dataset(X):
            return X
        X = images_to_nchw(X, self.channels)
        if y is not None:
            y = np.asarray(y)
            if y.dtype.kind in "iu":
                y = y.astype(np.int64, copy=False)
        return Dataset(X, y)

    def fit(self, X, y=None, **fit_params):
        if is_dataset(X):  # the input shape from its first image
            self.input_shape_ = first_example_shape(X)
        else:
            X = images_to_nchw(X, self.channels)
            self.input_shape_ = X.shape[1:]
            if y is not None:
                y = np.asarray(y)
                if y.dtype.kind not in "iu":
                    raise ValueError(
                        "SkorchCNN takes class indices 0..n_classes-1 as labels; "
                        f"got labels of dtype {y.dtype}. Encode them first (for "
                        "instance with sklearn.preprocessing.LabelEncoder), or "
                        "wrap the network in EnsembleDifficulty, which does."
                    )
        if self.classes is not None:
            self.n_classes_ = len(self.classes)
        elif y is not None:
            self.n_classes_ = int(np.max(y)) + 1
        return super().fit(X, y, **fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        if not self.initialized_:
            self.initialize()
        with self._random_streams():
            return super().partial_fit(X, y, classes, **fit_params)
