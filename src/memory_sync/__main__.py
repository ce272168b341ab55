"""Entry point for `python -m memory_sync`."""

from memory_sync.cli import main

main()
