"""Legacy JSONL transcripts and their archives (.reset, .deleted, .bak, .zst, cold/, imports)."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import json5
import orjson
import zstandard

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


def list_jsonl_sources(sessions_dir: Path) -> list[Path]:
    """Every candidate transcript below `sessions_dir` (archives and sub-folders too), sorted."""
    found: list[Path] = []
    for root, dirs, files in os.walk(sessions_dir):
        dirs.sort()
        for name in sorted(files):
            if is_transcript_name(name):
                found.append(Path(root) / name)
    return found


def session_id_from_name(name: str) -> str:
    """The session id a transcript file name carries (used when the header is missing)."""
    match = _SESSION_ID.match(name)
    return match.group(1) if match else name


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
        self._raw = raw
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
                    raise zstandard.ZstdError("compressed stream ends inside a frame")
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


def read_jsonl(
    path: Path, problems: Problems, keys: dict[str, str] | None = None
) -> Iterator[tuple[SessionRef, dict[str, Any]]]:
    """Yield (SessionRef, entry) for each valid entry of one transcript file, in file order.

    `keys` maps session ids to session keys (from sessions.json) where known.
    """
    source = str(path)
    try:
        stream = _open(path)
    except OSError as exc:
        problems.source_failed(source, f"cannot open ({exc.strerror}); check its permissions")
        return
    parser = TranscriptLines(source, problems)
    archived = bool(_ARCHIVE_MARK.search(path.name)) or path.parent.name in (
        "cold",
        "session-sqlite-import-archive",
    )
    ref: SessionRef | None = None
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
    except zstandard.ZstdError:
        problems.source_failed(source, "compressed data is damaged; entries before it were read")
    except OSError as exc:
        problems.source_failed(source, f"read error ({exc}); entries before it were read")
