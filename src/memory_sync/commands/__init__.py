"""One module per command; `cli.py` registers them on the `memory-sync` group."""
