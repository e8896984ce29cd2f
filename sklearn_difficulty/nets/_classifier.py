"""SkorchCNN: a skorch classifier with the paper's networks and training recipe."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import LRScheduler
from skorch.dataset import Dataset
from skorch.utils import is_dataset
from torch.optim.lr_scheduler import StepLR

from ..exceptions import DeviceWarning
from .modules import adapts_to_data, resolve_module

_CHANNEL_COUNTS = (1, 3, 4)


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
    if X.ndim != 4:
        hint = ""
        if X.ndim == 2:
            hint = (
                " Flattened images must be reshaped first, e.g. "
                "X.reshape(-1, 1, 8, 8) for the digits."
            )
        elif X.ndim == 3:
            hint = " Add the channel axis of grey images: X[:, np.newaxis]."
        raise ValueError(
            "images must be an array of shape (n_samples, channels, height, width) "
            f"or (n_samples, height, width, channels); got shape {X.shape}.{hint}"
        )
    if X.dtype.kind not in "biuf":
        raise ValueError(f"images must be numbers; got an array of dtype {X.dtype}.")
    if channels == "auto":
        first, last = X.shape[1] in _CHANNEL_COUNTS, X.shape[3] in _CHANNEL_COUNTS
        if not (first or last):
            raise ValueError(
                f"cannot tell the channel axis of images of shape {X.shape}: "
                "neither axis 1 nor axis 3 has 1, 3 or 4 channels. Set "
                "channels='first' or channels='last'."
            )
        channels = "first" if first else "last"
    if channels == "last":
        X = X.transpose(0, 3, 1, 2)
    elif channels != "first":
        raise ValueError(
            f"channels must be 'auto', 'first' or 'last'; got {channels!r}."
        )
    return np.ascontiguousarray(X, dtype=np.float32)


def resolve_device(device) -> str:
    """The device to run on: ``device``, or "cpu" with a warning when CUDA is absent."""
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


class SkorchCNN(NeuralNetClassifier):
    """A skorch classifier with the paper's networks and training recipe.

    Defaults follow Hacohen & Weinshall, supplementary A: SGD with learning
    rate 0.05 divided by 1.8 every 20 epochs, batches of 100, cross-entropy,
    140 epochs, Xavier initialisation, all the training data (no hidden
    validation split) in a shuffled order every epoch. Every part can be
    changed like any skorch parameter (``module__linear=True``,
    ``optimizer__momentum=0.9``, ``callbacks__lr_scheduler__step_size=10``).

    Images are numpy arrays of shape (n_samples, C, H, W) or
    (n_samples, H, W, C), converted to float32; labels are class indices
    0..n_classes-1, as for any skorch classifier.

    Parameters
    ----------
    module : {"st_vgg", "small_st_vgg", "mnist"}, torch module class or instance, \
default="st_vgg"
        The network. The paper's networks get ``input_shape`` and
        ``n_classes`` from the data; set ``module__linear=True`` for their
        linear variant and ``module__dropout=False`` to remove dropout.
    criterion : torch loss class, default=torch.nn.CrossEntropyLoss
    optimizer : torch optimizer class, default=torch.optim.SGD
    lr : float, default=0.05
    max_epochs : int, default=140
    batch_size : int, default=100
    lr_step : int, default=20
        Epochs between two divisions of the learning rate.
    lr_decay : float, default=1.8
        What the learning rate is divided by every ``lr_step`` epochs.
    channels : {"auto", "first", "last"}, default="auto"
        Where the channel axis of the images is.
    train_split : callable or None, default=None
        skorch's validation split; None trains on all the data.
    device : str, default="cpu"
        "cuda" runs on the GPU when one is there, else on the CPU with a
        :class:`~sklearn_difficulty.DeviceWarning`.
    verbose : int, default=0
        skorch's per-epoch log.
    **kwargs
        Any other skorch parameter.

    Examples
    --------
    >>> from sklearn_difficulty.datasets import load_digits_images
    >>> from sklearn_difficulty.nets import SkorchCNN
    >>> X, y = load_digits_images(return_X_y=True)
    >>> net = SkorchCNN("mnist", max_epochs=2).fit(X[:200], y[:200])
    >>> net.predict(X[:3]).shape
    (3,)
    """

    def __init__(
        self,
        module="st_vgg",
        *,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        lr=0.05,
        max_epochs=140,
        batch_size=100,
        lr_step=20,
        lr_decay=1.8,
        channels="auto",
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

    @property
    def _default_callbacks(self):
        schedule = LRScheduler(
            policy=StepLR, step_size=self.lr_step, gamma=1 / self.lr_decay
        )
        return [*super()._default_callbacks, ("lr_scheduler", schedule)]

    def initialize(self):
        self.device = resolve_device(self.device)
        return super().initialize()

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        module = resolve_module(self.module)
        if adapts_to_data(module):
            if not hasattr(self, "input_shape_"):
                raise ValueError(
                    "the network's input shape comes from the data: call fit, "
                    "or pass module__input_shape and module__n_classes."
                )
            kwargs.setdefault("input_shape", self.input_shape_)
            kwargs.setdefault("n_classes", self.n_classes_)
        self.module_ = self.initialized_instance(module, kwargs)
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
        if not is_dataset(X):
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
