"""Bucket events into local days: per-day counts, sessions, models, and the model timeline."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from memory_sync.events import Event, Kind

_MASK64 = (1 << 64) - 1


def _ms(item: tuple[int, int | None]) -> int:
    return item[0]


@dataclass
class DayStats:
    """What one local day of history holds (counts only, never message text)."""

    date: str
    sessions: set[str] = field(default_factory=set)
    user: int = 0
    assistant: int = 0
    tool: int = 0
    tool_calls: int = 0
    errors: int = 0
    noise: Counter[str] = field(default_factory=Counter)
    models: Counter[str] = field(default_factory=Counter)
    compactions: list[tuple[int, int | None]] = field(
        default_factory=list
    )  # (ms, tokens), in time order
    resets: int = 0
    fingerprint: int = 0
    first_ms: int = 0
    last_ms: int = 0

    @property
    def conversation(self) -> int:
        """Messages of the conversation proper: what the person wrote and the model answered."""
        return self.user + self.assistant

    @property
    def noise_only(self) -> bool:
        """No message from the person and no reply to them: only heartbeats, pings, acks and
        other plumbing. Such a day gets no daily file."""
        return self.user == 0 and self.assistant == 0

    @property
    def messages(self) -> int:
        """Messages counted for the day: user + assistant + tool results."""
        return self.user + self.assistant + self.tool

    def fingerprint_hex(self) -> str:
        """The day's fingerprint as 16 hex digits (order-independent over its events)."""
        return f"{self.fingerprint:016x}"


class Transition(NamedTuple):
    """The answering model changed from `old` to `new` at `ms` in a session (a tuple: an index
    of years holds tens of thousands, made quickly)."""

    ms: int
    day: str
    session_key: str | None
    session_id: str
    old: str
    new: str


class DayBook:
    """Accumulates DayStats and model segments from a stream of events in any order."""

    def __init__(self) -> None:
        self.days: dict[str, DayStats] = {}
        # per session: list of (ms, day, model) at each change of the replying model
        self.segments: dict[str, list[tuple[int, str, str]]] = {}
        self.session_keys: dict[str, str | None] = {}
        # the transitions as stored by the index or last worked out (see `transitions`)
        self.known_transitions: list[Transition] | None = None
        self._changed: set[str] = set()  # groups (session key, or id) with a new model change
        self._keys: dict[str | None, str | None] = {}  # one copy of each session key
        self._models: dict[str, str] = {}  # and of each model name

    def add(self, event: Event) -> None:
        """Count one event into its day."""
        stats = self.days.get(event.day)
        if stats is None:
            stats = self.days[event.day] = DayStats(event.day, first_ms=event.ms, last_ms=event.ms)
        stats.fingerprint = (stats.fingerprint + event.identity) & _MASK64
        kind = event.kind
        if kind is Kind.MODEL:
            return
        if event.ms < stats.first_ms:
            stats.first_ms = event.ms
        if event.ms > stats.last_ms:
            stats.last_ms = event.ms
        if kind is Kind.RESET:
            stats.resets += 1
            return
        if kind is Kind.COMPACTION:
            bisect.insort(stats.compactions, (event.ms, event.tokens_before), key=_ms)
            return
        if kind is Kind.NOISE and event.noise == "forgotten":
            stats.noise["forgotten"] += 1  # counted, never shown: not even the session's id
            return
        stats.sessions.add(event.session_id)
        if kind is Kind.USER:
            stats.user += 1
        elif kind is Kind.ASSISTANT or kind is Kind.TOOL_CALL:
            if kind is Kind.ASSISTANT:
                stats.assistant += 1
            else:
                stats.tool_calls += 1
            if event.model:
                stats.models[event.model] += 1
                self._note_model(event)
        elif kind is Kind.TOOL_RESULT:
            stats.tool += 1
        elif kind is Kind.NOISE:
            stats.noise[event.noise or "other"] += 1
        elif kind is Kind.ERROR:
            stats.errors += 1

    def _note_model(self, event: Event) -> None:
        assert event.model is not None
        segs = self.segments.get(event.session_id)
        model = event.model
        if segs is None:
            segs = self.segments[event.session_id] = []
            key = event.session_key
            self.session_keys[event.session_id] = self._keys.setdefault(key, key)
        if not segs or segs[-1][2] != model or event.ms < segs[-1][0]:
            day = self.days[event.day].date  # one copy of each date, not one per event
            segs.append((event.ms, day, self._models.setdefault(model, model)))
            self._changed.add(self.session_keys[event.session_id] or event.session_id)

    def transitions(self) -> list[Transition]:
        """Every change of the replying model within a session key (or session), in time order.
        Worked out once; after new model changes, only for the groups they are in."""
        known, changed = self.known_transitions, self._changed
        if known is not None and not changed:
            return list(known)
        groups = None if known is None else changed
        by_group: dict[str, list[tuple[int, str, str, str]]] = {}
        for sid, segs in self.segments.items():
            group = self.session_keys[sid] or sid
            if groups is None or group in groups:
                by_group.setdefault(group, []).extend((ms, day, m, sid) for ms, day, m in segs)
        out = (
            []
            if known is None
            else [t for t in known if (t.session_key or t.session_id) not in changed]
        )
        for points in by_group.values():
            points.sort()
            previous: str | None = None
            for ms, day, model, sid in points:
                if previous is not None and model != previous:
                    out.append(Transition(ms, day, self.session_keys[sid], sid, previous, model))
                previous = model
        out.sort(key=lambda t: (t.ms, t.session_id))
        self.known_transitions, self._changed = out, set()
        return list(out)

    def sorted_days(self) -> list[DayStats]:
        """Days with any conversation entry, oldest first; also a day whose every session was
        forgotten, so what memory-sync once wrote about it can be rewritten."""
        return [
            stats
            for stats in (self.days[d] for d in sorted(self.days))
            if stats.sessions or stats.noise.get("forgotten")
        ]
