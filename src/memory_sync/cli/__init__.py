"""The command line: the `memory-sync` group, which turns a MemorySyncError into one line and
its exit code; each verb lives in `cli/<verb>.py`, imported only when it runs (a warm `compare`
should not pay for importing `backfill` and the summarizers)."""

from __future__ import annotations

import importlib
from typing import Any

import click

from memory_sync import __version__
from memory_sync.errors import MemorySyncError

VERBS = (
    "backfill",
    "compare",
    "completion",
    "extract",
    "hook",
    "stats",
    "summarize",
    "transitions",
    "validate",
)


class MemorySyncGroup(click.Group):
    """The group that runs a verb and catches, in this one place, what it raises on purpose."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every verb, by name."""
        return sorted({*VERBS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The verb `cmd_name`, its module imported now."""
        if cmd_name in VERBS and cmd_name not in self.commands:
            module = importlib.import_module(f"memory_sync.cli.{cmd_name}")
            self.add_command(getattr(module, cmd_name))
        return self.commands.get(cmd_name)

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
