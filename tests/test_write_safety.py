"""Crash and concurrency safety of backfill: files are old or new, never torn; no append lost."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from memory_sync.backfill import BackfillOptions, DaySelection, run_backfill
from memory_sync.config import Options, resolve
from tests.builders import Transcript

DAYS = 200
KILLS = 22
MAX_KILLS = 60


def _history(state: Path, days: int) -> None:
    sessions = state / "agents/main/sessions"
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    for d in range(days):
        t = Transcript(start + timedelta(days=d))
        t.add("model_change", provider="fake", modelId="alpha")
        for i in range(3):
            t.user(f"Day {d} question {i}: how is the garden project going?")
            t.assistant(f"We decided to water the plants at {7 + i} o'clock on day {d}.")
        t.write(sessions / f"s{d:03d}.jsonl")
    (state / "workspace/memory").mkdir(parents=True)


def _hand_files(memory: Path) -> dict[str, bytes]:
    """Agent- and person-written files for some days (what must survive byte for byte)."""
    hand: dict[str, bytes] = {}
    start = datetime(2026, 1, 1)
    for d in range(0, DAYS, 3):
        day = (start + timedelta(days=d)).date().isoformat()
        body = f"# {day}\n\n- hand-written note {d}: do not lose me \u00e9\n".encode()
        if d % 2:
            body = b"---\ntags: [daily]\n---\n" + body
        (memory / f"{day}.md").write_bytes(body)
        hand[f"{day}.md"] = body
    return hand


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOME=str(tmp / "home"),
        MEMORY_SYNC_STATE_DIR=str(tmp / "ms-state"),
        MEMORY_SYNC_CONFIG=str(tmp / "none.toml"),
        TZ="UTC",
        MEMORY_SYNC_LOCK_WAIT="20",
    )
    return env


def _files(memory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in memory.iterdir() if p.name.endswith(".md")}


def test_sigkill_at_random_moments_leaves_old_or_new_files(tmp_path):
    state = tmp_path / "state"
    _history(state, DAYS)
    memory = state / "workspace/memory"
    hand = _hand_files(memory)
    pristine = tmp_path / "pristine"
    shutil.copytree(memory, pristine)
    cmd = [
        sys.executable,
        "-m",
        "memory_sync",
        "backfill",
        "--all",
        "--force",
        "--preserve",
        "-q",
        "--openclaw-dir",
        str(state),
    ]
    env = _env(tmp_path)
    started = time.perf_counter()
    reference = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    first_write = None
    while reference.poll() is None:  # find when the write phase starts
        if first_write is None and len(list(memory.iterdir())) > len(hand):
            first_write = time.perf_counter() - started
        time.sleep(0.002)
    full = time.perf_counter() - started
    assert reference.returncode == 0, reference.stderr.read() if reference.stderr else ""
    first_write = first_write or 0.5 * full
    expected = _files(memory)
    assert len(expected) == DAYS
    rng = random.Random(20261127)
    low, high = 0.8 * first_write, full
    kills = killed_mid_write = 0
    while kills < MAX_KILLS and (kills < KILLS or killed_mid_write < 5):
        shutil.rmtree(memory)
        shutil.copytree(pristine, memory)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(low, high))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        now = _files(memory)
        written = 0
        for name, data in now.items():
            old = (pristine / name).read_bytes() if (pristine / name).exists() else None
            assert data in (old, expected[name]), f"{name} is neither old nor new"
            written += data == expected[name] and data != old
            if name in hand:  # the person's bytes intact (front matter stays on top)
                front, _, body = hand[name].rpartition(b"---\n")
                assert data.startswith(front + b"---\n" if front else b"") and body in data
        if written == 0:  # killed before the first write: aim later (a loaded machine is slow)
            low, high = low * 1.2, max(high, low * 1.5)
        elif written >= DAYS:  # killed after the last write: aim earlier
            high = max(low * 1.1, high * 0.9)
        else:
            killed_mid_write += 1
    assert kills >= KILLS
    assert killed_mid_write >= 5, "the kills should land while files are being written"
    # a clean run afterwards completes everything and removes the killed runs' temp files
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    assert _files(memory) == expected
    assert not [p for p in memory.iterdir() if p.name.endswith(".tmp")]


APPENDER = r"""
import os, sys, time
path, stop = sys.argv[1], sys.argv[2]
i = 0
while not os.path.exists(stop) and i < 20000:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"- appended by the agent {i}\n")
    i += 1
    time.sleep(0.003)
print(i)
"""
REWRITES = 12  # backfill runs made while the agent keeps appending (a fixed number, not a time)


@pytest.mark.parametrize("preserve", [True, False])
def test_concurrent_appends_are_never_lost(tmp_path, isolated_env, preserve):
    state = tmp_path / "state"
    _history(state, 1)
    memory = state / "workspace/memory"
    path = memory / "2026-01-01.md"
    path.write_text("# 2026-01-01\n\n- agent note\n")
    later = state / "agents/main/sessions/later.jsonl"
    t = Transcript(datetime(2026, 1, 1, 20, tzinfo=UTC), "later")
    t.write(later)
    [settings] = resolve(Options(openclaw_dir=state))
    options = BackfillOptions(force=True, preserve=preserve)
    stop = tmp_path / "stop"
    appender = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(path), str(stop)], stdout=subprocess.PIPE, text=True
    )
    rewrites = 0
    try:
        for _ in range(500):  # start once the agent is appending, so every run overlaps it
            if "appended by the agent" in path.read_text():
                break
            time.sleep(0.01)
        for run in range(REWRITES):
            t.user(f"late message {run}")  # new history, so every run really rewrites
            t.write(later)
            report = run_backfill(
                settings, DaySelection(("2026-01-01",)), options=options, redact=str
            )
            rewrites += report.results[0].action.value in ("updated", "preserved", "replaced")
    finally:
        stop.touch()
        out, _ = appender.communicate()
    count = int(out)
    assert rewrites == REWRITES and count > 0, (rewrites, count)
    text = path.read_text()
    # Without --preserve the first rewrite replaces the agent's file: whatever it held when it
    # was read (the note, and any append made before) goes to a backup first, by design.
    backups = "".join(
        p.read_text()
        for p in (Path(isolated_env["MEMORY_SYNC_STATE_DIR"]) / "backups").rglob("*.md")
    )
    for i in range(count):
        line = f"- appended by the agent {i}\n"
        assert line in text or (not preserve and line in backups), (
            f"append {i} lost after {rewrites} rewrites"
        )
    if preserve:
        assert "- agent note\n" in text and backups == ""
    else:
        assert "- agent note\n" in backups
