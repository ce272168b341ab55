"""Time cold `memory-sync compare` on a synthetic history beside the floor; print MB/s and RSS.

    python bench/bench_compare.py HISTORY [--runs 3]

The floor is a bare loop that only reads every JSONL line and every database row (decompressing
zstd where OpenClaw compressed) and decodes it with orjson, the JSON library memory-sync uses.
Both run in a fresh process each time; the figure is the best of --runs. "Cold" means no
memory-sync cache; the operating system's page cache is warm for both, so the ratio compares
CPU work, not disk speed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = r"""
import io, os, sqlite3, sys, orjson, zstandard
root = sys.argv[1]
dctx = zstandard.ZstdDecompressor()
n = 0
for base, dirs, files in os.walk(os.path.join(root, "agents")):
    dirs.sort()
    for name in sorted(files):
        path = os.path.join(base, name)
        if ".jsonl" in name and not name.endswith(".lock"):
            with open(path, "rb") as raw:
                zst = name.endswith(".zst")
                stream = io.BufferedReader(dctx.stream_reader(raw)) if zst else raw
                for line in stream:
                    try:
                        orjson.loads(line); n += 1
                    except orjson.JSONDecodeError:
                        pass
        elif name == "openclaw-agent.sqlite":
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            for text, blob in con.execute(
                    "SELECT event_json, event_zstd FROM transcript_events "
                    "ORDER BY session_id, seq"):
                orjson.loads(text if text is not None else dctx.decompress(blob)); n += 1
            for (blob,) in con.execute("SELECT archive_blob FROM session_transcript_archives"):
                for line in dctx.decompressobj().decompress(blob).splitlines():
                    orjson.loads(line); n += 1
print(n)
"""


def source_bytes(root: Path) -> int:
    """Bytes of every history source (what both loops read)."""
    total = 0
    for base, _dirs, files in os.walk(root / "agents"):
        for name in files:
            if ".jsonl" in name or name == "openclaw-agent.sqlite":
                total += (Path(base) / name).stat().st_size
    return total


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Seconds, peak RSS (MB) and stdout of one child process (rusage of that child alone)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code not in (0, 3):
            sys.exit(f"command failed ({code}): {' '.join(cmd)}\n{err.read().decode()}")
        return seconds, usage.ru_maxrss // 1024, out.read().decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    size = source_bytes(args.history)
    floor_runs, compare_runs, rss_floor, rss_compare = [], [], 0, 0
    env = dict(os.environ, MEMORY_SYNC_STATE_DIR=str(args.history / ".bench-state"))
    cmd = [
        sys.executable,
        "-m",
        "memory_sync",
        "compare",
        "--json",
        "--openclaw-dir",
        str(args.history),
    ]
    help_text = subprocess.run([*cmd[:4], "--help"], capture_output=True, text=True).stdout
    if "--no-cache" in help_text:
        cmd.append("--no-cache")
    for _ in range(args.runs):
        seconds, rss, _ = timed([sys.executable, "-c", FLOOR, str(args.history)])
        floor_runs.append(seconds)
        rss_floor = max(rss_floor, rss)
        seconds, rss, out = timed(cmd, env)
        compare_runs.append(seconds)
        rss_compare = max(rss_compare, rss)
        json.loads(out)
    mb = size / 1e6
    floor_best, compare_best = min(floor_runs), min(compare_runs)
    result = {
        "history_mb": round(mb, 1),
        "floor_s": round(floor_best, 2),
        "floor_mb_s": round(mb / floor_best, 1),
        "compare_s": round(compare_best, 2),
        "compare_mb_s": round(mb / compare_best, 1),
        "ratio_to_floor": round(floor_best / compare_best, 3),
        "compare_peak_rss_mb": rss_compare,
        "floor_peak_rss_mb": rss_floor,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
