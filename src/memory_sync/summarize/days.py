"""Turn chosen days into summary bodies: day text in, one block body (or a failure) out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from memory_sync.config import state_subdir
from memory_sync.digest.builder import Digest
from memory_sync.digest.render import render_digest, render_summary
from memory_sync.memoryfile import daily_path, decode, find_block
from memory_sync.redact import Redact
from memory_sync.summarize import (
    DEFAULT_MODELS,
    Summarizer,
    SummaryError,
    SummarySettings,
    Usage,
)
from memory_sync.summarize.cache import SummaryCache
from memory_sync.summarize.daytext import DayText
from memory_sync.summarize.prompt import day_requests, estimate_cost, read_answer
from memory_sync.summarize.run import DayPlan, Estimate, Runner, estimate, fail_message


def existing_context(path: Path, redact: Redact) -> str:
    """A memory file's own content (outside our block), redacted, as context for the model."""
    try:
        text = decode(path.read_bytes())
    except OSError:
        return ""
    block = find_block(text)
    if block is not None:
        text = text[: block.start] + text[block.end :]
    return redact(text.strip())[:8000]


@dataclass
class Summarized:
    """Bodies per day, failures per day, estimates (dry run) and what the requests cost."""

    bodies: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    estimates: list[Estimate] = field(default_factory=list)
    model: str = ""
    usage: Usage = field(default_factory=Usage)


class DaySummaries:
    """The summaries of a run's days. `summarizer` is the backend (set up first, so a missing
    key stops the run at once); None for a dry run, which only estimates."""

    def __init__(
        self,
        summary: SummarySettings,
        *,
        summarizer: Summarizer | None,
        app_state: Path,
        zone: ZoneInfo,
        redact: Redact,
        on_poll: Callable[[int, int], None] | None = None,
        poll_seconds: float = 20.0,
    ) -> None:
        self.summary = summary
        self.zone = zone
        self.redact = redact
        self.summarizer = summarizer
        self.dry_run = summarizer is None
        self.model = (
            summarizer.model
            if summarizer is not None
            else summary.model or DEFAULT_MODELS.get(summary.backend, "")
        )
        self.pending = state_subdir(app_state, "batches")
        self.cache = SummaryCache(app_state / "summaries.sqlite")
        self.on_poll = on_poll
        self.poll_seconds = poll_seconds

    def day_text(self, date: str) -> DayText:
        """A collector of one day's conversation lines."""
        return DayText(date, self.zone, self.redact)

    def summarize(
        self, days: Iterable[tuple[Digest, DayText]], *, memory_dir: Path, preserve: bool
    ) -> Summarized:
        """Summaries of the given days (estimates only in a dry run)."""
        out = Summarized(model=self.model)

        def make_plan(digest: Digest, text: DayText) -> DayPlan:
            for t in digest.transitions:
                text.note(t.ms, f"(model switched: {t.old} → {t.new})")
            scaffold = render_digest(digest, self.zone, self.redact)
            context = (
                existing_context(daily_path(memory_dir, digest.date), self.redact)
                if preserve
                else ""
            )
            parts, template = day_requests(
                self.summary.backend,
                self.model,
                digest.date,
                text.lines(),
                scaffold,
                context,
                self.summary.token_budget,
            )
            return DayPlan(digest.date, tuple(parts), template)

        if self.dry_run:  # one day's requests at a time: memory stays bounded
            out.estimates = [
                estimate(make_plan(d, t), self.cache, self.model, self.summary.batch)
                for d, t in days
            ]
            return out
        # a batch is sent whole, so its requests are all made first; otherwise one day at a time
        plans: Iterable[tuple[Digest, DayPlan]] = (
            [(d, make_plan(d, t)) for d, t in days]
            if self.summary.batch
            else ((d, make_plan(d, t)) for d, t in days)
        )
        assert self.summarizer is not None  # a dry run has returned above
        runner = Runner(
            self.summarizer,
            self.cache,
            self.summary.parallel,
            self.pending,
            self.poll_seconds,
            self.on_poll,
        )
        try:
            if self.summary.batch:
                assert isinstance(plans, list)
                runner.batch([p for _, p in plans])
            for digest, plan in plans:
                try:
                    answer = runner.day(plan)
                except SummaryError as exc:
                    out.failures[digest.date] = fail_message(exc)
                    continue
                sections, why = read_answer(self.redact(answer))
                out.bodies[digest.date] = render_summary(
                    digest, self.zone, sections, self.model, self.redact, unused=why
                )
        finally:
            cost = estimate_cost(
                self.model, runner.input_tokens, runner.output_tokens, self.summary.batch
            )
            out.usage = Usage(
                runner.sent, runner.cache_hits, runner.input_tokens, runner.output_tokens, cost
            )
            self.cache.close()
        return out
