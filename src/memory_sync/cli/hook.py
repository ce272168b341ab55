"""`memory-sync hook install|status`: the OpenClaw hook that syncs a day as it closes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from memory_sync.cli.common import common_options, setup
from memory_sync.errors import MemorySyncError

if TYPE_CHECKING:
    from memory_sync.cli.output import Output


@click.group()
def hook() -> None:
    """The OpenClaw hook that completes a day's memory file when a session closes."""


@hook.command("install")
@common_options
@click.option("--no-enable", is_flag=True, help="Write the files only; do not run openclaw.")
def install(no_enable: bool, **kw: Any) -> None:
    """Put the hook in OpenClaw's state folder and enable it (`openclaw hooks enable`)."""
    from memory_sync.hook import install_hook, this_command

    agent = kw.get("agent")
    out, agents = setup(kw)
    settings = agents[0]
    report = install_hook(
        settings, agents=[agent] if agent else [], command=this_command(), enable=not no_enable
    )
    out.result(f"installed {report.folder}")
    out.result(f"runs: {report.command} backfill --incremental --preserve")
    out.result(f"for agents: {agent or 'every agent whose session closes'}")
    if report.enabled:
        out.result(f"openclaw: {report.enabled}")
    _openclaw_view(out, report.openclaw)
    for note in report.notes:
        out.warn(f"note: {note}")


@hook.command("status")
@common_options
def status(**kw: Any) -> None:
    """Whether the hook is in place and current, and whether OpenClaw sees it as ready."""
    from memory_sync.hook import hook_status

    out, agents = setup(kw)
    report = hook_status(agents[0])
    if not report.installed:
        raise MemorySyncError(
            f"the hook is not installed ({report.folder} is missing): "
            "run `memory-sync hook install`"
        )
    out.result(f"installed: {report.folder} ({'current' if report.current else 'outdated'})")
    out.result(f"runs: {report.command}")
    if report.log_dir is not None:
        out.result(f"logs: {report.log_dir}/hook-<agent>.log")
    _openclaw_view(out, report.openclaw)
    for note in report.notes:
        out.warn(f"note: {note}")


def _openclaw_view(out: Output, info: dict[str, object]) -> None:
    if not info:
        out.result("openclaw: not asked (the openclaw command is not on PATH)")
        return
    ready = bool(info.get("loadable", info.get("eligible")))
    reason = info.get("blockedReason")
    out.result(
        f"openclaw: {'ready' if ready else 'not ready'}" + (f" ({reason})" if reason else "")
    )
