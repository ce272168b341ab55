"""One typed event model for entries of either store, with identity keys and noise classes."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from memory_sync.cleaning import assistant_ack, clean_user, content_text, strip_assistant_text
from memory_sync.stores import SessionRef
from memory_sync.timeutil import HOURS_CACHED, DayClock, coerce_ms, parse_iso_ms

TOOL_TEXT_LIMIT = 2000  # tool output kept per result: enough for errors, never a raw dump
SYNTHETIC_PROVIDERS = frozenset({"openclaw", "clawdbot", "moltbot"})


class Kind(StrEnum):
    """What an event is, for counting and for the digest."""

    USER = "user"  # the person wrote to the agent
    ASSISTANT = "assistant"  # a real model replied with text
    TOOL_CALL = "tool_call"  # a real model turn with only tool calls
    TOOL_RESULT = "tool"  # a tool's result
    ERROR = "error"  # a failed or aborted model turn
    NOISE = "noise"  # heartbeats, acks, prompts, commands, mirrors, injected context
    MODEL = "model"  # model_change / model-snapshot: which model a run uses
    RESET = "reset"  # /new or /reset boundary inside a session
    COMPACTION = "compaction"


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call: its name and the few arguments the digest cares about."""

    name: str
    command: str | None = None
    path: str | None = None
    url: str | None = None


class Event(NamedTuple):
    """One entry of the history, store-independent and already cleaned (an immutable value)."""

    ms: int
    day: str
    kind: Kind
    session_id: str
    session_key: str | None
    identity: int  # stable 64-bit id of the entry, for day fingerprints
    text: str = ""
    model: str | None = None
    noise: str | None = None
    tools: tuple[ToolCall, ...] = ()
    tool_name: str | None = None
    is_error: bool = False
    tokens_before: int | None = None
    reason: str | None = None  # why a reset happened; `queued` for a user turn of queued messages

    @property
    def counted(self) -> bool:
        """True for the messages `compare` counts as user, assistant or tool."""
        return self.kind in (Kind.USER, Kind.ASSISTANT, Kind.TOOL_RESULT)


def stable_key(text: str) -> int:
    """A 64-bit de-duplication key, the same in every process and run (CRC-32 and Adler-32
    of the text side by side), so the index can keep the keys of everything already read."""
    data = text.encode("utf-8", "surrogatepass")
    return (zlib.crc32(data) << 32) | zlib.adler32(data)


def _model_name(provider: Any, model: Any) -> str | None:
    if not isinstance(model, str) or not model:
        return None
    if isinstance(provider, str) and provider and not model.startswith(provider + "/"):
        return f"{provider}/{model}"
    return model


def _has_image(content: list[Any]) -> bool:
    return any(isinstance(b, dict) and b.get("type") == "image" for b in content)


def _tool_call(block: dict[str, Any]) -> ToolCall:
    name = block.get("name")
    args = block.get("arguments")
    if not isinstance(args, dict):
        args = {}
    command = args.get("command") or args.get("cmd")
    path = args.get("path") or args.get("file_path") or args.get("filePath")
    url = args.get("url")
    return ToolCall(
        name=name if isinstance(name, str) else "tool",
        command=command if isinstance(command, str) else None,
        path=path if isinstance(path, str) else None,
        url=url if isinstance(url, str) else None,
    )


FORGOTTEN_MARK = 0x5EC7E7  # mixed into a forgotten entry's identity
Made = tuple[Event, int, int | None]  # an event, its identity key and its content key (or None)


class EventFactory:
    """Turns raw entries into Events, dropping what is not part of the conversation."""

    def __init__(self, clock: DayClock, forgotten: frozenset[str] = frozenset()) -> None:
        self.clock = clock
        self.forgotten = forgotten  # sessions the person made OpenClaw forget
        self._hour_ms: dict[str, int | None] = {}
        self._models: dict[tuple[Any, Any], str | None] = {}
        self._key = 0  # 64-bit de-duplication key of the identity `_identity` made last

    def _iso(self, stamp: str) -> int | None:
        """Epoch ms of OpenClaw's `2026-11-20T07:58:58.170Z`, with a per-hour cache."""
        if len(stamp) == 24 and stamp[19] == "." and stamp[23] == "Z":
            hour = stamp[:13]
            base = self._hour_ms.get(hour, -1)
            if base == -1:
                if len(self._hour_ms) >= HOURS_CACHED:  # bounded: years of history in one read
                    self._hour_ms.clear()
                base = self._hour_ms[hour] = parse_iso_ms(hour + ":00:00Z")
            if base is not None:
                try:
                    return (
                        base
                        + int(stamp[14:16]) * 60_000
                        + int(stamp[17:19]) * 1000
                        + int(stamp[20:23])
                    )
                except ValueError:
                    return None
        return parse_iso_ms(stamp)

    def make(self, ref: SessionRef, entry: dict[str, Any]) -> Made | None:
        """The Event for `entry` with its two de-duplication keys, or None to skip it.

        Both keys identify copies of one entry: the identity key by entry id and time, the
        content key (messages only) by role, message time and visible text.
        """
        made = self._event(ref, entry)
        if made is None:
            return None
        if ref.session_id in self.forgotten:  # counted as forgotten, its content never used
            event = made[0]
            hidden = Event(
                event.ms,
                event.day,
                Kind.NOISE,
                event.session_id,
                event.session_key,
                event.identity ^ FORGOTTEN_MARK,  # the day's fingerprint changes with a forget
                noise="forgotten",
            )
            return hidden, self._key, None
        return made[0], self._key, made[1]

    def _event(self, ref: SessionRef, entry: dict[str, Any]) -> tuple[Event, int | None] | None:
        kind = entry.get("type")
        if kind == "message":
            return self._message(ref, entry)
        if kind in ("model_change", "custom", "compaction", "reset"):
            event = self._lifecycle(ref, entry, kind)
            return (event, None) if event else None
        if kind == "custom_message":
            ms = self._time(entry, None)
            if ms is None:
                return None
            event = Event(
                ms,
                self.clock.day_of(ms),
                Kind.NOISE,
                ref.session_id,
                ref.session_key,
                self._identity(entry, ms),
                noise="injected_context",
            )
            return event, None
        return None

    def _time(self, entry: dict[str, Any], message: dict[str, Any] | None) -> int | None:
        stamp = entry.get("timestamp")
        ms = self._iso(stamp) if isinstance(stamp, str) else coerce_ms(stamp)
        if ms is None and message is not None:
            ms = coerce_ms(message.get("timestamp"))
        return ms

    def _identity(self, entry: dict[str, Any], ms: int) -> int:
        """The entry's stable identity (for day fingerprints); keeps the 64-bit de-duplication
        key of the same text for `make` to return."""
        entry_id = entry.get("id")
        if isinstance(entry_id, str) and entry_id:
            key = f"{entry_id}|{entry.get('timestamp')}"
        else:
            key = f"{entry.get('type')}|{ms}|{entry.get('message')!r:.300}"
        data = key.encode("utf-8", "surrogatepass")
        crc = zlib.crc32(data)
        self._key = (crc << 32) | zlib.adler32(data)
        return crc

    def _lifecycle(self, ref: SessionRef, entry: dict[str, Any], kind: str) -> Event | None:
        ms = self._time(entry, None)
        if ms is None:
            return None
        base = (ms, self.clock.day_of(ms))
        sid, key = ref.session_id, ref.session_key
        if kind == "model_change":
            model = _model_name(entry.get("provider"), entry.get("modelId"))
            return Event(*base, Kind.MODEL, sid, key, self._identity(entry, ms), model=model)
        if kind == "custom":
            data = entry.get("data")
            if entry.get("customType") != "model-snapshot" or not isinstance(data, dict):
                return None
            model = _model_name(data.get("provider"), data.get("modelId"))
            return Event(*base, Kind.MODEL, sid, key, self._identity(entry, ms), model=model)
        if kind == "reset":
            reason = entry.get("reason")
            return Event(
                *base,
                Kind.RESET,
                sid,
                key,
                self._identity(entry, ms),
                reason=reason if isinstance(reason, str) else None,
            )
        tokens = entry.get("tokensBefore")
        return Event(
            *base,
            Kind.COMPACTION,
            sid,
            key,
            self._identity(entry, ms),
            tokens_before=tokens if isinstance(tokens, int) else None,
        )

    def _message(self, ref: SessionRef, entry: dict[str, Any]) -> tuple[Event, int | None] | None:
        message = entry.get("message")
        if type(message) is not dict:
            return None
        stamp_text = entry.get("timestamp")
        ms = self._iso(stamp_text) if type(stamp_text) is str else None
        if ms is None:
            ms = self._time(entry, message)
            if ms is None:
                return None
        role = message.get("role")
        content = message.get("content")
        sid, key = ref.session_id, ref.session_key
        identity = self._identity(entry, ms)
        day = self.clock.day_of(ms)
        if role == "assistant":
            event = self._assistant(ms, day, sid, key, identity, message, content)
        elif role == "user":
            text, noise, how = clean_user(content_text(content), message.get("provenance"))
            if noise is None and not text and isinstance(content, list) and content:
                text = "(sent an image)" if _has_image(content) else "(media)"
            event = Event(
                ms,
                day,
                Kind.NOISE if noise else Kind.USER,
                sid,
                key,
                identity,
                text,
                None,
                noise,
                reason=how,
            )
        elif role == "toolResult" or role == "bashExecution":
            if role == "toolResult":
                name = message.get("toolName")
                text = content_text(content, TOOL_TEXT_LIMIT)
                tool = name if type(name) is str else None
                failed = bool(message.get("isError")) or bool(message.get("exitCode"))
            else:
                text = str(message.get("output", ""))[:TOOL_TEXT_LIMIT]
                tool, failed = "bash", bool(message.get("exitCode"))
            event = Event(
                ms, day, Kind.TOOL_RESULT, sid, key, identity, text, tool_name=tool, is_error=failed
            )
        elif role == "custom":
            event = Event(ms, day, Kind.NOISE, sid, key, identity, "", None, "injected_context")
        else:
            return None
        stamp = message.get("timestamp")
        if stamp is None or event.kind is Kind.NOISE:
            return event, None
        if role == "toolResult":
            call = message.get("toolCallId")
            return event, stable_key(f"{role}|{stamp}|{call}|{event.text[:200]}")
        if event.tools and type(content) is list:  # its tool calls' ids: two turns that only
            # share a stock lead-in and a millisecond differ
            ids = ",".join(
                str(b.get("id")) for b in content if type(b) is dict and b.get("type") == "toolCall"
            )
            return event, stable_key(f"{role}|{stamp}|{ids}|{event.text[:300]}")
        return event, stable_key(f"{role}|{stamp}|{event.text[:300]}")

    def _assistant(
        self,
        ms: int,
        day: str,
        sid: str,
        key: str | None,
        identity: int,
        message: dict[str, Any],
        content: Any,
    ) -> Event:
        provider = message.get("provider")
        model_id = message.get("model")
        texts: list[str] = []
        calls: list[ToolCall] = []
        if type(content) is list:
            for block in content:  # one pass: text blocks and tool calls; thinking is skipped
                if type(block) is dict:
                    kind = block.get("type")
                    if kind == "text":
                        value = block.get("text")
                        if type(value) is str:
                            texts.append(value)
                    elif kind == "toolCall":
                        calls.append(_tool_call(block))
        elif type(content) is str:
            texts.append(content)
        text = texts[0] if len(texts) == 1 else "\n".join(texts)
        if text[:1] in (" ", "[", "\n", "\t") or text[-1:] in (" ", "\n", "\t") or "[[" in text:
            text = strip_assistant_text(text)
        if provider in SYNTHETIC_PROVIDERS and model_id in ("delivery-mirror", "gateway-injected"):
            noise = "delivery_mirror" if model_id == "delivery-mirror" else "command_reply"
            return Event(ms, day, Kind.NOISE, sid, key, identity, text, None, noise)
        model = self._models.get((provider, model_id), "")
        if model == "":
            model = self._models[(provider, model_id)] = _model_name(provider, model_id)
        tools = tuple(calls)
        if text:
            if len(text) <= 40:
                ack = assistant_ack(text)
                if ack:
                    return Event(ms, day, Kind.NOISE, sid, key, identity, "", model, ack)
            return Event(ms, day, Kind.ASSISTANT, sid, key, identity, text, model, None, tools)
        if tools:
            return Event(ms, day, Kind.TOOL_CALL, sid, key, identity, "", model, None, tools)
        error = message.get("errorMessage")
        return Event(
            ms,
            day,
            Kind.ERROR,
            sid,
            key,
            identity,
            text=error if isinstance(error, str) else str(message.get("stopReason") or ""),
            model=model,
            is_error=True,
        )
