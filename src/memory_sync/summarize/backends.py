"""The Anthropic backend (with Message Batches) and an OpenAI-compatible one (OpenAI, Ollama,
LM Studio, vLLM, OpenRouter). The SDKs come with the `[summarize]` extra and are imported only
here, only when a summary is asked for."""

from __future__ import annotations

from typing import Any

from memory_sync.config import api_key_variable, openai_base_url
from memory_sync.errors import MemorySyncError
from memory_sync.summarize import (
    DEFAULT_MODELS,
    Answer,
    Request,
    Summarizer,
    SummaryError,
    SummarySettings,
)

INSTALL_HINT = "install the summary backends with: pip install 'memory-sync[summarize]'"


def make_summarizer(settings: SummarySettings) -> Summarizer:
    """The backend for `settings`; a missing SDK or key is a one-line error, raised at once."""
    model = settings.model or DEFAULT_MODELS.get(settings.backend)
    if settings.backend == "anthropic":
        return AnthropicSummarizer(model or DEFAULT_MODELS["anthropic"], settings)
    if settings.backend == "openai":
        return OpenAISummarizer(model or DEFAULT_MODELS["openai"], settings)
    raise MemorySyncError(
        f"unknown backend {settings.backend!r}: use --backend anthropic or openai"
    )


def _fatal(exc: Exception, backend: str, model: str, where: str, key_var: str) -> Exception:
    """Errors every request would hit alike become one MemorySyncError that stops the run."""
    name = type(exc).__name__
    if name == "APIConnectionError":
        base_var = key_var.replace("API_KEY", "BASE_URL")
        return MemorySyncError(
            f"cannot reach the {backend} API at {where}: check --base-url (or {base_var}) "
            "and that the server is running"
        )
    if name in ("AuthenticationError", "PermissionDeniedError"):
        return MemorySyncError(f"the {backend} API rejected the key: check {key_var}")
    if name == "NotFoundError":
        return MemorySyncError(
            f"model {model!r} is not known at {where}: set --model (or MEMORY_SYNC_MODEL)"
        )
    return SummaryError(f"{name}: {exc}")


def _answer_of(message: Any) -> Answer:
    """A Messages API answer's text and the tokens its usage counts."""
    usage = getattr(message, "usage", None)
    return Answer(
        _text_of(message.content),
        int(getattr(usage, "input_tokens", 0) or 0),
        int(getattr(usage, "output_tokens", 0) or 0),
    )


def _text_of(blocks: Any) -> str:
    """The text blocks of an answer, joined."""
    return "".join(str(getattr(b, "text", "")) for b in blocks if getattr(b, "type", "") == "text")


class AnthropicSummarizer:
    """Claude through the official `anthropic` SDK (retries 429/5xx/529 with backoff)."""

    backend = "anthropic"

    def __init__(self, model: str, settings: SummarySettings) -> None:
        if api_key_variable("anthropic") is None:
            raise MemorySyncError(
                "--summarize needs an API key: set ANTHROPIC_API_KEY (or use --backend openai "
                "with --base-url for a local model)"
            )
        try:
            import anthropic
        except ImportError:
            raise MemorySyncError(f"--summarize needs the anthropic SDK: {INSTALL_HINT}") from None
        self.model = model
        self._anthropic = anthropic
        self.client = anthropic.Anthropic(
            base_url=settings.base_url, timeout=settings.timeout, max_retries=settings.max_retries
        )
        self.where = str(self.client.base_url)

    def _error(self, exc: Exception) -> Exception:
        return _fatal(exc, "Anthropic", self.model, self.where, "ANTHROPIC_API_KEY")

    def complete(self, request: Request) -> Answer:
        """One Messages API call."""
        try:
            message = self.client.messages.create(
                model=self.model,
                max_tokens=request.max_tokens,
                system=request.system,
                messages=[{"role": "user", "content": request.prompt}],
            )
        except self._anthropic.APIError as exc:
            raise self._error(exc) from exc
        return _answer_of(message)

    def submit_batch(self, requests: list[Request]) -> str:
        """Send requests through the Message Batches API (half price)."""
        try:
            batch = self.client.messages.batches.create(
                requests=[
                    {
                        "custom_id": r.key[:64],
                        "params": {
                            "model": self.model,
                            "max_tokens": r.max_tokens,
                            "system": r.system,
                            "messages": [{"role": "user", "content": r.prompt}],
                        },
                    }
                    for r in requests
                ]
            )
        except self._anthropic.APIError as exc:
            raise self._error(exc) from exc
        return str(batch.id)

    def batch_done(self, batch_id: str) -> tuple[bool, int, int]:
        """Whether the batch has ended, with done and total request counts."""
        batch = self.client.messages.batches.retrieve(batch_id)
        counts = batch.request_counts
        done = counts.succeeded + counts.errored + counts.canceled + counts.expired
        return batch.processing_status == "ended", done, done + counts.processing

    def batch_results(self, batch_id: str) -> dict[str, Answer | None]:
        """The answer per custom id; None for errored, canceled or expired requests."""
        out: dict[str, Answer | None] = {}
        for item in self.client.messages.batches.results(batch_id):
            result = item.result
            if result.type == "succeeded":
                out[item.custom_id] = _answer_of(result.message)
            else:
                out[item.custom_id] = None
        return out


class OpenAISummarizer:
    """Any OpenAI-compatible chat completions server, through the `openai` SDK."""

    backend = "openai"

    def __init__(self, model: str, settings: SummarySettings) -> None:
        try:
            import openai
        except ImportError:
            raise MemorySyncError(
                f"--backend openai needs the openai SDK: {INSTALL_HINT}"
            ) from None
        key = api_key_variable("openai")
        base_url = openai_base_url(settings.base_url)
        if not key and not base_url:
            raise MemorySyncError(
                "--backend openai needs OPENAI_API_KEY, or --base-url for a local server "
                "(Ollama: http://127.0.0.1:11434/v1)"
            )
        self.model = model
        self._openai = openai
        self.client = openai.OpenAI(
            api_key=None if key else "not-needed",  # None: the SDK reads OPENAI_API_KEY
            base_url=base_url,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )
        self.where = str(self.client.base_url)

    def complete(self, request: Request) -> Answer:
        """One chat completion."""
        try:
            response = self.client.chat.completions.create(
                model=self.model,
                max_tokens=request.max_tokens,
                messages=[
                    {"role": "system", "content": request.system},
                    {"role": "user", "content": request.prompt},
                ],
            )
        except self._openai.APIError as exc:
            raise _fatal(
                exc, "OpenAI-compatible", self.model, self.where, "OPENAI_API_KEY"
            ) from exc
        usage = response.usage
        return Answer(
            response.choices[0].message.content or "",
            int(getattr(usage, "prompt_tokens", 0) or 0),
            int(getattr(usage, "completion_tokens", 0) or 0),
        )
