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
from memory_sync.private import private_dir

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
    folder = hook_folder(_state_dir(settings))
    logs = private_dir(settings.app_state_dir / "logs", root=settings.app_state_dir)
    config = {
        "command": command,
        "stateDir": str(settings.state_dir),
        "logDir": str(logs),
        "agents": agents,
        "version": _version(),
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            (folder / name).write_bytes(_packaged(name))
        (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise MemorySyncError(
            f"cannot write the hook into {folder} ({exc.strerror or exc}): check that the "
            "OpenClaw state folder is yours and writable"
        ) from exc
    report = _read(folder, command)
    if enable:
        report.enabled = _openclaw_said(folder.parent.parent, "hooks", "enable", HOOK_NAME)
    report.openclaw = _info(folder.parent.parent)
    if not Path(command).is_absolute() or not os.access(command, os.X_OK):
        report.notes.append(
            f"{command} is not an executable path: the Gateway must find memory-sync on its PATH"
        )
    return report


def hook_status(settings: AgentSettings) -> HookReport:
    """Whether the hook is in place and current, what it runs, and OpenClaw's view of it."""
    state_dir = _state_dir(settings)
    report = _read(hook_folder(state_dir), this_command())
    if report.installed:
        report.openclaw = _info(state_dir)
    return report


def _state_dir(settings: AgentSettings) -> Path:
    if settings.state_dir is None:
        raise MemorySyncError(
            "the hook lives in OpenClaw's state folder, and none was found: pass --openclaw-dir"
        )
    return settings.state_dir


def _read(folder: Path, command: str) -> HookReport:
    """What is in the hook folder: its files, whether they are this version's, its config."""
    config: dict[str, object] = {}
    with contextlib.suppress(OSError, ValueError):
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    report = HookReport(folder, str(config.get("command") or command))
    report.installed = all((folder / name).is_file() for name in FILES)
    report.current = report.installed and all(
        (folder / name).read_bytes() == _packaged(name) for name in FILES
    )
    log_dir = config.get("logDir")
    report.log_dir = Path(str(log_dir)) if log_dir else None
    if report.installed and not report.current:
        report.notes.append("the hook's files are from another memory-sync version: run install")
    return report


def _version() -> str:
    from memory_sync import __version__

    return __version__


def _run_openclaw(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str] | str:
    """Run the openclaw command on this state folder: what it did, or why it could not run."""
    found = shutil.which("openclaw")
    if found is None:
        return "the openclaw command is not on PATH"
    env = dict(os.environ, OPENCLAW_STATE_DIR=str(state_dir))
    try:
        return subprocess.run(
            [found, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"openclaw {' '.join(args)} did not run: {exc}"


def _openclaw_said(state_dir: Path, *args: str) -> str:
    """The last line openclaw said, or what to run by hand when it could not run."""
    done = _run_openclaw(state_dir, *args)
    if isinstance(done, str):
        return f"{done}: run `openclaw {' '.join(args)}` where it is"
    said = (done.stdout + done.stderr).strip().splitlines()
    return said[-1] if said else f"openclaw {' '.join(args)} exited with {done.returncode}"


def _info(state_dir: Path) -> dict[str, object]:
    """`openclaw hooks info memory-sync --json`, or {} when openclaw is not there."""
    done = _run_openclaw(state_dir, "hooks", "info", HOOK_NAME, "--json")
    if isinstance(done, str):
        return {}
    start = done.stdout.find("{")
    try:
        data = json.loads(done.stdout[start:]) if start >= 0 else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
