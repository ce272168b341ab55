"""The command line: the `memory-sync` group; each verb lives in `commands/<verb>.py`."""

from __future__ import annotations

import click

from memory_sync import __version__
from memory_sync.cli import (
    backfill,
    compare,
    completion,
    extract,
    stats,
    summarize,
    transitions,
    validate,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="memory-sync")
def main() -> None:
    """Rebuild an OpenClaw agent's daily memory files from its full session history."""


for module in (compare, backfill, summarize, stats, transitions, extract, validate, completion):
    main.add_command(getattr(module, module.__name__.rsplit(".", 1)[1]))
