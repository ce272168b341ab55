"""The SQLite store of OpenClaw 2026.7.2+ (`openclaw-agent.sqlite`), read-only and WAL-safe."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import orjson

from memory_sync.problems import Problems
from memory_sync.stores import SessionRef
from memory_sync.stores.lines import TranscriptLines, lines_of_bytes

T = TypeVar("T")


def connect_readonly(db_path: Path) -> sqlite3.Connection:
    """Open the database read-only; a running gateway is never blocked or written to."""
    uri = f"file:{db_path}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True, timeout=5.0, check_same_thread=False)
        con.execute("PRAGMA query_only = 1")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con
    except sqlite3.OperationalError:
        # A read-only copy without its -shm file cannot use WAL; with no -wal file present the
        # database file holds everything, so reading it as immutable is exact.
        if Path(f"{db_path}-wal").exists() and Path(f"{db_path}-wal").stat().st_size > 0:
            raise
        con = sqlite3.connect(f"{uri}&immutable=1", uri=True, check_same_thread=False)
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con


def _columns(con: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in con.execute(f"PRAGMA table_info({table})")}


def _schema_version(con: sqlite3.Connection, tables: set[str]) -> int | None:
    if "schema_meta" not in tables or "schema_version" not in _columns(con, "schema_meta"):
        return None
    row = con.execute("SELECT max(schema_version) FROM schema_meta").fetchone()
    return int(row[0]) if row and row[0] is not None else None


class _Decoder:
    """Decodes event rows that are either JSON text or zstd-compressed JSON."""

    def __init__(self) -> None:
        import zstandard  # here: a run answered by the index decodes no row

        self._zstd = zstandard.ZstdDecompressor()
        self.zstd_error = zstandard.ZstdError

    def row(self, text: str | None, blob: bytes | None) -> Any:
        if text is not None:
            return orjson.loads(text)
        if blob is not None:
            return orjson.loads(self._zstd.decompress(blob, max_output_size=256 << 20))
        return None

    def archive(self, blob: bytes, encoding: str | None) -> bytes:
        if encoding == "zstd" or blob[:4] == b"\x28\xb5\x2f\xfd":
            return self._zstd.decompressobj().decompress(blob)
        return blob


@dataclass(frozen=True)
class DbPart:
    """A slice of a database: session ids in [low, high) or in `sessions`, rows added after
    `after_rowid`, and/or the archive tables."""

    low: str | None = None
    high: str | None = None
    rows: bool = True
    archives: bool = True
    after_rowid: int | None = None
    until_rowid: int | None = None
    sessions: tuple[str, ...] | None = None

    def where(self) -> tuple[str, list[str | int]]:
        """The WHERE clause (with a trailing space, or empty) and its parameters."""
        terms: list[str] = []
        params: list[str | int] = []
        for value, term in (
            (self.low, "session_id >= ?"),
            (self.high, "session_id < ?"),
            (self.after_rowid, "rowid > ?"),
            (self.until_rowid, "rowid <= ?"),
        ):
            if value is not None:
                terms.append(term)
                params.append(value)
        if self.sessions is not None:
            terms.append(f"session_id IN ({','.join('?' * len(self.sessions))})")
            params.extend(self.sessions)
        return (f"WHERE {' AND '.join(terms)} " if terms else ""), params


ARCHIVE_TABLES = ("session_transcript_archives", "session_transcript_cold_archives")


@dataclass
class DbMark:
    """What a database held when it was read: enough to find the rows added since, or to see
    that it was rebuilt, vacuumed or replaced (then everything is read again)."""

    path: str
    ino: int = 0
    size: int = 0
    mtime_ns: int = 0
    wal: tuple[int, int] = (0, 0)  # size and mtime of the -wal file
    layout: str = ""  # SQLite schema cookie and table list: a migration changes it
    rows: int = 0  # transcript rows
    max_rowid: int = 0
    archives: str = ""  # row count and last rowid of each archive table

    def same_files(self, other: DbMark) -> bool:
        """True when the database and its WAL are byte-for-byte where they were."""
        return (self.ino, self.size, self.mtime_ns, self.wal) == (
            other.ino,
            other.size,
            other.mtime_ns,
            other.wal,
        )


def _file_stamp(path: Path) -> tuple[int, int, int]:
    try:
        st = path.stat()
    except OSError:
        return 0, 0, 0
    return st.st_ino, st.st_size, st.st_mtime_ns


def db_files_mark(db_path: Path) -> DbMark:
    """The database's file identity only (cheap: two stat calls)."""
    ino, size, mtime = _file_stamp(db_path)
    _, wal_size, wal_mtime = _file_stamp(Path(f"{db_path}-wal"))
    return DbMark(str(db_path), ino, size, mtime, (wal_size, wal_mtime))


def db_mark(db_path: Path) -> DbMark | None:
    """The database's identity and extent; None when it cannot be read this way (then it is
    always read whole)."""
    mark = db_files_mark(db_path)
    return _ask(db_path, lambda con: _measured(con, mark), None)


def _measured(con: sqlite3.Connection, mark: DbMark) -> DbMark:
    """`mark` with the database's layout, transcript rows and archive tables filled in."""
    cookie = con.execute("PRAGMA schema_version").fetchone()[0]
    tables = sorted(r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'"))
    mark.layout = f"{cookie}|{','.join(tables)}"
    if "transcript_events" in tables:
        rows, max_rowid = con.execute(
            "SELECT count(*), coalesce(max(rowid), 0) FROM transcript_events"
        ).fetchone()
        mark.rows, mark.max_rowid = int(rows), int(max_rowid)
    parts = []
    for table in ARCHIVE_TABLES:
        if table in tables:
            count, last = con.execute(
                f"SELECT count(*), coalesce(max(rowid), 0) FROM {table}"
            ).fetchone()
            parts.append(f"{table}:{count}:{last}")
    mark.archives = ";".join(parts)
    return mark


def _ask(db_path: Path, question: Callable[[sqlite3.Connection], T], otherwise: T) -> T:
    """`question` answered on a read-only connection; `otherwise` when it cannot be read."""
    try:
        con = connect_readonly(db_path)
    except sqlite3.Error:
        return otherwise
    try:
        return question(con)
    except sqlite3.Error:
        return otherwise
    finally:
        con.close()


def rows_between(db_path: Path, after: int, until: int) -> int | None:
    """How many transcript rows have a rowid in (after, until] (None: unreadable)."""
    query = "SELECT count(*) FROM transcript_events WHERE rowid > ? AND rowid <= ?"
    return _ask(db_path, lambda con: int(con.execute(query, (after, until)).fetchone()[0]), None)


def read_sqlite(
    db_path: Path, problems: Problems, part: DbPart | None = None
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    """Yield (SessionRef, entry) for live transcript rows and archives held in the database
    (only the slice `part`, when given)."""
    source = str(db_path)
    try:
        con = connect_readonly(db_path)
    except sqlite3.Error as exc:
        problems.source_failed(
            source,
            f"cannot open the database ({exc}); check it with `sqlite3 {db_path} 'PRAGMA "
            "integrity_check'` or restore it from a backup",
        )
        return
    try:
        yield from _read(con, db_path, problems, part or DbPart())
    except sqlite3.DatabaseError as exc:
        problems.source_failed(
            source,
            f"database unreadable past this point ({exc}); check it with `sqlite3 {db_path} "
            "'PRAGMA integrity_check'`",
        )
    finally:
        con.close()


def _read(
    con: sqlite3.Connection, db_path: Path, problems: Problems, part: DbPart
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    source = str(db_path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    version = _schema_version(con, tables)
    if "transcript_events" not in tables:
        if tables & {"session_nodes", "session_windows"}:
            problems.source_failed(
                source,
                f"database layout not understood (agent schema {version}, no transcript_events "
                "table); this memory-sync may be too old: upgrade it",
            )
        return
    cols = _columns(con, "transcript_events")
    if not {"session_id", "seq"} <= cols or not cols & {"event_json", "event_zstd"}:
        problems.source_failed(
            source,
            f"transcript_events has columns this memory-sync does not understand "
            f"(agent schema {version}); upgrade memory-sync",
        )
        return
    keys: dict[str, str] = {}
    if "session_windows" in tables and {"session_id", "session_key"} <= _columns(
        con, "session_windows"
    ):
        keys = dict(con.execute("SELECT session_id, session_key FROM session_windows"))
    decoder = _Decoder()
    text_col = "event_json" if "event_json" in cols else "NULL"
    blob_col = "event_zstd" if "event_zstd" in cols else "NULL"
    ref: SessionRef | None = None
    current = None
    loads = orjson.loads
    decompress = decoder.row
    clause, params = part.where()
    query = (
        f"SELECT session_id, {text_col}, {blob_col} FROM transcript_events {clause}"
        "ORDER BY session_id, seq"
    )
    rows: Iterator[tuple[str, str | None, bytes | None]] = (
        con.execute(query, params) if part.rows else iter(())
    )
    for session_id, text, blob in rows:
        try:
            entry = loads(text) if text is not None else decompress(None, blob)
        except (orjson.JSONDecodeError, decoder.zstd_error, UnicodeDecodeError):
            problems.skip(source, "undecodable transcript row")
            continue
        if type(entry) is not dict:
            problems.skip(source, "non-object transcript row")
            continue
        if session_id != current:
            current = session_id
            ref = SessionRef(session_id, keys.get(session_id), source)
        if entry.get("type") == "session":
            continue
        assert ref is not None
        yield ref, entry
    for table in ARCHIVE_TABLES:
        if table in tables and part.archives:
            yield from _read_archives(con, table, db_path, decoder, problems)


def _read_archives(
    con: sqlite3.Connection, table: str, db_path: Path, decoder: _Decoder, problems: Problems
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    cols = _columns(con, table)
    if not {"session_id", "archive_blob"} <= cols:
        return
    key_col = "session_key" if "session_key" in cols else "NULL"
    enc_col = "encoding" if "encoding" in cols else "NULL"
    name_col = "archive_name" if "archive_name" in cols else "session_id"
    query = (
        f"SELECT session_id, {key_col}, {enc_col}, {name_col}, archive_blob FROM {table} "
        "WHERE archive_blob IS NOT NULL ORDER BY session_id"
    )
    for session_id, key, encoding, name, blob in con.execute(query):
        label = f"{db_path}#{table}/{name}"
        try:
            data = decoder.archive(blob, encoding)
        except decoder.zstd_error:
            problems.source_failed(label, "archived transcript blob is damaged")
            continue
        parser = TranscriptLines(label, problems)
        ref = SessionRef(session_id, key, label, archived=True)
        for entry in parser.entries(lines_of_bytes(data)):
            yield ref, entry


def sessions_between(db_path: Path, after: int, until: int) -> set[str]:
    """The sessions of the transcript rows with a rowid in (after, until]."""
    query = "SELECT DISTINCT session_id FROM transcript_events WHERE rowid > ? AND rowid <= ?"
    return _ask(db_path, lambda con: {r[0] for r in con.execute(query, (after, until))}, set())


def session_rows(db_path: Path, session_ids: list[str]) -> dict[str, int]:
    """Transcript rows of the given sessions (empty when the database cannot be read)."""
    query = "SELECT session_id, count(*) FROM transcript_events WHERE session_id = ?"

    def counts(con: sqlite3.Connection) -> dict[str, int]:
        found = (con.execute(query, (sid,)).fetchone() for sid in session_ids)
        return {row[0]: int(row[1]) for row in found if row[1]}

    return _ask(db_path, counts, {})


def session_row_counts(db_path: Path) -> dict[str, int]:
    """Transcript rows per session id (empty when the database cannot be read)."""
    query = "SELECT session_id, count(*) FROM transcript_events GROUP BY session_id"
    return _ask(db_path, lambda con: dict(con.execute(query)), {})


def session_ranges(rows: dict[str, int], parts: int) -> list[tuple[str | None, str | None]]:
    """Split a database's sessions (`rows`: transcript rows per session id) into about `parts`
    ranges of similar row counts."""
    counts = sorted(rows.items())
    total = sum(n for _, n in counts)
    if parts <= 1 or len(counts) < 2 or total == 0:
        return [(None, None)]
    bounds: list[str] = []
    running = 0
    for session_id, n in counts:
        if running >= total * (len(bounds) + 1) / parts and len(bounds) < parts - 1:
            bounds.append(session_id)
        running += n
    edges: list[str | None] = [None, *bounds, None]
    return list(itertools.pairwise(edges))


def forgotten_sessions(db: Path, agent: str) -> set[str]:
    """The sessions `openclaw memory forget` recorded for `agent` (OpenClaw 2026.8+ keeps a
    row per session in `memory_session_tombstones`; its own ingestion skips them). An older
    database, or one that cannot be read, has none."""
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            found = con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' "
                "AND name='memory_session_tombstones'"
            ).fetchone()
            if found is None:
                return set()
            rows = con.execute(
                "SELECT session_id FROM memory_session_tombstones WHERE agent_id = ?", (agent,)
            )
            return {str(r[0]) for r in rows}
        finally:
            con.close()
    except sqlite3.Error:
        return set()
