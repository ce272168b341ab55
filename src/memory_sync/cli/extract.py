"""`memory-sync extract`: the matching messages in time order."""

from __future__ import annotations

from typing import Any

import click

from memory_sync.cli.common import (
    common_options,
    print_documents,
    range_options,
    setup,
)
from memory_sync.errors import MemorySyncError


@click.command()
@common_options
@click.option("--date", "day", metavar="DATE", help="One day.")
@range_options
@click.option("--query", help="Only messages containing this text (any case).")
@click.option("--model", help="Only replies from models whose name contains this.")
@click.option("--role", type=click.Choice(["user", "assistant", "tool"]), help="Only this role.")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "json", "text"]), default="md", show_default=True
)
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
    from datetime import timedelta

    from memory_sync.cli import report
    from memory_sync.extract import Filters
    from memory_sync.extract import extract as run_extract
    from memory_sync.timeutil import check_range, parse_date

    if day and (since or until):
        raise MemorySyncError("give --date or --since/--until, not both")
    if day:
        since = parse_date(day).isoformat()
        until = (date_type.fromisoformat(since) + timedelta(days=1)).isoformat()
    check_range(since, until)
    out, agents = setup(kw)
    filters = Filters(since, until, query, model, role)
    documents = []
    for settings in agents:
        with out.progress("reading history", settings.sources.total_bytes) as advance:
            rows, problems = run_extract(settings, filters, reporter=out.reporter(advance))
        if problems:
            out.warn(problems.summary_line())
        if fmt == "json":
            messages = [report.message_json(m, settings.zone) for m in rows]
            documents.append(
                {"agent": settings.agent, "timezone": settings.tz_name, "messages": messages}
            )
            continue
        for line in report.message_lines(rows, settings.zone, fmt):
            out.result(line)
    if fmt == "json":
        print_documents(out, documents)
