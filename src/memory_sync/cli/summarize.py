"""`memory-sync summarize`: print one day's LLM summary without writing files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from memory_sync.cli.common import (
    common_options,
    make_summaries,
    setup,
    summary_options,
    take_summary_options,
)
from memory_sync.errors import MemorySyncError


@click.command()
@common_options
@click.option("--date", "date", required=True, metavar="DATE", help="The day to summarize.")
@click.option("--output", type=click.Path(path_type=Path), help="Write to FILE, not stdout.")
@summary_options
def summarize(date: str, output: Path | None, **kw: Any) -> None:
    """Print one day's LLM summary (the block body) without touching memory files."""
    from memory_sync.backfill import summarize_days

    summary_kw = take_summary_options(kw)
    out, agents = setup(kw)
    if len(agents) > 1:
        raise MemorySyncError("summarize prints one agent's day: name it with --agent")
    settings = agents[0]
    summaries = make_summaries(out, settings, summary_kw, dry_run=False, batch=False)
    built = summarize_days(settings, date, redact=out.redact, summaries=summaries)
    bodies = built.bodies
    if built.problems:
        out.warn(built.problems.summary_line())
    if built.usage is not None:
        out.info(built.usage.line(built.model or "the model"))
    if date in built.no_history:
        raise MemorySyncError(f"no history for {date}: check the date, --tz and --agent")
    if date in built.noise_only:
        raise MemorySyncError(
            f"{date} holds only heartbeats, pings and other plumbing: there is nothing to "
            "summarize (`memory-sync compare` shows it as noise only)"
        )
    if date in built.failures:
        raise MemorySyncError(f"the summary of {date} failed: {built.failures[date]}")
    if output is not None:
        try:
            output.write_text(bodies[date], encoding="utf-8")
        except OSError as exc:
            raise MemorySyncError(
                f"cannot write {output} ({exc.strerror}): check --output"
            ) from exc
        out.info(f"wrote {output}")
    else:
        out.result(bodies[date].rstrip("\n"))
