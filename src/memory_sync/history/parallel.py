"""Read a large history on several cores, with exactly the sequential result.

Workers (forked processes) parse and classify units of the history: slices of a database by
session id, its archive tables, and groups of JSONL files. The main process takes the units'
events back strictly in the sequential order and does the de-duplication and counting itself,
so "the first copy wins" and every count are the same as in a one-process scan. Used for the
statistics-only commands (compare, stats) on histories of 64 MB and more.
"""

from __future__ import annotations

import gc
import itertools
import marshal
import os
import pickle
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memory_sync.events import Event, EventFactory, Kind
from memory_sync.history.ledger import Ledger
from memory_sync.history.sources import Marks, transcript_entries
from memory_sync.locate import HistorySources
from memory_sync.problems import Problems
from memory_sync.stores.jsonl import FileMark
from memory_sync.stores.sqlite import (
    DbPart,
    read_sqlite,
    session_ranges,
    session_row_counts,
)
from memory_sync.timeutil import DayClock

if TYPE_CHECKING:
    from memory_sync.history.scan import Feed

MIN_BYTES = 64 * 1024 * 1024  # below this one process is faster than starting workers
UNIT_BYTES = 24 * 1024 * 1024  # at most this much history per unit: what a worker hands back
# at once (its events' records, about 5 MB) stays the same however large the history is
KINDS = list(Kind)
Record = tuple[Any, ...]


@dataclass(frozen=True)
class Unit:
    """A piece of the history one worker reads: a database slice or some JSONL files."""

    db: Path | None = None
    part: DbPart | None = None
    files: tuple[Path, ...] = ()
    size: int = 0  # bytes on disk it stands for (for the progress bar)


_STATE: dict[str, Any] = {}


Days = dict[tuple[str, str], set[str]]
DayNotes = list[tuple[str, bytes, bytes]]  # (day, unit positions as array("I"), packed notes)


def pack_notes(items: list[tuple[Any, ...]]) -> bytes:
    """One day's notes of one unit as bytes: marshal (fast, for plain values), else pickle."""
    try:
        return b"M" + marshal.dumps(items)
    except ValueError:  # a value marshal cannot write
        return b"P" + pickle.dumps(items, pickle.HIGHEST_PROTOCOL)


def textless(  # noqa: PLR0913 (an Event's fields, in order)
    ms: int,
    day: str,
    kind: Kind,
    sid: str,
    skey: str | None,
    ident: int,
    model: str | None,
    noise: str | None,
    tokens: int | None,
    reason: str | None,
) -> Event:
    """An event as a worker's record carries it: everything but its text and tool calls."""
    return Event(ms, day, kind, sid, skey, ident, "", model, noise, (), None, False, tokens, reason)


def unpack_notes(day: str, packed: bytes) -> Iterator[tuple[int, Event, Any]]:
    """The (position in unit, event without text, notes) that `pack_notes` packed, in order."""
    items = marshal.loads(packed[1:]) if packed[:1] == b"M" else pickle.loads(packed[1:])
    for at, ms, kind, sid, skey, ident, model, noise, tokens, reason, notes in items:
        event = textless(ms, day, KINDS[kind], sid, skey, ident, model, noise, tokens, reason)
        yield at, event, notes


def _records(unit: Unit) -> tuple[list[Record], Problems, list[FileMark], Days, DayNotes]:
    """Worker: the unit's events as compact records (no text), in reading order, how far each
    of its files was read, the days each stream touches, and (with a `notes` function) the
    notes of the wanted events, packed per day (the main process unpacks a day only when it
    builds it)."""
    gc.disable()
    clock: DayClock = _STATE["clock"]
    rows: dict[str, int] = _STATE["rows"]
    notes: Callable[[Event], Any] | None = _STATE.get("notes")
    factory = EventFactory(clock, _STATE["forgotten"])
    problems = Problems()
    marks: list[FileMark] = []
    out: list[Record] = []
    append = out.append
    kind_index = {k: i for i, k in enumerate(KINDS)}
    days: Days = {}
    by_day: dict[str, tuple[array[int], list[tuple[Any, ...]]]] = {}
    stream: tuple[str, str] = ("", "")
    touched: set[str] = set()
    if unit.db is not None:
        raw: Iterator[Any] = read_sqlite(unit.db, problems, unit.part)
    else:
        raw = transcript_entries(unit.files, problems, rows, marks.append)
    for ref, entry in raw:
        made = factory.make(ref, entry)
        if made is None:
            continue
        e, key, content_key = made
        if e.session_id != stream[1] or ref.source != stream[0]:
            stream = (ref.source, e.session_id)
            touched = days.setdefault(stream, set())
        touched.add(e.day)
        # the event as `textless` takes it back, less its day
        fields = (
            e.ms,
            kind_index[e.kind],
            e.session_id,
            e.session_key,
            e.identity,
            e.model,
            e.noise,
            e.tokens_before,
            e.reason,
        )
        if notes is not None:
            made_notes = notes(e)
            if made_notes is not None:
                found = by_day.get(e.day)
                if found is None:
                    found = by_day[e.day] = (array("I"), [])
                found[0].append(len(out))
                found[1].append((len(out), *fields, made_notes))
        append((ref.source, key, content_key, e.day, *fields))
    packed = [(day, at.tobytes(), pack_notes(items)) for day, (at, items) in by_day.items()]
    return out, problems, marks, days, packed


def plan(
    sources: HistorySources, workers: int, pieces: int, rows: dict[Path, dict[str, int]]
) -> list[Unit]:
    """The units in the order a sequential scan reads them (about `pieces` per worker for the
    database, split by `rows`, its transcript rows per session, and as many for the files;
    more when that would make a unit larger than `UNIT_BYTES`)."""
    units: list[Unit] = []
    for db in sources.databases:
        ranges = session_ranges(rows.get(db, {}), max(workers * pieces, _size(db) // UNIT_BYTES))
        if ranges == [(None, None)]:  # small or unreadable: one unit, read as one process would
            units.append(Unit(db=db, part=DbPart(), size=_size(db)))
            continue
        share = _size(db) // (len(ranges) + 1)  # for the progress bar
        for low, high in ranges:
            part = DbPart(low, high, rows=True, archives=False)
            units.append(Unit(db=db, part=part, size=share))
        units.append(Unit(db=db, part=DbPart(rows=False, archives=True), size=share))
    sizes = [(p, _size(p)) for p in sources.jsonl_files]
    total = sum(s for _, s in sizes)
    target = max(1, min(UNIT_BYTES, total // (workers * pieces)))
    group: list[Path] = []
    used = 0
    for path, size in sizes:
        group.append(path)
        used += size
        if used >= target:
            units.append(Unit(files=tuple(group), size=used))
            group, used = [], 0
    if group:
        units.append(Unit(files=tuple(group), size=used))
    return units


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def workers_wanted(sources: HistorySources, setting: int | None) -> int:
    """How many worker processes to use (1: read in this process); `setting` is
    MEMORY_SYNC_WORKERS, None for two on a large history."""
    wanted = setting if setting is not None else min(2, os.cpu_count() or 1)
    import multiprocessing  # here: a run answered by the index never needs it

    if wanted < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if setting is None and sources.total_bytes() < MIN_BYTES:
        return 1
    return wanted


def _in_order(pool: Any, units: list[Unit], ahead: int) -> Iterator[Any]:
    """The units' results in order, with at most `ahead` units read but not yet consumed (so
    memory stays bounded when the main process is the slower side)."""
    pending: deque[Any] = deque()
    queue = iter(units)
    for unit in itertools.islice(queue, ahead):
        pending.append(pool.apply_async(_records, (unit,)))
    while pending:
        result = pending.popleft().get()
        following = next(queue, None)
        if following is not None:
            pending.append(pool.apply_async(_records, (following,)))
        yield result


def parallel_events(
    sources: HistorySources,
    clock: DayClock,
    problems: Problems,
    workers: int,
    progress: Any = None,
    ledger: Ledger | None = None,
    marks: Marks | None = None,
    feed: Feed | None = None,
) -> Iterator[Event]:
    """Each event once, as `history.read_events` yields them, read by `workers` processes.

    With a `feed`, `feed.notes` runs in the workers (on the event with its text) and each
    unit's notes come to `feed.take_day(day, positions, packed, dropped)` after its events, one
    call per day: the unit positions of the day's noted events (array("I") bytes), their packed
    notes (`unpack_notes`), and the positions of the unit's events dropped as copies."""
    notes = feed.notes if feed is not None else None
    per_db: dict[Path, dict[str, int]] = {}
    for db in sources.databases:
        if marks is not None:
            marks.note_database(db)
        per_db[db] = session_row_counts(db)  # counted once: for import copies and for `plan`
    rows = (
        next(iter(per_db.values()))
        if len(per_db) == 1
        else {sid: n for counts in per_db.values() for sid, n in counts.items()}
    )
    _STATE.update(clock=clock, rows=rows, notes=notes, forgotten=sources.forgotten)
    units = plan(sources, workers, 2 if notes is None else 16, per_db)
    ledger = ledger or Ledger()
    seen, keys = ledger.seen, ledger.keys
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        for unit, (records, unit_problems, unit_marks, unit_days, day_notes) in zip(
            units,
            # a few units ahead keep the workers busy; more would only hold memory
            _in_order(pool, units, 2 * workers),
            strict=True,
        ):
            problems.merge(unit_problems)
            if marks is not None:
                for mark in unit_marks:
                    marks.files[mark.path] = mark
            for stream, touched in unit_days.items():
                ledger.record(stream).days |= touched
            current: tuple[str, str] = ("", "")
            won: array[int] = array("Q")  # replaced at the first record
            in_runs = keys.in_runs if keys.spilled else None  # keys set aside on disk
            dropped: list[int] = []
            for at, (
                source,
                key,
                content_key,
                day,
                ms,
                kind,
                sid,
                skey,
                ident,
                model,
                noise,
                tokens,
                reason,
            ) in enumerate(records):
                # inlined Ledger.first: this loop is the one place that sees every entry
                if sid != current[1] or source != current[0]:
                    current = (source, sid)
                    won = ledger.record(current).keys
                if key in seen or (in_runs and in_runs(key)):
                    dropped.append(at)
                    continue
                seen.add(key)
                won.append(key)
                if content_key is not None:
                    if content_key in seen or (in_runs and in_runs(content_key)):
                        dropped.append(at)
                        continue
                    seen.add(content_key)
                    won.append(content_key)
                yield textless(ms, day, KINDS[kind], sid, skey, ident, model, noise, tokens, reason)
            if feed is not None:
                gone = frozenset(dropped)
                for day, positions, packed in day_notes:
                    feed.take_day(day, positions, packed, gone)
            ledger.trim()  # between units: no record is held by this loop
            if progress:
                progress(unit.size)
