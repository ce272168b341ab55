"""Time the index: warm `compare`, and `backfill --incremental` after one new 1 MB session.

    python bench/bench_incremental.py HISTORY [--era jsonl|sqlite|both]

Works on a copy of HISTORY's memory folder and a fresh state folder. The new session goes into
HISTORY itself (a new transcript file, or new rows of the database) and is removed at the end,
so HISTORY is as it was afterwards (the database then needs one full read again). Every command
runs as the real CLI in a child process; the figures are wall time and peak RSS of that child.
It also checks that exactly the memory files of the new session's day(s) changed, and that
`compare --json` after the update equals `compare --json --no-cache`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))
from generate import Session, Text


def run(args: list[str], env: dict[str, str], exe: list[str] | None = None) -> dict[str, Any]:
    """One CLI run (of `exe`, default this Python's memory_sync): seconds, peak RSS in MB,
    exit code and stdout."""
    start = time.perf_counter()
    command = exe or [sys.executable, "-m", "memory_sync"]
    proc = subprocess.Popen([*command, *args], env=env, stdout=subprocess.PIPE)
    out = proc.stdout.read() if proc.stdout else b""
    _pid, status, usage = os.wait4(proc.pid, 0)
    return {
        "s": round(time.perf_counter() - start, 3),
        "rss_mb": usage.ru_maxrss // 1024,
        "exit": os.waitstatus_to_exitcode(status),
        "stdout": out,
    }


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def new_session(day: datetime, size: int, seed: int) -> Session:
    """A session of about `size` bytes that starts at 10:00 local on `day`."""
    rng = random.Random(seed)
    session = Session(rng, Text(rng), day, 3, "agent:main:bench-new")
    while sum(len(line) + 1 for line in session.lines()) < size:
        session.turn()
    return session


def add_jsonl(history: Path, session: Session) -> Path:
    path = history / "agents/main/sessions" / f"{session.id}.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in session.lines()))
    return path


def add_rows(history: Path, session: Session) -> None:
    con = sqlite3.connect(history / "agents/main/agent/openclaw-agent.sqlite")
    now = int(time.time() * 1000)
    con.execute(
        "INSERT INTO session_windows VALUES (?, ?, NULL, ?, ?)",
        (session.id, session.key, now, now),
    )
    con.executemany(
        "INSERT INTO transcript_events (session_id, seq, event_json, created_at) "
        "VALUES (?, ?, ?, ?)",
        [(session.id, seq, line.decode(), now) for seq, line in enumerate(session.lines())],
    )
    con.commit()
    con.close()


def remove_rows(history: Path, session: Session) -> None:
    con = sqlite3.connect(history / "agents/main/agent/openclaw-agent.sqlite")
    con.execute("DELETE FROM transcript_events WHERE session_id = ?", (session.id,))
    con.execute("DELETE FROM session_windows WHERE session_id = ?", (session.id,))
    con.commit()
    con.close()


def one_era(history: Path, era: str, env: dict[str, str], memory: Path) -> dict[str, Any]:
    base = ["--openclaw-dir", str(history), "--memory-dir", str(memory), "-q"]
    figures: dict[str, Any] = {"era": era}
    # the first run of an era may read everything again (the previous era's session was removed)
    figures["incremental_first"] = _short(run(["backfill", "--incremental", *base], env))
    figures["incremental_nothing_changed"] = _short(run(["backfill", "--incremental", *base], env))
    doc = json.loads(run(["compare", "--json", *base], env)["stdout"])
    days, zone = doc["days"], ZoneInfo(doc["timezone"])
    last = datetime.fromisoformat(days[-2]["date"]).replace(hour=8, tzinfo=UTC)
    session = new_session(last + timedelta(hours=1), 1_000_000, seed=11 if era == "jsonl" else 12)
    before = digests(memory)
    added = None
    if era == "jsonl":
        added = add_jsonl(history, session)
    else:
        add_rows(history, session)
    try:
        result = run(["backfill", "--incremental", "--json", *base], env)
        figures["incremental_after_1mb_session"] = _short(result)
        after = digests(memory)
        changed = sorted(name for name in after if before.get(name) != after[name])
        figures["files_changed"] = changed
        figures["days_in_new_session"] = sorted(
            {
                datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00"))
                .astimezone(zone)
                .strftime("%Y-%m-%d")
                for e in session.entries
                if e["type"] == "message"
            }
        )
        warm = run(["compare", "--json", *base], env)
        cold = run(["compare", "--json", "--no-cache", *base], env)
        figures["compare_after_update"] = _short(warm)
        figures["same_as_no_cache"] = json.loads(warm["stdout"]) == json.loads(cold["stdout"])
    finally:
        if added is not None:
            added.unlink()
        else:
            remove_rows(history, session)
    return figures


def _short(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "stdout"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", type=Path)
    parser.add_argument("--era", choices=["jsonl", "sqlite", "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        memory = Path(tmp) / "memory"
        shutil.copytree(args.history / "workspace/memory", memory)
        env = dict(os.environ, MEMORY_SYNC_STATE_DIR=str(Path(tmp) / "state"), TZ="UTC")
        base = ["--openclaw-dir", str(args.history), "--memory-dir", str(memory), "-q"]
        report: dict[str, Any] = {}
        report["cold_compare"] = _short(run(["compare", "--json", "--no-cache", *base], env))
        report["cold_backfill_all"] = _short(run(["backfill", "--all", "--json", *base], env))
        report["warm_compare"] = [_short(run(["compare", *base], env)) for _ in range(3)]
        report["warm_compare_json"] = _short(run(["compare", "--json", *base], env))
        eras = ["jsonl", "sqlite"] if args.era == "both" else [args.era]
        report["eras"] = [one_era(args.history, era, env, memory) for era in eras]
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
