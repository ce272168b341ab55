"""`memory-sync validate`: problems in the memory folder, with file and line."""

from __future__ import annotations

import sys
from typing import Any

import click

from memory_sync.cli.common import (
    cache_option,
    common_options,
    json_option,
    print_documents,
    read_history,
    setup,
)
from memory_sync.errors import EXIT_FINDINGS


@click.command()
@common_options
@json_option
@cache_option
def validate(as_json: bool, no_cache: bool, **kw: Any) -> None:
    """Check memory files: names, titles, blocks, wrong years, duplicates, secrets, orphans."""
    from memory_sync.validate import validate as run_validate

    out, agents = setup(kw)
    total = 0
    documents = []
    for settings in agents:
        scan = read_history(out, settings, no_cache)
        history = {d.date for d in scan.book.sorted_days()}
        findings = run_validate(settings.memory_dir, history, settings.clock().today(), out.redact)
        total += sum(not f.informational for f in findings)
        if as_json:
            documents.append(
                {
                    "agent": settings.agent,
                    "memory_dir": str(settings.memory_dir),
                    "findings": [
                        {
                            "path": f.path,
                            "line": f.line,
                            "kind": f.kind,
                            "message": f.message,
                        }
                        for f in findings
                    ],
                }
            )
            continue
        for f in findings:
            out.result(f.text())
        orphans = sum(f.informational for f in findings)
        note = f" ({orphans} orphan(s): information, not a failure)" if orphans else ""
        out.info(f"{len(findings)} finding(s) in {settings.memory_dir}{note}")
    if as_json:
        print_documents(out, documents)
    if total:
        sys.exit(EXIT_FINDINGS)
