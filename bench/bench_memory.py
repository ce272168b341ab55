"""Peak memory and time of every command on one history, the way a new user meets them.

    python bench/bench_memory.py HISTORY [--exe memory-sync] [--only compare,stats]

Each cold command runs as the real CLI in a child process with a fresh state folder and a
fresh copy of the memory folder (nothing answered by an index); then, with one state folder,
three warm `compare` runs and `backfill --incremental` after a new 1 MB session in each era
(the session is removed again at the end, see bench_incremental.py). Peak RSS is the largest
of the process and its workers (`wait4`). Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import bench_incremental
from bench_incremental import add_jsonl, add_rows, new_session, remove_rows

COLD = {
    "compare": ["compare", "--json", "--no-cache"],
    "backfill_all": ["backfill", "--all", "--json", "--no-cache"],
    "stats": ["stats", "--no-cache"],
    "validate": ["validate", "--no-cache"],
    "extract_since": ["extract", "--format", "json", "--since", "{since}"],
    "backfill_all_summarize_dry_run": ["backfill", "--all", "--summarize", "--dry-run"],
}


def run(exe: list[str], args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One CLI run of `exe`: wall seconds, peak RSS in MB, exit code, and its stdout."""
    return bench_incremental.run(args, env, exe)


def short(result: dict[str, Any]) -> dict[str, Any]:
    """The figures of a run, without its output."""
    return {k: v for k, v in result.items() if k != "stdout"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", type=Path)
    parser.add_argument("--exe", default=f"{sys.executable} -m memory_sync")
    parser.add_argument(
        "--only", default="", help="comma-separated names of cold commands (`-`: none)"
    )
    parser.add_argument("--no-warm", action="store_true", help="skip the warm and incremental runs")
    options = parser.parse_args()
    exe = options.exe.split()
    history: Path = options.history
    wanted = [n for n in options.only.split(",") if n in COLD] if options.only else list(COLD)
    report: dict[str, Any] = {"history": str(history)}
    since = ""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        memory = root / "memory"
        shutil.copytree(history / "workspace/memory", memory)
        env = dict(os.environ, MEMORY_SYNC_STATE_DIR=str(root / "state"), TZ="UTC")
        base = ["--openclaw-dir", str(history), "--memory-dir", str(memory), "-q"]
        for name in wanted:
            shutil.rmtree(root / "state", ignore_errors=True)
            shutil.rmtree(memory)
            shutil.copytree(history / "workspace/memory", memory)
            if "{since}" in COLD[name] and not since:
                doc = json.loads(run(exe, ["compare", "--json", *base], env)["stdout"])
                last = datetime.fromisoformat(doc["days"][-1]["date"])
                since = (last - timedelta(days=30)).strftime("%Y-%m-%d")
                shutil.rmtree(root / "state", ignore_errors=True)
            args = [since if a == "{since}" else a for a in COLD[name]]
            report[name] = short(run(exe, [*args, *base], env))
            print(name, report[name], file=sys.stderr, flush=True)
        if not options.no_warm:
            shutil.rmtree(root / "state", ignore_errors=True)
            run(exe, ["backfill", "--all", *base], env)  # builds the index
            report["warm_compare"] = [short(run(exe, ["compare", *base], env)) for _ in range(3)]
            print("warm", report["warm_compare"], file=sys.stderr, flush=True)
            report["incremental"] = [
                one_era(exe, history, era, env, base) for era in ("jsonl", "sqlite")
            ]
    print(json.dumps(report, indent=2))


def one_era(
    exe: list[str], history: Path, era: str, env: dict[str, str], base: list[str]
) -> dict[str, Any]:
    """`backfill --incremental` before and after a new 1 MB session in `era`."""
    figures: dict[str, Any] = {"era": era}
    figures["first"] = short(run(exe, ["backfill", "--incremental", *base], env))
    doc = json.loads(run(exe, ["compare", "--json", *base], env)["stdout"])
    last = datetime.fromisoformat(doc["days"][-2]["date"]).replace(hour=8, tzinfo=UTC)
    session = new_session(last + timedelta(hours=1), 1_000_000, seed=11 if era == "jsonl" else 12)
    added = add_jsonl(history, session) if era == "jsonl" else None
    if added is None:
        add_rows(history, session)
    try:
        figures["after_1mb_session"] = short(run(exe, ["backfill", "--incremental", *base], env))
        figures["warm_compare_after"] = short(run(exe, ["compare", *base], env))
    finally:
        if added is not None:
            added.unlink()
        else:
            remove_rows(history, session)
    print(era, figures, file=sys.stderr, flush=True)
    return figures


if __name__ == "__main__":
    main()
