"""Local days are DST-correct in every zone, including half-hour offsets."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from memory_sync.timeutil import DayClock, coerce_ms, load_zone, parse_iso_ms

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "UTC",
    "America/St_Johns",
]
CLOCKS = {z: DayClock(load_zone(z, "test")) for z in ZONES}


@settings(max_examples=400, deadline=None)
@given(zone=st.sampled_from(ZONES), ms=st.integers(1_600_000_000_000, 1_900_000_000_000))
def test_day_of_matches_zoneinfo(zone, ms):
    expected = datetime.fromtimestamp(ms / 1000, CLOCKS[zone].zone).date().isoformat()
    assert CLOCKS[zone].day_of(ms) == expected


def test_dst_change_night_in_berlin():
    clock = CLOCKS["Europe/Berlin"]
    # 2026-03-29 01:30 UTC is 03:30 CEST; 2026-03-28 22:59 UTC is 23:59 CET
    assert clock.day_of(parse_iso_ms("2026-03-28T22:59:00Z") or 0) == "2026-03-28"
    assert clock.day_of(parse_iso_ms("2026-03-28T23:00:00Z") or 0) == "2026-03-29"
    assert clock.day_of(parse_iso_ms("2026-10-24T21:59:59Z") or 0) == "2026-10-24"
    assert clock.day_of(parse_iso_ms("2026-10-24T22:00:00Z") or 0) == "2026-10-25"


def test_time_coercion():
    assert coerce_ms(1795161550) == 1795161550000  # seconds
    assert coerce_ms(1795161550123) == 1795161550123
    assert coerce_ms("2026-11-20T07:58:58.170Z") == 1795161538170
    assert coerce_ms("58087-01-01T00:00:00Z") is None  # the envelope year bug
    assert coerce_ms(True) is None and coerce_ms("soon") is None
