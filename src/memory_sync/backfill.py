"""`backfill`: choose days, build each day's block from the history, merge it into the file."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memory_sync.config import AgentSettings, state_subdir
from memory_sync.days import DayStats, Transition
from memory_sync.digest.builder import DayDigestBuilder
from memory_sync.digest.notes import NO_NOTES, notes_for
from memory_sync.digest.render import render_digest
from memory_sync.errors import MemorySyncError
from memory_sync.events import Event
from memory_sync.history import index
from memory_sync.history.chosen_days import read_days
from memory_sync.history.scan import Scan, scan_history
from memory_sync.history.sources import Progress
from memory_sync.memoryfile import (
    Action,
    MergePlan,
    daily_path,
    decode,
    find_block,
    list_memory_files,
    plan_merge,
    render_block,
)
from memory_sync.problems import Problems
from memory_sync.redact import Redact
from memory_sync.summarize import SummarySettings
from memory_sync.summarize.daytext import DayText
from memory_sync.summarize.run import Estimate
from memory_sync.summarize.writer import Composer
from memory_sync.timeutil import check_dates
from memory_sync.write import folder_lock, remove_stale_temps, write_merged

WROTE = (Action.CREATED, Action.UPDATED, Action.REPLACED, Action.PRESERVED)


@dataclass(frozen=True)
class DaySelection:
    """Which days the user asked for."""

    dates: tuple[str, ...] = ()
    all_days: bool = False
    today: bool = False
    since: str | None = None
    until: str | None = None  # exclusive
    incremental: bool = False  # the days whose history changed since their block was written

    def in_range(self, day: str) -> bool:
        """Whether `day` is within --since (inclusive) and --until (exclusive), when given."""
        return (self.since is None or self.since <= day) and (
            self.until is None or day < self.until
        )

    def rule(self, *, today: str, existing: set[str], force: bool) -> DayRule:
        """The rule that picks days, once today and the days that have a file are known."""
        explicit = frozenset({*self.dates, today} if self.today else self.dates)
        return DayRule(
            selection=self,
            explicit=explicit,
            existing=frozenset(existing),
            force=force,
        )

    def validate(self) -> None:
        """Refuse contradictory or empty choices with a one-line message."""
        check_dates(*self.dates, self.since, self.until)
        if self.dates and self.all_days:
            raise MemorySyncError("give dates or --all, not both")
        if self.incremental and (self.dates or self.all_days or self.today):
            raise MemorySyncError(
                "--incremental chooses the days itself: drop the dates, --all "
                "and --today (--since/--until still narrow it)"
            )
        if self.since and self.until and self.since >= self.until:
            raise MemorySyncError(
                f"--since {self.since} is not before --until {self.until} (--until is exclusive)"
            )
        if not (
            self.dates
            or self.all_days
            or self.today
            or self.since
            or self.until
            or self.incremental
        ):
            raise MemorySyncError(
                "say which days: one or more dates (YYYY-MM-DD), --all, --today, --since/--until "
                "or --incremental"
            )


@dataclass(frozen=True)
class DayRule:
    """Whether a day is chosen: a date asked for by name (or --today), every day with history
    that lacks a file (or every day, with --force) for --all, or a bare --since/--until range;
    always within the range."""

    selection: DaySelection
    explicit: frozenset[str]
    existing: frozenset[str]
    force: bool

    def __call__(self, day: str) -> bool:
        """True when `day` is one of the chosen days (given that it has history)."""
        chosen = self.selection
        if not chosen.in_range(day):
            return False
        if day in self.explicit:
            return True
        if chosen.all_days:
            return self.force or day not in self.existing
        return bool(chosen.since or chosen.until) and not self.explicit


@dataclass(frozen=True)
class BackfillOptions:
    """How to write."""

    force: bool = False
    preserve: bool = False
    dry_run: bool = False
    lock_wait: float = 10.0
    summary: SummarySettings | None = None  # None: the simple digest, no LLM


@dataclass
class DayResult:
    """The outcome for one date, as shown in the table and the JSON."""

    date: str
    action: Action
    path: Path
    messages: int
    size: int
    backup: Path | None = None
    note: str = ""
    diff: str = ""


@dataclass
class BackfillReport:
    """Everything `backfill` did (or, with --dry-run, would do)."""

    results: list[DayResult] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    dry_run: bool = False
    estimates: list[Estimate] = field(default_factory=list)  # --dry-run --summarize
    requests_sent: int = 0
    summary_model: str | None = None

    @property
    def failed(self) -> list[DayResult]:
        """Days that could not be written."""
        return [r for r in self.results if r.action is Action.FAILED]


def choose_days(
    selection: DaySelection, rule: DayRule, history: dict[str, DayStats]
) -> tuple[list[str], list[str]]:
    """The dates to process, and the explicitly requested dates that have no history."""
    no_history = sorted(d for d in selection.dates if d not in history and selection.in_range(d))
    return sorted(d for d in history if rule(d)), no_history


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
class Composition:
    """The chosen days with their history and block bodies, before anything is written."""

    dates: list[str]
    history: dict[str, DayStats]
    bodies: dict[str, str]
    failures: dict[str, str]
    problems: Problems
    estimates: list[Estimate] = field(default_factory=list)
    sent: int = 0
    model: str | None = None


def compose(
    settings: AgentSettings,
    selection: DaySelection,
    options: BackfillOptions,
    redact: Redact,
    progress: Progress | None = None,
    composer: Composer | None = None,
    use_index: bool = True,
    debug: Callable[[str], None] | None = None,
    scanned: Scan | None = None,
    notice: Callable[[str], None] | None = None,
) -> Composition:
    """Read the history once and build the block body of every chosen day (simple digest, or
    the LLM's summary when `composer` is given).

    With an index, only the streams that touch the chosen days are read (when they are few);
    otherwise everything is read once, and the index saved for the next run. `scanned` is
    this run's scan through the index when the caller already made it; `notice` gets what
    the index has to say (damaged, or not saved).
    """
    selection.validate()
    memory_dir = settings.memory_dir
    existing = {
        d for d, files in list_memory_files(memory_dir).items() if any(f.daily for f in files)
    }
    builders: dict[str, DayDigestBuilder] = {}
    texts: dict[str, DayText] = {}
    wanted = selection.rule(today=settings.clock().today(), existing=existing, force=options.force)
    feed = DigestFeed(wanted, redact, builders)

    def collect(event: Event) -> None:
        """One event with its text: into its day's digest and, for --summarize, its day text."""
        notes = feed.notes(event)
        if notes is None:
            return
        feed.take(event, notes)
        if composer is not None:
            text = texts.get(event.day)
            if text is None:
                text = texts[event.day] = composer.text_for(event.day)
            text.add(event)

    say = debug or (lambda _message: None)
    scan = scanned
    if scan is None and use_index and settings.index_path.exists():
        scan = scan_history(settings, parallel=True, use_index=True, debug=say, notice=notice)
    if scan is not None:
        days = {d.date for d in scan.book.sorted_days() if wanted(d.date)}
        if not read_days(settings, scan.book, days, collect, say):
            scan = None
            builders.clear()
            texts.clear()
    if scan is None and composer is None:  # the simple digest: parsed and noted on two cores
        scan = scan_history(
            settings,
            progress=progress,
            parallel=True,
            save_index=use_index,
            feed=feed,
            notice=notice,
        )
    elif scan is None:
        scan = scan_history(
            settings, on_event=collect, progress=progress, save_index=use_index, notice=notice
        )
    history = {s.date: s for s in scan.book.sorted_days()}
    dates, no_history = choose_days(selection, wanted, history)
    if no_history:
        raise MemorySyncError(
            f"no history for {', '.join(no_history)} in "
            f"{settings.origins.get('sessions', 'the sources')}; "
            "check the date, --tz and --agent (`memory-sync compare` lists the days with history)"
        )
    transitions = scan.book.transitions()
    by_day: dict[str, list[Transition]] = {}
    for t in transitions:
        by_day.setdefault(t.day, []).append(t)
    if composer is None:  # one day at a time: each builder is let go once rendered
        bodies = {
            day: render_digest(
                builders.pop(day).build(history[day], by_day.get(day, [])), settings.zone, redact
            )
            for day in dates
        }
        return Composition(dates, history, bodies, {}, scan.problems)
    digests = {day: builders[day].build(history[day], by_day.get(day, [])) for day in dates}
    composed = composer.compose(
        [(digests[day], texts[day]) for day in dates], memory_dir, options.preserve
    )
    return Composition(
        dates,
        history,
        composed.bodies,
        composed.failures,
        scan.problems,
        composed.estimates,
        composed.sent,
        composed.model,
    )


def compose_days(
    settings: AgentSettings,
    selection: DaySelection,
    options: BackfillOptions,
    redact: Redact,
    composer: Composer,
) -> tuple[dict[str, str], dict[str, str], Problems]:
    """Block bodies and failures of the chosen days (for `memory-sync summarize`)."""
    result = compose(settings, selection, options, redact, None, composer)
    return result.bodies, result.failures, result.problems


def changed_days(
    settings: AgentSettings,
    selection: DaySelection,
    preserve: bool,
    notice: Callable[[str], None] | None = None,
    use_index: bool = True,
    debug: Callable[[str], None] | None = None,
) -> tuple[list[str], Scan]:
    """For --incremental: days with history whose daily file is missing, or holds a block
    written from other history (its recorded fingerprint differs), or (with --preserve) has
    no block yet, or cannot be read (the write then says why). Every other file is left
    untouched. A fresh index answers without reading; the scan is returned for reuse."""
    scan = scan_history(
        settings,
        parallel=True,
        use_index=use_index,
        notice=notice,
        debug=debug,
        save_index=use_index,
    )
    memory = list_memory_files(settings.memory_dir)
    days: list[str] = []
    for stats in scan.book.sorted_days():
        if not selection.in_range(stats.date):
            continue
        daily = next((f for f in memory.get(stats.date, []) if f.daily), None)
        if daily is None:
            days.append(stats.date)
            continue
        try:
            block = find_block(decode(daily.path.read_bytes()))
        except OSError:
            days.append(stats.date)
            continue
        if block is None:
            if preserve:
                days.append(stats.date)
        elif block.fingerprint != stats.fingerprint_hex():
            days.append(stats.date)
    return days, scan


def run_backfill(
    settings: AgentSettings,
    selection: DaySelection,
    options: BackfillOptions,
    redact: Redact,
    progress: Progress | None = None,
    composer: Composer | None = None,
    notice: Callable[[str], None] | None = None,
    use_index: bool = True,
    debug: Callable[[str], None] | None = None,
) -> BackfillReport:
    """Read the history once, then write (or plan) every chosen day.

    With `composer` (from `--summarize`), each day's block is written by the LLM backend.
    With `selection.incremental`, only the days `changed_days` finds are rebuilt.
    Without `use_index` (`--no-cache`), the index is neither read nor written.
    """
    memory_dir = settings.memory_dir
    if not options.dry_run:
        state_subdir(settings.app_state_dir, "locks")  # an unwritable one fails before the read
    scanned = None
    if selection.incremental:
        selection.validate()
        days, scan = changed_days(settings, selection, options.preserve, notice, use_index, debug)
        if not days:
            return BackfillReport(dry_run=options.dry_run)
        selection = DaySelection(dates=tuple(days))
        options = dataclasses.replace(options, force=True)
        scanned = scan if use_index else None
    comp = compose(
        settings, selection, options, redact, progress, composer, use_index, debug, scanned, notice
    )
    report = BackfillReport(
        problems=comp.problems,
        dry_run=options.dry_run,
        estimates=comp.estimates,
        requests_sent=comp.sent,
        summary_model=comp.model,
    )
    for day, reason in comp.failures.items():
        report.results.append(
            DayResult(
                day,
                Action.FAILED,
                daily_path(memory_dir, day),
                comp.history[day].messages,
                0,
                note=reason,
            )
        )
    if options.dry_run and composer is not None:
        return report
    dates = [day for day in comp.dates if day in comp.bodies]
    blocks = {
        day: render_block(comp.bodies[day], comp.history[day].fingerprint_hex()) for day in dates
    }
    if options.dry_run:
        for day in dates:
            report.results.append(
                _plan_only(
                    daily_path(memory_dir, day), day, blocks[day], comp.history[day], options
                )
            )
        return report
    backup_root = (
        settings.app_state_dir
        / "backups"
        / hashlib.sha256(str(memory_dir.resolve()).encode()).hexdigest()[:12]
    )
    with folder_lock(settings.app_state_dir, memory_dir, options.lock_wait):
        remove_stale_temps(memory_dir)
        for day in dates:
            path = daily_path(memory_dir, day)
            block = blocks[day]

            def plan_for(text: str | None, block: str = block) -> MergePlan:
                return plan_merge(text, block, force=options.force, preserve=options.preserve)

            messages = comp.history[day].messages
            try:
                outcome = write_merged(path, plan_for, backup_root)
            except (OSError, MemorySyncError) as exc:
                report.results.append(
                    DayResult(day, Action.FAILED, path, messages, 0, note=str(exc))
                )
                continue
            report.results.append(
                DayResult(
                    day, outcome.action, path, messages, outcome.size, outcome.backup, outcome.note
                )
            )
    report.results.sort(key=lambda r: r.date)
    if use_index:
        index.note_written(
            settings.index_path,
            {
                r.date: comp.history[r.date].fingerprint_hex()
                for r in report.results
                if r.action in WROTE
            },
        )
    return report


def _plan_only(
    path: Path, day: str, block: str, stats: DayStats, options: BackfillOptions
) -> DayResult:
    old = decode(path.read_bytes()) if path.exists() else None
    plan = plan_merge(old, block, force=options.force, preserve=options.preserve)
    diff = ""
    if plan.text is not None:
        diff = "".join(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                plan.text.splitlines(keepends=True),
                fromfile=f"{path} (now)",
                tofile=f"{path} (after backfill)",
            )
        )
    note = plan.note
    if plan.needs_backup:
        note = (note + "; " if note else "") + "old file would be backed up"
    size = (
        len(plan.text.encode())
        if plan.text is not None
        else (path.stat().st_size if old is not None else 0)
    )
    return DayResult(day, plan.action, path, stats.messages, size, None, note, diff)
