"""The simple (no LLM) digest of a day: topics, flow, decisions, technical details, statistics.

A `DayDigestBuilder` takes the day's events in any order with bounded memory; `build()` returns a
`Digest`, a plain value that `render.py` turns into Markdown. Same events in, same digest out.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from memory_sync.days import DayStats, Transition
from memory_sync.events import Event, Kind
from memory_sync.output import Redactor

FLOW_HEAD = 14  # session flow steps kept from the start of a session
FLOW_TAIL = 8  # and from its end
TEXT_WINDOW = 4000  # characters of a message the digest looks at (redacted before any cut)
MAX_DECISIONS = 200
MAX_SET = 400
TOPICS_KEPT = 500  # candidate phrases kept per day when pruning (the digest shows 8)

_CODE = re.compile(r"`([^`\n]{2,200})`")
_URL = re.compile(r"https?://[^\s)>\]`'\"]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_DECISION = re.compile(
    r"\b(decided|decide to|decision|we'll|we will|let's go with|lets go with|going with|agreed|"
    r"settled on|chose|choose to|conclusion|the plan is|we should|will use|switch(?:ed)? to)\b",
    re.I,
)
_COMMAND_WORDS = frozenset(
    """
    git pytest python python3 pip ls cat npm npx node ruff mypy make cargo go docker curl
    wget ssh scp rsync grep rg find sed awk tar zstd sqlite3 openclaw memory-sync uv poetry
    kubectl systemctl journalctl brew apt apt-get cd mkdir rm cp mv chmod echo
    """.split()
)
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can can't cannot could couldn't did didn't
    do does doesn't doing don't down during each few for from further had hadn't has hasn't
    have haven't having he her here hers herself him himself his how i i'd i'll i'm i've if
    in into is isn't it it's its itself let's lets me more most mustn't my myself no nor not
    of off on once only or other ought our ours ourselves out over own same shan't she
    should shouldn't so some such than that that's the their theirs them themselves then
    there there's these they this those through to too under until up very was wasn't we
    we'd we'll we're we've were weren't what what's when where which while who whom why with
    won't would wouldn't you you'd you'll you're you've your yours yourself please thanks
    thank ok okay yes yeah hi hello hey good morning evening night just now today tomorrow
    yesterday still also maybe really actually need needs want wants like get got go going
    make made let know think see look check tell say said run use used new one two three
    first last next any anything something thing things way well sure right done will shall
    may might must can't noted result tool finished relevant verify file files remind write
    down what's which whether
    """.split()
)


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


def one_line(text: str, limit: int = 160) -> str:
    """Collapse whitespace and cut at `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_STRIP = ".,;:!?()[]{}\"“”‘’'*_<>#~"
_BREAK_AFTER = frozenset('.,;:!?)]}"”')
_BREAK_BEFORE = frozenset('([{"“')


def _flush(run: list[str], out: list[str]) -> None:
    if len(run) >= 3 and all(len(w) == 4 for w in run):
        pass  # four-letter groups: the shape of an app password, never a topic
    elif 2 <= len(run) <= 4:
        out.append(" ".join(run))
    elif len(run) > 4:
        out.extend(" ".join(run[i : i + 3]) for i in range(0, len(run) - 2, 3))
    run.clear()


_TICK, _ODD_TICKS, _BEFORE, _AFTER = 1, 2, 4, 8
_TOKENS: dict[str, tuple[int, str | None]] = {}  # raw token -> (flags, content word or None)


def _token(raw: str) -> tuple[int, str | None]:
    """What a whitespace-separated token means for `phrases` (cached: words repeat a lot)."""
    ticks = raw.count("`")
    flags = (_TICK if ticks else 0) | (_ODD_TICKS if ticks % 2 else 0)
    flags |= (_BEFORE if raw[0] in _BREAK_BEFORE else 0) | (
        _AFTER if raw[-1] in _BREAK_AFTER else 0
    )
    word = raw.strip(_STRIP)
    plain = word.replace("-", "", 1).replace("'", "", 1)
    content = None
    if plain.isalpha() and plain.isascii() and len(word) > 2:
        lower = word.lower()
        if lower not in STOPWORDS:
            content = lower
    if len(_TOKENS) > 200_000:
        _TOKENS.clear()
    _TOKENS[raw] = (flags, content)
    return flags, content


def phrases(text: str) -> list[str]:
    """Candidate topic phrases: runs of 2-4 content words between stop-words and punctuation.

    Code spans, URLs, paths and anything with digits break a run and never become topics.
    """
    out: list[str] = []
    run: list[str] = []
    in_code = False
    known = _TOKENS.get
    for raw in text.split():
        found = known(raw)
        flags, word = found if found is not None else _token(raw)
        if in_code or flags & _TICK:
            if flags & _ODD_TICKS:
                in_code = not in_code
            if run:
                _flush(run, out)
            continue
        if word is None:
            if run:
                _flush(run, out)
            continue
        if flags & _BEFORE and run:
            _flush(run, out)
        run.append(word)
        if flags & _AFTER:
            _flush(run, out)
    if run:
        _flush(run, out)
    return out


_CLAUSE_START = re.compile(r"\b(?:We|I|Let's|Lets|Decided|Decision|Agreed|The plan|Going)\b")
_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:what|which|why|how|should|shall|can|could|do|did|remind)\b"
    r"|\bwhat (?:we|was|did we|have we)\b",
    re.I,
)


def decision_of(sentence: str) -> str | None:
    """The decision stated in `sentence`, cut to its own clause; None for questions and others."""
    match = _DECISION.search(sentence)
    if match is None or _QUESTION.search(sentence):
        return None
    starts = [m.start() for m in _CLAUSE_START.finditer(sentence, 0, match.end())]
    clause = sentence[starts[-1] :] if starts else sentence
    clause = one_line(clause, 220)
    return clause if len(clause.split()) >= 3 else None


def _looks_like_path(span: str) -> bool:
    return " " not in span and ("/" in span or re.search(r"\.[A-Za-z0-9]{1,5}$", span) is not None)


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


class Notes(NamedTuple):
    """What one event adds to its day's digest, worked out from the event alone (a pure value,
    so worker processes can make it and the main process only adds it up)."""

    items: tuple[str, ...] = ()  # flow lines, in order
    phrases: tuple[str, ...] = ()
    weight: int = 0  # how much each phrase counts (0: the event has no text of its own)
    urls: tuple[str, ...] = ()
    commands_mentioned: tuple[str, ...] = ()
    files_mentioned: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    files_written: tuple[str, ...] = ()
    files_read: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


NO_NOTES = Notes()
FIRST_SEEN = (
    "urls",
    "commands_mentioned",
    "files_mentioned",
    "commands",
    "files_written",
    "files_read",
    "errors",
)


def _text_notes(
    text: str,
) -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """Phrases, URLs, commands and paths in code spans, and decisions of a redacted text."""
    urls = [url.rstrip(".,;:") for url in _URL.findall(text)]
    commands: list[str] = []
    paths: list[str] = []
    for span in _CODE.findall(text):
        span = span.strip()
        head = span.split()[0] if span.split() else ""
        if head in _COMMAND_WORDS and " " in span:
            commands.append(span)
        elif _looks_like_path(span):
            paths.append(span)
    decisions: list[str] = []
    if _DECISION.search(text):
        for sentence in _SENTENCE.split(text):
            decision = decision_of(sentence)
            if decision:
                decisions.append(decision)
    return phrases(text), urls, commands, paths, decisions


def _tool_notes(
    event: Event, redact: Redactor, items: list[str], urls: list[str]
) -> tuple[list[str], list[str], list[str]]:
    """Commands run, files written and files read by an event's tool calls (flow lines and
    fetched URLs are appended to `items` and `urls`)."""
    commands: list[str] = []
    written: list[str] = []
    read: list[str] = []
    for call in event.tools:
        if call.command:
            command = redact(call.command[:TEXT_WINDOW])
            commands.append(one_line(command, 160))
            items.append(f"Ran `{one_line(command, 100)}`")
        elif call.url:
            url = redact(call.url[:TEXT_WINDOW])
            urls.append(one_line(url, 200))
            items.append(f"Fetched {one_line(url, 120)}")
        elif call.path and call.name in ("write", "edit", "apply_patch", "multi_edit"):
            path = one_line(redact(call.path[:TEXT_WINDOW]), 160)
            written.append(path)
            items.append(f"Wrote {path}")
        elif call.path:
            path = one_line(redact(call.path[:TEXT_WINDOW]), 160)
            read.append(path)
            items.append(f"Read {path}")
        else:
            items.append(f"Used {call.name}")
    return commands, written, read


def notes_for(event: Event, redact: Redactor) -> Notes:
    """What `event` adds to its day's digest; every text is redacted before anything is taken
    from it."""
    kind = event.kind
    if kind is Kind.USER or kind is Kind.ASSISTANT:
        text = redact(event.text[:TEXT_WINDOW])
        user = kind is Kind.USER
        items = [f"User: {one_line(text)}" if user else f"Agent: {one_line(text, 140)}"]
        found, urls, mentioned, paths, decisions = _text_notes(text)
        commands, written, read = _tool_notes(event, redact, items, urls)
        return Notes(
            tuple(items),
            tuple(found),
            3 if user else 1,
            tuple(urls),
            tuple(mentioned),
            tuple(paths),
            tuple(decisions),
            tuple(commands),
            tuple(written),
            tuple(read),
        )
    if kind is Kind.TOOL_CALL:
        items, urls = [], []
        commands, written, read = _tool_notes(event, redact, items, urls)
        return Notes(
            tuple(items),
            urls=tuple(urls),
            commands=tuple(commands),
            files_written=tuple(written),
            files_read=tuple(read),
        )
    if kind is Kind.TOOL_RESULT:
        if not event.is_error:
            return NO_NOTES
        text = redact(event.text[:600]).strip()
        first = text.splitlines()[0] if text else "failed"
        return Notes(errors=(f"{event.tool_name or 'tool'}: {one_line(first, 140)}",))
    if kind is Kind.ERROR:
        if event.text and event.text not in ("aborted", "stop"):
            text = one_line(redact(event.text[:600]), 140)
            return Notes(errors=(f"model error: {text}",))
        return NO_NOTES
    if kind is Kind.COMPACTION:
        tokens = f" ({event.tokens_before} tokens before)" if event.tokens_before else ""
        return Notes((f"Context compacted{tokens}",))
    if kind is Kind.RESET:
        return Notes((f"/{event.reason or 'reset'}: fresh context",))
    return NO_NOTES


class DayDigestBuilder:
    """Collects what the digest needs from one day's events, in bounded memory."""

    def __init__(self, date: str, redact: Redactor) -> None:
        self.date = date
        self.redact = redact
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

    def add(self, event: Event) -> None:
        """Take one event of this day."""
        self.take(event, notes_for(event, self.redact))

    def take(self, event: Event, notes: Notes) -> None:
        """Take one event of this day with its notes (from `notes_for`, maybe in a worker)."""
        kind = event.kind
        if kind is Kind.MODEL or kind is Kind.NOISE:
            return
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
        for item in notes.items:
            trace.add(ms, item)
        if notes.weight:
            topics = self.topics
            for phrase in notes.phrases:
                topics[phrase] += notes.weight
            if len(topics) > TOPICS_KEPT * 2:  # bounded: a busy day has tens of thousands
                self.topics = Counter(dict(topics.most_common(TOPICS_KEPT)))
        for decision in notes.decisions:
            self._decision(ms, decision)
        for name in FIRST_SEEN:  # each note list goes to the builder's set of the same name
            values = getattr(notes, name)
            if values:
                seen: _FirstSeen = getattr(self, name)
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
