"""Read only the streams that touch some days, for rebuilding those days' memory files.

The index knows which days each stream (a transcript file, or one session of a database) has
entries on. Reading just those streams, in full-read order and with the same de-duplication,
gives the days' events; their figures are then checked against the index's, so a copy that
only a stream left unread would have revealed makes the caller read everything instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from memory_sync.config import AgentSettings
from memory_sync.days import DayBook, DayStats
from memory_sync.events import Event, EventFactory
from memory_sync.history import index
from memory_sync.history.ledger import Ledger, Stream
from memory_sync.history.sources import first_copies, transcript_entries
from memory_sync.problems import Problems
from memory_sync.stores import SessionRef
from memory_sync.stores.sqlite import DbPart, read_sqlite

MOST = 0.5  # reading more than this share of the streams is left to a full read


def _figures(s: DayStats) -> tuple[Any, ...]:
    return (
        s.fingerprint,
        s.user,
        s.assistant,
        s.tool,
        s.tool_calls,
        s.errors,
        sorted(s.sessions),
        sorted(s.noise.items()),
        sorted(s.models.items()),
        s.compactions,
        s.resets,
    )


def streams_for(settings: AgentSettings, days: set[str]) -> list[Stream] | None:
    """The streams with entries on `days`; None when that is most of the history (or the
    index cannot say)."""
    try:
        touched = index.stream_days(settings.index_path)
    except (sqlite3.Error, OSError):  # no usable index: read everything instead
        return None
    wanted = [stream for stream, stream_days in touched.items() if stream_days & days]
    if not touched or len(wanted) > MOST * len(touched):
        return None
    return wanted


def _raw(
    settings: AgentSettings, streams: set[Stream], problems: Problems
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    """The raw entries of `streams`, in the order a full read meets them."""
    sources = {source for source, _ in streams}
    for db in settings.sources.databases:
        sessions = tuple(sorted(sid for source, sid in streams if source == str(db)))
        if sessions:
            yield from read_sqlite(db, problems, DbPart(archives=False, sessions=sessions))
        if any(source.startswith(f"{db}#") for source in sources):
            for ref, entry in read_sqlite(db, problems, DbPart(rows=False, archives=True)):
                if (ref.source, ref.session_id) in streams:
                    yield ref, entry
    files = [path for path in settings.sources.jsonl_files if str(path) in sources]
    yield from transcript_entries(files, problems, {})


def read_days(
    settings: AgentSettings,
    book: DayBook,
    days: set[str],
    on_event: Callable[[Event], None],
    debug: Callable[[str], None],
) -> bool:
    """Hand `on_event` every event of `days`, reading only the streams that touch them.

    False when that is not possible or would not match a full read; `on_event` may then have
    been called already, and the caller starts over with a full read.
    """
    streams = streams_for(settings, days)
    if streams is None:
        return False
    factory = EventFactory(settings.clock(), settings.sources.forgotten)
    check = DayBook()
    for event in first_copies(_raw(settings, set(streams), Problems()), factory, Ledger()):
        if event.day in days:
            check.add(event)
            on_event(event)
    for day in days:
        mine, full = check.days.get(day), book.days.get(day)
        if mine is None or full is None or _figures(mine) != _figures(full):
            debug(f"reading everything: {day} differs when read from its {len(streams)} streams")
            return False
    debug(f"read {len(streams)} stream(s) for {len(days)} day(s)")
    return True
