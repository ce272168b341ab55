"""Render a Digest as the Markdown body of memory-sync's block (the spec's daily file format)."""

from __future__ import annotations

from datetime import date as Date
from zoneinfo import ZoneInfo

from memory_sync.digest.builder import FLOW_HEAD, Digest, SessionFlow
from memory_sync.memoryfile import FOOTER
from memory_sync.redact import Redact, redact_each
from memory_sync.timeutil import local_time

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


def _flow_lines(session: SessionFlow, zone: ZoneInfo) -> list[str]:
    lines = [f"- {local_time(item.ms, zone)} {item.text}" for item in session.items]
    if session.hidden:
        lines.insert(min(FLOW_HEAD, len(lines)), f"- … {session.hidden} more steps")
    return lines


def _session_heading(session: SessionFlow, zone: ZoneInfo) -> str:
    span = f"{local_time(session.first_ms, zone)}–{local_time(session.last_ms, zone)}"
    who = session.session_key or "session"
    return (
        f"### {span} · {who} · {session.session_id[:8]} "
        f"({session.user_messages} asked, {session.replies} "
        f"{'reply' if session.replies == 1 else 'replies'})"
    )


def _list(items: tuple[str, ...], code: bool = False) -> str:
    return ", ".join(f"`{i}`" if code else i for i in items)


def simple_sections(digest: Digest, zone: ZoneInfo) -> dict[str, list[str]]:
    """The digest's sections as Markdown lines, in the file's order."""
    s = digest.stats
    sections: dict[str, list[str]] = {}
    sections["Topics Covered"] = [f"- {t}" for t in digest.topics] or ["- (no clear topics)"]
    flow: list[str] = []
    for session in digest.sessions:
        flow += ["", _session_heading(session, zone), *_flow_lines(session, zone)]
    sections["Session Flow"] = flow[1:] if flow else ["- (no conversation)"]
    sections["Key Decisions"] = [
        f"- {d.text} ({local_time(d.ms, zone)})" for d in digest.decisions
    ] or ["- (none stated)"]
    details = [
        ("Commands run", _list(digest.commands, code=True)),
        ("Commands mentioned", _list(digest.commands_mentioned, code=True)),
        ("Files read", _list(digest.files_read, code=True)),
        ("Files written", _list(digest.files_written, code=True)),
        ("Files mentioned", _list(digest.files_mentioned, code=True)),
        ("URLs", _list(digest.urls)),
    ]
    technical = [f"- {label}: {value}" for label, value in details if value]
    technical += [f"- Error: {e}" for e in digest.errors]
    sections["Technical Details"] = technical or ["- (none)"]
    sections["Model Transitions"] = [
        f"- {local_time(t.ms, zone, seconds=True)} {t.old} → {t.new} "
        f"({t.session_key or 'session'} · {t.session_id[:8]})"
        for t in digest.transitions
    ] or ["- (none)"]
    stats = [
        f"- Messages: {s.user} user, {s.assistant} assistant, {s.tool} tool results "
        f"({s.tool_calls} tool-call turns, {s.errors} failed turns)",
        f"- Sessions: {len(s.sessions)}",
    ]
    if s.models:
        models = ", ".join(
            f"{m} ({n})" for m, n in sorted(s.models.items(), key=lambda x: (-x[1], x[0]))
        )
        stats.append(f"- Models (replies): {models}")
    if s.compactions:
        tokens = ", ".join(str(t) for _, t in s.compactions if t) or "unknown"
        stats.append(f"- Compactions: {len(s.compactions)} (tokens before: {tokens})")
    if s.resets:
        stats.append(f"- Resets (/new, /reset): {s.resets}")
    if s.noise:
        noise = ", ".join(
            f"{n} {NOISE_LABELS.get(k, k)}"
            for k, n in sorted(s.noise.items(), key=lambda x: (-x[1], x[0]))
        )
        stats.append(f"- Noise left out: {noise}")
    sections["Message Compaction"] = stats
    return sections


def _assemble(digest: Digest, header: str, sections: dict[str, list[str]], redact: Redact) -> str:
    out = [title(digest.date), "", header]
    for name, lines in sections.items():
        out += ["", f"## {name}", *lines]
    out += ["", "---", FOOTER]
    return "\n".join(redact_each(redact, out)) + "\n"


def render_digest(digest: Digest, zone: ZoneInfo, redact: Redact) -> str:
    """The simple block body: title, sections, footer; every line passes `redact`."""
    header = f"*Auto-generated from {digest.stats.messages} session messages*"
    return _assemble(digest, header, simple_sections(digest, zone), redact)


def render_summary(
    digest: Digest, zone: ZoneInfo, written: dict[str, str], model: str, redact: Redact
) -> str:
    """The block body with the model's sections (the simple ones where it gave none), the
    model transitions and statistics from the history, and the model named in the header."""
    sections = simple_sections(digest, zone)
    for name in ("Session Flow", "Topics Covered", "Key Decisions", "Technical Details"):
        if name in written:
            sections[name] = written[name].splitlines()
    order = [
        "Session Flow",
        "Topics Covered",
        "Key Decisions",
        "Technical Details",
        "Model Transitions",
        "Message Compaction",
    ]
    header = (
        f"*Auto-generated from {digest.stats.messages} session messages, summarized by {model}*"
    )
    return _assemble(digest, header, {name: sections[name] for name in order}, redact)
