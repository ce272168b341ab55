"""LLM summaries of a day: the `Summarizer` seam, its backends, prompts, cache and runner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

DEFAULT_MODELS = {"anthropic": "claude-sonnet-4-20250514", "openai": "gpt-4o-mini"}


@dataclass(frozen=True)
class Request:
    """One completion request: its cache key, a label for messages, and the texts sent."""

    key: str
    label: str
    system: str
    prompt: str
    max_tokens: int


class Answer(NamedTuple):
    """A model's answer: its text and the tokens the API counted (0 when it did not say)."""

    text: str
    input_tokens: int = 0
    output_tokens: int = 0


class Summarizer(Protocol):
    """A backend that turns a prompt into text. Raise SummaryError for a failed request."""

    backend: str
    model: str

    def complete(self, request: Request) -> Answer:
        """The model's answer to `request`."""
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

    def batch_results(self, batch_id: str) -> dict[str, Answer | None]:
        """The answer per request key (None for a request that failed)."""
        ...


@dataclass(frozen=True)
class Usage:
    """What a run's summaries cost: requests sent, answers from the cache, the tokens the
    API's usage counted, and the estimated price (None for a model without a known price)."""

    requests: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None

    def line(self, model: str) -> str:
        """`3 request(s) sent to MODEL: 12,345 input and 1,234 output tokens, about $0.06;
        2 answer(s) from the cache`."""
        price = f", about ${self.cost_usd:.4f}" if self.cost_usd is not None else ""
        return (
            f"{self.requests} request(s) sent to {model}: {self.input_tokens:,} input and "
            f"{self.output_tokens:,} output tokens{price}; {self.cache_hits} answer(s) from "
            "the cache"
        )


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
