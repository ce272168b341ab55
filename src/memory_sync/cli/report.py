"""Turn core results into tables and JSON documents (no I/O: the Output prints them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from memory_sync.cli.grid import Column, Table
from memory_sync.timeutil import local_time

if TYPE_CHECKING:  # imported for types only: `compare` should not load backfill and rich tables
    from rich.table import Table as RichTable

    from memory_sync.backfill import BackfillReport
    from memory_sync.compare import CompareReport, DayReport
    from memory_sync.days import Transition
    from memory_sync.extract import Message
    from memory_sync.redact import Redact
    from memory_sync.stats import Stats

STATUS_STYLE = {
    "ok": "green",
    "sparse": "yellow",
    "missing": "red",
    "orphan": "magenta",
    "noise only": "dim",
}


def day_json(day: DayReport) -> dict[str, Any]:
    """One day of `compare --json`."""
    s = day.stats
    return {
        "date": s.date,
        "status": day.status,
        "partial": day.partial,
        "sessions": len(s.sessions),
        "session_ids": sorted(s.sessions),
        "messages": {"user": s.user, "assistant": s.assistant, "tool": s.tool},
        "tool_calls": s.tool_calls,
        "errors": s.errors,
        "noise": sum(s.noise.values()),
        "noise_by_kind": dict(sorted(s.noise.items())),
        "models": sorted(s.models),
        "compactions": len(s.compactions),
        "resets": s.resets,
        "fingerprint": s.fingerprint_hex(),
        "synced": day.synced,
        "memory_files": [
            {"path": str(f.path), "bytes": f.size, "daily": f.daily} for f in day.files
        ],
    }


def transition_json(t: Transition, zone: Any) -> dict[str, Any]:
    """One model transition for JSON output."""
    return {
        "date": t.day,
        "time": local_time(t.ms, zone, seconds=True),
        "timestamp": datetime.fromtimestamp(t.ms / 1000, zone).isoformat(timespec="milliseconds"),
        "session_key": t.session_key,
        "session_id": t.session_id,
        "from": t.old,
        "to": t.new,
    }


def compare_json(report: CompareReport, zone: Any) -> dict[str, Any]:
    """The documented `compare --json` document for one agent."""
    return {
        "agent": report.agent,
        "timezone": report.timezone,
        "days": [day_json(d) for d in report.days],
        "orphans": [{"date": f.date, "path": str(f.path), "bytes": f.size} for f in report.orphans],
        "problems": report.problems.as_json(),
        "transitions": [transition_json(t, zone) for t in report.transitions],
        "totals": report.totals,
        "gaps": [d.stats.date for d in report.gaps],
    }


def compare_table(report: CompareReport, redact: Redact) -> Table:
    """The `compare` table: one row per day with history, then orphans (cells redacted)."""
    columns = [
        Column("date"),
        Column("status"),
        Column("sess", right=True),
        Column("user", right=True),
        Column("asst", right=True),
        Column("tool", right=True),
        Column("noise", right=True),
        Column("models"),
        Column("memory files"),
    ]
    rows: list[list[str]] = []
    styles: list[dict[int, str]] = []
    for day in report.days:
        s = day.stats
        status = day.status + (" (today, partial)" if day.partial else "")
        if day.synced:
            status += " ✓"
        files = ", ".join(f"{f.path.name} ({f.size} B)" for f in day.files) or "-"
        rows.append(
            [
                s.date,
                status,
                str(len(s.sessions)),
                str(s.user),
                str(s.assistant),
                str(s.tool),
                str(sum(s.noise.values())),
                redact(", ".join(sorted(s.models)) or "-"),
                redact(files),
            ]
        )
        styles.append({1: STATUS_STYLE[day.status]})
    for orphan in report.orphans:
        rows.append(
            [
                orphan.date,
                "orphan",
                "0",
                "0",
                "0",
                "0",
                "0",
                "-",
                redact(f"{orphan.path.name} ({orphan.size} B)"),
            ]
        )
        styles.append({1: STATUS_STYLE["orphan"]})
    order = sorted(range(len(rows)), key=lambda i: rows[i][0])  # orphans among their dates
    rows, styles = [rows[i] for i in order], [styles[i] for i in order]
    return Table(redact(f"agent {report.agent} · {report.timezone}"), columns, rows, styles)


def compare_totals(report: CompareReport) -> str:
    """The totals line under the table."""
    t = report.totals
    today = "" if report.include_today else " (today left out)"
    return (
        f"{t['days']} days with history{today}: {t['ok']} ok, {t['sparse']} sparse, "
        f"{t['missing']} missing"
        + (f", {t['noise_only']} noise only" if t.get("noise_only") else "")
        + f"; {t['orphans']} orphan file(s); {t['sessions']} sessions, "
        f"{t['user']} user / {t['assistant']} assistant / {t['tool']} tool messages, "
        f"{t['noise']} noise"
    )


ACTION_STYLE = {
    "created": "green",
    "updated": "green",
    "preserved": "cyan",
    "replaced": "yellow",
    "skipped": "dim",
    "unchanged": "dim",
    "failed": "red",
}


def backfill_json(report: BackfillReport) -> dict[str, Any]:
    """The documented `backfill --json` document."""
    return {
        "dry_run": report.dry_run,
        "summary_model": report.summary_model,
        "requests_sent": report.requests_sent,
        "left_alone": report.left_alone,
        "summary_usage": None
        if report.usage is None
        else {
            "requests": report.usage.requests,
            "cache_hits": report.usage.cache_hits,
            "input_tokens": report.usage.input_tokens,
            "output_tokens": report.usage.output_tokens,
            "estimated_cost_usd": report.usage.cost_usd,
        },
        "estimates": [
            {
                "date": e.date,
                "requests": e.requests,
                "input_tokens": e.input_tokens,
                "cached": e.cached,
                "cost_usd": e.cost_usd,
            }
            for e in report.estimates
        ],
        "results": [
            {
                "date": r.date,
                "action": r.action.value,
                "path": str(r.path),
                "messages": r.messages,
                "bytes": r.size,
                "backup": str(r.backup) if r.backup else None,
                "note": r.note,
            }
            for r in report.results
        ],
        "problems": report.problems.as_json(),
    }


def backfill_table(report: BackfillReport, redact: Redact) -> RichTable:
    """The final table: date, action, messages, bytes, and a note (backup path, reason)."""
    title = "backfill (dry run: nothing written)" if report.dry_run else "backfill"
    from rich.table import Table as RichTable

    table = RichTable(title=title, title_justify="left")
    table.add_column("date")
    table.add_column("action")
    table.add_column("messages", justify="right")
    table.add_column("bytes", justify="right")
    table.add_column("note")
    for r in report.results:
        action = r.action.value + (" (exists)" if r.note == "exists" else "")
        note = "" if r.note == "exists" else r.note
        if r.backup:
            note = (note + "; " if note else "") + f"backup: {r.backup}"
        table.add_row(
            r.date,
            f"[{ACTION_STYLE[r.action.value]}]{action}[/]",
            str(r.messages),
            str(r.size),
            redact(note),
        )
    return table


def estimates_table(report: BackfillReport) -> RichTable:
    """`--dry-run --summarize`: requests, input tokens and cost per day, nothing sent."""
    from rich.table import Table as RichTable

    table = RichTable(
        title=f"summaries with {report.summary_model} (dry run: nothing sent)", title_justify="left"
    )
    for name in ("date", "requests", "input tokens", "cached", "est. cost"):
        table.add_column(name, justify="left" if name == "date" else "right")
    for e in report.estimates:
        cost = "unknown" if e.cost_usd is None else f"${e.cost_usd:.4f}"
        table.add_row(
            e.date, str(e.requests), str(e.input_tokens), "yes" if e.cached else "no", cost
        )
    return table


def estimates_total(report: BackfillReport) -> str:
    """The totals line under the estimates table."""
    todo = [e for e in report.estimates if not e.cached]
    tokens = sum(e.input_tokens for e in todo)
    known = [e.cost_usd for e in todo if e.cost_usd is not None]
    cost = f"${sum(known):.2f}" if len(known) == len(todo) else "unknown (no price for this model)"
    return (
        f"{len(todo)} day(s) to summarize, {len(report.estimates) - len(todo)} cached; "
        f"about {tokens} input tokens, estimated cost {cost}"
    )


def stats_json(
    report: CompareReport, stats: Stats, calendar: list[dict[str, Any]]
) -> dict[str, Any]:
    """`stats --json` for one agent."""
    return {
        "agent": report.agent,
        "timezone": report.timezone,
        "coverage": {
            "days_with_history": stats.days_with_history,
            "ok": stats.ok,
            "sparse": stats.sparse,
            "missing": stats.missing,
            "noise_only": stats.noise_only,
            "orphans": stats.orphans,
        },
        "first_day": stats.first,
        "last_day": stats.last,
        "messages": stats.messages,
        "messages_per_day": {d.stats.date: d.stats.messages for d in report.days},
        "messages_per_week": stats.per_week,
        "models": stats.models,
        "busiest_days": [{"date": d, "messages": n} for d, n in stats.busiest],
        "compactions": stats.compactions,
        "calendar": calendar,
    }


def stats_lines(report: CompareReport, stats: Stats) -> list[str]:
    """The figures of `stats` as text lines."""
    total = sum(stats.models.values()) or 1
    share = ", ".join(f"{m} {n * 100 / total:.0f}%" for m, n in stats.models.items()) or "-"
    busiest = ", ".join(f"{d} ({n})" for d, n in stats.busiest) or "-"
    weeks = list(stats.per_week.items())[-8:]
    return [
        f"agent {report.agent} · {report.timezone} · {stats.first or '-'} to {stats.last or '-'}",
        f"coverage: {stats.days_with_history} days with history: {stats.ok} ok, {stats.sparse} "
        f"sparse, {stats.missing} missing"
        + (f", {stats.noise_only} noise only" if stats.noise_only else "")
        + f"; {stats.orphans} orphan file(s)",
        f"messages: {stats.messages} ({stats.messages / max(1, stats.active_days):.1f} a day "
        f"with messages)"
        f"; compactions: {stats.compactions}",
        f"models (share of replies): {share}",
        f"busiest days: {busiest}",
        "last weeks: " + (", ".join(f"{w} {n}" for w, n in weeks) or "-"),
    ]


def calendar_text(grid: list[list[tuple[str, str]]], header: str) -> Any:
    """The calendar heatmap as rich Text (characters carry the meaning without colour)."""
    from rich.text import Text

    from memory_sync.stats import CELL, CELL_STYLE

    text = Text("    " + header + "\n")
    for name, row in zip(("Mon", "", "Wed", "", "Fri", "", "Sun"), grid, strict=True):
        text.append(f"{name:<4}")
        for char, kind in row:
            text.append(char, style=CELL_STYLE[kind] or None)
        text.append("\n")
    present = {kind for row in grid for _, kind in row}
    kinds = [
        "ok",
        "sparse",
        "missing",
        *(["noise only"] if "noise only" in present else []),
        "none",
    ]
    legend = "  ".join(f"{CELL[k]} {k if k != 'none' else 'no history'}" for k in kinds)
    text.append("    " + legend)
    return text


def transitions_rows(
    transitions: list[Transition], zone: Any, since: str | None = None, until: str | None = None
) -> list[dict[str, Any]]:
    """Transitions on dates in [since, until) for output, with the channel taken from the
    session key (`agent:main:telegram:...` -> telegram)."""
    rows = []
    for t in transitions:
        if (since and t.day < since) or (until and t.day >= until):
            continue
        row = transition_json(t, zone)
        parts = (t.session_key or "").split(":")
        row["channel"] = parts[2] if len(parts) >= 3 else None
        rows.append(row)
    return rows


def transition_line(row: dict[str, Any]) -> str:
    """One row of `transitions_rows` as a text line."""
    return (
        f"{row['date']} {row['time']}  {row['from']} → {row['to']}  "
        f"{row['session_key'] or 'no session key'} {row['session_id'][:8]}"
        + (f" ({row['channel']})" if row["channel"] else "")
    )


def message_json(m: Message, zone: Any) -> dict[str, Any]:
    """One message of `extract --format json`."""
    return {
        "date": m.day,
        "time": local_time(m.ms, zone, seconds=True),
        "role": m.role,
        "model": m.model,
        "session_key": m.session_key,
        "session_id": m.session_id,
        "text": m.text,
    }


def message_lines(messages: Iterable[Message], zone: Any, fmt: str) -> Iterator[str]:
    """`extract` as text: `md` (a heading per day, an item per message) or `text` (a line per
    message, its text on one line)."""
    current = None
    for m in messages:
        clock = local_time(m.ms, zone, seconds=True)
        where = f"{m.session_key or 'session'} {m.session_id[:8]}"
        who = m.role + (f" ({m.model})" if m.model else "")
        if fmt == "text":
            yield f"{m.day} {clock} {who} [{where}]: {' '.join(m.text.split())}"
            continue
        if m.day != current:
            yield f"\n## {m.day}\n"
            current = m.day
        body = m.text.replace("\n", "\n  ")  # continuation lines stay in the item
        yield f"- **{clock} {who}** ({where}): {body}"
