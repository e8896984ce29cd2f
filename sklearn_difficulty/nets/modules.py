"""The paper's networks as torch modules that adapt to input shape and classes.

Hacohen & Weinshall, supplementary A: st-VGG, small st-VGG and the MNIST
network, with Xavier (Glorot uniform) initialisation, and the linear variants
of section 4.2 (activations replaced by the identity, max-pooling by
average-pooling). Each module returns logits: pair it with
``torch.nn.CrossEntropyLoss``, which applies the softmax of the paper.

:func:`resolve_module` also takes the names of torchvision's classification
architectures ("resnet18", "alexnet", ...; :mod:`.architectures`), built,
like the paper's networks, for the data's input shape and classes.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .architectures import Architecture, check_input_shape, is_architecture

__all__ = [
    "MODULES",
    "MNISTNet",
    "STVGG",
    "SmallSTVGG",
    "adapts_to_data",
    "is_paper_network",
    "resolve_module",
    "xavier_init",
]


def xavier_init(module: nn.Module) -> None:
    """Glorot-uniform weights and zero biases for every conv and linear layer.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from sklearn_difficulty.nets.modules import xavier_init
    >>> layer = nn.Linear(4, 3)
    >>> xavier_init(layer)
    >>> layer.bias
    Parameter containing:
    tensor([0., 0., 0.], requires_grad=True)
    >>> bool(layer.weight.abs().max() <= (6 / (4 + 3)) ** 0.5)
    True
    """
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d | nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


class _ConvNet(nn.Module):
    """Blocks of convolutions, then a dense layer, then the output layer.

    Every ``pool_every``-th convolution is followed by 2x2 pooling (max, or
    average when linear) and dropout, while the feature map is at least 2x2:
    on small images (8x8 digits) the later poolings are skipped.
    """

    def __init__(
        self,
        *,
        input_shape: Sequence[int],
        n_classes: int,
        filters: Sequence[int],
        kernel_sizes: Sequence[int],
        dense_units: int,
        padding: str,
        pool_every: int,
        linear: bool,
        dropout: bool,
    ):
        super().__init__()
        channels, height, width = check_input_shape(input_shape, n_classes)
        self.input_shape = (channels, height, width)
        self.n_classes = int(n_classes)
        self.linear = linear
        activation = nn.Identity if linear else nn.ReLU
        pool = nn.AvgPool2d if linear else nn.MaxPool2d
        layers: list[nn.Module] = []
        for index, (n_filters, size) in enumerate(
            zip(filters, kernel_sizes, strict=True), start=1
        ):
            if padding == "same" and size % 2 == 0:
                # Keras' "same" for an even kernel: the extra row and column of
                # zeros at the bottom and right, without torch's copy warning.
                layers += [nn.ZeroPad2d((0, size - 1, 0, size - 1))]
                layers += [nn.Conv2d(channels, n_filters, size)]
            else:
                layers += [nn.Conv2d(channels, n_filters, size, padding=padding)]
            layers += [activation()]
            channels = n_filters
            if padding == "valid":
                height, width = height - size + 1, width - size + 1
            if height < 1 or width < 1:
                raise ValueError(
                    f"images of shape {tuple(input_shape)} are too small for "
                    f"{type(self).__name__}."
                )
            if index % pool_every == 0:
                if height >= 2 and width >= 2:
                    layers.append(pool(2))
                    height, width = height // 2, width // 2
                if dropout:
                    layers.append(nn.Dropout(0.25))
        self.features = nn.Sequential(*layers)
        head: list[nn.Module] = [
            nn.Flatten(),
            nn.Linear(channels * height * width, dense_units),
            activation(),
        ]
        if dropout:
            head.append(nn.Dropout(0.5))
        head.append(nn.Linear(dense_units, self.n_classes))
        self.classifier = nn.Sequential(*head)
        xavier_init(self)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(X))


class STVGG(_ConvNet):
    """st-VGG: the stripped VGG of the paper.

    8 convolutions of 32, 32, 64, 64, 128, 128, 256, 256 filters (3x3 for the
    first 6, 2x2 for the last 2, "same" padding), 2x2 max-pooling and 0.25
    dropout after every second one, a dense layer of 512 units with 0.5
    dropout, and the output layer.

    Parameters
    ----------
    input_shape : tuple of int
        (channels, height, width) of the images.
    n_classes : int
        Number of classes (output units).
    linear : bool, default=False
        The linear variant: no non-linearity, average- instead of max-pooling.
    dropout : bool, default=True
        False removes both kinds of dropout (as for random labels).

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets import STVGG
    >>> STVGG(input_shape=(3, 32, 32), n_classes=5)(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 5])
    """

    def __init__(self, input_shape, n_classes, *, linear=False, dropout=True):
        super().__init__(
            input_shape=input_shape,
            n_classes=n_classes,
            filters=(32, 32, 64, 64, 128, 128, 256, 256),
            kernel_sizes=(3, 3, 3, 3, 3, 3, 2, 2),
            dense_units=512,
            padding="same",
            pool_every=2,
            linear=linear,
            dropout=dropout,
        )


class SmallSTVGG(_ConvNet):
    """small st-VGG: 4 convolutions of 32, 32, 64, 64 3x3 filters, dense 128.

    Parameters are those of :class:`STVGG`.

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets import SmallSTVGG
    >>> net = SmallSTVGG(input_shape=(3, 32, 32), n_classes=10)
    >>> net(torch.zeros(4, 3, 32, 32)).shape
    torch.Size([4, 10])
    """

    def __init__(self, input_shape, n_classes, *, linear=False, dropout=True):
        super().__init__(
            input_shape=input_shape,
            n_classes=n_classes,
            filters=(32, 32, 64, 64),
            kernel_sizes=(3, 3, 3, 3),
            dense_units=128,
            padding="same",
            pool_every=2,
            linear=linear,
            dropout=dropout,
        )


class MNISTNet(_ConvNet):
    """The paper's MNIST network: 2 unpadded 3x3 convolutions of 32 and 64
    filters, 2x2 max-pooling and 0.25 dropout, a dense layer of 128 units
    with 0.5 dropout, and the output layer.

    Parameters are those of :class:`STVGG`.

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets import MNISTNet
    >>> net = MNISTNet(input_shape=(1, 28, 28), n_classes=10)
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """

    def __init__(self, input_shape, n_classes, *, linear=False, dropout=True):
        super().__init__(
            input_shape=input_shape,
            n_classes=n_classes,
            filters=(32, 64),
            kernel_sizes=(3, 3),
            dense_units=128,
            padding="valid",
            pool_every=2,
            linear=linear,
            dropout=dropout,
        )


MODULES: dict[str, type[nn.Module]] = {
    "st_vgg": STVGG,
    "small_st_vgg": SmallSTVGG,
    "mnist": MNISTNet,
}


def resolve_module(module):
    """The module class (or callable) a name stands for; anything else as it is.

    Parameters
    ----------
    module : str, torch module class, instance or callable
        A name of :data:`MODULES` (the paper's networks), or of torchvision's
        classification architectures
        (:func:`~sklearn_difficulty.nets.architectures.list_architectures`).

    Returns
    -------
    module : torch module class, instance or callable
        The class of a paper's network; an
        :class:`~sklearn_difficulty.nets.architectures.Architecture`, which
        builds the network when called, for a torchvision name; ``module``
        itself when it is not a string.

    Examples
    --------
    >>> from sklearn_difficulty.nets.modules import resolve_module
    >>> resolve_module("st_vgg")
    <class 'sklearn_difficulty.nets.modules.STVGG'>
    >>> resolve_module("resnet18")
    Architecture(name='resnet18')
    """
    if not isinstance(module, str):
        return module
    if module in MODULES:
        return MODULES[module]
    if is_architecture(module):
        return Architecture(module)
    raise ValueError(
        f"unknown module {module!r}: use one of {sorted(MODULES)}, a name of "
        "torchvision.models.list_models(module=torchvision.models) (e.g. "
        "'resnet18', 'alexnet', 'densenet121', 'vgg16'), or a torch.nn.Module "
        "class."
    )


def adapts_to_data(module) -> bool:
    """Whether ``module`` is built for the data: given ``input_shape`` and
    ``n_classes``.

    True for the paper's networks (their classes and subclasses), for
    torchvision's architectures (:func:`resolve_module` of their names), and
    for module classes whose class attribute ``adapts_to_data`` is True.

    Examples
    --------
    >>> from sklearn_difficulty.nets.modules import adapts_to_data, resolve_module
    >>> adapts_to_data(resolve_module("mnist")), adapts_to_data(resolve_module("vgg16"))
    (True, True)
    """
    if isinstance(module, Architecture):
        return True
    return isinstance(module, type) and (
        issubclass(module, _ConvNet) or getattr(module, "adapts_to_data", False)
    )


def is_paper_network(network) -> bool:
    """Whether ``network`` (an instance) is one of the paper's networks.

    They (and their subclasses) are a ``features`` and a ``classifier``
    sequence of plain layers, which the vectorised trainer can run as
    grouped convolutions.

    Examples
    --------
    >>> from sklearn_difficulty.nets.modules import MNISTNet, is_paper_network
    >>> is_paper_network(MNISTNet((1, 8, 8), 10))
    True
    """
    return isinstance(network, _ConvNet)
