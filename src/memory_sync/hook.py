"""`hook`: put memory-sync's OpenClaw hook in place, and say whether OpenClaw sees it ready."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from memory_sync.config import AgentSettings
from memory_sync.errors import MemorySyncError
from memory_sync.private import private_dir, tighten

HOOK_NAME = "memory-sync"
FILES = ("HOOK.md", "handler.js")


@dataclass
class HookReport:
    """Where the hook is, what it runs, and what OpenClaw says of it."""

    folder: Path
    command: str
    installed: bool = False
    current: bool = False  # its files are this version's
    enabled: str = ""  # what `openclaw hooks enable` said, when it ran
    openclaw: dict[str, object] = field(default_factory=dict)  # `openclaw hooks info --json`
    notes: list[str] = field(default_factory=list)
    log_dir: Path | None = None


def hook_folder(state_dir: Path) -> Path:
    """OpenClaw's managed hook folder for memory-sync: `<state>/hooks/memory-sync`."""
    return state_dir / "hooks" / HOOK_NAME


def this_command() -> str:
    """The memory-sync executable to run from the hook: this one, by its full path (the
    Gateway's PATH need not have it)."""
    found = shutil.which("memory-sync")
    argv0 = Path(sys.argv[0])
    if argv0.name == "memory-sync" and argv0.exists():
        return str(argv0.resolve())
    return str(Path(found).resolve()) if found else "memory-sync"


def _packaged(name: str) -> bytes:
    return (resources.files("memory_sync") / "hookpack" / name).read_bytes()


def install_hook(
    settings: AgentSettings, *, agents: list[str], command: str, enable: bool = True
) -> HookReport:
    """Write the hook into OpenClaw's state folder with its config, and enable it through
    `openclaw hooks enable` when the openclaw command is there."""
    if settings.state_dir is None:
        raise MemorySyncError(
            "the hook goes into OpenClaw's state folder, and none was found: pass --openclaw-dir"
        )
    folder = hook_folder(settings.state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        (folder / name).write_bytes(_packaged(name))
    logs = private_dir(settings.app_state_dir / "logs", root=settings.app_state_dir)
    tighten(settings.app_state_dir, 0o700)
    config = {
        "command": command,
        "stateDir": str(settings.state_dir),
        "logDir": str(logs),
        "agents": agents,
        "version": _version(),
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    report = hook_status(settings, command=command)
    if enable:
        report.enabled = _openclaw(settings.state_dir, "hooks", "enable", HOOK_NAME)
        report.openclaw = _info(settings.state_dir)
    if not Path(command).is_absolute() or not os.access(command, os.X_OK):
        report.notes.append(
            f"{command} is not an executable path: the Gateway must find memory-sync on its PATH"
        )
    return report


def hook_status(settings: AgentSettings, *, command: str | None = None) -> HookReport:
    """Whether the hook is in place and current, what it runs, and OpenClaw's view of it."""
    if settings.state_dir is None:
        raise MemorySyncError("no OpenClaw state folder found: pass --openclaw-dir")
    folder = hook_folder(settings.state_dir)
    config: dict[str, object] = {}
    with contextlib.suppress(OSError, ValueError):
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    report = HookReport(folder, str(config.get("command") or command or this_command()))
    report.installed = all((folder / name).is_file() for name in FILES)
    report.current = report.installed and all(
        (folder / name).read_bytes() == _packaged(name) for name in FILES
    )
    log_dir = config.get("logDir")
    report.log_dir = Path(str(log_dir)) if log_dir else None
    if report.installed and not report.current:
        report.notes.append("the hook's files are from another memory-sync version: run install")
    if report.installed:
        report.openclaw = _info(settings.state_dir)
    return report


def _version() -> str:
    from memory_sync import __version__

    return __version__


def _openclaw(state_dir: Path, *args: str) -> str:
    """Run the openclaw command on this state folder; what it said (or why it did not run)."""
    found = shutil.which("openclaw")
    if found is None:
        return "openclaw is not on PATH: run `openclaw hooks enable memory-sync` where it is"
    env = dict(os.environ, OPENCLAW_STATE_DIR=str(state_dir))
    try:
        done = subprocess.run(
            [found, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"openclaw {' '.join(args)} did not run: {exc}"
    said = (done.stdout + done.stderr).strip().splitlines()
    return said[-1] if said else f"openclaw {' '.join(args)} exited with {done.returncode}"


def _info(state_dir: Path) -> dict[str, object]:
    """`openclaw hooks info memory-sync --json`, or {} when openclaw is not there."""
    found = shutil.which("openclaw")
    if found is None:
        return {}
    env = dict(os.environ, OPENCLAW_STATE_DIR=str(state_dir))
    try:
        done = subprocess.run(
            [found, "hooks", "info", HOOK_NAME, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        start = done.stdout.find("{")
        data = json.loads(done.stdout[start:]) if start >= 0 else {}
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return {}
