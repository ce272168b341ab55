"""stats, transitions, extract, validate, completion and the OpenClaw skill, with figures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import NEW, OLD

ROOT = Path(__file__).resolve().parents[1]


def _json(cli, *args):
    result = cli(*args)
    assert result.exit_code in (0, 3), result.stderr
    return json.loads(result.stdout)


def test_stats_figures_on_both_eras(cli, corpus):
    doc = _json(cli, "stats", "--json", "--openclaw-dir", corpus(NEW))
    assert doc["coverage"] == {
        "days_with_history": 3,
        "ok": 0,
        "sparse": 1,
        "missing": 2,
        "noise_only": 0,
        "orphans": 0,
    }
    assert doc["messages_per_day"] == {"2026-11-20": 21, "2026-11-21": 19, "2026-11-22": 14}
    assert doc["messages_per_week"] == {"2026-W47": 54}
    assert doc["models"] == {"fake/alpha": 19, "fake/beta": 11}  # replies and tool-call turns
    assert doc["busiest_days"][0] == {"date": "2026-11-20", "messages": 21}
    assert doc["compactions"] == 1
    calendar = {d["date"]: d for d in doc["calendar"]}
    assert calendar["2026-11-20"] == {"date": "2026-11-20", "status": "sparse", "messages": 21}
    assert doc["calendar"][-1]["date"] == "2026-11-22"  # ends at the last day with history
    old = _json(cli, "stats", "--json", "--openclaw-dir", corpus(OLD))
    assert old["messages_per_day"] == {"2026-11-20": 17, "2026-11-21": 9, "2026-11-22": 8}


def test_stats_calendar_marks_each_day(cli, corpus):
    state = corpus(NEW)
    assert cli("backfill", "--all", "--openclaw-dir", state).exit_code == 0
    doc = _json(cli, "stats", "--json", "--weeks", "52", "--openclaw-dir", state)
    cells = {d["date"]: d["status"] for d in doc["calendar"]}
    assert cells["2026-11-20"] == "sparse" and cells["2026-11-21"] == "ok"
    assert cells["2026-11-22"] == "ok" and cells["2026-11-19"] == "none"
    assert doc["calendar"][-1]["date"] == "2026-11-22" and len(doc["calendar"]) == 7 * 51 + 7
    until = _json(cli, "stats", "--json", "--until", "2026-12-01", "--openclaw-dir", state)
    assert until["calendar"][-1] == {"date": "2026-11-30", "status": "none", "messages": 0}
    text = cli("stats", "--weeks", "52", "--no-color", "--openclaw-dir", state).stdout
    assert "# ok  + sparse  x missing  · no history" in text


def test_transitions_with_channel_and_range(cli, corpus):
    state = corpus(NEW)
    doc = _json(cli, "transitions", "--json", "--openclaw-dir", state)
    assert [
        (t["date"], t["time"], t["from"], t["to"], t["channel"]) for t in doc["transitions"]
    ] == [
        ("2026-11-20", "08:59:10", "fake/alpha", "fake/beta", "main"),
        ("2026-11-20", "14:30:30", "fake/beta", "fake/alpha", "main"),
        ("2026-11-21", "10:15:49", "fake/alpha", "fake/beta", "main"),
        ("2026-11-22", "09:40:38", "fake/beta", "fake/alpha", "main"),
    ]
    legacy = _json(cli, "transitions", "--json", "--openclaw-dir", corpus(OLD))
    assert [(t["date"], t["time"], t["session_key"]) for t in legacy["transitions"]] == [
        ("2026-11-20", "08:58:51", None),
        ("2026-11-20", "14:30:14", None),
        ("2026-11-22", "09:40:19", "agent:main:main"),
    ]
    ranged = _json(
        cli,
        "transitions",
        "--json",
        "--since",
        "2026-11-21",
        "--until",
        "2026-11-22",
        "--openclaw-dir",
        state,
    )
    assert [t["time"] for t in ranged["transitions"]] == ["10:15:49"]


def test_extract_filters_and_formats(cli, corpus):
    state = corpus(NEW)
    doc = _json(
        cli,
        "extract",
        "--format",
        "json",
        "--date",
        "2026-11-22",
        "--role",
        "user",
        "--openclaw-dir",
        state,
    )
    texts = [m["text"] for m in doc["messages"]]
    assert len(texts) == 7 and texts[0].startswith("Still here after midnight")
    assert [m["time"] for m in doc["messages"]] == sorted(m["time"] for m in doc["messages"])
    beta = _json(cli, "extract", "--format", "json", "--model", "beta", "--openclaw-dir", state)
    assert len(beta["messages"]) == 9 and all(m["model"] == "fake/beta" for m in beta["messages"])
    query = _json(
        cli, "extract", "--format", "json", "--query", "WAL MODE", "--openclaw-dir", state
    )
    assert {m["date"] for m in query["messages"]} == {"2026-11-20"}
    md = cli("extract", "--date", "2026-11-21", "--role", "tool", "--openclaw-dir", state).stdout
    assert "## 2026-11-21" in md
    assert sum(line.startswith("- **") for line in md.splitlines()) == 3
    text = cli(
        "extract",
        "--since",
        "2026-11-21",
        "--until",
        "2026-11-22",
        "--format",
        "text",
        "--role",
        "user",
        "--openclaw-dir",
        state,
    ).stdout
    assert len(text.strip().splitlines()) == 8


def test_extract_output_is_redacted(cli, corpus):
    state = corpus(OLD)
    session = state / "agents/main/sessions/0e39e77d-8880-4355-a676-0d4d18556552.jsonl"
    line = json.loads(session.read_text().splitlines()[4])
    line["id"], line["timestamp"] = "aaaa0001", "2026-11-20T10:00:00.000Z"
    line["message"]["content"] = [{"type": "text", "text": "token ghp_" + "a1B2" * 9}]
    session.write_text(session.read_text() + json.dumps(line) + "\n")
    out = cli("extract", "--query", "token", "--format", "text", "--openclaw-dir", state).stdout
    assert "ghp_a1B2" not in out and "[REDACTED:github-token]" in out


def _memory_with_problems(memory: Path) -> None:
    (memory / "2025-11-21.md").write_text("# 2025-11-21\n\n- the agent guessed the year\n")
    (memory / "2026-02-30.md").write_text("# 2026-02-30\n")
    (memory / "notes.md").write_text("stray\n")
    (memory / "2026-11-22.md").write_text(
        "# 2026-11-23\n\n<!-- memory-sync:start v=1 sha=abc fp=1 -->\nhalf a block\n"
    )
    (memory / "2026-11-21.md").write_text(
        "# 2026-11-21\n\nthe bot token is 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0\n"
    )
    (memory / "2026-11-21-copy.md").write_text("# 2026-11-21\n\nsame day again\n")


def test_validate_finds_every_planted_problem(cli, corpus):
    state = corpus(NEW)
    memory = state / "workspace/memory"
    _memory_with_problems(memory)
    result = cli("validate", "--json", "--openclaw-dir", state)
    assert result.exit_code == 3
    findings = json.loads(result.stdout)["findings"]
    got = {(Path(f["path"]).name, f["line"], f["kind"]) for f in findings}
    assert {
        ("2025-11-21.md", None, "wrong-year"),
        ("2026-02-30.md", None, "bad-name"),
        ("notes.md", None, "bad-name"),
        ("2026-11-22.md", 1, "title-mismatch"),
        ("2026-11-22.md", 3, "broken-block"),
        ("2026-11-21.md", 3, "secret"),
        ("2026-11-21.md", 1, "duplicate-date"),
        ("2026-11-21-copy.md", 1, "duplicate-date"),
    } <= got
    assert "AAHdqTcv" not in result.stdout  # the report itself never shows the secret
    text = cli("validate", "--openclaw-dir", state).stdout
    assert re.search(r"2026-11-22\.md:3: broken-block: ", text)


def test_validate_is_quiet_on_a_clean_folder(cli, corpus):
    state = corpus(NEW)
    assert cli("backfill", "--all", "--openclaw-dir", state).exit_code == 0
    result = cli("validate", "--json", "--openclaw-dir", state)
    assert result.exit_code == 0 and json.loads(result.stdout)["findings"] == []
    old = corpus(OLD)
    assert cli("validate", "--openclaw-dir", old).exit_code == 0


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(cli, shell):
    result = cli("completion", shell)
    assert result.exit_code == 0 and "_MEMORY_SYNC_COMPLETE" in result.stdout


def test_skill_front_matter_is_what_openclaw_reads():
    yaml = pytest.importorskip("yaml")
    text = (ROOT / "skills/memory-sync/SKILL.md").read_text()
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["name"] == "memory-sync"
    assert len(front["description"]) > 40
    openclaw = front["metadata"]["openclaw"]
    assert openclaw["requires"]["bins"] == ["memory-sync"]
    # no install spec that points at a package index: memory-sync is installed from its source
    assert "install" not in openclaw
    assert "uv tool install memory-sync" not in text and "pipx install /path/to" in text


def test_every_command_the_skill_shows_runs(cli, corpus):
    """The agent copies these lines as they are: each must parse and run (exit 0, or 3 for
    findings) on a real history."""
    import shlex

    state = corpus(NEW)
    text = (ROOT / "skills/memory-sync/SKILL.md").read_text()
    lines = [
        line.split("#", 1)[0].strip()
        for line in text.splitlines()
        if line.startswith("memory-sync ")
    ]
    assert len(lines) >= 8
    for line in lines:
        args = shlex.split(line)[1:]
        result = cli(*args, "--openclaw-dir", state)
        assert result.exit_code in (0, 3), (line, result.stderr)


def test_validate_orphans_are_information_like_compare_says(cli, corpus):
    """A file for a date without history (slugged too) is an orphan in validate as in compare,
    with no line number, and orphans alone do not fail the run."""
    state = corpus(NEW)
    memory = state / "workspace/memory"
    (memory / "2026-03-02-discord-setup.md").write_text("# 2026-03-02\n\nset up discord\n")
    (memory / "2026-03-03.md").write_text("# 2026-03-03\n\nold notes\n")
    result = cli("validate", "--json", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stdout
    orphans = sorted(
        Path(f["path"]).name for f in json.loads(result.stdout)["findings"] if f["kind"] == "orphan"
    )
    assert orphans == ["2026-03-02-discord-setup.md", "2026-03-03.md"]
    compare = json.loads(cli("compare", "--json", "--openclaw-dir", state).stdout)
    assert sorted(Path(o["path"]).name for o in compare["orphans"]) == orphans
    text = cli("validate", "--openclaw-dir", state)
    assert "2026-03-03.md: orphan: no history on 2026-03-03" in text.stdout
    assert "information, not a failure" in text.stderr
    table = cli("compare", "--openclaw-dir", state).stdout
    assert table.index("2026-03-03") < table.index("2026-11-20")  # among the dates, in order
    assert "(15 B)" in table or " B)" in table


def test_small_output_defects(cli, corpus):
    state = corpus(NEW)
    verbose = cli("compare", "-v", "--openclaw-dir", state).stderr
    memory = str(state / "workspace/memory")
    assert f"memory_dir: {memory} (from default" in verbose
    doc = json.loads(cli("transitions", "--json", "--openclaw-dir", state).stdout)
    stamp = doc["transitions"][0]["timestamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", stamp)
    lines = cli("transitions", "--openclaw-dir", state).stdout
    assert " - " not in lines and "(-)" not in lines


def test_a_warning_never_says_it_skipped_nothing():
    from memory_sync.problems import Problems

    problems = Problems()
    problems.repair("/x/a.jsonl", "invalid UTF-8 replaced")
    problems.source_failed("/x/b.sqlite", "not a database")
    assert "skipped 0" not in problems.summary_line()


@pytest.mark.parametrize("command", ["extract", "transitions", "backfill"])
def test_a_range_that_holds_no_day_is_one_line_not_an_empty_answer(cli, corpus, command):
    state = corpus(NEW)
    result = cli(command, "--since", "2026-11-22", "--until", "2026-11-01", "--openclaw-dir", state)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        "memory-sync: --since 2026-11-22 is not before --until 2026-11-01 (--until is exclusive)\n"
    )
