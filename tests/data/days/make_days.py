"""Write the realistic days of tests/data/days/ (run from the repo root; the output is committed).

    python tests/data/days/make_days.py

Four days of one OpenClaw agent (Europe/Berlin), in the legacy JSONL store, shaped like the
public transcripts described in shared/openclaw-format.md §8-9 and with OpenClaw's injected
wordings copied from there exactly: heartbeat polls and their tool runs, liveness pings, media
hints, aborted-run notes, queued messages, cron announces, background-task results, subagent
context, `System:` lines in the middle of a message, reply tags, metadata blocks and channel
envelopes. The day's real work sits in the middle, between the noise.

* 2026-03-10: a long English day on Telegram (GitHub setup, a bug fixed, a design settled);
* 2026-03-11: a Chinese day on Feishu (a blog moved from Hexo to Hugo);
* 2026-03-12: a Japanese day mixed with English commands (nightly backups to a NAS);
* 2026-03-13: heartbeats and pings only.

`expected.json` lists, per day, the facts a daily file must hold (by section) and the injected
phrases it must not; tests/test_quality.py checks them.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.builders import Transcript, iso

HERE = Path(__file__).resolve().parent
STATE = HERE / "openclaw"
SESSIONS = STATE / "agents" / "main" / "sessions"
BERLIN = timedelta(hours=1)  # March: CET

MEDIA_HINT = (
    "To send an image back, prefer the message tool (media/path/filePath). If you must inline, "
    "use MEDIA:https://example.com/image.jpg (spaces ok, quote if needed) or a safe relative "
    "path like MEDIA:./image.jpg. Avoid absolute paths (MEDIA:/...) and ~ paths — they are "
    "blocked for security. Keep caption in the text body."
)
ABORTED = (
    "Note: The previous agent run was aborted by the user. Resume carefully or ask for "
    "clarification."
)
CRON_TAIL = (
    "A completed cron job is ready for user delivery. Convert the result above into your normal "
    "assistant voice and send that user-facing update now. Keep this internal context private "
    "(don't mention system/log/stats/session details or announce type), and do not copy the "
    "system message verbatim. Reply ONLY: NO_REPLY if this exact result was already delivered "
    "to the user in this same turn."
)
SUBAGENT = (
    "[Subagent Context] You are running as a subagent (depth 1/1). Results auto-announce to "
    "your requester; do not busy-poll for status."
)


def local(day: str, hhmm: str) -> datetime:
    """A Berlin wall-clock time as an aware UTC datetime."""
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=UTC) - BERLIN


_MESSAGE_IDS = itertools.count(9001)


def metadata(channel: str, sender: str) -> str:
    """The newer untrusted-metadata blocks OpenClaw puts before the person's words."""
    info = {"message_id": str(next(_MESSAGE_IDS)), "channel": channel, "chat_type": "direct"}
    who = {"label": sender, "name": sender}
    return (
        "Conversation info (untrusted metadata):\n```json\n"
        + json.dumps(info, indent=2)
        + "\n```\n\nSender (untrusted metadata):\n```json\n"
        + json.dumps(who, indent=2)
        + "\n```\n\n"
    )


class Day:
    """One session of the main agent on one day, written in time order."""

    def __init__(self, day: str, channel: str, sender: str, sid: str, model: str) -> None:
        self.day = day
        self.channel = channel
        self.sender = sender
        self.model = model
        self.t = Transcript(local(day, "06:55"), sid)
        self.t.add("model_change", provider="fake", modelId=model)

    def at(self, hhmm: str) -> None:
        """Move the clock to a wall-clock time (never backwards)."""
        moment = local(self.day, hhmm)
        if moment > self.t.now:
            self.t.now = moment

    def envelope(self, text: str) -> str:
        stamp = (self.t.now + BERLIN).strftime("%a %Y-%m-%d %H:%M")
        return f"[{self.channel} {self.sender} id:4711 {stamp} GMT+1] {text}"

    def person(self, text: str, *, meta: bool = True, before: str = "") -> None:
        """A message of the person, in its channel envelope (and metadata blocks)."""
        body = (metadata(self.channel.lower(), self.sender) if meta else "") + self.envelope(text)
        self.t.user(before + body, step=20)

    def raw_user(self, text: str, step: float = 20) -> None:
        self.t.user(text, step=step)

    def reply(self, text: str, tag: bool = False) -> None:
        self.t.assistant(("[[reply_to_current]] " if tag else "") + text, model=self.model, step=4)

    def run(self, command: str, output: str = "ok", failed: bool = False) -> None:
        self.tool("exec", {"command": command}, output, failed)

    def tool(self, name: str, args: dict[str, Any], output: str = "ok", failed: bool = False):
        self.t.tool_call(name, args, model=self.model, step=3)
        result = self.t.entries[-1]["message"]
        result["content"] = [{"type": "text", "text": output}]
        result["isError"] = failed

    def heartbeat(self, hhmm: str, alert: str | None = None) -> None:
        """A heartbeat run: the poll, the agent's routine checks, then HEARTBEAT_OK."""
        self.at(hhmm)
        self.raw_user("[OpenClaw heartbeat poll]", step=1)
        self.run("date +%s", "1773130000")
        self.tool("read", {"path": "memory/heartbeat-state.json"}, '{"lastWeather": "cloudy"}')
        self.run("curl -s 'wttr.in/Berlin?format=3'", "Berlin: ⛅️ +7°C")
        self.tool("write", {"path": "memory/heartbeat-state.json", "content": "{}"})
        self.reply(alert or "HEARTBEAT_OK")

    def ping(self, hhmm: str) -> None:
        """A monitoring script's liveness ping and the agent's one-word answer."""
        self.at(hhmm)
        stamp = (self.t.now + BERLIN - BERLIN).strftime("%a %Y-%m-%d %H:%M")
        self.raw_user(f"[{stamp} UTC] Respond with one word: OK", step=1)
        self.reply("OK")

    def compaction(self, tokens: int) -> None:
        self.t.add("compaction", step=2, summary="Summary of the morning.", tokensBefore=tokens)


def background(day: Day, until: str, start: str = "07:00", every: int = 15) -> list[str]:
    """Heartbeats every 30 minutes and pings every 15 from `start` until `until` (times only)."""
    slots = []
    h, m = map(int, start.split(":"))
    end_h, end_m = map(int, until.split(":"))
    while (h, m) <= (end_h, end_m):
        slots.append(f"{h:02d}:{m:02d}")
        m += every
        h, m = h + m // 60, m % 60
    return slots


def noise_between(day: Day, start: str, end: str) -> None:
    """The noise of a stretch of the day: a heartbeat at :00 and :30, pings at :05/:20/:35/:50."""
    for slot in background(day, end, start, 5):
        minute = int(slot[3:])
        if minute in (0, 30):
            day.heartbeat(slot)
        elif minute in (5, 20, 35, 50):
            day.ping(slot)


def english_day() -> tuple[list[Transcript], dict[str, Any]]:
    d = Day("2026-03-10", "Telegram", "Alice", "a1a1a1a1-0000-4000-8000-000000000310", "alpha")
    noise_between(d, "07:00", "08:00")
    d.at("08:02")
    d.person("hi")
    d.reply("Good morning! What are we working on today?", tag=True)
    noise_between(d, "08:05", "09:05")
    d.at("09:10")
    d.person("Can you set up a GitHub repo for the garden-planner project and push what we have?")
    d.run("ls -la")
    d.run("pwd", "/home/alice/garden-planner")
    d.run("git status --short", " M src/scheduler.ts")
    d.run("gh repo create alice/garden-planner --private --source=. --remote=origin")
    d.run("git add -A")
    d.run('git commit -m "Initial import of garden-planner"')
    d.run("git push -u origin main", "To github.com:alice/garden-planner.git\n * [new branch] main")
    d.reply(
        "Done: the repository is at https://github.com/alice/garden-planner and main is pushed."
    )
    d.at("09:16")
    queued = [
        d.envelope("also add a README with the setup steps"),
        d.envelope("and use MIT as the license"),
    ]
    d.raw_user(
        "[Queued messages while agent was busy]\n\n---\nQueued #1\n"
        + queued[0]
        + "\n---\nQueued #2\n"
        + queued[1]
    )
    d.tool("write", {"path": "README.md", "content": "# garden-planner\n..."})
    d.tool("write", {"path": "LICENSE", "content": "MIT License..."})
    d.run('git commit -am "Add README and MIT license"')
    d.run("git push")
    d.reply("Added README.md with the setup steps and an MIT LICENSE, and pushed both.")
    noise_between(d, "09:20", "10:25")
    d.at("10:30")
    d.raw_user(
        "[media attached: /home/alice/.openclaw/media/inbound/photo-1.jpg (image/jpeg) | "
        "/home/alice/.openclaw/media/inbound/photo-1.jpg]\n"
        + MEDIA_HINT
        + "\n"
        + metadata("telegram", "Alice")
        + d.envelope("This is the error the app shows on my phone")
    )
    d.reply(
        "The screenshot shows a TypeError in the watering scheduler: cannot read properties of "
        "undefined (reading 'zone')."
    )
    d.at("10:40")
    d.person("Can you find out why the watering scheduler crashes?")
    d.tool("read", {"path": "src/scheduler.ts"}, "export function schedule(bed) { bed.zone.id }")
    d.run(
        "npm test",
        "FAIL src/scheduler.test.ts\nTypeError: Cannot read properties of undefined "
        "(reading 'zone')",
        failed=True,
    )
    d.reply("Found it: beds without a zone crash the scheduler. Fixing it now.")
    d.tool("edit", {"path": "src/scheduler.ts", "oldText": "bed.zone.id", "newText": "zoneOf(bed)"})
    d.run("npm test", "Tests: 42 passed, 42 total")
    d.run('git commit -am "Fix scheduler crash when a bed has no zone"')
    d.run("git push")
    d.reply(
        "Fixed: beds without a zone crashed the scheduler; they now fall back to the garden's "
        "default zone. All 42 tests pass and the fix is pushed."
    )
    noise_between(d, "10:50", "11:10")
    d.at("11:14")
    d.model = "beta"
    d.t.add(
        "custom",
        step=1,
        customType="model-snapshot",
        data={"provider": "fake", "modelId": "beta", "timestamp": 0},
    )
    d.person(
        "Let's continue with the design: should watering rules live in the database or in a "
        "YAML file?",
        before=(
            "System: [2026-03-10 11:14:58 GMT+1] Model switched to fake/beta\n\n" + ABORTED + "\n\n"
        ),
    )
    d.reply(
        "A database keeps rules consistent and queryable; YAML is easy to edit by hand but "
        "breaks silently on a typo. I'd lean towards SQLite."
    )
    d.at("11:30")
    d.person("Let's go with SQLite for the watering rules, YAML is too fragile.")
    d.reply("Agreed, going with SQLite for the watering rules; I'll add a rules table.")
    d.tool("write", {"path": "db/migrations/002_rules.sql", "content": "CREATE TABLE rules"})
    d.run("npx knex migrate:latest", "Batch 2 run: 1 migrations")
    d.reply("The rules table exists now (migration 002_rules.sql applied).")
    d.at("11:45")
    d.person("From now on, always run the tests before you push.")
    d.reply("Understood: from now on I'll run npm test before every push.")
    d.at("12:00")
    d.person(
        "Please switch the notifications from Telegram to email\n"
        "System: [2026-03-10 12:00:03 GMT+1] WhatsApp gateway connected."
    )
    d.run("openclaw config set notifications.channel email", "Updated notifications.channel")
    d.run("systemctl --user restart openclaw-gateway")
    d.reply("Notifications now go to email; I restarted the gateway to apply it.")
    noise_between(d, "12:05", "12:25")
    d.at("12:30")
    d.raw_user(
        "[System Message] [sessionId: 9c9c9c9c-0000-4000-8000-000000000001] A cron job "
        '"daily-brief" just completed successfully.\n\nResult:\nRain expected at 16:00; the '
        "compost delivery moved to Thursday.\n\nStats: runtime 1m11s • tokens 976 (in 767 / "
        "out 209)\n\n" + CRON_TAIL
    )
    d.reply("Heads up: rain is expected at 16:00, and the compost delivery moved to Thursday.")
    d.at("13:00")
    d.person("Research drip irrigation kits under 100 euros and summarize the best two")
    d.tool("sessions_spawn", {"task": "Research drip irrigation kits under 100 euros"})
    d.reply("I started a background task for the research; I'll report back.")
    d.at("13:20")
    d.raw_user(
        'A background task "drip-kit research" just completed successfully.\n\nFindings:\n'
        "The Gardena Micro-Drip starter set (79 EUR) and the Rain Bird kit (92 EUR) fit the "
        "budget; the Gardena set is easier to extend."
    )
    d.reply("The research is done: the Gardena Micro-Drip set (79 €) is the better pick.")
    d.compaction(182_000)
    noise_between(d, "13:25", "17:25")
    d.at("17:30")
    d.person("thanks, that's all for today")
    d.reply("You're welcome! Have a nice evening.")
    noise_between(d, "17:35", "21:05")

    sub = Transcript(local("2026-03-10", "13:01"), "5b5b5b5b-0000-4000-8000-000000000310")
    sub.add("model_change", provider="fake", modelId="alpha")
    sub.user(
        "[Tue 2026-03-10 12:01 UTC] "
        + SUBAGENT
        + "\n\n[Subagent Task]: Research drip irrigation kits under 100 euros and summarize the "
        "best two.",
        step=1,
    )
    sub.tool_call("web_fetch", {"url": "https://www.gardena.com/de/produkte/bewaesserung/"})
    sub.assistant(
        "The Gardena Micro-Drip starter set (79 EUR) and the Rain Bird kit (92 EUR) fit; "
        "Gardena is easier to extend."
    )
    facts = {
        "requests": [
            "set up a GitHub repo for the garden-planner project",
            "add a README with the setup steps",
            "use MIT as the license",
            "This is the error the app shows on my phone",
            "why the watering scheduler crashes",
            "should watering rules live in the database or in a YAML file",
            "switch the notifications from Telegram to email",
            "Research drip irrigation kits under 100 euros",
        ],
        "decisions": [
            "go with SQLite for the watering rules",
            "always run the tests before you push",
            "switch the notifications from Telegram to email",
            "MIT as the license",
        ],
        "commands": [
            "git push -u origin main",
            "gh repo create alice/garden-planner",
            "npm test",
            "npx knex migrate:latest",
            "openclaw config set notifications.channel email",
            "systemctl --user restart openclaw-gateway",
        ],
        "files": ["README.md", "src/scheduler.ts", "db/migrations/002_rules.sql"],
        "errors": ["Cannot read properties of undefined"],
        "urls": ["https://github.com/alice/garden-planner"],
        "outcomes": [
            "main is pushed",
            "All 42 tests pass",
            'job "daily-brief" finished: Rain expected at 16:00',
            "Gardena Micro-Drip",
            "sent an image",
        ],
    }
    return [d.t, sub], facts


def chinese_day() -> tuple[list[Transcript], dict[str, Any]]:
    d = Day("2026-03-11", "Feishu", "李雷", "c2c2c2c2-0000-4000-8000-000000000311", "alpha")
    noise_between(d, "07:00", "08:55")
    d.at("09:00")
    d.person("早上好")
    d.reply("早上好！今天做什么？")
    d.at("09:30")
    d.person("帮我把博客从 Hexo 迁移到 Hugo，先看看现在的配置")
    d.tool("read", {"path": "blog/_config.yml"}, "title: 李雷的博客\ntheme: next")
    d.run("hugo version", "hugo v0.145.0+extended linux/amd64")
    d.run("hugo new site blog-hugo")
    d.reply("现在的博客用 Hexo 和 NexT 主题，一共 86 篇文章。Hugo 站点 blog-hugo 已经建好了。")
    noise_between(d, "09:35", "09:55")
    d.at("10:00")
    d.person("我们决定用 Hugo，主题就用 PaperMod。")
    d.reply("好的，就用 Hugo 和 PaperMod 主题。")
    d.run(
        "hugo --minify",
        'Error: module "PaperMod" not found; either add it as a Hugo Module or store it in '
        '"themes".',
        failed=True,
    )
    d.run("git submodule add https://github.com/adityatelange/hugo-PaperMod themes/PaperMod")
    d.run("hugo --minify", "Total in 812 ms")
    d.reply("PaperMod 主题装好了，网站可以正常生成，文章迁移完成。")
    d.at("10:20")
    d.person("以后发布文章都先在 staging 分支预览。")
    d.reply("明白，以后发布文章都先推到 staging 分支预览。")
    d.run("git push origin staging")
    d.at("10:40")
    d.person("把域名解析改成 Cloudflare。")
    d.tool("web_fetch", {"url": "https://dash.cloudflare.com/"})
    d.reply("域名解析已经改成 Cloudflare 了，DNS 记录也迁移好了。")
    noise_between(d, "10:45", "12:00")
    d.at("12:10")
    d.person("谢谢")
    d.reply("不客气！")
    noise_between(d, "12:15", "18:00")
    facts = {
        "requests": ["把博客从 Hexo 迁移到 Hugo", "把域名解析改成 Cloudflare"],
        "decisions": [
            "我们决定用 Hugo，主题就用 PaperMod",
            "以后发布文章都先在 staging 分支预览",
            "把域名解析改成 Cloudflare",
        ],
        "commands": ["git submodule add", "git push origin staging", "hugo --minify"],
        "files": ["blog/_config.yml"],
        "errors": ['module "PaperMod" not found'],
        "urls": ["https://github.com/adityatelange/hugo-PaperMod"],
        "outcomes": ["文章迁移完成"],
        "topics": ["Hugo", "PaperMod"],
    }
    return [d.t], facts


def japanese_day() -> tuple[list[Transcript], dict[str, Any]]:
    d = Day("2026-03-12", "Telegram", "Yuki", "d3d3d3d3-0000-4000-8000-000000000312", "alpha")
    noise_between(d, "07:00", "08:25")
    d.at("08:30")
    d.person("おはよう")
    d.reply("おはようございます！")
    d.at("09:00")
    d.person("家計簿アプリのバックアップを毎晩 NAS にとるようにしたい")
    d.run("crontab -l", "no crontab for yuki")
    d.tool("write", {"path": "scripts/backup.sh", "content": "#!/bin/sh\nrsync -av ..."})
    d.run(
        "rsync -av ~/kakeibo/ nas:/backup/kakeibo/",
        "rsync: connection unexpectedly closed (0 bytes received so far) [sender]",
        failed=True,
    )
    d.reply("NAS への rsync が失敗しました。NAS の SSH が止まっているようです。")
    noise_between(d, "09:05", "09:40")
    d.at("09:45")
    d.person("NAS の SSH を再起動したよ。バックアップは毎晩3時にすることにした。")
    d.run("rsync -av ~/kakeibo/ nas:/backup/kakeibo/", "sent 1.2M bytes  total size 48M")
    d.run('(crontab -l; echo "0 3 * * * ~/scripts/backup.sh") | crontab -')
    d.reply("バックアップは毎晩3時に実行されるように設定しました。初回のバックアップも成功です。")
    d.at("10:00")
    d.person("今後は失敗したらメールで通知してください。")
    d.reply("承知しました。今後は失敗したらメールで通知します。")
    d.at("10:15")
    d.person(
        "Also, use restic instead of plain rsync. Docs: https://restic.readthedocs.io/en/stable/"
    )
    d.run("restic -r sftp:nas:/backup/restic init", "created restic repository 5f3a at sftp:nas")
    d.reply("Switched the backup script to restic; the repository on the NAS is initialised.")
    noise_between(d, "10:20", "16:00")
    facts = {
        "requests": [
            "家計簿アプリのバックアップを毎晩 NAS にとるようにしたい",
            "restic instead of plain rsync",
        ],
        "decisions": [
            "バックアップは毎晩3時にすることにした",
            "今後は失敗したらメールで通知してください",
            "restic instead of plain rsync",
        ],
        "commands": ["restic -r sftp:nas:/backup/restic init", "crontab -"],
        "files": ["scripts/backup.sh"],
        "errors": ["connection unexpectedly closed"],
        "urls": ["https://restic.readthedocs.io/en/stable/"],
        "outcomes": ["初回のバックアップも成功"],
        "topics": ["restic"],
    }
    return [d.t], facts


def noise_day() -> tuple[list[Transcript], dict[str, Any]]:
    d = Day("2026-03-13", "Telegram", "Alice", "e4e4e4e4-0000-4000-8000-000000000313", "alpha")
    noise_between(d, "07:00", "22:00")
    return [d.t], {"noise_only": True}


FORBIDDEN = [
    "[OpenClaw heartbeat poll]",
    "heartbeat-state.json",
    "wttr.in",
    "date +%s",
    "Respond with one word",
    "example.com/image.jpg",
    "Avoid absolute paths",
    "MEDIA:",
    "previous agent run was aborted",
    "Queued messages while agent was busy",
    "Queued #",
    "Convert the result above",
    "normal assistant voice",
    "Subagent Context",
    "busy-poll",
    "System:",
    "reply_to_current",
    "untrusted metadata",
    "[System Message]",
    "sessionId:",
    "Stats: runtime",
]


def main() -> None:
    if STATE.exists():
        shutil.rmtree(STATE)
    SESSIONS.mkdir(parents=True)
    (STATE / "workspace" / "memory").mkdir(parents=True)
    (STATE / "workspace" / "memory" / ".keep").write_text("")
    (STATE / "openclaw.json").write_text(
        json.dumps({"agents": {"defaults": {"userTimezone": "Europe/Berlin"}}}, indent=2) + "\n"
    )
    expected: dict[str, Any] = {"forbidden": FORBIDDEN, "budget_bytes": 8192, "days": {}}
    keys: dict[str, Any] = {}
    for day, key, make in (
        ("2026-03-10", "agent:main:main", english_day),
        ("2026-03-11", "agent:main:feishu:direct:ou_4711", chinese_day),
        ("2026-03-12", "agent:main:telegram:direct:4712", japanese_day),
        ("2026-03-13", "agent:main:telegram:direct:4711", noise_day),
    ):
        transcripts, facts = make()
        expected["days"][day] = facts
        for n, t in enumerate(transcripts):
            t.write(SESSIONS / f"{t.session_id}.jsonl")
            name = key if n == 0 else f"agent:main:subagent:{t.session_id}"
            keys[name] = {"sessionId": t.session_id, "updatedAt": int(t.now.timestamp() * 1000)}
    (SESSIONS / "sessions.json").write_text(json.dumps(keys, indent=2) + "\n")
    (HERE / "expected.json").write_text(
        json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {STATE} and {HERE / 'expected.json'} ({iso(datetime.now(UTC))})")


if __name__ == "__main__":
    main()
