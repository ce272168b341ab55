"""The one error family memory-sync raises on purpose, and its exit codes."""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_FINDINGS = 3  # `compare --check` found gaps, `validate` found problems
EXIT_PARTIAL = 4  # some days failed, the others were written
EXIT_LOCKED = 75  # another memory-sync run holds the memory folder (EX_TEMPFAIL)


def no_folder(path: Path) -> str:
    """Why `path` is not a usable folder, for an error message: it is missing, or a file."""
    return "is a file, not a folder" if path.exists() else "does not exist"


class MemorySyncError(Exception):
    """A problem the user can fix; the CLI prints it as one line and exits with `exit_code`."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class LockBusyError(MemorySyncError):
    """Another memory-sync run is writing to the same memory folder."""

    exit_code = EXIT_LOCKED
