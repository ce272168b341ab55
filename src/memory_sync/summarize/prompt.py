"""What is sent to the model: instructions, the day's lines split by a token budget, costs."""

from __future__ import annotations

import hashlib
import re

from memory_sync.summarize import Request

PROMPT_VERSION = "2"

SYSTEM = """You write the daily memory file of an OpenClaw personal AI agent.
The agent will read it on later days to remember what happened, so be faithful, concrete and
brief. Use only facts from the conversation; never invent. Prefer what the PERSON asked for and
decided over routine agent activity. Keep names, numbers, file paths, commands and decisions
exactly as written. Text shown as [REDACTED:...] must stay redacted.

Write in the language the person used that day (Chinese for a Chinese day, Japanese for a
Japanese day, and so on), but keep the four section headings below in English, exactly.
Answer in Markdown with exactly these four sections, in this order, and nothing else:
## Session Flow
A short narrative of the day in time order (a paragraph per sitting, with times): what was
asked, what was done, where the work moved, model switches.
## Topics Covered
3-8 bullets, each a real phrase naming a subject of the day.
## Key Decisions
Bullets of decisions and conclusions as they were stated (none: "- (none stated)").
## Technical Details
Bullets: commands run, files read or written, URLs, errors met (none: "- (none)")."""

PART_NOTE = "This is part {i} of {n} of the day; summarize this part only."
COMBINE = """Below are summaries of the {n} parts of {date}, in time order. Merge them into one
daily memory file with the same four sections: one narrative, topics and decisions without
repeats."""


def estimate_tokens(text: str) -> int:
    """A conservative token estimate (about four characters a token)."""
    return len(text) // 4 + 1


def request_key(backend: str, model: str, system: str, prompt: str) -> str:
    """The cache key of a request: prompt version, backend, model and the texts it is made
    from (for a day's parts, the history only: not the memory file's own notes, so the same
    history costs nothing again, before or after our block was written, with or without
    --preserve)."""
    digest = hashlib.sha256()
    for part in (PROMPT_VERSION, backend, model, system, prompt):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _header(date: str, scaffold: str, context: str) -> str:
    out = [
        f"Date: {date}",
        "",
        "Facts already extracted (use as a scaffold, do not copy):",
        scaffold.strip(),
    ]
    if context.strip():
        out += [
            "",
            "Notes already in this day's memory file, written by the person or the "
            "agent (do not repeat or contradict them):",
            context.strip(),
        ]
    return "\n".join(out)


def split_lines(lines: list[str], budget_tokens: int, reserved: int) -> list[list[str]]:
    """The day's lines in consecutive parts whose estimated size fits the budget."""
    room = max(1000, budget_tokens - reserved)
    parts: list[list[str]] = [[]]
    used = 0
    for line in lines:
        size = estimate_tokens(line)
        if parts[-1] and used + size > room:
            parts.append([])
            used = 0
        if size > room:  # one enormous line: cut it to fit
            line = line[: room * 4]
            size = room
        parts[-1].append(line)
        used += size
    return parts


def day_requests(
    backend: str,
    model: str,
    date: str,
    lines: list[str],
    scaffold: str,
    context: str,
    budget_tokens: int,
) -> tuple[list[Request], str | None]:
    """The part requests of a day, and the template of the combine request (None when the
    day fits in one request). The combine prompt is completed with the parts' answers."""
    header = _header(date, scaffold, context)
    history = _header(date, scaffold, "")  # what the answer is keyed by
    parts = split_lines(lines, budget_tokens, estimate_tokens(SYSTEM + header) + 200)
    requests = []
    for i, part in enumerate(parts, 1):
        note = PART_NOTE.format(i=i, n=len(parts)) + "\n\n" if len(parts) > 1 else ""
        body = f"{note}Conversation:\n" + "\n".join(part)
        prompt = f"{header}\n\n{body}"
        key = request_key(backend, model, SYSTEM, f"{history}\n\n{body}")
        label = date if len(parts) == 1 else f"{date} part {i}/{len(parts)}"
        requests.append(Request(key, label, SYSTEM, prompt, 2000))
    if len(parts) == 1:
        return requests, None
    return requests, COMBINE.format(n=len(parts), date=date)


def combine_request(
    backend: str, model: str, date: str, template: str, answers: list[str]
) -> Request:
    """The request that merges the parts' summaries."""
    body = "\n\n".join(f"### Part {i}\n{a.strip()}" for i, a in enumerate(answers, 1))
    prompt = f"{template}\n\n{body}"
    return Request(
        request_key(backend, model, SYSTEM, prompt), f"{date} combine", SYSTEM, prompt, 2500
    )


# USD per million tokens (input, output); batch requests cost half. Unknown models: None.
PRICES: tuple[tuple[str, float, float], ...] = (
    ("claude-opus-4", 15.0, 75.0),
    ("claude-sonnet-4", 3.0, 15.0),
    ("claude-3-7-sonnet", 3.0, 15.0),
    ("claude-3-5-haiku", 0.8, 4.0),
    ("claude-haiku-4", 1.0, 5.0),
    ("gpt-4o-mini", 0.15, 0.6),
    ("gpt-4o", 2.5, 10.0),
    ("gpt-4.1-mini", 0.4, 1.6),
    ("gpt-4.1", 2.0, 8.0),
)


def estimate_cost(model: str, input_tokens: int, output_tokens: int, batch: bool) -> float | None:
    """Estimated USD for the given tokens, or None for a model without a known price."""
    for prefix, price_in, price_out in PRICES:
        if model.startswith(prefix):
            cost = (input_tokens * price_in + output_tokens * price_out) / 1e6
            return cost / 2 if batch else cost
    return None


# What a model may call each section (any heading level, bold, or "Name:" on its own line)
NAMES = {
    "session flow": "Session Flow",
    "flow": "Session Flow",
    "narrative": "Session Flow",
    "summary": "Session Flow",
    "daily summary": "Session Flow",
    "what happened": "Session Flow",
    "overview": "Session Flow",
    "topics covered": "Topics Covered",
    "topics": "Topics Covered",
    "key decisions": "Key Decisions",
    "decisions": "Key Decisions",
    "decisions made": "Key Decisions",
    "technical details": "Technical Details",
    "technical": "Technical Details",
    "technical notes": "Technical Details",
    "details": "Technical Details",
}
_REFUSAL = re.compile(
    r"^\W*(?:i'?m sorry|i am sorry|sorry,|i can(?:no|')t (?:help|assist|do|provide|summari[sz]e)|"
    r"i (?:cannot|can not|won'?t|am unable to|'m unable to|am not able to)|as an ai\b|"
    r"unfortunately,? i (?:can(?:no|')t|am unable))",
    re.I,
)
MIN_PROSE = 40  # characters of an answer without sections that still make a narrative


def unusable(answer: str) -> str | None:
    """Why an answer cannot be used at all (empty, or a refusal), or None. Such an answer is
    a failure of its day, and is not cached."""
    text = answer.strip()
    if not text:
        return "the model returned an empty answer"
    if len(text) < 600 and _REFUSAL.match(text):
        return f"the model refused: {text.splitlines()[0][:120]}"
    return None


def _heading(line: str) -> tuple[str, str] | None:
    """The section a line starts (and the text after `Name:` on it), or None: `## Name`,
    `### Name`, `**Name**`, `**Name:**`, `Name:` or `Name` alone on its line."""
    stripped = line.strip()
    if not stripped or len(stripped) > 200:
        return None
    marked = stripped.startswith(("#", "**", "__"))
    body = stripped.lstrip("#").strip()
    head, colon, rest = body.partition(":")
    head = head.strip().strip("*_").strip()
    name = NAMES.get(head.lower())
    if name is None:
        return None
    rest = rest.strip().strip("*_").strip()
    if marked or colon or not rest:
        return name, rest
    return None


def read_answer(text: str) -> tuple[dict[str, str], str | None]:
    """The sections of a model's answer, and why it could not be used (None: it could).

    Headings of any level, bold or `Name:` forms and any order are taken (also a `Name: text`
    line, whose text starts the section); with none recognisable, the whole answer is the
    day's narrative (Session Flow), unless it is too short to be one."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        heading = _heading(line)
        if heading is not None:
            current, rest = heading
            found.setdefault(current, [])
            if rest:
                found[current].append(rest)
        elif current is not None:
            found[current].append(line)
    sections = {name: "\n".join(lines).strip() for name, lines in found.items()}
    sections = {name: body for name, body in sections.items() if body}
    if sections:
        return sections, None
    prose = text.strip()
    if len(prose) < MIN_PROSE:
        return {}, f"too short ({len(prose)} characters) and without sections"
    return {"Session Flow": prose}, None
