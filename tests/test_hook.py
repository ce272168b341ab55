"""The OpenClaw hook: installed where OpenClaw finds it, and its handler (run by Node, as the
Gateway runs it) starts memory-sync in the background, one run at a time per agent, and says
once when it cannot."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import NEW

NODE = shutil.which("node")


def test_install_puts_the_hook_where_openclaw_finds_it(cli, corpus, isolated_env, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no openclaw here: the files only
    state = corpus(NEW)
    result = cli("hook", "install", "--agent", "main", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    folder = state / "hooks/memory-sync"
    assert {p.name for p in folder.iterdir()} == {"HOOK.md", "handler.js", "config.json"}
    config = json.loads((folder / "config.json").read_text())
    assert config["agents"] == ["main"] and config["stateDir"] == str(state)
    logs = Path(config["logDir"])
    assert logs.is_dir() and stat.S_IMODE(logs.stat().st_mode) == 0o700
    assert (
        '"events": ["command:new", "command:reset", "session:auto-reset"'
        in (folder / "HOOK.md").read_text()
    )
    assert "openclaw hooks enable memory-sync" in result.stdout
    status = cli("hook", "status", "--openclaw-dir", state)
    assert status.exit_code == 0 and "(current)" in status.stdout


def test_status_says_how_to_install_when_missing(cli, corpus):
    result = cli("hook", "status", "--openclaw-dir", corpus(NEW))
    assert result.exit_code == 1 and "memory-sync hook install" in result.stderr


def _handler_run(
    tmp_path: Path, command: str, triggers: int, wait: float
) -> subprocess.CompletedProcess:
    hook = tmp_path / "hook"
    hook.mkdir()
    source = Path(__file__).parents[1] / "src/memory_sync/hookpack/handler.js"
    shutil.copy(source, hook / "handler.mjs")  # Node loads it as a module, as OpenClaw does
    (hook / "config.json").write_text(
        json.dumps({"command": command, "logDir": str(tmp_path / "logs"), "delayMs": 0})
    )
    script = textwrap.dedent(
        f"""
        import handler from "{hook / "handler.mjs"}";
        const started = Date.now();
        for (let i = 0; i < {triggers}; i++) handler({{ type: "command", action: "new", context: {{ agentId: "main" }} }});
        console.log("returned after", Date.now() - started, "ms");
        setTimeout(() => process.exit(0), {int(wait * 1000)});
        """
    )
    (tmp_path / "drive.mjs").write_text(script)
    return subprocess.run(
        [NODE, str(tmp_path / "drive.mjs")], capture_output=True, text=True, timeout=60
    )  # type: ignore[list-item]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_handler_never_waits_and_runs_one_at_a_time(tmp_path):
    calls = tmp_path / "calls.txt"
    fake = tmp_path / "memory-sync"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nsleep 1\necho done\n')
    fake.chmod(0o755)
    done = _handler_run(tmp_path, str(fake), triggers=5, wait=3.5)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[2]) < 200  # the handler returned at once
    runs = calls.read_text().splitlines()
    assert len(runs) == 2  # one run, and the four triggers during it folded into one more
    assert runs[0] == "backfill --incremental --preserve --agent main -q --no-color"
    log = tmp_path / "logs/hook-main.log"
    assert log.read_text().count("done") == 2
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert done.stderr == ""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_handler_says_once_when_memory_sync_is_missing(tmp_path):
    done = _handler_run(tmp_path, str(tmp_path / "nowhere/memory-sync"), triggers=3, wait=1.5)
    assert done.returncode == 0  # nothing breaks
    said = [line for line in done.stderr.splitlines() if line.startswith("[memory-sync]")]
    assert len(said) == 1 and "install memory-sync" in said[0]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_handler_says_once_when_memory_sync_fails(tmp_path):
    fake = tmp_path / "memory-sync"
    fake.write_text("#!/bin/sh\necho broken >&2\nexit 2\n")
    fake.chmod(0o755)
    done = _handler_run(tmp_path, str(fake), triggers=1, wait=1.5)
    said = [line for line in done.stderr.splitlines() if line.startswith("[memory-sync]")]
    assert len(said) == 1 and "exit code 2" in said[0] and "hook-main.log" in said[0]
    assert "broken" in (tmp_path / "logs/hook-main.log").read_text()
