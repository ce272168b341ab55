"""`compare`: which days have history, which have memory files, and which are missing or thin."""

from __future__ import annotations

from dataclasses import dataclass, field

from memory_sync.config import AgentSettings
from memory_sync.days import DayStats, Transition
from memory_sync.history.scan import Scan
from memory_sync.memoryfile import MemoryFile, list_memory_files, read_block_fingerprint
from memory_sync.problems import Problems

# A daily file is "sparse" when it holds fewer than this many bytes per conversation message
# (user + assistant) of its day. See docs/compare.md for the reasoning.
SPARSE_BYTES_PER_MESSAGE = 25
NOISE_ONLY = "noise only"


@dataclass
class DayReport:
    """One day: its history statistics, its memory files, and the resulting status."""

    stats: DayStats
    files: list[MemoryFile]
    status: str
    partial: bool
    synced: bool  # the daily file holds memory-sync's block for exactly this history


@dataclass
class CompareReport:
    """Everything `compare` shows, for one agent."""

    agent: str
    timezone: str
    days: list[DayReport]
    orphans: list[MemoryFile]
    problems: Problems
    transitions: list[Transition]
    include_today: bool
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def gaps(self) -> list[DayReport]:
        """Days that are missing or sparse (today only with --include-today)."""
        return [
            d
            for d in self.days
            if d.status in ("missing", "sparse") and (self.include_today or not d.partial)
        ]


def day_status(stats: DayStats, files: list[MemoryFile], block_fp: str | None) -> str:
    """`missing`, `sparse` or `ok` for a day with history (see SPARSE_BYTES_PER_MESSAGE), or
    `noise only` for a day without a daily file whose history is only plumbing (it needs none)."""
    daily = next((f for f in files if f.daily), None)
    if daily is None:
        return NOISE_ONLY if stats.noise_only else "missing"
    if block_fp is not None and block_fp == stats.fingerprint_hex():
        return "ok"
    if daily.size < SPARSE_BYTES_PER_MESSAGE * stats.conversation:
        return "sparse"
    return "ok"


def compare_scan(settings: AgentSettings, scan: Scan, include_today: bool = False) -> CompareReport:
    """Set a scan's days beside the memory folder: statuses, orphans, totals."""
    today = scan.clock.today()
    memory = list_memory_files(settings.memory_dir)
    days: list[DayReport] = []
    for stats in scan.book.sorted_days():
        files = memory.get(stats.date, [])
        daily = next((f for f in files if f.daily), None)
        block_fp = read_block_fingerprint(daily.path) if daily else None
        status = day_status(stats, files, block_fp)
        synced = block_fp is not None and block_fp == stats.fingerprint_hex()
        days.append(DayReport(stats, files, status, stats.date == today, synced))
    history_dates = {d.stats.date for d in days}
    orphans = [f for date, fs in sorted(memory.items()) if date not in history_dates for f in fs]
    report = CompareReport(
        agent=settings.agent,
        timezone=settings.tz_name,
        days=days,
        orphans=orphans,
        problems=scan.problems,
        transitions=scan.book.transitions(),
        include_today=include_today,
    )
    counted = [d for d in days if include_today or not d.partial]
    report.totals = {
        "days": len(days),
        "ok": sum(d.status == "ok" for d in counted),
        "sparse": sum(d.status == "sparse" for d in counted),
        "missing": sum(d.status == "missing" for d in counted),
        "noise_only": sum(d.status == NOISE_ONLY for d in counted),
        "orphans": len(orphans),
        "sessions": len({s for d in days for s in d.stats.sessions}),
        "user": sum(d.stats.user for d in days),
        "assistant": sum(d.stats.assistant for d in days),
        "tool": sum(d.stats.tool for d in days),
        "noise": sum(sum(d.stats.noise.values()) for d in days),
    }
    return report
