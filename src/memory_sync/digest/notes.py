"""What one event adds to its day's digest: a pure function of the event and the redactor.

`notes_for` redacts the event's text first, then takes from it the flow line (a request, an
answer or a content line), topic candidates, URLs, commands and paths in code spans,
decisions, tool calls and errors. Being pure, it can run in a worker process;
`builder.DayDigestBuilder.take` adds the notes up in reading order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from memory_sync.digest.language import (
    cjk_terms,
    decision_key,
    decisions_in,
    is_greeting,
    names_in,
)
from memory_sync.digest.technical import (
    GENERIC_PROGRAMS,
    command_rank,
    looks_like_path,
    program,
)
from memory_sync.digest.words import DESCRIBING, STOPWORDS
from memory_sync.events import Event, Kind
from memory_sync.redact import Redact

TEXT_WINDOW = 4000  # characters of a message the digest looks at (redacted before any cut)

_CODE = re.compile(r"`([^`\n]{2,200})`")
_URL = re.compile(r"https?://[^\s)>\]`'\"]+")
_COMMAND_WORDS = frozenset(
    """
    git pytest python python3 pip ls cat npm npx node ruff mypy make cargo go docker curl
    wget ssh scp rsync grep rg find sed awk tar zstd sqlite3 openclaw memory-sync uv poetry
    kubectl systemctl journalctl brew apt apt-get cd mkdir rm cp mv chmod echo
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
        if lower not in STOPWORDS and lower not in DESCRIBING:
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


class Notes(NamedTuple):
    """What one event adds to its day's digest, worked out from the event alone (a pure value,
    so worker processes can make it and the main process only adds it up). The builder's hot
    path reads the fields by position: a new field goes at the end."""

    line: str = ""  # a request (queued ones joined by newlines), an answer or a content line
    phrases: tuple[str, ...] = ()  # topic candidates: phrases, names, CJK words
    weight: int = 0  # how much each candidate counts (0: the event has no text of its own)
    urls: tuple[str, ...] = ()
    commands_mentioned: tuple[str, ...] = ()
    files_mentioned: tuple[str, ...] = ()
    decisions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (sentence, its decision_key)
    commands: tuple[str, ...] = ()
    files_written: tuple[str, ...] = ()
    files_read: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()  # other tools used, by name
    fetched: int = 0  # pages fetched (their URLs are in `urls`)
    greeting: bool = False  # only greets, thanks or acknowledges
    changes: int = 0  # commands that change something (pushes, installs, restarts, …)


NO_NOTES = Notes()
LINE_CHARS = 300  # a flow line as noted; the renderer shortens it to fit the day's budget
CONTENT_NOISE = frozenset({"cron_announce", "task_result", "subagent_task"})
_FILE_TOOLS_WRITE = frozenset({"write", "edit", "apply_patch", "multi_edit", "str_replace"})


NAMES_WINDOW = 600  # characters of an agent's reply searched for names (all of the person's)


def _candidates(text: str, commands: Sequence[str] = (), *, person: bool = True) -> list[str]:
    """Topic candidates of a text: phrases, named subjects (counted twice), CJK words, and the
    tools its commands run (`restic`, `hugo`; not `git`, `ls` and the like)."""
    names = names_in(text if person else text[:NAMES_WINDOW])
    return [*phrases(text), *names, *names, *cjk_terms(text), *_tools_of(commands)]


def _changes(commands: Sequence[str]) -> int:
    """How many of the commands change something (ranked first in Technical Details)."""
    return sum(command_rank(command, False) == 1 for command in commands)


def _tools_of(commands: Sequence[str]) -> list[str]:
    """The programs commands run, as topic candidates: a tool used counts as much as a
    subject the person named (`restic`, `hugo`; not `git`, `ls` and the like)."""
    tools = [name for name in map(program, commands) if name and name not in GENERIC_PROGRAMS]
    return tools * 3


_ERROR_LINE = re.compile(
    r"\b\w*(?:Error|Exception)\b|\berror\b|\bERR!|\bfatal\b|\bdenied\b|\bnot found\b"
    r"|\bNo such file\b|\bunexpectedly\b|\bfailed\b|\bcannot\b",
    re.I,
)


def error_line(text: str) -> str:
    """The line of a tool's output that says what went wrong (the first that names an error,
    else the first line)."""
    lines = [line.strip() for line in text.splitlines()[:12] if line.strip()]
    if not lines:
        return "failed"
    return next((line for line in lines if _ERROR_LINE.search(line) and ":" in line), lines[0])


def _text_notes(text: str) -> tuple[list[str], list[str], list[str]]:
    """URLs, and the commands and paths in code spans, of a redacted text."""
    urls = [url.rstrip(".,;:") for url in _URL.findall(text)]
    commands: list[str] = []
    paths: list[str] = []
    for span in _CODE.findall(text):
        span = span.strip()
        head = span.split()[0] if span.split() else ""
        if head in _COMMAND_WORDS and " " in span:
            commands.append(span)
        elif looks_like_path(span):
            paths.append(span)
    return urls, commands, paths


def _tool_notes(
    event: Event, redact: Redact, urls: list[str]
) -> tuple[list[str], list[str], list[str], list[str], int]:
    """Commands run, files written, files read and other tools used by an event's tool calls,
    and how many pages were fetched (their URLs are appended to `urls`)."""
    commands: list[str] = []
    written: list[str] = []
    read: list[str] = []
    other: list[str] = []
    fetched = 0
    for call in event.tools:
        if call.command:
            commands.append(redact(call.command[:TEXT_WINDOW]).strip())
        elif call.url:
            urls.append(one_line(redact(call.url[:TEXT_WINDOW]), 200))
            fetched += 1
        elif call.path and call.name in _FILE_TOOLS_WRITE:
            written.append(one_line(redact(call.path[:TEXT_WINDOW]), 160))
        elif call.path:
            read.append(one_line(redact(call.path[:TEXT_WINDOW]), 160))
        else:
            other.append(call.name)
    return commands, written, read, other, fetched


def _request_line(text: str, queued: bool) -> str:
    if queued:
        return "\n".join(one_line(part, LINE_CHARS) for part in text.split("\n\n") if part.strip())
    return one_line(text, LINE_CHARS)


def notes_for(event: Event, redact: Redact) -> Notes:
    """What `event` adds to its day's digest; every text is redacted before anything is taken
    from it."""
    kind = event.kind
    if kind is Kind.USER or kind is Kind.ASSISTANT:
        text = redact(event.text[:TEXT_WINDOW])
        user = kind is Kind.USER
        urls, mentioned, paths = _text_notes(text)
        commands, written, read, other, fetched = _tool_notes(event, redact, urls)
        return Notes(
            _request_line(text, event.reason == "queued") if user else one_line(text, LINE_CHARS),
            tuple(_candidates(text, commands, person=user)),
            3 if user else 1,
            tuple(urls),
            tuple(mentioned),
            tuple(paths),
            tuple((d, tuple(decision_key(d))) for d in decisions_in(text, person=user)),
            tuple(commands),
            tuple(written),
            tuple(read),
            (),
            tuple(other),
            fetched,
            user and is_greeting(text),
            _changes(commands),
        )
    if kind is Kind.TOOL_CALL:
        fetched_urls: list[str] = []
        commands, written, read, other, fetched = _tool_notes(event, redact, fetched_urls)
        tools = _tools_of(commands)
        return Notes(
            phrases=tuple(tools),
            weight=1 if tools else 0,
            changes=_changes(commands),
            urls=tuple(fetched_urls),
            commands=tuple(commands),
            files_written=tuple(written),
            files_read=tuple(read),
            tools=tuple(other),
            fetched=fetched,
        )
    if kind is Kind.TOOL_RESULT:
        if not event.is_error:
            return NO_NOTES
        text = redact(event.text[:600]).strip()
        return Notes(errors=(f"{event.tool_name or 'tool'}: {one_line(error_line(text), 160)}",))
    if kind is Kind.NOISE:
        if event.noise not in CONTENT_NOISE or not event.text:
            return NO_NOTES
        text = redact(event.text[:TEXT_WINDOW])
        content = text.split(": ", 1)[-1] if event.noise != "subagent_task" else text
        urls, _mentioned, _paths = _text_notes(text)
        return Notes(one_line(text, LINE_CHARS), tuple(_candidates(content)), 1, tuple(urls))
    if kind is Kind.ERROR:
        if event.text and event.text not in ("aborted", "stop"):
            text = one_line(redact(event.text[:600]), 140)
            return Notes(errors=(f"model error: {text}",))
        return NO_NOTES
    if kind is Kind.COMPACTION:
        tokens = f" ({event.tokens_before} tokens before)" if event.tokens_before else ""
        return Notes(f"Context compacted{tokens}")
    if kind is Kind.RESET:
        return Notes(f"/{event.reason or 'reset'}: fresh context")
    return NO_NOTES
