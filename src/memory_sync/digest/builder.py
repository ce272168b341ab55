"""The simple (no LLM) digest of a day: topics, flow, decisions, technical details, statistics.

A `DayDigestBuilder` adds up the notes (`notes.notes_for`) of one day's events, in reading
order and bounded memory; `build()` returns a `Digest`, a plain value that `render.py` turns
into Markdown. The same events read in the same order give the same digest.

The flow is made of exchanges: a request of the person (or a cron job's result, a background
task's findings, a subagent's task) with what the agent did about it, counted by kind of tool
step, and its concluding answer. A heartbeat run (the poll, the agent's routine checks, up to
its `HEARTBEAT_OK`) adds nothing but a count.
"""

from __future__ import annotations

import heapq
import itertools
import zlib
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from memory_sync.days import DayStats, Transition
from memory_sync.digest.language import same_decision
from memory_sync.digest.notes import CONTENT_NOISE
from memory_sync.digest.technical import short_command
from memory_sync.events import Event, Kind

MAX_EXCHANGES = 60  # exchanges kept per day (the least informative go first): an 8 KB block
# shows 20 to 40, and every day of a --all run is held until the read ends
KEEP_TEXT = 221  # characters of a request or an answer kept (the renderer shows at most 220)
MAX_DECISIONS = 60
MAX_SET = 400
TOPICS_KEPT = 500  # candidate phrases kept per day when pruning (the digest shows 8)
_ENDS_RUN = frozenset({"heartbeat_ack", "no_reply"})
_SHELL_TOOLS = frozenset({"exec", "bash", "shell", "process", "run_command"})
_KIND_OF_NOISE = {"cron_announce": "cron", "task_result": "task", "subagent_task": "subagent"}


@dataclass(frozen=True)
class FlowItem:
    """A dated line: a decision, or a model switch."""

    ms: int
    text: str


@dataclass(slots=True)
class Exchange:
    """A request and what the agent did about it: tool steps by kind, and its last answer."""

    ms: int
    kind: str  # ask, cron, task, subagent, agent (no request), alert (a heartbeat's), event
    text: str = ""
    count: int = 1  # the same short request, repeated
    answer: str = ""
    commands: int = 0
    reads: int = 0
    writes: int = 0
    fetches: int = 0
    tools: int = 0
    failed: int = 0
    decisions: int = 0
    consequential: int = 0
    greeting: bool = False
    score: int = 0

    def has_work(self) -> bool:
        """Whether the agent did anything about it."""
        return bool(self.commands or self.reads or self.writes or self.fetches or self.tools)


@dataclass(frozen=True)
class SessionFlow:
    """The course of one session on this day: its exchanges in time order."""

    session_id: str
    session_key: str | None
    first_ms: int
    last_ms: int
    exchanges: tuple[Exchange, ...]
    user_messages: int
    replies: int


@dataclass(frozen=True)
class CommandUse:
    """A command run on the day: how often, whether it failed, and when first."""

    text: str
    first_ms: int
    count: int
    failed: int


@dataclass(frozen=True)
class Digest:
    """Everything the simple memory block says about a day."""

    date: str
    stats: DayStats
    topics: tuple[str, ...]
    sessions: tuple[SessionFlow, ...]
    decisions: tuple[FlowItem, ...]
    commands: tuple[CommandUse, ...]
    commands_mentioned: tuple[str, ...]
    files_read: tuple[str, ...]
    files_written: tuple[str, ...]
    files_mentioned: tuple[str, ...]
    urls: tuple[str, ...]
    errors: tuple[str, ...]
    transitions: tuple[Transition, ...]
    left_out: tuple[tuple[str, int], ...] = ()  # what the flow leaves out, by kind
    heartbeat_runs: int = 0
    heartbeat_steps: int = 0


def score(ex: Exchange) -> int:
    """How much an exchange tells: 0 for a greeting with nothing done, more for a longer
    request, decisions, files written, consequential or failing commands and an answer."""
    if ex.kind == "event":
        return 1
    if ex.greeting and not ex.has_work() and not ex.decisions:
        return 0
    text = ex.text
    wide = len(text.encode()) - len(text)  # about 2 per CJK character: their words have no spaces
    value = 1 + min(3, len(text.split()) // 6 + wide // 24)
    value += 3 * min(ex.decisions, 2) + 2 * bool(ex.writes) + 2 * bool(ex.consequential)
    value += 2 * bool(ex.failed) + bool(ex.has_work()) + (len(ex.answer) >= 40)
    if ex.kind in ("cron", "task", "subagent", "alert"):
        value += 2
    if ex.count > 1 and len(ex.text) < 40:
        value = min(value, 1)
    return value


class HeartbeatRuns:
    """Which events belong to a heartbeat run, per session: the poll and every step after it,
    up to its HEARTBEAT_OK (or NO_REPLY), the person's next message or a content wrapper."""

    def __init__(self) -> None:
        self._open: set[str] = set()
        self.runs = 0
        self.steps = 0

    def belongs(self, event: Event) -> bool:
        """True for a heartbeat poll and each step of its run (a reply in the run, which may
        tell the person something, included: the caller decides what to keep of it)."""
        sid, kind = event.session_id, event.kind
        if kind is Kind.NOISE:
            if event.noise == "heartbeat":
                self._open.add(sid)
                self.runs += 1
                return True
            if event.noise in _ENDS_RUN or event.noise in CONTENT_NOISE:
                self._open.discard(sid)
            return False
        if sid not in self._open or kind is Kind.MODEL:
            return False
        if kind is Kind.USER:
            self._open.discard(sid)
            return False
        self.steps += 1
        return True


def internal_session(key: str | None) -> str | None:
    """What an internal session is, from its key (`agent:main:cron:daily-brief:run:<id>`,
    `…:heartbeat`, `…:dreaming…`), or None for a session of the person's."""
    if not key:
        return None
    parts = key.split(":")
    if "cron" in parts:
        job = parts[parts.index("cron") + 1] if parts.index("cron") + 1 < len(parts) else "job"
        return f'cron job "{job}" ran on its own'
    if parts[-1] == "heartbeat":
        return "heartbeat session"
    if any(p.startswith("dream") for p in parts):
        return "dreaming session"
    return None


def spread(ex: Exchange) -> int:
    """A stable pseudo-random rank of an exchange (CRC-32 of its time): letting go of equally
    informative exchanges in this order thins the whole day evenly, never one stretch of it."""
    return zlib.crc32(ex.ms.to_bytes(8, "little", signed=True))


@dataclass
class _SessionTrace:
    key: str | None
    first_ms: int
    last_ms: int
    open: Exchange | None = None
    last_command: str | None = None
    user_messages: int = 0
    replies: int = 0


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

    def ordered(self) -> tuple[str, ...]:
        return tuple(v for v, _ in sorted(self.items.items(), key=lambda kv: (kv[1], kv[0])))


class DayDigestBuilder:
    """Collects what the digest needs from one day's events, in bounded memory."""

    def __init__(self, date: str) -> None:
        self.date = date
        self.sessions: dict[str, _SessionTrace] = {}
        # min-heap by (score, spread): of equals, the one to let go is spread over the day
        self.exchanges: list[tuple[int, int, int, str, Exchange]] = []
        self._seq = itertools.count()
        self.left_out: Counter[str] = Counter()
        self.topics: Counter[str] = Counter()
        self.decisions: list[tuple[int, str, frozenset[str]]] = []
        self._decisions_by_word: dict[str, list[int]] = {}
        self._decisions_seen: set[str] = set()
        self.commands: dict[str, list[int]] = {}  # text -> [first ms, count, failed]
        self.heartbeats = HeartbeatRuns()
        self.commands_mentioned = _FirstSeen()
        self.files_read = _FirstSeen()
        self.files_written = _FirstSeen()
        self.files_mentioned = _FirstSeen()
        self.urls = _FirstSeen()
        self.errors = _FirstSeen()

    # -- adding up --------------------------------------------------------------------------
    def take(self, event: Event, notes: tuple[Any, ...]) -> None:
        """Take one event of this day with its notes: a `Notes` from `notes_for`, or the plain
        tuple of its fields (cheaper to send from a worker process)."""
        kind = event.kind
        if kind is Kind.MODEL:
            return
        trace = self.sessions.get(event.session_id)
        if trace is None:
            trace = self.sessions[event.session_id] = _SessionTrace(
                event.session_key, event.ms, event.ms
            )
        if internal_session(event.session_key):
            self._internal(trace, event, notes)
        elif self.heartbeats.belongs(event):
            if kind is Kind.ASSISTANT and notes[0]:  # the heartbeat told the person something
                self._close(trace, event.session_id)
                self._keep(event.session_id, Exchange(event.ms, "alert", answer=notes[0]))
        elif kind is Kind.NOISE:
            self._noise(trace, event, notes)
        else:
            self._conversation(trace, event, notes)

    def _conversation(self, trace: _SessionTrace, event: Event, notes: tuple[Any, ...]) -> None:
        kind, ms, sid = event.kind, event.ms, event.session_id
        if ms < trace.first_ms:
            trace.first_ms = ms
        elif ms > trace.last_ms:
            trace.last_ms = ms
        line, found, weight, urls, mentioned, paths, decisions, commands, written, read = notes[:10]
        if kind is Kind.USER:
            trace.user_messages += 1
            for request in line.split("\n") if line else ("",):
                self._request(trace, sid, ms, "ask", request, notes[13])
        elif kind is Kind.ASSISTANT:
            trace.replies += 1
            self._current(trace, ms).answer = line[:KEEP_TEXT]
        elif kind is Kind.COMPACTION or kind is Kind.RESET:
            self._keep(sid, Exchange(ms, "event", line))
        elif kind is Kind.ERROR:
            for error in notes[10]:
                self.errors.add(error, ms)
            return
        if weight:
            self._topics(found, weight)
        if decisions:
            self._decisions(trace.open, ms, decisions)
        if commands or written or read or notes[10] or notes[11] or notes[12]:
            self._work(trace, ms, notes)
        for value in urls:
            self.urls.add(value, ms)
        for value in mentioned:
            self.commands_mentioned.add(value, ms)
        for value in paths:
            self.files_mentioned.add(value, ms)

    def _internal(self, trace: _SessionTrace, event: Event, notes: tuple[Any, ...]) -> None:
        """A session OpenClaw keeps out of memory (an isolated cron run, a heartbeat or
        dreaming session): one line for the whole session, its last reply, never its steps."""
        if trace.open is None:
            what = internal_session(event.session_key) or "internal session"
            trace.open = Exchange(event.ms, "event", what)
        ex = trace.open
        trace.first_ms = min(trace.first_ms, event.ms)
        trace.last_ms = max(trace.last_ms, event.ms)
        if event.kind is Kind.ASSISTANT and notes[0]:
            ex.answer = notes[0]
        elif event.kind in (Kind.TOOL_CALL, Kind.TOOL_RESULT):
            ex.tools += event.kind is Kind.TOOL_CALL

    def _noise(self, trace: _SessionTrace, event: Event, notes: tuple[Any, ...]) -> None:
        """A wrapper that carries content (a cron job's result, a task's findings, a subagent's
        task) opens an exchange; other noise is only counted, in the day's statistics."""
        noise = event.noise
        if noise in CONTENT_NOISE and notes and notes[0]:
            trace.first_ms = min(trace.first_ms, event.ms)
            trace.last_ms = max(trace.last_ms, event.ms)
            self._request(trace, event.session_id, event.ms, _KIND_OF_NOISE[noise], notes[0])
            self._topics(notes[1], notes[2])
            for url in notes[3]:
                self.urls.add(url, event.ms)

    def _request(
        self, trace: _SessionTrace, sid: str, ms: int, kind: str, text: str, greeting: bool = False
    ) -> None:
        """A new request: the open exchange closes, unless this repeats its short request."""
        ex = trace.open
        if ex is not None and len(text) <= 80 and text and text.lower() == ex.text.lower():
            ex.count += 1
            return
        self._close(trace, sid)
        trace.open = Exchange(ms, kind, text[:KEEP_TEXT], greeting=greeting)

    def _current(self, trace: _SessionTrace, ms: int) -> Exchange:
        """The open exchange, or a new one for agent work that answers no request."""
        if trace.open is None:
            trace.open = Exchange(ms, "agent")
        return trace.open

    def _work(self, trace: _SessionTrace, ms: int, notes: tuple[Any, ...]) -> None:
        """Tool steps of the open exchange: commands, files, fetches, other tools, failures."""
        commands, written, read, errors, tools, fetched = notes[7:13]
        ex = self._current(trace, ms)
        ex.commands += len(commands)
        ex.writes += len(written)
        ex.reads += len(read)
        ex.tools += len(tools)
        ex.fetches += fetched
        ex.consequential += notes[14]
        for command in commands:
            use = self.commands.get(command)
            if use is None:
                if len(self.commands) >= MAX_SET:
                    continue
                use = self.commands[command] = [ms, 0, 0]
            use[1] += 1
            trace.last_command = command
        for path in written:
            self.files_written.add(path, ms)
        for path in read:
            self.files_read.add(path, ms)
        if errors:
            ex.failed += len(errors)
            last = trace.last_command
            if last is not None and last in self.commands:
                self.commands[last][2] += 1
            for error in errors:
                tool, _, what = error.partition(": ")
                if last is not None and tool in _SHELL_TOOLS:
                    error = f"`{short_command(last, 60)}`: {what}"
                self.errors.add(error, ms)

    def _close(self, trace: _SessionTrace, sid: str) -> None:
        if trace.open is not None:
            self._keep(sid, trace.open)
            trace.open = None

    def _keep(self, sid: str, ex: Exchange) -> None:
        """Keep a finished exchange; past MAX_EXCHANGES the least informative one goes."""
        ex.score = score(ex)
        if ex.score == 0:
            self.left_out["greetings"] += 1
            return
        heapq.heappush(self.exchanges, (ex.score, spread(ex), next(self._seq), sid, ex))
        if len(self.exchanges) > MAX_EXCHANGES:
            heapq.heappop(self.exchanges)
            self.left_out["less informative exchanges"] += 1

    def _topics(self, found: tuple[str, ...], weight: int) -> None:
        topics = self.topics
        for _ in range(weight):  # update() counts in C: the same counts and order as +=
            topics.update(found)
        if len(topics) > TOPICS_KEPT * 2:  # bounded: a busy day has tens of thousands
            # what most_common(TOPICS_KEPT) keeps (the same stable order), sorted in C
            kept = sorted(topics.items(), key=itemgetter(1), reverse=True)[:TOPICS_KEPT]
            self.topics = Counter(dict(kept))

    def _decisions(
        self, ex: Exchange | None, ms: int, decisions: tuple[tuple[str, tuple[str, ...]], ...]
    ) -> None:
        for decision, key in decisions:
            if self._decision(ms, decision, frozenset(key)) and ex is not None:
                ex.decisions += 1

    def _decision(self, ms: int, sentence: str, key: frozenset[str]) -> bool:
        """Keep a decision unless it restates one already kept; True when kept. Only the kept
        decisions that share a word with it are compared (an index by word)."""
        if len(self.decisions) >= MAX_DECISIONS or sentence in self._decisions_seen:
            return False
        if len(self._decisions_seen) < MAX_SET:
            self._decisions_seen.add(sentence)
        shared: dict[int, int] = {}  # kept decision -> words it shares with this one
        by_word = self._decisions_by_word
        for word in key:
            for i in by_word.get(word, ()):
                shared[i] = shared.get(i, 0) + 1
        latin = all(word.isascii() for word in key)
        for i, n in shared.items():
            known = self.decisions[i][2]
            if n >= 0.6 * min(len(key), len(known)):
                return False
            if not latin and same_decision(key, known):  # the rule for CJK text
                return False
        if not key and any(not known for _, _, known in self.decisions):
            return False
        for word in key:
            self._decisions_by_word.setdefault(word, []).append(len(self.decisions))
        self.decisions.append((ms, sentence, key))
        return True

    # -- the result -------------------------------------------------------------------------
    def build(self, stats: DayStats, transitions: list[Transition]) -> Digest:
        """The finished digest; `transitions` are the model transitions of this day."""
        for sid, open_trace in self.sessions.items():
            self._close(open_trace, sid)
        for t in transitions:
            # a millisecond early, so the switch shows before the reply that used the new model
            switch = Exchange(t.ms - 1, "event", f"Model switched: {t.old} → {t.new}")
            self._keep(t.session_id, switch)
        by_session: dict[str, list[Exchange]] = {}
        for _score, _spread, _seq, sid, ex in self.exchanges:
            by_session.setdefault(sid, []).append(ex)
        sessions = []
        for sid, exchanges in by_session.items():
            trace = self.sessions.get(sid)
            exchanges.sort(key=lambda e: e.ms)
            sessions.append(
                SessionFlow(
                    sid,
                    trace.key if trace else None,
                    min(trace.first_ms if trace else exchanges[0].ms, exchanges[0].ms),
                    max(trace.last_ms if trace else exchanges[-1].ms, exchanges[-1].ms),
                    tuple(exchanges),
                    trace.user_messages if trace else 0,
                    trace.replies if trace else 0,
                )
            )
        sessions.sort(key=lambda s: (s.first_ms, s.session_id))
        decisions = tuple(FlowItem(ms, text) for ms, text, _ in sorted(self.decisions))
        commands = tuple(
            CommandUse(text, first, count, failed)
            for text, (first, count, failed) in sorted(
                self.commands.items(), key=lambda kv: (kv[1][0], kv[0])
            )
        )
        run = set(self.commands)
        read, written = self.files_read.items, self.files_written.items
        return Digest(
            date=self.date,
            stats=stats,
            topics=choose_topics(self.topics),
            sessions=tuple(sessions),
            decisions=decisions,
            commands=commands,
            commands_mentioned=tuple(c for c in self.commands_mentioned.ordered() if c not in run),
            files_read=tuple(f for f in self.files_read.ordered() if f not in written),
            files_written=self.files_written.ordered(),
            files_mentioned=tuple(
                f for f in self.files_mentioned.ordered() if f not in read and f not in written
            ),
            urls=self.urls.ordered(),
            errors=self.errors.ordered(),
            transitions=tuple(transitions),
            left_out=tuple(sorted(self.left_out.items())),
            heartbeat_runs=self.heartbeats.runs,
            heartbeat_steps=self.heartbeats.steps,
        )


def choose_topics(counts: Counter[str], limit: int = 8) -> tuple[str, ...]:
    """The most frequent candidates, longer ones first among equals, without near-duplicates
    (one inside another, in any case)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    chosen: list[str] = []
    lowered: list[str] = []
    for phrase, _count in ranked:
        low = phrase.lower()
        if any(low in c or c in low for c in lowered):
            continue
        chosen.append(phrase)
        lowered.append(low)
        if len(chosen) == limit:
            break
    return tuple(chosen)
