"""Shared fixtures: corpus copies in temp folders and an isolated CLI runner."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from memory_sync.cli import main

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
NEW = "openclaw-2026.9.6"
OLD = "openclaw-2026.2.26"


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A HOME and memory-sync state folder of the test's own, and no stray OpenClaw variables."""
    home = tmp_path / "home"
    home.mkdir()
    for name in (
        "OPENCLAW_STATE_DIR",
        "OPENCLAW_HOME",
        "OPENCLAW_CONFIG_PATH",
        "NO_COLOR",
        "MEMORY_SYNC_TZ",
        "MEMORY_SYNC_AGENT",
        "MEMORY_SYNC_MEMORY_DIR",
        "MEMORY_SYNC_SESSIONS_DIR",
        "MEMORY_SYNC_OPENCLAW_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    env = {
        "HOME": str(home),
        "MEMORY_SYNC_STATE_DIR": str(tmp_path / "ms-state"),
        "MEMORY_SYNC_CONFIG": str(tmp_path / "no-config.toml"),
        "TZ": "UTC",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def corpus(tmp_path: Path, isolated_env: dict[str, str]) -> Callable[[str], Path]:
    """Copy a corpus state folder to a temp folder and return its path."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(CORPUS / name, target)
        return target

    return copy


@pytest.fixture
def cli(isolated_env: dict[str, str]) -> Callable[..., Result]:
    """Run memory-sync in-process; returns click's Result (stdout and stderr kept apart)."""
    runner = CliRunner()

    def run(*args: Any, input: str | None = None) -> Result:
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


def compare_json(cli: Callable[..., Result], *args: Any) -> dict[str, Any]:
    """Run `compare --json` and parse its stdout."""
    result = cli("compare", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_date(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {day["date"]: day for day in document["days"]}
