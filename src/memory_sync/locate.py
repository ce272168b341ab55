"""Find the OpenClaw state folder, the agent's history sources, workspace and memory folder."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import json5

from memory_sync.errors import MemorySyncError, no_folder
from memory_sync.stores.jsonl import list_jsonl_sources
from memory_sync.stores.sqlite import forgotten_sessions

DB_NAME = "openclaw-agent.sqlite"
LEGACY_STATE_NAMES = (".clawdbot", ".moldbot", ".moltbot")
CONFIG_NAMES = ("openclaw.json", "clawdbot.json", "moldbot.json", "moltbot.json")


@dataclass(frozen=True)
class StateDir:
    """The OpenClaw state folder (or the spec's ~/.cursor/OpenClaw layout) and its origin."""

    path: Path
    origin: str
    cursor_layout: bool = False


def home(env: Mapping[str, str]) -> Path:
    """OpenClaw's notion of home: $OPENCLAW_HOME, else $HOME."""
    return Path(env.get("OPENCLAW_HOME") or env.get("HOME") or Path.home()).expanduser()


def find_state_dir(flag: Path | None, env: Mapping[str, str]) -> StateDir | None:
    """The state folder by the documented order; None when no candidate exists."""
    if flag is not None:
        if not flag.is_dir():
            raise MemorySyncError(
                f"OpenClaw folder {flag} {no_folder(flag)}: check --openclaw-dir "
                "(it is the folder that holds agents/ and openclaw.json)"
            )
        return StateDir(flag, "--openclaw-dir")
    if env.get("OPENCLAW_STATE_DIR"):
        path = Path(env["OPENCLAW_STATE_DIR"]).expanduser()
        if not path.is_dir():
            raise MemorySyncError(
                f"OPENCLAW_STATE_DIR={path} {no_folder(path)}: "
                "fix the variable or pass --openclaw-dir"
            )
        return StateDir(path, "OPENCLAW_STATE_DIR")
    base = home(env)
    origin = "OPENCLAW_HOME" if env.get("OPENCLAW_HOME") else "default"
    candidates = [(base / ".openclaw", f"{origin} (~/.openclaw)")]
    candidates += [(base / name, f"legacy ~/{name}") for name in LEGACY_STATE_NAMES]
    for path, why in candidates:
        if path.is_dir():
            return StateDir(path, why)
    cursor = base / ".cursor" / "OpenClaw"
    if (cursor / "sessions").is_dir():
        return StateDir(cursor, "~/.cursor/OpenClaw (spec layout)", cursor_layout=True)
    return None


def load_openclaw_config(
    state: StateDir | None, env: Mapping[str, str], warn: list[str]
) -> tuple[dict[str, Any], Path | None]:
    """openclaw.json (JSON5) as a dict; a broken file is a warning, never a stop."""
    path: Path | None = None
    if env.get("OPENCLAW_CONFIG_PATH"):
        path = Path(env["OPENCLAW_CONFIG_PATH"]).expanduser()
    elif state is not None:
        path = next((state.path / n for n in CONFIG_NAMES if (state.path / n).is_file()), None)
    if path is None or not path.is_file():
        return {}, None
    try:
        data = json5.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (ValueError, OSError) as exc:
        warn.append(f"warning: {path} is not valid JSON5 ({exc}); using defaults instead")
        return {}, path
    return (data if isinstance(data, dict) else {}), path


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def user_timezone(config: dict[str, Any]) -> str | None:
    """`agents.defaults.userTimezone` from openclaw.json."""
    value = _dig(config, "agents", "defaults", "userTimezone")
    return value if isinstance(value, str) and value else None


def workspace_dir(
    config: dict[str, Any], state: StateDir, agent: str, default_agent: str = "main"
) -> tuple[Path, str]:
    """The agent's workspace folder and the config key (or rule) it came from."""
    agents = _dig(config, "agents")
    entries = _dig(agents, "list")
    if isinstance(entries, list):
        for item in entries:
            if (
                isinstance(item, dict)
                and str(item.get("id", "")).lower() == agent
                and isinstance(item.get("workspace"), str)
            ):
                return Path(item["workspace"]).expanduser(), "openclaw.json agents.list[].workspace"
    by_id = _dig(agents, "entries", agent, "workspace")
    if isinstance(by_id, str):
        return Path(by_id).expanduser(), f"openclaw.json agents.entries.{agent}.workspace"
    default_ws = _dig(agents, "defaults", "workspace")
    if agent == default_agent:
        if isinstance(default_ws, str):
            return Path(default_ws).expanduser(), "openclaw.json agents.defaults.workspace"
        return state.path / "workspace", "default (<state>/workspace)"
    if isinstance(default_ws, str):
        return Path(default_ws).expanduser() / agent, "agents.defaults.workspace/<agent>"
    return state.path / f"workspace-{agent}", "default (<state>/workspace-<agent>)"


def list_agents(state: StateDir) -> list[str]:
    """Agent ids under `<state>/agents/`, `main` first."""
    agents_dir = state.path / "agents"
    if not agents_dir.is_dir():
        return ["main"]
    ids = sorted(p.name for p in agents_dir.iterdir() if p.is_dir())
    return sorted(ids, key=lambda a: (a != "main", a)) or ["main"]


@dataclass(frozen=True)
class HistorySources:
    """Every source of one agent's history: SQLite databases and JSONL files, in read order."""

    databases: tuple[Path, ...]
    jsonl_files: tuple[Path, ...]
    forgotten: frozenset[str] = frozenset()  # sessions `openclaw memory forget` recorded

    @functools.cached_property
    def _total(self) -> int:
        size = 0
        names = [str(p) for p in self.databases]
        names += [f"{p}-wal" for p in self.databases]
        names += [str(p) for p in self.jsonl_files]
        for name in names:
            with contextlib.suppress(OSError):
                size += os.stat(name).st_size
        return size

    def total_bytes(self) -> int:
        """Bytes on disk of all sources (for progress and throughput), computed once."""
        return self._total


def history_sources(
    sessions_dirs: list[Path], databases: list[Path], agent: str = "main"
) -> HistorySources:
    """Collect the sources below the given folders; databases are read first (they know keys).
    Paths are the real ones (links resolved), so one history reached two ways is one. The
    sessions the person made OpenClaw forget are noted, to be left out of everything."""
    files: list[Path] = []
    for folder in sessions_dirs:
        if folder.is_dir():
            files.extend(list_jsonl_sources(folder.resolve()))
    dbs = [db.resolve() for db in databases if db.is_file()]
    forgotten = frozenset(s for db in dbs for s in forgotten_sessions(db, agent))
    if len(sessions_dirs) > 1:  # folders may overlap; one folder lists each file once
        files = list(dict.fromkeys(files))
    return HistorySources(tuple(dict.fromkeys(dbs)), tuple(files), forgotten)
