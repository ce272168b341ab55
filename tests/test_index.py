"""The index: a fresh one answers without reading; any change to a source reads again."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from memory_sync.history import index
from tests.conftest import NEW, OLD


def _compare(cli, state, *extra):
    result = cli("compare", "--json", "-v", "--openclaw-dir", state, *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_a_fresh_index_answers_without_reading(cli, corpus):
    state = corpus(NEW)
    first, log1 = _compare(cli, state)
    assert "read " in log1 and "figures from the index" not in log1
    second, log2 = _compare(cli, state)
    assert "figures from the index" in log2
    assert second == first
    index_line = next(line for line in log2.splitlines() if line.strip().startswith("index:"))
    assert Path(index_line.split("index:", 1)[1].strip()).is_file()
    no_cache, log3 = _compare(cli, state, "--no-cache")
    assert no_cache == first and "figures from the index" not in log3


def test_every_kind_of_change_gives_the_no_cache_result(cli, corpus):
    state = corpus(OLD)
    sessions = state / "agents/main/sessions"
    _compare(cli, state)  # warm the index

    # 1. an append to a live transcript
    live = sessions / "125b0a3d-55a5-48d3-b617-d64701b645a6.jsonl"
    lines = live.read_text().splitlines()
    extra = json.loads(lines[-2])
    extra["id"], extra["timestamp"] = "beefbeef", "2026-11-22T10:00:00.000Z"
    extra["message"]["timestamp"] += 60_000
    live.write_text("\n".join([*lines, json.dumps(extra)]) + "\n")
    got, log = _compare(cli, state)
    assert "figures from the index" not in log
    assert got == _compare(cli, state, "--no-cache")[0]

    # 2. a transcript truncated (rewritten shorter)
    live.write_text("\n".join(lines[:8]) + "\n")
    got, _ = _compare(cli, state)
    assert got == _compare(cli, state, "--no-cache")[0]
    assert got["days"][-1]["messages"]["user"] < 4

    # 3. the index itself corrupted
    index_file = next((Path(state).parent / "ms-state" / "index").glob("*.sqlite"))
    index_file.write_bytes(b"not a database at all" * 50)
    got, log = _compare(cli, state)
    assert "damaged; rebuilding" in log
    assert got == _compare(cli, state, "--no-cache")[0]


def test_an_index_that_cannot_be_saved_is_one_notice_and_costs_nothing_else(cli, corpus):
    """A state folder where the index cannot be written (here its file's place is taken by a
    folder; a full disk gives the same): one line that names it and says what to do, and the
    same result. An empty index file, what a failed first save leaves, is no index at all."""
    state = corpus(NEW)
    expected, _ = _compare(cli, state, "--no-cache")
    _compare(cli, state)
    index_file = next((Path(state).parent / "ms-state" / "index").glob("*.sqlite"))
    index_file.unlink()
    index_file.mkdir()
    got, log = _compare(cli, state)
    assert got == expected
    notices = [line for line in log.splitlines() if line.startswith("notice:")]
    assert len(notices) == 1 and str(index_file) in notices[0], log
    assert "could not save the index" in notices[0] and "MEMORY_SYNC_STATE_DIR" in notices[0]
    index_file.rmdir()
    index_file.write_bytes(b"")
    got, log = _compare(cli, state)
    assert got == expected and "notice:" not in log
    assert index_file.stat().st_size > 0  # saved this time


def test_a_replaced_database_is_read_again(cli, corpus):
    state = corpus(NEW)
    before, _ = _compare(cli, state)
    db = state / "agents/main/agent/openclaw-agent.sqlite"
    replacement = db.with_name("rebuilt.sqlite")
    shutil.copy(db, replacement)
    con = sqlite3.connect(replacement)
    con.execute("DELETE FROM transcript_events WHERE session_id LIKE '58834811%'")  # research
    con.commit()
    con.close()
    replacement.replace(db)
    after, log = _compare(cli, state)
    assert "figures from the index" not in log
    assert after == _compare(cli, state, "--no-cache")[0]
    day = {d["date"]: d for d in after["days"]}["2026-11-20"]
    assert (
        day["messages"]["user"]
        == {d["date"]: d for d in before["days"]}["2026-11-20"]["messages"]["user"] - 2
    )


def test_stats_transitions_validate_use_the_index(cli, corpus):
    state = corpus(NEW)
    for command in ("stats", "transitions", "validate"):
        cold = cli(command, "--json", "--openclaw-dir", state)
        warm = cli(command, "--json", "--openclaw-dir", state)
        assert cold.exit_code == warm.exit_code == 0
        assert json.loads(cold.stdout) == json.loads(warm.stdout)


def test_an_index_another_run_holds_is_left_to_it(tmp_path):
    """A save that finds the index busy (another run writing it) is no failure to report, and
    the other run's file, still empty before its first commit, is left where it is."""
    path = tmp_path / "index.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiting = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        waiting.execute("BEGIN IMMEDIATE")
        raise AssertionError("the index was not busy")
    except sqlite3.OperationalError as busy:
        assert not index._cannot_write(path, busy)
    assert path.exists()
    holder.close()
    waiting.close()
    assert index._cannot_write(path, OSError(28, "No space left on device"))
    assert not path.exists()  # an empty file left by a failed first write is no index
