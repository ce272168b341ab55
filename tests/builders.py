"""Build OpenClaw transcripts in the shapes the real program writes, for tests and fixtures."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def iso(moment: datetime) -> str:
    """OpenClaw's entry timestamp: ISO-8601 UTC with milliseconds and Z."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Transcript:
    """Appends entries with ids, parentIds and timestamps like pi's SessionManager."""

    def __init__(self, start: datetime, session_id: str | None = None, version: int = 3) -> None:
        self.session_id = session_id or str(uuid.uuid4())
        self.now = start
        self.entries: list[dict[str, Any]] = [
            {
                "type": "session",
                "version": version,
                "id": self.session_id,
                "timestamp": iso(start),
                "cwd": "/home/u/.openclaw/workspace",
            }
        ]
        self.parent: str | None = None
        self._n = 0

    def _base(self, kind: str, step: float) -> dict[str, Any]:
        self.now += timedelta(seconds=step)
        self._n += 1
        entry_id = uuid.uuid5(uuid.NAMESPACE_OID, f"{self.session_id}/{self._n}").hex[:8]
        entry = {"type": kind, "id": entry_id, "parentId": self.parent, "timestamp": iso(self.now)}
        self.parent = entry_id
        return entry

    def add(self, kind: str, step: float = 1.0, **fields: Any) -> dict[str, Any]:
        entry = self._base(kind, step)
        entry.update(fields)
        self.entries.append(entry)
        return entry

    def message(self, message: dict[str, Any], step: float = 1.0) -> dict[str, Any]:
        message.setdefault("timestamp", ms(self.now + timedelta(seconds=step)) - 5)
        return self.add("message", step, message=message)

    def user(self, text: str, step: float = 5.0, envelope: bool = False) -> dict[str, Any]:
        if envelope:
            text = f"[Fri {self.now:%Y-%m-%d %H:%M} GMT+1] {text}"
        return self.message({"role": "user", "content": [{"type": "text", "text": text}]}, step)

    def assistant(
        self, text: str, model: str = "alpha", provider: str = "fake", step: float = 1.0
    ) -> dict[str, Any]:
        return self.message(
            {
                "role": "assistant",
                "content": [{"type": "text", "text": text}],
                "api": "openai-completions",
                "provider": provider,
                "model": model,
                "usage": {"input": 10, "output": 5, "totalTokens": 15},
                "stopReason": "stop",
            },
            step,
        )

    def tool_call(
        self,
        name: str,
        arguments: dict[str, Any],
        model: str = "alpha",
        provider: str = "fake",
        step: float = 1.0,
    ) -> dict[str, Any]:
        call_id = f"call_{self._n}"
        self.message(
            {
                "role": "assistant",
                "content": [
                    {"type": "toolCall", "id": call_id, "name": name, "arguments": arguments}
                ],
                "provider": provider,
                "model": model,
                "stopReason": "toolUse",
            },
            step,
        )
        return self.message(
            {
                "role": "toolResult",
                "toolCallId": call_id,
                "toolName": name,
                "content": [{"type": "text", "text": "ok"}],
                "isError": False,
            },
            0.5,
        )

    def lines(self) -> list[str]:
        return [json.dumps(e) for e in self.entries]

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(self.lines()) + "\n", encoding="utf-8")
        return path


def forget_session(state: Path, session_id: str) -> None:
    """The tombstone row `openclaw memory forget --session` leaves (openclaw-storage.md)."""
    db = sqlite3.connect(state / "agents/main/agent/openclaw-agent.sqlite")
    with db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS memory_session_tombstones(session_id TEXT PRIMARY KEY,"
            " agent_id TEXT, reason TEXT, created_at INTEGER) STRICT"
        )
        db.execute(
            "INSERT INTO memory_session_tombstones VALUES (?, 'main', 'forgotten', 1)",
            (session_id,),
        )
    db.close()
