"""Render a Digest as the Markdown body of memory-sync's block (the spec's daily file format).

The block stays readable: about BLOCK_BUDGET bytes at most (OpenClaw loads today's and
yesterday's notes into every new session). Every section but the flow is capped by count;
the flow gets what is left, shortened first, then thinned from its least informative
exchanges anywhere in the day (never a stretch of it), and says what it left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date as Date
from zoneinfo import ZoneInfo

from memory_sync.digest.builder import CommandUse, Digest, Exchange, SessionFlow, spread
from memory_sync.digest.notes import one_line
from memory_sync.digest.technical import command_rank, program, short_command
from memory_sync.memoryfile import FOOTER
from memory_sync.redact import Redact, redact_each
from memory_sync.timeutil import local_time

BLOCK_BUDGET = 8000  # bytes of a simple block, title to footer
FLOW_MIN = 1500  # bytes the flow always gets
MAX_DECISIONS = 10
MAX_COMMANDS = 12
MAX_FILES = 10
MAX_URLS = 8
MAX_ERRORS = 6
# (request, answer) characters per flow line: full, then compact when the day is long
TIERS = ((220, 200), (120, 100))

NOISE_LABELS = {
    "heartbeat": "heartbeat polls",
    "heartbeat_ack": "HEARTBEAT_OK acks",
    "no_reply": "NO_REPLY turns",
    "ack": "one-word acks",
    "ping": "liveness pings",
    "flush_prompt": "memory-flush prompts",
    "reset_prompt": "reset prompts",
    "command": "slash commands",
    "command_reply": "command replies",
    "delivery_mirror": "delivery mirrors",
    "injected_context": "injected context",
    "system_event": "system events",
    "inter_session": "inter-session messages",
    "cron": "cron runs",
    "forgotten": "entries of sessions the person made OpenClaw forget",
}
SHOWN = frozenset({"cron_announce", "task_result", "subagent_task"})  # one flow line each


def title(day: str) -> str:
    """`# 2026-01-15 (Thursday)`."""
    return f"# {day} ({Date.fromisoformat(day).strftime('%A')})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _work(ex: Exchange) -> str:
    """`ran 7 commands, wrote 2 files, 1 failed`."""
    parts = []
    if ex.commands:
        parts.append("ran " + _plural(ex.commands, "command"))
    if ex.reads:
        parts.append("read " + _plural(ex.reads, "file"))
    if ex.writes:
        parts.append("wrote " + _plural(ex.writes, "file"))
    if ex.fetches:
        parts.append("fetched " + _plural(ex.fetches, "page"))
    if ex.tools:
        parts.append("used " + _plural(ex.tools, "other tool"))
    if ex.failed:
        parts.append(f"{ex.failed} failed")
    return ", ".join(parts)


_LEADS = {"ask": "User: ", "cron": "", "task": "", "subagent": "Subagent task: ", "event": ""}


def _exchange_lines(ex: Exchange, zone: ZoneInfo, tier: tuple[int, int]) -> list[str]:
    ask, say = tier
    at = local_time(ex.ms, zone)
    repeat = f" (×{ex.count})" if ex.count > 1 else ""
    work = _work(ex)
    if ex.kind == "alert":
        return [f"- {at} Heartbeat: {one_line(ex.answer, say)}"]
    if ex.kind == "event" and ex.answer:  # an internal session: one line with its outcome
        return [f"- {at} {ex.text[:1].upper()}{ex.text[1:]}: {one_line(ex.answer, say)}"]
    if ex.kind == "agent":
        head = f"- {at} Agent" + (f" ({work})" if work else "")
        return [head + (f": {one_line(ex.answer, say)}" if ex.answer else "")]
    text = ex.text[:1].upper() + ex.text[1:] if ex.kind in ("cron", "task") else ex.text
    lines = [f"- {at} {_LEADS.get(ex.kind, '')}{one_line(text, ask)}{repeat}"]
    if ex.answer or work:
        answer = f": {one_line(ex.answer, say)}" if ex.answer else ""
        lines.append("  - Agent" + (f" ({work})" if work else "") + answer)
    return lines


def _session_heading(session: SessionFlow, zone: ZoneInfo) -> str:
    span = f"{local_time(session.first_ms, zone)}–{local_time(session.last_ms, zone)}"
    who = session.session_key or "session"
    asked = _plural(session.user_messages, "message")
    replies = _plural(session.replies, "reply").replace("replys", "replies")
    return f"### {span} · {who} · {session.session_id[:8]} ({asked}, {replies})"


def _size(lines: Sequence[str]) -> int:
    return sum(len(line.encode()) + 1 for line in lines)


def _flow(
    sessions: Sequence[SessionFlow], zone: ZoneInfo, tier: tuple[int, int], dropped: set[int]
) -> list[str]:
    out: list[str] = []
    for session in sessions:
        kept = [ex for ex in session.exchanges if id(ex) not in dropped]
        if not kept:
            continue
        out += ["", _session_heading(session, zone)]
        for ex in kept:
            out += _exchange_lines(ex, zone, tier)
    return out[1:]


def _cost(ex: Exchange, tier: tuple[int, int]) -> int:
    """An upper bound of the bytes an exchange's lines take at `tier` (without rendering)."""
    ask, say = tier
    size = 48 + len(ex.text[:ask].encode()) + len(ex.answer[:say].encode())
    return size + 48 if ex.answer or ex.has_work() else size


def flow_section(digest: Digest, zone: ZoneInfo, budget: int) -> list[str]:
    """The Session Flow lines within `budget` bytes: every exchange at full length if they
    fit, else shortened, else without the least informative ones (lowest score first, equals
    in an order spread over the day), and a last line that says what was left out."""
    sessions = digest.sessions
    left = dict(digest.left_out)
    if not sessions:
        return ["- (no conversation)", *_left_out_line(left)]
    exchanges = [ex for s in sessions for ex in s.exchanges]
    headings = 120 * len(sessions)
    dropped: set[int] = set()
    for tier in TIERS:
        if headings + sum(_cost(ex, tier) for ex in exchanges) <= budget:
            return _flow(sessions, zone, tier, dropped) + _left_out_line(left)
    tier = TIERS[-1]
    order = sorted(exchanges, key=lambda ex: (ex.score, spread(ex)))
    total = headings + sum(_cost(ex, tier) for ex in exchanges)
    for ex in order:
        if total <= budget:
            break
        dropped.add(id(ex))
        total -= _cost(ex, tier)
        left["less informative exchanges"] = left.get("less informative exchanges", 0) + 1
    return _flow(sessions, zone, tier, dropped) + _left_out_line(left)


_LEFT_OUT = {"greetings": ("greeting or thanks", "greetings and thanks")}


def _left_out_line(left: dict[str, int]) -> list[str]:
    if not left:
        return []
    parts = []
    for kind, n in sorted(left.items()):
        one, many = _LEFT_OUT.get(kind, (kind.replace("exchanges", "exchange"), kind))
        parts.append(f"{n} {one if n == 1 else many}")
    return ["", f"*Left out of this flow: {', '.join(parts)}.*"]


def _capped(items: Sequence[str], limit: int, code: bool = True) -> list[str]:
    shown = [f"  - `{i}`" if code else f"  - {i}" for i in items[:limit]]
    if len(items) > limit:
        shown.append(f"  - +{len(items) - limit} more")
    return shown


def _commands(commands: Sequence[CommandUse]) -> list[str]:
    """Commands ranked: failed, then consequential, then the rest in order; look-arounds
    (`ls`, `cat`, `pwd`…) only counted; one per line, `+N more` when cut."""
    ranked = sorted(
        ((command_rank(c.text, bool(c.failed)), c.first_ms, c) for c in commands),
        key=lambda r: (r[0], r[1]),
    )
    shown = [c for rank, _, c in ranked if rank < 3]
    trivial = [c for rank, _, c in ranked if rank == 3]
    lines = []
    for c in shown[:MAX_COMMANDS]:
        notes = []
        if c.count > 1:
            notes.append(f"×{c.count}")
        if c.failed:
            notes.append("failed" if c.failed >= c.count else f"failed {c.failed}×")
        lines.append(f"  - `{short_command(c.text)}`" + (f" ({', '.join(notes)})" if notes else ""))
    more = len(shown) - MAX_COMMANDS
    if trivial or more > 0:
        counts: dict[str, int] = {}
        for c in trivial:
            counts[program(c.text)] = counts.get(program(c.text), 0) + c.count
        if len(trivial) <= 3:  # a few: name them
            looks = ", ".join(f"`{short_command(c.text, 60)}`" for c in trivial)
        else:
            looks = ", ".join(
                f"{name} ×{n}" for name, n in sorted(counts.items(), key=lambda x: -x[1])
            )
        parts = [f"+{more} more"] if more > 0 else []
        if trivial:
            looked = sum(counts.values())
            parts.append(f"{'+' if shown else ''}{_plural(looked, 'look-around')} ({looks})")
        lines.append("  - " + "; ".join(parts))
    return lines


def technical_section(digest: Digest) -> list[str]:
    """Commands, files, URLs and errors, each item on its own line."""
    out: list[str] = []
    if digest.commands:
        out += ["- Commands run:", *_commands(digest.commands)]
    for label, items in (
        ("Commands mentioned", digest.commands_mentioned),
        ("Files written", digest.files_written),
        ("Files read", digest.files_read),
        ("Files mentioned", digest.files_mentioned),
    ):
        if items:
            out += [
                f"- {label}:",
                *_capped(items, MAX_COMMANDS if "Commands" in label else MAX_FILES),
            ]
    if digest.urls:
        out += ["- URLs:", *_capped(digest.urls, MAX_URLS, code=False)]
    if digest.errors:
        out += ["- Errors:", *_capped(digest.errors, MAX_ERRORS, code=False)]
    return out or ["- (none)"]


def statistics_section(digest: Digest) -> list[str]:
    """Counts of the day, consistent with each other, and the noise left out by kind."""
    s = digest.stats
    stats = [
        f"- Messages: {s.user} from the person, {s.assistant} agent replies, {s.tool} tool "
        f"results ({s.tool_calls} tool-call turns, {s.errors} failed turns)",
        f"- Sessions: {len(s.sessions)}",
    ]
    if s.models:
        models = ", ".join(
            f"{m} ({n})" for m, n in sorted(s.models.items(), key=lambda x: (-x[1], x[0]))
        )
        stats.append(f"- Models (replies and tool-call turns): {models}")
    if s.compactions:
        tokens = ", ".join(str(t) for _, t in s.compactions if t) or "unknown"
        stats.append(f"- Compactions: {len(s.compactions)} (tokens before: {tokens})")
    if s.resets:
        stats.append(f"- Resets (/new, /reset): {s.resets}")
    noise = {k: n for k, n in s.noise.items() if k not in SHOWN}
    parts = []
    if digest.heartbeat_runs:
        noise.pop("heartbeat", None)
        acks = noise.pop("heartbeat_ack", 0)
        runs = _plural(digest.heartbeat_runs, "heartbeat run")
        parts.append(f"{runs} ({digest.heartbeat_steps} tool steps, {acks} HEARTBEAT_OK)")
    if "ping" in noise:
        pings, acks = noise.pop("ping"), noise.pop("ack", 0)
        parts.append(f"{pings} liveness pings" + (f" ({acks} answered OK)" if acks else ""))
    parts += [
        f"{n} {NOISE_LABELS.get(k, k)}"
        for k, n in sorted(noise.items(), key=lambda x: (-x[1], x[0]))
    ]
    if parts:
        stats.append(f"- Noise left out: {', '.join(parts)}")
    return stats


def simple_sections(
    digest: Digest, zone: ZoneInfo, flow_budget: int | None
) -> dict[str, list[str]]:
    """The digest's sections as Markdown lines, in the file's order (the flow empty when
    `flow_budget` is None)."""
    decisions = [f"- {d.text} ({local_time(d.ms, zone)})" for d in digest.decisions]
    if len(decisions) > MAX_DECISIONS:
        decisions = [*decisions[:MAX_DECISIONS], f"- +{len(decisions) - MAX_DECISIONS} more"]
    return {
        "Topics Covered": [f"- {t}" for t in digest.topics] or ["- (no clear topics)"],
        "Session Flow": [] if flow_budget is None else flow_section(digest, zone, flow_budget),
        "Key Decisions": decisions or ["- (none stated)"],
        "Technical Details": technical_section(digest),
        "Model Transitions": [
            f"- {local_time(t.ms, zone, seconds=True)} {t.old} → {t.new} "
            f"({t.session_key or 'session'} · {t.session_id[:8]})"
            for t in digest.transitions
        ]
        or ["- (none)"],
        "Message Compaction": statistics_section(digest),
    }


def _assemble(digest: Digest, header: str, sections: dict[str, list[str]], redact: Redact) -> str:
    out = [title(digest.date), "", header]
    for name, lines in sections.items():
        out += ["", f"## {name}", *lines]
    out += ["", "---", FOOTER]
    return "\n".join(redact_each(redact, out)) + "\n"


def _header(digest: Digest, how: str = "") -> str:
    """The italic line under the title: how many messages the block was made from, and how."""
    return f"*Auto-generated from {digest.stats.messages} session messages{how}*"


def render_digest(digest: Digest, zone: ZoneInfo, redact: Redact) -> str:
    """The simple block body: title, sections, footer, within BLOCK_BUDGET bytes as far as
    the flow can give way; every line passes `redact`."""
    header = _header(digest)
    sections = simple_sections(digest, zone, None)
    fixed = len(_assemble(digest, header, sections, lambda text: text).encode())
    sections["Session Flow"] = flow_section(digest, zone, max(FLOW_MIN, BLOCK_BUDGET - fixed))
    return _assemble(digest, header, sections, redact)


def render_summary(
    digest: Digest,
    zone: ZoneInfo,
    written: dict[str, str],
    model: str,
    redact: Redact,
    *,
    unused: str | None = None,
) -> str:
    """The block body with the model's sections (the simple ones where it gave none), the
    model transitions and statistics from the history, and a header that says truthfully what
    the block holds: summarized by the model (naming the sections that are the simple
    digest's), or the simple digest because the model's answer could not be used (`unused`)."""
    sections = simple_sections(digest, zone, BLOCK_BUDGET // 2)
    mine = ("Session Flow", "Topics Covered", "Key Decisions", "Technical Details")
    for name in mine:
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
    chosen = {name: sections[name] for name in order}
    if unused is not None or not written:
        why = unused or "it had no usable text"
        how = f"; simple digest: the model's answer could not be used ({why})"
    else:
        missing = [name for name in mine if name not in written]
        how = f", summarized by {model}"
        if missing:
            how += f"; {', '.join(missing)} from the simple digest"
    return _assemble(digest, _header(digest, how), chosen, redact)
