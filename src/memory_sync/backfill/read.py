"""Read the history for the chosen days: every day's statistics, and the digest notes (and,
for --summarize, the day text) of the days the rule picks."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from memory_sync.config import AgentSettings
from memory_sync.digest.builder import DayDigestBuilder
from memory_sync.digest.notes import NO_NOTES, notes_for
from memory_sync.events import Event
from memory_sync.history.chosen_days import read_days
from memory_sync.history.reporter import Reporter
from memory_sync.history.scan import Scan, scan_history
from memory_sync.redact import Redact
from memory_sync.summarize.daytext import DayText

_NOTHING = tuple(NO_NOTES)  # one object for every event without notes: pickled once per batch


class DigestFeed:
    """Feeds the digest builders of the wanted days: notes are made where the event is read
    (a worker process for a large history), and added up here in reading order."""

    def __init__(
        self,
        wanted: Callable[[str], bool],
        redact: Redact,
        builders: dict[str, DayDigestBuilder],
    ) -> None:
        self.wanted = wanted
        self.redact = redact
        self.builders = builders

    def notes(self, event: Event) -> tuple[Any, ...] | None:
        """The event's notes when its day is wanted, as a plain tuple (half the cost of a
        NamedTuple to send between processes)."""
        if not self.wanted(event.day):
            return None
        made = notes_for(event, self.redact)
        return _NOTHING if made is NO_NOTES else tuple(made)

    def take(self, event: Event, notes: tuple[Any, ...]) -> None:
        """Add a wanted event's notes to its day's builder."""
        builder = self.builders.get(event.day)
        if builder is None:
            builder = self.builders[event.day] = DayDigestBuilder(event.day)
        builder.take(event, notes)


@dataclass
class ChosenHistory:
    """What the read found: the scan (every day's statistics), and per wanted day its digest
    builder and, for --summarize, its day text."""

    scan: Scan
    builders: dict[str, DayDigestBuilder] = field(default_factory=dict)
    texts: dict[str, DayText] = field(default_factory=dict)


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
    builders: dict[str, DayDigestBuilder] = {}
    texts: dict[str, DayText] = {}
    feed = DigestFeed(wanted, redact, builders)

    def collect(event: Event) -> None:
        """One event with its text: into its day's digest and, for --summarize, its day text."""
        notes = feed.notes(event)
        if notes is None:
            return
        feed.take(event, notes)
        if day_text is not None:
            text = texts.get(event.day)
            if text is None:
                text = texts[event.day] = day_text(event.day)
            text.add(event)

    scan = scanned
    if scan is None and use_index and settings.index_path.exists():
        quiet = dataclasses.replace(reporter, progress=None)  # the index answers, mostly
        scan = scan_history(settings, reporter=quiet, parallel=True, use_index=True)
    if scan is not None:
        days = {d.date for d in scan.book.sorted_days() if wanted(d.date)}
        if not read_days(settings, scan.book, days, collect, reporter.debug):
            scan = None
            builders.clear()
            texts.clear()
    if scan is None and day_text is None:  # the simple digest: parsed and noted on two cores
        scan = scan_history(
            settings, reporter=reporter, parallel=True, save_index=use_index, feed=feed
        )
    elif scan is None:
        scan = scan_history(settings, reporter=reporter, on_event=collect, save_index=use_index)
    return ChosenHistory(scan, builders, texts)
