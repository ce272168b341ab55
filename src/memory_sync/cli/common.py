"""What every command shares: options, settings and output set-up, the statistics read."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from memory_sync.cli.output import Output
from memory_sync.config import AgentSettings, Options, config_file_path, resolve

if TYPE_CHECKING:
    from memory_sync.history.scan import Scan
    from memory_sync.summarize.days import DaySummaries

F = TypeVar("F", bound=Callable[..., Any])


def common_options(func: F) -> F:
    """The options every command shares: where the history is, which agent, zone, verbosity."""
    folder = click.Path(path_type=Path)
    decorators = [
        click.option("--openclaw-dir", type=folder, help="OpenClaw state folder (holds agents/)."),
        click.option("--agent", help="Agent id under agents/ (default: main)."),
        click.option("--all-agents", is_flag=True, help="Report each agent separately."),
        click.option(
            "--tz",
            help="IANA zone for local days (default: openclaw.json userTimezone, else the system).",
        ),
        click.option("--sessions-dir", type=folder, help="Folder of *.jsonl transcripts."),
        click.option("--memory-dir", type=folder, help="Folder of the daily memory files."),
        click.option("-q", "--quiet", is_flag=True, help="Only results and warnings."),
        click.option("-v", "--verbose", count=True, help="Show what was resolved and from where."),
        click.option("--no-color", is_flag=True, help="No colour (NO_COLOR is honoured too)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def setup(kw: dict[str, Any]) -> tuple[Output, list[AgentSettings]]:
    from memory_sync.redact import default_redactor

    quiet, verbose, color = kw.pop("quiet"), kw.pop("verbose"), not kw.pop("no_color")
    options = Options(
        openclaw_dir=kw.pop("openclaw_dir"),
        agent=kw.pop("agent"),
        all_agents=kw.pop("all_agents"),
        tz=kw.pop("tz"),
        sessions_dir=kw.pop("sessions_dir"),
        memory_dir=kw.pop("memory_dir"),
    )
    agents = resolve(options)
    state = agents[0].state_dir
    agent_dirs = [state / "agents" / a.agent for a in agents] if state is not None else []
    redactor = default_redactor(state, agent_dirs)
    tuning = agents[0].tuning
    color = color and not tuning.no_color
    out = Output(quiet=quiet, verbose=verbose, color=color, redactor=redactor)
    for name, origin in sorted(tuning.origins.items()):
        out.debug(f"{name}: {getattr(tuning, name)} (from {origin})")
    for settings in agents:
        for warning in settings.warnings:
            out.warn(warning)
        out.debug(f"agent {settings.agent}:")
        values = {
            "agent": settings.agent,
            "memory_dir": settings.memory_dir,
            "openclaw_dir": settings.state_dir,
            "tz": settings.tz_name,
            "sessions_dir": ", ".join(map(str, settings.sessions_dirs)),
        }
        for name, origin in sorted(settings.origins.items()):
            value = values.get(name)
            out.debug(f"  {name}: {value} (from {origin})" if value else f"  {name}: {origin}")
        out.debug(f"  timezone: {settings.tz_name}; memory folder: {settings.memory_dir}")
        out.debug(f"  index: {settings.index_path}")
        out.debug(f"  config file: {config_file_path(os.environ)}")
        out.debug(
            f"  sources: {len(settings.sources.databases)} database(s), "
            f"{len(settings.sources.jsonl_files)} transcript file(s)"
        )
    return out, agents


def json_option(func: F) -> F:
    """`--json`: the result as one JSON document on stdout."""
    return click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")(
        func
    )


def range_options(func: F) -> F:
    """`--since` (inclusive) and `--until` (exclusive): a range of local dates."""
    func = click.option("--until", metavar="DATE", help="Up to this date (exclusive).")(func)
    return click.option("--since", metavar="DATE", help="From this date on.")(func)


def cache_option(func: F) -> F:
    """`--no-cache`: read the whole history even when the index is fresh."""
    return click.option(
        "--no-cache", is_flag=True, help="Ignore the index and read the whole history."
    )(func)


def summary_options(func: F) -> F:
    """The options of LLM summaries, shared by `backfill` and `summarize`."""
    decorators = [
        click.option("--model", help="Model name (default: claude-sonnet-4-20250514)."),
        click.option(
            "--backend",
            type=click.Choice(["anthropic", "openai"]),
            help="anthropic (default) or any OpenAI-compatible server.",
        ),
        click.option("--base-url", help="API base URL (Ollama: http://127.0.0.1:11434/v1)."),
        click.option(
            "--token-budget",
            type=int,
            default=60_000,
            show_default=True,
            help="Input tokens per request before a day is split into parts.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def take_summary_options(kw: dict[str, Any]) -> dict[str, Any]:
    """Remove the `summary_options` values from a command's keyword arguments."""
    return {k: kw.pop(k) for k in ("model", "backend", "base_url", "token_budget")}


def make_summaries(
    out: Output, settings: AgentSettings, kw: dict[str, Any], *, dry_run: bool, batch: bool
) -> DaySummaries:
    """The summaries of a run from the `summary_options` values; the backend is made first
    (a missing SDK or key stops here, in one line), and not at all for a dry run."""
    from memory_sync.config import summary_choice
    from memory_sync.summarize import SummarySettings
    from memory_sync.summarize.backends import make_summarizer
    from memory_sync.summarize.days import DaySummaries

    backend, model = summary_choice(kw.pop("backend"), kw.pop("model"))
    summary = SummarySettings(
        backend=backend,
        model=model,
        base_url=kw.pop("base_url"),
        token_budget=kw.pop("token_budget"),
        batch=batch,
    )
    return DaySummaries(
        summary,
        summarizer=None if dry_run else make_summarizer(summary),
        app_state=settings.app_state_dir,
        zone=settings.zone,
        redact=out.redact,
        on_poll=out.poll_reporter("batch requests"),
        poll_seconds=settings.tuning.batch_poll,
    )


def print_documents(out: Output, documents: list[Any]) -> None:
    """One agent's JSON document, or `{"agents": [...]}` for several (--all-agents)."""
    out.json(documents[0] if len(documents) == 1 else {"agents": documents})


def read_history(out: Output, settings: AgentSettings, no_cache: bool) -> Scan:
    """The statistics-only read every reporting command starts with: a progress bar, the
    index when it is fresh, two cores for a large history, and one warning line for damage."""
    from memory_sync.history.scan import scan_history

    with out.progress("reading history", settings.sources.total_bytes) as advance:
        scan = scan_history(
            settings, reporter=out.reporter(advance), parallel=True, use_index=not no_cache
        )
    if scan.problems:
        out.warn(scan.problems.summary_line())
    if scan.from_index:
        out.debug("figures from the index: no source changed, none was read")
    elif scan.resumed:
        out.debug(f"index brought up to date: {scan.resumed} in {scan.seconds:.2f} s")
    else:
        out.debug(f"read {scan.source_bytes / 1e6:.1f} MB in {scan.seconds:.2f} s")
    return scan
