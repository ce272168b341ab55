"""Read every source of an agent once and yield each event exactly once, whichever copy it is in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from memory_sync.events import Event, EventFactory
from memory_sync.locate import HistorySources
from memory_sync.problems import Problems
from memory_sync.stores import SessionRef
from memory_sync.stores.jsonl import load_session_keys, read_jsonl
from memory_sync.stores.sqlite import read_sqlite
from memory_sync.timeutil import DayClock

Progress = Callable[[int], None]


def raw_entries(
    sources: HistorySources, problems: Problems, progress: Progress | None = None
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    """Every raw entry of every source: databases first (they know session keys), then files."""
    for db in sources.databases:
        yield from read_sqlite(db, problems)
        if progress:
            progress(_size(db))
    keys_by_folder: dict[Any, dict[str, str]] = {}
    for path in sources.jsonl_files:
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
    seen: set[int] = set()
    seen_add = seen.add
    make = factory.make
    for ref, entry in raw_entries(sources, problems, progress):
        made = make(ref, entry)
        if made is None:
            continue
        event, content_key = made
        key = factory.last_key
        if key in seen:
            continue
        seen_add(key)
        if content_key is not None:
            if content_key in seen:
                continue
            seen_add(content_key)
        yield event
