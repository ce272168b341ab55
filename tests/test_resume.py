"""Reading only what was added: each run gives exactly what a full read (--no-cache) gives."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, NEW, OLD

SESSION = "33c44f15-f66e-4672-9707-d916a704f308"  # a session of the SQLite corpus
LIVE = "125b0a3d-55a5-48d3-b617-d64701b645a6.jsonl"  # a live transcript of the JSONL corpus


@pytest.fixture
def mixed(corpus: Any) -> Path:
    """Both eras at once: the SQLite corpus plus the JSONL corpus's transcripts."""
    state = corpus(NEW)
    sessions = state / "agents/main/sessions"
    for path in (CORPUS / OLD / "agents/main/sessions").iterdir():
        if path.name != "sessions.json":
            shutil.copy(path, sessions / path.name)
    shutil.copy(CORPUS / OLD / "agents/main/sessions/sessions.json", sessions / "sessions.json")
    return state


def _compare(cli: Any, state: Path, *extra: Any) -> tuple[dict[str, Any], str]:
    result = cli("compare", "--json", "-v", "--openclaw-dir", state, *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def _same_as_full_read(cli: Any, state: Path) -> str:
    got, log = _compare(cli, state)
    assert got == _compare(cli, state, "--no-cache")[0]
    return log


def _new_entry(template: dict[str, Any], n: int, day: str = "2026-11-22") -> dict[str, Any]:
    entry = json.loads(json.dumps(template))
    entry["id"] = f"added{n:04d}"
    entry["timestamp"] = f"{day}T10:{n // 60:02d}:{n % 60:02d}.000Z"
    entry["message"]["timestamp"] = 1_795_000_000_000 + n
    entry["message"]["content"] = [{"type": "text", "text": f"a new question number {n}"}]
    return entry


def _user_line(path: Path) -> dict[str, Any]:
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if entry.get("type") == "message" and entry["message"].get("role") == "user":
            return dict(entry)
    raise AssertionError("no user message")


def _octet_length(value: Any) -> int | None:
    if value is None:
        return None
    return len(value.encode() if isinstance(value, str) else value)


def _add_rows(db: Path, session: str, entries: list[dict[str, Any]]) -> None:
    con = sqlite3.connect(db)
    con.create_function("octet_length", 1, _octet_length)  # OpenClaw's checks use SQLite 3.43+
    (seq,) = con.execute(
        "SELECT max(seq) FROM transcript_events WHERE session_id = ?", (session,)
    ).fetchone()
    con.executemany(
        "INSERT INTO transcript_events (session_id, seq, event_json, created_at) "
        "VALUES (?, ?, ?, 0)",
        [(session, seq + 1 + i, json.dumps(e)) for i, e in enumerate(entries)],
    )
    con.commit()
    con.close()


def _db_user_entry(db: Path) -> dict[str, Any]:
    con = sqlite3.connect(db)
    rows = con.execute(
        'SELECT event_json FROM transcript_events WHERE event_json LIKE \'%"role":"user"%\''
    ).fetchall()
    con.close()
    return dict(json.loads(rows[0][0]))


def test_additions_to_both_stores_are_read_alone(cli, mixed):
    db = mixed / "agents/main/agent/openclaw-agent.sqlite"
    live = mixed / "agents/main/sessions" / LIVE
    _compare(cli, mixed)
    before = _compare(cli, mixed)[0]

    _add_rows(db, SESSION, [_new_entry(_db_user_entry(db), n) for n in range(3)])
    with live.open("a") as handle:
        for n in range(3, 5):
            handle.write(json.dumps(_new_entry(_user_line(live), n)) + "\n")
    log = _same_as_full_read(cli, mixed)
    assert "index brought up to date: 5 new entries from 2 source(s)" in log
    after = _compare(cli, mixed)[0]
    day = {d["date"]: d for d in after["days"]}["2026-11-22"]
    old_day = {d["date"]: d for d in before["days"]}["2026-11-22"]
    assert day["messages"]["user"] == old_day["messages"]["user"] + 5


def test_a_new_copy_that_a_full_read_would_prefer_reads_everything(cli, mixed):
    sessions = mixed / "agents/main/sessions"
    _compare(cli, mixed)
    live = sessions / LIVE
    header, *entries = live.read_text().splitlines()
    # "0000…" comes first in reading order, so a full read counts its copy and drops the other
    copy = json.loads(header)
    copy["id"] = "00000000-0000-4000-8000-000000000000"
    (sessions / f"{copy['id']}.jsonl").write_text(json.dumps(copy) + "\n" + entries[-1] + "\n")
    log = _same_as_full_read(cli, mixed)
    assert "reading everything again" in log and "is a copy of one read later" in log


def test_a_copy_read_after_the_original_is_dropped_without_a_full_read(cli, mixed):
    sessions = mixed / "agents/main/sessions"
    _compare(cli, mixed)
    header, *entries = (sessions / LIVE).read_text().splitlines()
    copy = json.loads(header)
    copy["id"] = "ffffffff-0000-4000-8000-000000000000"
    (sessions / f"{copy['id']}.jsonl").write_text(json.dumps(copy) + "\n" + entries[-1] + "\n")
    log = _same_as_full_read(cli, mixed)
    assert "index brought up to date: 0 new entries" in log


def test_an_unfinished_last_line_is_read_once_it_is_complete(cli, mixed):
    live = mixed / "agents/main/sessions" / LIVE
    _compare(cli, mixed)
    line = json.dumps(_new_entry(_user_line(live), 7))
    with live.open("a") as handle:
        handle.write(line[:40])  # a write in progress
    got, log = _compare(cli, mixed)
    assert "1 truncated last line" in log
    assert got == _compare(cli, mixed, "--no-cache")[0]
    with live.open("a") as handle:
        handle.write(line[40:] + "\n")
    log = _same_as_full_read(cli, mixed)
    assert "index brought up to date: 1 new entries" in log and "truncated" not in log


@pytest.mark.parametrize(
    "change",
    ["rewrite", "rename", "vacuum-delete", "session-key", "corrupt-streams"],
)
def test_changes_that_are_not_additions_read_everything(cli, mixed, change):
    sessions = mixed / "agents/main/sessions"
    db = mixed / "agents/main/agent/openclaw-agent.sqlite"
    _compare(cli, mixed)
    live = sessions / LIVE
    if change == "rewrite":  # same size, other bytes
        text = live.read_text()
        live.write_text(text.replace('"user"', '"User"', 1))
    elif change == "rename":
        live.rename(sessions / (LIVE + ".reset.2026-11-22T12-00-00.000Z"))
    elif change == "vacuum-delete":
        con = sqlite3.connect(db)
        con.create_function("octet_length", 1, _octet_length)
        con.execute("DELETE FROM transcript_events WHERE session_id = ? AND seq > 3", (SESSION,))
        con.commit()
        con.execute("VACUUM")
        con.close()
    elif change == "session-key":
        store = json.loads((sessions / "sessions.json").read_text())
        for entry in store.values():
            entry["sessionId"] = "someone-else"
        (sessions / "sessions.json").write_text(json.dumps(store))
    else:
        index_file = next((mixed.parent / "ms-state" / "index").glob("*.sqlite"))
        con = sqlite3.connect(index_file)
        con.execute("DROP TABLE streams")
        con.commit()
        con.close()
        with live.open("a") as handle:
            handle.write(json.dumps(_new_entry(_user_line(live), 9)) + "\n")
    log = _same_as_full_read(cli, mixed)
    assert "index brought up to date" not in log


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_incremental_backfill_rewrites_exactly_the_changed_day(cli, mixed, tmp_path):
    memory = mixed / "workspace/memory"
    db = mixed / "agents/main/agent/openclaw-agent.sqlite"
    args = ("--openclaw-dir", mixed, "-v")
    assert cli("backfill", "--all", *args).exit_code == 0
    assert "nothing to do" in cli("backfill", "--incremental", *args).stderr
    before = _digests(memory)

    _add_rows(db, SESSION, [_new_entry(_db_user_entry(db), n, "2026-11-21") for n in range(2)])
    result = cli("backfill", "--incremental", "--json", *args)
    assert result.exit_code == 0, result.stderr
    assert "read " in result.stderr and "stream(s) for 1 day(s)" in result.stderr
    changed = sorted(n for n, digest in _digests(memory).items() if before.get(n) != digest)
    assert changed == ["2026-11-21.md"]

    # the rewritten file is the one a full read writes
    full = tmp_path / "full-memory"
    shutil.copytree(memory, full)
    (full / "2026-11-21.md").unlink()
    done = cli("backfill", "2026-11-21", "--no-cache", "--memory-dir", full, *args)
    assert done.exit_code == 0, done.stderr
    assert (full / "2026-11-21.md").read_bytes() == (memory / "2026-11-21.md").read_bytes()


def test_an_index_saved_by_another_run_meanwhile_is_not_mixed_in(cli, mixed):
    from memory_sync.config import Options, resolve
    from memory_sync.history import index

    _compare(cli, mixed)
    [settings] = resolve(Options(openclaw_dir=mixed))
    loaded = index.load(settings.index_path, print)
    assert loaded is not None
    live = mixed / "agents/main/sessions" / LIVE
    with live.open("a") as handle:  # another run brings the index up to date first
        handle.write(json.dumps(_new_entry(_user_line(live), 11)) + "\n")
    assert "index brought up to date" in _compare(cli, mixed)[1]
    with pytest.raises(index.IndexChanged):
        index.load_marks(settings.index_path, loaded)
    with pytest.raises(index.IndexChanged):
        dict(index.stream_keys(settings.index_path, loaded.generation))
    fresh = index.load(settings.index_path, print)
    assert fresh is not None and fresh.generation == loaded.generation + 1
    assert index.load_streams(settings.index_path, [], fresh.generation) == {}
    refused = index.save(
        settings.index_path, loaded, [], replace_all=False, expected_generation=loaded.generation
    )
    assert refused is False


def _mutate(rng: Any, state: Path, step: int) -> str:
    """One random change of the kind a live OpenClaw (or a person) makes."""
    sessions = state / "agents/main/sessions"
    db = state / "agents/main/agent/openclaw-agent.sqlite"
    files = sorted(p for p in sessions.glob("*.jsonl") if p.stat().st_size > 0)
    live = rng.choice(files)
    template = _user_line(sessions / LIVE)
    day = rng.choice(["2026-11-20", "2026-11-21", "2026-11-22"])
    kind = rng.choice(["append", "rows", "new-file", "copy", "partial", "truncate"])
    if kind == "append":
        with live.open("a") as handle:
            handle.write(json.dumps(_new_entry(template, 100 + step, day)) + "\n")
    elif kind == "rows":
        _add_rows(db, SESSION, [_new_entry(_db_user_entry(db), 200 + step, day)])
    elif kind == "new-file":
        name = f"{rng.choice('0123456789abcdef')}{step:07d}-0000-4000-8000-000000000000"
        header = json.dumps({"type": "session", "version": 3, "id": name, "timestamp": "x"})
        entry = json.dumps(_new_entry(template, 300 + step, day))
        (sessions / f"{name}.jsonl").write_text(header + "\n" + entry + "\n")
    elif kind == "copy":  # an old entry again, in a file that sorts before or after it
        name = f"{rng.choice('0f')}{step:07d}-1111-4000-8000-000000000000"
        header = json.dumps({"type": "session", "version": 3, "id": name, "timestamp": "x"})
        old_line = rng.choice(live.read_text().splitlines()[1:] or [""])
        (sessions / f"{name}.jsonl").write_text(header + "\n" + old_line + "\n")
    elif kind == "partial":
        line = json.dumps(_new_entry(template, 400 + step, day))
        with live.open("a") as handle:
            handle.write(line[: rng.randint(1, len(line) - 1)])
    else:
        lines = live.read_text().splitlines(keepends=True)
        live.write_text("".join(lines[: max(1, len(lines) - rng.randint(1, 3))]))
    return f"{kind} {live.name}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_changes_always_give_the_full_read_result(cli, mixed, seed):
    """A fixed, bounded number of random changes; after each, the index's answer (resumed or
    read again) equals a full read's."""
    import random

    rng = random.Random(seed)
    _compare(cli, mixed)
    for step in range(6):
        change = _mutate(rng, mixed, step)
        got, log = _compare(cli, mixed)
        assert got == _compare(cli, mixed, "--no-cache")[0], (change, log)


@pytest.mark.parametrize("part", ["figures", "marks"])
def test_an_index_with_valid_sqlite_but_wrong_content_is_rebuilt(cli, mixed, part):
    _compare(cli, mixed)
    index_file = next((mixed.parent / "ms-state" / "index").glob("*.sqlite"))
    con = sqlite3.connect(index_file)
    table = "meta SET figures" if part == "figures" else "marks SET data"
    con.execute(f"UPDATE {table} = ?", (b'{"days": [], "segments": [], "files": 3}',))
    con.commit()
    con.close()
    live = mixed / "agents/main/sessions" / LIVE
    with live.open("a") as handle:  # so the marks are needed too
        handle.write(json.dumps(_new_entry(_user_line(live), 21)) + "\n")
    got, log = _compare(cli, mixed)
    assert "damaged; rebuilding" in log
    assert got == _compare(cli, mixed, "--no-cache")[0]


def test_a_file_gone_before_it_is_marked_gives_a_mark_no_later_run_trusts(tmp_path):
    from memory_sync.history.sources import imported_mark
    from memory_sync.stores.jsonl import FileMark

    mark = imported_mark(tmp_path / "session-sqlite-import-archive" / "gone.jsonl")
    assert mark == FileMark(str(tmp_path / "session-sqlite-import-archive" / "gone.jsonl"))
    assert not mark.imported and mark.ino == 0  # so resume sees a change and reads again
