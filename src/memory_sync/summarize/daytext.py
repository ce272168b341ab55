"""The day's conversation as redacted, de-noised lines in time order: the LLM's input."""

from __future__ import annotations

import os
import tempfile
from zoneinfo import ZoneInfo

import orjson

from memory_sync.digest.builder import HeartbeatRuns
from memory_sync.digest.notes import CONTENT_NOISE, one_line
from memory_sync.events import Event, Kind
from memory_sync.redact import Redact
from memory_sync.timeutil import local_time

USER_CHARS = 2000  # what the person wrote is kept longest
REPLY_CHARS = 1200
TOOL_OUTPUT_CHARS = 240  # tool outputs shortened: enough for results and errors
# Beyond this a day's lines go to its temp file: every chosen day is collected in one pass, so
# this times the number of days is what stays in memory (the file is closed between writes, so
# years of days never hold years of open files).
SPILL_CHARS = 100_000
_WRAPPED = {"cron_announce": "CRON", "task_result": "TASK RESULT", "subagent_task": "SUBAGENT TASK"}


class DayText:
    """Collects one day's lines; thinking is never seen (events carry no thinking)."""

    def __init__(self, date: str, zone: ZoneInfo, redact: Redact) -> None:
        self.date = date
        self.zone = zone
        self.redact = redact
        self._lines: list[tuple[int, str]] = []
        self._chars = 0
        self._spill: str | None = None  # path of the temp file holding spilled lines
        self.heartbeats = HeartbeatRuns()

    def _add(self, ms: int, line: str) -> None:
        self._lines.append((ms, line))
        self._chars += len(line)
        if self._chars > SPILL_CHARS:
            if self._spill is None:
                handle, self._spill = tempfile.mkstemp(prefix="memory-sync-")
                os.close(handle)
            with open(self._spill, "ab") as spill:
                spill.write(b"".join(orjson.dumps(item) + b"\n" for item in self._lines))
            self._lines.clear()
            self._chars = 0

    def add(self, event: Event) -> None:
        """Take one event of the day: the person's words, the agent's replies and tool steps,
        and one line for a cron result, a task's findings or a subagent's task. Heartbeat runs,
        pings and other plumbing are left out (an alert from a heartbeat is kept)."""
        kind = event.kind
        at = local_time(event.ms, self.zone)
        where = (event.session_key or "session") + " " + event.session_id[:8]
        if self.heartbeats.belongs(event):
            if kind is Kind.ASSISTANT and event.text:
                text = self.redact(event.text[: REPLY_CHARS + 200])[:REPLY_CHARS]
                self._add(event.ms, f"[{at} {where}] HEARTBEAT ALERT: {text}")
        elif kind is Kind.NOISE:
            if event.noise in CONTENT_NOISE and event.text:
                text = self.redact(event.text[: USER_CHARS + 200])[:USER_CHARS]
                self._add(event.ms, f"[{at} {where}] {_WRAPPED[event.noise]}: {text}")
        elif kind is Kind.USER:
            text = self.redact(event.text[: USER_CHARS + 200])[:USER_CHARS]
            self._add(event.ms, f"[{at} {where}] PERSON: {text}")
        elif kind is Kind.ASSISTANT:
            text = self.redact(event.text[: REPLY_CHARS + 200])[:REPLY_CHARS]
            self._add(event.ms, f"[{at} {where}] AGENT ({event.model}): {text}")
            self._tools(event, at, where)
        elif kind is Kind.TOOL_CALL:
            self._tools(event, at, where)
        elif kind is Kind.TOOL_RESULT:
            text = one_line(self.redact(event.text[: TOOL_OUTPUT_CHARS + 200]), TOOL_OUTPUT_CHARS)
            status = "ERROR" if event.is_error else "result"
            self._add(event.ms, f"[{at} {where}] TOOL {status} ({event.tool_name}): {text}")
        elif kind is Kind.ERROR and event.text:
            self._add(
                event.ms, f"[{at} {where}] MODEL ERROR: {one_line(self.redact(event.text), 200)}"
            )
        elif kind is Kind.COMPACTION:
            self._add(event.ms, f"[{at} {where}] (context compacted)")
        elif kind is Kind.RESET:
            self._add(event.ms, f"[{at} {where}] (/{event.reason or 'reset'}: fresh context)")

    def _tools(self, event: Event, at: str, where: str) -> None:
        for call in event.tools:
            detail = call.command or call.path or call.url or ""
            detail = one_line(self.redact(detail[:600]), 200)
            self._add(event.ms, f"[{at} {where}] TOOL CALL {call.name}: {detail}")

    def note(self, ms: int, line: str) -> None:
        """Add a line the caller knows about (a model transition)."""
        self._add(ms, line)

    def lines(self) -> list[str]:
        """Every line in time order (reads back what was spilled, then removes the file)."""
        items = list(self._lines)
        if self._spill is not None:
            with open(self._spill, "rb") as handle:
                items.extend((int(ms), str(text)) for ms, text in map(orjson.loads, handle))
            os.unlink(self._spill)
            self._spill = None
        items.sort(key=lambda item: item[0])
        return [line for _, line in items]
