"""`memory-sync compare`: which days have history and which memory files are missing."""

from __future__ import annotations

import sys
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
from memory_sync.errors import EXIT_FINDINGS


@click.command()
@common_options
@json_option
@click.option("--check", is_flag=True, help="Exit 3 when days are missing or sparse.")
@click.option("--include-today", is_flag=True, help="Count today (partial) in the gaps.")
@cache_option
def compare(as_json: bool, check: bool, include_today: bool, no_cache: bool, **kw: Any) -> None:
    """Show which days have history and which memory files are missing or sparse."""
    from memory_sync.cli import report
    from memory_sync.compare import compare_scan

    out, agents = setup(kw)
    documents = []
    gaps = 0
    for settings in agents:
        result = compare_scan(settings, read_history(out, settings, no_cache), include_today)
        gaps += len(result.gaps)
        if as_json:
            documents.append(report.compare_json(result, settings.zone))
        else:
            out.table(report.compare_table(result, out.redact))
            out.result(report.compare_totals(result))
    if as_json:
        print_documents(out, documents)
    if check and gaps:
        sys.exit(EXIT_FINDINGS)
