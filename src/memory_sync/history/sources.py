"""Read every source of an agent once and yield each event exactly once, whichever copy it is in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memory_sync.events import Event, EventFactory
from memory_sync.history.ledger import Ledger
from memory_sync.history.reporter import Progress
from memory_sync.locate import HistorySources
from memory_sync.problems import Problems
from memory_sync.stores import SessionRef
from memory_sync.stores.jsonl import (
    IMPORT_ARCHIVE,
    FileMark,
    SessionKeys,
    read_jsonl,
    session_id_from_name,
)
from memory_sync.stores.sqlite import DbMark, db_mark, read_sqlite, session_row_counts
from memory_sync.timeutil import DayClock


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


@dataclass
class Marks:
    """How far each source was read: per transcript file and per database."""

    files: dict[str, FileMark] = field(default_factory=dict)
    dbs: dict[str, DbMark] = field(default_factory=dict)

    def note_file(self, mark: FileMark) -> None:
        """Record how far a transcript file was read (`mark` is filled in as it is read)."""
        self.files[mark.path] = mark

    def note_database(self, db: Path) -> None:
        """Record what `db` holds now, before it is read (rows added meanwhile are read again
        next time and dropped as copies)."""
        found = db_mark(db)
        if found is not None:
            self.dbs[str(db)] = found


def imported_mark(path: Path) -> FileMark:
    """The mark of an import copy left unread because the database holds all of it (an empty
    mark, which the next run does not trust, when the file went away meanwhile)."""
    try:
        st = path.stat()
    except OSError:
        return FileMark(str(path))
    return FileMark(str(path), st.st_ino, st.st_size, st.st_mtime_ns, imported=True)


def raw_entries(
    sources: HistorySources,
    problems: Problems,
    progress: Progress | None = None,
    marks: Marks | None = None,
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    """Every raw entry of every source: databases first (they know session keys), then files
    (except import copies whose every entry is still in a database). With `marks`, how far
    each source was read is recorded there."""
    rows: dict[str, int] = {}
    for db in sources.databases:
        if marks is not None:
            marks.note_database(db)
        yield from read_sqlite(db, problems)
        rows.update(session_row_counts(db))
        if progress:
            progress(_size(db))
    on_mark = marks.note_file if marks is not None else None
    yield from transcript_entries(sources.jsonl_files, problems, rows, on_mark, progress)


def transcript_entries(
    paths: Iterable[Path],
    problems: Problems,
    rows: dict[str, int],
    on_mark: Callable[[FileMark], None] | None = None,
    progress: Progress | None = None,
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    """The entries of transcript files, in order, each with its session key; an import copy
    whose every entry is still in a database (`rows`: its rows per session) is skipped. With
    `on_mark`, each file's mark (how far it was read) is handed over."""
    keys = SessionKeys()
    for path in paths:
        if rows and imported_copy(path, rows):
            if on_mark is not None:
                on_mark(imported_mark(path))
        else:
            mark = None
            if on_mark is not None:
                mark = FileMark(str(path))
                on_mark(mark)
            yield from read_jsonl(path, problems, keys(path), mark)
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
    ledger: Ledger | None = None,
    marks: Marks | None = None,
) -> Iterator[Event]:
    """Each event once: duplicates by entry identity or by (role, time, text) are dropped.

    Copies of one message appear in forks, checkpoints, compaction successors, archives, a JSONL
    copy beside its SQLite import, and rewritten branches of one file; the first copy read wins.
    """
    entries = raw_entries(sources, problems, progress, marks)
    factory = EventFactory(clock, sources.forgotten)
    yield from first_copies(entries, factory, ledger or Ledger())


def first_copies(
    entries: Iterable[tuple[SessionRef, dict[str, Any]]], factory: EventFactory, ledger: Ledger
) -> Iterator[Event]:
    """The events of `entries` whose copy is the first read (`Ledger.first`), in reading order.

    The one place the rule runs on events; the parallel read applies the same rule inline to
    the workers' records (its hot loop), and a resumed read adds the index's owners to it.
    """
    first = ledger.first
    make = factory.make
    for ref, entry in entries:
        made = make(ref, entry)
        if made is not None:
            event, key, content_key = made
            if first((ref.source, event.session_id), event.day, key, content_key):
                yield event
