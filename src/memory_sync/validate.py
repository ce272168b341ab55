"""`validate`: problems in the memory folder, each with its file and line."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from memory_sync.memoryfile import END, START, decode
from memory_sync.redact import Redact, redact_each

_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(-[^/]*)?\.md$")
_TITLE = re.compile(r"^#\s+(\d{4}-\d{2}-\d{2})\b")
_HOOK_SUFFIX = re.compile(r"^-(\d{4})(-\d+)?$")
_MARKER = re.compile(r"\[REDACTED:([a-z0-9-]+)\]")


@dataclass(frozen=True)
class Finding:
    """One problem: where it is and what to do about it."""

    path: str
    line: int | None  # None: about the file as a whole (its name, its date)
    kind: str
    message: str

    @property
    def informational(self) -> bool:
        """An orphan is information (its history was rotated away), not a problem."""
        return self.kind == "orphan"

    def text(self) -> str:
        """`path:line: kind: message` (no line for a file-level finding)."""
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.kind}: {self.message}"


def _real_date(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def validate(memory_dir: Path, history: set[str], today: str, redact: Redact) -> list[Finding]:
    """Every finding for the memory folder; `history` holds the dates with conversation."""
    findings: list[Finding] = []
    claims: dict[str, list[tuple[Path, int]]] = {}
    for path in sorted(memory_dir.glob("*.md")):
        name = path.name
        match = _NAME.match(name)
        if match is None:
            findings.append(
                Finding(
                    str(path),
                    None,
                    "bad-name",
                    "not named YYYY-MM-DD.md, so OpenClaw never loads it as a day",
                )
            )
            continue
        day = _real_date(*match.groups()[:3])
        if day is None:
            findings.append(
                Finding(
                    str(path), None, "bad-name", f"{name[:10]} is not a real date; rename the file"
                )
            )
            continue
        try:
            text = decode(path.read_bytes())
        except OSError as exc:
            findings.append(Finding(str(path), None, "unreadable", str(exc)))
            continue
        lines = text.splitlines()
        suffix = match.group(4) or ""
        daily = not suffix or (not _HOOK_SUFFIX.match(suffix) and not _is_hook(lines))
        title_date, title_line = _title(lines)
        if title_date and title_date != day:
            findings.append(
                Finding(
                    str(path),
                    title_line,
                    "title-mismatch",
                    f"the title says {title_date} but the file is for {day}",
                )
            )
        if daily:
            claims.setdefault(title_date or day, []).append((path, title_line))
        findings += _block_findings(path, lines)
        if day > today:
            findings.append(
                Finding(str(path), None, "future-date", f"{day} is after today ({today})")
            )
        if history and day not in history:
            findings += _without_history(path, day, history)
        findings += _secret_findings(path, lines, redact)
    for claimed, places in sorted(claims.items()):
        if len(places) > 1:
            names = ", ".join(p.name for p, _ in places)
            for place, at in places:
                findings.append(
                    Finding(
                        str(place),
                        at,
                        "duplicate-date",
                        f"{len(places)} daily files are for {claimed}: {names}",
                    )
                )
    findings.sort(key=lambda f: (f.path, f.line or 0, f.kind))
    return findings


def _title(lines: list[str]) -> tuple[str | None, int]:
    """The date of the file's `# YYYY-MM-DD` title within its first 20 lines, and its line."""
    for number, line in enumerate(lines[:20], 1):
        title = _TITLE.match(line)
        if title:
            return title.group(1), number
    return None, 0


def _without_history(path: Path, day: str, history: set[str]) -> list[Finding]:
    """A file for a day with no history: a year off from a day with history, or an orphan."""
    year_off = [f"{int(day[:4]) + k}{day[4:]}" for k in (1, -1)]
    guess = next((d for d in year_off if d in history), None)
    if guess:
        message = f"no history on {day}, but there is on {guess}: probably the wrong year"
        return [Finding(str(path), None, "wrong-year", message)]
    return [Finding(str(path), None, "orphan", f"no history on {day}")]


def _secret_findings(path: Path, lines: list[str], redact: Redact) -> list[Finding]:
    """A finding for each line that redaction would change, naming the kinds of secret it
    would mask (the redactor's own kind names; markers already in the line are not counted)."""
    numbered = list(enumerate(lines, 1))
    redacted = redact_each(redact, lines)
    out: list[Finding] = []
    for (number, line), done in zip(numbered, redacted, strict=True):
        kinds = []
        if done != line:
            new = Counter(_MARKER.findall(done)) - Counter(_MARKER.findall(line))
            kinds = sorted(new)
        if kinds:
            out.append(
                Finding(
                    str(path),
                    number,
                    "secret",
                    f"Looks like a secret ({', '.join(kinds)}); remove it before this file is "
                    "shared or committed.",
                )
            )
    return out


def _is_hook(lines: list[str]) -> bool:
    return bool(lines) and lines[0].startswith("# Session: ")


def _block_findings(path: Path, lines: list[str]) -> list[Finding]:
    out: list[Finding] = []
    open_at = 0
    for number, line in enumerate(lines, 1):
        if line.startswith(START):
            if open_at:
                out.append(
                    Finding(
                        str(path),
                        number,
                        "broken-block",
                        f"a second memory-sync start marker (first at line {open_at})",
                    )
                )
            open_at = number
        elif line.startswith(END):
            if not open_at:
                out.append(
                    Finding(
                        str(path),
                        number,
                        "broken-block",
                        "a memory-sync end marker without a start",
                    )
                )
            open_at = 0
    if open_at:
        out.append(
            Finding(
                str(path),
                open_at,
                "broken-block",
                "a memory-sync start marker without an end; fix the markers or "
                "remove them (backfill treats the file as not ours)",
            )
        )
    return out
