"""The merge rules: memory-sync owns only its block; every other byte is kept."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from memory_sync.memoryfile import (
    EDITED_NOTE,
    MY_NOTES,
    START,
    Action,
    decode,
    encode,
    find_block,
    one_title,
    plan_merge,
    render_block,
)

BODY = "# 2026-01-15 (Thursday)\n\n*Auto-generated from 3 session messages*\n\n## Topics Covered\n- a\n"
BLOCK = render_block(BODY, "00000000000000aa")
NEW_BLOCK = render_block(BODY.replace("- a", "- b"), "00000000000000bb")


def test_no_file_is_created_with_notes_section():
    plan = plan_merge(None, BLOCK, force=False, preserve=False)
    assert plan.action is Action.CREATED
    assert plan.text == BLOCK + "\n" + MY_NOTES + "\n"


def test_existing_file_without_force_is_skipped():
    plan = plan_merge("# my notes\n", BLOCK, force=False, preserve=True)
    assert plan.action is Action.SKIPPED and plan.text is None and plan.note == "exists"


def test_force_replaces_only_our_block():
    before, after = "intro the person wrote\n\n", "\n## My Notes\n- keep me\n"
    plan = plan_merge(before + BLOCK + after, NEW_BLOCK, force=True, preserve=False)
    assert plan.action is Action.UPDATED
    assert plan.text == before + NEW_BLOCK + after
    assert not plan.needs_backup


def test_same_block_is_unchanged():
    text = BLOCK + "\nnotes\n"
    assert plan_merge(text, BLOCK, force=True, preserve=False).action is Action.UNCHANGED


def test_hand_edited_block_is_kept_verbatim_outside_the_new_block():
    edited = BLOCK.replace("- a\n", "- a (I checked this myself)\n")
    assert find_block(edited) is not None and find_block(edited).edited
    plan = plan_merge(edited + "tail\n", NEW_BLOCK, force=True, preserve=False)
    assert plan.text is not None
    assert plan.text.startswith(NEW_BLOCK)
    assert EDITED_NOTE in plan.text
    assert "- a (I checked this myself)\n" in plan.text and plan.text.endswith("tail\n")
    # regenerating again keeps the edited copy where it is
    again = plan_merge(plan.text, NEW_BLOCK, force=True, preserve=False)
    assert again.action is Action.UNCHANGED


def test_preserve_puts_our_block_first_and_keeps_everything():
    agent = "# 2026-01-15\n\n- Decided: use WAL mode.\n"
    plan = plan_merge(agent, BLOCK, force=True, preserve=True)
    assert plan.action is Action.PRESERVED and not plan.needs_backup
    assert plan.text == one_title(BLOCK, agent) + "\n" + agent
    # one visible title: ours goes one level down below the agent's own for the same date
    assert plan.text.startswith(START) and "\n## 2026-01-15 (" in plan.text
    assert [ln for ln in plan.text.splitlines() if ln.startswith("# ")] == ["# 2026-01-15"]
    other_day = "# 2026-01-16\n\n- notes\n"
    assert plan_merge(other_day, BLOCK, force=True, preserve=True).text == BLOCK + "\n" + other_day


def test_preserve_keeps_front_matter_on_top_and_dreaming_blocks():
    front = "---\ntags: [daily]\n---\n"
    dreaming = "<!-- openclaw:dreaming:light:start -->\n## Light Sleep\n- x\n<!-- openclaw:dreaming:light:end -->\n"
    old = front + "notes\n" + dreaming
    plan = plan_merge(old, BLOCK, force=True, preserve=True)
    assert plan.text == front + BLOCK + "\n" + "notes\n" + dreaming


def test_force_without_preserve_replaces_but_needs_backup_and_keeps_managed_parts():
    front = "---\ntitle: x\n---\n"
    dreaming = "<!-- openclaw:dreaming:rem:start -->\nREM\n<!-- openclaw:dreaming:rem:end -->\n"
    plan = plan_merge(front + "agent notes\n" + dreaming, BLOCK, force=True, preserve=False)
    assert plan.action is Action.REPLACED and plan.needs_backup
    assert plan.text == front + BLOCK + "\n" + dreaming
    assert "agent notes" not in plan.text


def test_older_footer_format_keeps_what_followed_the_footer():
    old = (
        "# 2026-01-15 (Thursday)\n\n*Auto-generated from 9 session messages*\n\n## Topics Covered\n- old\n\n"
        "---\n*Review and edit this draft to capture what's actually important.*\n\nMy own line\n"
    )
    plan = plan_merge(old, BLOCK, force=True, preserve=True)
    assert plan.action is Action.PRESERVED and plan.needs_backup
    assert plan.text == BLOCK + "\n" + "My own line\n"


def test_broken_markers_are_not_our_block():
    text = "<!-- memory-sync:start v=1 sha=abc fp=1 -->\nno end marker\n"
    assert find_block(text) is None
    plan = plan_merge(text, BLOCK, force=True, preserve=True)
    assert plan.text == BLOCK + "\n" + text


def test_invalid_utf8_round_trips():
    raw = b"caf\xe9 \xff notes\n"
    assert encode(decode(raw)) == raw
    plan = plan_merge(decode(raw), BLOCK, force=True, preserve=True)
    assert plan.text is not None and encode(plan.text).endswith(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_preserve_never_drops_or_reorders_a_byte(old):
    plan = plan_merge(old, BLOCK, force=True, preserve=True)
    assert plan.text is not None
    if plan.needs_backup:  # an older draft was replaced: the bytes go to a backup
        return
    if find_block(old) is None:
        assert old in plan.text or old.lstrip("\n") in plan.text or old.startswith("---")
    else:
        block = find_block(old)
        assert plan.text.startswith(old[: block.start])
        assert plan.text.endswith(old[block.end :])
