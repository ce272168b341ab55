"""`stats`: coverage of the memory folder, activity by day, week and model, and a calendar."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from memory_sync.compare import CompareReport

CELL = {"ok": "#", "sparse": "+", "missing": "x", "noise only": "-", "none": "·", "future": " "}
CELL_STYLE = {
    "ok": "green",
    "sparse": "yellow",
    "missing": "red",
    "noise only": "dim",
    "none": "dim",
    "future": "",
}


@dataclass(frozen=True)
class Stats:
    """Figures derived from a compare report."""

    days_with_history: int
    ok: int
    sparse: int
    missing: int
    noise_only: int
    orphans: int
    messages: int
    per_week: dict[str, int]
    models: dict[str, int]
    busiest: list[tuple[str, int]]
    compactions: int
    first: str | None
    last: str | None
    active_days: int = 0  # days with at least one message (the daily average is over these)


def compute(report: CompareReport) -> Stats:
    """Stats of one agent from its compare report (the same single read of the history)."""
    per_week: Counter[str] = Counter()
    models: Counter[str] = Counter()
    for day in report.days:
        year, week, _ = date.fromisoformat(day.stats.date).isocalendar()
        per_week[f"{year}-W{week:02d}"] += day.stats.messages
        models.update(day.stats.models)
    busiest = sorted(
        ((d.stats.date, d.stats.messages) for d in report.days if d.stats.messages),
        key=lambda x: (-x[1], x[0]),
    )[:5]
    t = report.totals
    return Stats(
        days_with_history=t["days"],
        ok=t["ok"],
        sparse=t["sparse"],
        missing=t["missing"],
        noise_only=t.get("noise_only", 0),
        orphans=t["orphans"],
        messages=sum(d.stats.messages for d in report.days),
        per_week=dict(sorted(per_week.items())),
        models=dict(models.most_common()),
        busiest=busiest,
        compactions=sum(len(d.stats.compactions) for d in report.days),
        active_days=sum(1 for d in report.days if d.stats.messages),
        first=report.days[0].stats.date if report.days else None,
        last=report.days[-1].stats.date if report.days else None,
    )


def _first_monday(end: date, weeks: int) -> date:
    """The Monday that starts a calendar of `weeks` weeks ending with the week of `end`."""
    return end - timedelta(days=end.weekday()) - timedelta(weeks=weeks - 1)


def calendar_end(report: CompareReport, today: str, until: str | None) -> str:
    """The last day the calendar shows: `--until`'s day before, else the last day with
    history (a history that stopped months ago still fills its calendar), else today."""
    if until:
        return (date.fromisoformat(until) - timedelta(days=1)).isoformat()
    return min(report.days[-1].stats.date, today) if report.days else today


def calendar_days(report: CompareReport, end: str, weeks: int = 53) -> list[dict[str, object]]:
    """The calendar as data, one entry per date: date, status, messages."""
    status = {d.stats.date: (d.status, d.stats.messages) for d in report.days}
    start = _first_monday(date.fromisoformat(end), weeks)
    out: list[dict[str, object]] = []
    day = start
    while day <= date.fromisoformat(end):
        kind, messages = status.get(day.isoformat(), ("none", 0))
        out.append({"date": day.isoformat(), "status": kind, "messages": messages})
        day += timedelta(days=1)
    return out


def calendar(report: CompareReport, today: str, weeks: int = 53) -> list[list[tuple[str, str]]]:
    """A GitHub-style grid: 7 rows (Monday first) of (cell character, status) per week, ending
    with the week of `today` (the calendar's end). Status: ok, sparse, missing, noise only,
    none (no history) or future."""
    status = {d.stats.date: d.status for d in report.days}
    end = date.fromisoformat(today)
    start = _first_monday(end, weeks)
    rows: list[list[tuple[str, str]]] = [[] for _ in range(7)]
    day = start
    while day <= end + timedelta(days=6 - end.weekday()):
        key = day.isoformat()
        kind = "future" if day > end else status.get(key, "none")
        rows[day.weekday()].append((CELL[kind], kind))
        day += timedelta(days=1)
    return rows


def month_labels(today: str, weeks: int = 53) -> str:
    """The header line over the calendar: a month's abbreviation where it starts."""
    start = _first_monday(date.fromisoformat(today), weeks)
    line = [" "] * (weeks + 3)
    for i in range(weeks):
        monday = start + timedelta(weeks=i)
        if monday.day <= 7:
            label = monday.strftime("%b")
            if all(c == " " for c in line[i : i + 3]):
                line[i : i + 3] = list(label)
    return "".join(line).rstrip()
