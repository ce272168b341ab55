"""The command line: parse options, resolve settings, call one core function, print its report."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from memory_sync import __version__
from memory_sync.config import AgentSettings, Options, config_file_path, resolve
from memory_sync.errors import EXIT_FINDINGS, MemorySyncError
from memory_sync.index import index_path
from memory_sync.output import Output

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


def _setup(kw: dict[str, Any]) -> tuple[Output, list[AgentSettings]]:
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
    out = Output(quiet=quiet, verbose=verbose, color=color, redactor=redactor)
    for settings in agents:
        for warning in settings.warnings:
            out.warn(warning)
        out.debug(f"agent {settings.agent}:")
        for name, origin in sorted(settings.origins.items()):
            out.debug(f"  {name}: {origin}")
        out.debug(f"  timezone: {settings.tz_name}; memory folder: {settings.memory_dir}")
        out.debug(f"  index: {index_path(settings)}")
        out.debug(f"  config file: {config_file_path(os.environ)}")
        out.debug(
            f"  sources: {len(settings.sources.databases)} database(s), "
            f"{len(settings.sources.jsonl_files)} transcript file(s)"
        )
    return out, agents


def cache_option(func: F) -> F:
    """`--no-cache`: read the whole history even when the index is fresh."""
    return click.option(
        "--no-cache", is_flag=True, help="Ignore the index and read the whole history."
    )(func)


def handle_errors(func: F) -> F:
    """Turn a MemorySyncError into one line on stderr and its exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MemorySyncError as exc:
            from memory_sync.redact import default_redactor

            click.echo(default_redactor()(f"memory-sync: {exc}"), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("memory-sync: interrupted; files already written are complete", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="memory-sync")
def main() -> None:
    """Rebuild an OpenClaw agent's daily memory files from its full session history."""


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.option("--check", is_flag=True, help="Exit 3 when days are missing or sparse.")
@click.option("--include-today", is_flag=True, help="Count today (partial) in the gaps.")
@cache_option
@handle_errors
def compare(as_json: bool, check: bool, include_today: bool, no_cache: bool, **kw: Any) -> None:
    """Show which days have history and which memory files are missing or sparse."""
    from memory_sync import report
    from memory_sync.compare import compare as run_compare

    out, agents = _setup(kw)
    documents = []
    gaps = 0
    for settings in agents:
        with out.progress("reading history", settings.sources.total_bytes) as advance:
            result = run_compare(
                settings,
                include_today=include_today,
                progress=advance,
                use_index=not no_cache,
                notice=out.warn,
            )
        gaps += len(result.gaps)
        if result.problems:
            out.warn(result.problems.summary_line())
        if as_json:
            documents.append(report.compare_json(result, settings.zone))
        else:
            out.renderable(report.compare_table(result, out.redact))
            out.result(report.compare_totals(result))
        if result.from_index:
            out.debug("figures from the index: no source changed, none was read")
        else:
            out.debug(f"read {result.source_bytes / 1e6:.1f} MB in {result.seconds:.2f} s")
    if as_json:
        out.json(documents[0] if len(documents) == 1 else {"agents": documents})
    if check and gaps:
        sys.exit(EXIT_FINDINGS)


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


def _composer(
    out: Output, settings: AgentSettings, kw: dict[str, Any], dry_run: bool, batch: bool
) -> Any:
    from memory_sync.config import summary_choice
    from memory_sync.summarize import SummarySettings
    from memory_sync.summarize.compose import Composer

    backend, model = summary_choice(kw.pop("backend"), kw.pop("model"))
    summary = SummarySettings(
        backend=backend,
        model=model,
        base_url=kw.pop("base_url"),
        token_budget=kw.pop("token_budget"),
        batch=batch,
    )
    poll = float(os.environ.get("MEMORY_SYNC_BATCH_POLL", "20"))

    on_poll = out.poll_reporter("batch requests")
    return Composer(
        summary,
        settings.app_state_dir,
        settings.zone,
        out.redact,
        dry_run,
        on_poll=on_poll,
        poll_seconds=poll,
    )


@main.command()
@common_options
@click.argument("dates", nargs=-1)
@click.option("--all", "all_days", is_flag=True, help="Every day with history and no daily file.")
@click.option("--today", is_flag=True, help="Today (a partial day).")
@click.option("--since", metavar="DATE", help="From this date on.")
@click.option("--until", metavar="DATE", help="Up to this date (exclusive).")
@click.option("--force", is_flag=True, help="Also rewrite days whose file exists.")
@click.option("--preserve", is_flag=True, help="With --force: keep a file's own content, add ours.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.option(
    "--summarize", is_flag=True, help="Write a narrative with an LLM ([summarize] extra)."
)
@click.option("--batch", is_flag=True, help="With --summarize: Message Batches, half price.")
@summary_options
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@handle_errors
def backfill(
    dates: tuple[str, ...],
    all_days: bool,
    today: bool,
    since: str | None,
    until: str | None,
    force: bool,
    preserve: bool,
    dry_run: bool,
    summarize: bool,
    batch: bool,
    as_json: bool,
    **kw: Any,
) -> None:
    """Write complete daily memory files from the history (DATE... or --all)."""
    from memory_sync import report
    from memory_sync.backfill import BackfillOptions, DaySelection, run_backfill
    from memory_sync.errors import EXIT_PARTIAL

    if batch and not summarize:
        raise click.UsageError("--batch goes with --summarize")
    summary_kw = {k: kw.pop(k) for k in ("model", "backend", "base_url", "token_budget")}
    out, agents = _setup(kw)
    selection = DaySelection(tuple(dates), all_days, today, since, until)
    selection.validate()
    options = BackfillOptions(
        force=force,
        preserve=preserve,
        dry_run=dry_run,
        lock_wait=float(os.environ.get("MEMORY_SYNC_LOCK_WAIT", "10")),
    )
    documents = []
    failed = 0
    for settings in agents:
        composer = _composer(out, settings, dict(summary_kw), dry_run, batch) if summarize else None
        with out.progress("reading history", settings.sources.total_bytes) as advance:
            result = run_backfill(settings, selection, options, out.redact, advance, composer)
        failed += len(result.failed)
        if result.problems:
            out.warn(result.problems.summary_line())
        if as_json:
            documents.append(report.backfill_json(result))
            continue
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
            out.info("nothing to do: every chosen day already has a memory file (--force rewrites)")
        if summarize and not dry_run:
            out.info(f"{result.requests_sent} request(s) sent to {result.summary_model}")
        for item in result.failed:
            out.warn(f"failed: {item.date}: {item.note}")
    if as_json:
        out.json(documents[0] if len(documents) == 1 else {"agents": documents})
    if failed:
        sys.exit(EXIT_PARTIAL)


@main.command()
@common_options
@click.option("--date", "date", required=True, metavar="DATE", help="The day to summarize.")
@click.option("--output", type=click.Path(path_type=Path), help="Write to FILE, not stdout.")
@summary_options
@handle_errors
def summarize(date: str, output: Path | None, **kw: Any) -> None:
    """Print one day's LLM summary (the block body) without touching memory files."""
    from memory_sync.backfill import BackfillOptions, DaySelection, compose_days

    summary_kw = {k: kw.pop(k) for k in ("model", "backend", "base_url", "token_budget")}
    out, agents = _setup(kw)
    settings = agents[0]
    composer = _composer(out, settings, summary_kw, False, False)
    bodies, failures, problems = compose_days(
        settings, DaySelection((date,)), BackfillOptions(force=True), out.redact, composer
    )
    if problems:
        out.warn(problems.summary_line())
    if date in failures:
        raise MemorySyncError(f"the summary of {date} failed: {failures[date]}")
    if output is not None:
        output.write_text(bodies[date], encoding="utf-8")
        out.info(f"wrote {output}")
    else:
        out.result(bodies[date].rstrip("\n"))


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@click.option(
    "--weeks",
    type=click.IntRange(1, 260),
    default=53,
    show_default=True,
    help="Weeks shown in the calendar.",
)
@cache_option
@handle_errors
def stats(as_json: bool, weeks: int, no_cache: bool, **kw: Any) -> None:
    """Coverage, activity by day, week and model, and a calendar of memory status."""
    from memory_sync import report
    from memory_sync.compare import compare as run_compare
    from memory_sync.stats import calendar, compute, month_labels
    from memory_sync.timeutil import DayClock

    out, agents = _setup(kw)
    documents = []
    for settings in agents:
        with out.progress("reading history", settings.sources.total_bytes) as advance:
            result = run_compare(
                settings, progress=advance, use_index=not no_cache, notice=out.warn
            )
        if result.problems:
            out.warn(result.problems.summary_line())
        today = DayClock(settings.zone).today()
        figures = compute(result)
        grid = calendar(result, today, weeks)
        if as_json:
            documents.append(report.stats_json(result, figures, grid))
            continue
        for line in report.stats_lines(result, figures):
            out.result(line)
        out.renderable(report.calendar_text(grid, month_labels(today, weeks)))
    if as_json:
        out.json(documents[0] if len(documents) == 1 else {"agents": documents})


@main.command()
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
    from memory_sync.scan import scan_history
    from memory_sync.timeutil import parse_date

    for value in (since, until):
        if value:
            parse_date(value)
    out, agents = _setup(kw)
    documents = []
    for settings in agents:
        scan = scan_history(settings, parallel=True, use_index=not no_cache, notice=out.warn)
        if scan.problems:
            out.warn(scan.problems.summary_line())
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
        out.json(documents[0] if len(documents) == 1 else {"agents": documents})


@main.command()
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
    out, agents = _setup(kw)
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
        out.json(documents[0] if len(documents) == 1 else {"agents": documents})


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@cache_option
@handle_errors
def validate(as_json: bool, no_cache: bool, **kw: Any) -> None:
    """Check memory files: names, titles, blocks, wrong years, duplicates, secrets, orphans."""
    from memory_sync.scan import scan_history
    from memory_sync.timeutil import DayClock
    from memory_sync.validate import validate as run_validate

    out, agents = _setup(kw)
    total = 0
    documents = []
    for settings in agents:
        scan = scan_history(settings, parallel=True, use_index=not no_cache, notice=out.warn)
        history = {d.date for d in scan.book.sorted_days()}
        findings = run_validate(
            settings.memory_dir, history, DayClock(settings.zone).today(), out.redact
        )
        total += len(findings)
        if as_json:
            documents.append(
                {
                    "agent": settings.agent,
                    "memory_dir": str(settings.memory_dir),
                    "findings": [f.__dict__ for f in findings],
                }
            )
            continue
        for f in findings:
            out.result(f"{f.path}:{f.line}: {f.kind}: {f.message}")
        out.info(f"{len(findings)} finding(s) in {settings.memory_dir}")
    if as_json:
        out.json(documents[0] if len(documents) == 1 else {"agents": documents})
    if total:
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script: eval "$(memory-sync completion bash)"."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None
    click.echo(cls(main, {}, "memory-sync", "_MEMORY_SYNC_COMPLETE").source())
