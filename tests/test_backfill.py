"""backfill on real data shapes: complete days, nothing of the person's lost, safe to repeat."""

from __future__ import annotations

import json
import os
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

from memory_sync.memoryfile import find_block
from memory_sync.write import folder_lock
from tests.builders import Transcript
from tests.conftest import NEW, OLD, by_date, compare_json

AGENT_FILE = (
    "# 2026-11-20\n\n- Decided: use SQLite WAL mode for the cache (src/cache/store.py).\n"
    "- Switched the main session to fake/beta for the parser naming discussion.\n"
    "- TODO: run `pytest -q tests/test_cache.py` before the release.\n"
)


def _legacy_session_on_2026_11_20(state: Path) -> None:
    """A JSONL session of the same day beside the SQLite store (a second agent key)."""
    t = Transcript(
        datetime(2026, 11, 20, 16, 5, tzinfo=UTC), "0badcafe-0000-4000-8000-000000000001"
    )
    t.add("model_change", provider="anthropic", modelId="claude-sonnet-4-5")
    t.user("Kitchen project: we need a new drawer for the spice rack.", envelope=True)
    t.assistant(
        "Let's go with the 40 cm drawer from the hardware store.", "claude-sonnet-4-5", "anthropic"
    )
    t.tool_call("exec", {"command": "du -sh ~/photos/kitchen"}, "claude-sonnet-4-5", "anthropic")
    t.assistant("Photos take 2.1 GB.", "claude-sonnet-4-5", "anthropic")
    t.add("custom", customType="model-snapshot", data={"provider": "openai", "modelId": "gpt-5.1"})
    t.user("Write the shopping list to shopping/kitchen.md please.")
    t.tool_call(
        "write", {"path": "shopping/kitchen.md", "content": "- drawer"}, "gpt-5.1", "openai"
    )
    t.assistant("Done, the list is in shopping/kitchen.md.", "gpt-5.1", "openai")
    t.write(state / "agents/main/sessions/0badcafe-0000-4000-8000-000000000001.jsonl")


def _memory(state: Path) -> Path:
    return state / "workspace/memory"


def test_a_day_from_both_stores_merged_into_the_agents_file(cli, corpus):
    state = corpus(NEW)
    _legacy_session_on_2026_11_20(state)
    path = _memory(state) / "2026-11-20.md"
    assert path.read_text() == AGENT_FILE
    result = cli("backfill", "--force", "--preserve", "2026-11-20", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    assert "preserved" in result.stdout
    text = path.read_text()
    assert text.endswith(AGENT_FILE)  # the agent's bytes, untouched and in order
    block = text[: text.index("<!-- memory-sync:end -->")]
    for needle in (
        # every session of that day: main, research, and the JSONL session
        "d7402f73",
        "58834811",
        "0badcafe",
        # messages, decisions, commands, files, transitions
        "Good morning. Let's plan the cache layer",
        "Research: compare zstd and gzip",
        "Kitchen project",
        "We decided to use SQLite WAL mode for the cache",
        "Let's go with the 40 cm drawer",
        "`ls -la`",
        "`du -sh ~/photos/kitchen`",
        "`shopping/kitchen.md`",
        "`memory/2026-11-20.md`",
        "fake/alpha → fake/beta",
        "fake/beta → fake/alpha",
        "anthropic/claude-sonnet-4-5 → openai/gpt-5.1",
        "*Auto-generated from 28 session messages*",
        "# 2026-11-20 (Friday)",
    ):
        assert needle in block, needle
    for other_day in ("Saturday check-in", "git status --short", "Sunday", "33c44f15"):
        assert other_day not in block, other_day


def test_twice_is_byte_identical_and_new_messages_change_only_the_block(cli, corpus):
    state = corpus(OLD)
    args = ("backfill", "--force", "--preserve", "2026-11-20", "--openclaw-dir", state)
    path = _memory(state) / "2026-11-20.md"
    original = path.read_bytes()
    assert cli(*args).exit_code == 0
    first = path.read_bytes()
    assert cli(*args).exit_code == 0
    assert path.read_bytes() == first
    assert "unchanged" in cli(*args).stdout
    # a new message that day (appended to the research transcript)
    research = state / "agents/main/sessions/0e39e77d-8880-4355-a676-0d4d18556552.jsonl"
    line = json.loads(research.read_text().splitlines()[-3])  # a user message of 2026-11-20
    line["id"], line["timestamp"] = "feedf00d", "2026-11-20T18:00:00.000Z"
    line["message"]["content"] = [
        {"type": "text", "text": "One more thing about the archive format."}
    ]
    line["message"]["timestamp"] += 1000
    with research.open("a") as fh:
        fh.write(json.dumps(line) + "\n")
    assert cli(*args).exit_code == 0
    second = path.read_bytes()
    b1, b2 = find_block(first.decode()), find_block(second.decode())
    assert b1 and b2 and b1.body != b2.body
    assert first.decode()[b1.end :] == second.decode()[b2.end :] == "\n" + original.decode()
    assert "One more thing about the archive format." in b2.body


def test_all_creates_only_missing_days_and_compare_then_shows_them_ok(cli, corpus):
    state = corpus(NEW)
    result = cli("backfill", "--all", "--json", "--openclaw-dir", state)
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [(r["date"], r["action"]) for r in doc["results"]] == [
        ("2026-11-21", "created"),
        ("2026-11-22", "created"),
    ]
    assert doc["results"][0]["messages"] == 19 and doc["results"][0]["backup"] is None
    assert (_memory(state) / "2026-11-20.md").read_text() == AGENT_FILE
    days = by_date(compare_json(cli, "--openclaw-dir", state))
    assert days["2026-11-21"]["status"] == "ok" and days["2026-11-21"]["synced"]
    assert days["2026-11-20"]["status"] == "sparse"
    text = (_memory(state) / "2026-11-21.md").read_text()
    assert text.rstrip().endswith("## My Notes")


def test_existing_file_is_skipped_without_force(cli, corpus):
    state = corpus(NEW)
    result = cli("backfill", "2026-11-20", "--openclaw-dir", state)
    assert result.exit_code == 0 and "skipped (exists)" in result.stdout
    assert (_memory(state) / "2026-11-20.md").read_text() == AGENT_FILE


def test_dry_run_writes_nothing_and_shows_the_diff(cli, corpus):
    state = corpus(NEW)
    before = {p.name: p.read_bytes() for p in _memory(state).iterdir()}
    result = cli("backfill", "--all", "--force", "--dry-run", "-v", "--openclaw-dir", state)
    assert result.exit_code == 0
    assert {p.name: p.read_bytes() for p in _memory(state).iterdir()} == before
    assert "dry run" in result.stdout and "replaced" in result.stdout and "created" in result.stdout
    assert (
        "+<!-- memory-sync:start" in result.stdout and "-- Decided: use SQLite WAL" in result.stdout
    )


def test_force_without_preserve_backs_up_first(cli, corpus, isolated_env):
    state = corpus(NEW)
    path = _memory(state) / "2026-11-20.md"
    os.chmod(path, 0o600)
    result = cli("backfill", "--force", "--json", "2026-11-20", "--openclaw-dir", state)
    [item] = json.loads(result.stdout)["results"]
    assert item["action"] == "replaced"
    backup = Path(item["backup"])
    assert backup.read_text() == AGENT_FILE
    assert str(backup).startswith(isolated_env["MEMORY_SYNC_STATE_DIR"])
    assert (
        "Decided: use SQLite WAL mode" not in path.read_text().split("<!-- memory-sync:end -->")[1]
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the file's mode is kept


def test_hand_edits_to_the_draft_survive_regeneration(cli, corpus):
    state = corpus(NEW)
    assert cli("backfill", "2026-11-21", "--openclaw-dir", state).exit_code == 0
    path = _memory(state) / "2026-11-21.md"
    edited = path.read_text().replace("## Topics Covered", "## Topics Covered\n- MY OWN NOTE")
    path.write_text(edited)
    assert cli("backfill", "--force", "2026-11-21", "--openclaw-dir", state).exit_code == 0
    text = path.read_text()
    assert text.count("- MY OWN NOTE") == 1 and "edited by hand" in text
    assert find_block(text) is not None and "MY OWN NOTE" not in find_block(text).body


def test_bad_choices_get_one_line(cli, corpus):
    state = corpus(NEW)
    for args, needle in (
        (("2026-13-45",), "not a date"),
        (("2026-11-20", "--all"), "not both"),
        (("--since", "2026-11-22", "--until", "2026-11-21"), "not before"),
        ((), "say which days"),
    ):
        result = cli("backfill", *args, "--openclaw-dir", state)
        assert result.exit_code == 1, args
        assert needle in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_since_until_range(cli, corpus):
    state = corpus(NEW)
    doc = json.loads(
        cli(
            "backfill",
            "--since",
            "2026-11-21",
            "--until",
            "2026-11-22",
            "--json",
            "--openclaw-dir",
            state,
        ).stdout
    )
    assert [r["date"] for r in doc["results"]] == ["2026-11-21"]


def test_a_second_run_waits_then_exits_with_its_own_code(cli, corpus, isolated_env, monkeypatch):
    state = corpus(NEW)
    monkeypatch.setenv("MEMORY_SYNC_LOCK_WAIT", "0.3")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with folder_lock(Path(isolated_env["MEMORY_SYNC_STATE_DIR"]), _memory(state), 1):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(5)
    try:
        result = cli("backfill", "--all", "--openclaw-dir", state)
    finally:
        release.set()
        thread.join()
    assert result.exit_code == 75
    assert "another memory-sync run" in result.stderr
    assert not (_memory(state) / "2026-11-21.md").exists()


def test_incremental_rewrites_exactly_the_days_that_changed(cli, corpus):
    state = corpus(OLD)
    memory = _memory(state)
    args = ("backfill", "--incremental", "--preserve", "--json", "--openclaw-dir", state)
    first = json.loads(cli(*args).stdout)["results"]
    assert [(r["date"], r["action"]) for r in first] == [
        ("2026-11-20", "preserved"),
        ("2026-11-21", "created"),
        ("2026-11-22", "created"),
    ]
    snapshot = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in memory.iterdir()}
    assert json.loads(cli(*args).stdout)["results"] == []  # nothing changed: nothing touched
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in memory.iterdir()} == snapshot
    # a new session on 2026-11-21 only
    t = Transcript(
        datetime(2026, 11, 21, 15, 0, tzinfo=UTC), "1a1a1a1a-0000-4000-8000-000000000001"
    )
    t.user("Afternoon: book the train to Hamburg.")
    t.assistant("Booked the 16:04 ICE to Hamburg.")
    t.write(state / "agents/main/sessions/1a1a1a1a-0000-4000-8000-000000000001.jsonl")
    third = json.loads(cli(*args).stdout)["results"]
    assert [(r["date"], r["action"]) for r in third] == [("2026-11-21", "updated")]
    changed = {
        p.name
        for p in memory.iterdir()
        if (p.read_bytes(), p.stat().st_mtime_ns) != snapshot.get(p.name)
    }
    assert changed == {"2026-11-21.md"}
    assert "book the train to Hamburg" in (memory / "2026-11-21.md").read_text()
    # without --preserve a file that has no block is never touched
    (memory / "2026-11-22.md").write_text("# my own notes\n")
    result = json.loads(cli("backfill", "--incremental", "--json", "--openclaw-dir", state).stdout)
    assert result["results"] == [] and (memory / "2026-11-22.md").read_text() == "# my own notes\n"
    assert cli("backfill", "--incremental", "--all", "--openclaw-dir", state).exit_code == 1


def test_each_date_is_its_own_outcome(cli, corpus):
    """A date with no history is reported on its own; the other dates are still written, and
    the exit code says that not every date could be."""
    from memory_sync.errors import EXIT_PARTIAL

    state = corpus(NEW)
    result = cli("backfill", "2025-01-01", "2026-11-21", "--json", "--openclaw-dir", state)
    assert result.exit_code == EXIT_PARTIAL
    rows = {r["date"]: r for r in json.loads(result.stdout)["results"]}
    assert rows["2025-01-01"]["action"] == "failed" and "no history" in rows["2025-01-01"]["note"]
    assert rows["2026-11-21"]["action"] == "created"
    assert (_memory(state) / "2026-11-21.md").exists()
    human = cli("backfill", "2025-01-01", "--openclaw-dir", state)
    assert human.exit_code == EXIT_PARTIAL and "failed: 2025-01-01: no history" in human.stderr


def test_all_says_how_many_days_were_left_alone(cli, corpus):
    state = corpus(NEW)
    (_memory(state) / "2026-11-21.md").write_text("# 2026-11-21\n\nthe agent's own day\n")
    result = cli("backfill", "--all", "--openclaw-dir", state)
    assert result.exit_code == 0
    assert "2 day(s) already have a file, left alone; --force --preserve completes them" in (
        result.stderr
    )


def test_one_visible_title_when_the_agents_file_has_its_own(cli, corpus):
    """--force --preserve on a file that starts with the agent's own title for that date: our
    block's title goes one level down, the agent's bytes stay exact, and a second run changes
    nothing."""
    state = corpus(NEW)
    path = _memory(state) / "2026-11-21.md"
    own = "# 2026-11-21 — Saturday notes\n\n- bought the drawer\n"
    path.write_text(own)
    args = ("backfill", "--force", "--preserve", "2026-11-21", "--openclaw-dir", state)
    assert cli(*args).exit_code == 0
    text = path.read_text()
    assert text.endswith(own)
    titles = [line for line in text.splitlines() if line.startswith("# ")]
    assert titles == ["# 2026-11-21 — Saturday notes"]
    assert "## 2026-11-21 (Saturday)" in text
    assert find_block(text) is not None and not find_block(text).edited
    assert cli(*args).exit_code == 0 and path.read_text() == text
