"""Render a Digest as the Markdown body of memory-sync's block (the spec's daily file format)."""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from zoneinfo import ZoneInfo

from memory_sync.extract import FLOW_HEAD, Digest, SessionFlow
from memory_sync.memoryfile import FOOTER
from memory_sync.output import Redactor

NOISE_LABELS = {
    "heartbeat": "heartbeat prompts",
    "heartbeat_ack": "HEARTBEAT_OK acks",
    "no_reply": "NO_REPLY turns",
    "flush_prompt": "memory-flush prompts",
    "reset_prompt": "reset prompts",
    "command": "slash commands",
    "command_reply": "command replies",
    "delivery_mirror": "delivery mirrors",
    "injected_context": "injected context",
    "system_event": "system events",
    "inter_session": "inter-session messages",
    "cron": "cron runs",
}


def title(day: str) -> str:
    """`# 2026-01-15 (Thursday)`."""
    return f"# {day} ({Date.fromisoformat(day).strftime('%A')})"


def _hm(ms: int, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(ms / 1000, zone).strftime("%H:%M")


def _hms(ms: int, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(ms / 1000, zone).strftime("%H:%M:%S")


def _flow_lines(session: SessionFlow, zone: ZoneInfo) -> list[str]:
    lines = [f"- {_hm(item.ms, zone)} {item.text}" for item in session.items]
    if session.hidden:
        lines.insert(min(FLOW_HEAD, len(lines)), f"- … {session.hidden} more steps")
    return lines


def _session_heading(session: SessionFlow, zone: ZoneInfo) -> str:
    span = f"{_hm(session.first_ms, zone)}–{_hm(session.last_ms, zone)}"
    who = session.session_key or "session"
    return (
        f"### {span} · {who} · {session.session_id[:8]} "
        f"({session.user_messages} asked, {session.replies} replies)"
    )


def _list(items: tuple[str, ...], code: bool = False) -> str:
    return ", ".join(f"`{i}`" if code else i for i in items)


def render_digest(digest: Digest, zone: ZoneInfo, redact: Redactor) -> str:
    """The block body: title, sections, footer; every line passes `redact`."""
    s = digest.stats
    out = [title(digest.date), "", f"*Auto-generated from {s.messages} session messages*", ""]
    out += ["## Topics Covered"]
    out += [f"- {t}" for t in digest.topics] or ["- (no clear topics)"]
    out += ["", "## Session Flow"]
    for session in digest.sessions:
        out += ["", _session_heading(session, zone), *_flow_lines(session, zone)]
    out += ["", "## Key Decisions"]
    out += [f"- {d.text} ({_hm(d.ms, zone)})" for d in digest.decisions] or ["- (none stated)"]
    out += ["", "## Technical Details"]
    details = [
        ("Commands run", _list(digest.commands, code=True)),
        ("Commands mentioned", _list(digest.commands_mentioned, code=True)),
        ("Files read", _list(digest.files_read, code=True)),
        ("Files written", _list(digest.files_written, code=True)),
        ("Files mentioned", _list(digest.files_mentioned, code=True)),
        ("URLs", _list(digest.urls)),
    ]
    out += [f"- {label}: {value}" for label, value in details if value]
    out += [f"- Error: {e}" for e in digest.errors]
    if not any(value for _, value in details) and not digest.errors:
        out += ["- (none)"]
    out += ["", "## Model Transitions"]
    out += [
        f"- {_hms(t.ms, zone)} {t.old} → {t.new} "
        f"({t.session_key or 'session'} · {t.session_id[:8]})"
        for t in digest.transitions
    ] or ["- (none)"]
    out += ["", "## Message Compaction"]
    out += [
        f"- Messages: {s.user} user, {s.assistant} assistant, {s.tool} tool results "
        f"({s.tool_calls} tool-call turns, {s.errors} failed turns)",
        f"- Sessions: {len(s.sessions)}",
    ]
    if s.models:
        models = ", ".join(
            f"{m} ({n})" for m, n in sorted(s.models.items(), key=lambda x: (-x[1], x[0]))
        )
        out.append(f"- Models (replies): {models}")
    if s.compactions:
        tokens = ", ".join(str(t) for t in s.compactions if t) or "unknown"
        out.append(f"- Compactions: {len(s.compactions)} (tokens before: {tokens})")
    if s.resets:
        out.append(f"- Resets (/new, /reset): {s.resets}")
    if s.noise:
        noise = ", ".join(
            f"{n} {NOISE_LABELS.get(k, k)}"
            for k, n in sorted(s.noise.items(), key=lambda x: (-x[1], x[0]))
        )
        out.append(f"- Noise left out: {noise}")
    out += ["", "---", FOOTER]
    return "\n".join(redact(line) for line in out) + "\n"
