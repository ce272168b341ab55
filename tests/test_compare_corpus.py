"""compare on data written by the real OpenClaw: the corpus READMEs' expected facts, both eras."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import zstandard

from tests.conftest import NEW, OLD, by_date, compare_json

# Expected facts from tests/data/corpus/*/README.md (user, assistant, tool results, sessions).
NEW_FACTS = {
    "2026-11-20": ({"user": 9, "assistant": 9, "tool": 3}, 2),
    "2026-11-21": ({"user": 8, "assistant": 8, "tool": 3}, 1),
    "2026-11-22": ({"user": 7, "assistant": 7, "tool": 0}, 4),
}
OLD_FACTS = {
    "2026-11-20": ({"user": 7, "assistant": 8, "tool": 2}, 3),
    "2026-11-21": ({"user": 4, "assistant": 4, "tool": 1}, 1),
    "2026-11-22": ({"user": 4, "assistant": 4, "tool": 0}, 2),
}


def _assert_facts(document: dict, facts: dict) -> None:
    days = by_date(document)
    assert sorted(days) == sorted(facts)
    for date, (messages, sessions) in facts.items():
        assert days[date]["messages"] == messages, date
        assert days[date]["sessions"] == sessions, date


def test_sqlite_era_counts_match_the_corpus_readme(cli, corpus):
    doc = compare_json(cli, "--openclaw-dir", corpus(NEW))
    _assert_facts(doc, NEW_FACTS)
    assert doc["timezone"] == "Europe/Berlin"
    assert doc["problems"] == []
    days = by_date(doc)
    assert days["2026-11-20"]["noise_by_kind"] == {"command": 2, "command_reply": 2}
    assert days["2026-11-21"]["compactions"] == 1
    assert days["2026-11-20"]["resets"] == 1 and days["2026-11-22"]["resets"] == 1
    # The deleted scratch session lives only in the .zst archive (and the archive table).
    assert any(s.startswith("643ea044") for s in days["2026-11-22"]["session_ids"])


def test_sqlite_era_model_transitions(cli, corpus):
    doc = compare_json(cli, "--openclaw-dir", corpus(NEW))
    got = [(t["date"], t["time"], t["session_key"], t["from"], t["to"]) for t in doc["transitions"]]
    assert got == [
        ("2026-11-20", "08:59:10", "agent:main:main", "fake/alpha", "fake/beta"),
        ("2026-11-20", "14:30:30", "agent:main:main", "fake/beta", "fake/alpha"),
        ("2026-11-21", "10:15:49", "agent:main:main", "fake/alpha", "fake/beta"),
        ("2026-11-22", "09:40:38", "agent:main:main", "fake/beta", "fake/alpha"),
    ]


def test_legacy_era_counts_and_transitions(cli, corpus):
    doc = compare_json(cli, "--openclaw-dir", corpus(OLD))
    _assert_facts(doc, OLD_FACTS)
    days = by_date(doc)
    # The synthetic /new prompt is noise, its greeting reply is a real reply.
    assert days["2026-11-20"]["noise_by_kind"] == {"command_reply": 2, "reset_prompt": 1}
    got = [(t["date"], t["time"], t["from"], t["to"]) for t in doc["transitions"]]
    assert got == [
        ("2026-11-20", "08:58:51", "fake/alpha", "fake/beta"),
        ("2026-11-20", "14:30:14", "fake/beta", "fake/alpha"),
        ("2026-11-22", "09:40:19", "fake/alpha", "fake/beta"),
    ]
    assert doc["transitions"][-1]["session_key"] == "agent:main:main"


def test_statuses_and_memory_files(cli, corpus):
    doc = compare_json(cli, "--openclaw-dir", corpus(NEW))
    days = by_date(doc)
    assert days["2026-11-20"]["status"] == "sparse"  # 220 bytes for 18 conversation messages
    assert days["2026-11-21"]["status"] == "missing"  # only the hook's 2026-11-21-1015.md
    assert days["2026-11-22"]["status"] == "missing"
    names = [Path(f["path"]).name for f in days["2026-11-22"]["memory_files"]]
    assert names == ["2026-11-22-0940-2.md", "2026-11-22-0940-3.md", "2026-11-22-0940.md"]
    assert doc["gaps"] == ["2026-11-20", "2026-11-21", "2026-11-22"]


def test_midnight_splits_a_session_between_two_days(cli, corpus):
    state = corpus(NEW)
    doc = compare_json(cli, "--openclaw-dir", state)
    days = by_date(doc)
    sid = "33c44f15-f66e-4672-9707-d916a704f308"
    assert sid in days["2026-11-21"]["session_ids"] and sid in days["2026-11-22"]["session_ids"]
    # In UTC the two post-midnight exchanges fall on 2026-11-21.
    utc = by_date(compare_json(cli, "--openclaw-dir", state, "--tz", "UTC"))
    assert utc["2026-11-21"]["messages"]["user"] == 8 + 2


def _export_sqlite_as_jsonl(state: Path, target: Path) -> int:
    """Write each session of the database as a JSONL transcript, as `openclaw doctor` archives."""
    db = state / "agents/main/agent/openclaw-agent.sqlite"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    target.mkdir(parents=True)
    dctx = zstandard.ZstdDecompressor()
    count = 0
    rows = con.execute(
        "SELECT session_id, event_json, event_zstd FROM transcript_events ORDER BY session_id, seq"
    )
    files: dict[str, list[str]] = {}
    for sid, text, blob in rows:
        files.setdefault(sid, []).append(
            text if text is not None else dctx.decompress(blob).decode()
        )
    for sid, lines in files.items():
        (target / f"{sid}.jsonl").write_text("\n".join(lines) + "\n")
        count += 1
    con.close()
    return count


def test_both_eras_at_once_count_each_message_once(cli, corpus):
    """A 2026.9 database, its JSONL import archive, and older legacy transcripts together."""
    state = corpus(NEW)
    old = corpus(OLD)
    sessions = state / "agents/main/sessions"
    assert _export_sqlite_as_jsonl(state, sessions / "session-sqlite-import-archive") == 5
    for path in (old / "agents/main/sessions").glob("*.jsonl*"):
        shutil.copy(path, sessions / path.name)
    doc = compare_json(cli, "--openclaw-dir", state)
    days = by_date(doc)
    for date in NEW_FACTS:
        for role in ("user", "assistant", "tool"):
            expected = NEW_FACTS[date][0][role] + OLD_FACTS[date][0][role]
            assert days[date]["messages"][role] == expected, (date, role)
    assert doc["problems"] == []


def test_json_goes_to_stdout_only(cli, corpus):
    result = cli("compare", "--json", "-v", "--openclaw-dir", corpus(NEW))
    json.loads(result.stdout)  # nothing else on stdout
    assert "timezone: Europe/Berlin" in result.stderr
    assert "openclaw.json agents.defaults.userTimezone" in result.stderr


def test_check_exit_code_for_cron(cli, corpus):
    state = corpus(NEW)
    assert cli("compare", "--openclaw-dir", state).exit_code == 0
    assert cli("compare", "--check", "--openclaw-dir", state).exit_code == 3


def test_table_output_names_days_and_totals(cli, corpus):
    result = cli("compare", "--openclaw-dir", corpus(OLD))
    assert result.exit_code == 0
    assert "2026-11-21" in result.stdout and "missing" in result.stdout
    assert "3 days with history" in result.stdout


def _both_eras_with_import_copies(corpus: Any) -> Path:
    """The SQLite corpus, its sessions exported to the import archive, and the JSONL corpus."""
    state = corpus(NEW)
    old = corpus(OLD)
    sessions = state / "agents/main/sessions"
    _export_sqlite_as_jsonl(state, sessions / "session-sqlite-import-archive")
    for path in (old / "agents/main/sessions").glob("*.jsonl*"):
        shutil.copy(path, sessions / path.name)
    return Path(state)


def test_parallel_scan_gives_exactly_the_sequential_result(cli, corpus, monkeypatch):
    """Worker processes parse; the main process de-duplicates in the sequential order."""
    state = _both_eras_with_import_copies(corpus)
    sessions = state / "agents/main/sessions"
    (sessions / "broken.jsonl").write_text('{"type":"session","id":"b"}\n{not json\n')
    monkeypatch.setenv("MEMORY_SYNC_WORKERS", "1")
    sequential = cli("compare", "--json", "--openclaw-dir", state)
    monkeypatch.setenv("MEMORY_SYNC_WORKERS", "2")
    parallel = cli("compare", "--json", "--openclaw-dir", state)
    assert sequential.exit_code == parallel.exit_code == 0
    assert json.loads(parallel.stdout) == json.loads(sequential.stdout)
    assert json.loads(parallel.stdout)["problems"][0]["skipped"] == 1


def test_parallel_backfill_writes_exactly_the_sequential_files(cli, corpus, monkeypatch, tmp_path):
    """Workers make each event's notes; the main process adds them up in the sequential order."""
    state = _both_eras_with_import_copies(corpus)
    written = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("MEMORY_SYNC_WORKERS", workers)
        memory = tmp_path / f"memory-{workers}"
        shutil.copytree(state / "workspace/memory", memory)
        result = cli(
            "backfill", "--all", "--no-cache", "--openclaw-dir", state, "--memory-dir", memory
        )
        assert result.exit_code == 0, result.stderr
        written[workers] = {p.name: p.read_bytes() for p in sorted(memory.iterdir())}
    assert written["1"] == written["2"]
    assert any(b"memory-sync:start" in text for text in written["2"].values())
