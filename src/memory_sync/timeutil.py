"""Timestamps and local days: parse OpenClaw times and map them to calendar dates in one zone."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from memory_sync.errors import MemorySyncError

# Times outside this window are treated as broken (one channel bug wrote the year 58087).
_MIN_MS = 946_684_800_000  # 2000-01-01
_MAX_MS = 4_102_444_800_000  # 2100-01-01


def load_zone(name: str, origin: str) -> ZoneInfo:
    """Return the IANA zone `name`, or a one-line error naming where the bad name came from."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise MemorySyncError(
            f"unknown timezone {name!r} (from {origin}): use an IANA name such as "
            "Europe/Berlin with --tz"
        ) from exc


def system_zone_name(env: Mapping[str, str]) -> str:
    """Best guess of the machine's IANA zone name: $TZ, /etc/timezone, /etc/localtime, else UTC."""
    tz = env.get("TZ", "").lstrip(":")
    if tz and "/" in tz and not tz.startswith("/"):
        return tz
    etc_tz = Path("/etc/timezone")
    if etc_tz.is_file():
        name = etc_tz.read_text(encoding="utf-8", errors="replace").strip()
        if name:
            return name
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    return "UTC"


def local_time(ms: int, zone: ZoneInfo, *, seconds: bool = False) -> str:
    """The wall-clock time of epoch `ms` in `zone`: `14:05`, or `14:05:09` with `seconds`."""
    return datetime.fromtimestamp(ms / 1000, zone).strftime("%H:%M:%S" if seconds else "%H:%M")


def parse_iso_ms(value: str) -> int | None:
    """Epoch milliseconds of an ISO-8601 string, or None when it is not a plausible time."""
    try:
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        parsed = datetime.fromisoformat(text)
    except (ValueError, AttributeError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    ms = int(parsed.timestamp() * 1000)
    return ms if _MIN_MS <= ms < _MAX_MS else None


def coerce_ms(value: object) -> int | None:
    """Epoch ms from a number (ms, or seconds below 1e11) or an ISO string; None if implausible."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        ms = int(value * 1000) if value < 1e11 else int(value)
        return ms if _MIN_MS <= ms < _MAX_MS else None
    if isinstance(value, str):
        return parse_iso_ms(value)
    return None


HOURS_CACHED = 16_384  # about two years of hours (a few MB); a longer history starts over


class DayClock:
    """Maps UTC epoch ms to local calendar dates in one zone, DST-correct, with an hourly cache."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._hours: dict[int, tuple[str, int, str] | None] = {}
        self._dates: dict[str, str] = {}  # one string per date, shared by its hours

    def day_of(self, ms: int) -> str:
        """The local date (YYYY-MM-DD) of the instant `ms`."""
        hour = ms // 3_600_000
        if hour in self._hours:
            cached = self._hours[hour]
        else:
            if len(self._hours) >= HOURS_CACHED:  # years of history in one read: start over
                self._hours.clear()
                self._dates.clear()
            cached = self._hours[hour] = self._hour_entry(hour)
        if cached is None:  # the offset changes inside this hour: compute exactly
            return datetime.fromtimestamp(ms / 1000, self.zone).date().isoformat()
        day, split_ms, next_day = cached
        return day if ms < split_ms else next_day

    def _hour_entry(self, hour: int) -> tuple[str, int, str] | None:
        start = datetime.fromtimestamp(hour * 3600, self.zone)
        end = datetime.fromtimestamp(hour * 3600 + 3599, self.zone)
        if start.utcoffset() != end.utcoffset():
            return None
        first = self._date(start.date().isoformat())
        if start.date() == end.date():
            return (first, 1 << 62, first)
        midnight = datetime.combine(end.date(), datetime.min.time(), self.zone)
        return (first, int(midnight.timestamp() * 1000), self._date(end.date().isoformat()))

    def _date(self, text: str) -> str:
        return self._dates.setdefault(text, text)

    def today(self) -> str:
        """Today's local date."""
        return datetime.now(self.zone).date().isoformat()


def parse_date(text: str) -> date:
    """A YYYY-MM-DD date, or a one-line error saying what was wrong."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise MemorySyncError(
            f"not a date: {text!r}; write dates as YYYY-MM-DD, e.g. 2026-01-15"
        ) from exc


def check_dates(*texts: str | None) -> None:
    """Refuse, with a one-line message, any given text that is not a YYYY-MM-DD date."""
    for text in texts:
        if text:
            parse_date(text)


def check_range(since: str | None, until: str | None) -> None:
    """Refuse, with a one-line message, a --since/--until that are not dates or hold no day."""
    check_dates(since, until)
    if since and until and since >= until:
        raise MemorySyncError(
            f"--since {since} is not before --until {until} (--until is exclusive)"
        )
