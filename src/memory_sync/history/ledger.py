"""Which copy of each entry counts, and per stream the keys it won and the days it touches."""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson

from memory_sync.history.keyset import KEYS_IN_MEMORY, KeySet
from memory_sync.private import spill_file

Stream = tuple[str, str]  # (source, session id): one transcript file, or one session of a database
STREAM_KEYS_IN_MEMORY = 500_000  # won keys held (4 MB) before the streams' records are set aside
_CHECK_EVERY = 1 << 16  # events between two looks at the memory held
_HEAD = struct.Struct("<II")  # length of a set-aside record's JSON head, number of its keys


@dataclass
class StreamRecord:
    """One stream's share of the history: the keys it won and the days its entries fall on."""

    keys: array[int] = field(default_factory=lambda: array("Q"))
    days: set[str] = field(default_factory=set)


class Ledger:
    """The copies already counted. An entry is new when neither its identity key (entry id and
    time) nor its content key (role, message time, start of the text) was seen before; the
    first copy read wins. Each stream's won keys and touched days are kept for the index.

    Memory stays flat: the keys live in a `KeySet` of at most `keys` in memory, and once the
    records hold more than `records` keys they are set aside in a temporary file (`trim`);
    `records()` gives them all back, a stream set aside twice as two records.
    """

    def __init__(
        self,
        *,
        folder: Path | None = None,
        keys: int = KEYS_IN_MEMORY,
        records: int = STREAM_KEYS_IN_MEMORY,
    ) -> None:
        self.keys = KeySet(folder=folder, budget=keys)
        self.budget = records
        self.seen = self.keys.recent  # the in-memory part, tested inline by the parallel loop
        self.streams: dict[Stream, StreamRecord] = {}
        self.folder = folder
        self._aside: IO[bytes] | None = None
        self._count = 0

    def record(self, stream: Stream) -> StreamRecord:
        """The record of `stream`, created empty when new."""
        found = self.streams.get(stream)
        if found is None:
            found = self.streams[stream] = StreamRecord()
        return found

    def first(self, stream: Stream, day: str, key: int, content_key: int | None) -> bool:
        """True the first time either key is met; records both, and the day, for `stream`."""
        self._count += 1
        if self._count % _CHECK_EVERY == 0:
            self.trim()
        record = self.record(stream)
        record.days.add(day)
        keys = self.keys
        if key in keys:
            return False
        keys.add(key)
        record.keys.append(key)
        if content_key is not None:
            if content_key in keys:
                return False
            keys.add(content_key)
            record.keys.append(content_key)
        return True

    def trim(self) -> None:
        """Spill keys and records beyond their budgets (between two events only: a record is
        then not held by anyone else)."""
        self.keys.trim()
        if sum(len(r.keys) for r in self.streams.values()) > self.budget:
            if self._aside is None:
                self._aside = spill_file(self.folder)
            write = self._aside.write
            for (source, sid), record in self.streams.items():
                head = orjson.dumps([source, sid, sorted(record.days)])
                write(_HEAD.pack(len(head), len(record.keys)))
                write(head)
                write(record.keys.tobytes())
            self.streams = {}

    def records(self) -> Iterator[tuple[Stream, StreamRecord]]:
        """Every stream's record: those set aside, in the order they were, then the rest."""
        if self._aside is not None:
            aside = self._aside
            aside.flush()
            aside.seek(0)
            while head := aside.read(_HEAD.size):
                size, count = _HEAD.unpack(head)
                source, sid, days = orjson.loads(aside.read(size))
                record = StreamRecord(days=set(days))
                record.keys.frombytes(aside.read(count * 8))
                yield (source, sid), record
            aside.seek(0, 2)
        yield from self.streams.items()

    def close(self) -> None:
        """Free the temporary files."""
        self.keys.close()
        if self._aside is not None:
            self._aside.close()
            self._aside = None
