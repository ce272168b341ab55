"""Readers of OpenClaw's two history stores; each yields (SessionRef, raw entry dict) pairs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SessionRef:
    """Which transcript an entry came from: session id, session key when known, and the source."""

    session_id: str
    session_key: str | None
    source: str
    archived: bool = False
