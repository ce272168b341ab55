"""Legacy JSONL transcripts and their archives (.reset, .deleted, .bak, .zst, cold/, imports)."""

from __future__ import annotations

import io
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import json5
import orjson

from memory_sync.problems import Problems
from memory_sync.stores import SessionRef
from memory_sync.stores.lines import TranscriptLines, bounded_lines

# Files in a sessions folder that are never transcripts.
_NOT_TRANSCRIPT = re.compile(
    r"(\.lock$|\.trajectory\.jsonl|\.trajectory-path\.json|^sessions\.json|\.acp-stream\.jsonl"
    r"|\.tmp$|\.truncate-tmp$|\.repair-\d+-\d+)"
)
_ARCHIVE_MARK = re.compile(r"\.jsonl\.(reset|deleted|bak)")
_SESSION_ID = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}T[\d-]+Z_)?([A-Za-z0-9][A-Za-z0-9._-]*?)(?:-topic-|\.|$)"
)


def is_transcript_name(name: str) -> bool:
    """True for file names that may hold a transcript (the header check decides)."""
    if _NOT_TRANSCRIPT.search(name):
        return False
    return ".jsonl" in name


_FORK_NAME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z_")


def read_order(name: str) -> tuple[bool, str]:
    """Where a transcript file comes in reading order: a thread fork (pi names it
    `<time>_<uuid>.jsonl` and copies its parent's entries) after every other file of its
    folder, so a copied entry counts for the session it was first written in."""
    return _FORK_NAME.match(name) is not None, name


def list_jsonl_sources(sessions_dir: Path) -> list[Path]:
    """Every candidate transcript below `sessions_dir` (archives and sub-folders too), in
    reading order: by name, forks last (`read_order`)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(sessions_dir):
        dirs.sort()
        base = Path(root)
        names = sorted((n for n in files if is_transcript_name(n)), key=read_order)
        # a plain name needs no parsing: pathlib's own shortcut (what iterdir uses), when there
        child = getattr(base, "_make_child_relpath", base.joinpath)
        found.extend(map(child, names))
    return found


def session_id_from_name(name: str) -> str:
    """The session id a transcript file name carries (used when the header is missing)."""
    match = _SESSION_ID.match(name)
    return match.group(1) if match else name


IMPORT_ARCHIVE = "session-sqlite-import-archive"  # JSONL copies of sessions `doctor` imported


class SessionKeys:
    """The session keys of transcript files, from their folder's sessions.json (each folder's
    file read once)."""

    def __init__(self) -> None:
        self._by_folder: dict[Path, dict[str, str]] = {}

    def __call__(self, path: Path) -> dict[str, str]:
        """Session id -> session key for the transcript file `path`."""
        keys = self._by_folder.get(path.parent)
        if keys is None:
            keys = self._by_folder[path.parent] = load_session_keys(path.parent)
        return keys


def load_session_keys(sessions_dir: Path) -> dict[str, str]:
    """sessionId -> session key from `sessions.json` (read as JSON, else leniently as JSON5)."""
    path = sessions_dir / "sessions.json"
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    try:
        store = orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            store = json5.loads(data.decode("utf-8", "replace"))
        except ValueError:
            return {}
    keys: dict[str, str] = {}
    if isinstance(store, dict):
        for key, entry in store.items():
            if isinstance(entry, dict) and isinstance(entry.get("sessionId"), str):
                keys[entry["sessionId"]] = str(key)
    return keys


class _ZstdRaw(io.RawIOBase):
    """Decompresses a zstd file (one or more frames); a cut-off frame raises ZstdError."""

    def __init__(self, raw: IO[bytes]) -> None:
        import zstandard

        self._raw = raw
        self._zstd_error = zstandard.ZstdError
        self._dctx = zstandard.ZstdDecompressor()
        self._dobj = self._dctx.decompressobj()
        self._pending = b""
        self._frame_open = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._raw.read(1 << 20)
            if not chunk:
                if self._frame_open:
                    raise self._zstd_error("compressed stream ends inside a frame")
                return 0
            while chunk:
                self._frame_open = True
                self._pending += self._dobj.decompress(chunk)
                if not self._dobj.eof:
                    break
                self._frame_open = False
                chunk = self._dobj.unused_data
                self._dobj = self._dctx.decompressobj()
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._raw.close()
        super().close()


def _open(path: Path) -> IO[bytes]:
    raw = open(path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed by the caller
    if path.name.endswith(".zst"):
        return io.BufferedReader(_ZstdRaw(raw), buffer_size=1 << 20)
    return raw


CHECK_BYTES = 1024  # bytes at the start and before the resume point that must not change


@dataclass(slots=True)
class FileMark:
    """How far one transcript file was read and what identifies it, so a later run can resume
    after the last complete line (or see that the file was rewritten and read it again)."""

    path: str
    ino: int = 0
    size: int = 0
    mtime_ns: int = 0
    offset: int = 0  # bytes read: every complete line before it; the next read starts here
    head: int = 0  # CRC-32 of the first CHECK_BYTES
    tail: int = 0  # CRC-32 of the CHECK_BYTES before `offset`
    session_id: str | None = None  # from the header, when it has one
    session_key: str | None = None  # the key its entries were given
    transcript: bool | None = None  # False: not a transcript (a trajectory log), never read
    compressed: bool = False  # a .zst archive: never resumed, any change reads everything
    imported: bool = False  # an import copy the database holds entirely: not read

    def same_file(self, st: os.stat_result) -> bool:
        """True when `st` shows the file exactly as it was when read."""
        return (st.st_ino, st.st_size, st.st_mtime_ns) == (self.ino, self.size, self.mtime_ns)


def _crc_range(handle: IO[bytes], start: int, size: int) -> int:
    handle.seek(max(0, start))
    return zlib.crc32(handle.read(max(0, size)))


def mark_checks(path: Path, offset: int) -> tuple[int, int]:
    """CRC-32 of a file's first bytes and of the bytes just before `offset`."""
    with open(path, "rb") as handle:
        head = _crc_range(handle, 0, min(CHECK_BYTES, offset))
        tail = _crc_range(handle, offset - CHECK_BYTES, min(CHECK_BYTES, offset))
    return head, tail


def read_jsonl(
    path: Path,
    problems: Problems,
    keys: dict[str, str] | None = None,
    mark: FileMark | None = None,
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    """Yield (SessionRef, entry) for each valid entry of one transcript file, in file order.

    `keys` maps session ids to session keys (from sessions.json) where known. With `mark`,
    reading starts at `mark.offset` (0: the whole file) and `mark` is updated to where it
    stopped; a broken unfinished last line is then left for the next run, not reported.
    """
    import zstandard  # here: a run answered by the index reads no transcript

    source = str(path)
    try:
        stream = _open(path)
    except OSError as exc:
        problems.source_failed(source, f"cannot open ({exc.strerror}); check its permissions")
        return
    parser = TranscriptLines(source, problems, defer_tail=mark is not None)
    archived = bool(_ARCHIVE_MARK.search(path.name)) or path.parent.name in ("cold", IMPORT_ARCHIVE)
    ref: SessionRef | None = None
    if mark is not None and mark.offset > 0 and not mark.compressed:
        stream.seek(mark.offset)
        parser.is_transcript = mark.transcript
        if mark.session_id is not None:
            parser.header = {"type": "session", "id": mark.session_id}
    try:
        with stream:
            for entry in parser.entries(bounded_lines(stream)):
                if ref is None:
                    header = parser.header or {}
                    sid = header.get("id")
                    if not isinstance(sid, str) or not sid:
                        sid = session_id_from_name(path.name)
                    ref = SessionRef(sid, (keys or {}).get(sid), source, archived)
                yield ref, entry
            if mark is not None:
                _update_mark(mark, path, stream, parser, keys)
    except zstandard.ZstdError:
        problems.source_failed(source, "compressed data is damaged; entries before it were read")
        if mark is not None:  # the damage is in the file for good: no need to read it again
            _update_mark(mark, path, stream, parser, keys)
    except OSError as exc:
        problems.source_failed(source, f"read error ({exc}); entries before it were read")


def _update_mark(
    mark: FileMark,
    path: Path,
    stream: IO[bytes],
    parser: TranscriptLines,
    keys: dict[str, str] | None,
) -> None:
    compressed = path.name.endswith(".zst")
    try:
        st = os.stat(path)
    except OSError:  # gone right after it was read: an empty mark, so the next run reads again
        return
    end = st.st_size if compressed else stream.tell()
    header = parser.header or {}
    sid = header.get("id")
    mark.session_id = sid if isinstance(sid, str) and sid else None
    found = mark.session_id or session_id_from_name(path.name)
    mark.session_key = (keys or {}).get(found)
    mark.transcript = parser.is_transcript
    mark.compressed = compressed
    mark.ino, mark.mtime_ns = st.st_ino, st.st_mtime_ns
    mark.size = end
    mark.offset = end if compressed else end - parser.tail_bytes
    if compressed:
        return
    try:
        mark.head, mark.tail = mark_checks(path, mark.offset)
    except OSError:  # the checks stay 0, which no file matches: the next run reads again
        mark.head = mark.tail = 0
