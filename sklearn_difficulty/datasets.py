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
They need the ``torch`` extra, imported when first used; their classes
(``ImageFolderDataset``, ``TinyImageNetDataset``, ``ImageNetFoldersDataset``,
``ArrayImageDataset`` and the base class ``ImageFilesDataset``) can be
imported from this module too.
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import Bunch

#: File name endings read as images (those of torchvision's ImageFolder).
IMAGE_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp",
)  # fmt: skip

if TYPE_CHECKING:
    from ._image_folders import (
        ArrayImageDataset,
        ImageFolderDataset,
        ImageNetFoldersDataset,
        TinyImageNetDataset,
    )

__all__ = [
    "CIFAR100_SUPERCLASSES",
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

#: The torch Datasets, in a module that imports torch: loaded when first used.
_TORCH_DATASETS = (
    "ArrayImageDataset",
    "ImageFilesDataset",
    "ImageFolderDataset",
    "ImageNetFoldersDataset",
    "TinyImageNetDataset",
)


#: The 20 coarse classes of CIFAR-100, by coarse label index.
CIFAR100_SUPERCLASSES = (
    "aquatic_mammals", "fish", "flowers", "food_containers",
    "fruit_and_vegetables", "household_electrical_devices",
    "household_furniture", "insects", "large_carnivores",
    "large_man-made_outdoor_things", "large_natural_outdoor_scenes",
    "large_omnivores_and_herbivores", "medium_mammals",
    "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees",
    "vehicles_1", "vehicles_2",
)  # fmt: skip

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip


def _result(images, target, names, return_X_y, description):
    if return_X_y:
        return images, target
    return Bunch(
        images=images, target=target, target_names=np.asarray(names), DESCR=description
    )


def load_digits_images(*, return_X_y: bool = False):
    """scikit-learn's digits as 1x8x8 images in [0, 1]: the embedded default data.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch with ``images`` (1797, 1, 8, 8), ``target``, ``target_names``
        Or ``(images, target)``.

    Examples
    --------
    >>> from sklearn_difficulty.datasets import load_digits_images
    >>> X, y = load_digits_images(return_X_y=True)
    >>> X.shape, X.dtype, float(X.max()), y[:5]
    ((1797, 1, 8, 8), dtype('float32'), 1.0, array([0, 1, 2, 3, 4]))
    """
    digits = load_digits()
    images = (digits.images[:, np.newaxis] / 16.0).astype(np.float32)
    return _result(
        images,
        digits.target.astype(np.int64),
        [str(k) for k in range(10)],
        return_X_y,
        "scikit-learn's 8x8 digits, 1797 images of 10 classes.",
    )


# Reading the standard files ---------------------------------------------------


def _find(root: Path, folders: list[str], names: list[str], dataset: str, download):
    """The folder below root holding every one of ``names`` (with or without .gz)."""
    for folder in folders:
        base = root / folder
        found = [_with_gz(base / name) for name in names]
        if all(path is not None for path in found):
            return found
    if download is not None:
        download()
        return _find(root, folders, names, dataset, None)
    searched = ", ".join(str(root / folder) for folder in folders)
    raise FileNotFoundError(
        f"{dataset} files not found. Expected {', '.join(names)} in one of: "
        f"{searched}. Put the standard files there, or pass download=True to "
        "download them."
    )


def _with_gz(path: Path) -> Path | None:
    if path.is_file():
        return path
    gz = path.with_name(path.name + ".gz")
    return gz if gz.is_file() else None


def _read_bytes(path: Path) -> bytes:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return handle.read()


def _read_idx(path: Path) -> np.ndarray:
    """An IDX file of unsigned bytes (MNIST's format)."""
    data = _read_bytes(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes.")
    n_dims = data[3]
    shape = tuple(np.frombuffer(data, ">u4", count=n_dims, offset=4).astype(int))
    offset = 4 + 4 * n_dims
    if len(data) - offset != int(np.prod(shape)):
        raise ValueError(f"{path} holds {len(data) - offset} bytes, not {shape}.")
    return np.frombuffer(data, np.uint8, offset=offset).reshape(shape)


class _ArraysOnly(pickle.Unpickler):
    """Unpickles dicts, lists, strings and numpy arrays, and nothing that runs code."""

    _allowed = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # bytes, as Python 3 pickles them
    }

    def find_class(self, module, name):
        if (module, name) in self._allowed:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"refusing to load {module}.{name}: a CIFAR batch holds only arrays, "
            "lists and strings."
        )


def _read_python_batch(path: Path) -> dict:
    batch = _ArraysOnly(io.BytesIO(_read_bytes(path)), encoding="latin1").load()
    return {
        key.decode() if isinstance(key, bytes) else key: v for key, v in batch.items()
    }


def _read_binary_batch(path: Path, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR's binary version: per image, n_labels label bytes and 3072 pixels."""
    record = n_labels + 3 * 32 * 32
    data = np.frombuffer(_read_bytes(path), np.uint8)
    if data.size % record:
        raise ValueError(f"{path} is not a CIFAR binary batch ({data.size} bytes).")
    data = data.reshape(-1, record)
    return data[:, n_labels:].reshape(-1, 3, 32, 32), data[:, :n_labels]


def _as_images(pixels: np.ndarray) -> np.ndarray:
    return (np.asarray(pixels, dtype=np.float32) / 255.0).reshape(
        -1, *pixels.shape[-3:]
    )


def _check_subset(subset: str) -> None:
    if subset not in ("train", "test"):
        raise ValueError(f"subset must be 'train' or 'test'; got {subset!r}.")


def _torchvision_download(cls_name: str, root: Path, subset: str):
    def download():
        try:
            from torchvision import datasets
        except ImportError as error:
            raise ImportError(
                "download=True needs torchvision: "
                'pip install "sklearn-difficulty[torch]"'
            ) from error
        getattr(datasets, cls_name)(str(root), train=subset == "train", download=True)

    return download


def load_mnist(
    root: str | os.PathLike,
    *,
    subset: str = "train",
    download: bool = False,
    return_X_y: bool = False,
):
    """MNIST from its IDX files (gzipped or not), as 1x28x28 images in [0, 1].

    Looks in ``root`` and in ``root/MNIST/raw`` (where torchvision puts them)
    for ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte`` (or the
    ``t10k-`` files for the test set).

    Parameters
    ----------
    root : str or path-like
        The folder.
    subset : {"train", "test"}, default="train"
    download : bool, default=False
        Download the files into ``root`` when they are missing.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    """
    _check_subset(subset)
    prefix = "train" if subset == "train" else "t10k"
    root = Path(root)
    images_path, labels_path = _find(
        root,
        [".", "MNIST/raw"],
        [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"],
        "MNIST",
        _torchvision_download("MNIST", root, subset) if download else None,
    )
    pixels, labels = _read_idx(images_path), _read_idx(labels_path)
    if pixels.ndim != 3 or labels.shape != (pixels.shape[0],):
        raise ValueError(
            f"{images_path} and {labels_path} do not match: {pixels.shape} "
            f"images and {labels.shape} labels."
        )
    return _result(
        _as_images(pixels[:, np.newaxis]),
        labels.astype(np.int64),
        [str(k) for k in range(10)],
        return_X_y,
        f"MNIST, {subset} set.",
    )


def _cifar_files(root: Path, version: str, subset: str, download: bool):
    """Paths of the batches of ``version`` ("10" or "100"), binary or python."""
    if version == "10":
        binary = (
            [f"data_batch_{i}.bin" for i in range(1, 6)]
            if subset == "train"
            else ["test_batch.bin"]
        )
        python = (
            [f"data_batch_{i}" for i in range(1, 6)]
            if subset == "train"
            else ["test_batch"]
        )
        folders = ("cifar-10-batches-bin", "cifar-10-batches-py")
    else:
        binary, python = [f"{subset}.bin"], [subset]
        folders = ("cifar-100-binary", "cifar-100-python")
    for names, folder, kind in (
        (binary, folders[0], "binary"),
        (python, folders[1], "python"),
    ):
        try:
            return kind, _find(root, [folder, "."], names, f"CIFAR-{version}", None)
        except FileNotFoundError:
            continue
    if download:
        cls_name = "CIFAR10" if version == "10" else "CIFAR100"
        _torchvision_download(cls_name, root, subset)()
        return "python", _find(root, [folders[1]], python, f"CIFAR-{version}", None)
    raise FileNotFoundError(
        f"CIFAR-{version} files not found. Expected {', '.join(binary)} (the binary "
        f"version) in {root / folders[0]}, or {', '.join(python)} (the python "
        f"version) in {root / folders[1]}. Put the standard files there, or pass "
        "download=True to download them."
    )


def _label_names(folder: Path, names: list[str]) -> list[str] | None:
    for name in names:
        path = folder / name
        if path.is_file():
            return [
                line.strip() for line in path.read_text().splitlines() if line.strip()
            ]
    return None


def load_cifar10(
    root: str | os.PathLike,
    *,
    subset: str = "train",
    download: bool = False,
    return_X_y: bool = False,
):
    """CIFAR-10 as 3x32x32 images in [0, 1], from its binary or python batches.

    Looks for ``cifar-10-batches-bin/data_batch_{1..5}.bin`` and
    ``test_batch.bin``, or the python version in ``cifar-10-batches-py``.
    The python batches are unpickled with an unpickler that accepts arrays,
    lists and strings only.

    Parameters
    ----------
    root : str or path-like
        The folder holding ``cifar-10-batches-bin`` or ``cifar-10-batches-py``.
    subset : {"train", "test"}, default="train"
    download : bool, default=False
        Download the python version into ``root`` when no files are found.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    """
    _check_subset(subset)
    kind, paths = _cifar_files(Path(root), "10", subset, download)
    pixels, labels = [], []
    for path in paths:
        if kind == "binary":
            batch_pixels, batch_labels = _read_binary_batch(path, 1)
            pixels.append(batch_pixels)
            labels.append(batch_labels[:, 0])
        else:
            batch = _read_python_batch(path)
            pixels.append(np.asarray(batch["data"]).reshape(-1, 3, 32, 32))
            labels.append(np.asarray(batch["labels"]))
    return _result(
        _as_images(np.concatenate(pixels)),
        np.concatenate(labels).astype(np.int64),
        list(CIFAR10_CLASSES),
        return_X_y,
        f"CIFAR-10, {subset} set.",
    )


def _load_cifar100_arrays(root, subset, download):
    _check_subset(subset)
    kind, (path,) = _cifar_files(Path(root), "100", subset, download)
    if kind == "binary":
        pixels, labels = _read_binary_batch(path, 2)
        coarse, fine = labels[:, 0], labels[:, 1]
        fine_names = _label_names(path.parent, ["fine_label_names.txt"])
    else:
        batch = _read_python_batch(path)
        pixels = np.asarray(batch["data"]).reshape(-1, 3, 32, 32)
        coarse = np.asarray(batch["coarse_labels"])
        fine = np.asarray(batch["fine_labels"])
        meta = path.parent / "meta"
        fine_names = (
            list(_read_python_batch(meta)["fine_label_names"])
            if meta.is_file()
            else None
        )
    return pixels, coarse.astype(np.int64), fine.astype(np.int64), fine_names


def load_cifar100(
    root: str | os.PathLike,
    *,
    subset: str = "train",
    label: str = "fine",
    download: bool = False,
    return_X_y: bool = False,
):
    """CIFAR-100 as 3x32x32 images in [0, 1], with fine or coarse labels.

    Looks for ``cifar-100-binary/train.bin`` and ``test.bin``, or the python
    version in ``cifar-100-python``.

    Parameters
    ----------
    root : str or path-like
        The folder holding ``cifar-100-binary`` or ``cifar-100-python``.
    subset : {"train", "test"}, default="train"
    label : {"fine", "coarse"}, default="fine"
        The 100 classes, or the 20 super-classes.
    download : bool, default=False
        Download the python version into ``root`` when no files are found.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    """
    if label not in ("fine", "coarse"):
        raise ValueError(f"label must be 'fine' or 'coarse'; got {label!r}.")
    pixels, coarse, fine, fine_names = _load_cifar100_arrays(root, subset, download)
    if label == "coarse":
        target, names = coarse, list(CIFAR100_SUPERCLASSES)
    else:
        target, names = fine, fine_names or [f"class_{k}" for k in range(100)]
    return _result(
        _as_images(pixels), target, names, return_X_y, f"CIFAR-100, {subset} set."
    )


def load_cifar100_superclass(
    root: str | os.PathLike,
    superclass: str = "small_mammals",
    *,
    subset: str = "train",
    download: bool = False,
    return_X_y: bool = False,
):
    """One super-class of CIFAR-100 as a data set of its 5 fine classes.

    The paper's "small mammals" data set (hamster, mouse, rabbit, shrew,
    squirrel: 2,500 training and 500 test images) is the default; the other
    super-classes it mentions are "aquatic_mammals", "insects" and
    "household_furniture" (any of ``CIFAR100_SUPERCLASSES`` works). Labels
    are 0..4, in the order of the fine labels.

    Parameters
    ----------
    root : str or path-like
        The folder holding ``cifar-100-binary`` or ``cifar-100-python``.
    superclass : str, default="small_mammals"
    subset : {"train", "test"}, default="train"
    download : bool, default=False
        Download CIFAR-100 into ``root`` when no files are found.
    return_X_y : bool, default=False
        Return ``(images, target)`` instead of a Bunch.
    """
    if superclass not in CIFAR100_SUPERCLASSES:
        raise ValueError(
            f"unknown CIFAR-100 super-class {superclass!r}; one of "
            f"{list(CIFAR100_SUPERCLASSES)}."
        )
    pixels, coarse, fine, fine_names = _load_cifar100_arrays(root, subset, download)
    keep = coarse == CIFAR100_SUPERCLASSES.index(superclass)
    fine_labels, target = np.unique(fine[keep], return_inverse=True)
    names = [
        fine_names[k] if fine_names else f"class_{k}" for k in fine_labels.tolist()
    ]
    return _result(
        _as_images(pixels[keep]),
        target.astype(np.int64),
        names,
        return_X_y,
        f"CIFAR-100 super-class {superclass}, {subset} set.",
    )


# Lazy torch Datasets --------------------------------------------------------------


def _torch_datasets():
    """The module of the torch Datasets; without torch, an ImportError."""
    import importlib

    return importlib.import_module("sklearn_difficulty._image_folders")


def __getattr__(name: str) -> Any:
    if name in _TORCH_DATASETS:
        return getattr(_torch_datasets(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_TORCH_DATASETS])


def load_image_folder(
    root: str | os.PathLike,
    *,
    classes: Sequence[str] | None = None,
    extensions: str | Sequence[str] = IMAGE_EXTENSIONS,
    mode: str = "RGB",
    transform: Callable[[Any], Any] | None = None,
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
    return _torch_datasets().ImageFolderDataset(
        root, classes=classes, extensions=extensions, mode=mode, transform=transform
    )


def load_tiny_imagenet(
    root: str | os.PathLike,
    *,
    subset: str = "train",
    mode: str = "RGB",
    transform: Callable[[Any], Any] | None = None,
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
    return _torch_datasets().TinyImageNetDataset(
        root, subset=subset, mode=mode, transform=transform
    )


def load_imagenet_folders(
    root: str | os.PathLike,
    *,
    subset: str = "train",
    mode: str = "RGB",
    transform: Callable[[Any], Any] | None = None,
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
    return _torch_datasets().ImageNetFoldersDataset(
        root, subset=subset, mode=mode, transform=transform
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
    datasets = _torch_datasets()
    if isinstance(data, Bunch):
        missing = [key for key in ("images", "target") if key not in data]
        if missing:
            raise ValueError(
                "data must be the Bunch of an image loader of this module, with "
                f"images and target; it lacks {', '.join(missing)}."
            )
        names = data.get("target_names")
        return datasets.ArrayImageDataset(
            data["images"],
            data["target"],
            classes=None if names is None else [str(name) for name in names],
            transform=transform,
        )
    if isinstance(data, tuple) and len(data) == 2:
        return datasets.ArrayImageDataset(data[0], data[1], transform=transform)
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
    from ._torch_data import Augmented

    return Augmented(dataset, train_transform)
