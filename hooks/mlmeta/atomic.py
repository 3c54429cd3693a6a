"""Atomic file writes: a temporary file in the target's folder, flushed to disk, then renamed over it.

A reader (or a run that dies half-way) sees either the old file whole or the new file whole,
never a mix. The temporary file lives in the same folder so the rename never crosses filesystems.
A symbolic link is written through: the file it finally names is replaced, and the link stays.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, chunks: Iterable[bytes]) -> Path:
    """Write `chunks` to `path` atomically and return the file written (a link's target).

    On any failure the target is untouched and no temp file stays.
    """
    path = target(Path(path))
    _regular_or_none(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, on success and failure alike
            "wb", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
        )
    except OSError as error:
        raise _naming(error, path) from error
    temporary = Path(handle.name)
    try:
        with handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        _keep_mode(path, temporary)
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _naming(error, path) from error
        raise
    return path


def _regular_or_none(path: Path) -> None:
    """Refuse to replace what is not a regular file: renaming over /dev/null (as root) or a FIFO would replace it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))


def _naming(error: OSError, path: Path) -> OSError:
    """The error with the target as its file name, not the temporary file's (a user never saw that name)."""
    if error.errno is None:
        return error
    return OSError(error.errno, error.strerror, str(path))  # the subclass of the errno: FileNotFoundError, ...


def target(path: Path) -> Path:
    """The file a write to `path` must replace: `path`, or the final target of the link it is.

    Renaming over the link itself would cut it and leave the real file as it was.
    """
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:  # a dangling link: its target is created (a loop raises, ELOOP)
        return Path(os.path.realpath(path))


def _keep_mode(path: Path, temporary: Path) -> None:
    """The new file keeps the old one's permissions (mkstemp creates 0600); a new file gets the umask's."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temporary, mode)
