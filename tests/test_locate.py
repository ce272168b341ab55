"""Finding the history and the memory folder, and saying where each setting came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from memory_sync.config import Options, resolve
from memory_sync.errors import MemorySyncError
from tests.builders import Transcript
from tests.conftest import compare_json


def _state(root: Path, agents: tuple[str, ...] = ("main",), config: str | None = None) -> Path:
    for agent in agents:
        (root / "agents" / agent / "sessions").mkdir(parents=True)
    (root / "workspace" / "memory").mkdir(parents=True)
    if config is not None:
        (root / "openclaw.json").write_text(config)
    return root


def test_order_flag_env_home_default_legacy(tmp_path, isolated_env):
    home = Path(isolated_env["HOME"])
    legacy = _state(home / ".clawdbot")
    env = dict(isolated_env)
    [s] = resolve(Options(), env)
    assert s.origins["openclaw_dir"] == "legacy ~/.clawdbot"
    assert s.memory_dir == legacy / "workspace/memory"
    default = _state(home / ".openclaw")
    [s] = resolve(Options(), env)
    assert s.memory_dir == default / "workspace/memory"
    oc_home = _state(tmp_path / "ochome" / ".openclaw")
    [s] = resolve(Options(), {**env, "OPENCLAW_HOME": str(tmp_path / "ochome")})
    assert s.memory_dir == oc_home / "workspace/memory"
    by_env = _state(tmp_path / "by-env")
    [s] = resolve(Options(), {**env, "OPENCLAW_STATE_DIR": str(by_env)})
    assert s.origins["openclaw_dir"] == "OPENCLAW_STATE_DIR"
    by_flag = _state(tmp_path / "by-flag")
    [s] = resolve(Options(openclaw_dir=by_flag), {**env, "OPENCLAW_STATE_DIR": str(by_env)})
    assert s.origins["openclaw_dir"] == "--openclaw-dir"
    assert s.memory_dir == by_flag / "workspace/memory"


def test_cursor_spec_layout(isolated_env):
    base = Path(isolated_env["HOME"]) / ".cursor" / "OpenClaw"
    (base / "sessions").mkdir(parents=True)
    (base / "memory").mkdir()
    [s] = resolve(Options(), isolated_env)
    assert s.memory_dir == base / "memory"


def test_workspace_from_json5_config_per_agent_and_default(tmp_path, isolated_env):
    ws = tmp_path / "ws-default"
    (ws / "memory").mkdir(parents=True)
    other = tmp_path / "ws-ops"
    (other / "memory").mkdir(parents=True)
    config = f"""{{
      // JSON5: comments and trailing commas
      agents: {{
        defaults: {{ workspace: "{ws}", userTimezone: "America/New_York", }},
        list: [ {{ id: "ops", workspace: "{other}" }} ],
      }},
    }}"""
    state = _state(tmp_path / "state", ("main", "ops"), config)
    settings = resolve(Options(openclaw_dir=state, all_agents=True), isolated_env)
    assert [(s.agent, s.memory_dir) for s in settings] == [
        ("main", ws / "memory"),
        ("ops", other / "memory"),
    ]
    assert settings[0].tz_name == "America/New_York"
    assert "agents.defaults.workspace" in settings[0].origins["memory_dir"]


def test_tz_flag_beats_config_and_env(tmp_path, isolated_env):
    state = _state(tmp_path / "s", config='{agents: {defaults: {userTimezone: "Asia/Tokyo"}}}')
    [s] = resolve(Options(openclaw_dir=state), {**isolated_env, "MEMORY_SYNC_TZ": "Europe/Paris"})
    assert s.tz_name == "Europe/Paris" and s.origins["tz"] == "MEMORY_SYNC_TZ"
    [s] = resolve(
        Options(openclaw_dir=state, tz="UTC"), {**isolated_env, "MEMORY_SYNC_TZ": "Europe/Paris"}
    )
    assert s.tz_name == "UTC"
    [s] = resolve(Options(openclaw_dir=state), isolated_env)
    assert s.tz_name == "Asia/Tokyo"


def test_config_file_sits_between_env_and_openclaw_json(tmp_path, isolated_env):
    state = _state(tmp_path / "s", config='{agents: {defaults: {userTimezone: "Asia/Tokyo"}}}')
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'tz = "Europe/Lisbon"\nopenclaw_dir = "{state}"\n')
    env = {**isolated_env, "MEMORY_SYNC_CONFIG": str(cfg)}
    [s] = resolve(Options(), env)
    assert s.tz_name == "Europe/Lisbon" and str(cfg) in s.origins["tz"]


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"openclaw_dir": Path("/nope/x")}, "--openclaw-dir"),
        ({"sessions_dir": Path("/nope/sessions")}, "--sessions-dir"),
        ({"tz": "Mars/Olympus"}, "--tz"),
        ({"agent": "ghost"}, "--agent"),
    ],
)
def test_bad_locations_get_one_clear_line(tmp_path, isolated_env, options, needle):
    state = _state(tmp_path / "s")
    options.setdefault("openclaw_dir", state)
    with pytest.raises(MemorySyncError) as info:
        resolve(Options(**options), isolated_env)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_cli_error_is_one_line_without_traceback(cli, tmp_path):
    result = cli("compare", "--openclaw-dir", tmp_path / "missing")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--openclaw-dir" in result.stderr


@pytest.mark.parametrize("flag", ["--openclaw-dir", "--sessions-dir", "--memory-dir"])
def test_a_file_given_as_a_folder_is_called_a_file(cli, tmp_path, flag):
    state = _state(tmp_path / "s")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder\n")
    args = [flag, a_file] if flag == "--openclaw-dir" else ["--openclaw-dir", state, flag, a_file]
    result = cli("compare", *args)
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert f"{a_file} is a file, not a folder" in result.stderr and flag in result.stderr
    assert a_file.read_text() == "not a folder\n"


def test_missing_memory_folder_says_which_option(cli, tmp_path):
    state = tmp_path / "s"
    (state / "agents/main/sessions").mkdir(parents=True)
    result = cli("compare", "--openclaw-dir", state)
    assert result.exit_code == 1 and "--memory-dir" in result.stderr


def test_all_agents_reports_each_agent(cli, tmp_path):
    state = _state(tmp_path / "s", ("main", "ops"))
    (state / "workspace-ops" / "memory").mkdir(parents=True)
    from datetime import UTC, datetime

    t = Transcript(datetime(2026, 5, 1, 10, tzinfo=UTC))
    t.user("ops question")
    t.assistant("ops answer")
    t.write(state / "agents/ops/sessions/x.jsonl")
    doc = compare_json(cli, "--openclaw-dir", state, "--all-agents")
    assert [a["agent"] for a in doc["agents"]] == ["main", "ops"]
    assert doc["agents"][0]["days"] == [] and len(doc["agents"][1]["days"]) == 1


def test_an_unwritable_state_folder_is_one_line_or_harmless(cli, corpus, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MEMORY_SYNC_STATE_DIR", str(blocker / "state"))
    state = corpus("openclaw-2026.9.6")
    compared = cli("compare", "--openclaw-dir", state)
    assert compared.exit_code == 0  # the index is only a cache: one notice says it is not kept
    assert compared.stderr.count("\n") == 1 and "could not save the index" in compared.stderr
    result = cli("backfill", "--all", "--openclaw-dir", state)
    assert result.exit_code == 1 and "MEMORY_SYNC_STATE_DIR" in result.stderr
    assert result.stderr.count("\n") == 1
    out = cli(
        "summarize", "--date", "2026-11-21", "--output", blocker / "x.md", "--openclaw-dir", state
    )
    assert out.exit_code == 1 and "Traceback" not in out.stderr


def test_summarize_names_one_agent_instead_of_dropping_the_others(cli, tmp_path):
    state = _state(tmp_path / "s", ("main", "ops"))
    (state / "workspace-ops" / "memory").mkdir(parents=True)
    result = cli("summarize", "--date", "2026-05-01", "--openclaw-dir", state, "--all-agents")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "memory-sync: summarize prints one agent's day: name it with --agent"
    )
