"""Readers of the standard files: MNIST's IDX files and CIFAR's batches.

Each file may be gzipped (``<name>.gz``). CIFAR's python batches are pickles:
they are read by an unpickler that builds dicts, lists, strings and numpy
arrays, and refuses anything else (a pickle can run code). Every reader checks
the file against its format and names the file when it does not match.
"""

from __future__ import annotations

import gzip
import io
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = [
    "CifarBatch",
    "find_files",
    "read_cifar_batch",
    "read_idx",
    "read_python_batch",
]

#: The side of CIFAR's square images, and the bytes of one image's pixels.
_CIFAR_SIDE = 32
_CIFAR_PIXELS = 3 * _CIFAR_SIDE * _CIFAR_SIDE


class CifarBatch(NamedTuple):
    """The images of a CIFAR batch and its labels, by the python version's keys."""

    pixels: np.ndarray  # uint8, (n_images, 3, 32, 32)
    labels: dict[str, np.ndarray]


def find_files(
    root: Path,
    folders: Sequence[str],
    names: Sequence[str],
    dataset: str,
    download: Callable[[], None] | None = None,
) -> list[Path]:
    """The paths of ``names`` (with or without .gz) in the first folder holding all.

    ``folders`` are relative to ``root`` and searched in order. When none
    holds every file, ``download`` (when given) is called and the folders
    are searched again; else a FileNotFoundError names the files, the folders
    and ``dataset``.
    """
    for folder in folders:
        base = root / folder
        found = [_with_gz(base / name) for name in names]
        if all(path is not None for path in found):
            return [path for path in found if path is not None]
    if download is not None:
        download()
        return find_files(root, folders, names, dataset)
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


def read_idx(path: Path) -> np.ndarray:
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


def read_python_batch(path: Path) -> dict:
    """A pickled dict of CIFAR's python version (a batch or ``meta``), str keys."""
    batch = _ArraysOnly(io.BytesIO(_read_bytes(path)), encoding="latin1").load()
    return {
        key.decode() if isinstance(key, bytes) else key: v for key, v in batch.items()
    }


def read_cifar_batch(path: Path, kind: str, label_keys: Sequence[str]) -> CifarBatch:
    """A CIFAR batch of the ``"binary"`` or ``"python"`` version.

    ``label_keys`` names the labels of each image: the keys of the python
    version's dict (``"labels"`` for CIFAR-10, ``"coarse_labels"`` and
    ``"fine_labels"`` for CIFAR-100), which are also the order of the label
    bytes that start each image's record in the binary version.
    """
    if kind == "python":
        batch = read_python_batch(path)
        pixels = np.asarray(batch["data"])
        labels = {key: np.asarray(batch[key]) for key in label_keys}
    else:
        n_labels = len(label_keys)
        data = np.frombuffer(_read_bytes(path), np.uint8)
        if data.size % (n_labels + _CIFAR_PIXELS):
            raise ValueError(f"{path} is not a CIFAR binary batch ({data.size} bytes).")
        data = data.reshape(-1, n_labels + _CIFAR_PIXELS)
        pixels = data[:, n_labels:]
        labels = {key: data[:, k] for k, key in enumerate(label_keys)}
    return CifarBatch(pixels.reshape(-1, 3, _CIFAR_SIDE, _CIFAR_SIDE), labels)
