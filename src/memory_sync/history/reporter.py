"""What a run tells the person while it reads: progress in bytes, notices and debug lines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Progress = Callable[[int], None]  # told how many more bytes of the sources were read


def _ignore(_message: str) -> None:
    return None


@dataclass(frozen=True)
class Reporter:
    """Where a run's words go: `progress` (bytes read, or None for no bar), `notice` (one line
    the person should see, such as a damaged index) and `debug` (what -v shows)."""

    progress: Progress | None = None
    notice: Callable[[str], None] = _ignore
    debug: Callable[[str], None] = _ignore


SILENT = Reporter()
