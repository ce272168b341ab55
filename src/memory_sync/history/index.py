"""The index: what the last read of an agent's history found, and how far it read each source.

It holds the per-day figures and model timeline, the damage report, for every transcript file
how far it was read (with checks that it was not rewritten since), for every database its last
row, and per stream (one file, or one session in a database) the de-duplication keys it won and
the days it touches. `resume.py` reads only what was added since; `scan.py` writes it after a
full read. A missing, corrupt or older-version index is rebuilt with a notice, never an error;
a state folder that cannot be written only costs speed. Writes are one SQLite transaction,
refused when another run saved in between (its figures are as good, and newer).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import sqlite3
import stat
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from memory_sync import __version__
from memory_sync.days import DayBook, DayStats, Transition
from memory_sync.history.ledger import Stream, StreamRecord
from memory_sync.locate import HistorySources
from memory_sync.private import private_dir, private_file
from memory_sync.problems import Problems, SourceDamage
from memory_sync.stores.jsonl import FileMark
from memory_sync.stores.sqlite import DbMark

INDEX_VERSION = 6  # 6: a stream may have several rows (its records set aside in parts)


@dataclass
class IndexState:
    """Everything the index holds except the per-stream records (loaded only when needed)."""

    signature: bytes
    book: DayBook
    problems: Problems  # without the unfinished last lines, which are re-read next time
    files: dict[str, FileMark]
    dbs: dict[str, DbMark]
    key_files: dict[str, list[int]]  # sessions.json path -> [inode, size, mtime]
    generation: int = 0
    context: str = ""  # memory-sync version and timezone the figures were made with
    unfinished: list[str] = field(default_factory=list)  # files with an unfinished last line


def context(tz_name: str, forgotten: frozenset[str] = frozenset()) -> str:
    """What the stored figures depend on besides the sources: program version, timezone, and
    the sessions the person made OpenClaw forget (a new forget makes everything read again)."""
    mark = hashlib.sha256(",".join(sorted(forgotten)).encode()).hexdigest()[:16]
    return f"{INDEX_VERSION}|{__version__}|{tz_name}|{mark if forgotten else ''}"


def _stamp(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def key_files(sources: HistorySources) -> dict[str, list[int]]:
    """The sessions.json files that name the transcripts' session keys, with their stamps."""
    folders = sorted({p.parent for p in sources.jsonl_files})
    return {str(f / "sessions.json"): _stamp(f / "sessions.json") or [] for f in folders}


def signature(sources: HistorySources, tz_name: str) -> bytes:
    """What must be unchanged for the stored figures to hold without reading anything."""
    names: list[str] = []
    for db in sources.databases:
        names += [str(db), f"{db}-wal"]
    files = [str(p) for p in sources.jsonl_files]
    names += files
    folders = {f.rpartition(os.sep)[0] for f in files}
    names += sorted(os.path.join(folder, "sessions.json") for folder in folders)
    lines = [context(tz_name, sources.forgotten)]
    stat = os.stat
    for name in names:
        try:
            st = stat(name)
            lines.append(f"{name}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}\n")
        except OSError:
            lines.append(f"{name}|-\n")
    return hashlib.sha256("".join(lines).encode()).digest()


def _day_json(s: DayStats) -> dict[str, Any]:
    data = {f.name: getattr(s, f.name) for f in dataclasses.fields(s)}  # asdict breaks Counters
    data["sessions"] = sorted(s.sessions)
    data["noise"], data["models"] = dict(s.noise), dict(s.models)
    return data


def _day_from(d: dict[str, Any]) -> DayStats:
    return DayStats(
        d["date"],
        set(d["sessions"]),
        d["user"],
        d["assistant"],
        d["tool"],
        d["tool_calls"],
        d["errors"],
        Counter(d["noise"]),
        Counter(d["models"]),
        [(ms, tokens) for ms, tokens in d["compactions"]],
        d["resets"],
        d["fingerprint"],
        d["first_ms"],
        d["last_ms"],
    )


def unfinished(files: dict[str, FileMark]) -> list[str]:
    """The transcript files whose last line was left unread (a write in progress)."""
    return sorted(
        m.path
        for m in files.values()
        if not (m.compressed or m.imported or m.transcript is False) and m.offset < m.size
    )


def _figures(state: IndexState) -> bytes:
    """What a run that reads nothing needs."""
    book = state.book
    return orjson.dumps(
        {
            "days": [_day_json(s) for s in book.days.values()],
            "transitions": [  # (astuple would copy every field deeply first)
                (t.ms, t.day, t.session_key, t.session_id, t.old, t.new) for t in book.transitions()
            ],
            "problems": [
                {
                    "source": d.source,
                    "skipped": d.skipped,
                    "repaired": d.repaired,
                    "reasons": dict(d.reasons),
                }
                for d in state.problems.items()
            ],
            "unfinished": unfinished(state.files),
            "context": state.context,
        }
    )


_PART = 2000  # files, or sessions of the timeline, per stored part of the marks


def _marks(state: IndexState) -> Iterator[bytes]:
    """What resuming needs, in parts of bounded size (a history of years has tens of thousands
    of files and sessions; one blob of them all cost tens of MB to write): how far each source
    was read, and the model timeline per session (which a run answered from the index alone
    never loads)."""
    yield orjson.dumps({"dbs": list(state.dbs.values()), "key_files": state.key_files})
    files = list(state.files.values())  # orjson writes a dataclass as its fields
    for start in range(0, len(files), _PART):
        yield orjson.dumps({"files": files[start : start + _PART]})
    for name, per_session in (("segments", state.book.segments), ("keys", state.book.session_keys)):
        items = list(per_session.items())
        for start in range(0, len(items), _PART):
            yield orjson.dumps({name: dict(items[start : start + _PART])})


def _marks_into(state: IndexState, parts: Iterable[bytes]) -> None:
    """Fill `state` from the stored parts of the marks (ValueError when the first is missing)."""
    state.files, state.dbs = {}, {}
    book = state.book
    book.segments, book.session_keys = {}, {}
    first = True
    for raw in parts:
        data = orjson.loads(raw)
        if first:
            for m in data["dbs"]:
                m["wal"] = tuple(m["wal"])
                state.dbs[m["path"]] = DbMark(**m)
            state.key_files = data["key_files"]
            first = False
        for m in data.get("files", ()):
            state.files[m["path"]] = FileMark(**m)
        for sid, segs in data.get("segments", {}).items():
            book.segments[sid] = [(ms, day, model) for ms, day, model in segs]
        book.session_keys.update(data.get("keys", {}))
    if first:
        raise ValueError("the index holds no marks")


def _state_from(signature_: bytes, generation: int, raw: bytes) -> IndexState:
    data = orjson.loads(raw)
    book = DayBook()
    for day in data["days"]:
        stats = _day_from(day)
        book.days[stats.date] = stats
    book.known_transitions = list(map(Transition._make, data["transitions"]))
    problems = Problems()
    for d in data["problems"]:
        problems.add(SourceDamage(d["source"], d["skipped"], d["repaired"], Counter(d["reasons"])))
    return IndexState(
        signature_,
        book,
        problems,
        files={},
        dbs={},
        key_files={},
        generation=generation,
        context=data["context"],
        unfinished=data["unfinished"],
    )


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (id INTEGER PRIMARY KEY, generation INTEGER, "
    "signature BLOB, figures BLOB)",
    "CREATE TABLE IF NOT EXISTS marks (part INTEGER PRIMARY KEY, data BLOB)",
    "CREATE TABLE IF NOT EXISTS streams (source TEXT, session_id TEXT, keys BLOB, days TEXT)",
    "CREATE INDEX IF NOT EXISTS stream_rows ON streams (source, session_id)",
    "CREATE TABLE IF NOT EXISTS written (date TEXT PRIMARY KEY, fingerprint TEXT)",
)


def _connect(path: Path, write: bool) -> sqlite3.Connection:
    if write:
        return sqlite3.connect(path, timeout=10, isolation_level=None)
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[sqlite3.Connection]:
    """A write transaction on the index (tables made when missing); the caller commits."""
    private_dir(path.parent, root=path.parent.parent)
    private_file(path)
    con = _connect(path, write=True)
    try:
        con.execute("BEGIN IMMEDIATE")
        for statement in _SCHEMA:
            con.execute(statement)
        yield con
    finally:
        con.close()


def load(path: Path, warn: Callable[[str], None]) -> IndexState | None:
    """The stored state; None when there is none, or (with a notice) when it is unusable."""
    try:
        found = path.stat()
    except OSError:  # none yet
        return None
    if not stat.S_ISREG(found.st_mode) or found.st_size == 0:
        return None  # empty: what a first save that failed leaves; not a file: save will say
    try:
        con = _connect(path, write=False)
        try:
            if con.execute("PRAGMA user_version").fetchone()[0] != INDEX_VERSION:
                warn(f"notice: the index {path} is from another version; rebuilding it")
                with contextlib.suppress(OSError):
                    path.unlink()
                return None
            row = con.execute(
                "SELECT generation, signature, figures FROM meta WHERE id = 1"
            ).fetchone()
        finally:
            con.close()
        if row is None:
            return None
        return _state_from(row[1], row[0], row[2])
    except (sqlite3.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        warn(f"notice: the index {path} is damaged; rebuilding it from the history")
        with contextlib.suppress(OSError):
            path.unlink()
        return None


def save(
    path: Path,
    state: IndexState,
    streams: Iterable[tuple[Stream, StreamRecord]],
    replace_all: bool,
    expected_generation: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> bool:
    """Store `state` and the given stream records (all of them with `replace_all`, else only
    the changed ones, each whole; a stream may come in several records). Refused (False) when
    the stored generation is no longer `expected_generation`: another run saved first. When
    the index cannot be written (a full disk, a read-only folder), `warn` gets one line and
    the run goes on: it is only a cache."""
    try:
        with _writing(path) as con:
            row = con.execute("SELECT generation FROM meta WHERE id = 1").fetchone()
            stored = row[0] if row else 0
            if expected_generation is not None and stored != expected_generation:
                con.execute("ROLLBACK")
                return False
            if replace_all:
                con.execute("DELETE FROM streams")
            else:
                streams = list(streams)
                con.executemany(
                    "DELETE FROM streams WHERE source = ? AND session_id = ?",
                    {stream for stream, _ in streams},
                )
            con.executemany(
                "INSERT INTO streams VALUES (?, ?, ?, ?)",
                (
                    (source, sid, record.keys.tobytes(), ",".join(sorted(record.days)))
                    for (source, sid), record in streams
                ),
            )
            state.generation = stored + 1
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES (1, ?, ?, ?)",
                (state.generation, state.signature, _figures(state)),
            )
            con.execute("DELETE FROM marks")
            con.executemany("INSERT INTO marks VALUES (?, ?)", enumerate(_marks(state)))
            con.execute(f"PRAGMA user_version = {INDEX_VERSION}")
            con.execute("COMMIT")
            return True
    except (sqlite3.Error, OSError) as exc:
        if _cannot_write(path, exc) and warn is not None:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            warn(
                f"notice: could not save the index {path} ({reason}); every run reads the "
                "whole history until it can: free space there, or set MEMORY_SYNC_STATE_DIR "
                "to a writable folder"
            )
        return False


_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED: another connection holds the index


def _cannot_write(path: Path, exc: sqlite3.Error | OSError) -> bool:
    """Whether a write to the index failed for good, not because another run holds it (that
    run saves it). Then the empty file a failed first write leaves is removed: it is no index,
    and not a damaged one."""
    if isinstance(exc, sqlite3.OperationalError) and (exc.sqlite_errorcode & 0xFF) in _BUSY:
        return False
    with contextlib.suppress(OSError):
        if path.stat().st_size == 0:
            path.unlink()
    return True


class IndexChanged(Exception):
    """Another run saved the index since this run loaded it: its parts no longer fit."""


@contextlib.contextmanager
def _snapshot(path: Path, generation: int) -> Iterator[sqlite3.Connection]:
    """A read transaction on the index, refused (IndexChanged) when it is no longer the
    generation this run loaded."""
    con = _connect(path, write=False)
    con.isolation_level = None
    try:
        con.execute("BEGIN")
        row = con.execute("SELECT generation FROM meta WHERE id = 1").fetchone()
        if row is None or row[0] != generation:
            raise IndexChanged
        yield con
    finally:
        con.close()


def load_marks(path: Path, state: IndexState) -> None:
    """Fill in how far each source was read and the book's model timeline (only resuming needs
    them); raises sqlite3.Error or ValueError on a damaged index, IndexChanged when another run
    saved meanwhile."""
    with _snapshot(path, state.generation) as con:
        _marks_into(state, (raw for (raw,) in con.execute("SELECT data FROM marks ORDER BY part")))


def _rows(path: Path, query: str) -> Iterator[tuple[Any, ...]]:
    con = _connect(path, write=False)
    try:
        yield from con.execute(query)
    finally:
        con.close()


def stream_keys(path: Path, generation: int) -> Iterator[tuple[Stream, array[int]]]:
    """Every stream's de-duplication keys (for finding which stream holds a copy); a stream
    stored in parts comes once per part."""
    with _snapshot(path, generation) as con:
        for source, sid, blob in con.execute("SELECT source, session_id, keys FROM streams"):
            keys = array("Q")
            keys.frombytes(blob)
            yield (source, sid), keys


def load_streams(path: Path, streams: list[Stream], generation: int) -> dict[Stream, StreamRecord]:
    """The stored records of the given streams, parts joined (those not stored are left out)."""
    found: dict[Stream, StreamRecord] = {}
    with _snapshot(path, generation) as con:
        for source, sid in streams:
            for keys, days in con.execute(
                "SELECT keys, days FROM streams WHERE source = ? AND session_id = ? ORDER BY rowid",
                (source, sid),
            ):
                record = found.setdefault((source, sid), StreamRecord())
                record.keys.frombytes(keys)
                record.days |= _days(days)
    return found


def stream_days(path: Path) -> dict[Stream, set[str]]:
    """Every stream's days (for reading only the streams that touch some days)."""
    found: dict[Stream, set[str]] = {}
    for source, sid, days in _rows(path, "SELECT source, session_id, days FROM streams"):
        found.setdefault((source, sid), set()).update(_days(days))
    return found


def _days(stored: str) -> set[str]:
    """A stream's days as stored: dates joined by commas."""
    return set(stored.split(",")) if stored else set()


def note_written(path: Path, fingerprints: dict[str, str]) -> None:
    """Remember the fingerprint of the history each daily file was just written from (a record
    to inspect, `sqlite3 <index> 'SELECT * FROM written'`; the file's own marker decides)."""
    if not fingerprints:
        return
    try:
        with _writing(path) as con:
            con.executemany("INSERT OR REPLACE INTO written VALUES (?, ?)", fingerprints.items())
            con.execute("COMMIT")
    except (sqlite3.Error, OSError) as exc:
        _cannot_write(path, exc)  # (`save` has already said it cannot write)
