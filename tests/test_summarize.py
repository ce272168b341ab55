"""--summarize through the real SDKs against a fake API on 127.0.0.1: faithful input, no secret,
retries, cache, splitting, batches, and clear failures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from memory_sync.memoryfile import find_block
from memory_sync.summarize import BatchSummarizer, Request, SummarySettings
from memory_sync.summarize.cache import SummaryCache
from memory_sync.summarize.run import DayPlan, Runner
from tests.builders import Transcript, forget_session
from tests.conftest import NEW
from tests.fake_llm_api import NARRATIVE, FakeAPI
from tests.fakes import FakeBatchSummarizer, FakeSummarizer, StopAfterSubmit

pytest.importorskip("anthropic")

SECRET = "sk-ant-api03-" + "Qx7" * 31 + "AA"
THOUGHT = "PRIVATE-THOUGHT-never-send-this"
TAIL = "TOOL-OUTPUT-TAIL-MARKER"


@pytest.fixture
def api(monkeypatch):
    with FakeAPI() as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-secret")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("MEMORY_SYNC_BATCH_POLL", "0.01")
        yield fake


def _add_sensitive_session(state: Path) -> None:
    t = Transcript(
        datetime(2026, 11, 21, 15, 0, tzinfo=UTC), "5e5e5e5e-0000-4000-8000-000000000001"
    )
    t.add("model_change", provider="fake", modelId="alpha")
    t.user(f"Store my key {SECRET} for the uploader.")
    t.message(
        {
            "role": "assistant",
            "provider": "fake",
            "model": "alpha",
            "content": [
                {"type": "thinking", "thinking": THOUGHT},
                {"type": "text", "text": "We decided to keep the key in the vault."},
            ],
        }
    )
    t.user("Dump the big log.")
    t.tool_call("exec", {"command": "cat big.log"})
    t.entries[-1]["message"]["content"] = [{"type": "text", "text": "x" * 20000 + TAIL}]
    t.write(state / "agents/main/sessions/5e5e5e5e-0000-4000-8000-000000000001.jsonl")


def test_request_bodies_are_redacted_and_lean(cli, corpus, api):
    state = corpus(NEW)
    _add_sensitive_session(state)
    result = cli("backfill", "--summarize", "2026-11-21", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    [body] = api.bodies()
    sent = json.dumps(body)
    assert SECRET not in sent and SECRET[:20] not in sent
    assert THOUGHT not in sent and TAIL not in sent
    assert max(len(line) for line in body["messages"][0]["content"].splitlines()) < 2600
    assert body["model"] == "claude-sonnet-4-20250514"
    prompt = body["messages"][0]["content"]
    assert (
        "PERSON: Saturday check-in" in prompt
        and "(model switched: fake/alpha → fake/beta)" in prompt
    )
    text = (state / "workspace/memory/2026-11-21.md").read_text()
    block = find_block(text)
    assert block is not None and NARRATIVE in block.body
    assert "summarized by claude-sonnet-4-20250514*" in block.body
    assert "## Model Transitions\n- 10:15:49 fake/alpha → fake/beta" in block.body


def test_a_529_is_retried_and_a_second_run_sends_nothing(cli, corpus, api):
    state = corpus(NEW)
    api.state.fail_next = [529]
    args = ("backfill", "--summarize", "--force", "2026-11-22", "--openclaw-dir", state)
    first = cli(*args)
    assert first.exit_code == 0, first.stderr
    assert len(api.bodies()) == 2  # the overloaded answer, then the retry
    assert "1 request(s) sent" in first.stderr
    before = (state / "workspace/memory/2026-11-22.md").read_bytes()
    second = cli(*args)
    assert second.exit_code == 0
    assert len(api.bodies()) == 2 and "0 request(s) sent" in second.stderr
    assert (state / "workspace/memory/2026-11-22.md").read_bytes() == before


def test_a_day_over_the_budget_is_split_then_combined(cli, corpus, api):
    state = corpus(NEW)
    result = cli(
        "backfill",
        "--summarize",
        "--token-budget",
        "2500",
        "2026-11-20",
        "--openclaw-dir",
        state,
        "--force",
        "--preserve",
    )
    assert result.exit_code == 0, result.stderr
    prompts = [b["messages"][0]["content"] for b in api.bodies()]
    parts = [p for p in prompts if "This is part " in p]
    combines = [p for p in prompts if p.startswith("Below are summaries of the")]
    assert len(parts) >= 2 and len(combines) == 1
    assert all(
        f"NARRATIVE-FROM-FAKE-MODEL for 2026-11-20 (part {i}" in combines[0]
        for i in range(1, len(parts) + 1)
    )
    text = (state / "workspace/memory/2026-11-20.md").read_text()
    assert f"{NARRATIVE} for 2026-11-20 (combined)" in text


def test_batch_submits_polls_and_writes(cli, corpus, api):
    state = corpus(NEW)
    result = cli("backfill", "--summarize", "--batch", "--all", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    assert api.bodies() == []  # nothing went through the per-request endpoint
    [batch] = api.bodies("/v1/messages/batches")
    assert len(batch["requests"]) == 2  # 2026-11-21 and 2026-11-22
    assert any("/results" in g for g in api.state.gets)
    for day in ("2026-11-21", "2026-11-22"):
        assert f"{NARRATIVE} for {day}" in (state / f"workspace/memory/{day}.md").read_text()


def test_an_interrupted_batch_is_resumed_not_resubmitted(cli, corpus, api, isolated_env):
    state = corpus(NEW)
    # a first run submits a batch and is interrupted before collecting it
    dry = cli(
        "backfill", "--summarize", "--dry-run", "--json", "2026-11-21", "--openclaw-dir", state
    )
    assert json.loads(dry.stdout)["estimates"][0]["requests"] == 1
    from memory_sync.backfill import BackfillOptions, DaySelection, run_backfill
    from memory_sync.config import Options, resolve
    from memory_sync.summarize.backends import make_summarizer
    from memory_sync.summarize.days import DaySummaries

    [settings] = resolve(Options(openclaw_dir=state))
    pending = settings.app_state_dir / "batches"
    real = make_summarizer(SummarySettings())
    assert isinstance(real, BatchSummarizer)

    def record(batch_id: str, requests: list[Request]) -> None:
        """What the runner records right after submitting, before a kill could stop it."""
        pending.mkdir(parents=True, exist_ok=True)
        (pending / f"{batch_id}.json").write_text(
            json.dumps(
                {"batch_id": batch_id, "model": real.model, "keys": [r.key for r in requests]}
            )
        )

    stopping = StopAfterSubmit(real, record)
    summaries = DaySummaries(
        SummarySettings(batch=True),
        summarizer=stopping,
        app_state=settings.app_state_dir,
        zone=settings.zone,
        redact=str,
    )
    with pytest.raises(StopAfterSubmit.Stopped):
        run_backfill(
            settings,
            DaySelection(("2026-11-21",)),
            options=BackfillOptions(),
            redact=str,
            summaries=summaries,
        )
    assert len(api.bodies("/v1/messages/batches")) == 1
    # the next run picks the pending batch up instead of paying twice
    result = cli("backfill", "--summarize", "--batch", "2026-11-21", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    assert len(api.bodies("/v1/messages/batches")) == 1 and api.bodies() == []
    assert NARRATIVE in (state / "workspace/memory/2026-11-21.md").read_text()


def test_dry_run_estimates_without_sending(cli, corpus, api, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    state = corpus(NEW)
    result = cli(
        "backfill", "--summarize", "--dry-run", "--all", "--force", "--openclaw-dir", state
    )
    assert result.exit_code == 0, result.stderr
    assert "input tokens" in result.stdout and "estimated cost $" in result.stdout
    assert api.state.posts == []
    assert not (state / "workspace/memory/2026-11-21.md").exists()


def test_no_key_fails_at_once_with_one_line(cli, corpus, api, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    state = corpus(NEW)
    result = cli("backfill", "--summarize", "--all", "--openclaw-dir", state)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "ANTHROPIC_API_KEY" in result.stderr
    assert api.state.posts == []


def test_unknown_model_and_unreachable_server_are_one_line(cli, corpus, api, monkeypatch):
    state = corpus(NEW)
    api.state.unknown_models.add("claude-nope")
    result = cli(
        "backfill", "--summarize", "--model", "claude-nope", "2026-11-21", "--openclaw-dir", state
    )
    assert result.exit_code == 1 and "--model" in result.stderr and result.stderr.count("\n") == 1
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    result = cli("backfill", "--summarize", "2026-11-21", "--openclaw-dir", state)
    assert result.exit_code == 1 and "cannot reach" in result.stderr


def test_openai_compatible_backend(cli, corpus, api, monkeypatch):
    pytest.importorskip("openai")
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    state = corpus(NEW)
    result = cli(
        "backfill",
        "--summarize",
        "--backend",
        "openai",
        "--base-url",
        f"{api.url}/v1",
        "--model",
        "llama3.1",
        "2026-11-21",
        "--openclaw-dir",
        state,
    )
    assert result.exit_code == 0, result.stderr
    [body] = api.bodies("/v1/chat/completions")
    assert body["model"] == "llama3.1" and body["messages"][0]["role"] == "system"
    assert "summarized by llama3.1" in (state / "workspace/memory/2026-11-21.md").read_text()


def test_summarize_command_prints_one_day(cli, corpus, api, tmp_path):
    state = corpus(NEW)
    result = cli("summarize", "--date", "2026-11-21", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# 2026-11-21 (Saturday)") and NARRATIVE in result.stdout
    assert not (state / "workspace/memory/2026-11-21.md").exists()
    out = tmp_path / "day.md"
    assert (
        cli("summarize", "--date", "2026-11-21", "--output", out, "--openclaw-dir", state).exit_code
        == 0
    )
    assert NARRATIVE in out.read_text()


def test_runner_parts_in_parallel_then_combine_and_cache(tmp_path):
    fake = FakeSummarizer()
    cache = SummaryCache(tmp_path / "c.sqlite")
    parts = tuple(
        Request(f"k{i}", f"p{i}", "sys", f"Date: 2026-01-01\npart {i}", 100) for i in range(3)
    )
    plan = DayPlan("2026-01-01", parts, "Below are summaries of the 3 parts of 2026-01-01.")
    runner = Runner(fake, cache, parallel=3, pending_dir=tmp_path / "b")
    answer = runner.day(plan)
    assert runner.sent == 4 and len(fake.prompts) == 4 and answer.startswith("## Session Flow")
    again = Runner(fake, cache, parallel=3, pending_dir=tmp_path / "b")
    assert again.day(plan) == answer and again.sent == 0


def _sdk_blocker(tmp_path: Path) -> dict[str, str]:
    blocked = tmp_path / "no-sdk"
    for name in ("anthropic", "openai"):
        (blocked / name).mkdir(parents=True)
        (blocked / name / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(blocked) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_without_the_extra_simple_mode_works_and_summarize_says_what_to_install(
    tmp_path, corpus, api
):
    state = corpus(NEW)
    env = _sdk_blocker(tmp_path)
    base = [sys.executable, "-m", "memory_sync", "backfill", "--openclaw-dir", str(state)]
    ok = subprocess.run([*base, "--all"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert (state / "workspace/memory/2026-11-21.md").exists()
    bad = subprocess.run(
        [*base, "--summarize", "--force", "2026-11-21"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "pip install 'memory-sync[summarize]'" in bad.stderr
    assert bad.stderr.count("\n") == 1


def test_outside_fake_server_through_the_environment(tmp_path, corpus, isolated_env):
    """A separate server process, found only through ANTHROPIC_BASE_URL."""
    state = corpus(NEW)
    log = tmp_path / "requests.jsonl"
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("fake_llm_api.py")), str(log)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = server.stdout.readline().strip()  # type: ignore[union-attr]
        env = dict(
            os.environ,
            ANTHROPIC_BASE_URL=f"http://127.0.0.1:{port}",
            ANTHROPIC_API_KEY="test-key-not-secret",
        )
        path = state / "workspace/memory/2026-11-20.md"
        agent_bytes = path.read_bytes()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "memory_sync",
                "backfill",
                "--summarize",
                "--force",
                "--preserve",
                "2026-11-20",
                "--openclaw-dir",
                str(state),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
    finally:
        server.terminate()
        server.wait()
    text = path.read_bytes()
    assert text.endswith(agent_bytes)  # the agent's bytes, identical
    block = find_block(text.decode())
    assert block is not None and f"{NARRATIVE} for 2026-11-20 (whole day)" in block.body
    sent = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(sent) == 1
    assert "Decided: use SQLite WAL mode" in sent[0]["body"]["messages"][0]["content"]  # context


def test_several_days_are_summarized_one_after_another(cli, corpus, api):
    """Days are planned and sent one at a time (bounded memory), each into its own file."""
    state = corpus(NEW)
    dates = ("2026-11-20", "2026-11-21", "2026-11-22")
    result = cli("backfill", "--summarize", "--force", *dates, "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    assert len(api.bodies()) == 3 and "3 request(s) sent" in result.stderr
    for date in dates:
        block = find_block((state / "workspace/memory" / f"{date}.md").read_text())
        assert block is not None and NARRATIVE in block.body


def _summaries(settings, summarizer, *, batch: bool = False):
    from memory_sync.summarize.days import DaySummaries

    return DaySummaries(
        SummarySettings(batch=batch),
        summarizer=summarizer,
        app_state=settings.app_state_dir,
        zone=settings.zone,
        redact=str,
    )


def test_bodies_from_an_injected_summarizer(corpus, isolated_env):
    """The seam: a fake summarizer's answer becomes the day's block, headed with its model."""
    from memory_sync.backfill import BackfillOptions, DaySelection, build_bodies
    from memory_sync.config import Options, resolve

    [settings] = resolve(Options(openclaw_dir=corpus(NEW)))
    fake = FakeSummarizer(["## Session Flow\n- the fake's own narrative"])
    built = build_bodies(
        settings,
        DaySelection(("2026-11-21",)),
        options=BackfillOptions(force=True),
        redact=str,
        summaries=_summaries(settings, fake),
    )
    [request] = fake.requests
    assert "Date: 2026-11-21" in request.prompt and "PERSON: Saturday check-in" in request.prompt
    body = built.bodies["2026-11-21"]
    assert "- the fake's own narrative" in body and "summarized by fake-1" in body
    assert built.usage is not None and built.usage.requests == 1 and built.failures == {}


def test_a_batch_through_an_injected_batch_summarizer_is_sent_once(corpus, isolated_env):
    """--batch: one batch for all days, answers from its results; a second run sends nothing."""
    from memory_sync.backfill import BackfillOptions, DaySelection, run_backfill
    from memory_sync.config import Options, resolve

    [settings] = resolve(Options(openclaw_dir=corpus(NEW)))
    fake = FakeBatchSummarizer()
    days = DaySelection(("2026-11-21", "2026-11-22"))
    for _run in range(2):
        report = run_backfill(
            settings,
            days,
            options=BackfillOptions(force=True),
            redact=str,
            summaries=_summaries(settings, fake, batch=True),
        )
        assert not report.failed
    [batch] = fake.batches.values()
    assert len(batch) == 2
    for day in ("2026-11-21", "2026-11-22"):
        block = find_block((settings.memory_dir / f"{day}.md").read_text())
        assert block is not None and "answer " in block.body


def test_a_batch_needs_a_batch_backend(corpus, isolated_env):
    from memory_sync.backfill import BackfillOptions, DaySelection, run_backfill
    from memory_sync.config import Options, resolve
    from memory_sync.errors import MemorySyncError

    [settings] = resolve(Options(openclaw_dir=corpus(NEW)))
    with pytest.raises(MemorySyncError, match="--batch needs --backend anthropic"):
        run_backfill(
            settings,
            DaySelection(("2026-11-21",)),
            options=BackfillOptions(force=True),
            redact=str,
            summaries=_summaries(settings, FakeSummarizer(), batch=True),
        )


def _block(state: Path, day: str) -> str:
    block = find_block((state / "workspace/memory" / f"{day}.md").read_text())
    assert block is not None
    return block.body


MODEL = "claude-sonnet-4-20250514"


@pytest.mark.parametrize(
    ("style", "header", "inside"),
    [
        ("sections", f"summarized by {MODEL}*", f"## Session Flow\n{NARRATIVE}"),
        (
            "levels",
            f"summarized by {MODEL}; Technical Details from the simple digest*",
            "## Key Decisions\n- Use SQLite WAL mode for the cache.",
        ),
        (
            "prose",
            f"summarized by {MODEL}; Topics Covered, Key Decisions, Technical Details from the "
            "simple digest*",
            f"## Session Flow\n{NARRATIVE} for 2026-11-21 (whole day): in the morning",
        ),
        (
            "short",
            "simple digest: the model's answer could not be used (too short (5 characters) "
            "and without sections)*",
            "## Session Flow\n### ",
        ),
    ],
)
def test_every_answer_the_model_gives_is_taken_and_the_header_is_true(
    cli, corpus, api, style, header, inside
):
    api.state.style = style
    state = corpus(NEW)
    result = cli("backfill", "--summarize", "--force", "2026-11-21", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    body = _block(state, "2026-11-21")
    assert header in body.splitlines()[2] and inside in body
    for section in ("Session Flow", "Topics Covered", "Key Decisions", "Technical Details"):
        assert f"## {section}\n" in body


@pytest.mark.parametrize(("style", "why"), [("empty", "empty answer"), ("refusal", "refused")])
def test_an_empty_or_refused_answer_fails_the_day_and_is_not_cached(cli, corpus, api, style, why):
    from memory_sync.errors import EXIT_PARTIAL

    api.state.style = style
    state = corpus(NEW)
    args = ("backfill", "--summarize", "--force", "2026-11-21", "--openclaw-dir", state)
    before = (state / "workspace/memory").iterdir()
    names = sorted(p.name for p in before)
    result = cli(*args)
    assert result.exit_code == EXIT_PARTIAL and why in result.stderr
    assert sorted(p.name for p in (state / "workspace/memory").iterdir()) == names
    assert len(api.bodies()) == 1
    api.state.style = "sections"  # the next run asks again, and succeeds
    assert cli(*args).exit_code == 0
    assert len(api.bodies()) == 2 and NARRATIVE in _block(state, "2026-11-21")


def test_an_unchanged_day_costs_one_request_however_often_it_runs(cli, corpus, api):
    """backfill --summarize --force --preserve three times on an agent's file: the first run
    asks, the next two (after our block was written, with different context around it) do not;
    nor does a run without --preserve."""
    state = corpus(NEW)
    args = ("backfill", "--summarize", "--force", "--preserve", "2026-11-20")
    for _ in range(3):
        result = cli(*args, "--openclaw-dir", state)
        assert result.exit_code == 0, result.stderr
    assert len(api.bodies()) == 1
    assert "0 request(s) sent" in result.stderr and "1 answer(s) from the cache" in result.stderr
    assert (
        cli("backfill", "--summarize", "--force", "2026-11-20", "--openclaw-dir", state).exit_code
        == 0
    )
    assert len(api.bodies()) == 1


def test_an_unchanged_batch_is_sent_once(cli, corpus, api):
    state = corpus(NEW)
    args = ("backfill", "--summarize", "--batch", "--force", "--preserve", "--all")
    for _ in range(3):
        assert cli(*args, "--openclaw-dir", state).exit_code == 0
    assert len(api.bodies("/v1/messages/batches")) == 1 and api.bodies() == []


def test_what_the_summaries_cost_is_said(cli, corpus, api):
    state = corpus(NEW)
    result = cli(
        "backfill", "--summarize", "--force", "--json", "2026-11-21", "--openclaw-dir", state
    )
    usage = json.loads(result.stdout)["summary_usage"]
    [body] = api.bodies()
    assert usage["requests"] == 1 and usage["cache_hits"] == 0
    assert usage["input_tokens"] == len(body["messages"][0]["content"]) // 4  # the API's count
    assert usage["output_tokens"] == 120 and usage["estimated_cost_usd"] > 0
    human = cli("backfill", "--summarize", "--force", "2026-11-21", "--openclaw-dir", state)
    assert f"0 request(s) sent to {MODEL}: 0 input and 0 output tokens" in human.stderr
    assert "1 answer(s) from the cache" in human.stderr


def test_a_4_mb_day_answered_in_prose_gets_its_combined_narrative(cli, corpus, api):
    api.state.style = "prose"
    state = corpus(NEW)
    t = Transcript(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), "b19d0000-0000-4000-8000-000000000001")
    t.add("model_change", provider="fake", modelId="alpha")
    words = "cache layer sync service parser module release checklist uploader retry ".split()
    rng = __import__("random").Random(3)
    for n in range(1050):
        text = " ".join(rng.choice(words) for _ in range(330))[:1990]
        t.user(f"Step {n}: {text}", step=10)
        t.assistant(f"Done with step {n}: {text}", step=5)
    path = t.write(state / "agents/main/sessions/b19d0000-0000-4000-8000-000000000001.jsonl")
    assert path.stat().st_size > 4_000_000
    result = cli("backfill", "--summarize", "2026-11-23", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    prompts = [b["messages"][0]["content"] for b in api.bodies()]
    assert sum(p.startswith("Below are summaries of the") for p in prompts) == 1
    assert len(prompts) >= 10  # parts, then the combine step
    body = _block(state, "2026-11-23")
    assert f"{NARRATIVE} for 2026-11-23 (combined)" in body
    assert f"summarized by {MODEL};" in body


def test_a_day_whose_every_session_was_forgotten_costs_no_request(cli, corpus, api):
    state = corpus(NEW)
    forget_session(state, "33c44f15-f66e-4672-9707-d916a704f308")  # 2026-11-21's one session
    memory = state / "workspace/memory"
    (memory / "2026-11-21.md").write_text("memory-sync wrote about it before it was forgotten\n")
    result = cli("backfill", "2026-11-21", "--summarize", "--force", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    assert api.bodies() == [] and "0 request(s) sent" in result.stderr
    text = (memory / "2026-11-21.md").read_text()
    assert "summarized by" not in text and "Saturday check-in" not in text
