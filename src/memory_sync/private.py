"""memory-sync's own state is its user's alone: folders 0700, files 0600, never widened."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Any

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def tighten(path: Path, mode: int) -> None:
    """Take away every permission of `path` beyond `mode` (never adds one)."""
    current = os.stat(path).st_mode & 0o7777
    if current & ~mode:
        os.chmod(path, current & mode)


def private_dir(folder: Path, *, root: Path | None = None) -> Path:
    """`folder`, created when missing, readable by its user alone; with `root` (the state
    folder it lies in), each folder from `root` down to it is made so too."""
    folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    tighten(folder, FOLDER_MODE)
    if root is not None:
        for parent in folder.parents:
            if parent == root or root in parent.parents:
                tighten(parent, FOLDER_MODE)
    return folder


def private_file(path: Path) -> Path:
    """`path`, created empty when missing, readable by its user alone (before a database is
    opened on it: SQLite gives its journal the same mode)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    tighten(path, FILE_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write `path` (created 0600) with `data`."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    tighten(path, FILE_MODE)


def spill_file(folder: Path | None) -> IO[bytes]:
    """A temporary file for data a run sets aside to keep its memory flat: created 0600 in
    `folder` (made private) and already unlinked, so nothing is left behind even by a kill;
    in the system's temporary folder when `folder` is None or cannot be written. A write that
    fails (a full disk) ends the run with one line saying where and what to do."""
    handle: IO[bytes] | None = None
    if folder is not None:
        try:
            private_dir(folder, root=folder.parent)
            handle = tempfile.TemporaryFile(dir=folder, prefix="memory-sync-")  # noqa: SIM115
        except OSError:
            pass
    if handle is None:
        try:
            handle = tempfile.TemporaryFile(prefix="memory-sync-")  # noqa: SIM115
        except OSError as exc:
            raise _cannot_set_aside(folder, exc) from exc
    return _Aside(handle, folder)  # type: ignore[return-value]


class _Aside:
    """A spill file whose failing writes become a MemorySyncError (everything else as is)."""

    def __init__(self, handle: IO[bytes], folder: Path | None) -> None:
        self._handle = handle
        self._folder = folder

    def write(self, data: bytes) -> int:
        try:
            return self._handle.write(data)
        except OSError as exc:
            raise _cannot_set_aside(self._folder, exc) from exc

    def flush(self) -> None:
        try:
            self._handle.flush()
        except OSError as exc:
            raise _cannot_set_aside(self._folder, exc) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def _cannot_set_aside(folder: Path | None, exc: OSError) -> Exception:
    from memory_sync.errors import MemorySyncError

    where = folder if folder is not None else Path(tempfile.gettempdir())
    return MemorySyncError(
        f"could not set aside part of a large read in {where} ({exc.strerror or exc}): free "
        "space there, or set MEMORY_SYNC_STATE_DIR to a folder with room"
    )
