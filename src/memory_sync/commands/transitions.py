"""`memory-sync transitions`: every change of the answering model."""

from __future__ import annotations

from typing import Any

import click

from memory_sync.commands.common import (
    cache_option,
    common_options,
    handle_errors,
    print_documents,
    read_history,
    setup,
)


@click.command()
@common_options
@click.option("--since", metavar="DATE", help="From this date on.")
@click.option("--until", metavar="DATE", help="Up to this date (exclusive).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@cache_option
@handle_errors
def transitions(
    since: str | None, until: str | None, as_json: bool, no_cache: bool, **kw: Any
) -> None:
    """Every change of the answering model: time, from → to, session and channel."""
    from memory_sync import report
    from memory_sync.timeutil import parse_date

    for value in (since, until):
        if value:
            parse_date(value)
    out, agents = setup(kw)
    documents = []
    for settings in agents:
        scan = read_history(out, settings, no_cache)
        rows = [
            r
            for r in report.transitions_rows(scan.book.transitions(), settings.zone)
            if (not since or r["date"] >= since) and (not until or r["date"] < until)
        ]
        if as_json:
            documents.append(
                {"agent": settings.agent, "timezone": settings.tz_name, "transitions": rows}
            )
            continue
        for r in rows:
            out.result(
                f"{r['date']} {r['time']}  {r['from']} → {r['to']}  "
                f"{r['session_key'] or '-'} {r['session_id'][:8]} ({r['channel'] or '-'})"
            )
        out.info(f"{len(rows)} transition(s)")
    if as_json:
        print_documents(out, documents)
