"""Damage found while reading history: counted per source, reported in one summary line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class SourceDamage:
    """What was skipped or repaired in one source, by reason."""

    source: str
    skipped: int = 0
    repaired: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def reason_text(self) -> str:
        """The reasons as `2 invalid JSON, 1 truncated last line`."""
        return ", ".join(f"{n} {why}" for why, n in sorted(self.reasons.items()))


class Problems:
    """Collects damage per source; nothing here stops a run."""

    def __init__(self) -> None:
        self._by_source: dict[str, SourceDamage] = {}

    def _get(self, source: str) -> SourceDamage:
        found = self._by_source.get(source)
        if found is None:
            found = self._by_source[source] = SourceDamage(source)
        return found

    def skip(self, source: str, reason: str, count: int = 1) -> None:
        """Record `count` unreadable lines/rows of `source` that were skipped."""
        damage = self._get(source)
        damage.skipped += count
        damage.reasons[reason] += count

    def repair(self, source: str, reason: str) -> None:
        """Record a line that was kept after a repair (e.g. invalid UTF-8 replaced)."""
        damage = self._get(source)
        damage.repaired += 1
        damage.reasons[reason] += 1

    def source_failed(self, source: str, reason: str) -> None:
        """Record a whole source that could not be read (the rest of the history still is)."""
        damage = self._get(source)
        damage.reasons[reason] += 1

    def add(self, damage: SourceDamage) -> None:
        """Take one source's damage as it was stored (by the index)."""
        self._by_source[damage.source] = damage

    def copy(self) -> Problems:
        """An independent copy."""
        other = Problems()
        other.merge(self)
        return other

    def merge(self, other: Problems) -> None:
        """Add another collector's damage (from a worker process)."""
        for damage in other.items():
            mine = self._get(damage.source)
            mine.skipped += damage.skipped
            mine.repaired += damage.repaired
            mine.reasons.update(damage.reasons)

    def __bool__(self) -> bool:
        return bool(self._by_source)

    def items(self) -> list[SourceDamage]:
        """Every damaged source, sorted by path."""
        return [self._by_source[k] for k in sorted(self._by_source)]

    def as_json(self) -> list[dict[str, object]]:
        """The `problems` list of the JSON reports."""
        return [
            {
                "source": d.source,
                "skipped": d.skipped,
                "repaired": d.repaired,
                "reason": d.reason_text(),
            }
            for d in self.items()
        ]

    def summary_line(self) -> str:
        """One line naming each damaged source and what was skipped; empty when all was clean."""
        items = self.items()
        if not items:
            return ""
        skipped = sum(d.skipped for d in items)
        parts = [f"{d.source} ({d.reason_text()})" for d in items]
        what = (
            f"skipped {skipped} unreadable line(s)/row(s) in {len(items)} source(s), "
            "everything else was read"
            if skipped
            else f"{len(items)} damaged source(s), the rest of the history was read"
        )
        return f"warning: {what}: {'; '.join(parts)}"
