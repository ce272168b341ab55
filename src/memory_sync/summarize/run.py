"""Run summaries: cache first, parts in parallel, a combine step, or Message Batches."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson

from memory_sync.errors import MemorySyncError
from memory_sync.private import private_dir, write_private
from memory_sync.summarize import Answer, BatchSummarizer, Request, Summarizer, SummaryError
from memory_sync.summarize.cache import SummaryCache
from memory_sync.summarize.prompt import (
    combine_request,
    estimate_cost,
    estimate_tokens,
    unusable,
)

OUTPUT_TOKENS_GUESS = 900  # typical answer size, for cost estimates


@dataclass(frozen=True)
class DayPlan:
    """The requests a day needs: its parts, and a combine template when there are several."""

    date: str
    parts: tuple[Request, ...]
    combine_template: str | None


@dataclass(frozen=True)
class Estimate:
    """What a day would cost, for `--dry-run --summarize`."""

    date: str
    requests: int
    input_tokens: int
    cached: bool
    cost_usd: float | None


class Runner:
    """Gets each day's answer from the cache or the backend, counting what is sent."""

    def __init__(
        self,
        summarizer: Summarizer,
        cache: SummaryCache,
        parallel: int,
        pending_dir: Path,
        poll_seconds: float = 20.0,
        on_poll: Callable[[int, int], None] | None = None,
    ) -> None:
        self.summarizer = summarizer
        self.cache = cache
        self.parallel = max(1, parallel)
        self.pending_dir = pending_dir
        self.poll_seconds = poll_seconds
        self.on_poll = on_poll
        self.sent = 0  # requests sent (a batch's requests count one each)
        self.cache_hits = 0
        self.input_tokens = 0  # as the API's usage counted them
        self.output_tokens = 0
        self._count = threading.Lock()  # parts of a day are fetched from several threads

    def _answer(self, request: Request) -> str:
        cached = self.cache.get(request.key)
        if cached is not None:
            with self._count:
                self.cache_hits += 1
            return cached
        answer = self.summarizer.complete(request)
        self._used(answer)
        why = unusable(answer.text)
        if why is not None:  # a failure of the day, not cached: a later run asks again
            raise SummaryError(f"{request.label}: {why}")
        self.cache.put(request.key, self.summarizer.model, answer.text)
        return answer.text

    def _used(self, answer: Answer, requests: int = 1) -> None:
        with self._count:
            self.sent += requests
            self.input_tokens += answer.input_tokens
            self.output_tokens += answer.output_tokens

    def day(self, plan: DayPlan) -> str:
        """The day's final answer; SummaryError when a request failed after retries."""
        if len(plan.parts) == 1:
            return self._answer(plan.parts[0])
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            answers = list(pool.map(self._answer, plan.parts))
        assert plan.combine_template is not None
        return self._answer(
            combine_request(
                self.summarizer.backend,
                self.summarizer.model,
                plan.date,
                plan.combine_template,
                answers,
            )
        )

    # ------------------------------------------------------------------ batches
    def batch(self, plans: list[DayPlan]) -> None:
        """Fill the cache through Message Batches: resume pending batches, then submit what is
        missing (parts first, then combine steps), poll until done. Days whose requests failed
        are left uncached; `day()` then reports them (and may retry them directly)."""
        batcher = self.summarizer
        if not isinstance(batcher, BatchSummarizer):
            raise MemorySyncError("--batch needs --backend anthropic (Message Batches)")
        self._resume_pending(batcher)
        for _round in range(2):
            missing: list[Request] = []
            for plan in plans:
                answers = [self.cache.get(p.key) for p in plan.parts]
                if any(a is None for a in answers):
                    missing += [p for p, a in zip(plan.parts, answers, strict=True) if a is None]
                elif plan.combine_template is not None:
                    combine = combine_request(
                        self.summarizer.backend,
                        self.summarizer.model,
                        plan.date,
                        plan.combine_template,
                        [a for a in answers if a is not None],
                    )
                    if self.cache.get(combine.key) is None:
                        missing.append(combine)
            if not missing:
                return
            unique = list({r.key: r for r in missing}.values())
            batch_id = batcher.submit_batch(unique)
            self._used(Answer(""), len(unique))
            record = self.pending_dir / f"{batch_id}.json"
            private_dir(self.pending_dir)
            write_private(
                record,
                orjson.dumps(
                    {
                        "batch_id": batch_id,
                        "model": self.summarizer.model,
                        "keys": [r.key for r in unique],
                    }
                ),
            )
            self._collect(batcher, batch_id, record)

    def _resume_pending(self, batcher: BatchSummarizer) -> None:
        if not self.pending_dir.is_dir():
            return
        for record in sorted(self.pending_dir.glob("*.json")):
            data = orjson.loads(record.read_bytes())
            if data.get("model") != self.summarizer.model:
                continue
            self._collect(batcher, str(data["batch_id"]), record)

    def _collect(self, batcher: BatchSummarizer, batch_id: str, record: Path) -> None:
        while True:
            ended, done, total = batcher.batch_done(batch_id)
            if self.on_poll:
                self.on_poll(done, total)
            if ended:
                break
            time.sleep(self.poll_seconds)
        for key, answer in batcher.batch_results(batch_id).items():
            if answer is None:
                continue
            self._used(answer, 0)
            if unusable(answer.text) is None:
                self.cache.put(key, self.summarizer.model, answer.text)
        record.unlink(missing_ok=True)


def estimate(plan: DayPlan, cache: SummaryCache, model: str, batch: bool) -> Estimate:
    """Tokens and cost of a day's requests, without sending anything."""
    cached = all(cache.get(p.key) is not None for p in plan.parts)
    requests = len(plan.parts) + (1 if plan.combine_template else 0)
    tokens = sum(estimate_tokens(p.system + p.prompt) for p in plan.parts)
    if plan.combine_template:
        tokens += OUTPUT_TOKENS_GUESS * len(plan.parts) + 600
    cost = None if cached else estimate_cost(model, tokens, OUTPUT_TOKENS_GUESS * requests, batch)
    return Estimate(plan.date, requests, tokens, cached, 0.0 if cached else cost)


def fail_message(exc: Exception) -> str:
    """The one-line reason a day failed."""
    if isinstance(exc, MemorySyncError | SummaryError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
