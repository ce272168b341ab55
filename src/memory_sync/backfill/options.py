"""What a backfill run was asked for: which days (DaySelection, DayRule) and how to write."""

from __future__ import annotations

from dataclasses import dataclass

from memory_sync.errors import MemorySyncError
from memory_sync.timeutil import check_dates, check_range


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
        return DayRule(selection=self, explicit=explicit, existing=frozenset(existing), force=force)

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
        check_range(self.since, self.until)
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
