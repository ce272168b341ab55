"""Secrets never leave: shape rules, exact values, and every exit of the program."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import sqlite3
import string
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memory_sync.redact import Redactor, machine_secrets
from tests.builders import Transcript, iso
from tests.conftest import NEW

RNG = random.Random(4242)


def rand(chars: str, n: int) -> str:
    return "".join(RNG.choice(chars) for _ in range(n))


ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "_-"
HEX = "0123456789abcdef"

# kind -> secrets of that shape, as people paste them
PLANTED: dict[str, list[str]] = {
    "anthropic-key": ["sk-ant-api03-" + rand(B64URL, 93) + "AA"],
    "openai-key": ["sk-proj-" + rand(B64URL, 120), "sk-" + rand(ALNUM, 48)],
    "openrouter-key": ["sk-or-v1-" + rand(HEX, 64)],
    "google-api-key": ["AIza" + rand(B64URL, 35)],
    "groq-key": ["gsk_" + rand(ALNUM, 52)],
    "xai-key": ["xai-" + rand(ALNUM, 80)],
    "deepseek": ["sk-" + rand(HEX, 32)],
    "github-token": [
        "ghp_" + rand(ALNUM, 36),
        "github_pat_" + rand(ALNUM + "_", 82),
        "ghs_" + rand(ALNUM, 36),
    ],
    "gitlab-token": ["glpat-" + rand(B64URL, 20)],
    "slack-token": [
        "xoxb-" + rand("0123456789", 12) + "-" + rand("0123456789", 13) + "-" + rand(ALNUM, 24)
    ],
    "discord-token": ["MT" + rand(ALNUM, 24) + "." + rand(B64URL, 6) + "." + rand(B64URL, 38)],
    "telegram-bot-token": [rand("123456789", 10) + ":AA" + rand(B64URL, 33)],
    "feishu-token": ["t-g1044" + rand(ALNUM, 34)],
    "aws-access-key": ["AKIA" + rand(string.ascii_uppercase + string.digits, 16)],
    "stripe-key": ["sk_live_" + rand(ALNUM, 24)],
    "twilio-key": ["SK" + rand(HEX, 32)],
    "sendgrid-key": ["SG." + rand(B64URL, 22) + "." + rand(B64URL, 43)],
    "notion-token": ["ntn_" + rand(ALNUM, 46), "secret_" + rand(ALNUM, 43)],
    "brave-key": ["BSA" + rand(ALNUM, 27)],
    "tavily-key": ["tvly-" + rand(ALNUM, 32)],
    "jwt": ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + rand(B64URL, 43)],
    "huggingface-token": ["hf_" + rand(ALNUM, 34)],
}
SECRET_SENTENCES = [
    # (text, the secret part that must disappear)
    (
        "git remote set-url origin https://x-access-token:{v}@github.com/ana/notes.git",
        rand(ALNUM, 40),
    ),
    ("db is postgres://app:{v}@db.internal:5432/prod", rand(ALNUM, 16)),
    ("curl -H 'Authorization: Bearer {v}' https://api.example.com", rand(B64URL, 40)),
    ("my gmail app password is {v}", " ".join(rand("bcdfghjklmnpqrstvwxz", 4) for _ in range(4))),
    ('"apiKey": "{v}"', rand(ALNUM, 32)),
    ("FEISHU_APP_SECRET={v}", rand(ALNUM, 32)),
    ("aws_secret_access_key = {v}", rand(ALNUM + "/+", 40)),
    ("MISTRAL_API_KEY={v}", rand(ALNUM, 32)),
    ("curl -u ana:{v} https://nas.local/api", rand(ALNUM, 20)),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{v}\n-----END OPENSSH PRIVATE KEY-----",
        rand(ALNUM + "+/", 280),
    ),
]


def all_secrets() -> list[tuple[str, str]]:
    """(text containing a secret, the secret) pairs."""
    out = [(f"here is my key {v} thanks", v) for vs in PLANTED.values() for v in vs]
    out += [(t.format(v=v), v) for t, v in SECRET_SENTENCES]
    return out


@pytest.mark.parametrize(("text", "secret"), all_secrets())
def test_every_kind_is_redacted(text, secret):
    out = Redactor()(text)
    assert secret not in out and "[REDACTED:" in out
    for part in secret.split():
        if len(part) >= 12:
            assert part not in out


def benign_samples() -> list[str]:
    rng = random.Random(7)
    samples: list[str] = []
    for _ in range(150):
        samples.append(f"fixed in commit {''.join(rng.choice(HEX) for _ in range(40))}")
        samples.append(f"session {uuid.UUID(int=rng.getrandbits(128), version=4)} started")
        samples.append(
            f'{{"type":"message","id":"{"".join(rng.choice(HEX) for _ in range(8))}","parentId":"{"".join(rng.choice(HEX) for _ in range(8))}"}}'
        )
        data = base64.b64encode(rng.randbytes(300)).decode()
        samples.append(f'{{"type":"image","data":"{data}","mimeType":"image/png"}}')
        samples.append(f"sha256 {hashlib.sha256(rng.randbytes(16)).hexdigest()}  release.tar.gz")
        samples.append(f"md5: {hashlib.md5(rng.randbytes(16)).hexdigest()}")
        samples.append(
            f"edited src/{rng.choice(['cache', 'upload', 'parser'])}/{rng.choice(['store', 'retry', 'lexer'])}_{rng.randint(1, 99)}.py"
        )
        samples.append(
            f"see https://docs.example.com/guide/{rng.randint(1, 999)}?page={rng.randint(1, 9)}#token-usage"
        )
    prose = [
        "The token budget for this model is 200k tokens.",
        "Please reset my password on the router tomorrow.",
        "Where do I put the API key? In the config file, not in the chat.",
        "We counted the tokens: input 11261, output 39.",
        "The password manager sync failed again.",
        "Use a secret santa draw for the family this year.",
        "The access key rotation policy is 90 days.",
        "auth failed: wrong credentials, try again later",
        "token_count = 123456",
        "password_hint = the name of the first cat",
        "apiKey: process.env.ANTHROPIC_API_KEY",
        "secret: ${OPENAI_API_KEY}",
        "when they were here last year",
        "Authorization header missing in request",
        "bearer of good news",
        "sk-learn pipeline looks fine",
        "ls -la memory/2026-11-20.md",
        "2026-11-20T07:58:58.170Z model changed to fake/beta",
        "call_fake_5 toolu_01ABCDEF finished",
        "The relevant file is `src/export/json_legacy.py`; verify with `git rm src/export/json_legacy.py`.",
    ]
    samples += prose * 12
    return samples


def test_benign_look_alikes_are_left_alone():
    from tests.secret_corpus import BENIGN

    samples = benign_samples() + BENIGN
    assert len(BENIGN) >= 1000
    redactor = Redactor()
    hit = [s for s in samples if redactor(s) != s]
    assert len(hit) <= len(samples) // 100, hit[:10]


LINE_PIECES = [
    *(v for vs in PLANTED.values() for v in vs),
    *(t.format(v=v) for t, v in SECRET_SENTENCES),
    "known-value-12345",
    "- ",
    "User: ",
    "token",
    "secret",
    "password is",
    " ",
    ": ",
    "=",
    "abcd efgh ijkl mnop",
    "[REDACTED:jwt]",
    "plain words here",
    "\t",
    "é",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(LINE_PIECES), max_size=6).map("".join), max_size=12))
def test_lines_in_one_batch_are_redacted_as_one_by_one(lines):
    """Redactor.each skips the rules whose hints no line has; the result is exactly that of
    redacting each line alone (memory blocks are redacted line by line this way)."""
    redactor = Redactor(known_values=["known-value-12345"])
    assert redactor.each(lines) == [Redactor(known_values=["known-value-12345"])(x) for x in lines]


# The token rules as first written: the boundary check before the prefix. The rules put it
# after the prefix (`redact._starts`), which the regex engine searches much faster.
_PLAIN_B = r"(?<![A-Za-z0-9_+/-])"
_PLAIN_E = r"(?![A-Za-z0-9_-])"
PLAIN_TOKEN_RULES = {
    "anthropic-key": _PLAIN_B + r"sk-ant-(?:api|admin|oat|ort)\d{2}-[A-Za-z0-9_-]{20,}",
    "openrouter-key": _PLAIN_B + r"sk-or-v1-[A-Za-z0-9]{32,}",
    "openai-key": _PLAIN_B + r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}" + _PLAIN_E,
    "google-api-key": _PLAIN_B + r"AIza[0-9A-Za-z_-]{35}" + _PLAIN_E,
    "google-oauth-token": _PLAIN_B + r"ya29\.[0-9A-Za-z_-]{20,}",
    "groq-key": _PLAIN_B + r"gsk_[A-Za-z0-9]{40,}",
    "xai-key": _PLAIN_B + r"xai-[A-Za-z0-9]{40,}",
    "huggingface-token": _PLAIN_B + r"hf_[A-Za-z0-9]{30,}",
    "perplexity-key": _PLAIN_B + r"pplx-[A-Za-z0-9]{40,}",
    "github-token": _PLAIN_B + r"(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})",
    "gitlab-token": _PLAIN_B + r"gl(?:pat|dt|rt|ptt|ft|soat)-[A-Za-z0-9_-]{20,}",
    "slack-token": _PLAIN_B + r"xox[abposr]-[A-Za-z0-9-]{10,}",
    "slack-app-token": _PLAIN_B + r"xapp-\d-[A-Z0-9]+-\d+-[A-Za-z0-9]+",
    "discord-token": _PLAIN_B
    + r"[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}"
    + _PLAIN_E,
    "telegram-bot-token": _PLAIN_B + r"\d{8,10}:AA[A-Za-z0-9_-]{33}" + _PLAIN_E,
    "feishu-token": _PLAIN_B + r"[tu]-g[A-Za-z0-9_-]{25,}",
    "aws-access-key": _PLAIN_B + r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}" + _PLAIN_E,
    "stripe-key": _PLAIN_B + r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}",
    "stripe-webhook-secret": _PLAIN_B + r"whsec_[A-Za-z0-9]{24,}",
    "twilio-key": _PLAIN_B + r"SK[0-9a-fA-F]{32}" + _PLAIN_E,
    "sendgrid-key": _PLAIN_B + r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{30,}",
    "notion-token": _PLAIN_B + r"(?:secret_[A-Za-z0-9]{40,}|ntn_[A-Za-z0-9]{40,})",
    "brave-key": _PLAIN_B + r"BSA[A-Za-z0-9_-]{25,}",
    "tavily-key": _PLAIN_B + r"tvly-[A-Za-z0-9-]{20,}",
    "jwt": _PLAIN_B + r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
}
TOKEN_PIECES = [
    *(v for vs in PLANTED.values() for v in vs),
    *"sk- ant- or-v1- proj- AIza ya29. gsk_ xai- hf_ pplx- gh ghp_ github_pat_ gl glpat- xox "
    "xoxb- xapp-1-A1-2- M N O t-g u-g AKIA ASIA sk_ rk_ pk_ live_ test_ whsec_ SK SG. secret_ "
    "ntn_ BSA tvly- eyJ 12345678 :AA".split(),
    *" \n\t./+-_=:@\"'`",
    "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5hJ7kL9mN",
    "0123456789abcdef0123456789abcdef",
    "x",
    "é",
]


def test_token_rules_match_as_first_written():
    """Each token rule finds exactly what its plain form (the boundary check first) finds, on
    texts made of prefixes, token characters and separators (a fixed set of random ones)."""
    rules = {r.kind: r for r in Redactor().rules if r.kind in PLAIN_TOKEN_RULES}
    assert rules.keys() == PLAIN_TOKEN_RULES.keys()
    plain = {kind: re.compile(source) for kind, source in PLAIN_TOKEN_RULES.items()}
    rng = random.Random(6)
    texts = ["".join(rng.choices(TOKEN_PIECES, k=rng.randint(1, 14))) for _ in range(3000)]
    texts += [f"{a}{b}" for a in " x/+-_.\n" for vs in PLANTED.values() for b in vs]
    for kind, rule in rules.items():
        for text in texts:
            found = [m.span() for m in rule.pattern.finditer(text)]
            assert found == [m.span() for m in plain[kind].finditer(text)], (kind, text)


def test_gates_pass_every_text_their_rule_matches():
    """A rule's gate only skips texts the rule cannot match (a fixed set of random texts)."""
    rng = random.Random(7)
    pieces = [*TOKEN_PIECES, *LINE_PIECES, "abcd-efgh-ijkl-mnop", "api_key", "=", ": "]
    texts = ["".join(rng.choices(pieces, k=rng.randint(1, 10))) for _ in range(3000)]
    gated = [r for r in Redactor().rules if r.gate is not None]
    assert {r.kind for r in gated} >= {"random-token", "app-password", "secret-assignment"}
    for rule in gated:
        matched = [t for t in texts if rule.pattern.search(t)]
        assert len(matched) >= 5, rule.kind  # the texts do exercise the rule
        assert all(rule.gate(t) for t in matched), rule.kind


def test_exact_values_from_the_machine(tmp_path):
    state = tmp_path / "state"
    (state / "agents/main/agent").mkdir(parents=True)
    (state / "openclaw.json").write_text(
        '{channels: {telegram: {botToken: "weird-but-secret-1"}}, '
        'models: {providers: {x: {apiKey: "<redacted>"}}}}'
    )
    (state / "agents/main/agent/auth-profiles.json").write_text(
        json.dumps({"profiles": {"anthropic:default": {"token": "plain words secret two"}}})
    )
    env = {"MY_SERVICE_PASSWORD": "correct horse battery", "PWD": "/home/ana", "SHORT_KEY": "abc"}
    values = machine_secrets(env, state, [state / "agents/main"])
    assert values == {"weird-but-secret-1", "plain words secret two", "correct horse battery"}
    redact = Redactor(values)
    assert (
        redact("the bot token is weird-but-secret-1.")
        == "the bot token is [REDACTED:known-secret]."
    )
    assert "correct horse battery" not in redact("pw: correct horse battery")


# ------------------------------------------------------------------ every exit, both eras


def _plant_in_jsonl(state: Path, texts: list[str]) -> None:
    """Texts with secrets in user text, assistant text, tool-call arguments, tool results and
    thinking, one place after another."""
    t = Transcript(
        datetime(2026, 11, 21, 12, 0, tzinfo=UTC), "5ec7e75e-0000-4000-8000-00000000000a"
    )
    t.add("model_change", provider="fake", modelId="alpha")
    for i, text in enumerate(texts):
        where = i % 5
        if where == 0:
            t.user(f"Here it is: {text} keep it safe")
            t.assistant("Noted, I will keep it safe.")
        elif where == 1:
            t.user("What did you store?")
            t.assistant(f"We decided to store {text} in the vault.")
        elif where == 2:
            t.user("Set it up.")
            t.tool_call("exec", {"command": f"printf '%s' '{text}' > ~/.config/app.env"})
        elif where == 3:
            t.user("Read the config.")
            t.tool_call("read", {"path": "config.json"})
            t.entries[-1]["message"]["content"] = [{"type": "text", "text": text}]
            t.entries[-1]["message"]["isError"] = True
        else:
            t.user("Think about it.")
            t.message(
                {
                    "role": "assistant",
                    "provider": "fake",
                    "model": "alpha",
                    "content": [
                        {"type": "thinking", "thinking": f"the secret is {text}"},
                        {"type": "text", "text": "Thought about it."},
                    ],
                }
            )
    t.write(state / "agents/main/sessions/5ec7e75e-0000-4000-8000-00000000000a.jsonl")


def _plant_in_sqlite(state: Path, texts: list[str]) -> None:
    db = state / "agents/main/agent/openclaw-agent.sqlite"
    con = sqlite3.connect(db)
    con.execute("PRAGMA ignore_check_constraints = 1")  # the schema's checks need SQLite 3.43+
    sid = "d7402f73-23be-4825-b5c9-8e022307261c"
    seq = con.execute(
        "SELECT max(seq) FROM transcript_events WHERE session_id=?", (sid,)
    ).fetchone()[0]
    moment = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
    for i, text in enumerate(texts):
        seq += 1
        stamp = iso(moment.replace(minute=i % 60, second=i // 60))
        role_text = [
            {"role": "user", "content": f"my secret: {text}"},
            {
                "role": "assistant",
                "provider": "fake",
                "model": "alpha",
                "content": [{"type": "text", "text": f"Stored `{text}` as asked."}],
            },
            {
                "role": "assistant",
                "provider": "fake",
                "model": "alpha",
                "content": [
                    {
                        "type": "toolCall",
                        "id": f"c{i}",
                        "name": "exec",
                        "arguments": {"command": f"echo '{text}' >> .env"},
                    }
                ],
            },
            {
                "role": "toolResult",
                "toolCallId": f"c{i}",
                "toolName": "exec",
                "isError": True,
                "content": [{"type": "text", "text": f"error: bad credentials {text}"}],
            },
            {
                "role": "assistant",
                "provider": "fake",
                "model": "alpha",
                "content": [
                    {"type": "thinking", "thinking": f"remember {text}"},
                    {"type": "text", "text": "Done."},
                ],
            },
        ][i % 5]
        role_text["timestamp"] = int(moment.timestamp() * 1000) + i
        entry = {
            "type": "message",
            "id": f"5ec{i:05d}",
            "parentId": None,
            "timestamp": stamp,
            "message": role_text,
        }
        con.execute(
            "INSERT INTO transcript_events (session_id, seq, event_json, created_at) "
            "VALUES (?,?,?,?)",
            (sid, seq, json.dumps(entry), int(moment.timestamp() * 1000)),
        )
    con.commit()
    con.close()


def test_planted_secrets_never_reach_files_or_output(cli, corpus, monkeypatch, isolated_env):
    """Over 200 secrets of over 60 kinds, in every place of both stores: no secret, nor half
    of one, in any output of any command, memory file, LLM request or cached answer."""
    from tests.fake_llm_api import FakeAPI
    from tests.secret_corpus import KINDS, PLANTED, pieces

    assert len(PLANTED) >= 200 and len(KINDS) >= 60
    state = corpus(NEW)
    texts = [sentence for _, sentence, _ in PLANTED]
    _plant_in_jsonl(state, texts)
    _plant_in_sqlite(state, texts)
    # a secret with no known shape, known only from the environment
    monkeypatch.setenv("HOMELAB_ROUTER_PASSWORD", "purple-elephant-dances")
    extra = Transcript(
        datetime(2026, 11, 22, 13, tzinfo=UTC), "ab5ec000-0000-4000-8000-000000000000"
    )
    extra.user("the router password is purple-elephant-dances")
    extra.assistant("Saved purple-elephant-dances for the router.")
    extra.write(state / "agents/main/sessions/ab5ec000-0000-4000-8000-000000000000.jsonl")
    outputs = []
    commands = [
        ("compare", "--json"),
        ("compare", "-v"),
        ("backfill", "--all", "--force", "--dry-run", "-v"),
        ("backfill", "--all", "--force", "--json"),
        ("backfill", "--all", "--force"),
        ("extract", "--since", "2026-11-01", "--format", "md"),
        ("extract", "--since", "2026-11-01", "--format", "json"),
        ("extract", "--since", "2026-11-01", "--format", "text"),
        ("extract", "--date", "2026-11-21", "--query", "secret"),
        ("stats", "--json"),
        ("stats",),
        ("transitions", "--json"),
        ("validate", "--json"),
        ("validate",),
    ]
    for args in commands:
        result = cli(*args, "--openclaw-dir", state)
        assert result.exit_code in (0, 3), (args, result.stderr)
        outputs += [result.stdout, result.stderr]
    files = [p.read_text() for p in (state / "workspace/memory").glob("2026-11-2?.md")]
    assert any("[REDACTED:" in f for f in files)
    with FakeAPI() as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-secret")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = cli("backfill", "--summarize", "--all", "--force", "--openclaw-dir", state)
        assert result.exit_code == 0, result.stderr
        outputs += [result.stdout, result.stderr, json.dumps(fake.bodies())]
    files += [p.read_text() for p in (state / "workspace/memory").glob("2026-11-2?.md")]
    own = Path(isolated_env["MEMORY_SYNC_STATE_DIR"])
    kept = [p.read_bytes().decode("utf-8", "replace") for p in own.rglob("*") if p.is_file()]
    blob = "\n".join(outputs + files + kept)
    leaked = [
        (kind, piece) for kind, _, secret in PLANTED for piece in pieces(secret) if piece in blob
    ]
    assert leaked == []
    assert "purple-elephant-dances" not in blob


def test_every_planted_kind_is_masked_in_its_sentence():
    """The corpus of the exit test, sentence by sentence: no secret, nor half of one, left."""
    from tests.secret_corpus import PLANTED, pieces

    redact = Redactor()
    left = [
        (kind, sentence)
        for kind, sentence, secret in PLANTED
        if any(piece in redact(sentence) for piece in pieces(secret))
    ]
    assert left == []


_WORDS = (
    "the a backup of cache went fine and we pushed it to main then the agent read notes "
    "from my folder at noon , . ; : ( ) - = ' \" today tomorrow 42 2026-03-10 v1.2.3 ok"
).split()
_PROSE = st.lists(st.sampled_from(_WORDS), max_size=25).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    before=_PROSE,
    after=_PROSE,
    pick=st.integers(min_value=0, max_value=10_000),
    glue=st.sampled_from([" ", "\n", " (", ": ", "\t"]),
)
def test_a_secret_anywhere_in_any_text_is_masked(before, after, pick, glue):
    """A planted secret at a random place in random surrounding text never survives, and the
    text around it with no secret comes out byte-identical."""
    from tests.secret_corpus import PLANTED, pieces

    kind, sentence, secret = PLANTED[pick % len(PLANTED)]
    redact = Redactor()
    assert redact(before) == before and redact(after) == after
    out = redact(before + glue + sentence + " " + after)
    assert not any(piece in out for piece in pieces(secret)), (kind, out)


# What detect-secrets flags that memory-sync keeps, and why (a line matching the pattern).
ORACLE_EXCEPTIONS = {
    "image data, not a credential": re.compile(r'^\{"type":"image","data":"'),
}


def test_what_detect_secrets_flags_is_redacted_too(tmp_path):
    """detect-secrets (Yelp's scanner, as an oracle) over the planted and benign corpus:
    every value it flags is masked by memory-sync, or the line is a named exception."""
    pytest.importorskip("detect_secrets")
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    from tests.secret_corpus import BENIGN, PLANTED

    lines = [sentence.replace("\n", " ") for _, sentence, _ in PLANTED] + BENIGN
    corpus_file = tmp_path / "corpus.txt"
    corpus_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with default_settings():
        found = SecretsCollection()
        found.scan_file(str(corpus_file))
    redact = Redactor()
    flagged = kept = 0
    unexplained = []
    for _name, secret in found:
        flagged += 1
        line = lines[secret.line_number - 1]
        if secret.secret_value and secret.secret_value in redact(line):
            kept += 1
            if not any(p.search(line) for p in ORACLE_EXCEPTIONS.values()):
                unexplained.append((secret.type, line[:100]))
    assert flagged >= 60  # the oracle did look
    assert unexplained == []
