"""Text OpenClaw injects into user turns (shared/openclaw-format.md §9): recognise each wrapper,
drop the plumbing and keep what carries content (a caption, a queued message, a cron job's
result, a background task's findings, a subagent's task)."""

from __future__ import annotations

import re
from dataclasses import dataclass

HEARTBEAT_POLL = "[OpenClaw heartbeat poll]"
QUEUED_HEAD = "[Queued messages while agent was busy]"

_MEDIA_LINE = re.compile(r"^[ \t]*\[media attached(?: (\d+)/\d+)?: ([^\n]*)\][ \t]*\n?", re.M)
_MEDIA_COUNT = re.compile(r"\A(\d+) files?\Z")
_MEDIA_HINT = re.compile(
    r"To send an image back, prefer the message tool\b.*?"
    r"(?:Keep caption in the text body\.|quote if needed\)\.)[ \t]*\n?",
    re.S,
)
_MEDIA_TOKEN = re.compile(r"<media:([a-z]+)>")
_ABORTED = re.compile(
    r"Note: The previous agent run was aborted by the user\. Resume carefully or ask for "
    r"clarification\.[ \t]*\n?"
)
# `System: [2026-02-19 21:09:42 EST] WhatsApp gateway connected.` anywhere in a user turn
_SYSTEM_ANYWHERE = re.compile(
    r"^[ \t]*System(?: \(untrusted\))?: \[[^\]\n]*\d{4}-\d{2}-\d{2}[^\]\n]*\][^\n]*(?:\n|\Z)", re.M
)
_QUEUED_ITEM = re.compile(r"\n-{3,}\nQueued #\d+\n")
_CRON = re.compile(
    r"\A\[System Message\] (?:\[sessionId: [^\]\n]*\] )?A cron job \"(?P<name>[^\"\n]*)\" just "
    r"(?P<how>[^.\n]*)\.[ \t]*(?:\n+Result:\n(?P<result>.*?))?"
    r"(?=\n\nStats: |\n\nA completed cron job|\Z)",
    re.S,
)
_TASK = re.compile(
    r"\A(?:\[System Message\] (?:\[sessionId: [^\]\n]*\] )?)?A background task "
    r"\"(?P<label>[^\"\n]*)\" just (?P<how>[^.\n]*)\.[ \t]*(?:\n+Findings:\n(?P<findings>.*))?",
    re.S,
)
_SUBAGENT_TASK = re.compile(r"\[Subagent Task\]:\s*(?P<task>.*)", re.S)
_PING = re.compile(r"\ARespond with (?:one|a single) word\b", re.I)


@dataclass(frozen=True)
class Unwrapped:
    """A user turn after its wrappers: the text that counts, and what kind of turn it was
    (None: the person's own words; else a noise kind such as `cron_announce`)."""

    text: str
    kind: str | None = None


def strip_media(text: str) -> str:
    """Remove media-attachment lines, the `To send an image back…` hint and `<media:…>`
    tokens; what is left is the caption, followed by "(sent an image)" or "(sent 3 files)"."""
    lines = _MEDIA_LINE.findall(text)
    tokens = _MEDIA_TOKEN.findall(text)
    if not lines and not tokens and "To send an image back" not in text:
        return text
    count, images = 0, True
    for number, what in lines:
        total = _MEDIA_COUNT.match(what.strip())
        if total:
            count = max(count, int(total.group(1)))
        else:
            count = max(count, int(number) if number else count + 1)
            images = images and "(image/" in what
    if not lines:
        count, images = len(tokens), all(t == "image" for t in tokens)
    caption = _MEDIA_TOKEN.sub("", _MEDIA_HINT.sub("", _MEDIA_LINE.sub("", text))).strip()
    noun = "image" if images else "file"
    sent = f"(sent an {noun})" if count <= 1 else f"(sent {count} {noun}s)"
    if not caption:  # only the attachment (or only the hint): say what was sent
        return sent
    return f"{caption} {sent}" if count else caption


def strip_inline_notes(text: str) -> tuple[str, bool]:
    """Remove the aborted-run note and `System: [date] …` lines anywhere in the text; True when
    a System line was among them."""
    if "Note: The previous agent run" in text:
        text = _ABORTED.sub("", text)
    had_system = False
    if "System" in text:
        stripped = _SYSTEM_ANYWHERE.sub("", text)
        had_system = stripped != text
        text = stripped
    return text, had_system


def queued_items(text: str) -> list[str] | None:
    """The messages of a `[Queued messages while agent was busy]` turn, or None for another."""
    if not text.startswith(QUEUED_HEAD):
        return None
    body = "\n" + text[len(QUEUED_HEAD) :].strip()
    return [item.strip() for item in _QUEUED_ITEM.split(body) if item.strip()]


def _first_line(text: str, limit: int = 300) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:limit]
    return ""


def unwrap_system_message(text: str) -> Unwrapped | None:
    """A cron announce, a background task's result or a subagent's context as one line of
    content and its kind; None when `text` is none of them."""
    head = text[:200]
    if "A cron job" in head:
        cron = _CRON.match(text)
        if cron:
            how = "finished" if "success" in cron.group("how") else cron.group("how").strip()
            result = _first_line(cron.group("result") or "")
            line = f'cron job "{cron.group("name")}" {how}' + (f": {result}" if result else "")
            return Unwrapped(line, "cron_announce")
    if "A background task" in head:
        task = _TASK.match(text)
        if task:
            how = "finished" if "success" in task.group("how") else task.group("how").strip()
            findings = (task.group("findings") or "").strip()
            line = f'background task "{task.group("label")}" {how}'
            return Unwrapped(line + (f": {findings}" if findings else ""), "task_result")
    if "[Subagent Context]" in text:
        found = _SUBAGENT_TASK.search(text)
        what = found.group("task").strip() if found else ""
        return Unwrapped(what, "subagent_task") if what else Unwrapped("", "injected_context")
    return None


def is_ping(text: str) -> bool:
    """A monitoring script's liveness ping (`Respond with one word: OK`)."""
    return text.startswith(("Respond", "respond")) and _PING.match(text) is not None
