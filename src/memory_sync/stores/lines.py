"""Tolerant parsing of JSONL transcript lines shared by file and database archive readers."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

import orjson

from memory_sync.problems import Problems

MAX_LINE_BYTES = 64 * 1024 * 1024  # longer lines are skipped (and counted), never loaded

ENTRY_TYPES = frozenset(
    {
        "message",
        "model_change",
        "thinking_level_change",
        "compaction",
        "branch_summary",
        "custom",
        "custom_message",
        "label",
        "session_info",
        "reset",
    }
)


def bounded_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[bytes | None]:
    """Lines of a binary stream; None stands for a line longer than `limit` (skipped)."""
    readline = stream.readline
    while True:
        line = readline(limit)
        if not line:
            return
        if len(line) == limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the overlong line without keeping it
                rest = readline(limit)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def parse_line(line: bytes, source: str, problems: Problems) -> Any:
    """Decode one JSON line; invalid UTF-8 is repaired, anything else broken returns None."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        pass
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        try:
            value = orjson.loads(line.decode("utf-8", errors="replace"))
        except orjson.JSONDecodeError:
            return None
        problems.repair(source, "invalid UTF-8 replaced")
        return value
    return None


class TranscriptLines:
    """Parses the lines of one transcript: header detection, damage counting, entry yielding.

    `is_transcript` is False when the first readable line shows the file is something else
    (a trajectory or stream log); then nothing is yielded and nothing is reported.
    """

    def __init__(self, source: str, problems: Problems, defer_tail: bool = False) -> None:
        self.source = source
        self.problems = problems
        self.header: dict[str, Any] | None = None
        self.is_transcript: bool | None = None
        # With `defer_tail`, a broken last line without a newline (a write still in progress)
        # is not reported; its length is left in `tail_bytes` so a later run reads it again.
        self.defer_tail = defer_tail
        self.tail_bytes = 0

    def entries(self, lines: Iterable[bytes | None]) -> Iterator[dict[str, Any]]:
        """Yield every valid entry dict (not headers); count each broken line once."""
        source, problems = self.source, self.problems
        broken: list[str] = []  # reasons of broken lines not yet reported
        last_unterminated = False
        last_size = 0
        for line in lines:
            if line is None:
                problems.skip(source, "line over 64 MiB")
                continue
            obj = parse_line(line, source, problems)
            if type(obj) is not dict:
                if line.strip():
                    broken.append("non-object JSON" if obj is not None else "invalid JSON")
                    last_unterminated = not line.endswith(b"\n")
                    last_size = len(line)
                continue
            last_unterminated = False
            kind = obj.get("type")
            if kind == "session":
                if self.header is None:
                    self.header = obj
                    self.is_transcript = True
                continue
            if self.is_transcript is None:
                if kind not in ENTRY_TYPES:
                    self.is_transcript = False
                    return
                self.is_transcript = True
                problems.source_failed(source, "no session header (read anyway)")
            for reason in broken:
                problems.skip(source, reason)
            broken.clear()
            yield obj
        if broken and self.is_transcript is not False:
            if last_unterminated and self.defer_tail:
                broken.pop()
                self.tail_bytes = last_size
            elif last_unterminated:
                broken[-1] = "truncated last line"
            for reason in broken:
                problems.skip(source, reason)


def lines_of_bytes(data: bytes) -> Iterator[bytes | None]:
    """Lines of an in-memory blob (a database archive)."""
    return bounded_lines(io.BytesIO(data))
