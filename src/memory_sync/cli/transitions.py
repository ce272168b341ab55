"""`memory-sync transitions`: every change of the answering model."""

from __future__ import annotations

from typing import Any

import click

from memory_sync.cli.common import (
    cache_option,
    common_options,
    json_option,
    print_documents,
    range_options,
    read_history,
    setup,
)


@click.command()
@common_options
@range_options
@json_option
@cache_option
def transitions(
    since: str | None, until: str | None, as_json: bool, no_cache: bool, **kw: Any
) -> None:
    """Every change of the answering model: time, from → to, session and channel."""
    from memory_sync.cli import report
    from memory_sync.timeutil import check_range

    check_range(since, until)
    out, agents = setup(kw)
    documents = []
    for settings in agents:
        scan = read_history(out, settings, no_cache)
        rows = report.transitions_rows(scan.book.transitions(), settings.zone, since, until)
        if as_json:
            documents.append(
                {"agent": settings.agent, "timezone": settings.tz_name, "transitions": rows}
            )
            continue
        for row in rows:
            out.result(report.transition_line(row))
        out.info(f"{len(rows)} transition(s)")
    if as_json:
        print_documents(out, documents)
