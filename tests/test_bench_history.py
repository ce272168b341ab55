"""Every reporting command on a (small) history from the bench generator: figures agree."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "generate.py"


@pytest.fixture
def bench_history(tmp_path, isolated_env):
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "bench"
    module.generate(out, size_mb=3, days=6, seed=7)
    return out


def _json(cli, *args):
    result = cli(*args)
    assert result.exit_code in (0, 3), result.stderr
    return json.loads(result.stdout)


def test_commands_agree_on_a_generated_history(cli, bench_history):
    state = bench_history
    compare = _json(cli, "compare", "--json", "--openclaw-dir", state)
    days = {d["date"]: d for d in compare["days"]}
    assert len(days) >= 6 and compare["problems"] == []
    stats = _json(cli, "stats", "--json", "--openclaw-dir", state)
    assert stats["messages_per_day"] == {
        date: sum(d["messages"].values()) for date, d in days.items()
    }
    assert stats["coverage"]["days_with_history"] == len(days)
    transitions = _json(cli, "transitions", "--json", "--openclaw-dir", state)["transitions"]
    assert len(transitions) == len(compare["transitions"]) > 0
    date = sorted(days)[2]
    extracted = _json(cli, "extract", "--format", "json", "--date", date, "--openclaw-dir", state)
    roles = [m["role"] for m in extracted["messages"]]
    assert {r: roles.count(r) for r in ("user", "assistant", "tool")} == days[date]["messages"]
    findings = _json(cli, "validate", "--json", "--openclaw-dir", state)["findings"]
    assert {f["kind"] for f in findings} <= {"orphan", "wrong-year", "title-mismatch"}
    backfill = _json(cli, "backfill", "--all", "--json", "--openclaw-dir", state)
    assert {r["action"] for r in backfill["results"]} == {"created"}
    after = _json(cli, "compare", "--json", "--openclaw-dir", state)
    assert {d["status"] for d in after["days"] if not d["partial"]} <= {"ok", "sparse"}
