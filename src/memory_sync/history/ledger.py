"""Which copy of each entry counts, and per stream the keys it won and the days it touches."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

Stream = tuple[str, str]  # (source, session id): one transcript file, or one session of a database


@dataclass
class StreamRecord:
    """One stream's share of the history: the keys it won and the days its entries fall on."""

    keys: array[int] = field(default_factory=lambda: array("Q"))
    days: set[str] = field(default_factory=set)


class Ledger:
    """The copies already counted. An entry is new when neither its identity key (entry id and
    time) nor its content key (role, message time, start of the text) was seen before; the
    first copy read wins. Each stream's won keys and touched days are kept for the index."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.streams: dict[Stream, StreamRecord] = {}

    def record(self, stream: Stream) -> StreamRecord:
        """The record of `stream`, created empty when new."""
        found = self.streams.get(stream)
        if found is None:
            found = self.streams[stream] = StreamRecord()
        return found

    def first(self, stream: Stream, day: str, key: int, content_key: int | None) -> bool:
        """True the first time either key is met; records both, and the day, for `stream`."""
        record = self.record(stream)
        record.days.add(day)
        seen = self.seen
        if key in seen:
            return False
        seen.add(key)
        record.keys.append(key)
        if content_key is not None:
            if content_key in seen:
                return False
            seen.add(content_key)
            record.keys.append(content_key)
        return True
