"""Answers that real histories made wrong: forks, shared lead-ins, several agents, one index
per agent however it is reached."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from tests.builders import Transcript
from tests.conftest import NEW

PARENT = "d1000000-0000-4000-8000-000000000001"
FORK = "01000000-0000-4000-8000-00000000000f"


def _home(root: Path) -> Path:
    state = root / "openclaw"
    (state / "workspace/memory").mkdir(parents=True)
    (state / "agents/main/sessions").mkdir(parents=True)
    return state


def test_a_fork_that_sorts_first_does_not_take_over_its_parent(cli, tmp_path, isolated_env):
    state = _home(tmp_path)
    parent = Transcript(datetime(2026, 3, 9, 14, 0, tzinfo=UTC), PARENT)
    parent.add("model_change", provider="fake", modelId="alpha")
    parent.user("Plan the garden layout.")
    parent.assistant("Beds along the fence.", model="alpha")
    parent.add("custom", customType="model-snapshot", data={"provider": "fake", "modelId": "beta"})
    parent.user("And the shed?")
    parent.assistant("Shed in the corner.", model="beta")
    parent.write(state / f"agents/main/sessions/{PARENT}.jsonl")
    # pi's thread fork: named by time, header with parentSession, the parent's branch copied
    fork_entries = [dict(e) for e in parent.entries]
    fork_entries[0] = {**fork_entries[0], "id": FORK, "parentSession": PARENT}
    fork = Transcript(datetime(2026, 3, 9, 14, 45, tzinfo=UTC), FORK)
    fork.entries = fork_entries
    fork.parent = fork_entries[-1]["id"]
    fork.now = datetime(2026, 3, 9, 14, 45, tzinfo=UTC)
    fork.user("In the fork: what about a pond?")
    fork.assistant("A small pond near the beds.", model="beta")
    name = f"2026-03-09T14-45-00-000Z_{FORK}.jsonl"
    fork.write(state / "agents/main/sessions" / name)
    assert sorted([name, f"{PARENT}.jsonl"])[0] == name  # by name alone, the fork comes first
    doc = json.loads(cli("compare", "--json", "--tz", "UTC", "--openclaw-dir", state).stdout)
    [day] = doc["days"]
    assert day["session_ids"] == sorted([PARENT, FORK]) and day["sessions"] == 2
    assert day["messages"]["user"] == 3 and day["messages"]["assistant"] == 3
    transitions = json.loads(
        cli("transitions", "--json", "--tz", "UTC", "--openclaw-dir", state).stdout
    )
    assert [t["session_id"] for t in transitions["transitions"]] == [PARENT]


def test_two_tool_call_turns_that_share_a_lead_in_and_a_millisecond_are_two(
    cli, tmp_path, isolated_env
):
    state = _home(tmp_path)
    moment = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    for n, sid in enumerate(
        ("a1000000-0000-4000-8000-000000000001", "b1000000-0000-4000-8000-000000000002")
    ):
        t = Transcript(moment, sid)
        t.message(
            {
                "role": "assistant",
                "provider": "fake",
                "model": "alpha",
                "timestamp": int(moment.timestamp() * 1000),
                "content": [
                    {"type": "text", "text": "Running the check."},
                    {
                        "type": "toolCall",
                        "id": f"call_{n}",
                        "name": "exec",
                        "arguments": {"command": f"check {n}"},
                    },
                ],
            }
        )
        t.write(state / f"agents/main/sessions/{sid}.jsonl")
    doc = json.loads(cli("compare", "--json", "--tz", "UTC", "--openclaw-dir", state).stdout)
    assert doc["days"][0]["messages"]["assistant"] == 2


def test_compare_all_agents_reports_an_agent_without_a_memory_folder(cli, corpus, isolated_env):
    state = corpus(NEW)
    other = state / "agents/helper/sessions"
    other.mkdir(parents=True)
    t = Transcript(
        datetime(2026, 11, 21, 10, 0, tzinfo=UTC), "c1000000-0000-4000-8000-000000000003"
    )
    t.user("Hello helper.")
    t.assistant("Hi.")
    t.write(other / "c1000000-0000-4000-8000-000000000003.jsonl")
    config = json.loads((state / "openclaw.json").read_text())
    config["agents"]["list"] = [
        {"id": "main"},
        {"id": "helper", "workspace": str(state / "workspace-helper")},
    ]
    (state / "openclaw.json").write_text(json.dumps(config))
    result = cli("compare", "--all-agents", "--json", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    agents = {a["agent"]: a for a in json.loads(result.stdout)["agents"]}
    assert {d["status"] for d in agents["helper"]["days"]} == {"missing"}
    assert "memory folder" in result.stderr and "does not exist" in result.stderr
    assert agents["main"]["days"]


def test_one_index_for_an_agent_however_it_is_reached(cli, corpus, isolated_env, monkeypatch):
    state = corpus(NEW)
    link = state.parent / "openclaw-link"
    os.symlink(state, link)
    assert cli("compare", "--openclaw-dir", state).exit_code == 0
    monkeypatch.setenv("OPENCLAW_STATE_DIR", str(link))
    again = cli("compare", "-v")
    assert again.exit_code == 0
    assert "figures from the index" in again.stderr  # the first run's index answered
    own = Path(isolated_env["MEMORY_SYNC_STATE_DIR"])
    assert len(list((own / "index").glob("*.sqlite"))) == 1
