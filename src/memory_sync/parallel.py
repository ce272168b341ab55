"""Read a large history on several cores, with exactly the sequential result.

Workers (forked processes) parse and classify units of the history: slices of a database by
session id, its archive tables, and groups of JSONL files. The main process takes the units'
events back strictly in the sequential order and does the de-duplication and counting itself,
so "the first copy wins" and every count are the same as in a one-process scan. Used for the
statistics-only commands (compare, stats) on histories of 64 MB and more.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memory_sync.events import Event, EventFactory, Kind
from memory_sync.history import SeenKeys, imported_copy
from memory_sync.locate import HistorySources
from memory_sync.problems import Problems
from memory_sync.stores.jsonl import load_session_keys, read_jsonl
from memory_sync.stores.sqlite import DbPart, read_sqlite, session_ranges, session_row_counts
from memory_sync.timeutil import DayClock

MIN_BYTES = 64 * 1024 * 1024  # below this one process is faster than starting workers
KINDS = list(Kind)
Record = tuple[Any, ...]


@dataclass(frozen=True)
class Unit:
    """A piece of the history one worker reads: a database slice or some JSONL files."""

    db: Path | None = None
    part: DbPart | None = None
    files: tuple[Path, ...] = ()


_STATE: dict[str, Any] = {}


def _records(unit: Unit) -> tuple[list[Record], Problems]:
    """Worker: the unit's events as compact records (no text), in reading order."""
    gc.disable()
    clock: DayClock = _STATE["clock"]
    rows: dict[str, int] = _STATE["rows"]
    factory = EventFactory(clock)
    problems = Problems()
    out: list[Record] = []
    append = out.append
    kind_index = {k: i for i, k in enumerate(KINDS)}
    if unit.db is not None:
        raw: Iterator[Any] = read_sqlite(unit.db, problems, unit.part)
    else:
        raw = _jsonl(unit.files, rows, problems)
    for ref, entry in raw:
        made = factory.make(ref, entry)
        if made is None:
            continue
        e, content_key = made
        append(
            (
                factory.last_key,
                content_key,
                e.ms,
                e.day,
                kind_index[e.kind],
                e.session_id,
                e.session_key,
                e.identity,
                e.model,
                e.noise,
                e.tokens_before,
                e.reason,
            )
        )
    return out, problems


def _jsonl(files: tuple[Path, ...], rows: dict[str, int], problems: Problems) -> Iterator[Any]:
    keys_by_folder: dict[Path, dict[str, str]] = {}
    for path in files:
        if rows and imported_copy(path, rows):
            continue
        keys = keys_by_folder.get(path.parent)
        if keys is None:
            keys = keys_by_folder[path.parent] = load_session_keys(path.parent)
        yield from read_jsonl(path, problems, keys)


def plan(sources: HistorySources, workers: int) -> list[Unit]:
    """The units in the order a sequential scan reads them."""
    units: list[Unit] = []
    for db in sources.databases:
        ranges = session_ranges(db, workers * 2)
        if ranges == [(None, None)]:  # small or unreadable: one unit, read as one process would
            units.append(Unit(db=db, part=DbPart()))
            continue
        for low, high in ranges:
            units.append(Unit(db=db, part=DbPart(low, high, rows=True, archives=False)))
        units.append(Unit(db=db, part=DbPart(rows=False, archives=True)))
    sizes = [(p, _size(p)) for p in sources.jsonl_files]
    total = sum(s for _, s in sizes)
    target = max(1, total // (workers * 2))
    group: list[Path] = []
    used = 0
    for path, size in sizes:
        group.append(path)
        used += size
        if used >= target:
            units.append(Unit(files=tuple(group)))
            group, used = [], 0
    if group:
        units.append(Unit(files=tuple(group)))
    return units


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def workers_wanted(sources: HistorySources) -> int:
    """How many worker processes to use (1: read in this process)."""
    setting = os.environ.get("MEMORY_SYNC_WORKERS")
    wanted = int(setting) if setting and setting.isdigit() else min(2, os.cpu_count() or 1)
    if wanted < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if setting is None and sources.total_bytes() < MIN_BYTES:
        return 1
    return wanted


def parallel_events(
    sources: HistorySources,
    clock: DayClock,
    problems: Problems,
    workers: int,
    progress: Any = None,
) -> Iterator[Event]:
    """Each event once, as `history.read_events` yields them, read by `workers` processes.

    Forked workers share this process's hash seed, so their de-duplication keys match ours.
    """
    rows: dict[str, int] = {}
    for db in sources.databases:
        rows.update(session_row_counts(db))
    _STATE.update(clock=clock, rows=rows)
    units = plan(sources, workers)
    first = SeenKeys().first
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        for unit, (records, unit_problems) in zip(units, pool.imap(_records, units), strict=True):
            problems.merge(unit_problems)
            for (
                key,
                content_key,
                ms,
                day,
                kind,
                sid,
                skey,
                ident,
                model,
                noise,
                tokens,
                reason,
            ) in records:
                if not first(key, content_key):
                    continue
                yield Event(
                    ms,
                    day,
                    KINDS[kind],
                    sid,
                    skey,
                    ident,
                    "",
                    model,
                    noise,
                    (),
                    None,
                    False,
                    tokens,
                    reason,
                )
            if progress:
                progress(sum(_size(p) for p in unit.files) if unit.files else 0)
