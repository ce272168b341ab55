"""What one message says, in any language: decisions, greetings, topics, paths, commands."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memory_sync.digest.language import (
    cjk_terms,
    decision_key,
    decisions_in,
    is_greeting,
    names_in,
    same_decision,
)
from memory_sync.digest.technical import command_rank, looks_like_path, short_command


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Let's go with SQLite for the rules, YAML is too fragile.", "Let's go with SQLite"),
        ("From now on, always run the tests before you push.", "From now on, always run"),
        ("Always answer in German.", "Always answer in German."),
        ("Never deploy on Fridays.", "Never deploy on Fridays."),
        ("and use MIT as the license", "Use MIT as the license"),
        ("Please switch the notifications from Telegram to email", "switch the notifications"),
        ("We'll use Postgres for the new service.", "We'll use Postgres"),
        ("Also, use restic instead of plain rsync.", "Use restic instead of plain rsync."),
        ("We decided to move the meeting to Monday.", "We decided to move"),
        ("我们决定用 Hugo，主题就用 PaperMod。", "我们决定用 Hugo"),
        ("以后发布文章都先在 staging 分支预览。", "以后发布文章都先在 staging 分支预览。"),
        ("把域名解析改成 Cloudflare。", "把域名解析改成 Cloudflare。"),
        ("バックアップは毎晩3時にすることにした。", "バックアップは毎晩3時にすることにした。"),
        (
            "今後は失敗したらメールで通知してください。",
            "今後は失敗したらメールで通知してください。",
        ),
    ],
)
def test_the_persons_decisions_in_any_language(text, found):
    [decision] = decisions_in(text, person=True)
    assert found in decision


@pytest.mark.parametrize(
    "text",
    [
        "What was the decision about the database?",
        "Should we go with SQLite or Postgres?",
        "我们要不要用 Hugo？",
        "| decision | owner |\n|---|---|\n| go with SQLite | Ana |",
        "```\n# from now on we use tabs\n```",
        "The decision log is in docs/.",
        "Can you check the weather?",
        "ok",
    ],
)
def test_no_bare_keywords_questions_tables_or_code(text):
    assert decisions_in(text, person=True) == []


def test_the_agent_counts_only_when_it_states_a_decision():
    assert decisions_in("I'll use the read tool to look at the file.", person=False) == []
    assert decisions_in("Switched the backup script to restic.", person=False) == []
    [agreed] = decisions_in("Agreed, going with SQLite for the rules.", person=False)
    assert "going with SQLite" in agreed


@pytest.mark.parametrize(
    ("said", "agreed"),
    [
        (
            "Let's go with SQLite for the watering rules, YAML is too fragile.",
            "Agreed, going with SQLite for the watering rules; I'll add a rules table.",
        ),
        (
            "From now on, always run the tests before you push.",
            "Understood: from now on I'll run npm test before every push.",
        ),
        ("我们决定用 Hugo，主题就用 PaperMod。", "好的，就用 Hugo 和 PaperMod 主题。"),
        ("以后发布文章都先在 staging 分支预览。", "明白，以后发布文章都先推到 staging 分支预览。"),
    ],
)
def test_one_decision_stated_twice_is_one(said, agreed):
    assert same_decision(decision_key(said), decision_key(agreed))


def test_two_decisions_are_two():
    a = decision_key("Let's go with SQLite for the watering rules.")
    b = decision_key("From now on, always run the tests before you push.")
    assert not same_decision(a, b)


@pytest.mark.parametrize(
    "text", ["hi", "Thanks, that's all for today", "good morning!", "早上好", "谢谢", "ありがとう"]
)
def test_greetings(text):
    assert is_greeting(text)


@pytest.mark.parametrize("text", ["hi, can you check the NAS?", "谢谢，再把域名改成 Cloudflare"])
def test_a_request_with_a_greeting_is_a_request(text):
    assert not is_greeting(text)


def test_names_are_subjects_not_sentence_starts():
    names = names_in(
        "Then we moved the repo to GitHub. Telegram and garden-planner work with SQLite."
    )
    assert {"GitHub", "garden-planner", "SQLite"} <= set(names)
    assert "Then" not in names and "Telegram" not in names  # Telegram starts a sentence here


def test_cjk_words_come_from_runs_not_particles():
    terms = cjk_terms("帮我把博客从 Hexo 迁移到 Hugo，バックアップを毎晩とる")
    assert "博客" in terms and "迁移" in terms and "バックアップ" in terms
    assert not any(t.endswith(("的", "了", "我")) or t.startswith("把") for t in terms)


@pytest.mark.parametrize(
    "span", ["src/scheduler.ts", "README.md", "memory/2026-03-10.md", "~/.openclaw/openclaw.json"]
)
def test_paths(span):
    assert looks_like_path(span)


@pytest.mark.parametrize(
    "span",
    [
        "anthropic/claude-sonnet-4-5",
        "fake/alpha",
        "/new",
        "https://example.com/a.md",
        "16px/1.5",
        "1/2",
        "2026/03/10",
        "image/jpeg",
        "#fff",
        "origin/main",
    ],
)
def test_not_paths(span):
    assert not looks_like_path(span)


def test_commands_ranked_and_shortened():
    assert command_rank("npm test", failed=True) == 0
    assert command_rank("git push -u origin main", failed=False) == 1
    assert command_rank("systemctl --user restart openclaw-gateway", failed=False) == 1
    assert command_rank("hugo version", failed=False) == 2
    assert command_rank("ls -la", failed=False) == 3
    assert (
        short_command("python - <<'EOF'\nprint(1)\nprint(2)\nEOF")
        == "python - <<'EOF' … (+3 lines)"
    )
    assert short_command("echo " + "word " * 60).endswith(" …")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_decisions_never_fail_and_are_clean(text):
    for decision in decisions_in(text, person=True):
        assert decision.strip() and "\n" not in decision and len(decision) <= 220
