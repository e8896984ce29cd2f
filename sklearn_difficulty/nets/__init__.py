"""Neural networks as members: the paper's CNNs and torchvision's, a skorch
classifier, a vectorised trainer, and their recorders.

- ``_torch``: torch plumbing (devices, GPU placement, seeding streams, image
  layout, mixed precision, DataLoader settings);
- ``modules``: the paper's networks; ``architectures``: torchvision's
  (adapted to the data by ``_adaptations``); ``recipes``: the paper's
  training recipe of each;
- ``skorch_cnn``: :class:`SkorchCNN`; ``skorch_callback``: the callback
  :class:`EpochPredictionRecorder` (an eval-mode pass after epochs or
  optimiser steps); ``skorch_recorder``: the "skorch" recorder;
- ``vectorised``: :class:`VectorisedCNN` and :class:`VectorisedMLP`, which
  train N members as one batched model, and their recorder.

Needs the ``torch`` extra: ``pip install "sklearn-difficulty[torch]"``.
"""

try:
    import skorch  # noqa: F401
    import torch  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "sklearn_difficulty.nets needs torch and skorch; install them with "
        'pip install "sklearn-difficulty[torch]"'
    ) from error

from ._torch import images_to_nchw, resolve_device, spread_over_gpus
from .architectures import Architecture, build_architecture, list_architectures
from .modules import MODULES, STVGG, MNISTNet, SmallSTVGG, xavier_init
from .recipes import RECIPES, Recipe, recipe_for
from .skorch_cnn import SkorchCNN
from .skorch_recorder import EpochPredictionRecorder, SkorchRecorder
from .vectorised import VectorisedCNN, VectorisedMLP, VectorisedRecorder

__all__ = [
    "Architecture",
    "MODULES",
    "RECIPES",
    "STVGG",
    "EpochPredictionRecorder",
    "MNISTNet",
    "Recipe",
    "SkorchCNN",
    "SkorchRecorder",
    "SmallSTVGG",
    "VectorisedCNN",
    "VectorisedMLP",
    "VectorisedRecorder",
    "build_architecture",
    "images_to_nchw",
    "list_architectures",
    "recipe_for",
    "resolve_device",
    "spread_over_gpus",
    "xavier_init",
]
