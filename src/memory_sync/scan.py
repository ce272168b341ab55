"""One pass over an agent's whole history: day statistics, model timeline and damage report."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

from memory_sync import index
from memory_sync.config import AgentSettings
from memory_sync.days import DayBook
from memory_sync.events import Event
from memory_sync.history import Progress, read_events
from memory_sync.parallel import parallel_events, workers_wanted
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


def scan_history(
    settings: AgentSettings,
    on_event: Callable[[Event], None] | None = None,
    progress: Progress | None = None,
    parallel: bool = False,
    use_index: bool = False,
    notice: Callable[[str], None] | None = None,
) -> Scan:
    """Read every source once; count each event into its day and hand it to `on_event`.

    With `parallel` (statistics only: events then carry no text), a large history is parsed
    by worker processes; the result is the same as a one-process scan.
    """
    clock = DayClock(settings.zone)
    started = time.perf_counter()
    sig = b""
    if use_index and on_event is None:
        sig = index.signature(settings)
        stored = index.load(settings, sig, notice or (lambda _message: None))
        if stored is not None:
            book, problems = stored
            return Scan(
                book,
                problems,
                clock,
                settings.sources.total_bytes(),
                time.perf_counter() - started,
                from_index=True,
            )
    problems = Problems()
    book = DayBook()
    add = book.add
    collecting = gc.isenabled()
    gc.disable()  # a scan makes millions of short-lived dicts and no cycles: refcounts suffice
    workers = workers_wanted(settings.sources) if parallel and on_event is None else 1
    events = (
        parallel_events(settings.sources, clock, problems, workers, progress)
        if workers > 1
        else read_events(settings.sources, clock, problems, progress)
    )
    try:
        for event in events:
            add(event)
            if on_event is not None:
                on_event(event)
    finally:
        if collecting:
            gc.enable()
    if sig:
        index.save(settings, sig, book, problems)
    return Scan(
        book, problems, clock, settings.sources.total_bytes(), time.perf_counter() - started
    )
