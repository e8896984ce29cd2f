"""How a folder's files are written: each to a temporary file, then renamed.

Every file of a run or comparison folder, and every report, is written to
a temporary file in the folder it belongs in (named ``.tmp-<random>-<name>``,
so that it keeps its suffix and is recognisably ours) and renamed over its
target with :func:`os.replace`. A reader therefore sees the old file or the
new one, never half of one; a killed run leaves at most a temporary file,
which ``overwrite`` removes; and a target that is a symbolic link is
replaced by the new file, never written through into what it points to.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

__all__ = ["TEMPORARY_PREFIX", "is_temporary_of", "write_atomically"]

TEMPORARY_PREFIX = ".tmp-"


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
    temporary = path.parent / f"{TEMPORARY_PREFIX}{secrets.token_hex(6)}-{path.name}"
    # made new (O_EXCL, never through a link), with the permissions of the umask
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def is_temporary_of(name: str, owned: Callable[[str], bool]) -> bool:
    """Whether ``name`` is a temporary file of ours for a file that ``owned`` names."""
    match = re.fullmatch(re.escape(TEMPORARY_PREFIX) + r"[a-z0-9_]+-(.+)", name)
    return match is not None and owned(match.group(1))
