"""memory-sync: rebuild an OpenClaw agent's daily memory files from its session history."""

__version__ = "0.1.0"
