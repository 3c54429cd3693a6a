"""Atomic file writes: a temporary file in the target's folder, flushed to disk, then renamed over it.

A reader (or a run that dies half-way) sees either the old file whole or the new file whole,
never a mix. The temporary file lives in the same folder so the rename never crosses filesystems.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, chunks: Iterable[bytes]) -> None:
    """Write `chunks` to `path` atomically; on any failure the target is untouched and no temp file stays."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, on success and failure alike
        "wb", dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    temporary = Path(handle.name)
    try:
        with handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        _keep_mode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _keep_mode(path: Path, temporary: Path) -> None:
    """The new file keeps the old one's permissions (mkstemp creates 0600); a new file gets the umask's."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temporary, mode)
