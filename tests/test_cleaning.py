"""Envelopes, metadata blocks and synthetic prompts are stripped or classified, never counted."""

from __future__ import annotations

import pytest

from memory_sync.cleaning import assistant_ack, strip_user_text, user_noise


def clean(raw: str) -> str:
    return strip_user_text(raw)[0]


def noise_of(raw: str, provenance: object = None) -> str | None:
    text, had_system = strip_user_text(raw)
    return user_noise(text, had_system, provenance)


def test_bracket_envelope_and_message_id():
    raw = "[Telegram Ana B (@ana_b) id:123456789 +5m 2026-01-26 21:27 UTC] Lets take a break\n[message_id: 950]"
    assert clean(raw) == "Lets take a break"


def test_timestamp_prefix_of_control_ui():
    assert clean("[Sun 2026-04-12 09:59 GMT+2] check the NAS") == "check the NAS"


def test_metadata_blocks_are_removed():
    raw = (
        'Conversation info (untrusted metadata):\n```json\n{"message_id": "1", "sender": "Ana"}\n```\n\n'
        'Sender (untrusted metadata):\n```json\n{"label": "Ana", "id": "42"}\n```\n\n'
        "What is on the NAS?"
    )
    assert clean(raw) == "What is on the NAS?"


def test_system_lines_and_current_time():
    raw = "System: [2026-04-12 09:59:00 GMT+2] Cron job finished\nSystem (untrusted): [x] y\n\nhello there\nCurrent time: Sunday — 09:59"
    text, had_system = strip_user_text(raw)
    assert text == "hello there" and had_system


def test_internal_context_block():
    raw = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nOpenClaw runtime context (internal):\nstatus: done\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>"
    assert noise_of(raw) == "injected_context"


def test_replying_block_is_context_not_the_persons_words():
    raw = "[Telegram A id:1 2026-01-26 21:27 UTC] [Replying to Bob id:9] old words [/Replying] new words"
    assert clean(raw) == "new words"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (
            "Read HEARTBEAT.md if it exists (workspace context). Follow it strictly. If nothing needs attention, reply HEARTBEAT_OK.",
            "heartbeat",
        ),
        (
            "Pre-compaction memory flush. Store durable memories now in memory/2026-04-12.md. If nothing to store, reply with NO_REPLY.",
            "flush_prompt",
        ),
        (
            "System: [2026-11-20 14:30:08 GMT+1] Model switched to alpha.\n\nA new session was started via /new or /reset. Execute your Session Startup sequence now",
            "reset_prompt",
        ),
        ("[cron:c0f1 water plants] Remind Ana to water the Monstera\nCurrent time: x", "cron"),
        ("/model beta", "command"),
        ("/new", "command"),
        ("System: [2026-04-12 09:59:00 GMT+2] Exec finished", "system_event"),
        ("[Inter-session message] from research", "inter_session"),
        ("What is the plan?", None),
        ("/etc/hosts looks wrong, can you check?", None),
    ],
)
def test_noise_classes(raw, kind):
    assert noise_of(raw) == kind


def test_provenance_marks_non_person_input():
    assert noise_of("hello", {"kind": "inter_session"}) == "inter_session"
    assert noise_of("hello", {"kind": "external_user"}) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("HEARTBEAT_OK", "heartbeat_ack"),
        ("NO_REPLY", "no_reply"),
        (" NO_REPLY. ", "no_reply"),
        ("No reply needed, all good", None),
    ],
)
def test_assistant_acks(text, kind):
    assert assistant_ack(text) == kind
