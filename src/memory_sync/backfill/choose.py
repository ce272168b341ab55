"""Choose the days to write: by the rule, among the days with history; or, for
--incremental, the days whose history changed since their block was written."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from memory_sync.backfill.options import DayRule, DaySelection
from memory_sync.config import AgentSettings
from memory_sync.days import DayStats
from memory_sync.history.reporter import Reporter
from memory_sync.history.scan import Scan, scan_history
from memory_sync.memoryfile import decode, find_block, list_memory_files


def days_with_file(memory_dir: Path) -> set[str]:
    """The dates that have a daily file (`YYYY-MM-DD.md`) in the memory folder."""
    return {d for d, files in list_memory_files(memory_dir).items() if any(f.daily for f in files)}


def gets_no_file(day: str, rule: DayRule, history: dict[str, DayStats]) -> bool:
    """A noise-only day gets no file, unless its file exists and a forgotten session is why
    the day has nothing left: then the file is rewritten, so nothing memory-sync wrote about
    that session remains."""
    stats = history[day]
    return stats.noise_only and not (day in rule.existing and stats.noise.get("forgotten"))


def choose_days(rule: DayRule, history: dict[str, DayStats]) -> list[str]:
    """The dates to write, in order."""
    return sorted(d for d in history if rule(d) and not gets_no_file(d, rule, history))


def noise_only_asked(rule: DayRule, history: dict[str, DayStats]) -> list[str]:
    """The dates asked for by name that get no file: said, not written."""
    return sorted(
        d for d in rule.explicit if d in history and rule(d) and gets_no_file(d, rule, history)
    )


def without_history(selection: DaySelection, history: dict[str, DayStats]) -> list[str]:
    """The dates asked for by name that have no history: each is reported on its own line,
    and the other dates are still written."""
    return sorted(d for d in selection.dates if d not in history and selection.in_range(d))


def no_history_note(settings: AgentSettings) -> str:
    """Why a date asked for has nothing to write, and how to find the right one."""
    return (
        f"no history in {settings.origins.get('sessions', 'the sources')}: check the date, "
        "--tz and --agent (`memory-sync compare` lists the days with history)"
    )


def changed_days(
    settings: AgentSettings,
    selection: DaySelection,
    *,
    preserve: bool,
    reporter: Reporter,
    use_index: bool = True,
) -> tuple[list[str], Scan]:
    """For --incremental: days with history whose daily file is missing, or holds a block
    written from other history (its recorded fingerprint differs), or (with --preserve) has
    no block yet, or cannot be read (the write then says why). Every other file is left
    untouched. A fresh index answers without reading; the scan is returned for reuse."""
    quiet = dataclasses.replace(reporter, progress=None)  # answered by the index, mostly
    scan = scan_history(
        settings, reporter=quiet, parallel=True, use_index=use_index, save_index=use_index
    )
    memory = list_memory_files(settings.memory_dir)
    days: list[str] = []
    for stats in scan.book.sorted_days():
        if not selection.in_range(stats.date):
            continue
        daily = next((f for f in memory.get(stats.date, []) if f.daily), None)
        if daily is None:
            if not stats.noise_only:
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
