"""Memory files: find them, parse out memory-sync's block, and merge a new block in losslessly.

Everything here is pure text in, text out. Files are decoded with `surrogateescape`, so any byte
sequence (even invalid UTF-8) round-trips exactly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

START = "<!-- memory-sync:start"
END = "<!-- memory-sync:end -->"
FOOTER = "*Review and edit this draft to capture what's actually important.*"
EDITED_NOTE = (
    "<!-- memory-sync: the earlier draft below was edited by hand, so it is kept as you left it "
    "(the block above is the new draft) -->"
)
MY_NOTES = "## My Notes\n"

_START_LINE = re.compile(
    r"^<!-- memory-sync:start(?: v=(?P<v>\d+))?(?: sha=(?P<sha>[0-9a-f]+))?"
    r"(?: fp=(?P<fp>[0-9a-f]+))?[^\n]*-->[ \t]*\r?\n",
    re.M,
)
_END_LINE = re.compile(r"^<!-- memory-sync:end -->[ \t]*(?:\r?\n|\Z)", re.M)
_DAILY = re.compile(r"^(\d{4}-\d{2}-\d{2})(-[^/]*)?\.md$")
_FRONT_MATTER = re.compile(r"\A---\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_DREAMING = re.compile(
    r"<!-- openclaw:dreaming:(?P<phase>[\w-]+):start -->.*?"
    r"<!-- openclaw:dreaming:(?P=phase):end -->[ \t]*\n?",
    re.S,
)


def decode(data: bytes) -> str:
    """Bytes of a file to text that encodes back to the identical bytes."""
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    """The inverse of `decode`."""
    return text.encode("utf-8", "surrogateescape")


def body_hash(body: str) -> str:
    """The short hash recorded in the start marker of a block body."""
    return hashlib.sha256(encode(body)).hexdigest()[:16]


@dataclass(frozen=True)
class Block:
    """memory-sync's block inside a file: offsets of its marker lines and what they record."""

    start: int  # offset of the start marker line
    end: int  # offset just after the end marker line
    body: str  # text between the marker lines
    recorded_sha: str | None
    fingerprint: str | None

    @property
    def edited(self) -> bool:
        """True when the body no longer matches the hash written with it."""
        return self.recorded_sha is not None and body_hash(self.body) != self.recorded_sha


def _line(
    pattern: re.Pattern[str], text: str, pos: int = 0, end: int | None = None
) -> re.Match[str] | None:
    """`pattern.search` for a `^<!-- memory-sync:` line, found with str.find first (a regex
    anchored at line starts tries every position of the text; this tries only the markers)."""
    stop = len(text) if end is None else end
    at = text.find("<!-- memory-sync:", pos, stop)
    while at != -1:
        if at == 0 or text[at - 1] == "\n":
            found = pattern.match(text, at, stop)
            if found is not None:
                return found
        at = text.find("<!-- memory-sync:", at + 1, stop)
    return None


def find_block(text: str) -> Block | None:
    """Our block in `text`, or None when there is none or its markers are broken."""
    start = _line(_START_LINE, text)
    if start is None:
        return None
    end = _line(_END_LINE, text, start.end())
    if end is None:
        return None
    if _line(_START_LINE, text, start.end(), end.start()):
        return None  # nested start markers: not a block we wrote
    return Block(
        start=start.start(),
        end=end.end(),
        body=text[start.end() : end.start()],
        recorded_sha=start.group("sha"),
        fingerprint=start.group("fp"),
    )


def render_block(body: str, fingerprint: str) -> str:
    """The block text (markers included) for a generated body ending in a newline."""
    if not body.endswith("\n"):
        body += "\n"
    return f"{START} v=1 sha={body_hash(body)} fp={fingerprint} -->\n{body}{END}\n"


class Action(StrEnum):
    """What backfill does to one date's file."""

    CREATED = "created"
    UPDATED = "updated"
    PRESERVED = "preserved"
    REPLACED = "replaced"
    SKIPPED = "skipped"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class MergePlan:
    """The outcome of merging a block into a file: the action, the new text, and whether old
    bytes leave the file (then a backup must be written first)."""

    action: Action
    text: str | None
    needs_backup: bool = False
    note: str = ""


def _split_front_matter(text: str) -> tuple[str, str]:
    match = _FRONT_MATTER.match(text)
    if match is None:
        return "", text
    return text[: match.end()], text[match.end() :]


def _old_footer_rest(text: str) -> str | None:
    """For a draft in the spec's older format (no markers), what follows its footer."""
    if "*Auto-generated from" not in text or FOOTER not in text:
        return None
    after = text.split(FOOTER, 1)[1]
    return after.lstrip("\n")


_BLOCK_TITLE = re.compile(r"# (\d{4}-\d{2}-\d{2})\b")
_FINGERPRINT = re.compile(r"\bfp=([0-9a-f]+)")


def one_title(block: str, following: str) -> str:
    """Our block, with its `# DATE (Weekday)` title one level down (`##`) when the text after
    it opens with a title of its own for the same date: the file keeps one visible title, and
    the person's text keeps every byte."""
    marker, _, rest = block.partition("\n")
    title = _BLOCK_TITLE.match(rest)
    fingerprint = _FINGERPRINT.search(marker)
    if title is None or fingerprint is None:
        return block
    if re.match(rf"\s*#[ \t]+{title.group(1)}\b", following) is None:
        return block
    body = rest[: rest.rfind(END)]
    return render_block("#" + body, fingerprint.group(1))


def plan_merge(existing: str | None, block: str, *, force: bool, preserve: bool) -> MergePlan:
    """Decide what to write for one date, given the current file text (None: no file)."""
    if existing is None:
        return MergePlan(Action.CREATED, f"{block}\n{MY_NOTES}\n")
    if not force:
        return MergePlan(Action.SKIPPED, None, note="exists")
    found = find_block(existing)
    if found is not None:
        before, after = existing[: found.start], existing[found.end :]
        if found.edited:
            kept = f"\n{EDITED_NOTE}\n{found.body}"
            return MergePlan(
                Action.UPDATED, before + block + kept + after, note="hand-edited draft kept"
            )
        new_text = before + one_title(block, after) + after
        if new_text == existing:
            return MergePlan(Action.UNCHANGED, None)
        return MergePlan(Action.UPDATED, new_text)
    front, rest = _split_front_matter(existing)
    if preserve:
        footer_rest = _old_footer_rest(rest)
        if footer_rest is not None:
            # The spec's older draft: replace the draft, keep what the person added after it.
            return MergePlan(
                Action.PRESERVED,
                front + block + "\n" + footer_rest,
                needs_backup=True,
                note="older draft replaced",
            )
        separator = "" if rest.startswith("\n") else "\n"
        return MergePlan(Action.PRESERVED, front + one_title(block, rest) + separator + rest)
    dreaming = "".join(m.group(0) for m in _DREAMING.finditer(rest))
    tail = f"\n{dreaming}" if dreaming else f"\n{MY_NOTES}\n"
    return MergePlan(Action.REPLACED, front + block + tail, needs_backup=True)


@dataclass(frozen=True)
class MemoryFile:
    """A memory file for a date: the daily `YYYY-MM-DD.md` or a `YYYY-MM-DD-*.md` variant."""

    date: str
    path: Path
    size: int
    daily: bool


def daily_path(memory_dir: Path, day: str) -> Path:
    """The daily memory file of `day`: `memory/YYYY-MM-DD.md`."""
    return memory_dir / f"{day}.md"


def list_memory_files(memory_dir: Path) -> dict[str, list[MemoryFile]]:
    """Memory files by date (daily file first, then variants by name)."""
    out: dict[str, list[MemoryFile]] = {}
    if not memory_dir.is_dir():
        return out
    for path in sorted(memory_dir.iterdir()):
        match = _DAILY.match(path.name)
        if match is None or not path.is_file():
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        item = MemoryFile(match.group(1), path, size, daily=match.group(2) is None)
        out.setdefault(item.date, []).append(item)
    for files in out.values():
        files.sort(key=lambda f: (not f.daily, f.path.name))
    return out


def read_block_fingerprint(path: Path) -> str | None:
    """The fingerprint recorded in a file's block, or None (no block, or unreadable)."""
    try:
        text = decode(path.read_bytes())
    except OSError:
        return None
    block = find_block(text)
    return block.fingerprint if block else None
