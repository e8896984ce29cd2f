"""torchvision's classification architectures, built for the data, from scratch.

The paper compares its own networks with public architectures (AlexNet,
DenseNet, ResNet-50 on ImageNet, VGG16 on CIFAR; section 4 and
supplementary A). Any name of ``torchvision.models.list_models(
module=torchvision.models)`` (:func:`list_architectures`) is a member: give
it to :class:`~sklearn_difficulty.nets.SkorchCNN` as ``module="resnet18"``
(``"resnet50"``, ``"alexnet"``, ``"densenet121"``, ``"vgg16"``, ...). The
network is built by :func:`build_architecture`:

- **from scratch**: ``weights=None``, with torchvision's own initialisation
  of the architecture; no weights are ever downloaded;
- **classes** from the data: ``num_classes=n_classes``;
- **channels** from the data: for images of other than 3 channels (grey
  images have 1) the first convolution is rebuilt with that many input
  channels; its weights are those torchvision drew for the first channels
  (repeated in turn beyond 3), so each weight keeps the architecture's
  initial distribution. Grey images are never copied to 3 channels;
- **image size** from the data where the architecture is built for one size:
  ViT's ``image_size`` (square images, a side a multiple of the patch size)
  and MaxViT's ``input_size`` (sides multiples of 224);
- GoogLeNet and Inception v3 without their auxiliary classifiers
  (``aux_logits=False``: the network returns the logits alone) and with
  torchvision's initialisation asked for explicitly (``init_weights=True``).

**Small inputs.** torchvision's networks are built for ImageNet's 224-pixel
images: their first layers divide the size by 4 (ResNet, DenseNet) or more
(AlexNet), which leaves little of a 32-pixel CIFAR image, or nothing. With
``small_input=True`` four families take the adaptation that the CIFAR
versions of these networks use; ``small_input="auto"`` (the default) takes
it when the images are smaller than 64 pixels (height or width) and the
family has one; ``small_input=False`` keeps torchvision's network as it is.

=========================================  ======================================
family (names)                             ``small_input=True``
=========================================  ======================================
ResNet (``resnet*``, ``resnext*``,         ``conv1`` 7x7 stride 2 becomes 3x3
``wide_resnet*``)                          stride 1, and no max-pool
                                           (``maxpool``): the CIFAR ResNet stem
DenseNet (``densenet*``)                   ``features.conv0`` 7x7 stride 2
                                           becomes 3x3 stride 1, and no max-pool
                                           (``features.pool0``): DenseNet-BC's
                                           CIFAR stem
AlexNet (``alexnet``)                      ``features[0]`` 11x11 stride 4
                                           becomes 3x3 stride 1
VGG (``vgg*``, ``vgg*_bn``)                max-pools round up (``ceil_mode``:
                                           28 pixels end at 1x1, as 32 do); a
                                           1x1 average pool and hidden layers of
                                           512 units instead of 7x7 and 4096:
                                           the CIFAR VGG
all other families                         none: ``True`` is an error, ``"auto"``
                                           keeps the network
=========================================  ======================================

Each new layer gets torchvision's initialisation for its kind in that
architecture (ResNet: Kaiming normal, fan out; DenseNet: Kaiming normal;
AlexNet: torch's default; VGG's dense layers: normal, std 0.01).

**Smallest images.** An image too small for an architecture is a
``ValueError`` that names the architecture and the smallest side it takes,
found by running the network on meta tensors (shapes only, no computation;
:func:`minimum_input_size`). For instance (any number of channels):

=====================  ========================  ====================
network                ``small_input=False``     ``small_input=True``
=====================  ========================  ====================
resnet18, resnet50     1                         1
densenet121            29                        8
alexnet                63                        15
vgg11, vgg16           32                        1
googlenet              15                        --
squeezenet1_0          21                        --
convnext_tiny          32                        --
inception_v3           75                        --
efficientnet_b0        1                         --
swin_t                 4                         --
vit_b_16               16 (square, multiples)    --
maxvit_t               224 (multiples)           --
=====================  ========================  ====================

**Training.** The paper gives no recipe for these networks, only that
"hyper-parameters ... may differ between various architectures"
(supplementary C), so
:func:`~sklearn_difficulty.nets.recipes.recipe_for` gives them st-VGG's, the
one the paper used for most experiments (SGD, learning rate 0.05 divided by
1.8 every 20 epochs, 140 epochs, batches of 100). torchvision's ImageNet
recipe is ``optimizer="sgd", lr=0.1, optimizer__momentum=0.9,
optimizer__weight_decay=1e-4`` (0.01 for AlexNet and VGG), divided by 10
every 30 of 90 epochs (``lr_step=30, lr_decay=10, max_epochs=90``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import torch
from torch import nn

from ._adaptations import SMALL_INPUT_RULES, adapt_channels, family_of

__all__ = [
    "SMALL_INPUT_BELOW",
    "SMALL_INPUT_RULES",
    "Architecture",
    "build_architecture",
    "is_architecture",
    "list_architectures",
    "minimum_input_size",
]

SMALL_INPUT_BELOW = 64
"""``small_input="auto"`` adapts images smaller than this (height or width)."""

_LARGEST_SIDE = 4096  # the largest side the search for the smallest one tries
_META_ERRORS = (RuntimeError, ValueError, AssertionError, IndexError)


def _torchvision_models():
    try:
        from torchvision import models
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "torchvision's architectures need torchvision; install it with "
            'pip install "sklearn-difficulty[torch]"'
        ) from error
    return models


@functools.cache
def list_architectures() -> tuple[str, ...]:
    """The names of torchvision's classification architectures.

    Returns
    -------
    names : tuple of str
        ``torchvision.models.list_models(module=torchvision.models)``, sorted.

    Examples
    --------
    >>> from sklearn_difficulty.nets.architectures import list_architectures
    >>> {"alexnet", "densenet121", "resnet18", "vgg16"} <= set(list_architectures())
    True
    """
    models = _torchvision_models()
    return tuple(sorted(models.list_models(module=models)))


def is_architecture(name) -> bool:
    """Whether ``name`` is one of :func:`list_architectures`.

    Examples
    --------
    >>> from sklearn_difficulty.nets.architectures import is_architecture
    >>> is_architecture("resnet18"), is_architecture("st_vgg")
    (True, False)
    """
    return isinstance(name, str) and name in list_architectures()


def _check_name(name) -> str:
    if not is_architecture(name):
        raise ValueError(
            f"unknown torchvision architecture {name!r}: use one of "
            "torchvision.models.list_models(module=torchvision.models), e.g. "
            "'resnet18', 'resnet50', 'alexnet', 'densenet121' or 'vgg16'."
        )
    return name


def _uses_small_input(name: str, shape: tuple[int, int, int], small_input) -> bool:
    if not (isinstance(small_input, bool | np.bool_) or _is_auto(small_input)):
        raise ValueError(
            f"small_input must be 'auto', True or False; got {small_input!r}."
        )
    has_rule = family_of(name) in SMALL_INPUT_RULES
    if not _is_auto(small_input) and small_input and not has_rule:
        raise ValueError(
            f"{name} has no small-input rule (small_input=True); the families "
            "with one are ResNet (resnet*, resnext*, wide_resnet*), DenseNet, "
            "AlexNet and VGG. Use small_input='auto' or False."
        )
    if _is_auto(small_input):
        return has_rule and min(shape[1:]) < SMALL_INPUT_BELOW
    return bool(small_input)


def _is_auto(value) -> bool:
    return isinstance(value, str) and value == "auto"


def _size_kwargs(name: str, shape: tuple[int, int, int]) -> dict:
    """The family's constructor arguments: the image size from the data, and
    no auxiliary classifiers (the network returns the logits alone)."""
    family = family_of(name)
    if family in ("googlenet", "inception"):
        return {"aux_logits": False, "init_weights": True}
    if family == "vit":
        if shape[1] != shape[2]:
            raise ValueError(
                f"{name} takes square images (its image_size); got images of "
                f"shape {shape}."
            )
        return {"image_size": shape[1]}
    if family == "maxvit":
        return {"input_size": shape[1:]}
    return {}


def check_input_shape(
    input_shape: Sequence[int], n_classes: int
) -> tuple[int, int, int]:
    """(channels, height, width) as ints; an error for a bad shape or < 2 classes."""
    shape = tuple(int(d) for d in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(
            f"input_shape must be (channels, height, width); got {input_shape!r}."
        )
    if int(n_classes) < 2:
        raise ValueError(f"n_classes must be at least 2; got {n_classes!r}.")
    return shape  # type: ignore[return-value]


# Building -------------------------------------------------------------------


def _build(
    name: str, shape: tuple[int, int, int], n_classes: int, small: bool, kwargs
) -> nn.Module:
    for given, why in (
        ("weights", "the networks are trained from scratch (weights=None)"),
        ("num_classes", "the number of classes comes from the data (n_classes)"),
    ):
        if given in kwargs:
            raise ValueError(f"{given} cannot be given for {name}: {why}.")
    kwargs = {**_size_kwargs(name, shape), **kwargs}
    models = _torchvision_models()
    try:
        model = models.get_model(name, weights=None, num_classes=n_classes, **kwargs)
    except (ValueError, AssertionError) as error:
        raise ValueError(
            f"torchvision's {name} cannot be built for images of shape {shape}: {error}"
        ) from error
    if small:
        SMALL_INPUT_RULES[family_of(name)](model, shape[0])
    else:
        adapt_channels(model, shape[0])
    return model


def _runs_on(model: nn.Module, shape: tuple[int, int, int]) -> bool:
    """Whether ``model`` takes images of ``shape``: a pass on meta tensors."""
    tensors = {
        path: torch.empty_like(tensor, device="meta")
        for path, tensor in chain(model.named_parameters(), model.named_buffers())
    }
    training = model.training
    model.eval()
    try:
        with torch.no_grad():
            torch.func.functional_call(
                model, tensors, (torch.empty(2, *shape, device="meta"),)
            )
    except _META_ERRORS:
        return False
    finally:
        model.train(training)
    return True


def _smallest_side(model: nn.Module, channels: int, above: int = 0) -> int | None:
    """The smallest side of square images ``model`` takes, known to be over
    ``above``: doubled until the network runs, then halved back (None: not
    even 4096 pixels)."""
    low, high = above, max(1, 2 * above)  # low fails (or is 0)
    while not _runs_on(model, (channels, high, high)):
        if high >= _LARGEST_SIDE:
            return None
        low, high = high, min(2 * high, _LARGEST_SIDE)
    while high - low > 1:  # low fails, high runs
        middle = (low + high) // 2
        if _runs_on(model, (channels, middle, middle)):
            high = middle
        else:
            low = middle
    return high


def minimum_input_size(
    name: str, *, small_input: bool = False, channels: int = 3, **kwargs
) -> int:
    """The smallest side of the images a torchvision architecture takes.

    Found by running the network on meta tensors (shapes only, nothing
    computed), for square images of ``channels`` channels.

    Parameters
    ----------
    name : str
        One of :func:`list_architectures`.
    small_input : bool, default=False
        With the family's adaptation to small images (see the module
        docstring).
    channels : int, default=3
        Channels of the images.
    **kwargs
        Other arguments of the torchvision constructor.

    Returns
    -------
    side : int
        The smallest height and width, in pixels. For ViT, its patch size
        (the side must be a multiple of it); for MaxViT, 224 (the sides
        must be multiples of it).

    Examples
    --------
    >>> from sklearn_difficulty.nets.architectures import minimum_input_size
    >>> minimum_input_size("alexnet"), minimum_input_size("alexnet", small_input=True)
    (63, 15)
    """
    _check_name(name)
    if not isinstance(small_input, bool | np.bool_):
        raise ValueError(f"small_input must be True or False; got {small_input!r}.")
    small_input = bool(small_input)
    _uses_small_input(name, (channels, 1, 1), small_input)  # a rule for True
    family = family_of(name)
    side = 224
    with torch.random.fork_rng(devices=[]):
        try:
            with torch.device("meta"):
                model = _build(name, (channels, side, side), 2, small_input, kwargs)
        except NotImplementedError:  # a constructor that reads tensors (RegNet)
            model = _build(name, (channels, side, side), 2, small_input, kwargs)
    if family == "vit":
        vit: Any = model
        return int(vit.patch_size)
    if family == "maxvit":
        return side
    smallest = _smallest_side(model, channels)
    if smallest is None:  # pragma: no cover - no such torchvision network
        raise ValueError(f"{name} takes no image up to {_LARGEST_SIDE} pixels.")
    return smallest


def _check_fits(
    model: nn.Module, name: str, shape: tuple[int, int, int], small: bool, kwargs
) -> None:
    if _runs_on(model, shape):
        return
    smallest = _smallest_side(model, shape[0], above=min(shape[1:]))
    if smallest is None or smallest <= min(shape[1:]):
        return  # not a matter of size: torch says what it is at the first batch
    hint = ""
    if not small and family_of(name) in SMALL_INPUT_RULES:
        adapted = minimum_input_size(
            name, small_input=True, channels=shape[0], **kwargs
        )
        hint = f" ({adapted}x{adapted} with small_input=True)"
    raise ValueError(
        f"images of shape {shape} are too small for {name} "
        f"(small_input={small}): it takes images of at least "
        f"{smallest}x{smallest} pixels{hint}."
    )


def build_architecture(
    name: str,
    input_shape: Sequence[int],
    n_classes: int,
    *,
    small_input: bool | str = "auto",
    **kwargs,
) -> nn.Module:
    """A torchvision classification network for images of ``input_shape``.

    Built from scratch (``weights=None``) with ``num_classes=n_classes``, its
    first convolution rebuilt for the images' channels, and, for small
    images, the family's adaptation (see the module docstring).

    Parameters
    ----------
    name : str
        One of :func:`list_architectures`: "resnet18", "resnet50", "alexnet",
        "densenet121", "vgg16", ...
    input_shape : tuple of int
        (channels, height, width) of the images.
    n_classes : int
        Number of classes (output units).
    small_input : "auto" or bool, default="auto"
        True adapts the network to small images (ResNet, DenseNet, AlexNet and
        VGG only); "auto" does when the images are smaller than
        :data:`SMALL_INPUT_BELOW` (64) pixels and the family has a rule.
    **kwargs
        Other arguments of the torchvision constructor (``dropout=0.2``);
        not ``weights`` nor ``num_classes``.

    Returns
    -------
    model : torch.nn.Module
        The torchvision network (``torchvision.models.ResNet``, ...).

    Raises
    ------
    ValueError
        An unknown name, an invalid ``small_input``, or images too small for
        the network (the message names the smallest side it takes).

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets.architectures import build_architecture
    >>> net = build_architecture("resnet18", (1, 28, 28), n_classes=10)
    >>> net.conv1, net.maxpool
    (Conv2d(1, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False), \
Identity())
    >>> net(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])
    """
    _check_name(name)
    shape = check_input_shape(input_shape, n_classes)
    small = _uses_small_input(name, shape, small_input)
    model = _build(name, shape, int(n_classes), small, kwargs)
    _check_fits(model, name, shape, small, kwargs)
    return model


@dataclass(frozen=True)
class Architecture:
    """A torchvision architecture by name: called, it builds the network.

    What :func:`~sklearn_difficulty.nets.modules.resolve_module` gives for a
    torchvision name, and what :class:`~sklearn_difficulty.nets.SkorchCNN`
    calls with the data's ``input_shape`` and ``n_classes`` and the
    ``module__*`` parameters (``module__small_input=True``).

    Parameters
    ----------
    name : str
        One of :func:`list_architectures`.

    Examples
    --------
    >>> from sklearn_difficulty.nets.architectures import Architecture
    >>> net = Architecture("alexnet")(input_shape=(3, 32, 32), n_classes=4)
    >>> net.features[0]
    Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    """

    name: str

    def __post_init__(self):
        _check_name(self.name)

    def __call__(
        self,
        input_shape: Sequence[int],
        n_classes: int,
        *,
        small_input: bool | str = "auto",
        **kwargs,
    ) -> nn.Module:
        return build_architecture(
            self.name, input_shape, n_classes, small_input=small_input, **kwargs
        )
