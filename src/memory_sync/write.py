"""Safe writes to a live memory folder: one run at a time, atomic replace, appends never lost."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from memory_sync.config import state_subdir
from memory_sync.errors import LockBusyError, MemorySyncError
from memory_sync.memoryfile import Action, MergePlan, decode, encode
from memory_sync.private import FILE_MODE, private_dir

TEMP_MARK = ".memory-sync-"
SETTLE_SECONDS = 0.05  # after a replace, how long to watch the old file for late appends
MAX_ROUNDS = 50


@contextlib.contextmanager
def folder_lock(app_state: Path, memory_dir: Path, wait: float) -> Iterator[None]:
    """Hold the lock of one memory folder; wait up to `wait` seconds, then LockBusyError."""
    locks = state_subdir(app_state, "locks")
    digest = hashlib.sha256(str(memory_dir.resolve()).encode()).hexdigest()[:16]
    path = locks / f"{digest}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusyError(
                        f"another memory-sync run is writing to {memory_dir} (lock {path}); "
                        "wait for it to finish and run again"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process is killed


def remove_stale_temps(memory_dir: Path) -> None:
    """Delete temp files that a killed run left behind (never a memory file)."""
    for path in memory_dir.glob(f".*{TEMP_MARK}*.tmp"):
        pid_text = path.name.rsplit(TEMP_MARK, 1)[1].split(".", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            with contextlib.suppress(OSError):
                path.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int | None) -> None:
    """Write `data` to a temp file beside `path`, fsync it, and rename it over `path`."""
    temp = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_dir(path.parent)


def backup(path: Path, data: bytes, backup_root: Path, mode: int = 0o600) -> Path:
    """Copy the old bytes of `path` to the backup folder before they leave the memory folder:
    readable by its user alone, and never by more people than the file it copies (`mode`)."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = backup_root / stamp / path.name
    counter = 1
    while target.exists():
        counter += 1
        target = backup_root / f"{stamp}-{counter}" / path.name
    private_dir(target.parent, root=backup_root.parent.parent)
    atomic_write(target, data, mode & FILE_MODE)
    return target


@dataclass(frozen=True)
class WriteOutcome:
    """What happened to one file."""

    action: Action
    size: int
    backup: Path | None = None
    note: str = ""
    rounds: int = 1


def _read(path: Path) -> tuple[bytes | None, int | None, int | None]:
    """File bytes, mode and an open fd on the same inode (None when there is no file)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None, None, None
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks), os.fstat(fd).st_mode & 0o7777, fd


def _late_bytes(fd: int, seen: int) -> bytes:
    """Bytes appended to an (old, now replaced) inode after we read `seen` bytes of it."""
    if os.fstat(fd).st_size <= seen:
        return b""
    os.lseek(fd, seen, os.SEEK_SET)
    out: list[bytes] = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(out)
        out.append(chunk)


def write_merged(
    path: Path, plan_for: Callable[[str | None], MergePlan], backup_root: Path
) -> WriteOutcome:
    """Merge and write one memory file; if the file changes meanwhile, merge again.

    `plan_for(current_text)` is the pure merge. Before the rename the file is read once more;
    after it, the replaced inode is watched briefly, and bytes a writer appended to it late are
    appended to the new file, so a concurrent append is never lost.
    """
    backup_path: Path | None = None
    backed_up: bytes | None = None
    late = b""
    first_action: Action | None = None
    for rounds in range(1, MAX_ROUNDS + 1):
        old, mode, fd = _read(path)
        try:
            if late:
                if old is None:
                    raise MemorySyncError(f"{path} vanished while it was being written; run again")
                plan = MergePlan(first_action or Action.UPDATED, decode(old + late))
            else:
                plan = plan_for(None if old is None else decode(old))
            first_action = first_action or plan.action
            if plan.text is None:
                return WriteOutcome(plan.action, len(old or b""), None, plan.note, rounds)
            if plan.needs_backup and old is not None and old != backed_up:
                kept = backup(path, old, backup_root, FILE_MODE if mode is None else mode)
                backup_path, backed_up = kept, old
            data = encode(plan.text)
            again, _, again_fd = _read(path)
            if again_fd is not None:
                os.close(again_fd)
            if again != old:
                continue  # someone wrote meanwhile: merge again from what is there now
            atomic_write(path, data, mode)
            late = b""
            if fd is not None and old is not None:
                late = _late_bytes(fd, len(old))
                if not late and rounds > 1:
                    time.sleep(SETTLE_SECONDS)
                    late = _late_bytes(fd, len(old))
            if not late:
                return WriteOutcome(first_action, len(data), backup_path, plan.note, rounds)
        finally:
            if fd is not None:
                os.close(fd)
    raise MemorySyncError(
        f"{path} kept changing while memory-sync merged it ({MAX_ROUNDS} tries); "
        "run again when the agent is idle"
    )
