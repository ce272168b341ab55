"""Generate a realistic synthetic OpenClaw history of a chosen size, in both storage eras.

    python bench/generate.py OUT --size-mb 1024 [--days 400] [--seed 1]

Layout written under OUT (an OpenClaw state folder):
* the oldest 40% of days: legacy JSONL transcripts in agents/main/sessions/ (daily rollovers,
  /new resets archived as .jsonl.reset.<ts>, a few .deleted.<ts>.zst archives);
* the middle 30%: sessions imported into agents/main/agent/openclaw-agent.sqlite AND kept as a
  JSONL copy in sessions/session-sqlite-import-archive/ (what `openclaw doctor` leaves);
* the newest 30%: native 2026.9 sessions only in the database (header version 4), large events
  zstd-compressed as OpenClaw does, plus a deleted session in session_transcript_archives;
* workspace/memory/ with some agent-written daily files, hook files and gaps.
Content: envelopes and metadata blocks on user text, tool calls with outputs of 0.2-24 KB,
model switches (model-snapshot + a different message.model), heartbeats, delivery mirrors,
compactions, and text that crosses local midnight.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import zstandard

WORDS = (
    "cache layer sync service parser module release checklist uploader retry backoff transcript "
    "archive migration schema index database query latency budget deploy staging rollback "
    "invoice calendar reminder garden monstera backup nas router firmware certificate renewal "
    "dashboard metrics alert threshold queue worker timeout exporter markdown notes travel "
    "booking train ticket budget spreadsheet recipe groceries dentist appointment python "
    "typescript docker compose nginx config token rotation cron job weekly report summary"
).split()
MODELS = [
    ("anthropic", "claude-sonnet-4-5"),
    ("openai", "gpt-5.1"),
    ("fake", "alpha"),
    ("openrouter", "deepseek/deepseek-chat"),
]
TOOLS = ["exec", "read", "write", "web_fetch", "edit"]


class Text:
    """Cheap pseudo-prose from a fixed vocabulary (slices of one long buffer)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.buffer = " ".join(rng.choice(WORDS) for _ in range(400_000))

    def words(self, lo: int, hi: int) -> str:
        n = self.rng.randint(lo, hi) * 8
        start = self.rng.randrange(0, len(self.buffer) - n - 1)
        return self.buffer[start : start + n]

    def output(self, lo: int, hi: int) -> str:
        body = self.words(lo // 8, hi // 8)
        return "\n".join(body[i : i + 72] for i in range(0, len(body), 72))


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Session:
    """Writes one transcript's entries like OpenClaw does."""

    def __init__(
        self, rng: random.Random, text: Text, start: datetime, version: int, key: str
    ) -> None:
        self.rng, self.text, self.now, self.key = rng, text, start, key
        self.id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.version = version
        self.parent: str | None = None
        self.model = rng.choice(MODELS)
        self.entries: list[dict[str, Any]] = [
            {
                "type": "session",
                "version": version,
                "id": self.id,
                "timestamp": iso(start),
                "cwd": "/home/ana/.openclaw/workspace",
            }
        ]
        self.add("model_change", provider=self.model[0], modelId=self.model[1])
        self.add("thinking_level_change", thinkingLevel="off")

    def add(self, kind: str, step: float = 0.05, **fields: Any) -> dict[str, Any]:
        self.now += timedelta(seconds=step)
        entry_id = (
            uuid.UUID(int=self.rng.getrandbits(128), version=4).hex[:8]
            if self.version < 4
            else str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        )
        entry = {"type": kind, "id": entry_id, "parentId": self.parent, "timestamp": iso(self.now)}
        entry.update(fields)
        self.parent = entry_id
        self.entries.append(entry)
        return entry

    def msg(self, message: dict[str, Any], step: float) -> None:
        message["timestamp"] = int((self.now + timedelta(seconds=step)).timestamp() * 1000) - 40
        self.add("message", step, message=message)

    def assistant(self, content: list[dict[str, Any]], stop: str = "stop") -> None:
        provider, model = self.model
        self.msg(
            {
                "role": "assistant",
                "content": content,
                "api": "openai-completions",
                "provider": provider,
                "model": model,
                "stopReason": stop,
                "usage": {
                    "input": self.rng.randint(2000, 90000),
                    "output": 300,
                    "cacheRead": 0,
                    "cacheWrite": 0,
                    "totalTokens": 9000,
                    "cost": {"input": 0.01, "output": 0.002, "total": 0.012},
                },
            },
            self.rng.uniform(1, 20),
        )

    def turn(self) -> None:
        rng, text = self.rng, self.text
        roll = rng.random()
        if roll < 0.05:  # heartbeat
            self.msg(
                {
                    "role": "user",
                    "content": "Read HEARTBEAT.md if it exists (workspace "
                    "context). Follow it strictly. If nothing needs attention, reply HEARTBEAT_OK.",
                },
                1800,
            )
            self.assistant([{"type": "text", "text": "HEARTBEAT_OK"}])
            return
        if roll < 0.08:  # model switch
            self.msg({"role": "user", "content": "/model next"}, 30)
            self.add(
                "message",
                0.01,
                message={
                    "role": "assistant",
                    "content": [{"type": "text", "text": "Model set."}],
                    "provider": "openclaw",
                    "model": "gateway-injected",
                    "stopReason": "stop",
                },
            )
            self.model = rng.choice([m for m in MODELS if m != self.model])
            self.add(
                "custom",
                5,
                customType="model-snapshot",
                data={"provider": self.model[0], "modelId": self.model[1]},
            )
        body = f"Can we look at the {text.words(3, 14)}?"
        if self.version < 4 and rng.random() < 0.5:
            envelope = f"[Telegram Ana (@ana) id:4242 {self.now:%Y-%m-%d %H:%M} UTC]"
            body = f"{envelope} {body}\n[message_id: {rng.randint(1, 99999)}]"
        elif rng.random() < 0.3:
            body = (
                'Conversation info (untrusted metadata):\n```json\n{"message_id": "'
                f'{rng.randint(1, 99999)}", "sender": "Ana"}}\n```\n\n{body}'
            )
        self.msg(
            {"role": "user", "content": [{"type": "text", "text": body}]}, rng.uniform(20, 900)
        )
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            tool = rng.choice(TOOLS)
            args: dict[str, Any] = (
                {"command": f"ls -la {text.words(1, 2)}"}
                if tool == "exec"
                else {"url": "https://example.com/docs/" + text.words(1, 1).replace(" ", "-")}
                if tool == "web_fetch"
                else {"path": f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}.py"}
            )
            call_id = f"call_{rng.getrandbits(40):x}"
            self.assistant(
                [{"type": "toolCall", "id": call_id, "name": tool, "arguments": args}], "toolUse"
            )
            self.msg(
                {
                    "role": "toolResult",
                    "toolCallId": call_id,
                    "toolName": tool,
                    "content": [{"type": "text", "text": text.output(200, 24000)}],
                    "isError": rng.random() < 0.05,
                    "details": {"status": "completed", "exitCode": 0},
                },
                rng.uniform(0.2, 8),
            )
        reply = f"We decided to {text.words(4, 10)}. {text.words(10, 80)}"
        self.assistant(
            [{"type": "thinking", "thinking": text.words(5, 40)}, {"type": "text", "text": reply}]
        )
        if rng.random() < 0.1:
            self.add(
                "message",
                0.02,
                message={
                    "role": "assistant",
                    "content": [{"type": "text", "text": reply}],
                    "provider": "openclaw",
                    "model": "delivery-mirror",
                    "stopReason": "stop",
                    "timestamp": 0,
                },
            )
        if rng.random() < 0.02:
            self.add(
                "compaction",
                2,
                summary="## Decisions\n" + text.words(20, 60),
                firstKeptEntryId=self.parent,
                tokensBefore=rng.randint(50000, 180000),
            )

    def lines(self) -> list[bytes]:
        return [orjson.dumps(e) for e in self.entries]


def _schema(con: sqlite3.Connection) -> None:
    con.executescript("""
    PRAGMA journal_mode=WAL;
    CREATE TABLE schema_meta (meta_key TEXT PRIMARY KEY, role TEXT, schema_version INTEGER,
      agent_id TEXT, app_version TEXT);
    INSERT INTO schema_meta VALUES ('primary', 'agent', 23, 'main', '2026.9.6');
    CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY, current_session_id TEXT NOT NULL,
      entry_json TEXT NOT NULL, updated_at INTEGER NOT NULL);
    CREATE TABLE session_windows (session_id TEXT PRIMARY KEY, session_key TEXT NOT NULL,
      previous_session_id TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
    CREATE TABLE transcript_events (session_id TEXT NOT NULL, seq INTEGER NOT NULL,
      event_json TEXT, created_at INTEGER NOT NULL, event_zstd BLOB, event_utf8_bytes INTEGER,
      navigation_json TEXT, PRIMARY KEY (session_id, seq));
    CREATE TABLE session_transcript_archives (session_id TEXT NOT NULL, generation TEXT NOT NULL,
      session_key TEXT, reason TEXT, encoding TEXT, archive_blob BLOB, archive_sha256 TEXT,
      archive_name TEXT, created_at INTEGER, PRIMARY KEY (session_id, generation));
    """)


def generate(out: Path, size_mb: int, days: int, seed: int) -> dict[str, Any]:
    """Write the history; return a summary with byte counts per part."""
    rng = random.Random(seed)
    text = Text(rng)
    sessions_dir = out / "agents/main/sessions"
    import_dir = sessions_dir / "session-sqlite-import-archive"
    db_path = out / "agents/main/agent/openclaw-agent.sqlite"
    memory = out / "workspace/memory"
    for folder in (sessions_dir, import_dir, db_path.parent, memory):
        folder.mkdir(parents=True, exist_ok=True)
    (out / "openclaw.json").write_text('{agents: {defaults: {userTimezone: "Europe/Berlin"}}}\n')
    con = sqlite3.connect(db_path)
    _schema(con)
    cctx = zstandard.ZstdCompressor(level=1)
    budget = size_mb * 1_000_000
    per_day = budget / days
    first = datetime(2025, 6, 1, 6, tzinfo=UTC)
    written = 0
    counts = {"jsonl": 0, "sqlite": 0, "import_copy": 0, "sessions": 0}
    for day_index in range(days):
        era = (
            "legacy"
            if day_index < days * 0.4
            else "imported"
            if day_index < days * 0.7
            else "native"
        )
        day_start = first + timedelta(days=day_index, hours=rng.uniform(0, 3))
        day_bytes = 0
        sitting = 0
        while day_bytes < per_day:
            start = day_start + timedelta(hours=sitting * rng.uniform(2, 5))
            sitting += 1
            key = rng.choice(
                ("agent:main:main", "agent:main:main", "agent:main:telegram:direct:42")
            )
            session = Session(rng, text, start, 4 if era == "native" else 3, key)
            target = rng.randint(30_000, 600_000)
            size = 0
            while size < target:
                session.turn()
                size = sum(len(x) for x in session.lines()[-6:]) * len(session.entries) // 6
            lines = session.lines()
            blob = b"\n".join(lines) + b"\n"
            day_bytes += len(blob)
            counts["sessions"] += 1
            if era == "legacy":
                name = f"{session.id}.jsonl"
                if rng.random() < 0.3:
                    name += f".reset.{iso(session.now).replace(':', '-')}"
                if rng.random() < 0.03:
                    path = (
                        sessions_dir
                        / f"{session.id}.jsonl.deleted.{iso(session.now).replace(':', '-')}.zst"
                    )
                    path.write_bytes(cctx.compress(blob))
                else:
                    (sessions_dir / name).write_bytes(blob)
                counts["jsonl"] += len(blob)
                continue
            if era == "imported":
                (import_dir / f"{session.id}.jsonl").write_bytes(blob)
                counts["import_copy"] += len(blob)
            rows = []
            for seq, (entry, line) in enumerate(zip(session.entries, lines, strict=True)):
                created = int(
                    datetime.fromisoformat(entry["timestamp"].replace("Z", "+00:00")).timestamp()
                    * 1000
                )
                if era == "native" and len(line) > 1024 and rng.random() < 0.7:
                    rows.append(
                        (session.id, seq, None, created, cctx.compress(line), len(line), "{}")
                    )
                else:
                    rows.append((session.id, seq, line.decode(), created, None, None, None))
            con.executemany("INSERT INTO transcript_events VALUES (?,?,?,?,?,?,?)", rows)
            con.execute(
                "INSERT INTO session_windows VALUES (?,?,?,?,?)",
                (session.id, key, None, rows[0][3], rows[-1][3]),
            )
            con.execute(
                "INSERT OR REPLACE INTO session_nodes VALUES (?,?,?,?)",
                (key, session.id, "{}", rows[-1][3]),
            )
            counts["sqlite"] += len(blob)
        written += day_bytes
        date = (day_start + timedelta(hours=1)).date().isoformat()
        if rng.random() < 0.35:
            (memory / f"{date}.md").write_text(f"# {date}\n\n- {text.words(4, 12)}\n")
        if rng.random() < 0.2:
            (memory / f"{date}-0930.md").write_text(f"# Session: {date} 09:30:00 UTC\n\nuser: hi\n")
    deleted = Session(
        rng, text, first + timedelta(days=days - 1, hours=20), 4, "agent:main:scratch"
    )
    deleted.turn()
    con.execute(
        "INSERT INTO session_transcript_archives VALUES (?,?,?,?,?,?,?,?,?)",
        (
            deleted.id,
            "g1",
            deleted.key,
            "deleted",
            "zstd",
            cctx.compress(b"\n".join(deleted.lines()) + b"\n"),
            "",
            f"{deleted.id}.jsonl.deleted.zst",
            0,
        ),
    )
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    counts["total_content_bytes"] = written
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--days", type=int, default=0, help="default: about 2.5 MB a day")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    days = args.days or max(10, args.size_mb * 10 // 25)
    summary = generate(args.out, args.size_mb, days, args.seed)
    print(orjson.dumps(summary).decode())


if __name__ == "__main__":
    main()
