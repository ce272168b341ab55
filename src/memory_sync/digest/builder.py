"""The simple (no LLM) digest of a day: topics, flow, decisions, technical details, statistics.

A `DayDigestBuilder` adds up the notes (`notes.notes_for`) of one day's events, in reading
order and bounded memory; `build()` returns a `Digest`, a plain value that `render.py` turns
into Markdown. The same events read in the same order give the same digest.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from memory_sync.days import DayStats, Transition
from memory_sync.events import Event, Kind

FLOW_HEAD = 14  # session flow steps kept from the start of a session
FLOW_TAIL = 8  # and from its end
MAX_DECISIONS = 200
MAX_SET = 400
TOPICS_KEPT = 500  # candidate phrases kept per day when pruning (the digest shows 8)


@dataclass(frozen=True)
class FlowItem:
    """One line of a session's flow."""

    ms: int
    text: str


@dataclass(frozen=True)
class SessionFlow:
    """The course of one session on this day."""

    session_id: str
    session_key: str | None
    first_ms: int
    last_ms: int
    items: tuple[FlowItem, ...]  # the earliest FLOW_HEAD and latest FLOW_TAIL steps, in order
    user_messages: int
    replies: int
    hidden: int = 0  # steps between the head and the tail that are not kept


@dataclass(frozen=True)
class Digest:
    """Everything the simple memory block says about a day."""

    date: str
    stats: DayStats
    topics: tuple[str, ...]
    sessions: tuple[SessionFlow, ...]
    decisions: tuple[FlowItem, ...]
    commands: tuple[str, ...]
    commands_mentioned: tuple[str, ...]
    files_read: tuple[str, ...]
    files_written: tuple[str, ...]
    files_mentioned: tuple[str, ...]
    urls: tuple[str, ...]
    errors: tuple[str, ...]
    transitions: tuple[Transition, ...]


@dataclass
class _SessionTrace:
    key: str | None
    first_ms: int
    last_ms: int
    head: list[tuple[int, str]] = field(default_factory=list)  # max-heap of (-ms, text)
    tail: list[tuple[int, str]] = field(default_factory=list)  # min-heap of (ms, text)
    steps: int = 0
    user_messages: int = 0
    replies: int = 0

    def add(self, ms: int, text: str) -> None:
        """Keep only the FLOW_HEAD earliest and FLOW_TAIL latest steps (bounded memory)."""
        self.steps += 1
        heapq.heappush(self.head, (-ms, text))
        if len(self.head) > FLOW_HEAD:
            heapq.heappop(self.head)
        heapq.heappush(self.tail, (ms, text))
        if len(self.tail) > FLOW_TAIL:
            heapq.heappop(self.tail)

    def flow(self, extra: list[tuple[int, str]]) -> tuple[tuple[FlowItem, ...], int]:
        """The kept steps in time order (with `extra` steps merged in), and how many are hidden."""
        head = sorted((-neg, text) for neg, text in self.head)
        tail = sorted(self.tail)
        steps = self.steps
        short = steps <= FLOW_HEAD + FLOW_TAIL
        kept = sorted(set(head) | set(tail)) if short else head + tail
        hidden = steps - len(kept)
        for ms, text in extra:
            if steps <= FLOW_HEAD + FLOW_TAIL or ms <= head[-1][0] or ms >= tail[0][0]:
                kept.append((ms, text))
            else:
                hidden += 1
        kept.sort()
        return tuple(FlowItem(ms, text) for ms, text in kept), hidden


class _FirstSeen:
    """A bounded set that remembers the earliest time each value was seen."""

    def __init__(self) -> None:
        self.items: dict[str, int] = {}

    def add(self, value: str, ms: int) -> None:
        value = value.strip()
        if not value:
            return
        known = self.items.get(value)
        if known is None:
            if len(self.items) >= MAX_SET:
                return
            self.items[value] = ms
        elif ms < known:
            self.items[value] = ms

    def ordered(self, limit: int) -> tuple[str, ...]:
        return tuple(v for v, _ in sorted(self.items.items(), key=lambda kv: (kv[1], kv[0])))[
            :limit
        ]


class DayDigestBuilder:
    """Collects what the digest needs from one day's events, in bounded memory."""

    def __init__(self, date: str) -> None:
        self.date = date
        self.sessions: dict[str, _SessionTrace] = {}
        self.topics: Counter[str] = Counter()
        self.decisions: list[tuple[int, str]] = []  # max-heap by (-ms) keeps the earliest
        self._decision_keys: set[str] = set()
        self.commands = _FirstSeen()
        self.commands_mentioned = _FirstSeen()
        self.files_read = _FirstSeen()
        self.files_written = _FirstSeen()
        self.files_mentioned = _FirstSeen()
        self.urls = _FirstSeen()
        self.errors = _FirstSeen()
        self._first_seen = (  # in the order of the Notes fields they are filled from
            self.urls,
            self.commands_mentioned,
            self.files_mentioned,
            self.commands,
            self.files_written,
            self.files_read,
            self.errors,
        )

    def take(self, event: Event, notes: tuple[Any, ...]) -> None:
        """Take one event of this day with its notes: a `Notes` from `notes_for`, or the plain
        tuple of its fields (cheaper to send from a worker process)."""
        kind = event.kind
        if kind is Kind.MODEL or kind is Kind.NOISE:
            return
        items, found, weight, urls, mentioned, paths, decisions, *tools = notes
        ms = event.ms
        trace = self.sessions.get(event.session_id)
        if trace is None:
            trace = self.sessions[event.session_id] = _SessionTrace(event.session_key, ms, ms)
        trace.first_ms = min(trace.first_ms, ms)
        trace.last_ms = max(trace.last_ms, ms)
        if kind is Kind.USER:
            trace.user_messages += 1
        elif kind is Kind.ASSISTANT:
            trace.replies += 1
        for item in items:
            trace.add(ms, item)
        if weight:
            topics = self.topics
            for _ in range(weight):  # update() counts in C: the same counts and order as +=
                topics.update(found)
            if len(topics) > TOPICS_KEPT * 2:  # bounded: a busy day has tens of thousands
                # what most_common(TOPICS_KEPT) keeps (the same stable order), sorted in C
                kept = sorted(topics.items(), key=itemgetter(1), reverse=True)[:TOPICS_KEPT]
                self.topics = Counter(dict(kept))
        for decision in decisions:
            self._decision(ms, decision)
        # urls, commands_mentioned, files_mentioned, then commands, files_written, files_read,
        # errors: each list of the notes goes to the set of the same name
        for seen, values in zip(self._first_seen, (urls, mentioned, paths, *tools), strict=True):
            for value in values:
                seen.add(value, ms)

    def _decision(self, ms: int, sentence: str) -> None:
        key = sentence.lower().strip(" .")
        if key in self._decision_keys:
            return
        self._decision_keys.add(key)
        heapq.heappush(self.decisions, (-ms, sentence))
        if len(self.decisions) > MAX_DECISIONS:
            heapq.heappop(self.decisions)

    def build(self, stats: DayStats, transitions: list[Transition]) -> Digest:
        """The finished digest; `transitions` are the model transitions of this day."""
        switches: dict[str, list[tuple[int, str]]] = {}
        for t in transitions:
            # a millisecond early, so the switch shows before the reply that used the new model
            switches.setdefault(t.session_id, []).append(
                (t.ms - 1, f"Model switched: {t.old} → {t.new}")
            )
        sessions = []
        for sid, trace in self.sessions.items():
            flow, hidden = trace.flow(switches.get(sid, []))
            sessions.append(
                SessionFlow(
                    sid,
                    trace.key,
                    trace.first_ms,
                    trace.last_ms,
                    flow,
                    trace.user_messages,
                    trace.replies,
                    hidden,
                )
            )
        sessions.sort(key=lambda s: (s.first_ms, s.session_id))
        decisions = tuple(
            FlowItem(-neg, text)
            for neg, text in sorted(self.decisions, key=lambda d: (-d[0], d[1]))
        )
        return Digest(
            date=self.date,
            stats=stats,
            topics=choose_topics(self.topics),
            sessions=tuple(sessions),
            decisions=decisions[:12],
            commands=self.commands.ordered(15),
            commands_mentioned=tuple(
                c for c in self.commands_mentioned.ordered(15) if c not in self.commands.items
            ),
            files_read=self.files_read.ordered(15),
            files_written=self.files_written.ordered(15),
            files_mentioned=tuple(
                f
                for f in self.files_mentioned.ordered(20)
                if f not in self.files_read.items and f not in self.files_written.items
            )[:15],
            urls=self.urls.ordered(10),
            errors=self.errors.ordered(8),
            transitions=tuple(transitions),
        )


def choose_topics(counts: Counter[str], limit: int = 8) -> tuple[str, ...]:
    """The most frequent phrases, longer ones first among equals, without near-duplicates."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0].split()), kv[0]))
    chosen: list[str] = []
    for phrase, _count in ranked:
        if any(phrase in c or c in phrase for c in chosen):
            continue
        chosen.append(phrase)
        if len(chosen) == limit:
            break
    return tuple(chosen)
