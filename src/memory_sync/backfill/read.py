"""Read the history for the chosen days: every day's statistics, and the digest notes (and,
for --summarize, the day text) of the days the rule picks."""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from memory_sync.backfill.shelf import (
    GROUP_DAYS,
    RESIDENT_DAYS,
    TEXT_RESIDENT_DAYS,
    DayShelf,
)
from memory_sync.config import AgentSettings
from memory_sync.digest.builder import DayDigestBuilder
from memory_sync.digest.notes import NO_NOTES, notes_for
from memory_sync.events import Event
from memory_sync.history.chosen_days import read_days
from memory_sync.history.parallel import unpack_notes
from memory_sync.history.reporter import Reporter
from memory_sync.history.scan import Scan, scan_history
from memory_sync.redact import Redact
from memory_sync.summarize.daytext import DayText

_NOTHING = tuple(NO_NOTES)  # one object for every event without notes: pickled once per batch


@dataclass
class DayParts:
    """What is collected of one wanted day: its digest builder and, for --summarize, its text."""

    digest: DayDigestBuilder
    text: DayText | None = None

    def take(self, item: tuple[Event, tuple[Any, ...]] | PackedDay) -> None:
        """Add one event of the day with its notes, or what a worker packed for the day."""
        if isinstance(item, PackedDay):  # only a parallel read packs, never with --summarize
            assert self.text is None
            take = self.digest.take
            gone = item.dropped
            for at, event, notes in unpack_notes(self.digest.date, item.packed):
                if at not in gone:
                    take(event, notes)
            return
        event, notes = item
        self.digest.take(event, notes)
        if self.text is not None:
            self.text.add(event)


class PackedDay(NamedTuple):
    """One day's notes from one unit of a parallel read, still packed (`unpack_notes`)."""

    packed: bytes
    dropped: frozenset[int]  # positions in the unit of events dropped as copies


class DigestFeed:
    """Feeds the wanted days' collectors: notes are made where the event is read (a worker
    process for a large history), and added up here in reading order."""

    def __init__(
        self, wanted: Callable[[str], bool], redact: Redact, shelf: DayShelf[DayParts]
    ) -> None:
        self.wanted = wanted
        self.redact = redact
        self.shelf = shelf

    def notes(self, event: Event) -> tuple[Any, ...] | None:
        """The event's notes when its day is wanted, as a plain tuple (half the cost of a
        NamedTuple to send between processes)."""
        if not self.wanted(event.day):
            return None
        made = notes_for(event, self.redact)
        return _NOTHING if made is NO_NOTES else tuple(made)

    def take(self, event: Event, notes: tuple[Any, ...]) -> None:
        """Add a wanted event with its notes to its day."""
        self.shelf.add(event.day, (event, notes))

    def take_day(self, day: str, positions: bytes, packed: bytes, dropped: frozenset[int]) -> None:
        """Add what a worker packed for one day (unpacked only when the day is built)."""
        if dropped:
            at = array("I")
            at.frombytes(positions)
            dropped = dropped.intersection(at)
        self.shelf.add(day, PackedDay(packed, dropped))


@dataclass
class ChosenHistory:
    """What the read found: the scan (every day's statistics), and the wanted days' parts
    (digest builder and, for --summarize, day text) on a shelf."""

    scan: Scan
    shelf: DayShelf[DayParts]


def read_chosen(
    settings: AgentSettings,
    wanted: Callable[[str], bool],
    *,
    redact: Redact,
    reporter: Reporter,
    day_text: Callable[[str], DayText] | None = None,
    use_index: bool = True,
    scanned: Scan | None = None,
) -> ChosenHistory:
    """Read the history once for the days `wanted` picks.

    With an index, only the streams that touch those days are read (when they are few);
    otherwise everything is read once, on two cores for the simple digest, and the index
    saved for the next run. `day_text` (from --summarize) makes a day's text collector; the
    day texts need each event's text, so that read stays in one process. `scanned` is this
    run's scan through the index when the caller already made it.
    """

    def make(day: str) -> DayParts:
        return DayParts(DayDigestBuilder(day), day_text(day) if day_text is not None else None)

    def new_shelf() -> DayShelf[DayParts]:
        days = settings.tuning.days_in_memory
        return DayShelf(
            make,
            DayParts.take,
            resident=days or (RESIDENT_DAYS if day_text is None else TEXT_RESIDENT_DAYS),
            group=max(1, days // 4) if days else GROUP_DAYS,
            folder=settings.app_state_dir / "spill",
        )

    feed = DigestFeed(wanted, redact, new_shelf())

    def collect(event: Event) -> None:
        """One event with its text: into its day's digest and, for --summarize, its day text."""
        notes = feed.notes(event)
        if notes is not None:
            feed.take(event, notes)

    scan = scanned
    if scan is None and use_index and settings.index_path.exists():
        quiet = dataclasses.replace(reporter, progress=None)  # the index answers, mostly
        scan = scan_history(settings, reporter=quiet, parallel=True, use_index=True)
    if scan is not None:
        days = {d.date for d in scan.book.sorted_days() if wanted(d.date)}
        if not read_days(settings, scan.book, days, collect, reporter.debug):
            scan = None
            feed.shelf.close()
            feed.shelf = new_shelf()
    if scan is None and day_text is None:  # the simple digest: parsed and noted on two cores
        scan = scan_history(
            settings, reporter=reporter, parallel=True, save_index=use_index, feed=feed
        )
    elif scan is None:
        scan = scan_history(settings, reporter=reporter, on_event=collect, save_index=use_index)
    return ChosenHistory(scan, feed.shelf)
