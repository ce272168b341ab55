"""Time one memory-sync command under two installs, interleaved, on the same history.

    python bench/bench_ab.py HISTORY --before /tmp/venv-old/bin/memory-sync \
        [--after memory-sync] [--runs 3] [--args "backfill --all --no-cache"]

Each run gets a fresh copy of the history's memory folder and a fresh state folder (so nothing
is answered by an index), runs A then B then A … (a change in machine load hits both alike),
and the best wall time and the peak RSS of each are printed with their ratio. Use it to say
what a change costs, e.g. the digest before and after a change to what lands in a memory file.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def one_run(exe: str, history: Path, args: list[str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds of one run in a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        memory = Path(tmp) / "memory"
        shutil.copytree(history / "workspace/memory", memory)
        env = dict(os.environ, MEMORY_SYNC_STATE_DIR=str(Path(tmp) / "state"))
        cmd = [exe, *args, "-q", "--openclaw-dir", str(history), "--memory-dir", str(memory)]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 3):
            raise SystemExit(f"{' '.join(cmd)} failed")
        return seconds, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", type=Path)
    parser.add_argument("--before", required=True, help="the memory-sync executable before")
    parser.add_argument("--after", default="memory-sync", help="the one after (default: PATH's)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--args", default="backfill --all --no-cache")
    options = parser.parse_args()
    args = shlex.split(options.args)
    runs: dict[str, list[tuple[float, int, float]]] = {"before": [], "after": []}
    for _ in range(options.runs):
        runs["before"].append(one_run(options.before, options.history, args))
        runs["after"].append(one_run(options.after, options.history, args))
    best = {name: min(r[0] for r in found) for name, found in runs.items()}
    print(
        json.dumps(
            {
                "command": options.args,
                "runs": options.runs,
                **{f"{name}_best_s": round(best[name], 2) for name in ("before", "after")},
                **{
                    f"{name}_all_s": [round(r[0], 2) for r in runs[name]]
                    for name in ("before", "after")
                },
                **{
                    f"{name}_cpu_s": [round(r[2], 1) for r in runs[name]]
                    for name in ("before", "after")
                },
                **{
                    f"{name}_peak_rss_mb": max(r[1] for r in runs[name])
                    for name in ("before", "after")
                },
                "after_over_before": round(best["after"] / best["before"], 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
