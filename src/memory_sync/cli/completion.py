"""`memory-sync completion`: shell completion scripts."""

from __future__ import annotations

import click


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script: eval "$(memory-sync completion bash)"."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None
    root = click.get_current_context().find_root().command
    click.echo(cls(root, {}, "memory-sync", "_MEMORY_SYNC_COMPLETE").source())
