"""Image data sets: numpy arrays (digits, MNIST, CIFAR) and lazy torch Datasets.

Every array loader returns images of shape (n_samples, channels, height,
width) as float32 in [0, 1] and labels as int64. MNIST and CIFAR are read
from a local folder in their standard formats and downloaded (through
torchvision) only when asked with ``download=True``.

Data sets too large for memory are map-style torch Datasets of ``(image,
label)`` that read each image file when it is indexed: ``load_image_folder``
(torchvision's ImageFolder layout), ``load_tiny_imagenet`` and
``load_imagenet_folders``; ``as_dataset`` wraps what an array loader returns.
Each exposes ``targets`` (int64 labels, known without opening an image) and
``classes``, and pickles to a few hundred bytes whatever its number of files.
An image folder from elsewhere cannot loop, hang or blow up memory: each real
folder is walked once, files that are not regular files are skipped (with a
warning), an image of more than ``max_pixels`` pixels (``DEFAULT_MAX_PIXELS``,
Pillow's limit) is a ValueError, and images of mixed sizes are found when
the data set is made.
They need the ``torch`` extra, imported when first used; their classes
(``ImageFolderDataset``, ``TinyImageNetDataset``, ``ImageNetFoldersDataset``,
``ArrayImageDataset``, ``Augmented`` and the base class ``ImageFilesDataset``)
can be imported from this module too.

The modules, one concept each: ``_file_formats`` (the readers of MNIST's and
CIFAR's files), ``_array_loaders`` (the loaders that return arrays),
``_image_listing`` (the image files of a folder layout, without torch),
``_image_reading`` (an image file checked before it is decoded),
``_file_datasets``, ``_array_dataset`` and ``_augmented`` (the torch
Datasets) and ``_torch_loaders`` (the loaders that return torch Datasets).
"""

from __future__ import annotations

from typing import Any

from . import _torch_loaders
from ._array_loaders import CIFAR10_CLASSES as CIFAR10_CLASSES  # public, as today
from ._array_loaders import (
    CIFAR100_SUPERCLASSES,
    load_cifar10,
    load_cifar100,
    load_cifar100_superclass,
    load_digits_images,
    load_mnist,
)
from ._image_listing import DEFAULT_MAX_PIXELS, IMAGE_EXTENSIONS
from ._image_listing import ImageFiles as ImageFiles  # the listing hook's result
from ._torch_loaders import (
    as_dataset,
    augmented,
    load_image_folder,
    load_imagenet_folders,
    load_tiny_imagenet,
)

__all__ = [
    "CIFAR100_SUPERCLASSES",
    "DEFAULT_MAX_PIXELS",
    "IMAGE_EXTENSIONS",
    "as_dataset",
    "augmented",
    "load_cifar10",
    "load_cifar100",
    "load_cifar100_superclass",
    "load_digits_images",
    "load_image_folder",
    "load_imagenet_folders",
    "load_mnist",
    "load_tiny_imagenet",
]


def __getattr__(name: str) -> Any:
    """The torch Datasets, imported (with torch) when first asked for."""
    if name in _torch_loaders.TORCH_DATASETS:
        return _torch_loaders.torch_dataset(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_torch_loaders.TORCH_DATASETS])
