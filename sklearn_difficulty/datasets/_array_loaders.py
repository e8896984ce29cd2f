"""The array loaders: digits as images, MNIST, CIFAR-10/100, CIFAR-100's super-classes.

Each returns images of shape (n_samples, channels, height, width) as float32
in [0, 1] and labels as int64, in a Bunch or as ``(images, target)``. MNIST
and CIFAR are read from a local folder in their standard formats (see
:mod:`._file_formats`) and downloaded through torchvision only when asked
with ``download=True``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import Bunch

from .._validation import check_choice
from ._file_formats import find_files, read_cifar_batch, read_idx, read_python_batch

__all__ = [
    "CIFAR100_SUPERCLASSES",
    "CIFAR10_CLASSES",
    "load_cifar10",
    "load_cifar100",
    "load_cifar100_superclass",
    "load_digits_images",
    "load_mnist",
]

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

_DIGITS = [str(k) for k in range(10)]
_SUBSETS = ("train", "test")


def _result(images, target, names, return_X_y, description):
    if return_X_y:
        return images, target
    return Bunch(
        images=images, target=target, target_names=np.asarray(names), DESCR=description
    )


def _as_images(pixels: np.ndarray) -> np.ndarray:
    return (np.asarray(pixels, dtype=np.float32) / 255.0).reshape(
        -1, *pixels.shape[-3:]
    )


def _torchvision_download(cls_name: str, root: Path, subset: str) -> Callable[[], None]:
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
        _DIGITS,
        return_X_y,
        "scikit-learn's 8x8 digits, 1797 images of 10 classes.",
    )


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

    Returns
    -------
    data : Bunch with ``images`` (n_samples, 1, 28, 28), ``target``, \
``target_names``
        Or ``(images, target)``.

    Examples
    --------
    >>> import os, struct, tempfile
    >>> import numpy as np
    >>> from sklearn_difficulty.datasets import load_mnist
    >>> def write_idx(path, array):  # IDX: a header, then the bytes
    ...     header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    ...     header += struct.pack(">" + "I" * array.ndim, *array.shape)
    ...     with open(path, "wb") as handle:
    ...         handle.write(header + array.astype(np.uint8).tobytes())
    >>> with tempfile.TemporaryDirectory() as root:
    ...     write_idx(os.path.join(root, "t10k-images-idx3-ubyte"),
    ...               np.full((3, 28, 28), 255))
    ...     write_idx(os.path.join(root, "t10k-labels-idx1-ubyte"), np.array([7, 2, 1]))
    ...     X, y = load_mnist(root, subset="test", return_X_y=True)
    >>> X.shape, X.dtype, float(X.max()), y
    ((3, 1, 28, 28), dtype('float32'), 1.0, array([7, 2, 1]))
    """
    check_choice(subset, "subset", _SUBSETS)
    prefix = "train" if subset == "train" else "t10k"
    root = Path(root)
    images_path, labels_path = find_files(
        root,
        [".", "MNIST/raw"],
        [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"],
        "MNIST",
        _torchvision_download("MNIST", root, subset) if download else None,
    )
    pixels, labels = read_idx(images_path), read_idx(labels_path)
    if pixels.ndim != 3 or labels.shape != (pixels.shape[0],):
        raise ValueError(
            f"{images_path} and {labels_path} do not match: {pixels.shape} "
            f"images and {labels.shape} labels."
        )
    return _result(
        _as_images(pixels[:, np.newaxis]),
        labels.astype(np.int64),
        _DIGITS,
        return_X_y,
        f"MNIST, {subset} set.",
    )


class _CifarFiles(NamedTuple):
    kind: str  # "binary" or "python"
    paths: list[Path]


def _cifar_files(root: Path, version: str, subset: str, download: bool) -> _CifarFiles:
    """The batches of ``version`` ("10" or "100"), of the binary or python version."""
    if version == "10":
        stems = (
            [f"data_batch_{i}" for i in range(1, 6)]
            if subset == "train"
            else ["test_batch"]
        )
        binary, python = [f"{stem}.bin" for stem in stems], stems
        folders = ("cifar-10-batches-bin", "cifar-10-batches-py")
    else:
        binary, python = [f"{subset}.bin"], [subset]
        folders = ("cifar-100-binary", "cifar-100-python")
    dataset = f"CIFAR-{version}"
    for names, folder, kind in (
        (binary, folders[0], "binary"),
        (python, folders[1], "python"),
    ):
        try:
            return _CifarFiles(kind, find_files(root, [folder, "."], names, dataset))
        except FileNotFoundError:
            continue
    if download:
        cls_name = "CIFAR10" if version == "10" else "CIFAR100"
        _torchvision_download(cls_name, root, subset)()
        return _CifarFiles("python", find_files(root, [folders[1]], python, dataset))
    raise FileNotFoundError(
        f"{dataset} files not found. Expected {', '.join(binary)} (the binary "
        f"version) in {root / folders[0]}, or {', '.join(python)} (the python "
        f"version) in {root / folders[1]}. Put the standard files there, or pass "
        "download=True to download them."
    )


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

    Returns
    -------
    data : Bunch with ``images`` (n_samples, 3, 32, 32), ``target``, \
``target_names``
        Or ``(images, target)``.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn_difficulty.datasets import load_cifar10
    >>> with tempfile.TemporaryDirectory() as root:
    ...     folder = os.path.join(root, "cifar-10-batches-bin")
    ...     os.mkdir(folder)
    ...     for k in range(1, 6):  # one image of class k per batch: its label, pixels
    ...         np.r_[k, np.full(3072, 51)].astype(np.uint8).tofile(
    ...             os.path.join(folder, f"data_batch_{k}.bin"))
    ...     data = load_cifar10(root)
    >>> data.images.shape, round(float(data.images.max()), 3), data.target
    ((5, 3, 32, 32), 0.2, array([1, 2, 3, 4, 5]))
    >>> data.target_names[data.target].tolist()
    ['automobile', 'bird', 'cat', 'deer', 'dog']
    """
    check_choice(subset, "subset", _SUBSETS)
    files = _cifar_files(Path(root), "10", subset, download)
    batches = [read_cifar_batch(path, files.kind, ["labels"]) for path in files.paths]
    return _result(
        _as_images(np.concatenate([batch.pixels for batch in batches])),
        np.concatenate([batch.labels["labels"] for batch in batches]).astype(np.int64),
        list(CIFAR10_CLASSES),
        return_X_y,
        f"CIFAR-10, {subset} set.",
    )


class _Cifar100(NamedTuple):
    pixels: np.ndarray
    coarse: np.ndarray
    fine: np.ndarray
    fine_names: list[str] | None


def _load_cifar100_arrays(root, subset: str, download: bool) -> _Cifar100:
    check_choice(subset, "subset", _SUBSETS)
    kind, (path,) = _cifar_files(Path(root), "100", subset, download)
    batch = read_cifar_batch(path, kind, ["coarse_labels", "fine_labels"])
    return _Cifar100(
        batch.pixels,
        batch.labels["coarse_labels"].astype(np.int64),
        batch.labels["fine_labels"].astype(np.int64),
        _cifar100_fine_names(path.parent, kind),
    )


def _cifar100_fine_names(folder: Path, kind: str) -> list[str] | None:
    """The names of the 100 classes, from the files beside the batches, if there."""
    if kind == "python":
        meta = folder / "meta"
        if not meta.is_file():
            return None
        return list(read_python_batch(meta)["fine_label_names"])
    path = folder / "fine_label_names.txt"
    if not path.is_file():
        return None
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


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

    Returns
    -------
    data : Bunch with ``images`` (n_samples, 3, 32, 32), ``target``, \
``target_names``
        Or ``(images, target)``. The fine classes are named from
        ``fine_label_names.txt`` (binary version) or ``meta`` (python
        version) beside the batch when there is one, else "class_<k>".

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn_difficulty.datasets import load_cifar100
    >>> with tempfile.TemporaryDirectory() as root:
    ...     os.mkdir(os.path.join(root, "cifar-100-binary"))
    ...     labels = [[16, 36], [16, 50], [4, 0]]  # coarse, fine: hamster, mouse, apple
    ...     np.hstack([labels, np.zeros((3, 3072))]).astype(np.uint8).tofile(
    ...         os.path.join(root, "cifar-100-binary", "train.bin"))
    ...     fine, coarse = load_cifar100(root), load_cifar100(root, label="coarse")
    >>> fine.images.shape, fine.target, fine.target_names[fine.target].tolist()
    ((3, 3, 32, 32), array([36, 50,  0]), ['class_36', 'class_50', 'class_0'])
    >>> coarse.target_names[coarse.target].tolist()
    ['small_mammals', 'small_mammals', 'fruit_and_vegetables']
    """
    check_choice(label, "label", ("fine", "coarse"))
    data = _load_cifar100_arrays(root, subset, download)
    if label == "coarse":
        target, names = data.coarse, list(CIFAR100_SUPERCLASSES)
    else:
        target = data.fine
        names = data.fine_names or [f"class_{k}" for k in range(100)]
    return _result(
        _as_images(data.pixels), target, names, return_X_y, f"CIFAR-100, {subset} set."
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

    Returns
    -------
    data : Bunch with ``images`` (n_samples, 3, 32, 32), ``target``, \
``target_names``
        Or ``(images, target)``; ``target_names`` are the fine classes kept
        (named as by :func:`load_cifar100`).

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from sklearn_difficulty.datasets import load_cifar100_superclass
    >>> with tempfile.TemporaryDirectory() as root:
    ...     os.mkdir(os.path.join(root, "cifar-100-binary"))
    ...     labels = [[16, 36], [16, 50], [4, 0]]  # coarse, fine: hamster, mouse, apple
    ...     np.hstack([labels, np.zeros((3, 3072))]).astype(np.uint8).tofile(
    ...         os.path.join(root, "cifar-100-binary", "train.bin"))
    ...     mammals = load_cifar100_superclass(root, "small_mammals")
    >>> mammals.images.shape, mammals.target, mammals.target_names.tolist()
    ((2, 3, 32, 32), array([0, 1]), ['class_36', 'class_50'])
    """
    if superclass not in CIFAR100_SUPERCLASSES:
        raise ValueError(
            f"unknown CIFAR-100 super-class {superclass!r}; one of "
            f"{list(CIFAR100_SUPERCLASSES)}."
        )
    data = _load_cifar100_arrays(root, subset, download)
    keep = data.coarse == CIFAR100_SUPERCLASSES.index(superclass)
    fine_labels, target = np.unique(data.fine[keep], return_inverse=True)
    names = [
        data.fine_names[k] if data.fine_names else f"class_{k}"
        for k in fine_labels.tolist()
    ]
    return _result(
        _as_images(data.pixels[keep]),
        target.astype(np.int64),
        names,
        return_X_y,
        f"CIFAR-100 super-class {superclass}, {subset} set.",
    )
