"""How a torchvision network is adapted to the data it is built for.

Its first convolution rebuilt for the images' channels
(:func:`adapt_channels`), and the small-input rule of four families
(:data:`SMALL_INPUT_RULES`, by :func:`family_of`); the table is in
:mod:`sklearn_difficulty.nets.architectures`, which builds the networks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ._torch import replace_submodule

__all__ = ["SMALL_INPUT_RULES", "adapt_channels", "family_of"]

# Families -------------------------------------------------------------------

_FAMILIES: dict[str, tuple[str, ...]] = {
    "resnet": ("resnet", "resnext", "wide_resnet"),
    "densenet": ("densenet",),
    "alexnet": ("alexnet",),
    "vgg": ("vgg",),
    "vit": ("vit_",),
    "maxvit": ("maxvit",),
    "googlenet": ("googlenet",),
    "inception": ("inception",),
}


def family_of(name: str) -> str:
    """The family of a torchvision architecture ("resnet" for "resnext50_32x4d")."""
    for family, prefixes in _FAMILIES.items():
        if name.startswith(prefixes):
            return family
    return name


def _first_conv(model: nn.Module) -> tuple[str, nn.Conv2d]:
    for path, layer in model.named_modules():
        if isinstance(layer, nn.Conv2d):
            return path, layer
    raise ValueError(f"{type(model).__name__} has no convolution.")  # pragma: no cover


def _stem_conv(old: nn.Conv2d, channels: int, *, bias: bool) -> nn.Conv2d:
    """A 3x3 convolution of stride 1 in place of ``old``, on ``channels`` channels."""
    return nn.Conv2d(
        channels,
        old.out_channels,
        kernel_size=3,
        stride=1,
        padding=1,
        bias=bias,
        device=old.weight.device,
        dtype=old.weight.dtype,
    )


def adapt_channels(model: nn.Module, channels: int) -> None:
    """Rebuild the first convolution of ``model`` for ``channels`` input channels.

    Its weights are those of the old convolution for the first channels,
    repeated in turn beyond its own number of channels: each keeps the
    architecture's initial distribution. Nothing changes when the numbers
    already agree.
    """
    path, old = _first_conv(model)
    if old.in_channels == channels:
        return
    new = nn.Conv2d(
        channels,
        old.out_channels,
        kernel_size=old.kernel_size,  # type: ignore[arg-type]
        stride=old.stride,  # type: ignore[arg-type]
        padding=old.padding,  # type: ignore[arg-type]
        dilation=old.dilation,  # type: ignore[arg-type]
        groups=1,
        bias=old.bias is not None,
        padding_mode=old.padding_mode,
        device=old.weight.device,
        dtype=old.weight.dtype,
    )
    with torch.no_grad():
        new.weight.copy_(old.weight[:, [i % old.in_channels for i in range(channels)]])
        if old.bias is not None and new.bias is not None:
            new.bias.copy_(old.bias)
    replace_submodule(model, path, new)


def _resnet_small_input(model: Any, channels: int) -> None:
    model.conv1 = _stem_conv(model.conv1, channels, bias=False)
    nn.init.kaiming_normal_(model.conv1.weight, mode="fan_out", nonlinearity="relu")
    model.maxpool = nn.Identity()


def _densenet_small_input(model: Any, channels: int) -> None:
    features = model.features
    features.conv0 = _stem_conv(features.conv0, channels, bias=False)
    nn.init.kaiming_normal_(features.conv0.weight)
    features.pool0 = nn.Identity()


def _alexnet_small_input(model: Any, channels: int) -> None:
    model.features[0] = _stem_conv(model.features[0], channels, bias=True)


def _vgg_small_input(model: Any, channels: int) -> None:
    adapt_channels(model, channels)
    for layer in model.features:
        if isinstance(layer, nn.MaxPool2d):
            layer.ceil_mode = True
    model.avgpool = nn.AdaptiveAvgPool2d(1)
    width = [c for c in model.features if isinstance(c, nn.Conv2d)][-1].out_channels
    old = model.classifier
    dropout = next(layer.p for layer in old if isinstance(layer, nn.Dropout))
    device, dtype = old[0].weight.device, old[0].weight.dtype
    n_classes = old[-1].out_features
    linears = [
        nn.Linear(width, 512, device=device, dtype=dtype),
        nn.Linear(512, 512, device=device, dtype=dtype),
        nn.Linear(512, n_classes, device=device, dtype=dtype),
    ]
    for linear in linears:  # torchvision's VGG initialisation of dense layers
        nn.init.normal_(linear.weight, 0, 0.01)
        nn.init.zeros_(linear.bias)
    model.classifier = nn.Sequential(
        linears[0],
        nn.ReLU(True),
        nn.Dropout(dropout),
        linears[1],
        nn.ReLU(True),
        nn.Dropout(dropout),
        linears[2],
    )


SMALL_INPUT_RULES: dict[str, Callable[[nn.Module, int], None]] = {
    "resnet": _resnet_small_input,
    "densenet": _densenet_small_input,
    "alexnet": _alexnet_small_input,
    "vgg": _vgg_small_input,
}
"""The adaptation of each family for small images: ``rule(model, channels)``
changes a torchvision network in place (the table of
:mod:`sklearn_difficulty.nets.architectures`)."""
