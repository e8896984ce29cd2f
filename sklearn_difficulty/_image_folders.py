"""Lazy torch Datasets of ``(image, label)``: image folders, tiny ImageNet, arrays.

Needs the ``torch`` extra: ``pip install "sklearn-difficulty[torch]"``. The
public names are re-exported by :mod:`sklearn_difficulty.datasets`, which
imports this module only when one of them is first used.

The datasets read from files list their files once, when made, without
opening any image, and open an image only when it is indexed. Pickled (as
when a member's task goes to a joblib worker) they carry their description
(root folder, options, transform) and a fingerprint of the listing, never
the listing itself: the worker lists the files again on first use, in the
same sorted order, and stops with an error if they changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

try:
    import torch
    from PIL import Image
    from torch.utils.data import Dataset
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "the image datasets of sklearn_difficulty.datasets need torch and "
        'pillow; install them with pip install "sklearn-difficulty[torch]"'
    ) from error

from .datasets import IMAGE_EXTENSIONS

__all__ = [
    "ArrayImageDataset",
    "ImageFiles",
    "ImageFilesDataset",
    "ImageFolderDataset",
    "ImageNetFoldersDataset",
    "TinyImageNetDataset",
]

_MODES = ("RGB", "L")


class ImageFiles(NamedTuple):
    """What a listing of image files found: class names, paths and their labels."""

    classes: list[str]
    paths: list[str]
    targets: np.ndarray


class _Fingerprint(NamedTuple):
    n_files: int
    digest: str


def _fingerprint(files: ImageFiles) -> _Fingerprint:
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\0".join(files.classes).encode())
    digest.update(b"\1")
    digest.update("\0".join(files.paths).encode())
    digest.update(files.targets.tobytes())
    return _Fingerprint(len(files.paths), digest.hexdigest())


def _check_mode(mode: str) -> None:
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}; got {mode!r}.")


def _check_subset(subset: str) -> None:
    if subset not in ("train", "val"):
        raise ValueError(f"subset must be 'train' or 'val'; got {subset!r}.")


def _normalised_extensions(extensions: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(extensions, str):
        extensions = (extensions,)
    normalised = tuple(str(extension).lower() for extension in extensions)
    if not normalised:
        raise ValueError("extensions must name at least one file extension.")
    return normalised


def _check_folder(folder: Path, what: str) -> None:
    if not folder.exists():
        raise FileNotFoundError(f"{what} {folder} does not exist.")
    if not folder.is_dir():
        raise NotADirectoryError(f"{what} {folder} is not a folder.")


def _class_folders(folder: Path) -> list[str]:
    """The sub-folders of ``folder``, sorted: torchvision's ImageFolder classes."""
    _check_folder(folder, "image folder")
    with os.scandir(folder) as entries:
        classes = sorted(entry.name for entry in entries if entry.is_dir())
    if not classes:
        raise FileNotFoundError(
            f"no class folders in {folder}: expected {folder}{os.sep}<class>"
            f"{os.sep}<image files>."
        )
    return classes


def _scan_class_folders(
    folder: Path, classes: Sequence[str], extensions: tuple[str, ...]
) -> ImageFiles:
    """The image files below ``folder/<class>``, ordered as torchvision's ImageFolder.

    Label k goes to ``classes[k]``; each class folder is walked recursively,
    its sub-folders and files sorted by name.
    """
    paths: list[str] = []
    targets: list[np.ndarray] = []
    for label, name in enumerate(classes):
        class_folder = folder / name
        _check_folder(class_folder, f"the folder of class {name!r},")
        found = [
            os.path.join(dirpath, filename)
            for dirpath, _, filenames in sorted(os.walk(class_folder, followlinks=True))
            for filename in sorted(filenames)
            if filename.lower().endswith(extensions)
        ]
        if not found:
            raise FileNotFoundError(
                f"no image files ({', '.join(extensions)}) in {class_folder}, the "
                f"folder of class {name!r}."
            )
        paths.extend(found)
        targets.append(np.full(len(found), label, dtype=np.int64))
    return ImageFiles(list(classes), paths, np.concatenate(targets))


def _read_image(path: str, mode: str) -> Image.Image:
    try:
        with Image.open(path) as image:
            return image.convert(mode)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise OSError(f"cannot read image {path}: {error}") from error


def _to_float_tensor(image: Image.Image) -> torch.Tensor:
    """A PIL image as a float32 CxHxW tensor of its pixels / 255."""
    pixels = np.asarray(image, dtype=np.float32) / np.float32(255)
    pixels = pixels[np.newaxis] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)
    return torch.from_numpy(np.ascontiguousarray(pixels))


class ImageFilesDataset(Dataset):
    """Base class of the map-style datasets of ``(image, label)`` read from files.

    A subclass stores its description (root folder, options) in ``__init__``,
    then calls ``super().__init__(transform=..., mode=...)``, and implements one
    hook, ``_list_files()``, which returns an :class:`ImageFiles` (class names,
    sorted file paths, labels) without opening any image, or raises an error
    naming what is missing and where. The base class lists the files once when
    the dataset is made, keeps the listing out of pickles, lists again on first
    use after unpickling and checks that the listing did not change.

    Parameters
    ----------
    transform : callable, default=None
        Applied to each PIL image (after conversion to ``mode``), as in
        torchvision; None gives a float32 tensor CxHxW of the pixels / 255.
    mode : {"RGB", "L"}, default="RGB"
        The PIL mode each image is converted to: three channels (grey, palette
        and CMYK files included), or one grey channel.

    Attributes
    ----------
    classes : list of str
        The class names; label k is ``classes[k]``.
    class_to_idx : dict of str to int
    targets : ndarray of int64 of shape (n_samples,)
        The label of each example, known without opening any image.
    samples : list of (str, int)
        Each example's file path and label, as in torchvision.
    """

    def __init__(
        self, *, transform: Callable[[Any], Any] | None = None, mode: str = "RGB"
    ):
        _check_mode(mode)
        self.transform = transform
        self.mode = mode
        self._files: ImageFiles | None = None
        self._fingerprint: _Fingerprint | None = None
        self._listed()

    def _list_files(self) -> ImageFiles:
        """The hook: list the classes, the image files and their labels."""
        raise NotImplementedError

    def _listed(self) -> ImageFiles:
        if self._files is None:
            files = self._list_files()
            fingerprint = _fingerprint(files)
            if self._fingerprint is None:
                self._fingerprint = fingerprint
            elif fingerprint != self._fingerprint:
                raise RuntimeError(
                    f"the image files of {self!r} changed after the dataset was "
                    f"made: {self._fingerprint.n_files} files then, "
                    f"{fingerprint.n_files} now (or other names or labels); "
                    "indices and labels would no longer match."
                )
            self._files = files
        return self._files

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_files"] = None  # listed again, lazily, where it is unpickled
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def classes(self) -> list[str]:
        return self._listed().classes

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: label for label, name in enumerate(self.classes)}

    @property
    def targets(self) -> np.ndarray:
        return self._listed().targets

    @property
    def samples(self) -> list[tuple[str, int]]:
        files = self._listed()
        return list(zip(files.paths, files.targets.tolist(), strict=True))

    def __len__(self) -> int:
        return len(self._listed().paths)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        files = self._listed()
        path = files.paths[index]
        image = _read_image(path, self.mode)
        transform = _to_float_tensor if self.transform is None else self.transform
        return transform(image), int(files.targets[index])

    def _description(self) -> dict[str, Any]:
        """The options that a subclass shows in its repr, after its root."""
        return {}

    def __repr__(self) -> str:
        options = [repr(str(getattr(self, "root", "")))]
        options += [f"{key}={value!r}" for key, value in self._description().items()]
        options += [f"mode={self.mode!r}", f"transform={self.transform!r}"]
        return f"{type(self).__name__}({', '.join(options)})"


class ImageFolderDataset(ImageFilesDataset):
    """Images in ``root/<class>/<files>`` (torchvision's ImageFolder layout), lazily.

    Classes, their order, the files and their order are those of
    ``torchvision.datasets.ImageFolder``: class folders sorted by name (unless
    ``classes`` is given), each walked recursively with its files sorted, and
    only files whose names end (in any case) with one of ``extensions`` kept.
    Listing the files opens no image; an image is read when indexed. Pickled,
    the dataset carries its description and not its file list (a few hundred
    bytes for any number of files).

    Parameters
    ----------
    root : str or path-like
        The folder holding one sub-folder per class. Stored as an absolute path.
    classes : sequence of str, default=None
        The class folders to read, in label order; None reads every sub-folder
        of ``root``, sorted by name.
    extensions : str or sequence of str, default=IMAGE_EXTENSIONS
        The file name endings of images.
    mode : {"RGB", "L"}, default="RGB"
        The PIL mode each image is converted to: three channels (grey, palette
        and CMYK files included), or one grey channel.
    transform : callable, default=None
        Applied to each PIL image (after conversion to ``mode``), as in
        torchvision; None gives a float32 tensor CxHxW of the pixels / 255.

    Attributes
    ----------
    classes : list of str
        The class names; label k is ``classes[k]``.
    class_to_idx : dict of str to int
    targets : ndarray of int64 of shape (n_samples,)
        The label of each example, known without opening any image.
    samples : list of (str, int)
        Each example's file path and label, as in torchvision.

    Raises
    ------
    FileNotFoundError
        When ``root`` or a class folder is missing, ``root`` holds no class
        folder, or a class folder holds no image file; the message names the
        path. Reading a broken image raises an OSError naming the file.

    Examples
    --------
    >>> import pickle, shutil, tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from sklearn_difficulty.datasets import ImageFolderDataset
    >>> root = Path(tempfile.mkdtemp())
    >>> for k, (name, grey) in enumerate([("cat", 0), ("dog", 255), ("cat", 51)]):
    ...     (root / name).mkdir(exist_ok=True)
    ...     Image.new("L", (4, 3), grey).save(root / name / f"{k}.png")
    >>> dataset = ImageFolderDataset(root)
    >>> len(dataset), dataset.classes, dataset.targets
    (3, ['cat', 'dog'], array([0, 0, 1]))
    >>> image, label = dataset[1]
    >>> image.shape, image.dtype, round(float(image.max()) * 255), label
    (torch.Size([3, 3, 4]), torch.float32, 51, 0)
    >>> len(pickle.dumps(dataset)) < 1000
    True
    >>> shutil.rmtree(root)
    """

    def __init__(
        self,
        root: str | os.PathLike,
        *,
        classes: Sequence[str] | None = None,
        extensions: str | Sequence[str] = IMAGE_EXTENSIONS,
        mode: str = "RGB",
        transform: Callable[[Any], Any] | None = None,
    ):
        self.root = Path(root).expanduser().absolute()
        if classes is not None and (isinstance(classes, str) or not len(classes)):
            raise ValueError(
                "classes must be a non-empty sequence of folder names; got "
                f"{classes!r}."
            )
        self._requested_classes = (
            None if classes is None else [str(name) for name in classes]
        )
        self.extensions = _normalised_extensions(extensions)
        super().__init__(transform=transform, mode=mode)

    def _list_files(self) -> ImageFiles:
        _check_folder(self.root, "image folder")
        classes = self._requested_classes or _class_folders(self.root)
        return _scan_class_folders(self.root, classes, self.extensions)

    def _description(self) -> dict[str, Any]:
        return {"extensions": self.extensions}


class _SubsetDataset(ImageFilesDataset):
    """A data set of one subset ("train" or "val") of a data set's folder."""

    def __init__(
        self,
        root: str | os.PathLike,
        *,
        subset: str = "train",
        mode: str = "RGB",
        transform: Callable[[Any], Any] | None = None,
    ):
        _check_subset(subset)
        self.root = Path(root).expanduser().absolute()
        self.subset = subset
        super().__init__(transform=transform, mode=mode)


class ImageNetFoldersDataset(_SubsetDataset):
    """ImageNet prepared as ``root/train/<wnid>/`` and ``root/val/<wnid>/`` folders.

    The classes are the sub-folders of ``root/train``, sorted (the labels of
    torchvision's ImageFolder on ``root/train``), for either subset, so that
    the validation labels agree with the training labels; when ``root/train``
    is absent, those of ``root/<subset>``. Every class needs a folder with at
    least one image in the subset read. Lazy and small when pickled, as
    :class:`ImageFolderDataset`.

    Parameters
    ----------
    root : str or path-like
        The folder holding ``train`` and/or ``val``.
    subset : {"train", "val"}, default="train"
    mode : {"RGB", "L"}, default="RGB"
        The PIL mode each image is converted to.
    transform : callable, default=None
        Applied to each PIL image, as in torchvision; None gives a float32
        tensor CxHxW of the pixels / 255.

    Attributes
    ----------
    classes : list of str
        The wnids, sorted; label k is ``classes[k]``.
    class_to_idx : dict of str to int
    targets : ndarray of int64 of shape (n_samples,)
    samples : list of (str, int)

    Examples
    --------
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from sklearn_difficulty.datasets import ImageNetFoldersDataset
    >>> root = Path(tempfile.mkdtemp())
    >>> for subset in ("train", "val"):
    ...     for wnid in ("n02", "n01"):
    ...         (root / subset / wnid).mkdir(parents=True)
    ...         Image.new("RGB", (5, 5)).save(root / subset / wnid / "a.JPEG")
    >>> val = ImageNetFoldersDataset(root, subset="val")
    >>> val.classes, val.targets, val[0][0].shape
    (['n01', 'n02'], array([0, 1]), torch.Size([3, 5, 5]))
    >>> shutil.rmtree(root)
    """

    def _list_files(self) -> ImageFiles:
        _check_folder(self.root, "ImageNet folder")
        folder = self.root / self.subset
        _check_folder(folder, f"the {self.subset} folder of ImageNet,")
        train = self.root / "train"
        classes = _class_folders(train if train.is_dir() else folder)
        return _scan_class_folders(folder, classes, IMAGE_EXTENSIONS)

    def _description(self) -> dict[str, Any]:
        return {"subset": self.subset}


class TinyImageNetDataset(_SubsetDataset):
    """Tiny ImageNet (200 classes of 64x64 images) in its standard layout, lazily.

    Reads ``root/wnids.txt`` (one wnid a line), then for ``subset="train"``
    the images ``root/train/<wnid>/images/*.JPEG`` and for ``subset="val"``
    the images ``root/val/images/*.JPEG`` labelled by
    ``root/val/val_annotations.txt`` (``<file> <wnid> <box>`` lines, kept in
    that file's order). Label k is the k-th wnid in sorted order, which is
    what torchvision's ImageFolder gives on ``root/train`` (and on a ``val``
    rearranged into class folders), not the order of the lines of
    ``wnids.txt``. The test set has no labels and is not read. Lazy and small
    when pickled, as :class:`ImageFolderDataset`.

    Parameters
    ----------
    root : str or path-like
        The folder holding ``wnids.txt``, ``train`` and ``val``
        (``tiny-imagenet-200`` once unzipped).
    subset : {"train", "val"}, default="train"
    mode : {"RGB", "L"}, default="RGB"
        The PIL mode each image is converted to (some of tiny ImageNet's
        images are grey).
    transform : callable, default=None
        Applied to each PIL image, as in torchvision; None gives a float32
        tensor CxHxW of the pixels / 255.

    Attributes
    ----------
    classes : list of str
        The wnids, sorted; label k is ``classes[k]``.
    class_names : list of str
        The words of each class from ``root/words.txt`` when it is there, or
        the wnids.
    class_to_idx : dict of str to int
    targets : ndarray of int64 of shape (n_samples,)
    samples : list of (str, int)

    Examples
    --------
    >>> import shutil, tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> from sklearn_difficulty.datasets import TinyImageNetDataset
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "wnids.txt").write_text("n02\\nn01\\n")
    >>> for wnid in ("n02", "n01"):
    ...     (root / "train" / wnid / "images").mkdir(parents=True)
    ...     Image.new("RGB", (64, 64)).save(root / "train" / wnid / "images" / "0.JPEG")
    >>> (root / "val" / "images").mkdir(parents=True)
    >>> for name in ("val_0.JPEG", "val_1.JPEG"):
    ...     Image.new("RGB", (64, 64)).save(root / "val" / "images" / name)
    >>> _ = (root / "val" / "val_annotations.txt").write_text(
    ...     "val_0.JPEG\\tn02\\t0\\t0\\t9\\t9\\nval_1.JPEG\\tn01\\t0\\t0\\t9\\t9\\n")
    >>> train = TinyImageNetDataset(root)
    >>> val = TinyImageNetDataset(root, subset="val")
    >>> train.classes, train.targets, val.targets, val[0][0].shape
    (['n01', 'n02'], array([0, 1]), array([1, 0]), torch.Size([3, 64, 64]))
    >>> shutil.rmtree(root)
    """

    def _wnids(self) -> list[str]:
        _check_folder(self.root, "tiny ImageNet folder")
        path = self.root / "wnids.txt"
        if not path.is_file():
            raise FileNotFoundError(
                f"tiny ImageNet's class list {path} does not exist: expected "
                f"wnids.txt, train and val in {self.root}."
            )
        wnids = path.read_text().split()
        if not wnids:
            raise ValueError(f"{path} names no class.")
        repeated = sorted({wnid for wnid in wnids if wnids.count(wnid) > 1})
        if repeated:
            raise ValueError(f"{path} names {', '.join(repeated)} more than once.")
        return sorted(wnids)

    def _list_files(self) -> ImageFiles:
        classes = self._wnids()
        if self.subset == "train":
            folder = self.root / "train"
            _check_folder(folder, "the train folder of tiny ImageNet,")
            return _scan_class_folders(folder, classes, IMAGE_EXTENSIONS)
        return self._list_val(classes)

    def _list_val(self, classes: list[str]) -> ImageFiles:
        images = self.root / "val" / "images"
        annotations = self.root / "val" / "val_annotations.txt"
        if not annotations.is_file():
            raise FileNotFoundError(
                f"the labels of tiny ImageNet's val set, {annotations}, do not exist."
            )
        _check_folder(images, "the val images folder of tiny ImageNet,")
        class_to_idx = {wnid: label for label, wnid in enumerate(classes)}
        names, targets = [], []
        for number, line in enumerate(annotations.read_text().splitlines(), 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) < 2:
                raise ValueError(
                    f"{annotations}, line {number}: expected '<file> <wnid> ...'; "
                    f"got {line!r}."
                )
            if fields[1] not in class_to_idx:
                raise ValueError(
                    f"{annotations}, line {number}: {fields[1]!r} is not one of the "
                    f"classes of {self.root / 'wnids.txt'}."
                )
            names.append(fields[0])
            targets.append(class_to_idx[fields[1]])
        if not names:
            raise ValueError(f"{annotations} labels no image.")
        with os.scandir(images) as entries:
            present = {entry.name for entry in entries}
        missing = [name for name in names if name not in present]
        if missing:
            more = ", ..." if len(missing) > 5 else ""
            raise FileNotFoundError(
                f"{len(missing)} image(s) labelled in {annotations} are not in "
                f"{images}: {', '.join(missing[:5])}{more}."
            )
        return ImageFiles(
            classes,
            [os.path.join(images, name) for name in names],
            np.asarray(targets, dtype=np.int64),
        )

    @property
    def class_names(self) -> list[str]:
        words_path = self.root / "words.txt"
        words = {}
        if words_path.is_file():
            for line in words_path.read_text().splitlines():
                wnid, _, name = line.partition("\t")
                words[wnid.strip()] = name.strip()
        return [words.get(wnid) or wnid for wnid in self.classes]

    def _description(self) -> dict[str, Any]:
        return {"subset": self.subset}


class ArrayImageDataset(Dataset):
    """Images held in an array, as a map-style torch Dataset of ``(image, label)``.

    Wraps what the array loaders of :mod:`sklearn_difficulty.datasets` return
    (see :func:`~sklearn_difficulty.datasets.as_dataset`). Pickled, it carries
    its arrays (which joblib memory-maps for its workers).

    Parameters
    ----------
    images : array-like of shape (n_samples, channels, height, width)
        Stored as float32.
    targets : array-like of int of shape (n_samples,)
    classes : sequence of str, default=None
        The class names, label k being ``classes[k]``; None names the labels
        ``"0"`` to ``str(targets.max())``.
    transform : callable, default=None
        Applied to each image, a float32 CxHxW tensor; None returns it as is.

    Attributes
    ----------
    images : ndarray of float32 of shape (n_samples, channels, height, width)
    targets : ndarray of int64 of shape (n_samples,)
    classes : list of str
    class_to_idx : dict of str to int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.datasets import ArrayImageDataset
    >>> dataset = ArrayImageDataset(np.zeros((3, 1, 2, 2)), [0, 2, 1])
    >>> len(dataset), dataset.classes, dataset[1][0].shape, dataset[1][1]
    (3, ['0', '1', '2'], torch.Size([1, 2, 2]), 2)
    """

    def __init__(
        self,
        images: Any,
        targets: Any,
        *,
        classes: Sequence[str] | None = None,
        transform: Callable[[Any], Any] | None = None,
    ):
        images = np.asarray(images, dtype=np.float32)
        targets = np.asarray(targets)
        if images.ndim != 4:
            raise ValueError(
                "images must be an array of shape (n_samples, channels, height, "
                f"width); got shape {images.shape}."
            )
        if targets.shape != (len(images),):
            raise ValueError(
                f"targets must hold one label per image: {len(images)} images, "
                f"targets of shape {targets.shape}."
            )
        if targets.size and (
            not np.issubdtype(targets.dtype, np.integer) or targets.min() < 0
        ):
            raise ValueError(
                "targets must be integer labels 0, 1, ...; got dtype "
                f"{targets.dtype}, smallest {targets.min()!r}."
            )
        self.images = images
        self.targets = targets.astype(np.int64)
        n_classes = int(self.targets.max()) + 1 if self.targets.size else 0
        self.classes = (
            [str(k) for k in range(n_classes)]
            if classes is None
            else [str(name) for name in classes]
        )
        if len(self.classes) < n_classes:
            raise ValueError(
                f"classes names {len(self.classes)} classes, but targets has label "
                f"{n_classes - 1}."
            )
        self.transform = transform

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: label for label, name in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = torch.from_numpy(np.ascontiguousarray(self.images[index]))
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(<{len(self)} images of shape "
            f"{self.images.shape[1:]}>, transform={self.transform!r})"
        )
