"""Bring the index up to date by reading only what was added since the last run.

New rows of a database (by rowid) and the new lines at the end of each transcript file are
read, in the order a full read would meet them. A new entry that is a copy of one already
counted is dropped, exactly as a full read would drop it; when the full read would instead have
counted the new copy and dropped the old one (it comes first in reading order), or when any
source was rewritten, truncated, moved, replaced or vacuumed, `Reread` says why and the caller
reads everything again. So the result is always the one a full read (`--no-cache`) gives.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from memory_sync.config import AgentSettings
from memory_sync.events import Event, EventFactory
from memory_sync.history import index
from memory_sync.history.index import IndexState
from memory_sync.history.ledger import Ledger, Stream, StreamRecord
from memory_sync.history.sources import imported_copy, imported_mark
from memory_sync.locate import HistorySources
from memory_sync.problems import Problems
from memory_sync.stores import SessionRef
from memory_sync.stores.jsonl import (
    IMPORT_ARCHIVE,
    FileMark,
    SessionKeys,
    load_session_keys,
    mark_checks,
    read_jsonl,
    session_id_from_name,
)
from memory_sync.stores.sqlite import (
    ARCHIVE_TABLES,
    DbMark,
    DbPart,
    db_files_mark,
    db_mark,
    read_sqlite,
    rows_between,
    session_rows,
    sessions_between,
)
from memory_sync.timeutil import DayClock


class Reread(Exception):
    """The index cannot be brought up to date by reading additions only; the message says why."""


Position = tuple[Any, ...]


def stream_order(sources: HistorySources) -> Callable[[Stream], Position]:
    """Where a stream comes in a full read: databases (sessions by id, then archive tables),
    then transcript files in listing order."""
    dbs = {str(db): i for i, db in enumerate(sources.databases)}
    files = {str(path): i for i, path in enumerate(sources.jsonl_files)}

    def position(stream: Stream) -> Position:
        source, sid = stream
        if source in files:
            return (1, files[source])
        if source in dbs:
            return (0, dbs[source], 0, 0, sid)
        db, _, rest = source.partition("#")
        table = rest.split("/", 1)[0]
        rank = ARCHIVE_TABLES.index(table) if table in ARCHIVE_TABLES else len(ARCHIVE_TABLES)
        return (0, dbs.get(db, len(dbs)), 1, rank, sid)

    return position


def with_tails(problems: Problems, unfinished: list[str]) -> Problems:
    """The damage to report: the stored damage plus each file's unfinished last line (left
    unread, so a later run reads it once it is complete)."""
    shown = problems.copy()
    for path in unfinished:
        shown.skip(path, "truncated last line")
    return shown


@dataclass
class CatchUp:
    """What reading the additions found."""

    streams: dict[Stream, StreamRecord] = field(default_factory=dict)  # changed, merged records
    entries: int = 0  # new events counted
    sources: int = 0  # sources that had additions


@dataclass
class _Additions:
    db_reads: list[tuple[Path, int, int]] = field(default_factory=list)  # db, after, until rowid
    db_marks: dict[str, DbMark] = field(default_factory=dict)
    file_reads: list[tuple[Path, FileMark]] = field(default_factory=list)
    file_marks: dict[str, FileMark] = field(default_factory=dict)  # unread, restamped or new


def _databases(sources: HistorySources, state: IndexState, found: _Additions) -> None:
    if sorted(str(db) for db in sources.databases) != sorted(state.dbs):
        raise Reread("a database appeared or went away")
    for db in sources.databases:
        old = state.dbs[str(db)]
        if old.same_files(db_files_mark(db)):
            continue
        cur = db_mark(db)
        if cur is None:
            raise Reread(f"{db} cannot be read now")
        if (cur.ino, cur.layout, cur.archives) != (old.ino, old.layout, old.archives):
            raise Reread(f"{db} was replaced, migrated, or had sessions archived")
        if cur.rows < old.rows or cur.max_rowid < old.max_rowid:
            raise Reread(f"{db} lost rows (deleted or vacuumed)")
        added = rows_between(db, old.max_rowid, cur.max_rowid)
        if added is None or cur.rows != old.rows + added:
            raise Reread(f"{db} has rows deleted or renumbered")
        found.db_marks[str(db)] = cur
        if added:
            found.db_reads.append((db, old.max_rowid, cur.max_rowid))


def _files(
    sources: HistorySources, state: IndexState, found: _Additions, new_rows: set[str]
) -> None:
    current = {str(p) for p in sources.jsonl_files}
    gone = [p for p in state.files if p not in current]
    if gone:
        raise Reread(f"{len(gone)} transcript file(s) moved or deleted, e.g. {gone[0]}")
    for path in sources.jsonl_files:
        mark = state.files.get(str(path))
        try:
            st = os.stat(path)
        except OSError as exc:
            raise Reread(f"{path} cannot be read now") from exc
        if mark is None:
            if _imported_now(path, sources):
                found.file_marks[str(path)] = imported_mark(path)
            else:
                found.file_reads.append((path, FileMark(str(path))))
            continue
        if mark.imported:
            if not mark.same_file(st):
                raise Reread(f"{path} changed")
            continue
        in_new_rows = session_id_from_name(path.name) in new_rows
        if in_new_rows and path.parent.name == IMPORT_ARCHIVE and _imported_now(path, sources):
            raise Reread(f"the database now holds all of {path}")
        if mark.same_file(st):
            continue
        if mark.compressed or st.st_ino != mark.ino or st.st_size < mark.offset:
            raise Reread(f"{path} was rewritten, replaced or truncated")
        if mark_checks(path, mark.offset) != (mark.head, mark.tail):
            raise Reread(f"{path} was rewritten")
        if mark.transcript is False:  # not a transcript: never read, only restamped
            found.file_marks[str(path)] = replace(mark, size=st.st_size, mtime_ns=st.st_mtime_ns)
            continue
        found.file_reads.append((path, replace(mark)))


def _imported_now(path: Path, sources: HistorySources) -> bool:
    if path.parent.name != IMPORT_ARCHIVE or not sources.databases:
        return False
    sid = session_id_from_name(path.name)
    rows: dict[str, int] = {}
    for db in sources.databases:
        rows.update(session_rows(db, [sid]))
    return bool(rows) and imported_copy(path, rows)


def _check_keys(settings: AgentSettings, state: IndexState) -> dict[str, list[int]]:
    """Raise Reread when sessions.json now names a different key for a file already read."""
    current = index.key_files(settings.sources)
    changed = {Path(p).parent for p, stamp in current.items() if state.key_files.get(p) != stamp}
    if changed:
        keys = {folder: load_session_keys(folder) for folder in changed}
        for mark in state.files.values():
            folder = Path(mark.path).parent
            if folder not in keys or mark.imported or mark.transcript is False:
                continue
            sid = mark.session_id or session_id_from_name(Path(mark.path).name)
            if keys[folder].get(sid) != mark.session_key:
                raise Reread(f"sessions.json now gives {mark.path} another session key")
    return current


def catch_up(settings: AgentSettings, state: IndexState, clock: DayClock) -> CatchUp:
    """Read what was added since `state` was saved and fold it into `state` (its book, damage
    and marks); raise Reread when only a full read gives the right result."""
    sources = settings.sources
    found = _Additions()
    _databases(sources, state, found)
    new_rows = _sessions_with_new_rows(found)
    _files(sources, state, found, new_rows)
    key_stamps = _check_keys(settings, state)

    problems = Problems()
    factory = EventFactory(clock, settings.sources.forgotten)
    items: list[tuple[Stream, Event, int, int | None]] = []
    for ref, entry in _added_entries(found, problems):
        made = factory.make(ref, entry)
        if made is not None:
            event, key, content_key = made
            items.append(((ref.source, event.session_id), event, key, content_key))

    result = _fold(settings, state, items)
    state.problems.merge(problems)
    state.files.update(found.file_marks)
    state.dbs.update(found.db_marks)
    state.key_files = key_stamps
    result.sources = len(found.db_reads) + len(found.file_reads)
    return result


def _added_entries(
    found: _Additions, problems: Problems
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    """The new rows of the databases, then the new lines of the files, in full-read order;
    each file's mark is kept once it is read."""
    for db, after, until in found.db_reads:
        yield from read_sqlite(
            db, problems, DbPart(archives=False, after_rowid=after, until_rowid=until)
        )
    keys = SessionKeys()
    for path, mark in found.file_reads:
        yield from read_jsonl(path, problems, keys(path), mark)
        found.file_marks[str(path)] = mark


def _sessions_with_new_rows(found: _Additions) -> set[str]:
    sessions: set[str] = set()
    for db, after, until in found.db_reads:
        sessions |= sessions_between(db, after, until)
    return sessions


def _fold(
    settings: AgentSettings,
    state: IndexState,
    items: list[tuple[Stream, Event, int, int | None]],
) -> CatchUp:
    """Count the new events as a full read would, or raise Reread."""
    result = CatchUp()
    if not items:
        return result
    wanted = {k for _, _, key, content in items for k in (key, content) if k is not None}
    owners: dict[int, Stream] = {}
    for stream, keys in index.stream_keys(settings.index_path, state.generation):
        for key in wanted.intersection(keys):
            owners[key] = stream
    position = stream_order(settings.sources)
    ledger = Ledger()
    seen = ledger.seen
    book = state.book

    def known(key: int, here: Position) -> bool:
        owner = owners.get(key)
        if owner is None:
            return key in seen
        if position(owner) > here:
            raise Reread(f"a new entry in {owner[0]} is a copy of one read later in order")
        return True

    for stream, event, key, content in items:
        record = ledger.record(stream)
        record.days.add(event.day)
        here = position(stream)
        if known(key, here):
            continue
        seen.add(key)
        record.keys.append(key)
        if content is not None:
            if known(content, here):
                continue
            seen.add(content)
            record.keys.append(content)
        book.add(event)
        result.entries += 1
    stored = index.load_streams(settings.index_path, list(ledger.streams), state.generation)
    for stream, record in ledger.streams.items():
        merged = stored.get(stream, StreamRecord())
        merged.keys.extend(record.keys)
        merged.days |= record.days
        result.streams[stream] = merged
    return result
