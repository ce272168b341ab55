"""What a daily file says on real-shaped days (tests/data/days, with OpenClaw's injected text):
every planted fact in its section, no plumbing, within the budget, no file for a noise day."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from memory_sync.config import Options, resolve
from memory_sync.history.reporter import SILENT
from memory_sync.history.scan import scan_history
from memory_sync.memoryfile import find_block
from memory_sync.summarize.daytext import DayText
from tests.conftest import DATA

DAYS = DATA / "days"
EXPECTED = json.loads((DAYS / "expected.json").read_text(encoding="utf-8"))
WRITTEN = [day for day, facts in EXPECTED["days"].items() if not facts.get("noise_only")]
# which section each kind of fact must be found in
SECTIONS = {
    "requests": "Session Flow",
    "outcomes": "Session Flow",
    "decisions": "Key Decisions",
    "commands": "Technical Details",
    "files": "Technical Details",
    "errors": "Technical Details",
    "urls": None,  # anywhere in the block
    "topics": "Topics Covered",
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The blocks `backfill --all` writes for the days (one run for the whole module)."""
    from click.testing import CliRunner

    from memory_sync.cli import main

    root = tmp_path_factory.mktemp("days")
    state = root / "openclaw"
    shutil.copytree(DAYS / "openclaw", state)
    env = {"MEMORY_SYNC_STATE_DIR": str(root / "app"), "HOME": str(root), "NO_COLOR": "1"}
    result = CliRunner().invoke(main, ["backfill", "--all", "--openclaw-dir", str(state)], env=env)
    assert result.exit_code == 0, result.output
    memory = state / "workspace" / "memory"
    blocks = {}
    for path in sorted(memory.glob("*.md")):
        block = find_block(path.read_text(encoding="utf-8"))
        assert block is not None
        blocks[path.stem] = block.body
    compare = CliRunner().invoke(main, ["compare", "--json", "--openclaw-dir", str(state)], env=env)
    blocks["compare"] = compare.stdout
    return blocks


def _section(body: str, name: str) -> str:
    match = re.search(rf"^## {re.escape(name)}\n(.*?)(?=^## |\Z)", body, re.S | re.M)
    assert match is not None, f"no section {name}"
    return match.group(1)


@pytest.mark.parametrize("day", WRITTEN)
def test_every_planted_fact_is_in_its_section(written: dict[str, str], day: str) -> None:
    body = written[day]
    missing = []
    for kind, facts in EXPECTED["days"][day].items():
        where = SECTIONS[kind]
        text = body if where is None else _section(body, where)
        missing += [f"{kind}: {fact}" for fact in facts if fact not in text]
    assert missing == []


@pytest.mark.parametrize("day", WRITTEN)
def test_no_injected_phrase_reaches_the_block(written: dict[str, str], day: str) -> None:
    body = written[day]
    assert [phrase for phrase in EXPECTED["forbidden"] if phrase in body] == []


@pytest.mark.parametrize("day", WRITTEN)
def test_the_block_stays_within_the_budget(written: dict[str, str], day: str) -> None:
    assert len(written[day].encode()) <= EXPECTED["budget_bytes"]


def test_the_work_in_the_middle_of_the_day_is_shown_and_the_noise_counted(
    written: dict[str, str],
) -> None:
    body = written["2026-03-10"]
    flow = _section(body, "Session Flow")
    assert "Fixed: beds without a zone crashed the scheduler" in flow  # 10:40, mid-day
    assert flow.count("User: ") >= 8 and "User: hi" not in flow  # greetings drop out
    stats = _section(body, "Message Compaction")
    assert "23 heartbeat runs" in stats and "49 liveness pings" in stats
    decisions = _section(body, "Key Decisions")
    assert decisions.count("SQLite") == 1  # said by the person, agreed by the agent: one
    details = _section(body, "Technical Details")
    assert details.index("`npm test` (×2, failed 1×)") < details.index("`git push -u origin")
    assert "look-around" in details and "`ls -la`" in details


def test_a_noise_only_day_gets_no_file_and_compare_says_so(written: dict[str, str]) -> None:
    assert "2026-03-13" not in written
    days = {d["date"]: d for d in json.loads(written["compare"])["days"]}
    quiet = days["2026-03-13"]
    assert quiet["status"] == "noise only"
    assert quiet["noise_by_kind"]["ping"] == 60 and quiet["noise_by_kind"]["heartbeat"] == 31
    assert days["2026-03-10"]["status"] == "ok"


def test_the_llm_sees_the_same_cleaned_day(tmp_path: Path) -> None:
    """The day text sent with --summarize holds the work and none of the plumbing."""
    state = tmp_path / "openclaw"
    shutil.copytree(DAYS / "openclaw", state)
    [settings] = resolve(Options(openclaw_dir=state), env={"HOME": str(tmp_path)})
    text = DayText("2026-03-10", settings.zone, str)
    scan_history(
        settings,
        reporter=SILENT,
        on_event=lambda e: text.add(e) if e.day == "2026-03-10" else None,
    )
    lines = "\n".join(text.lines())
    assert "PERSON: Can you set up a GitHub repo for the garden-planner project" in lines
    assert 'CRON: cron job "daily-brief" finished: Rain expected at 16:00' in lines
    assert "SUBAGENT TASK: Research drip irrigation kits" in lines
    forbidden = [p for p in EXPECTED["forbidden"] if p in lines]
    assert forbidden == [] and "Respond with one word" not in lines


def test_a_very_long_day_keeps_its_whole_span_within_the_budget(tmp_path: Path) -> None:
    """220 requests from 08:00 to 22:00: the block stays within the budget, the important
    exchanges of the morning, the middle and the evening all stay, and the flow says how many
    less informative ones it left out (thinned across the day, never a stretch cut out)."""
    from datetime import UTC, datetime, timedelta

    from click.testing import CliRunner

    from memory_sync.cli import main
    from tests.builders import Transcript

    state = tmp_path / "openclaw"
    (state / "workspace" / "memory").mkdir(parents=True)
    t = Transcript(datetime(2026, 4, 2, 6, 0, tzinfo=UTC), "b1b1b1b1-0000-4000-8000-000000000402")
    t.add("model_change", provider="fake", modelId="alpha")
    important = {}
    for n in range(220):
        t.now = datetime(2026, 4, 2, 6, 0, tzinfo=UTC) + timedelta(minutes=4 * n)
        t.user("[Thu 2026-04-02 08:00 UTC] Respond with one word: OK", step=1)
        t.assistant("OK")
        if n % 40 == 20:  # an important exchange every ~2.5 hours
            marker = f"IMPORTANT-{n:03d}"
            important[marker] = t.now
            t.user(f"Let's go with plan {marker} for the release, and write it down.")
            t.tool_call("write", {"path": f"notes/{marker}.md", "content": "..."})
            t.tool_call("exec", {"command": f"git push origin release-{n}"})
            t.assistant(f"Written notes/{marker}.md and pushed release-{n}.")
        else:
            t.user(f"Check item {n}: is the backup of folder {n} still fine?")
            t.tool_call("exec", {"command": f"ls /backup/{n}"})
            t.assistant(f"Folder {n} looks fine.")
    t.write(state / "agents/main/sessions" / f"{t.session_id}.jsonl")
    env = {"MEMORY_SYNC_STATE_DIR": str(tmp_path / "app"), "HOME": str(tmp_path), "TZ": "UTC"}
    args = ["backfill", "2026-04-02", "--tz", "UTC", "--openclaw-dir", str(state)]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    block = find_block((state / "workspace/memory/2026-04-02.md").read_text())
    assert block is not None
    assert len(block.body.encode()) <= EXPECTED["budget_bytes"]
    flow = _section(block.body, "Session Flow")
    assert all(marker in flow for marker in important)  # morning, middle and evening
    left = re.search(r"Left out of this flow: (\d+) less informative exchanges", flow)
    assert left is not None and int(left.group(1)) > 100
    kept = [int(m) for m in re.findall(r"Check item (\d+):", flow)]
    assert kept and max(kept) - min(kept) > 150  # thinned across the day, not cut in the middle
    assert "Respond with one word" not in block.body


def test_internal_sessions_are_one_line(tmp_path: Path) -> None:
    """An isolated cron run's session contributes one line with its outcome, never its steps."""
    from datetime import UTC, datetime

    from click.testing import CliRunner

    from memory_sync.cli import main
    from tests.builders import Transcript

    state = tmp_path / "openclaw"
    sessions = state / "agents/main/sessions"
    (state / "workspace/memory").mkdir(parents=True)
    sessions.mkdir(parents=True)
    person = Transcript(
        datetime(2026, 4, 3, 9, 0, tzinfo=UTC), "a2000000-0000-4000-8000-000000000001"
    )
    person.user("Please draft the shopping list for the weekend.")
    person.assistant("Here is the list: bread, apples, coffee.")
    person.write(sessions / f"{person.session_id}.jsonl")
    cron = Transcript(
        datetime(2026, 4, 3, 6, 0, tzinfo=UTC), "c2000000-0000-4000-8000-000000000002"
    )
    cron.user("[cron:daily-brief] Summarize the weather and calendar for today.")
    cron.tool_call("exec", {"command": "curl -s wttr.in/Berlin"})
    cron.tool_call("read", {"path": "calendar/today.ics"})
    cron.assistant("Sunny, 14 °C; dentist at 15:00.")
    cron.write(sessions / f"{cron.session_id}.jsonl")
    keys = {
        "agent:main:main": {"sessionId": person.session_id},
        f"agent:main:cron:daily-brief:run:{cron.session_id}": {"sessionId": cron.session_id},
    }
    (sessions / "sessions.json").write_text(json.dumps(keys))
    env = {"MEMORY_SYNC_STATE_DIR": str(tmp_path / "app"), "HOME": str(tmp_path)}
    args = ["backfill", "2026-04-03", "--tz", "UTC", "--openclaw-dir", str(state)]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    block = find_block((state / "workspace/memory/2026-04-03.md").read_text())
    assert block is not None
    flow = _section(block.body, "Session Flow")
    assert 'Cron job "daily-brief" ran on its own: Sunny, 14 °C; dentist at 15:00.' in flow
    assert "wttr.in" not in block.body and "calendar/today.ics" not in block.body
    assert "draft the shopping list" in flow
