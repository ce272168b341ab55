"""The index: the last scan's statistics and the signature of every source it read.

When no source changed (same paths, inodes, sizes and modification times, same timezone),
the statistics-only commands take their figures from here and read no history at all. Any
change means a full read that refreshes the index. A missing, corrupt or older-version index
is rebuilt with a notice, never an error. (Resuming a read where it stopped is future work.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from memory_sync import __version__
from memory_sync.config import AgentSettings
from memory_sync.days import DayBook, DayStats, Transition
from memory_sync.problems import Problems, SourceDamage

INDEX_VERSION = 1


def index_path(settings: AgentSettings) -> Path:
    """Where this agent's index lives (shown by -v)."""
    identity = f"{settings.agent}|{settings.origins.get('sessions', '')}"
    name = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return settings.app_state_dir / "index" / f"{name}.sqlite"


def signature(settings: AgentSettings) -> bytes:
    """What must be unchanged for the stored figures to hold."""
    paths: list[Path] = []
    for db in settings.sources.databases:
        paths += [db, Path(f"{db}-wal")]
    paths += list(settings.sources.jsonl_files)
    paths += sorted({p.parent / "sessions.json" for p in settings.sources.jsonl_files})
    items: list[Any] = [INDEX_VERSION, __version__, settings.tz_name]
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            items.append([str(path), None])
            continue
        items.append([str(path), st.st_ino, st.st_size, st.st_mtime_ns])
    return hashlib.sha256(orjson.dumps(items)).digest()


def _day_json(s: DayStats) -> dict[str, Any]:
    return {
        "date": s.date,
        "sessions": sorted(s.sessions),
        "user": s.user,
        "assistant": s.assistant,
        "tool": s.tool,
        "tool_calls": s.tool_calls,
        "errors": s.errors,
        "noise": s.noise,
        "models": s.models,
        "compactions": s.compactions,
        "resets": s.resets,
        "fingerprint": s.fingerprint,
        "first_ms": s.first_ms,
        "last_ms": s.last_ms,
    }


def _day_from(d: dict[str, Any]) -> DayStats:
    return DayStats(
        date=d["date"],
        sessions=set(d["sessions"]),
        user=d["user"],
        assistant=d["assistant"],
        tool=d["tool"],
        tool_calls=d["tool_calls"],
        errors=d["errors"],
        noise=Counter(d["noise"]),
        models=Counter(d["models"]),
        compactions=list(d["compactions"]),
        resets=d["resets"],
        fingerprint=d["fingerprint"],
        first_ms=d["first_ms"],
        last_ms=d["last_ms"],
    )


def save(settings: AgentSettings, sig: bytes, book: DayBook, problems: Problems) -> None:
    """Store a scan's figures (best effort: an unwritable state folder only costs speed)."""
    payload = orjson.dumps(
        {
            "days": [_day_json(s) for s in book.days.values()],
            "transitions": [t.__dict__ for t in book.transitions()],
            "problems": [
                {
                    "source": d.source,
                    "skipped": d.skipped,
                    "repaired": d.repaired,
                    "reasons": dict(d.reasons),
                }
                for d in problems.items()
            ],
        }
    )
    path = index_path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=5)
        try:
            con.execute(
                "CREATE TABLE IF NOT EXISTS scan (id INTEGER PRIMARY KEY, signature BLOB, "
                "payload BLOB)"
            )
            con.execute(f"PRAGMA user_version = {INDEX_VERSION}")
            con.execute("INSERT OR REPLACE INTO scan VALUES (1, ?, ?)", (sig, payload))
            con.commit()
        finally:
            con.close()
    except (sqlite3.Error, OSError):
        return  # the index only saves time; a read-only state folder costs nothing else


def load(settings: AgentSettings, sig: bytes, warn: Any) -> tuple[DayBook, Problems] | None:
    """The stored figures when the index is fresh; None (with a notice if it was damaged)."""
    path = index_path(settings)
    if not path.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            if con.execute("PRAGMA user_version").fetchone()[0] != INDEX_VERSION:
                warn(f"notice: the index {path} is from another version; rebuilding it")
                return None
            row = con.execute("SELECT signature, payload FROM scan WHERE id = 1").fetchone()
        finally:
            con.close()
        if row is None or row[0] != sig:
            return None
        data = orjson.loads(row[1])
        book = DayBook()
        for day in data["days"]:
            stats = _day_from(day)
            book.days[stats.date] = stats
        book.saved_transitions = [Transition(**t) for t in data["transitions"]]
        problems = Problems()
        for d in data["problems"]:
            damage = SourceDamage(d["source"], d["skipped"], d["repaired"], Counter(d["reasons"]))
            problems._by_source[damage.source] = damage
        return book, problems
    except (sqlite3.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        warn(f"notice: the index {path} is damaged; rebuilding it from the history")
        with contextlib.suppress(OSError):
            path.unlink()
        return None
