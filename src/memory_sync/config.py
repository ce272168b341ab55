"""Resolve every setting once (flag > env > config file > openclaw.json > default), with origins."""

from __future__ import annotations

import hashlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import platformdirs

from memory_sync import locate
from memory_sync.errors import MemorySyncError, no_folder
from memory_sync.private import private_dir
from memory_sync.timeutil import DayClock, load_zone, system_zone_name

ENV_PREFIX = "MEMORY_SYNC_"


@dataclass(frozen=True)
class Options:
    """What the user asked for on the command line (None: not given)."""

    openclaw_dir: Path | None = None
    agent: str | None = None
    all_agents: bool = False
    tz: str | None = None
    sessions_dir: Path | None = None
    memory_dir: Path | None = None


@dataclass(frozen=True)
class Tuning:
    """The knobs the environment sets for a whole run (not per agent), with their origins."""

    workers: int | None = None  # MEMORY_SYNC_WORKERS; None: two on a large history
    lock_wait: float = 10.0  # MEMORY_SYNC_LOCK_WAIT: seconds to wait for another run's lock
    batch_poll: float = 20.0  # MEMORY_SYNC_BATCH_POLL: seconds between Message Batch polls
    no_color: bool = False  # NO_COLOR
    # MEMORY_SYNC_KEYS_IN_MEMORY, MEMORY_SYNC_DAYS_IN_MEMORY: how much a large history's read
    # holds before it sets the rest aside on disk (None: the defaults, see docs/architecture.md)
    keys_in_memory: int | None = None
    days_in_memory: int | None = None
    origins: Mapping[str, str] = field(default_factory=dict)


def tuning(env: Mapping[str, str] | None = None) -> Tuning:
    """Read the run's knobs from the environment; a value that is not a number is ignored."""
    env = os.environ if env is None else env
    origins: dict[str, str] = {}

    def number(name: str, default: float) -> float:
        value = env.get(ENV_PREFIX + name)
        try:
            found = float(value) if value else default
        except ValueError:
            return default
        if value:
            origins[name.lower()] = ENV_PREFIX + name
        return found

    def count(name: str) -> int | None:
        text = env.get(ENV_PREFIX + name)
        if not text or not text.isdigit():
            return None
        origins[name.lower()] = ENV_PREFIX + name
        return int(text)

    return Tuning(
        workers=count("WORKERS"),
        keys_in_memory=count("KEYS_IN_MEMORY"),
        days_in_memory=count("DAYS_IN_MEMORY"),
        lock_wait=number("LOCK_WAIT", 10.0),
        batch_poll=number("BATCH_POLL", 20.0),
        no_color=bool(env.get("NO_COLOR")),
        origins=origins,
    )


def api_key_variable(backend: str, env: Mapping[str, str] | None = None) -> str | None:
    """The environment variable that holds `backend`'s API key, when one is set."""
    env = os.environ if env is None else env
    names = (
        ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
        if backend == "anthropic"
        else ("OPENAI_API_KEY",)
    )
    return next((name for name in names if env.get(name)), None)


def openai_base_url(flag: str | None, env: Mapping[str, str] | None = None) -> str | None:
    """The OpenAI-compatible server: --base-url, else $OPENAI_BASE_URL, else None (OpenAI)."""
    env = os.environ if env is None else env
    return flag or env.get("OPENAI_BASE_URL") or None


@dataclass(frozen=True)
class AgentSettings:
    """Everything one run needs about one agent, and where each value came from."""

    agent: str
    sources: locate.HistorySources
    memory_dir: Path
    tz_name: str
    zone: ZoneInfo
    app_state_dir: Path
    state_dir: Path | None = None  # OpenClaw's state folder, when known
    origins: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    tuning: Tuning = field(default_factory=Tuning)
    sessions_dirs: tuple[Path, ...] = ()  # the transcript folders the sources were found in

    @property
    def index_path(self) -> Path:
        """Where this agent's index lives (shown by -v): one file per agent and the real paths
        of its sources, however they were reached (--openclaw-dir, OPENCLAW_STATE_DIR, a link)."""
        places = sorted({str(p.resolve()) for p in (*self.sessions_dirs, *self.sources.databases)})
        identity = "|".join([self.agent, *places])
        name = hashlib.sha256(identity.encode()).hexdigest()[:16]
        return self.app_state_dir / "index" / f"{name}.sqlite"

    def clock(self) -> DayClock:
        """The agent's local calendar: which day a moment falls on, and today."""
        return DayClock(self.zone)


def config_file_path(env: Mapping[str, str]) -> Path:
    """memory-sync's own config file: $MEMORY_SYNC_CONFIG or ~/.config/memory-sync/config.toml."""
    if env.get(ENV_PREFIX + "CONFIG"):
        return Path(env[ENV_PREFIX + "CONFIG"]).expanduser()
    return Path(platformdirs.user_config_dir("memory-sync")) / "config.toml"


def app_state_dir(env: Mapping[str, str]) -> Path:
    """Where memory-sync keeps backups, locks and its index ($MEMORY_SYNC_STATE_DIR overrides)."""
    if env.get(ENV_PREFIX + "STATE_DIR"):
        return Path(env[ENV_PREFIX + "STATE_DIR"]).expanduser()
    return Path(platformdirs.user_state_dir("memory-sync"))


def state_subdir(app_state: Path, name: str) -> Path:
    """A folder of memory-sync's own state (locks, backups, summaries), created if needed,
    readable by its user alone (0700, and the state folder too)."""
    folder = app_state / name
    try:
        private_dir(folder, root=app_state)
    except OSError as exc:
        raise MemorySyncError(
            f"cannot create {folder} ({exc.strerror}): set MEMORY_SYNC_STATE_DIR to a folder "
            "memory-sync may write to"
        ) from exc
    return folder


def _load_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        raise MemorySyncError(f"{path} is not valid TOML ({exc}); fix or remove it") from exc


class _Chooser:
    """Picks the first value given among flag, environment and config file, remembering which."""

    def __init__(self, env: Mapping[str, str], file_values: dict[str, Any], file_path: Path):
        self.env = env
        self.file_values = file_values
        self.file_path = file_path
        self.origins: dict[str, str] = {}

    def pick(self, name: str, flag: Any, flag_name: str) -> Any:
        if flag not in (None, ""):
            self.origins[name] = flag_name
            return flag
        env_name = ENV_PREFIX + name.upper()
        if self.env.get(env_name):
            self.origins[name] = env_name
            return self.env[env_name]
        if self.file_values.get(name) not in (None, ""):
            self.origins[name] = f"{self.file_path} [{name}]"
            return self.file_values[name]
        return None


def _as_path(value: Any) -> Path | None:
    return Path(os.path.expanduser(str(value))) if value else None


def resolve(options: Options, env: Mapping[str, str] | None = None) -> list[AgentSettings]:
    """Settings for the chosen agent (or every agent with --all-agents)."""
    env = os.environ if env is None else env
    cfg_path = config_file_path(env)
    choose = _Chooser(env, _load_toml(cfg_path), cfg_path)
    openclaw_dir = _as_path(choose.pick("openclaw_dir", options.openclaw_dir, "--openclaw-dir"))
    sessions_dir = _as_path(choose.pick("sessions_dir", options.sessions_dir, "--sessions-dir"))
    memory_dir = _as_path(choose.pick("memory_dir", options.memory_dir, "--memory-dir"))
    tz_flag = choose.pick("tz", options.tz, "--tz")
    agent_flag = choose.pick("agent", options.agent, "--agent")

    if sessions_dir is not None and not sessions_dir.is_dir():
        raise MemorySyncError(
            f"sessions folder {sessions_dir} {no_folder(sessions_dir)}: check --sessions-dir "
            "(it holds the *.jsonl transcripts, e.g. ~/.openclaw/agents/main/sessions)"
        )
    state = None
    if sessions_dir is None or openclaw_dir is not None:
        state = locate.find_state_dir(openclaw_dir, env)
    if state is None and sessions_dir is None:
        raise MemorySyncError(
            "no OpenClaw history found (looked for $OPENCLAW_STATE_DIR, ~/.openclaw, ~/.clawdbot, "
            "~/.moltbot and ~/.cursor/OpenClaw): pass --openclaw-dir or --sessions-dir"
        )
    warnings: list[str] = []
    oc_config, oc_config_path = locate.load_openclaw_config(state, env, warnings)
    if state is not None:
        choose.origins["openclaw_dir"] = choose.origins.get("openclaw_dir", state.origin)

    if tz_flag:
        tz_name, tz_origin = str(tz_flag), choose.origins["tz"]
    elif locate.user_timezone(oc_config):
        tz_name, tz_origin = (
            locate.user_timezone(oc_config) or "",
            (f"{oc_config_path} agents.defaults.userTimezone"),
        )
    else:
        tz_name, tz_origin = system_zone_name(env), "system zone"
    zone = load_zone(tz_name, tz_origin)

    if options.all_agents and state is not None and not state.cursor_layout:
        agents = locate.list_agents(state)
    else:
        agents = [str(agent_flag or "main").lower()]
        if agent_flag is None:
            choose.origins["agent"] = "default"

    knobs = tuning(env)
    out: list[AgentSettings] = []
    for agent in agents:
        origins = dict(choose.origins)
        origins["tz"] = tz_origin
        if oc_config_path:
            origins["openclaw.json"] = str(oc_config_path)
        sessions_dirs, databases = _agent_sources(state, agent, sessions_dir, origins)
        mem = memory_dir
        if mem is None:
            mem = _default_memory_dir(state, oc_config, agent, sessions_dir, origins)
        else:
            origins["memory_dir"] = choose.origins["memory_dir"]
        agent_warnings = list(warnings)
        if not mem.is_dir():
            if not options.all_agents:
                raise MemorySyncError(
                    f"memory folder {mem} {no_folder(mem)} (from {origins['memory_dir']}): create "
                    "it or point --memory-dir at the workspace's memory/ folder"
                )
            agent_warnings.append(
                f"agent {agent}: memory folder {mem} {no_folder(mem)}, so each of its days shows "
                "as missing (create it, or give the agent a workspace)"
            )
        out.append(
            AgentSettings(
                agent=agent,
                sources=locate.history_sources(sessions_dirs, databases, agent),
                memory_dir=mem,
                tz_name=tz_name,
                zone=zone,
                app_state_dir=app_state_dir(env),
                state_dir=state.path if state is not None else None,
                origins=origins,
                warnings=tuple(agent_warnings),
                tuning=knobs,
                sessions_dirs=tuple(sessions_dirs),
            )
        )
    return out


def _agent_sources(
    state: locate.StateDir | None, agent: str, sessions_dir: Path | None, origins: dict[str, str]
) -> tuple[list[Path], list[Path]]:
    if sessions_dir is not None:
        sibling_db = sessions_dir.parent / "agent" / locate.DB_NAME
        origins["sessions"] = f"{sessions_dir} ({origins.get('sessions_dir', '--sessions-dir')})"
        return [sessions_dir], [sibling_db] if sibling_db.is_file() else []
    assert state is not None
    if state.cursor_layout:
        origins["sessions"] = f"{state.path / 'sessions'} ({state.origin})"
        return [state.path / "sessions"], []
    agent_dir = state.path / "agents" / agent
    if not agent_dir.is_dir() and not (agent == "main" and (state.path / "sessions").is_dir()):
        raise MemorySyncError(
            f"agent {agent!r} has no folder {agent_dir}: check --agent "
            f"(known: {', '.join(locate.list_agents(state))})"
        )
    folders = [agent_dir / "sessions"]
    if agent == "main":
        folders.append(state.path / "sessions")  # pre-multi-agent layout
    origins["sessions"] = f"{agent_dir} ({state.origin})"
    return folders, [agent_dir / "agent" / locate.DB_NAME]


def _default_memory_dir(
    state: locate.StateDir | None,
    oc_config: dict[str, Any],
    agent: str,
    sessions_dir: Path | None,
    origins: dict[str, str],
) -> Path:
    if state is None:
        raise MemorySyncError(
            "no memory folder known: with --sessions-dir alone, also pass --memory-dir "
            "(the workspace's memory/ folder)"
        )
    if state.cursor_layout:
        origins["memory_dir"] = "~/.cursor/OpenClaw/memory (spec layout)"
        return state.path / "memory"
    workspace, why = locate.workspace_dir(oc_config, state, agent)
    origins["memory_dir"] = f"{why} + /memory"
    return workspace / "memory"


def summary_choice(
    backend: str | None, model: str | None, env: Mapping[str, str] | None = None
) -> tuple[str, str | None]:
    """Backend and model for summaries: flag > MEMORY_SYNC_BACKEND/_MODEL > config file >
    default (anthropic, and the backend's default model)."""
    env = os.environ if env is None else env
    cfg_path = config_file_path(env)
    choose = _Chooser(env, _load_toml(cfg_path), cfg_path)
    chosen_backend = choose.pick("backend", backend, "--backend") or "anthropic"
    chosen_model = choose.pick("model", model, "--model")
    return str(chosen_backend), (str(chosen_model) if chosen_model else None)
