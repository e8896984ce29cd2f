"""The lazy torch Datasets of image files: image folders, ImageNet, tiny ImageNet.

Needs the ``torch`` extra: ``pip install "sklearn-difficulty[torch]"``. The
public names are re-exported by :mod:`sklearn_difficulty.datasets`, which
imports this module only when one of them is first used.

The datasets list their files once, when made (see :mod:`._image_listing`),
without opening any image; without a transform they then read every file's
header (see :mod:`._image_reading`) so that mixed sizes and images of more
than ``max_pixels`` pixels are found before any training. An image is
decoded only when it is indexed, after its header was checked.
Pickled (as when a member's task goes to a joblib worker) they carry their
description (root folder, options, transform) and a fingerprint of the
listing, never the listing itself: the worker lists the files again on first
use, in the same sorted order, and stops with an error if they changed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from .._validation import check_choice
from ._image_listing import (
    DEFAULT_MAX_PIXELS,
    IMAGE_EXTENSIONS,
    ImageFiles,
    list_image_folder,
    list_imagenet_folders,
    list_tiny_imagenet,
    normalised_extensions,
    tiny_imagenet_words,
)
from ._image_reading import (
    ItemShapes,
    check_max_pixels,
    common_size,
    read_image,
)

__all__ = [
    "ImageFilesDataset",
    "ImageFolderDataset",
    "ImageNetFoldersDataset",
    "TinyImageNetDataset",
]

_MODES = ("RGB", "L")


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
    sorted file paths, labels; importable from ``sklearn_difficulty.datasets``)
    without opening any image, or raises an error naming what is missing and
    where. The base class lists the files once when
    the dataset is made, keeps the listing out of pickles, lists again on first
    use after unpickling and checks that the listing did not change.

    Every image must have one size, for networks take one input shape.
    Without a transform, the header of every file is read when the dataset
    is made (one open per file, no pixel decoded: about 30 to 100
    microseconds a file for small PNGs on a local disk), and two files of
    different sizes are a ValueError naming both and suggesting a resizing
    transform; a file of more than ``max_pixels`` pixels is a ValueError too.
    With a transform, the shapes it makes are known only once it is applied:
    each item read must have the shape of the first item read (which
    ``EnsembleDifficulty.fit`` reads before any member trains), else a
    ValueError names both files.

    Parameters
    ----------
    transform : callable, default=None
        Applied to each PIL image (after conversion to ``mode``), as in
        torchvision; None gives a float32 tensor CxHxW of the pixels / 255.
    mode : {"RGB", "L"}, default="RGB"
        The PIL mode each image is converted to: three channels (grey, palette
        and CMYK files included), or one grey channel.
    max_pixels : int or None, default=89_478_485
        The most pixels (width x height) an image file may have, checked from
        its header before any pixel is decoded; a larger file is a ValueError
        naming it. The default is Pillow's own limit (``PIL.Image.
        MAX_IMAGE_PIXELS`` as Pillow ships it, about 9,459 x 9,459); None
        means no limit, for trusted files only.

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
        self,
        *,
        transform: Callable[[Any], Any] | None = None,
        mode: str = "RGB",
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
    ):
        _check_mode(mode)
        check_max_pixels(max_pixels)
        self.transform = transform
        self.mode = mode
        self.max_pixels = max_pixels
        self._files: ImageFiles | None = None
        self._fingerprint: _Fingerprint | None = None
        self._shapes = ItemShapes()
        paths = self._listed().paths
        self._image_size = (
            None if transform is not None else common_size(paths, max_pixels)
        )

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
        state.setdefault("max_pixels", DEFAULT_MAX_PIXELS)
        state.setdefault("_image_size", None)
        state.setdefault("_shapes", ItemShapes())
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
        image = read_image(path, self.mode, self.max_pixels, self._image_size)
        if self.transform is None:
            return _to_float_tensor(image), int(files.targets[index])
        item = self.transform(image)
        self._shapes.check(path, item)
        return item, int(files.targets[index])

    def _description(self) -> dict[str, Any]:
        """The options that a subclass shows in its repr, after its root."""
        return {}

    def __repr__(self) -> str:
        options = [repr(str(getattr(self, "root", "")))]
        options += [f"{key}={value!r}" for key, value in self._description().items()]
        options += [f"mode={self.mode!r}", f"transform={self.transform!r}"]
        if self.max_pixels != DEFAULT_MAX_PIXELS:
            options.append(f"max_pixels={self.max_pixels!r}")
        return f"{type(self).__name__}({', '.join(options)})"


class ImageFolderDataset(ImageFilesDataset):
    """Images in ``root/<class>/<files>`` (torchvision's ImageFolder layout), lazily.

    Classes, their order, the files and their order are those of
    ``torchvision.datasets.ImageFolder``: class folders sorted by name (unless
    ``classes`` is given), each walked recursively with its files sorted, and
    only files whose names end (in any case) with one of ``extensions`` kept.
    Listing the files opens no image; an image is read when indexed (each
    image's size is checked as :class:`ImageFilesDataset` says). Pickled,
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
    max_pixels : int or None, default=89_478_485
        The most pixels (width x height) an image file may have, checked from
        its header before any pixel is decoded; a larger file is a ValueError
        naming it. The default is Pillow's own limit (``PIL.Image.
        MAX_IMAGE_PIXELS`` as Pillow ships it, about 9,459 x 9,459); None
        means no limit, for trusted files only.

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
    ValueError
        When two class folders are one folder, when (without a transform)
        two images have different sizes, or when an image has more than
        ``max_pixels`` pixels; the message names the files.

    Warns
    -----
    DifficultyWarning
        One warning naming ``root`` when the listing skipped files named as
        images that are not regular files (FIFOs, sockets, devices, broken
        links, never opened) or symbolic links (see below).

    Notes
    -----
    Symbolic links: torchvision follows every link, so one loop never ends,
    and a link in class a to class b's folder labels b's images a as well.
    Here every real folder (device and inode) is walked at most once; a link
    to a folder is followed only if that folder was not walked yet, is not
    inside another class's folder and holds no class folder (the root or
    above); a link to an image file is listed unless the file is inside
    another class's folder or was listed through another link. A link to a
    folder outside ``root`` is followed, once, as torchvision does.

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
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
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
        self.extensions = normalised_extensions(extensions)
        super().__init__(transform=transform, mode=mode, max_pixels=max_pixels)

    def _list_files(self) -> ImageFiles:
        return list_image_folder(self.root, self._requested_classes, self.extensions)

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
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
    ):
        check_choice(subset, "subset", ("train", "val"))
        self.root = Path(root).expanduser().absolute()
        self.subset = subset
        super().__init__(transform=transform, mode=mode, max_pixels=max_pixels)

    def _description(self) -> dict[str, Any]:
        return {"subset": self.subset}


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
    max_pixels : int or None, default=89_478_485
        The most pixels (width x height) an image file may have, checked from
        its header before any pixel is decoded; a larger file is a ValueError
        naming it. The default is Pillow's own limit (``PIL.Image.
        MAX_IMAGE_PIXELS`` as Pillow ships it, about 9,459 x 9,459); None
        means no limit, for trusted files only.

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
        return list_imagenet_folders(self.root, self.subset)


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
    max_pixels : int or None, default=89_478_485
        The most pixels (width x height) an image file may have, checked from
        its header before any pixel is decoded; a larger file is a ValueError
        naming it. The default is Pillow's own limit (``PIL.Image.
        MAX_IMAGE_PIXELS`` as Pillow ships it, about 9,459 x 9,459); None
        means no limit, for trusted files only.

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

    def _list_files(self) -> ImageFiles:
        return list_tiny_imagenet(self.root, self.subset)

    @property
    def class_names(self) -> list[str]:
        words = tiny_imagenet_words(self.root)
        return [words.get(wnid) or wnid for wnid in self.classes]
