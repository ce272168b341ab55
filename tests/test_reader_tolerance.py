"""Broken input never crashes the reader and never loses the valid entries around it."""

from __future__ import annotations

import io
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory_sync.events import Kind
from memory_sync.history.sources import read_events
from memory_sync.locate import HistorySources
from memory_sync.problems import Problems
from memory_sync.stores.jsonl import is_transcript_name, list_jsonl_sources
from memory_sync.stores.lines import bounded_lines
from memory_sync.timeutil import DayClock, load_zone
from tests.builders import Transcript
from tests.conftest import by_date, compare_json

START = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
CLOCK = DayClock(load_zone("UTC", "test"))


def _conversation(n: int = 6) -> Transcript:
    t = Transcript(START)
    t.add("model_change", provider="fake", modelId="alpha")
    for i in range(n):
        t.user(f"question number {i}")
        t.assistant(f"answer number {i}")
    return t


def _events(*paths: Path, dbs: tuple[Path, ...] = ()) -> tuple[list, Problems]:
    problems = Problems()
    events = list(read_events(HistorySources(dbs, tuple(paths)), CLOCK, problems))
    return events, problems


def _texts(events: list) -> list[str]:
    return [e.text for e in events if e.kind in (Kind.USER, Kind.ASSISTANT)]


def test_garbage_in_the_middle_and_a_truncated_last_line(tmp_path, cli, isolated_env):
    lines = _conversation().lines()
    broken = [*lines[:5], "{not json", "\x00\x01garbage", "[1, 2, 3]", *lines[5:-1]]
    path = tmp_path / "sessions" / "a.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join(broken) + "\n" + lines[-1][: len(lines[-1]) // 2])
    events, problems = _events(path)
    assert len(_texts(events)) == 12 - 1  # only the truncated final answer is lost
    [damage] = problems.items()
    assert damage.skipped == 4
    assert damage.reasons == {"invalid JSON": 2, "non-object JSON": 1, "truncated last line": 1}
    memory = tmp_path / "memory"
    memory.mkdir()
    result = cli("compare", "--sessions-dir", path.parent, "--memory-dir", memory)
    assert result.exit_code == 0
    summary = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(summary) == 1 and str(path) in summary[0] and "skipped 4" in summary[0]
    doc = compare_json(cli, "--sessions-dir", path.parent, "--memory-dir", memory)
    assert by_date(doc)["2026-03-10"]["messages"] == {"user": 6, "assistant": 5, "tool": 0}
    assert doc["problems"][0]["skipped"] == 4


def test_invalid_utf8_is_repaired_not_dropped(tmp_path):
    t = _conversation(2)
    raw = [line.encode() for line in t.lines()]
    raw[2] = raw[2].replace(b"question number 0", b"question \xff\xfe number 0")
    path = tmp_path / "b.jsonl"
    path.write_bytes(b"\n".join(raw) + b"\n")
    events, problems = _events(path)
    assert len(_texts(events)) == 4
    assert problems.items()[0].repaired == 1


def test_missing_header_dangling_parents_unknown_types_v1(tmp_path):
    t = _conversation(3)
    lines = t.lines()[1:]  # no header
    entries = [json.loads(x) for x in lines]
    entries[3]["parentId"] = "deadbeef"  # dangling
    for e in entries[4:]:
        e.pop("id"), e.pop("parentId")  # v1: no tree at all
    entries.insert(2, {"type": "brand_new_type", "id": "x1", "timestamp": entries[1]["timestamp"]})
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    events, problems = _events(path)
    assert len(_texts(events)) == 6
    assert "no session header" in problems.items()[0].reason_text()


def test_string_content_reset_entries_and_other_roles(tmp_path):
    t = Transcript(START, version=4)
    t.message({"role": "user", "content": "plain string content"})
    t.assistant("reply one")
    t.add("reset", reason="new")
    t.add("custom_message", customType="openclaw.runtime-context", content="ctx", display=False)
    t.add("branch_summary", fromId="root", summary="s")
    t.add("label", targetId="x", label="l")
    t.add("session_info", name="n")
    t.message({"role": "bashExecution", "command": "ls", "output": "a\nb", "exitCode": 0})
    t.message(
        {
            "role": "assistant",
            "content": [],
            "provider": "fake",
            "model": "alpha",
            "stopReason": "error",
            "errorMessage": "rate limited",
        }
    )
    t.message(
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "hmm"},
                {"type": "text", "text": "NO_REPLY"},
            ],
            "provider": "fake",
            "model": "alpha",
        }
    )
    path = t.write(tmp_path / "d.jsonl")
    events, problems = _events(path)
    kinds = [e.kind for e in events]
    assert Kind.RESET in kinds and Kind.ERROR in kinds and Kind.TOOL_RESULT in kinds
    assert _texts(events) == ["plain string content", "reply one"]
    noise = sorted(e.noise for e in events if e.kind is Kind.NOISE)
    assert noise == ["injected_context", "no_reply"]
    assert not problems


def test_overlong_lines_are_skipped_and_counted():
    data = b'{"a":1}\n' + b"x" * 5000 + b"\n" + b'{"b":2}\n'
    lines = list(bounded_lines(io.BytesIO(data), limit=1024))
    assert lines == [b'{"a":1}\n', None, b'{"b":2}\n']


def test_a_very_long_valid_line_is_read(tmp_path):
    t = _conversation(1)
    t.assistant("long " * 400_000)  # 2 MB reply
    t.user("after the long line")
    events, problems = _events(t.write(tmp_path / "e.jsonl"))
    assert _texts(events)[-1] == "after the long line"
    assert not problems


def test_non_transcripts_are_skipped(tmp_path):
    folder = tmp_path / "sessions"
    _conversation(1).write(folder / "s1.jsonl")
    (folder / "s1.jsonl.lock").write_text('{\n  "pid": 1\n}')
    (folder / "s1.trajectory.jsonl").write_text('{"traceSchema":"openclaw-trajectory"}\n')
    (folder / "s1.acp-stream.jsonl").write_text('{"x":1}\n')
    (folder / "sessions.json").write_text("{}")
    (folder / "notes.jsonl").write_text('{"traceSchema":"x","type":"user.message"}\n')
    names = [p.name for p in list_jsonl_sources(folder)]
    assert names == ["notes.jsonl", "s1.jsonl"]
    events, problems = _events(*list_jsonl_sources(folder))
    assert len(_texts(events)) == 2 and not problems
    for name in (
        "a.jsonl.reset.2026-04-12T08-15-30.123Z",
        "a.jsonl.deleted.2026-04-12T08-15-30Z",
        "a.jsonl.bak-12-1700000000000",
        "x.checkpoint.abc.jsonl",
        "c.jsonl.zst",
    ):
        assert is_transcript_name(name)


def test_zstd_archives_and_damaged_ones(tmp_path):
    t = _conversation(4)
    data = ("\n".join(t.lines()) + "\n").encode()
    good = tmp_path / "cold" / "abc.jsonl.zst"
    good.parent.mkdir()
    good.write_bytes(zstandard.ZstdCompressor().compress(data))
    events, problems = _events(good)
    assert len(_texts(events)) == 8 and not problems
    bad = tmp_path / "bad.jsonl.deleted.2026-03-10T10-00-00.000Z.zst"
    blob = zstandard.ZstdCompressor().compress(data)
    bad.write_bytes(blob[: len(blob) // 2])
    events, problems = _events(bad)
    assert "damaged" in problems.items()[0].reason_text()


def test_corrupt_database_is_one_problem_and_files_still_read(tmp_path):
    db = tmp_path / "agent" / "openclaw-agent.sqlite"
    db.parent.mkdir()
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    path = _conversation(2).write(tmp_path / "sessions" / "a.jsonl")
    events, problems = _events(path, dbs=(db,))
    assert len(_texts(events)) == 4
    [damage] = problems.items()
    assert damage.source == str(db) and "integrity_check" in damage.reason_text()


def test_database_layout_not_understood(tmp_path):
    db = tmp_path / "openclaw-agent.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE session_nodes (session_key TEXT)")
    con.execute("CREATE TABLE schema_meta (schema_version INTEGER)")
    con.execute("INSERT INTO schema_meta VALUES (99)")
    con.commit()
    con.close()
    _, problems = _events(dbs=(db,))
    assert "layout not understood (agent schema 99" in problems.items()[0].reason_text()


def test_database_is_read_without_changing_a_byte(tmp_path, corpus):
    state = corpus("openclaw-2026.9.6")
    db = state / "agents/main/agent/openclaw-agent.sqlite"
    before = db.read_bytes()
    events, problems = _events(dbs=(db,))
    assert db.read_bytes() == before
    assert not problems
    # 23 live user messages plus the deleted session's one, from the archive table's blob
    assert sum(e.kind is Kind.USER for e in events) == 24


def test_a_writer_holding_the_database_does_not_block_reading(tmp_path, corpus):
    state = corpus("openclaw-2026.9.6")
    db = state / "agents/main/agent/openclaw-agent.sqlite"
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE session_nodes SET updated_at = updated_at + 1")
    try:
        events, problems = _events(dbs=(db,))
    finally:
        writer.rollback()
        writer.close()
    assert not problems and sum(e.kind is Kind.USER for e in events) == 24


_VALID = _conversation(5).lines()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    junk=st.lists(
        st.one_of(
            st.binary(max_size=80).filter(lambda b: b"\n" not in b),
            st.builds(
                lambda v: json.dumps(v).encode(),
                st.recursive(
                    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: (
                        st.lists(c, max_size=3)
                        | st.dictionaries(st.text(max_size=5), c, max_size=3)
                    ),
                    max_leaves=8,
                ),
            ),
        ),
        max_size=6,
    ),
    where=st.integers(min_value=1, max_value=len(_VALID)),
    cut=st.integers(min_value=0, max_value=400),
)
def test_fuzz_junk_and_truncation_never_crash_or_lose_valid_lines(
    tmp_path_factory, junk, where, cut
):
    tmp = tmp_path_factory.mktemp("fuzz")
    lines = [x.encode() for x in _VALID]
    tail = lines[-1][:cut] if cut < len(lines[-1]) else lines[-1]
    body = lines[:where] + junk + lines[where:-1]
    path = tmp / "f.jsonl"
    path.write_bytes(b"\n".join(body) + b"\n" + tail)
    events, _ = _events(path)
    texts = _texts(events)
    expected = [json.loads(x)["message"]["content"][0]["text"] for x in _VALID[2:-1]]
    for text in expected:  # every valid message survives, whatever junk surrounds it
        assert text in texts
