"""`memory-sync extract`: the matching messages in time order."""

from __future__ import annotations

from typing import Any

import click

from memory_sync.commands.common import (
    common_options,
    handle_errors,
    print_documents,
    setup,
)
from memory_sync.errors import MemorySyncError


@click.command()
@common_options
@click.option("--date", "day", metavar="DATE", help="One day.")
@click.option("--since", metavar="DATE", help="From this date on.")
@click.option("--until", metavar="DATE", help="Up to this date (exclusive).")
@click.option("--query", help="Only messages containing this text (any case).")
@click.option("--model", help="Only replies from models whose name contains this.")
@click.option("--role", type=click.Choice(["user", "assistant", "tool"]), help="Only this role.")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "json", "text"]), default="md", show_default=True
)
@handle_errors
def extract(
    day: str | None,
    since: str | None,
    until: str | None,
    query: str | None,
    model: str | None,
    role: str | None,
    fmt: str,
    **kw: Any,
) -> None:
    """The matching messages, de-noised and redacted, in time order."""
    from datetime import date as date_type
    from datetime import datetime, timedelta

    from memory_sync.messages import Filters
    from memory_sync.messages import extract as run_extract
    from memory_sync.timeutil import parse_date

    if day and (since or until):
        raise MemorySyncError("give --date or --since/--until, not both")
    if day:
        since = parse_date(day).isoformat()
        until = (date_type.fromisoformat(since) + timedelta(days=1)).isoformat()
    for value in (since, until):
        if value:
            parse_date(value)
    out, agents = setup(kw)
    filters = Filters(since, until, query, model, role)
    documents = []
    for settings in agents:
        with out.progress("reading history", settings.sources.total_bytes) as advance:
            rows, problems = run_extract(settings, filters, advance)
        if problems:
            out.warn(problems.summary_line())
        current = None
        items = []
        for m in rows:
            clock = datetime.fromtimestamp(m.ms / 1000, settings.zone).strftime("%H:%M:%S")
            where = f"{m.session_key or 'session'} {m.session_id[:8]}"
            who = m.role + (f" ({m.model})" if m.model else "")
            if fmt == "json":
                items.append(
                    {
                        "date": m.day,
                        "time": clock,
                        "role": m.role,
                        "model": m.model,
                        "session_key": m.session_key,
                        "session_id": m.session_id,
                        "text": m.text,
                    }
                )
            elif fmt == "text":
                out.result(f"{m.day} {clock} {who} [{where}]: {' '.join(m.text.split())}")
            else:
                if m.day != current:
                    out.result(f"\n## {m.day}\n")
                    current = m.day
                body = m.text.replace("\n", "\n  ")  # continuation lines stay in the item
                out.result(f"- **{clock} {who}** ({where}): {body}")
        if fmt == "json":
            documents.append(
                {"agent": settings.agent, "timezone": settings.tz_name, "messages": items}
            )
    if fmt == "json":
        print_documents(out, documents)
