"""Read every source of an agent once and yield each event exactly once, whichever copy it is in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from memory_sync.events import Event, EventFactory
from memory_sync.locate import HistorySources
from memory_sync.problems import Problems
from memory_sync.stores import SessionRef
from memory_sync.stores.jsonl import load_session_keys, read_jsonl, session_id_from_name
from memory_sync.stores.sqlite import read_sqlite, session_row_counts
from memory_sync.timeutil import DayClock

Progress = Callable[[int], None]


IMPORT_ARCHIVE = "session-sqlite-import-archive"


def imported_copy(path: Path, rows: dict[str, int]) -> bool:
    """True for a JSONL file that `openclaw doctor` imported into a database that still holds
    every one of its entries: reading it would only produce duplicates. Checked by counting
    lines, which is far cheaper than decoding them."""
    if path.parent.name != IMPORT_ARCHIVE or path.name.endswith(".zst"):
        return False
    session_id = session_id_from_name(path.name)
    in_database = rows.get(session_id, 0)
    if not in_database:
        return False
    try:
        with open(path, "rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return False
    return in_database >= lines - 1  # the file's header is not a row


def raw_entries(
    sources: HistorySources, problems: Problems, progress: Progress | None = None
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    """Every raw entry of every source: databases first (they know session keys), then files
    (except import copies whose every entry is still in a database)."""
    rows: dict[str, int] = {}
    for db in sources.databases:
        yield from read_sqlite(db, problems)
        rows.update(session_row_counts(db))
        if progress:
            progress(_size(db))
    keys_by_folder: dict[Any, dict[str, str]] = {}
    for path in sources.jsonl_files:
        if rows and imported_copy(path, rows):
            if progress:
                progress(_size(path))
            continue
        keys = keys_by_folder.get(path.parent)
        if keys is None:
            keys = keys_by_folder[path.parent] = load_session_keys(path.parent)
        yield from read_jsonl(path, problems, keys)
        if progress:
            progress(_size(path))


def _size(path: Any) -> int:
    try:
        return int(path.stat().st_size)
    except OSError:
        return 0


class SeenKeys:
    """The copies already counted. An event is new when neither its identity key (entry id and
    time) nor its content key (role, message time, start of the text) was seen before."""

    def __init__(self) -> None:
        self._seen: set[int] = set()

    def first(self, key: int, content_key: int | None) -> bool:
        """True the first time either key is met; records both."""
        seen = self._seen
        if key in seen:
            return False
        seen.add(key)
        if content_key is not None:
            if content_key in seen:
                return False
            seen.add(content_key)
        return True


def read_events(
    sources: HistorySources,
    clock: DayClock,
    problems: Problems,
    progress: Progress | None = None,
) -> Iterator[Event]:
    """Each event once: duplicates by entry identity or by (role, time, text) are dropped.

    Copies of one message appear in forks, checkpoints, compaction successors, archives, a JSONL
    copy beside its SQLite import, and rewritten branches of one file; the first copy read wins.
    """
    factory = EventFactory(clock)
    first = SeenKeys().first
    make = factory.make
    for ref, entry in raw_entries(sources, problems, progress):
        made = make(ref, entry)
        if made is not None and first(factory.last_key, made[1]):
            yield made[0]
