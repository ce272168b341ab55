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
@cache_option
def stats(as_json: bool, weeks: int, no_cache: bool, **kw: Any) -> None:
    """Coverage, activity by day, week and model, and a calendar of memory status."""
    from memory_sync.cli import report
    from memory_sync.compare import compare_scan
    from memory_sync.stats import calendar, compute, month_labels

    out, agents = setup(kw)
    documents = []
    for settings in agents:
        result = compare_scan(settings, read_history(out, settings, no_cache))
        today = settings.clock().today()
        figures = compute(result)
        grid = calendar(result, today, weeks)
        if as_json:
            documents.append(report.stats_json(result, figures, grid))
            continue
        for line in report.stats_lines(result, figures):
            out.result(line)
        out.renderable(report.calendar_text(grid, month_labels(today, weeks)))
    if as_json:
        print_documents(out, documents)
