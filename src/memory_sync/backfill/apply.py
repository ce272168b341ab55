"""Write the rendered blocks: merge each into its daily file under the folder lock (or, with
--dry-run, say what would happen), and remember what each file was written from."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from memory_sync.backfill.bodies import Bodies
from memory_sync.backfill.options import BackfillOptions
from memory_sync.days import DayStats
from memory_sync.errors import MemorySyncError
from memory_sync.history import index
from memory_sync.memoryfile import Action, MergePlan, daily_path, decode, plan_merge, render_block
from memory_sync.problems import Problems
from memory_sync.summarize import Usage
from memory_sync.summarize.run import Estimate
from memory_sync.write import folder_lock, remove_stale_temps, write_merged

WROTE = (Action.CREATED, Action.UPDATED, Action.REPLACED, Action.PRESERVED)


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
    summary_model: str | None = None
    usage: Usage | None = None  # what --summarize cost
    left_alone: int = 0  # --all without --force: days whose daily file exists

    @property
    def requests_sent(self) -> int:
        """Requests --summarize sent to the model (answers from the cache not counted)."""
        return self.usage.requests if self.usage is not None else 0

    @property
    def failed(self) -> list[DayResult]:
        """Days that could not be written."""
        return [r for r in self.results if r.action is Action.FAILED]


def backup_folder(app_state_dir: Path, memory_dir: Path) -> Path:
    """Where replaced files of `memory_dir` are backed up: one folder per memory folder."""
    name = hashlib.sha256(str(memory_dir.resolve()).encode()).hexdigest()[:12]
    return app_state_dir / "backups" / name


def write_days(
    built: Bodies,
    *,
    memory_dir: Path,
    app_state_dir: Path,
    index_path: Path | None,
    options: BackfillOptions,
) -> BackfillReport:
    """Merge every built day's block into its daily file (or plan it, with --dry-run), and
    note in the index at `index_path` (None: no index) what each file was written from."""
    report = BackfillReport(
        problems=built.problems,
        dry_run=options.dry_run,
        estimates=built.estimates,
        summary_model=built.model,
        usage=built.usage,
        left_alone=built.left_alone,
    )
    for day, reason in built.failures.items():
        report.results.append(
            DayResult(
                day,
                Action.FAILED,
                daily_path(memory_dir, day),
                built.history[day].messages,
                0,
                note=reason,
            )
        )
    dates = [day for day in built.dates if day in built.bodies]
    blocks = {
        day: render_block(built.bodies[day], built.history[day].fingerprint_hex()) for day in dates
    }
    for day in built.no_history:
        report.results.append(
            DayResult(
                day,
                Action.FAILED,
                daily_path(memory_dir, day),
                0,
                0,
                note=built.no_history_note,
            )
        )
    for day in built.noise_only:
        report.results.append(
            DayResult(
                day,
                Action.SKIPPED,
                daily_path(memory_dir, day),
                built.history[day].messages,
                0,
                note="noise only (heartbeats, pings, acks): no file",
            )
        )
    if options.dry_run:
        for day in dates:
            path = daily_path(memory_dir, day)
            report.results.append(_plan_only(path, day, blocks[day], built.history[day], options))
        report.results.sort(key=lambda r: r.date)
        return report
    backup_root = backup_folder(app_state_dir, memory_dir)
    with folder_lock(app_state_dir, memory_dir, options.lock_wait):
        remove_stale_temps(memory_dir)
        for day in dates:
            path = daily_path(memory_dir, day)
            block = blocks[day]

            def plan_for(text: str | None, block: str = block) -> MergePlan:
                return plan_merge(text, block, force=options.force, preserve=options.preserve)

            messages = built.history[day].messages
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
    if index_path is not None:
        index.note_written(
            index_path,
            {
                r.date: built.history[r.date].fingerprint_hex()
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
