"""The command line: the `memory-sync` group, which turns a MemorySyncError into one line and
its exit code; each verb lives in `cli/<verb>.py`."""

from __future__ import annotations

from typing import Any

import click

from memory_sync import __version__
from memory_sync.cli import (
    backfill,
    compare,
    completion,
    extract,
    hook,
    stats,
    summarize,
    transitions,
    validate,
)
from memory_sync.errors import MemorySyncError


class MemorySyncGroup(click.Group):
    """The group that runs a verb and catches, in this one place, what it raises on purpose."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the verb; a MemorySyncError is one redacted line on stderr and its exit code."""
        try:
            return super().invoke(ctx)
        except MemorySyncError as exc:
            from memory_sync.redact import default_redactor

            click.echo(default_redactor()(f"memory-sync: {exc}"), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("memory-sync: interrupted; files already written are complete", err=True)
            ctx.exit(130)


@click.group(cls=MemorySyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="memory-sync")
def main() -> None:
    """Rebuild an OpenClaw agent's daily memory files from its full session history."""


for module in (
    compare,
    backfill,
    summarize,
    stats,
    transitions,
    extract,
    validate,
    hook,
    completion,
):
    main.add_command(getattr(module, module.__name__.rsplit(".", 1)[1]))
