"""The loaders that return torch Datasets, importing torch only when called.

``load_image_folder``, ``load_tiny_imagenet`` and ``load_imagenet_folders``
make the lazy Datasets of image files (:mod:`._file_datasets`); ``as_dataset``
wraps what an array loader returns (:mod:`._array_dataset`); ``augmented``
gives members a random transform to train on. The classes themselves are
reached through :func:`torch_dataset`, which imports their module (and torch)
when first asked and says which extra to install when torch is missing.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sklearn.utils import Bunch

from ._image_listing import DEFAULT_MAX_PIXELS, IMAGE_EXTENSIONS

if TYPE_CHECKING:
    from ._array_dataset import ArrayImageDataset
    from ._file_datasets import (
        ImageFolderDataset,
        ImageNetFoldersDataset,
        TinyImageNetDataset,
    )

__all__ = [
    "TORCH_DATASETS",
    "as_dataset",
    "augmented",
    "load_image_folder",
    "load_imagenet_folders",
    "load_tiny_imagenet",
    "torch_dataset",
]

#: Each torch Dataset class, by the module of this package that defines it.
TORCH_DATASETS = {
    "ArrayImageDataset": "_array_dataset",
    "Augmented": "_augmented",
    "ImageFilesDataset": "_file_datasets",
    "ImageFolderDataset": "_file_datasets",
    "ImageNetFoldersDataset": "_file_datasets",
    "TinyImageNetDataset": "_file_datasets",
}


def torch_dataset(name: str) -> Any:
    """The torch Dataset class ``name`` (one of ``TORCH_DATASETS``), imported now.

    Without torch or pillow, an ImportError that names the extra to install.
    """
    try:
        module = importlib.import_module(f"{__package__}.{TORCH_DATASETS[name]}")
    except ImportError as error:
        raise ImportError(
            "the image datasets of sklearn_difficulty.datasets need torch and "
            'pillow; install them with pip install "sklearn-difficulty[torch]"'
        ) from error
    return getattr(module, name)


def load_image_folder(
    root: str | os.PathLike,
    *,
    classes: Sequence[str] | None = None,
    extensions: str | Sequence[str] = IMAGE_EXTENSIONS,
    mode: str = "RGB",
    transform: Callable[[Any], Any] | None = None,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> ImageFolderDataset:
    """Images in ``root/<class>/<files>`` as a lazy torch Dataset of (image, label).

    The classes, labels and order of the examples are those of
    ``torchvision.datasets.ImageFolder``; the files are listed once without
    opening any image, each image is read when indexed, and the dataset
    pickles to a few hundred bytes (the file list is not pickled but listed
    again where it is unpickled). Needs the ``torch`` extra. See
    :class:`ImageFolderDataset`.

    Parameters
    ----------
    root : str or path-like
        The folder holding one sub-folder per class.
    classes : sequence of str, default=None
        The class folders to read, in label order; None reads every sub-folder
        of ``root``, sorted by name.
    extensions : str or sequence of str, default=IMAGE_EXTENSIONS
        The file name endings (in any case) of images.
    mode : {"RGB", "L"}, default="RGB"
        The PIL mode each image is converted to: three channels, or one grey.
    transform : callable, default=None
        Applied to each PIL image, as in torchvision; None gives a float32
        tensor CxHxW of the pixels / 255.
    max_pixels : int or None, default=DEFAULT_MAX_PIXELS
        The most pixels (width x height) an image file may have, checked from
        its header before it is decoded (a ValueError naming the file);
        89,478,485, Pillow's own limit; None for no limit (trusted files).

    Returns
    -------
    dataset : ImageFolderDataset
        With ``targets`` (int64), ``classes``, ``class_to_idx``, ``samples``.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from sklearn_difficulty.datasets import load_image_folder
    >>> root = Path(tempfile.mkdtemp())
    >>> for name in ("b", "a", "b"):
    ...     (root / name).mkdir(exist_ok=True)
    ...     n = len(list((root / name).iterdir()))
    ...     Image.new("RGB", (2, 2), (255, 0, 0)).save(root / name / f"{n}.png")
    >>> dataset = load_image_folder(root)
    >>> dataset.classes, dataset.targets, dataset[0][0][:, 0, 0]
    (['a', 'b'], array([0, 1, 1]), tensor([1., 0., 0.]))
    >>> shutil.rmtree(root)
    """
    return torch_dataset("ImageFolderDataset")(
        root,
        classes=classes,
        extensions=extensions,
        mode=mode,
        transform=transform,
        max_pixels=max_pixels,
    )


def load_tiny_imagenet(
    root: str | os.PathLike,
    *,
    subset: str = "train",
    mode: str = "RGB",
    transform: Callable[[Any], Any] | None = None,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> TinyImageNetDataset:
    """Tiny ImageNet in its standard layout as a lazy torch Dataset of (image, label).

    Reads ``root/wnids.txt``, then ``root/train/<wnid>/images/*.JPEG`` or
    ``root/val/images/*.JPEG`` labelled by ``root/val/val_annotations.txt``.
    Label k is the k-th wnid in sorted order (as torchvision's ImageFolder on
    ``root/train``), not in the order of ``wnids.txt``. Needs the ``torch``
    extra. See :class:`TinyImageNetDataset`.

    Parameters
    ----------
    root : str or path-like
        The ``tiny-imagenet-200`` folder.
    subset : {"train", "val"}, default="train"
    mode : {"RGB", "L"}, default="RGB"
        The PIL mode each image is converted to (some images are grey).
    transform : callable, default=None
        Applied to each PIL image, as in torchvision; None gives a float32
        tensor CxHxW of the pixels / 255.
    max_pixels : int or None, default=DEFAULT_MAX_PIXELS
        The most pixels (width x height) an image file may have, checked from
        its header before it is decoded (a ValueError naming the file);
        89,478,485, Pillow's own limit; None for no limit (trusted files).

    Returns
    -------
    dataset : TinyImageNetDataset
        With ``targets`` (int64), ``classes`` (the wnids), ``class_names``.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_difficulty.datasets import load_tiny_imagenet
    >>> load_tiny_imagenet(tempfile.gettempdir() + "/no-tiny-imagenet-here")
    Traceback (most recent call last):
    ...
    FileNotFoundError: tiny ImageNet folder /.../no-tiny-imagenet-here does not exist.
    """
    return torch_dataset("TinyImageNetDataset")(
        root, subset=subset, mode=mode, transform=transform, max_pixels=max_pixels
    )


def load_imagenet_folders(
    root: str | os.PathLike,
    *,
    subset: str = "train",
    mode: str = "RGB",
    transform: Callable[[Any], Any] | None = None,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> ImageNetFoldersDataset:
    """ImageNet prepared as ``root/train/<wnid>/`` and ``root/val/<wnid>/`` folders.

    A lazy torch Dataset of (image, label). The classes are the sorted
    sub-folders of ``root/train`` (when present) for both subsets, so that
    the validation labels agree with the training labels. Needs the
    ``torch`` extra. See :class:`ImageNetFoldersDataset`.

    Parameters
    ----------
    root : str or path-like
        The folder holding ``train`` and ``val``.
    subset : {"train", "val"}, default="train"
    mode : {"RGB", "L"}, default="RGB"
        The PIL mode each image is converted to.
    transform : callable, default=None
        Applied to each PIL image, as in torchvision; None gives a float32
        tensor CxHxW of the pixels / 255.
    max_pixels : int or None, default=DEFAULT_MAX_PIXELS
        The most pixels (width x height) an image file may have, checked from
        its header before it is decoded (a ValueError naming the file);
        89,478,485, Pillow's own limit; None for no limit (trusted files).

    Returns
    -------
    dataset : ImageNetFoldersDataset
        With ``targets`` (int64), ``classes`` (the wnids).

    Examples
    --------
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from sklearn_difficulty.datasets import load_imagenet_folders
    >>> root = Path(tempfile.mkdtemp())
    >>> for wnid in ("n01440764", "n01443537"):
    ...     (root / "train" / wnid).mkdir(parents=True)
    ...     Image.new("RGB", (8, 6)).save(root / "train" / wnid / "0.JPEG")
    >>> train = load_imagenet_folders(root)
    >>> train.classes, train.targets, train[1][0].shape
    (['n01440764', 'n01443537'], array([0, 1]), torch.Size([3, 6, 8]))
    >>> shutil.rmtree(root)
    """
    return torch_dataset("ImageNetFoldersDataset")(
        root, subset=subset, mode=mode, transform=transform, max_pixels=max_pixels
    )


def as_dataset(
    data: Bunch | tuple[Any, Any],
    *,
    transform: Callable[[Any], Any] | None = None,
) -> ArrayImageDataset:
    """What an array loader returns, as a torch Dataset of (image, label).

    Parameters
    ----------
    data : Bunch or tuple (images, target)
        The Bunch of ``load_digits_images``, ``load_mnist``, ``load_cifar10``,
        ``load_cifar100`` or ``load_cifar100_superclass`` (its
        ``target_names`` become ``classes``), or what they return with
        ``return_X_y=True``.
    transform : callable, default=None
        Applied to each image, a float32 CxHxW tensor; None returns it as is.

    Returns
    -------
    dataset : ArrayImageDataset
        With ``images``, ``targets`` (int64), ``classes``.

    Examples
    --------
    >>> from sklearn_difficulty.datasets import as_dataset, load_digits_images
    >>> dataset = as_dataset(load_digits_images())
    >>> len(dataset), dataset.targets[:3], dataset.classes[:3]
    (1797, array([0, 1, 2]), ['0', '1', '2'])
    >>> image, label = dataset[1]
    >>> image.shape, image.dtype, label
    (torch.Size([1, 8, 8]), torch.float32, 1)
    """
    array_dataset = torch_dataset("ArrayImageDataset")
    if isinstance(data, Bunch):
        missing = [key for key in ("images", "target") if key not in data]
        if missing:
            raise ValueError(
                "data must be the Bunch of an image loader of this module, with "
                f"images and target; it lacks {', '.join(missing)}."
            )
        names = data.get("target_names")
        return array_dataset(
            data["images"],
            data["target"],
            classes=None if names is None else [str(name) for name in names],
            transform=transform,
        )
    if isinstance(data, tuple) and len(data) == 2:
        return array_dataset(data[0], data[1], transform=transform)
    raise TypeError(
        "data must be the Bunch of an image loader of this module or a tuple "
        f"(images, target); got {type(data).__name__}."
    )


def augmented(dataset, train_transform: Callable[[Any], Any]):
    """The data set with a random transform for training, and plain for recording.

    The one way to augment the training data of an ensemble: members train
    on ``train_transform(image)`` for every image of ``dataset`` (a random
    crop, a flip: torchvision's transforms on tensors), while the recording
    pass after every epoch, and every evaluation set, read the images as
    ``dataset`` gives them, so no recorded prediction comes from an
    augmented image. Each member's transforms draw from its own streams (its
    DataLoader's generator, or its dropout stream without workers). Skorch
    members only: the vectorised trainer shares each step's images among its
    members and refuses it.

    Parameters
    ----------
    dataset : torch Dataset of (image, label)
        The plain data set (its own ``transform`` is the fixed preprocessing).
    train_transform : callable
        Applied to each image tensor when members train.

    Returns
    -------
    dataset : torch Dataset
        Pass it to ``EnsembleDifficulty.fit`` as X.

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.datasets import (
    ...     as_dataset, augmented, load_digits_images)
    >>> plain = as_dataset(load_digits_images())
    >>> flipped = augmented(plain, lambda image: torch.flip(image, dims=[2]))
    >>> bool(torch.equal(flipped[0][0], plain[0][0].flip(2))), len(flipped)
    (True, 1797)
    """
    return torch_dataset("Augmented")(dataset, train_transform)
