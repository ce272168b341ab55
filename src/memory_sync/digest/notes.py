"""What one event adds to its day's digest: a pure function of the event and the redactor.

`notes_for` redacts the event's text first, then takes from it the flow line, topic phrases,
URLs, commands and paths in code spans, decisions, tool calls and errors. Being pure, it can
run in a worker process; `extract.DayDigestBuilder.take` adds the notes up in reading order.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from memory_sync.events import Event, Kind
from memory_sync.redact import Redact

TEXT_WINDOW = 4000  # characters of a message the digest looks at (redacted before any cut)

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


# The same two patterns without IGNORECASE, for lower-cased text: 3x faster, and the same
# matches wherever lower-casing keeps every offset (checked before they are used).
_DECISION_LOW = re.compile(_DECISION.pattern)
_QUESTION_LOW = re.compile(_QUESTION.pattern)


def decision_of(sentence: str, lower: str | None = None) -> str | None:
    """The decision stated in `sentence`, cut to its own clause; None for questions and others.

    `lower` is `sentence.lower()` when the caller has it."""
    if lower is None:
        lower = sentence.lower()
    if len(lower) == len(sentence):
        match = _DECISION_LOW.search(lower)
        if match is None or _QUESTION_LOW.search(lower):
            return None
    else:
        match = _DECISION.search(sentence)
        if match is None or _QUESTION.search(sentence):
            return None
    return _clause(sentence, match.end())


def _clause(sentence: str, word_end: int) -> str | None:
    """The clause of `sentence` that holds the decision word ending at `word_end`, on one
    line; None when it is shorter than three words."""
    clause = sentence
    for start in _CLAUSE_START.finditer(sentence, 0, word_end):
        clause = sentence[start.start() :]
    clause = one_line(clause, 220)
    return clause if len(clause.split()) >= 3 else None


def decisions_in(text: str) -> list[str]:
    """Every decision stated in `text`, sentence by sentence, in order."""
    lower = text.lower()
    if len(lower) != len(text):
        if not _DECISION.search(text):
            return []
        return [d for d in map(decision_of, _SENTENCE.split(text)) if d]
    # Find each decision word, then only the sentence around it: the separators are looked
    # for between the last sentence done and the word, and from the word to its sentence's
    # end. A decision word never spans a separator, so these are the sentences that
    # `_SENTENCE.split` gives, without scanning the rest of a long text for separators.
    found: list[str] = []
    done = 0  # where the next sentence starts: 0 or the end of a separator
    match = _DECISION_LOW.search(lower)
    while match is not None:
        start = done
        for separator in _SENTENCE.finditer(text, done, match.start()):
            start = separator.end()
        closing = _SENTENCE.search(text, match.end())
        end, done = (len(text), len(text)) if closing is None else closing.span()
        if not _QUESTION_LOW.search(lower[start:end]):  # (a slice: `^` and `$` anchor it)
            decision = _clause(text[start:end], match.end() - start)
            if decision:
                found.append(decision)
        match = _DECISION_LOW.search(lower, done)
    return found


def _looks_like_path(span: str) -> bool:
    return " " not in span and ("/" in span or re.search(r"\.[A-Za-z0-9]{1,5}$", span) is not None)


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
    return phrases(text), urls, commands, paths, decisions_in(text)


def _tool_notes(
    event: Event, redact: Redact, items: list[str], urls: list[str]
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


def notes_for(event: Event, redact: Redact) -> Notes:
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
