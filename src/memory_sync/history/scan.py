"""One pass over an agent's whole history: day statistics, model timeline and damage report.

With the index: nothing changed answers from it; additions are read alone (`resume.py`);
anything else reads everything and saves a new index.
"""

from __future__ import annotations

import gc
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from memory_sync.config import AgentSettings
from memory_sync.days import DayBook
from memory_sync.events import Event
from memory_sync.history import index
from memory_sync.history.index import IndexState
from memory_sync.history.keyset import keys_budget
from memory_sync.history.ledger import STREAM_KEYS_IN_MEMORY, Ledger
from memory_sync.history.parallel import parallel_events, workers_wanted
from memory_sync.history.reporter import SILENT, Reporter
from memory_sync.history.resume import Reread, catch_up, with_tails
from memory_sync.history.sources import Marks, read_events
from memory_sync.problems import Problems
from memory_sync.timeutil import DayClock


@dataclass
class Scan:
    """The result of reading the history once."""

    book: DayBook
    problems: Problems
    clock: DayClock
    source_bytes: int
    seconds: float
    from_index: bool = False  # the figures came from a fresh index; no source was read
    resumed: str = ""  # what reading only the additions did, when that was enough


class Feed(Protocol):
    """A consumer of events that splits its work: `notes` is pure (it may run in a worker
    process, on the event with its text) and `take` adds the notes up, in reading order."""

    def notes(self, event: Event) -> Any:
        """What `take` needs from `event`; None when the event is not wanted."""

    def take(self, event: Event, notes: Any) -> None:
        """Add one wanted event's notes."""

    def take_day(self, day: str, positions: bytes, packed: bytes, dropped: frozenset[int]) -> None:
        """Add the notes a worker packed for one day of one unit (`parallel.unpack_notes`),
        leaving out the events at `dropped` positions (copies)."""


def scan_history(
    settings: AgentSettings,
    *,
    reporter: Reporter = SILENT,
    on_event: Callable[[Event], None] | None = None,
    feed: Feed | None = None,
    parallel: bool = False,
    use_index: bool = False,
    save_index: bool | None = None,
) -> Scan:
    """Read every source once; count each event into its day and hand it to `on_event`, and
    to `feed` with the notes its `notes` made of it (when not None).

    With `parallel`, a large history is parsed by worker processes (events then carry no text,
    so only without `on_event`; `feed.notes` runs in the workers); the result is the same as a
    one-process scan. With `use_index` (statistics only), a fresh index answers and additions
    are read alone. A full read saves the index when `save_index` (default: `use_index`).
    """
    clock = settings.clock()
    started = time.perf_counter()
    progress, notice = reporter.progress, reporter.notice
    if use_index and on_event is None:
        found = _from_index(settings, clock, reporter, started)
        if found is not None:
            return found
    sig = index.signature(
        settings.sources, settings.tz_name
    )  # taken before reading: a change while reading shows next time
    key_stamps = index.key_files(settings.sources)
    problems = Problems()
    book = DayBook()
    setting = settings.tuning.keys_in_memory  # MEMORY_SYNC_KEYS_IN_MEMORY, for both budgets
    ledger = Ledger(
        folder=settings.app_state_dir / "spill",
        keys=setting or keys_budget(settings.sources.total_bytes()),
        records=setting or STREAM_KEYS_IN_MEMORY,
    )
    marks = Marks()
    add = book.add
    collecting = gc.isenabled()
    gc.disable()  # a scan makes millions of short-lived dicts and no cycles: refcounts suffice
    workers = (
        workers_wanted(settings.sources, settings.tuning.workers)
        if parallel and on_event is None
        else 1
    )
    try:
        if workers > 1:
            for event in parallel_events(
                settings.sources,
                clock,
                problems,
                workers,
                progress,
                ledger,
                marks,
                feed,
            ):
                add(event)
        else:
            for event in read_events(settings.sources, clock, problems, progress, ledger, marks):
                add(event)
                if on_event is not None:
                    on_event(event)
                if feed is not None:
                    made = feed.notes(event)
                    if made is not None:
                        feed.take(event, made)
        ledger.keys.close()  # the read is over: the keys' memory is free for saving the index
        if use_index if save_index is None else save_index:
            _save_full(settings, sig, key_stamps, book, problems, marks, ledger, notice)
    finally:
        ledger.close()
        if collecting:
            gc.enable()
    return Scan(
        book,
        with_tails(problems, index.unfinished(marks.files)),
        clock,
        settings.sources.total_bytes(),
        time.perf_counter() - started,
    )


def _save_full(
    settings: AgentSettings,
    sig: bytes,
    key_stamps: dict[str, list[int]],
    book: DayBook,
    problems: Problems,
    marks: Marks,
    ledger: Ledger,
    notice: Callable[[str], None],
) -> None:
    """Save what a full read found as the new index."""
    state = IndexState(
        sig,
        book,
        problems,
        marks.files,
        marks.dbs,
        key_stamps,
        context=index.context(settings.tz_name, settings.sources.forgotten),
    )
    index.save(settings.index_path, state, ledger.records(), replace_all=True, warn=notice)


def _from_index(
    settings: AgentSettings, clock: DayClock, reporter: Reporter, started: float
) -> Scan | None:
    notice, debug = reporter.notice, reporter.debug
    state = index.load(settings.index_path, notice)
    if state is None:
        return None
    sig = index.signature(settings.sources, settings.tz_name)
    if state.signature == sig:
        return Scan(
            state.book,
            with_tails(state.problems, state.unfinished),
            clock,
            0,  # nothing was read
            time.perf_counter() - started,
            from_index=True,
        )
    if state.context != index.context(settings.tz_name, settings.sources.forgotten):
        debug("reading everything again: another timezone or memory-sync version made the index")
        return None
    generation = state.generation
    try:
        index.load_marks(settings.index_path, state)
        caught = catch_up(settings, state, clock)
    except Reread as why:
        debug(f"reading everything again: {why}")
        return None
    except index.IndexChanged:
        debug("reading everything again: another run saved the index meanwhile")
        return None
    except OSError as exc:  # a source went away while it was being checked
        debug(f"reading everything again: {exc}")
        return None
    except (sqlite3.Error, ValueError, KeyError, TypeError, AttributeError):
        notice(f"notice: the index {settings.index_path} is damaged; rebuilding it")
        return None
    state.signature = sig
    index.save(
        settings.index_path,
        state,
        caught.streams.items(),
        replace_all=False,
        expected_generation=generation,
        warn=notice,
    )
    return Scan(
        state.book,
        with_tails(state.problems, index.unfinished(state.files)),
        clock,
        settings.sources.total_bytes(),
        time.perf_counter() - started,
        resumed=f"{caught.entries} new entries from {caught.sources} source(s)",
    )
