"""Listing the image files of a folder layout, without opening any image.

Three layouts: torchvision's ImageFolder (``root/<class>/<files>``), ImageNet
prepared as ``root/train/<wnid>/`` and ``root/val/<wnid>/``, and tiny
ImageNet as it is distributed. A listing is an :class:`ImageFiles`: the class
names, the paths in a fixed sorted order, and their labels. A folder from
elsewhere is checked as it is listed: a missing folder, an empty class or a
malformed label file is an error that names the path. Needs no torch.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = [
    "IMAGE_EXTENSIONS",
    "ImageFiles",
    "list_image_folder",
    "list_imagenet_folders",
    "list_tiny_imagenet",
    "normalised_extensions",
    "tiny_imagenet_words",
]

#: File name endings read as images (those of torchvision's ImageFolder).
IMAGE_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp",
)  # fmt: skip


class ImageFiles(NamedTuple):
    """What a listing of image files found: class names, paths and their labels."""

    classes: list[str]
    paths: list[str]
    targets: np.ndarray


def normalised_extensions(extensions: str | Sequence[str]) -> tuple[str, ...]:
    """The file name endings, lower-case, as a tuple; at least one."""
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


def list_image_folder(
    root: Path, classes: Sequence[str] | None, extensions: tuple[str, ...]
) -> ImageFiles:
    """``root/<class>/<files>``: ``classes`` in label order, or every sub-folder."""
    _check_folder(root, "image folder")
    return _scan_class_folders(root, classes or _class_folders(root), extensions)


def list_imagenet_folders(root: Path, subset: str) -> ImageFiles:
    """``root/<subset>/<wnid>/<files>``, with the classes of ``root/train``.

    The classes are the sorted sub-folders of ``root/train`` for either
    subset, so that the labels of both agree; without ``root/train``, those
    of ``root/<subset>``.
    """
    _check_folder(root, "ImageNet folder")
    folder = root / subset
    _check_folder(folder, f"the {subset} folder of ImageNet,")
    train = root / "train"
    classes = _class_folders(train if train.is_dir() else folder)
    return _scan_class_folders(folder, classes, IMAGE_EXTENSIONS)


def list_tiny_imagenet(root: Path, subset: str) -> ImageFiles:
    """Tiny ImageNet's ``train`` or ``val`` set; label k is the k-th sorted wnid."""
    classes = _tiny_imagenet_wnids(root)
    if subset == "train":
        folder = root / "train"
        _check_folder(folder, "the train folder of tiny ImageNet,")
        return _scan_class_folders(folder, classes, IMAGE_EXTENSIONS)
    return _list_tiny_imagenet_val(root, classes)


def _tiny_imagenet_wnids(root: Path) -> list[str]:
    """The wnids of ``root/wnids.txt``, sorted; each once."""
    _check_folder(root, "tiny ImageNet folder")
    path = root / "wnids.txt"
    if not path.is_file():
        raise FileNotFoundError(
            f"tiny ImageNet's class list {path} does not exist: expected "
            f"wnids.txt, train and val in {root}."
        )
    wnids = path.read_text().split()
    if not wnids:
        raise ValueError(f"{path} names no class.")
    repeated = sorted({wnid for wnid in wnids if wnids.count(wnid) > 1})
    if repeated:
        raise ValueError(f"{path} names {', '.join(repeated)} more than once.")
    return sorted(wnids)


def _list_tiny_imagenet_val(root: Path, classes: list[str]) -> ImageFiles:
    """``root/val/images``, labelled (in its order) by ``val_annotations.txt``."""
    images = root / "val" / "images"
    annotations = root / "val" / "val_annotations.txt"
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
                f"classes of {root / 'wnids.txt'}."
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


def tiny_imagenet_words(root: Path) -> dict[str, str]:
    """The words of each wnid from ``root/words.txt``; empty without the file."""
    path = root / "words.txt"
    words = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            wnid, _, name = line.partition("\t")
            words[wnid.strip()] = name.strip()
    return words
