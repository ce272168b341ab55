"""`backfill`: read → choose → build → render → write, one module per step.

* `options`: what was asked (DaySelection, the DayRule it becomes, BackfillOptions);
* `read`: one read of the history, with digest notes for the days the rule picks;
* `choose`: the dates to write (or, for --incremental, the days that changed);
* `bodies`: each chosen day's digest built and rendered (or summarized by the LLM);
* `apply`: each block merged into its daily file under the folder lock.
"""

from __future__ import annotations

import dataclasses

from memory_sync.backfill.apply import WROTE, BackfillReport, DayResult, write_days
from memory_sync.backfill.bodies import Bodies, build_bodies, summarize_days
from memory_sync.backfill.choose import changed_days
from memory_sync.backfill.options import BackfillOptions, DayRule, DaySelection
from memory_sync.config import AgentSettings, state_subdir
from memory_sync.history.reporter import SILENT, Reporter
from memory_sync.redact import Redact
from memory_sync.summarize.days import DaySummaries

__all__ = [
    "WROTE",
    "BackfillOptions",
    "BackfillReport",
    "Bodies",
    "DayResult",
    "DayRule",
    "DaySelection",
    "build_bodies",
    "run_backfill",
    "summarize_days",
]


def run_backfill(
    settings: AgentSettings,
    selection: DaySelection,
    *,
    options: BackfillOptions,
    redact: Redact,
    reporter: Reporter = SILENT,
    summaries: DaySummaries | None = None,
    use_index: bool = True,
) -> BackfillReport:
    """Read the history once, then write (or plan) every chosen day.

    With `summaries` (from `--summarize`), each day's block is written by the LLM backend.
    With `selection.incremental`, only the days `changed_days` finds are rebuilt.
    Without `use_index` (`--no-cache`), the index is neither read nor written.
    """
    if not options.dry_run:
        state_subdir(settings.app_state_dir, "locks")  # an unwritable one fails before the read
    scanned = None
    if selection.incremental:
        selection.validate()
        days, scan = changed_days(
            settings, selection, preserve=options.preserve, reporter=reporter, use_index=use_index
        )
        if not days:
            return BackfillReport(dry_run=options.dry_run)
        selection = DaySelection(dates=tuple(days))
        options = dataclasses.replace(options, force=True)
        scanned = scan if use_index else None
    built = build_bodies(
        settings,
        selection,
        options=options,
        redact=redact,
        reporter=reporter,
        summaries=summaries,
        use_index=use_index,
        scanned=scanned,
    )
    return write_days(
        built,
        memory_dir=settings.memory_dir,
        app_state_dir=settings.app_state_dir,
        index_path=settings.index_path if use_index else None,
        options=options,
    )
