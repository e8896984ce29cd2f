"""Listing the image files of a folder layout, without opening any image.

Three layouts: torchvision's ImageFolder (``root/<class>/<files>``), ImageNet
prepared as ``root/train/<wnid>/`` and ``root/val/<wnid>/``, and tiny
ImageNet as it is distributed. A listing is an :class:`ImageFiles`: the class
names, the paths in a fixed sorted order, and their labels. A folder from
elsewhere is checked as it is listed: a missing folder, an empty class or a
malformed label file is an error that names the path. The walk cannot loop
or hang: each real folder is walked once, a link never gives another class's
images a second label (the rule is :class:`_FolderWalk`'s), and files named
as images that are not regular files (a FIFO, a socket, a broken link) are
skipped unopened, with one warning naming the folder. Needs no torch.
"""

from __future__ import annotations

import os
import stat
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..exceptions import DifficultyWarning

__all__ = [
    "DEFAULT_MAX_PIXELS",
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


#: The most pixels an image file of the lazy data sets may have by default:
#: Pillow's own limit (``PIL.Image.MAX_IMAGE_PIXELS`` as Pillow ships it),
#: 89,478,485 pixels, about 9,459 x 9,459 (256 MiB as 8-bit RGB).
DEFAULT_MAX_PIXELS = 1024 * 1024 * 1024 // 4 // 3


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
    its sub-folders and files sorted by name, each real folder at most once
    (see :class:`_FolderWalk` for the symbolic links followed). What is
    skipped is said in one warning naming ``folder``.
    """
    class_folders = [folder / name for name in classes]
    for name, class_folder in zip(classes, class_folders, strict=True):
        _check_folder(class_folder, f"the folder of class {name!r},")
    walk = _FolderWalk(class_folders, classes, extensions)
    paths: list[str] = []
    targets: list[np.ndarray] = []
    for label, (name, class_folder) in enumerate(
        zip(classes, class_folders, strict=True)
    ):
        found = walk.image_files(label)
        if not found:
            raise FileNotFoundError(
                f"no image files ({', '.join(extensions)}) in {class_folder}, the "
                f"folder of class {name!r}."
            )
        paths.extend(found)
        targets.append(np.full(len(found), label, dtype=np.int64))
    walk.warn_skipped(folder)
    return ImageFiles(list(classes), paths, np.concatenate(targets))


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class _FolderWalk:
    """Walks the class folders of one listing, each real folder at most once.

    The rule for what is followed (torchvision's ImageFolder follows every
    link, so a link loop never ends and a link into another class's folder
    labels its images twice):

    * Real sub-folders and regular files are listed, as torchvision does.
    * A symbolic link to a folder is followed only if that real folder (its
      device and inode) was not visited yet, by any class, and if it is not
      inside another class's folder nor holds a class folder (the root or a
      folder above it). So a loop ends, no image is listed twice, and a link
      into another class's folder never relabels that class's images. A link
      to a folder elsewhere (outside the root) is followed, once.
    * A symbolic link to an image file is listed unless the file is inside
      another class's folder or was listed already through another link.
    * Anything else named as an image (a FIFO, a socket, a device, a broken
      link, a link loop) is skipped without being opened, and so is a folder
      that cannot be read. Nothing is opened but folders.
    """

    def __init__(
        self,
        class_folders: Sequence[Path],
        classes: Sequence[str],
        extensions: tuple[str, ...],
    ):
        self.class_folders = [str(path) for path in class_folders]
        self.real_folders = [os.path.realpath(path) for path in class_folders]
        self.extensions = extensions
        self.visited: set[tuple[int, int]] = set()
        self.linked_files: set[tuple[int, int]] = set()
        self.not_regular: list[str] = []
        self.links: list[str] = []
        self.unreadable: list[str] = []
        owners: dict[tuple[int, int], str] = {}
        for name, path in zip(classes, class_folders, strict=True):
            status = os.stat(path)
            identity = (status.st_dev, status.st_ino)
            if identity in owners:
                raise ValueError(
                    f"the folders of classes {owners[identity]!r} and {name!r} are "
                    f"one folder ({os.path.realpath(path)}): its images cannot "
                    "have two labels."
                )
            owners[identity] = name
        self.visited.update(owners)

    def image_files(self, label: int) -> list[str]:
        """The image files of class ``label``, sorted as ``sorted(os.walk(...))``."""
        others = [real for k, real in enumerate(self.real_folders) if k != label]
        listed: list[tuple[str, list[str]]] = []
        pending = [self.class_folders[label]]
        while pending:
            dirpath = pending.pop()
            try:
                with os.scandir(dirpath) as scan:
                    entries = sorted(scan, key=lambda entry: entry.name)
            except OSError:
                self.unreadable.append(dirpath)
                continue
            names, subfolders = [], []
            for entry in entries:
                kind = self._kind(entry, others)
                if kind == "folder":
                    subfolders.append(entry.path)
                elif kind == "image":
                    names.append(entry.name)
            listed.append((dirpath, names))
            pending.extend(reversed(subfolders))  # depth first, in sorted order
        return [
            os.path.join(dirpath, name)
            for dirpath, names in sorted(listed)
            for name in names
        ]

    def _kind(self, entry: os.DirEntry, others: list[str]) -> str:
        """What ``entry`` is: "folder" (to walk), "image" (to list) or "" (neither).

        What is skipped is noted for the warning; nothing is opened.
        """
        is_image = entry.name.lower().endswith(self.extensions)
        status: os.stat_result | None
        try:
            if not entry.is_symlink():
                if entry.is_dir(follow_symlinks=False):
                    status = entry.stat(follow_symlinks=False)
                    return self._new_folder(status, entry.path)
                if entry.is_file(follow_symlinks=False):
                    return "image" if is_image else ""
                status = None  # a FIFO, a socket, a device
            else:
                status = os.stat(entry.path)  # what the link leads to
        except OSError:  # a broken link, a link loop, a file gone
            status = None
        if status is not None and stat.S_ISDIR(status.st_mode):
            if self._leads_elsewhere(entry.path, others, folder=True):
                self.links.append(entry.path)
                return ""
            return self._new_folder(status, entry.path)
        if status is not None and stat.S_ISREG(status.st_mode):
            if not is_image:
                return ""
            identity = (status.st_dev, status.st_ino)
            if identity in self.linked_files or self._leads_elsewhere(
                entry.path, others, folder=False
            ):
                self.links.append(entry.path)
                return ""
            self.linked_files.add(identity)
            return "image"
        if is_image:
            self.not_regular.append(entry.path)
        return ""

    def _new_folder(self, status: os.stat_result, path: str) -> str:
        identity = (status.st_dev, status.st_ino)
        if identity in self.visited:
            self.links.append(path)
            return ""
        self.visited.add(identity)
        return "folder"

    def _leads_elsewhere(self, link: str, others: list[str], *, folder: bool) -> bool:
        """Whether ``link`` leads into another class's folder, or above a class's."""
        target = os.path.realpath(link)
        if any(_inside(target, other) for other in others):
            return True
        return folder and any(_inside(real, target) for real in self.real_folders)

    def warn_skipped(self, folder: Path) -> None:
        """One warning naming ``folder`` and what its walk skipped, if anything."""
        parts = [
            f"{len(found)} {what} (such as {found[0]})"
            for found, what in [
                (
                    self.not_regular,
                    "file(s) named as images that are not regular files (FIFOs, "
                    "sockets, devices, broken links)",
                ),
                (
                    self.links,
                    "link(s) or folder(s) leading to a folder already listed, "
                    "into another class's folder or above the class folders",
                ),
                (self.unreadable, "folder(s) that could not be read"),
            ]
            if found
        ]
        if parts:
            warnings.warn(
                f"listing the images of {folder}, skipped {'; '.join(parts)}.",
                DifficultyWarning,
                stacklevel=2,
            )


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
    wnids = _read_text(path).split()
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
    for number, line in enumerate(_read_text(annotations).splitlines(), 1):
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
    with os.scandir(images) as entries:  # is_file: regular files (or links to)
        present = {entry.name for entry in entries if entry.is_file()}
    missing = [name for name in names if name not in present]
    if missing:
        more = ", ..." if len(missing) > 5 else ""
        raise FileNotFoundError(
            f"{len(missing)} image(s) labelled in {annotations} are not in "
            f"{images}: {', '.join(missing[:5])}{more} (or are not regular files)."
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
        for line in _read_text(path).splitlines():
            wnid, _, name = line.partition("\t")
            words[wnid.strip()] = name.strip()
    return words


#: The largest text file of a layout read (tiny ImageNet's are under 3 MB).
_MAX_TEXT_BYTES = 64 * 2**20


def _read_text(path: Path) -> str:
    """A regular text file of at most ``_MAX_TEXT_BYTES``, as UTF-8."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a regular file.")
    size = path.stat().st_size
    if size > _MAX_TEXT_BYTES:
        raise ValueError(
            f"{path} has {size:,} bytes; a label file of this layout has at most "
            f"{_MAX_TEXT_BYTES:,}."
        )
    try:
        return path.read_bytes()[: _MAX_TEXT_BYTES + 1].decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text: {error}.") from error
