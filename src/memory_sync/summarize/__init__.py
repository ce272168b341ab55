"""LLM summaries of a day: the `Summarizer` seam, its backends, prompts, cache and runner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

DEFAULT_MODELS = {"anthropic": "claude-sonnet-4-20250514", "openai": "gpt-4o-mini"}


@dataclass(frozen=True)
class Request:
    """One completion request: its cache key, a label for messages, and the texts sent."""

    key: str
    label: str
    system: str
    prompt: str
    max_tokens: int


class Summarizer(Protocol):
    """A backend that turns a prompt into text. Raise SummaryError for a failed request."""

    backend: str
    model: str

    def complete(self, request: Request) -> str:
        """The model's text for `request`."""
        ...


@runtime_checkable
class BatchSummarizer(Summarizer, Protocol):
    """A backend that can also send many requests at once at a lower price."""

    def submit_batch(self, requests: list[Request]) -> str:
        """Submit requests; return the batch id."""
        ...

    def batch_done(self, batch_id: str) -> tuple[bool, int, int]:
        """Whether the batch ended, and how many requests are done out of how many."""
        ...

    def batch_results(self, batch_id: str) -> dict[str, str | None]:
        """Text per request key (None for a request that failed)."""
        ...


class SummaryError(Exception):
    """One request failed (after the backend's retries); other days go on."""


@dataclass(frozen=True)
class SummarySettings:
    """How to summarize: backend, model, where, and how big a request may be."""

    backend: str = "anthropic"
    model: str | None = None
    base_url: str | None = None
    token_budget: int = 60_000  # estimated input tokens per request before a day is split
    parallel: int = 4  # requests in flight at once for the parts of a day
    batch: bool = False
    timeout: float = 120.0
    max_retries: int = 4
