"""Time `backfill --all` on a synthetic history with and without redaction; print the overhead.

    python bench/bench_backfill.py HISTORY [--runs 2]

Both variants run in-process on a fresh copy of the memory folder, reading the same history,
interleaved (plain, redacted, plain, ...) and the best of each is taken;
the unredacted one passes an identity function where the CLI passes the Redactor. A separate
CLI run (in a child process) gives the peak RSS of the real command.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from memory_sync.backfill import BackfillOptions, DaySelection, run_backfill
from memory_sync.config import Options, resolve
from memory_sync.redact import default_redactor


def one_run(history: Path, redact: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        memory = Path(tmp) / "memory"
        shutil.copytree(history / "workspace/memory", memory)
        os.environ["MEMORY_SYNC_STATE_DIR"] = str(Path(tmp) / "state")
        [settings] = resolve(Options(openclaw_dir=history, memory_dir=memory))
        redactor = default_redactor(history, [history / "agents/main"]) if redact else str
        start = time.perf_counter()
        report = run_backfill(
            settings, DaySelection(all_days=True), options=BackfillOptions(), redact=redactor
        )
        return time.perf_counter() - start, len(report.results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", type=Path)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    plain_runs, redacted_runs = [], []
    for _ in range(args.runs):  # interleaved, so a change in machine load hits both alike
        plain_runs.append(one_run(args.history, False))
        redacted_runs.append(one_run(args.history, True))
    plain = min(r[0] for r in plain_runs)
    redacted = min(r[0] for r in redacted_runs)
    with tempfile.TemporaryDirectory() as tmp:
        memory = Path(tmp) / "memory"
        shutil.copytree(args.history / "workspace/memory", memory)
        env = dict(os.environ, MEMORY_SYNC_STATE_DIR=str(Path(tmp) / "state"))
        cmd = [
            sys.executable,
            "-m",
            "memory_sync",
            "backfill",
            "--all",
            "--json",
            "-q",
            "--openclaw-dir",
            str(args.history),
            "--memory-dir",
            str(memory),
        ]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        cli_seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "days_written": redacted_runs[0][1],
                "backfill_all_unredacted_s": round(plain, 2),
                "backfill_all_redacted_s": round(redacted, 2),
                "redaction_overhead_pct": round((redacted / plain - 1) * 100, 1),
                "cli_backfill_all_s": round(cli_seconds, 2),
                "cli_peak_rss_mb": usage.ru_maxrss // 1024,
                "cli_exit": os.waitstatus_to_exitcode(status),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
