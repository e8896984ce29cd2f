"""How the package writes a file: to a temporary file beside it, then renamed.

Every file it writes (a record and its arrays, a member's cache entry, the
files of a run or comparison folder, a report) is written to a temporary
file in the folder it belongs in (named ``.tmp-<random>-<name>``, so that it
keeps its suffix and is recognisably ours), made new (``O_EXCL``: never
through a link), and renamed over its target with :func:`os.replace`. A
reader therefore sees the old file or the new one, never half of one; a
killed run leaves at most a temporary file, which a run folder's
``overwrite`` removes; and a target that is a symbolic link is replaced by
the new file, never written through into what it points to. A leaf module:
it imports nothing of the package.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = [
    "PROBE_NAME",
    "TEMPORARY_PREFIX",
    "is_temporary_of",
    "replacing",
    "writable_folder",
    "write_atomically",
]

TEMPORARY_PREFIX = ".tmp-"
PROBE_NAME = "writable"  # what the file that checks a folder is writable stands for


def _temporary_beside(path: Path) -> Path:
    """A new empty file beside ``path``, named as ours (O_EXCL: never a link)."""
    temporary = path.parent / f"{TEMPORARY_PREFIX}{secrets.token_hex(6)}-{path.name}"
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    return temporary


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write`` on a temporary path beside ``path``, then rename it to ``path``.

    Parameters
    ----------
    path : Path
        The file to write (a symbolic link there is replaced, not followed).
    write : callable
        Writes the file at the path it is given.

    Returns
    -------
    path : Path
    """
    path = Path(path)
    temporary = _temporary_beside(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


@contextmanager
def replacing(path: Path) -> Iterator[IO[bytes]]:
    """A binary file to write that replaces ``path`` once the block ends.

    If the block raises, ``path`` is left as it was and the temporary file
    is removed.
    """
    path = Path(path)
    temporary = _temporary_beside(path)
    try:
        with open(temporary, "wb") as file:
            yield file
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def is_temporary_of(name: str, owned: Callable[[str], bool]) -> bool:
    """Whether ``name`` is a temporary file of ours for a file that ``owned`` names."""
    match = re.fullmatch(re.escape(TEMPORARY_PREFIX) + r"[a-z0-9_]+-(.+)", name)
    return match is not None and owned(match.group(1))


def writable_folder(path) -> Path:
    """``path`` made (with its parents) and checked to take a new file.

    A temporary file of ours is made in it and removed again.

    Raises
    ------
    NotADirectoryError
        If ``path`` is a file (or a link to one).
    OSError
        If it cannot be made or written into, with the reason.
    """
    path = Path(path)
    if (path.exists() or path.is_symlink()) and not path.is_dir():
        raise NotADirectoryError(f"{path} exists and is not a folder.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise type(error)(
            f"cannot make the folder {path}: {error.strerror or error}."
        ) from error
    try:
        _temporary_beside(path / PROBE_NAME).unlink()
    except OSError as error:
        raise type(error)(
            f"cannot write in the folder {path}: {error.strerror or error}."
        ) from error
    return path
