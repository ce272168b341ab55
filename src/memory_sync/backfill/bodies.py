"""Build and render the chosen days' block bodies: the simple digest, or the LLM's summary."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from memory_sync.backfill.choose import (
    choose_days,
    days_with_file,
    no_history_note,
    noise_only_asked,
    without_history,
)
from memory_sync.backfill.options import BackfillOptions, DaySelection
from memory_sync.backfill.read import ChosenHistory, read_chosen
from memory_sync.config import AgentSettings
from memory_sync.days import DayStats, Transition
from memory_sync.digest.builder import Digest
from memory_sync.digest.render import render_digest
from memory_sync.history.reporter import SILENT, Reporter
from memory_sync.history.scan import Scan
from memory_sync.problems import Problems
from memory_sync.redact import Redact
from memory_sync.summarize import Usage
from memory_sync.summarize.days import DaySummaries
from memory_sync.summarize.daytext import DayText
from memory_sync.summarize.run import Estimate


@dataclass
class Bodies:
    """The chosen days with their history and block bodies, before anything is written."""

    dates: list[str]
    history: dict[str, DayStats]
    bodies: dict[str, str]
    failures: dict[str, str]
    problems: Problems
    estimates: list[Estimate] = field(default_factory=list)
    model: str | None = None
    noise_only: list[str] = field(default_factory=list)  # asked for by name; get no file
    usage: Usage | None = None  # what --summarize cost
    no_history: list[str] = field(default_factory=list)  # asked for by name, nothing to write
    no_history_note: str = "no history for this date"  # what is said of each of them
    left_alone: int = 0  # --all: days with history whose daily file exists (no --force)


def build_bodies(
    settings: AgentSettings,
    selection: DaySelection,
    *,
    options: BackfillOptions,
    redact: Redact,
    reporter: Reporter = SILENT,
    summaries: DaySummaries | None = None,
    use_index: bool = True,
    scanned: Scan | None = None,
) -> Bodies:
    """Read the history once, choose the days, and build and render each chosen day's block
    body (the simple digest, or the LLM's summary when `summaries` is given)."""
    selection.validate()
    rule = selection.rule(
        today=settings.clock().today(),
        existing=days_with_file(settings.memory_dir),
        force=options.force,
    )
    read = read_chosen(
        settings,
        rule,
        redact=redact,
        reporter=reporter,
        day_text=summaries.day_text if summaries is not None else None,
        use_index=use_index,
        scanned=scanned,
    )
    history = {s.date: s for s in read.scan.book.sorted_days()}
    dates = choose_days(rule, history)
    quiet = noise_only_asked(rule, history)
    missing = without_history(selection, history)
    kept = [d for d in rule.existing if d in history and not rule(d) and selection.in_range(d)]
    left_alone = len(kept) if selection.all_days else 0
    bodies: dict[str, str] = {}
    if summaries is None:  # one day at a time: each builder is let go once rendered
        for digest, _ in _digests(read, dates, history):
            bodies[digest.date] = render_digest(digest, settings.zone, redact)
        return Bodies(
            dates,
            history,
            bodies,
            {},
            read.scan.problems,
            noise_only=quiet,
            no_history=missing,
            no_history_note=no_history_note(settings),
            left_alone=left_alone,
        )

    def days() -> Iterator[tuple[Digest, DayText]]:
        """The days to ask the model about, one at a time."""
        for digest, text in _digests(read, dates, history):
            if history[digest.date].sessions and text is not None:
                yield digest, text
            else:  # every session of the day was forgotten: nothing to ask the model about
                bodies[digest.date] = render_digest(digest, settings.zone, redact)

    summarized = summaries.summarize(
        days(), memory_dir=settings.memory_dir, preserve=options.preserve
    )
    return Bodies(
        dates,
        history,
        bodies | summarized.bodies,
        summarized.failures,
        read.scan.problems,
        estimates=sorted(summarized.estimates, key=lambda e: e.date),
        model=summarized.model,
        noise_only=quiet,
        usage=summarized.usage,
        no_history=missing,
        no_history_note=no_history_note(settings),
        left_alone=left_alone,
    )


def _digests(
    read: ChosenHistory, dates: list[str], history: dict[str, DayStats]
) -> Iterator[tuple[Digest, DayText | None]]:
    """Each chosen day's digest (and day text, for --summarize), one at a time (not in date
    order when the shelf set days aside); its builder is let go as it is built."""
    by_day: dict[str, list[Transition]] = {}
    for t in read.scan.book.transitions():
        by_day.setdefault(t.day, []).append(t)
    for day, parts in read.shelf.finished(dates):
        yield parts.digest.build(history[day], by_day.get(day, [])), parts.text


def summarize_days(
    settings: AgentSettings, day: str, *, redact: Redact, summaries: DaySummaries
) -> Bodies:
    """The summary body (or the failure) of one day, for `memory-sync summarize`."""
    return build_bodies(
        settings,
        DaySelection((day,)),
        options=BackfillOptions(force=True),
        redact=redact,
        summaries=summaries,
    )
