"""What memory-sync keeps for itself (backups, index, cache, locks, batches) is its user's
alone: folders 0700, files 0600, and a backup never readable by more than its original."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.conftest import NEW


@pytest.fixture
def usual_umask():
    """The umask most systems run with (0022): what memory-sync creates would be world-readable
    if it relied on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _wider_than_private(root: Path) -> list[str]:
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(root)} {oct(mode)}")
    return found


def test_a_backup_is_never_readable_by_more_than_its_original(
    cli, corpus, isolated_env, usual_umask
):
    state = corpus(NEW)
    daily = state / "workspace/memory/2026-11-20.md"
    daily.write_text("# 2026-11-20\n\nthe agent's private notes\n")
    os.chmod(daily, 0o600)
    result = cli("backfill", "--force", "2026-11-20", "--json", "--openclaw-dir", state)
    assert result.exit_code == 0, result.stderr
    own = Path(isolated_env["MEMORY_SYNC_STATE_DIR"])
    [backup] = list((own / "backups").rglob("2026-11-20.md"))
    assert backup.read_text() == "# 2026-11-20\n\nthe agent's private notes\n"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert _wider_than_private(own) == []


def test_everything_in_the_state_folder_is_private(
    cli, corpus, isolated_env, usual_umask, monkeypatch
):
    from tests.fake_llm_api import FakeAPI

    state = corpus(NEW)
    for args in (("compare",), ("backfill", "--all"), ("backfill", "--incremental")):
        assert cli(*args, "--openclaw-dir", state).exit_code == 0
    with FakeAPI() as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-secret")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("MEMORY_SYNC_BATCH_POLL", "0.01")
        result = cli(
            "backfill", "--summarize", "--batch", "--all", "--force", "--openclaw-dir", state
        )
        assert result.exit_code == 0, result.stderr
    own = Path(isolated_env["MEMORY_SYNC_STATE_DIR"])
    kinds = {p.name for p in own.iterdir()}
    assert {"index", "locks", "backups", "summaries.sqlite"} <= kinds
    assert _wider_than_private(own) == []


def test_an_old_state_folder_is_made_private(cli, corpus, isolated_env, usual_umask):
    own = Path(isolated_env["MEMORY_SYNC_STATE_DIR"])
    (own / "locks").mkdir(parents=True)
    os.chmod(own, 0o755)
    os.chmod(own / "locks", 0o755)
    assert cli("backfill", "--all", "--openclaw-dir", corpus(NEW)).exit_code == 0
    assert _wider_than_private(own) == []
