"""Imports point one way (docs/architecture.md): cli → verb cores → summarize → digest, and
history → stores, all on top of the shared foundation modules."""

from __future__ import annotations

import ast
from pathlib import Path

import memory_sync

SRC = Path(memory_sync.__file__).parent
VERBS = {"backfill", "compare", "stats", "validate", "extract"}
ROOMS = {"cli", "history", "digest", "summarize", "stores", *VERBS}
# what each room may not import (every room may import the foundation modules)
FORBIDDEN = {
    "cli": set(),
    **{verb: {"cli"} for verb in VERBS},
    "summarize": {"cli", "history", *VERBS},
    "digest": {"cli", "history", "summarize", *VERBS},
    "history": {"cli", "digest", "summarize", *VERBS},
    "stores": {"cli", "history", "digest", "summarize", *VERBS},
    "foundation": {"cli", "history", "digest", "summarize", *VERBS},
}


def _room(module: str) -> str:
    """`memory_sync.history.scan` → history; `memory_sync.events` → foundation."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else "foundation"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "memory_sync":
                found |= {f"memory_sync.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m.startswith("memory_sync.")}


def test_imports_point_one_way():
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        module = ".".join(("memory_sync", *path.relative_to(SRC).with_suffix("").parts))
        here = _room(module)
        for target in _imports(path):
            if _room(target) in FORBIDDEN[here] and _room(target) != here:
                wrong.append(f"{module} ({here}) imports {target}")
    assert wrong == []
