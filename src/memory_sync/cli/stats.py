"""`memory-sync stats`: coverage, activity and a calendar of memory status."""

from __future__ import annotations

from typing import Any

import click

from memory_sync.cli.common import (
    cache_option,
    common_options,
    json_option,
    print_documents,
    read_history,
    setup,
)


@click.command()
@common_options
@json_option
@click.option(
    "--weeks",
    type=click.IntRange(1, 260),
    default=53,
    show_default=True,
    help="Weeks shown in the calendar.",
)
@click.option(
    "--until",
    metavar="DATE",
    help="End the calendar the day before (default: the last day with history).",
)
@cache_option
def stats(as_json: bool, weeks: int, until: str | None, no_cache: bool, **kw: Any) -> None:
    """Coverage, activity by day, week and model, and a calendar of memory status."""
    from memory_sync.cli import report
    from memory_sync.compare import compare_scan
    from memory_sync.stats import calendar, calendar_days, calendar_end, compute, month_labels
    from memory_sync.timeutil import check_dates

    check_dates(until)

    out, agents = setup(kw)
    documents = []
    for settings in agents:
        result = compare_scan(settings, read_history(out, settings, no_cache))
        end = calendar_end(result, settings.clock().today(), until)
        figures = compute(result)
        if as_json:
            days = calendar_days(result, end, weeks)
            documents.append(report.stats_json(result, figures, days))
            continue
        for line in report.stats_lines(result, figures):
            out.result(line)
        grid = calendar(result, end, weeks)
        out.renderable(report.calendar_text(grid, month_labels(end, weeks)))
    if as_json:
        print_documents(out, documents)
