"""What the person made OpenClaw forget stays forgotten (tests/data/forget: a database after a
real `openclaw memory forget --session`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.builders import forget_session
from tests.conftest import DATA, NEW

FORGOTTEN = "58834811-de45-4525-a02f-238624249a26"
ITS_WORDS = ("Research: compare zstd and gzip", "Which one did we pick and why?", "58834811")


def _forget(state: Path) -> None:
    shutil.copy(
        DATA / "forget/openclaw-agent.sqlite", state / "agents/main/agent/openclaw-agent.sqlite"
    )


def test_a_forgotten_session_leaves_no_trace_and_other_days_are_untouched(cli, corpus):
    state = corpus(NEW)
    memory = state / "workspace/memory"
    assert cli("backfill", "--all", "--force", "--preserve", "--openclaw-dir", state).exit_code == 0
    before = {p.name: p.read_bytes() for p in memory.glob("*.md")}
    assert "Research: compare zstd and gzip" in before["2026-11-20.md"].decode()
    _forget(state)
    result = cli("backfill", "--incremental", "--preserve", "--json", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    assert [r["date"] for r in json.loads(result.stdout)["results"]] == ["2026-11-20"]
    after = {p.name: p.read_bytes() for p in memory.glob("*.md")}
    assert {k: v for k, v in after.items() if k != "2026-11-20.md"} == {
        k: v for k, v in before.items() if k != "2026-11-20.md"
    }
    outputs = [after["2026-11-20.md"].decode()]
    for args in (
        ("compare", "--json"),
        ("extract", "--since", "2026-11-01", "--format", "json"),
        ("transitions", "--json"),
        ("stats", "--json"),
    ):
        run = cli(*args, "--openclaw-dir", state)
        assert run.exit_code in (0, 3), run.stderr
        outputs.append(run.stdout)
    blob = "\n".join(outputs)
    assert [w for w in ITS_WORDS if w in blob] == []
    days = {d["date"]: d for d in json.loads(outputs[1])["days"]}
    # counted, never shown: its 4 messages and 2 model records (of its 8 rows)
    assert days["2026-11-20"]["noise_by_kind"]["forgotten"] == 6
    assert FORGOTTEN not in days["2026-11-20"]["session_ids"]


ONLY_SESSION_OF_THE_DAY = "33c44f15-f66e-4672-9707-d916a704f308"  # 2026-11-21's one session


def test_a_day_whose_only_session_is_forgotten_is_rewritten_once(cli, corpus):
    state = corpus(NEW)
    memory = state / "workspace/memory"
    assert cli("backfill", "--all", "--force", "--preserve", "--openclaw-dir", state).exit_code == 0
    assert "Saturday check-in" in (memory / "2026-11-21.md").read_text()
    forget_session(state, ONLY_SESSION_OF_THE_DAY)
    result = cli("backfill", "--incremental", "--preserve", "--json", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    mine = [r for r in report["results"] if r["date"] == "2026-11-21"]
    assert [r["action"] for r in mine] == ["updated"]
    text = (memory / "2026-11-21.md").read_text()
    assert "Saturday check-in" not in text and ONLY_SESSION_OF_THE_DAY not in text
    days = {
        d["date"]: d
        for d in json.loads(cli("compare", "--json", "--openclaw-dir", state).stdout)["days"]
    }
    assert days["2026-11-21"]["noise_by_kind"]["forgotten"] > 0
    assert days["2026-11-21"]["session_ids"] == []
