"""The prediction record's files: one ``.npz`` archive, or a folder of ``.npy`` files.

A record file may come from someone else, or be half-written by a killed
run, so reading one trusts nothing in it:

- the metadata is read first and checked against its schema
  (:func:`check_metadata`);
- then only the arrays that the metadata implies are read, one by one
  (keys or files it does not name are ignored and never read);
- before an array is read its ``.npy`` header is, and its dtype, shape and
  size are checked against the metadata, the other arrays and the bytes
  actually stored, so that a huge declared array is refused before any
  memory is allocated for it;
- nothing is unpickled, no symbolic link is followed out of a record
  folder, and no FIFO or device is opened as a record's file.

Whatever cannot be read is one ``ValueError`` naming the file and the field.
Files are written to a temporary name and renamed, so a killed run leaves the
previous file (or none), never half of one.
"""

from __future__ import annotations

import json
import math
import os
import stat
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np

from ._files import replacing

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "check_metadata",
    "new_npy_memmap",
    "read_record",
    "write_record",
]

FORMAT_NAME = "sklearn-difficulty prediction record"
# 1: predicted labels only (sklearn-difficulty 0.1); 2: optional outputs;
# 3: optional positions of the stages (steps, epochs).
FORMAT_VERSION = 3

#: The metadata of a record names a few sets and kinds: far below this.
MAX_METADATA_CHARS = 1 << 20
MMAP_MODES = (None, "r", "r+", "c")
_CHUNK = 1 << 24
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
#: What reading a damaged archive or .npy can raise, besides ValueError.
_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,  # an unknown compression method
    RuntimeError,  # an encrypted member
    SyntaxError,
    RecursionError,
    TypeError,
    OverflowError,
    OSError,
)


class Header(NamedTuple):
    """What a ``.npy`` header declares, and where its data starts."""

    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype
    offset: int


def unreadable(where, detail: str, *, truncated: bool = False) -> ValueError:
    """The one error of a record that cannot be read."""
    message = f"{os.fspath(where)!r} is not a readable prediction record: {detail}"
    if truncated:
        message += (
            " It may be truncated, for instance by a run killed while writing "
            "it: write it again."
        )
    return ValueError(message)


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _field_error(where, name: str, must: str, value) -> ValueError:
    return unreadable(
        where, f"its metadata field {name!r} must be {must}; got {_shown(value)}."
    )


def check_metadata(metadata, where, output_kinds: Sequence[str]) -> dict:
    """The metadata of a record, checked field by field.

    Parameters
    ----------
    metadata : object
        The parsed JSON.
    where : str or path-like
        The file, named in errors.
    output_kinds : sequence of str
        The outputs a record can hold.

    Returns
    -------
    metadata : dict
        ``version``, ``set_names``, ``stage_kind`` and ``outputs`` (an empty
        list for version 1); other keys are ignored.

    Raises
    ------
    ValueError
        Naming the file and the first field that is wrong.
    """
    if not isinstance(metadata, dict):
        raise unreadable(
            where, f"its metadata must be a JSON object; got {type(metadata).__name__}."
        )
    if metadata.get("format") != FORMAT_NAME:
        raise ValueError(f"{os.fspath(where)!r} is not a prediction record.")
    version = metadata.get("version")
    if type(version) is not int or version < 1:
        raise _field_error(where, "version", "an integer >= 1", version)
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{os.fspath(where)!r} was written in record format version "
            f"{version}; this version of sklearn-difficulty reads up to "
            f"{FORMAT_VERSION}. Upgrade sklearn-difficulty to load it."
        )
    names = metadata.get("set_names")
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(name, str) for name in names)
        or len(set(names)) != len(names)
    ):
        raise _field_error(
            where, "set_names", "a non-empty list of distinct strings", names
        )
    stage_kind = metadata.get("stage_kind")
    if not isinstance(stage_kind, str):
        raise _field_error(where, "stage_kind", "a string", stage_kind)
    outputs = metadata.get("outputs", [])  # version 1 has none
    if (
        not isinstance(outputs, list)
        or not all(isinstance(kind, str) and kind in output_kinds for kind in outputs)
        or len(set(outputs)) != len(outputs)
    ):
        raise _field_error(
            where,
            "outputs",
            f"a list of distinct kinds among {tuple(output_kinds)}",
            outputs,
        )
    return {
        "version": version,
        "set_names": names,
        "stage_kind": stage_kind,
        "outputs": outputs,
    }


def _parse_metadata(text: str, where, output_kinds) -> dict:
    try:
        metadata = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise unreadable(where, f"its metadata is not JSON ({error}).") from None
    return check_metadata(metadata, where, output_kinds)


def _read_header(fp: IO[bytes], where) -> Header:
    """The header of a ``.npy`` file, from its start; no data is read."""
    try:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise ValueError(f"unsupported .npy format version {version}")
        offset = fp.tell()
    except (ValueError, *_BROKEN) as error:
        raise unreadable(
            where, f"not a .npy array ({error}).", truncated=True
        ) from None
    if dtype.hasobject:
        raise ValueError(
            f"{os.fspath(where)!r} holds pickled objects; a prediction record never "
            "does, so it is not loaded (loading could run code)."
        )
    if any(size < 0 for size in shape):
        raise unreadable(where, f"its header declares a negative shape {shape}.")
    return Header(tuple(shape), bool(fortran), dtype, offset)


def _nbytes(header: Header) -> int:
    return math.prod(header.shape) * header.dtype.itemsize


def _read_data(fp: IO[bytes], header: Header, where) -> np.ndarray:
    """The data after a header whose size was checked against the file's."""
    buffer = bytearray(_nbytes(header))
    view = memoryview(buffer)
    done = 0
    try:
        while done < len(buffer):
            read = fp.readinto(view[done : done + _CHUNK])  # type: ignore[attr-defined]
            if not read:
                raise EOFError(f"{done} of {len(buffer)} bytes of data")
            done += read
    except (ValueError, *_BROKEN) as error:
        raise unreadable(
            where, f"its data ends early ({error}).", truncated=True
        ) from None
    array = np.frombuffer(buffer, dtype=header.dtype)
    return array.reshape(header.shape, order="F" if header.fortran_order else "C")


class _Archive:
    """The arrays of a ``.npz`` file, read member by member."""

    def __init__(self, path: Path, stack: ExitStack):
        self.path = path
        try:
            status = os.stat(path)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"no prediction record at {os.fspath(path)!r}."
            ) from None
        if not stat.S_ISREG(status.st_mode):
            raise unreadable(path, "it is not a regular file.")
        self.size = status.st_size
        try:
            self.zip = stack.enter_context(zipfile.ZipFile(path))
        except (ValueError, *_BROKEN) as error:
            raise unreadable(
                path, f"not a .npz archive ({error}).", truncated=True
            ) from None
        self.stack = stack
        self.members: dict[str, tuple[IO[bytes], Header]] = {}

    def where(self, key: str) -> str:
        return f"{os.fspath(self.path)} ({key}.npy)"

    def header(self, key: str) -> Header | None:
        try:
            info = self.zip.getinfo(f"{key}.npy")
        except KeyError:
            return None
        where = self.where(key)
        if info.compress_type == zipfile.ZIP_STORED and (
            info.header_offset + info.compress_size > self.size
        ):
            raise unreadable(where, "its data ends early.", truncated=True)
        try:
            fp = self.stack.enter_context(self.zip.open(info))
        except (ValueError, *_BROKEN) as error:
            raise unreadable(where, f"({error}).", truncated=True) from None
        header = _read_header(fp, where)
        if info.file_size != header.offset + _nbytes(header):
            raise unreadable(
                where,
                f"its header declares {header.shape} {header.dtype} "
                f"({_nbytes(header)} bytes) but the archive holds "
                f"{info.file_size - header.offset} bytes of data.",
                truncated=True,
            )
        self.members[key] = fp, header
        return header

    def read(self, key: str, *, mapped: bool) -> np.ndarray:
        fp, header = self.members[key]
        return _read_data(fp, header, self.where(key))

    def metadata_text(self) -> str:
        header = self.header("metadata")
        if header is None:
            raise ValueError(f"{os.fspath(self.path)!r} is not a prediction record.")
        if header.dtype.kind != "U" or header.shape != ():
            raise unreadable(self.where("metadata"), "its metadata is not a string.")
        if header.dtype.itemsize > 4 * MAX_METADATA_CHARS:
            raise unreadable(self.where("metadata"), "its metadata is too long.")
        return str(self.read("metadata", mapped=False)[()])


def _open_inside(folder: Path, name: str, mode: str) -> IO[bytes] | None:
    """A regular file of ``folder`` (resolved) never through a link; None if absent."""
    path = folder / name
    try:
        if path.is_symlink():
            raise unreadable(
                path,
                "it is a symbolic link, and a record folder's files are never "
                "followed out of it.",
            )
        fp = open(path, mode, opener=lambda p, flags: os.open(p, flags | _NOFOLLOW))
    except FileNotFoundError:
        return None
    except OSError as error:
        raise unreadable(path, f"it cannot be opened ({error}).") from None
    if not stat.S_ISREG(os.fstat(fp.fileno()).st_mode):
        fp.close()
        raise unreadable(path, "it is not a regular file.")
    return fp  # type: ignore[return-value]


class _Folder:
    """The arrays of a record folder, read (or memory-mapped) file by file."""

    def __init__(self, path: Path, stack: ExitStack, mmap_mode):
        self.path = path.resolve()
        self.stack = stack
        self.mode = "r+b" if mmap_mode == "r+" else "rb"
        self.mmap_mode = mmap_mode
        self.members: dict[str, tuple[IO[bytes], Header]] = {}

    def where(self, key: str) -> Path:
        return self.path / f"{key}.npy"

    def header(self, key: str) -> Header | None:
        fp = _open_inside(self.path, f"{key}.npy", self.mode)
        if fp is None:
            return None
        self.stack.enter_context(fp)
        where = self.where(key)
        header = _read_header(fp, where)
        size = os.fstat(fp.fileno()).st_size
        if size != header.offset + _nbytes(header):
            raise unreadable(
                where,
                f"its header declares {header.shape} {header.dtype} "
                f"({_nbytes(header)} bytes) but the file holds "
                f"{size - header.offset} bytes of data.",
                truncated=True,
            )
        self.members[key] = fp, header
        return header

    def read(self, key: str, *, mapped: bool) -> np.ndarray:
        fp, header = self.members[key]
        if not (mapped and self.mmap_mode):
            return _read_data(fp, header, self.where(key))
        try:
            return np.memmap(
                fp,
                dtype=header.dtype,
                mode=self.mmap_mode,
                offset=header.offset,
                shape=header.shape,
                order="F" if header.fortran_order else "C",
            )
        except (ValueError, OSError) as error:
            raise unreadable(self.where(key), f"cannot be mapped ({error}).") from None

    def metadata_text(self) -> str:
        fp = _open_inside(self.path, "metadata.json", "rb")
        if fp is None:
            raise ValueError(f"{os.fspath(self.path)!r} is not a prediction record.")
        with fp:
            text = fp.read(4 * MAX_METADATA_CHARS + 1)
        where = self.path / "metadata.json"
        if len(text) > 4 * MAX_METADATA_CHARS:
            raise unreadable(where, "its metadata is too long.")
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise unreadable(where, f"its metadata is not UTF-8 ({error}).") from None


class _Spec(NamedTuple):
    """What one array of a record must be: dtype kinds and shape (None: any)."""

    kinds: str
    shape: tuple[int | None, ...]
    what: str


def _checked(source, key: str, spec: _Spec, *, required: bool = True):
    header = source.header(key)
    if header is None:
        if required:
            raise unreadable(
                source.path,
                f"its array {key!r} is missing.",
                truncated=True,
            )
        return None
    dtype, shape = header.dtype, header.shape
    fits = len(shape) == len(spec.shape) and all(
        want is None or want == got for want, got in zip(spec.shape, shape, strict=True)
    )
    if (
        dtype.kind not in spec.kinds
        or dtype.itemsize == 0
        or dtype.names is not None
        or not fits
    ):
        expected = tuple("n" if size is None else size for size in spec.shape)
        raise unreadable(
            source.where(key),
            f"its array {key!r} must be {spec.what} of shape {expected}; its header "
            f"declares {dtype} of shape {shape}.",
        )
    return header


def _check_headers(source, metadata: dict) -> list[str]:
    """Check every array's header against the others; the keys to read."""
    _checked(source, "classes", _Spec("biufUS", (None,), "1-D labels"))
    stages = _checked(source, "stages", _Spec("iuf", (None,), "1-D numbers"))
    keys = ["classes", "stages"]
    n_stages = stages.shape[0]
    n_members = None
    n_train = None
    for index, name in enumerate(metadata["set_names"]):
        target = _checked(
            source, f"targets_{index}", _Spec("iu", (None,), "1-D integers")
        )
        shape = (n_members, n_stages, target.shape[0])
        prediction = _checked(
            source, f"predictions_{index}", _Spec("iu", shape, "integers")
        )
        n_members = prediction.shape[0]
        if name == "train":
            n_train = target.shape[0]
        keys += [f"targets_{index}", f"predictions_{index}"]
        for kind in metadata["outputs"]:
            key = f"outputs_{kind}_{index}"
            _checked(source, key, _Spec("f", prediction.shape, "floating point"))
            keys.append(key)
    if _checked(
        source, "in_bag", _Spec("b", (n_members, n_train), "booleans"), required=False
    ):
        keys.append("in_bag")
    if _checked(source, "seeds", _Spec("iu", (n_members,), "integers"), required=False):
        keys.append("seeds")
    if metadata["version"] >= 3:  # the positions of the stages
        for key, kinds in (("steps", "iu"), ("epochs", "f")):
            spec = _Spec(kinds, (n_stages,), "numbers")
            if _checked(source, key, spec, required=False):
                keys.append(key)
    return keys


def read_record(
    path: str | os.PathLike, *, mmap_mode=None, output_kinds: Sequence[str] = ()
) -> tuple[dict, dict[str, np.ndarray]]:
    """The checked metadata and the arrays of a record file or folder.

    Parameters
    ----------
    path : str or path-like
        A ``.npz`` archive, or a folder holding ``metadata.json``.
    mmap_mode : {None, "r", "r+", "c"}, default=None
        For a folder: memory-map the predictions and outputs.
    output_kinds : sequence of str
        The outputs a record can hold.

    Returns
    -------
    metadata : dict
        As :func:`check_metadata` returns it.
    arrays : dict of str to ndarray
        Only the arrays the metadata implies, by key (``classes``,
        ``predictions_0``...).

    Raises
    ------
    ValueError
        When the record cannot be read: one message naming the file and
        the field.
    FileNotFoundError
        When there is nothing at ``path``.
    """
    if mmap_mode not in MMAP_MODES:
        raise ValueError(f"mmap_mode must be one of {MMAP_MODES}; got {mmap_mode!r}.")
    path = Path(path)
    with ExitStack() as stack:
        source: _Archive | _Folder = (
            _Folder(path, stack, mmap_mode) if path.is_dir() else _Archive(path, stack)
        )
        metadata = _parse_metadata(source.metadata_text(), source.path, output_kinds)
        keys = _check_headers(source, metadata)
        arrays = {
            key: source.read(key, mapped=key.startswith(("predictions_", "outputs_")))
            for key in keys
        }
    return metadata, arrays


def _in_place(array, target: Path) -> bool:
    """Whether ``array`` is a writable memory map of the file ``target``."""
    filename = getattr(array, "filename", None)
    return (
        filename is not None
        and getattr(array, "mode", "c") != "c"  # a private copy may differ
        and not target.is_symlink()
        and Path(filename) == target.resolve()
    )


def write_record(
    path: str | os.PathLike, metadata: dict, arrays: Mapping[str, np.ndarray]
) -> None:
    """Write a record's metadata and arrays, without pickle, file by file atomically.

    A path ending in ``.npz`` is one archive; any other path is a folder of
    ``.npy`` files and ``metadata.json`` (written last). Each file is written
    to a temporary name and renamed, so an existing file, or a symbolic link
    planted in the folder, is replaced and never written through. Memory-mapped
    arrays of the folder's own files are already in place and not copied.
    """
    text = json.dumps(metadata)
    if os.fspath(path).endswith(".npz"):
        with replacing(Path(path)) as fp:
            np.savez(fp, metadata=np.array(text), **arrays)  # type: ignore[arg-type]
        return
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for key, array in arrays.items():
        target = folder / f"{key}.npy"
        if not _in_place(array, target):
            with replacing(target) as fp:
                np.save(fp, array, allow_pickle=False)
    with replacing(folder / "metadata.json") as fp:
        fp.write(text.encode("utf-8"))


def new_npy_memmap(path: str | os.PathLike, shape: tuple, dtype) -> np.memmap:
    """A new ``.npy`` file at ``path``, memory-mapped for writing.

    Whatever was at ``path`` (a file of an earlier run, a symbolic link) is
    removed first and never read, followed nor reused; the file is created
    anew, so a record still mapping the old one keeps reading its own data.
    """
    path = Path(path)
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        raise ValueError(
            f"{os.fspath(path)!r} exists and is not a file; a record folder's "
            ".npy files cannot be written there."
        )
    dtype = np.dtype(dtype)
    shape = tuple(int(size) for size in shape)
    header = {
        "descr": np.lib.format.dtype_to_descr(dtype),
        "fortran_order": False,
        "shape": shape,
    }
    exclusive = os.O_EXCL | _NOFOLLOW
    with open(path, "w+b", opener=lambda p, f: os.open(p, f | exclusive)) as fp:
        np.lib.format.write_array_header_1_0(fp, header)
        offset = fp.tell()
        fp.truncate(offset + math.prod(shape) * dtype.itemsize)
        return np.memmap(fp, dtype=dtype, mode="r+", offset=offset, shape=shape)
