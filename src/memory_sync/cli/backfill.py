"""`memory-sync backfill`: write complete daily memory files from the history."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from memory_sync.backfill import BackfillReport
    from memory_sync.cli.output import Output

from memory_sync.cli.common import (
    cache_option,
    common_options,
    json_option,
    make_summaries,
    print_documents,
    range_options,
    setup,
    summary_options,
    take_summary_options,
)


@click.command()
@common_options
@click.argument("dates", nargs=-1)
@click.option("--all", "all_days", is_flag=True, help="Every day with history and no daily file.")
@click.option("--today", is_flag=True, help="Today (a partial day).")
@range_options
@click.option(
    "--incremental",
    is_flag=True,
    help="Only days whose history changed since their block was written, and missing days.",
)
@click.option("--force", is_flag=True, help="Also rewrite days whose file exists.")
@click.option("--preserve", is_flag=True, help="With --force: keep a file's own content, add ours.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.option(
    "--summarize", is_flag=True, help="Write a narrative with an LLM ([summarize] extra)."
)
@click.option("--batch", is_flag=True, help="With --summarize: Message Batches, half price.")
@summary_options
@json_option
@cache_option
def backfill(
    dates: tuple[str, ...],
    all_days: bool,
    today: bool,
    since: str | None,
    until: str | None,
    incremental: bool,
    force: bool,
    preserve: bool,
    dry_run: bool,
    summarize: bool,
    batch: bool,
    as_json: bool,
    no_cache: bool,
    **kw: Any,
) -> None:
    """Write complete daily memory files from the history (DATE... or --all)."""
    from memory_sync.backfill import BackfillOptions, DaySelection, run_backfill
    from memory_sync.cli import report
    from memory_sync.errors import EXIT_PARTIAL

    if batch and not summarize:
        raise click.UsageError("--batch goes with --summarize")
    summary_kw = take_summary_options(kw)
    out, agents = setup(kw)
    selection = DaySelection(tuple(dates), all_days, today, since, until, incremental)
    selection.validate()
    options = BackfillOptions(
        force=force,
        preserve=preserve,
        dry_run=dry_run,
        lock_wait=agents[0].tuning.lock_wait,
    )
    documents = []
    failed = 0
    for settings in agents:
        summaries = (
            make_summaries(out, settings, dict(summary_kw), dry_run=dry_run, batch=batch)
            if summarize
            else None
        )
        with out.progress("reading history", settings.sources.total_bytes) as advance:
            result = run_backfill(
                settings,
                selection,
                options=options,
                redact=out.redact,
                reporter=out.reporter(advance),
                summaries=summaries,
                use_index=not no_cache,
            )
        failed += len(result.failed)
        if result.problems:
            out.warn(result.problems.summary_line())
        if as_json:
            documents.append(report.backfill_json(result))
            continue
        _say(out, result, dry_run=dry_run, incremental=incremental, summarize=summarize)
    if as_json:
        print_documents(out, documents)
    if failed:
        sys.exit(EXIT_PARTIAL)


def _say(
    out: Output, result: BackfillReport, *, dry_run: bool, incremental: bool, summarize: bool
) -> None:
    """What one agent's backfill did, for a person: estimates, diffs, the table, notes."""
    from memory_sync.cli import report
    from memory_sync.summarize import Usage

    if result.estimates:
        out.renderable(report.estimates_table(result))
        out.result(report.estimates_total(result))
    if dry_run and out.verbose:
        for item in result.results:
            if item.diff:
                out.result(item.diff)
    if result.results:
        out.renderable(report.backfill_table(result, out.redact))
    elif not result.estimates:
        out.info(
            "nothing to do: no day changed since it was written"
            if incremental
            else "nothing to do: every chosen day already has a memory file (--force rewrites)"
        )
    if result.left_alone and (result.results or result.estimates):
        out.info(
            f"{result.left_alone} day(s) already have a file, left alone; "
            "--force --preserve completes them"
        )
    if summarize and not dry_run:
        usage = result.usage or Usage()
        out.info(usage.line(result.summary_model or "the model"))
    for item in result.failed:
        out.warn(f"failed: {item.date}: {item.note}")
