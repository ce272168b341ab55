"""Seam-level fakes, like simonw/llm's MockModel: injected where a backend goes, never patched in."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable

from memory_sync.summarize import Answer, BatchSummarizer, Request


class FakeSummarizer:
    """A `Summarizer` that records every request and answers from `answers` in order (or,
    when they run out or none are given, "## Session Flow" and a running number)."""

    backend = "fake"
    model = "fake-1"

    def __init__(self, answers: list[str] | None = None) -> None:
        self.requests: list[Request] = []
        self._answers = list(answers or [])
        self._lock = threading.Lock()  # parts of a day are sent from several threads

    @property
    def prompts(self) -> list[str]:
        """The prompts sent, in order."""
        return [r.prompt for r in self.requests]

    def complete(self, request: Request) -> Answer:
        """The next answer (usage: a token per four characters of the prompt, and 50)."""
        with self._lock:
            self.requests.append(request)
            text = (
                self._answers.pop(0)
                if self._answers
                else f"## Session Flow\nanswer {len(self.requests)}"
            )
            return Answer(text, len(request.prompt) // 4, 50)


class FakeBatchSummarizer(FakeSummarizer):
    """A `BatchSummarizer` whose batches end at once, answering each request as `complete`
    would; `failing` keys get no answer."""

    def __init__(self, answers: list[str] | None = None, failing: set[str] = frozenset()) -> None:
        super().__init__(answers)
        self.batches: dict[str, list[Request]] = {}
        self.failing = set(failing)
        self._ids = itertools.count(1)

    def submit_batch(self, requests: list[Request]) -> str:
        """Keep the batch; its id."""
        batch_id = f"batch-{next(self._ids)}"
        self.batches[batch_id] = list(requests)
        return batch_id

    def batch_done(self, batch_id: str) -> tuple[bool, int, int]:
        """Every batch has ended."""
        total = len(self.batches[batch_id])
        return True, total, total

    def batch_results(self, batch_id: str) -> dict[str, Answer | None]:
        """An answer per request key (None for a failing one)."""
        return {
            r.key: None if r.key in self.failing else self.complete(r)
            for r in self.batches[batch_id]
        }


class StopAfterSubmit:
    """A `BatchSummarizer` around a real one that stops the run (raises `Stopped`) right after
    a batch was submitted and recorded, as a killed run would leave it."""

    class Stopped(Exception):
        """The run was stopped after submitting."""

    def __init__(self, real: BatchSummarizer, on_submit: Callable[[str, list[Request]], None]):
        self.real = real
        self.backend = real.backend
        self.model = real.model
        self.on_submit = on_submit

    def complete(self, request: Request) -> Answer:
        """Passed to the real backend."""
        return self.real.complete(request)

    def submit_batch(self, requests: list[Request]) -> str:
        """Submit through the real backend, record it, then stop."""
        batch_id = self.real.submit_batch(requests)
        self.on_submit(batch_id, requests)
        raise self.Stopped

    def batch_done(self, batch_id: str) -> tuple[bool, int, int]:
        """Passed to the real backend."""
        return self.real.batch_done(batch_id)

    def batch_results(self, batch_id: str) -> dict[str, Answer | None]:
        """Passed to the real backend."""
        return self.real.batch_results(batch_id)
