"""`extract`: the matching messages, de-noised, in time order, with bounded memory."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from memory_sync.config import AgentSettings
from memory_sync.events import Event, Kind
from memory_sync.history.reporter import SILENT, Reporter
from memory_sync.history.scan import scan_history
from memory_sync.problems import Problems

ROLES = {Kind.USER: "user", Kind.ASSISTANT: "assistant", Kind.TOOL_RESULT: "tool"}


@dataclass(frozen=True)
class Filters:
    """Which messages to keep (all given filters must hold)."""

    since: str | None = None  # inclusive
    until: str | None = None  # exclusive
    query: str | None = None  # case-insensitive substring of the text
    model: str | None = None  # substring of the replying model
    role: str | None = None  # user, assistant or tool

    def keep(self, event: Event) -> bool:
        """True when `event` is a message that passes every filter."""
        role = ROLES.get(event.kind)
        if role is None or (self.role and role != self.role):
            return False
        if (self.since and event.day < self.since) or (self.until and event.day >= self.until):
            return False
        if self.model and (event.model is None or self.model.lower() not in event.model.lower()):
            return False
        return not (self.query and self.query.lower() not in event.text.lower())


@dataclass(frozen=True)
class Message:
    """One extracted message."""

    ms: int
    day: str
    role: str
    session_key: str | None
    session_id: str
    model: str | None
    text: str


def extract(
    settings: AgentSettings, filters: Filters, *, reporter: Reporter = SILENT
) -> tuple[Iterator[Message], Problems]:
    """Matching messages in time order. They are kept in a temporary SQLite file, not in
    memory, so an unfiltered extract of a large history stays small."""
    folder = tempfile.TemporaryDirectory(prefix="memory-sync-extract-")
    con = sqlite3.connect(Path(folder.name) / "messages.sqlite")
    con.execute(
        "CREATE TABLE m (ms INTEGER, day TEXT, role TEXT, skey TEXT, sid TEXT, "
        "model TEXT, text TEXT)"
    )
    batch: list[tuple[object, ...]] = []

    def keep(event: Event) -> None:
        if filters.keep(event):
            batch.append(
                (
                    event.ms,
                    event.day,
                    ROLES[event.kind],
                    event.session_key,
                    event.session_id,
                    event.model,
                    event.text,
                )
            )
            if len(batch) >= 5000:
                con.executemany("INSERT INTO m VALUES (?,?,?,?,?,?,?)", batch)
                batch.clear()

    scan = scan_history(settings, reporter=reporter, on_event=keep)
    con.executemany("INSERT INTO m VALUES (?,?,?,?,?,?,?)", batch)

    def rows() -> Iterator[Message]:
        try:
            for row in con.execute("SELECT * FROM m ORDER BY ms, sid"):
                yield Message(*row)
        finally:
            con.close()
            folder.cleanup()

    return rows(), scan.problems
