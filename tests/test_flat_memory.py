"""Memory that stays flat: what a large history's read sets aside on disk comes back exactly.

The budgets are tiny here (MEMORY_SYNC_KEYS_IN_MEMORY, MEMORY_SYNC_DAYS_IN_MEMORY), so the
corpora take the paths a history of many gigabytes takes; every result must be the one the
all-in-memory read gives.
"""

from __future__ import annotations

import json
import random
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from memory_sync.backfill.shelf import DayShelf
from memory_sync.history.keyset import KeySet
from memory_sync.history.ledger import Ledger
from tests.conftest import OLD
from tests.test_compare_corpus import _both_eras_with_import_copies
from tests.test_resume import LIVE, _new_entry, _user_line

TINY = {"MEMORY_SYNC_KEYS_IN_MEMORY": "3", "MEMORY_SYNC_DAYS_IN_MEMORY": "1"}


def test_a_key_set_is_exact_across_many_spills(tmp_path):
    rng = random.Random(5)
    keys = [rng.getrandbits(64) for _ in range(20_000)]
    # keys that share their CRC half, so the Bloom filter cannot tell them apart
    keys += [(keys[0] & ~0xFFFFFFFF) | n for n in range(1, 300)]
    rng.shuffle(keys)
    found = KeySet(budget=64, folder=tmp_path / "spill")
    for key in keys:
        assert key not in found
        found.add(key)
    assert len(found) == len(set(keys)) and found.spilled > 19_000
    assert all(key in found for key in keys)
    others = {rng.getrandbits(64) for _ in range(20_000)} - set(keys)
    others |= {(keys[0] & ~0xFFFFFFFF) | n for n in range(300, 600)}
    assert not any(key in found for key in others)
    assert stat.S_IMODE((tmp_path / "spill").stat().st_mode) == 0o700
    assert list((tmp_path / "spill").iterdir()) == []  # the file is unlinked from the start
    found.close()


def test_records_set_aside_come_back_whole_in_order():
    rng = random.Random(7)
    events = [(f"s{rng.randrange(30)}", f"2026-11-{rng.randrange(1, 29):02d}") for _ in range(3000)]
    keyed = [(stream, day, rng.getrandbits(64), rng.getrandbits(64)) for stream, day in events]
    keyed += keyed[:200]  # copies: dropped by both
    small, large = Ledger(keys=5, records=5), Ledger(keys=10**9, records=10**9)
    for ledger in (small, large):
        kept = [ledger.first(("f", s), day, k, c) for s, day, k, c in keyed]
        ledger.trim()
    assert kept.count(False) == 200
    joined: dict[Any, tuple[list[int], set[str]]] = {}
    for stream, record in small.records():
        keys, days = joined.setdefault(stream, ([], set()))
        keys.extend(record.keys)
        days |= record.days
    assert joined == {s: (list(r.keys), r.days) for s, r in large.records()}
    small.close()


def test_a_shelf_replays_each_days_items_in_reading_order(tmp_path):
    rng = random.Random(3)
    items = [(f"2026-0{rng.randrange(1, 8)}-01", n) for n in range(500)]
    shelf: DayShelf[list[int]] = DayShelf(
        lambda day: [], list.append, resident=2, group=2, folder=tmp_path
    )
    for day, item in items:
        shelf.add(day, item)
    everything = {day: [n for d, n in items if d == day] for day, _ in items}
    got = dict(shelf.finished([*sorted(everything), "2026-09-09"]))
    assert got == everything | {"2026-09-09": []}


def _state(corpus: Any) -> Path:
    state = _both_eras_with_import_copies(corpus)
    (state / "agents/main/sessions/broken.jsonl").write_text('{"type":"session","id":"b"}\n{x\n')
    return state


def _run_all(cli: Any, state: Path, memory: Path) -> dict[str, Any]:
    """Every output and file of a cold compare, backfill --all and a summarize dry run."""
    out = {}
    for name, args in {
        "compare": ("compare", "--json", "--no-cache"),
        "backfill": ("backfill", "--all", "--json", "--no-cache"),
        "dry": ("backfill", "--all", "--summarize", "--dry-run", "--force", "--no-cache"),
        "stats": ("stats", "--json", "--no-cache"),
    }.items():
        result = cli(*args, "--openclaw-dir", state, "--memory-dir", memory)
        assert result.exit_code == 0, result.stderr
        out[name] = result.stdout.replace(str(memory), "MEMORY")
    out["files"] = {p.name: p.read_bytes() for p in sorted(memory.iterdir())}
    return out


@pytest.mark.parametrize("workers", ["1", "2"])
def test_tiny_budgets_give_exactly_the_in_memory_results(
    cli, corpus, monkeypatch, tmp_path, workers
):
    state = _state(corpus)
    monkeypatch.setenv("MEMORY_SYNC_WORKERS", workers)
    results = []
    for budgets in ({}, TINY):
        for name, value in budgets.items():
            monkeypatch.setenv(name, value)
        memory = tmp_path / f"memory-{len(results)}"
        shutil.copytree(state / "workspace/memory", memory)
        results.append(_run_all(cli, state, memory))
    assert results[0] == results[1]
    assert any(b"memory-sync:start" in text for text in results[1]["files"].values())
    assert "2026-11-2" in results[1]["dry"]


def test_an_index_saved_in_parts_resumes_as_a_full_read(cli, corpus, monkeypatch):
    state = _state(corpus)
    for name, value in TINY.items():
        monkeypatch.setenv(name, value)
    for path in (state.parent / OLD / "agents/main/sessions").glob("*.jsonl"):
        shutil.copy(path, state / "agents/main/sessions" / path.name)
    args = ("compare", "--json", "--openclaw-dir", state)
    assert cli(*args).exit_code == 0
    live = state / "agents/main/sessions" / LIVE
    with live.open("a") as handle:
        for n in range(3):
            handle.write(json.dumps(_new_entry(_user_line(live), 30 + n)) + "\n")
    resumed = cli(*args, "-v")
    assert "index brought up to date" in resumed.stderr
    assert json.loads(resumed.stdout) == json.loads(cli(*args, "--no-cache").stdout)


def test_a_larger_history_keeps_fewer_keys_in_memory():
    from memory_sync.history.keyset import KEYS_IN_MEMORY, LEAST_IN_MEMORY, keys_budget

    assert keys_budget(1_280_000_000) == KEYS_IN_MEMORY  # the 1 GB bench history never spills
    assert (
        LEAST_IN_MEMORY <= keys_budget(4_200_000_000) < keys_budget(2_200_000_000) < KEYS_IN_MEMORY
    )
    assert keys_budget(10**12) == LEAST_IN_MEMORY


def test_transitions_worked_out_again_only_where_a_model_changed():
    from memory_sync.days import DayBook
    from memory_sync.events import Event, Kind

    rng = random.Random(11)
    events = [
        Event(
            1_795_000_000_000 + n * 60_000,
            "2026-11-20",
            Kind.ASSISTANT,
            f"s{rng.randrange(6)}",
            rng.choice(["agent:main:main", "agent:main:telegram", None]),
            n,
            model=rng.choice(["a/x", "b/y", "c/z"]),
        )
        for n in range(400)
    ]
    rng.shuffle(events)
    whole, step = DayBook(), DayBook()
    for event in events:
        whole.add(event)
    for n, event in enumerate(events):
        step.add(event)
        if n % 37 == 0:
            step.transitions()  # worked out, then only the changed groups again
    assert step.transitions() == whole.transitions() and len(whole.transitions()) > 50


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_while_setting_aside_is_one_line_saying_what_to_do(tmp_path):
    from memory_sync.errors import MemorySyncError
    from memory_sync.private import _Aside

    aside = _Aside(open("/dev/full", "wb", buffering=0), tmp_path)  # noqa: SIM115
    with pytest.raises(MemorySyncError, match=r"could not set aside .* free space there"):
        aside.write(b"x" * 10)
    aside.close()
