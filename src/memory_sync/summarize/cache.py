"""Answers of past requests, keyed by the exact request, so unchanged days cost nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from memory_sync.private import private_dir, private_file

SCHEMA_VERSION = 1


class SummaryCache:
    """A small SQLite table of request key -> model answer (versioned; rebuilt if unknown)."""

    def __init__(self, path: Path) -> None:
        private_dir(path.parent)
        private_file(path)
        self.path = path
        self._lock = threading.Lock()  # the parts of a day are fetched from several threads
        self._con = sqlite3.connect(path, timeout=10, check_same_thread=False)
        version = self._con.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            self._con.execute("DROP TABLE IF EXISTS answers")
            self._con.execute(
                "CREATE TABLE answers (key TEXT PRIMARY KEY, model TEXT, answer TEXT, at REAL)"
            )
            self._con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._con.commit()

    def get(self, key: str) -> str | None:
        """The stored answer for `key`, if any."""
        with self._lock:
            row = self._con.execute("SELECT answer FROM answers WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, model: str, answer: str) -> None:
        """Store an answer."""
        with self._lock:
            self._con.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
                (key, model, answer, time.time()),
            )
            self._con.commit()

    def close(self) -> None:
        """Close the database."""
        self._con.close()
