"""Planted secrets (over 200, of over 60 kinds) and benign look-alikes (over 1,000), made the
same way on every run: the corpus the redaction tests hold every exit of the program to."""

from __future__ import annotations

import base64
import hashlib
import random
import string
import uuid

RNG = random.Random(20261205)
ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "_-"
HEX = "0123456789abcdef"
UPPER_DIGITS = string.ascii_uppercase + string.digits
CONSONANTS = "bcdfghjklmnpqrstvwxz"


def rand(chars: str, n: int) -> str:
    return "".join(RNG.choice(chars) for _ in range(n))


def _mixed(n: int) -> str:
    """Random letters and digits with at least one of each case and a digit."""
    while True:
        value = rand(ALNUM, n)
        cases = any(c.islower() for c in value) and any(c.isupper() for c in value)
        if cases and any(c.isdigit() for c in value):
            return value


def _pem(label: str, escaped: bool = False) -> str:
    body = [rand(ALNUM + "+/", 64) for _ in range(5)] + [rand(ALNUM + "+/", 20) + "=="]
    sep = "\\n" if escaped else "\n"
    return sep.join([f"-----BEGIN {label}-----", *body, f"-----END {label}-----"])


def _app_password() -> str:
    return " ".join(rand(CONSONANTS, 4) for _ in range(4))


# kind -> a maker of one secret of that kind, and a sentence that carries it ({v}); the part of
# the sentence that must disappear is the secret itself
KINDS: dict[str, tuple[str, object]] = {
    "anthropic-key": ("key {v} for claude", lambda: "sk-ant-api03-" + rand(B64URL, 93) + "AA"),
    "anthropic-oauth": ("oauth {v}", lambda: "sk-ant-oat01-" + rand(B64URL, 80)),
    "openai-project": ("OPENAI_API_KEY set to {v}", lambda: "sk-proj-" + _mixed(120)),
    "openai-legacy": ("use {v} for gpt", lambda: "sk-" + _mixed(48)),
    "openai-svcacct": ("service key {v}", lambda: "sk-svcacct-" + _mixed(60)),
    "deepseek": ("deepseek key {v}", lambda: "sk-" + rand(HEX, 32)),
    "openrouter": ("router {v}", lambda: "sk-or-v1-" + rand(HEX, 64)),
    "google-api": ("maps key {v}", lambda: "AIza" + rand(B64URL, 35)),
    "google-oauth": ("access token {v}", lambda: "ya29." + rand(B64URL, 60)),
    "groq": ("groq {v}", lambda: "gsk_" + rand(ALNUM, 52)),
    "xai": ("grok key {v}", lambda: "xai-" + rand(ALNUM, 80)),
    "huggingface": ("HF token {v}", lambda: "hf_" + rand(ALNUM, 34)),
    "perplexity": ("pplx {v}", lambda: "pplx-" + rand(ALNUM, 48)),
    "nvidia": ("NVIDIA key {v}", lambda: "nvapi-" + rand(B64URL, 64)),
    "moltbook-key": ("moltbook key {v}", lambda: "moltbook_sk_" + rand(B64URL, 32)),
    "moltbook-verify": ("verify code {v}", lambda: "moltbook_verify_" + rand(HEX, 24)),
    "github-classic": ("gh token {v}", lambda: "ghp_" + rand(ALNUM, 36)),
    "github-fine": ("pat {v}", lambda: "github_pat_" + rand(ALNUM + "_", 82)),
    "github-app": ("installation token {v}", lambda: "ghs_" + rand(ALNUM, 36)),
    "gitlab": ("gitlab {v}", lambda: "glpat-" + rand(B64URL, 20)),
    "slack-bot": (
        "slack {v}",
        lambda: (
            "xoxb-" + rand("0123456789", 12) + "-" + rand("0123456789", 13) + "-" + rand(ALNUM, 24)
        ),
    ),
    "slack-user": (
        "user token {v}",
        lambda: "xoxp-" + rand("0123456789", 12) + "-" + rand(ALNUM, 30),
    ),
    "slack-app": (
        "socket mode {v}",
        lambda: (
            "xapp-1-A" + rand(UPPER_DIGITS, 10) + "-" + rand("0123456789", 13) + "-" + rand(HEX, 64)
        ),
    ),
    "slack-webhook": (
        "post to {v}",
        lambda: (
            "https://hooks.slack.com/services/T"
            + rand(UPPER_DIGITS, 8)
            + "/B"
            + rand(UPPER_DIGITS, 8)
            + "/"
            + rand(ALNUM, 24)
        ),
    ),
    "discord-token": (
        "discord bot {v}",
        lambda: "MT" + rand(ALNUM, 24) + "." + rand(B64URL, 6) + "." + rand(B64URL, 38),
    ),
    "discord-webhook": (
        "webhook {v}",
        lambda: (
            "https://discord.com/api/webhooks/" + rand("0123456789", 18) + "/" + rand(B64URL, 68)
        ),
    ),
    "telegram-bot": ("botToken {v}", lambda: rand("123456789", 10) + ":AA" + rand(B64URL, 33)),
    "feishu-tenant": ("tenant token {v}", lambda: "t-g1044" + rand(ALNUM, 34)),
    "aws-access-key": ("aws key id {v}", lambda: "AKIA" + rand(UPPER_DIGITS, 16)),
    "stripe-live": ("stripe {v}", lambda: "sk_live_" + rand(ALNUM, 24)),
    "stripe-restricted": ("restricted {v}", lambda: "rk_test_" + rand(ALNUM, 24)),
    "stripe-webhook": ("whsec {v}", lambda: "whsec_" + rand(ALNUM, 32)),
    "twilio": ("twilio key {v}", lambda: "SK" + rand(HEX, 32)),
    "sendgrid": ("sendgrid {v}", lambda: "SG." + rand(B64URL, 22) + "." + rand(B64URL, 43)),
    "notion-ntn": ("notion {v}", lambda: "ntn_" + rand(ALNUM, 46)),
    "notion-secret": ("integration {v}", lambda: "secret_" + rand(ALNUM, 43)),
    "brave": ("brave search {v}", lambda: "BSA" + rand(ALNUM, 27)),
    "tavily": ("tavily {v}", lambda: "tvly-" + rand(ALNUM, 32)),
    "jwt": (
        "jwt {v}",
        lambda: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI" + rand(B64URL, 20) + "." + rand(B64URL, 43),
    ),
    "npm": ("npm token {v}", lambda: "npm_" + rand(ALNUM, 36)),
    "pypi": ("pypi {v}", lambda: "pypi-AgEIcHlwaS5vcmc" + rand(B64URL, 60)),
    "digitalocean": ("doctl {v}", lambda: "dop_v1_" + rand(HEX, 64)),
    "shopify": ("shopify {v}", lambda: "shpat_" + rand(HEX, 32)),
    "grafana": ("grafana cloud {v}", lambda: "glc_" + rand(ALNUM, 48)),
    "linear": ("linear {v}", lambda: "lin_api_" + rand(ALNUM, 40)),
    "replicate": ("replicate {v}", lambda: "r8_" + rand(ALNUM, 37)),
    "langfuse": ("langfuse {v}", lambda: "sk-lf-" + str(uuid.UUID(int=RNG.getrandbits(128)))),
    "atlassian": ("jira {v}", lambda: "ATATT3" + rand(B64URL, 180)),
    "square": ("square {v}", lambda: "sq0atp-" + rand(B64URL, 22)),
    "age": ("age identity {v}", lambda: "AGE-SECRET-KEY-1" + rand(UPPER_DIGITS, 58)),
    "sentry": ("sentry auth {v}", lambda: "sntrys_" + rand(B64URL, 60)),
    "postman": ("postman {v}", lambda: "PMAK-" + rand(HEX, 24) + "-" + rand(HEX, 34)),
    "figma": ("figma {v}", lambda: "figd_" + rand(B64URL, 40)),
    "databricks": ("databricks {v}", lambda: "dapi" + rand(HEX, 32)),
    "random-token": ("the token is {v}", lambda: _mixed(40)),
    # credentials in URLs
    "postgres-url": ("db is postgres://app:{v}@db.internal:5432/prod", lambda: _mixed(16)),
    "redis-empty-user": ("cache redis://:{v}@cache.internal:6379/0", lambda: _mixed(18)),
    "mongodb-url": ("mongodb+srv://admin:{v}@cluster0.mongodb.net/app", lambda: _mixed(20)),
    "amqp-url": ("broker amqp://guest:{v}@mq.local:5672/", lambda: _mixed(14)),
    "git-remote": (
        "git remote set-url origin https://x-access-token:{v}@github.com/ana/notes.git",
        lambda: _mixed(40),
    ),
    "url-token": ("clone https://{v}@github.com/ana/private.git", lambda: "ghp_" + rand(ALNUM, 36)),
    # headers and flags
    "basic-auth": ("curl -u ana:{v} https://nas.local/api", lambda: _mixed(20)),
    "authorization": (
        "curl -H 'Authorization: Bearer {v}' https://api.example.com",
        lambda: _mixed(40),
    ),
    "bearer": ("send it with Bearer {v} please", lambda: _mixed(48)),
    # app passwords and passwords in prose
    "app-password-spaced": ("the iCloud app-specific password is {v}", _app_password),
    "app-password-run": ("App Password: {v}", lambda: rand(CONSONANTS + "aeiou", 16)),
    "app-password-assignment": ("app_password = '{v}'", lambda: rand(CONSONANTS, 16)),
    "password-en": ("the password is {v}", lambda: _mixed(10) + "!"),
    "password-zh": ("数据库密码是{v}", lambda: _mixed(12)),
    "password-ja": ("ルーターのパスワードは {v} です", lambda: _mixed(12)),
    "password-de": ("Das Passwort: {v}", lambda: _mixed(11) + "#"),
    "password-fr": ("mot de passe : {v}", lambda: _mixed(12)),
    # assignments in shell, .env, YAML, TOML, JSON
    "export-quoted": ('export B2_ACCOUNT_KEY="{v}"', lambda: "K005" + _mixed(27)),
    "env-file": ("FEISHU_APP_SECRET={v}", lambda: _mixed(32)),
    "yaml": ("client_secret: {v}", lambda: _mixed(36)),
    "toml": ('api_key = "{v}"', lambda: _mixed(40)),
    "json": ('{{"apiKey": "{v}"}}', lambda: _mixed(32)),
    "aws-secret": ("aws_secret_access_key = {v}", lambda: rand(ALNUM + "/+", 40)),
    "db-password-env": ("DB_PASSWORD={v}", lambda: _mixed(14)),
    # private keys, whatever the header, in text and as JSON strings with \n escapes
    "pem-rsa": ("{v}", lambda: _pem("RSA PRIVATE KEY")),
    "pem-ec": ("key:\n{v}", lambda: _pem("EC PRIVATE KEY")),
    "pem-openssh": ("{v}", lambda: _pem("OPENSSH PRIVATE KEY")),
    "pem-encrypted": ("{v}", lambda: _pem("ENCRYPTED PRIVATE KEY")),
    "pem-pkcs8": ("{v}", lambda: _pem("PRIVATE KEY")),
    "pem-pgp": ("{v}", lambda: _pem("PGP PRIVATE KEY BLOCK")),
    "pem-escaped": ('"key": "{v}"', lambda: _pem("OPENSSH PRIVATE KEY", escaped=True)),
}
PER_KIND = 3


def planted() -> list[tuple[str, str, str]]:
    """(kind, sentence, secret) for every planted secret: PER_KIND of each kind."""
    out = []
    for kind, (template, make) in KINDS.items():
        for _ in range(PER_KIND):
            secret = make()  # type: ignore[operator]
            out.append((kind, template.format(v=secret), secret))
    return out


PLANTED = planted()


def pieces(secret: str) -> list[str]:
    """What must not be found of a secret: itself, and each half of a long one (a cut must
    never leave half a key); for a multi-line key, each long line."""
    found = [secret]
    if len(secret) >= 16:
        half = len(secret) // 2
        found += [secret[:half], secret[half:]]
    found += [line for line in secret.replace("\\n", "\n").splitlines() if len(line) >= 16]
    return [p for p in found if len(p) >= 8 and not p.startswith("-----")]


def benign() -> list[str]:
    """Over 1,000 texts that look like secrets and are not: secret *names*, hashes, UUIDs,
    paths, base64 images, CSS, version strings, low-entropy assignments, prose about keys."""
    rng = random.Random(7)
    out: list[str] = []
    for n in range(120):
        out.append(f"fixed in commit {''.join(rng.choice(HEX) for _ in range(40))}")
        out.append(f"session {uuid.UUID(int=rng.getrandbits(128), version=4)} started")
        data = base64.b64encode(rng.randbytes(300)).decode()
        out.append(f'{{"type":"image","data":"{data}","mimeType":"image/png"}}')
        out.append(f"sha256 {hashlib.sha256(rng.randbytes(16)).hexdigest()}  release.tar.gz")
        out.append(f"kubectl get secret my-app-{rng.choice(['tls', 'db', 'cache'])}-{n} -o yaml")
        out.append(f"SECRET_NAME=grafana-admin-{rng.choice(['prod', 'dev', 'staging'])}")
        out.append(
            f".btn-{n} {{ margin: {n}px {n % 7}rem; color: #{rng.randrange(1 << 24):06x}; }}"
        )
        out.append(
            f"upgraded openclaw from 2026.{n % 12 + 1}.{n % 28} to 2026.9.6 (node v24.{n}.0)"
        )
        out.append(f"edited src/cache/store_{n}.py and ~/.openclaw/agents/main/sessions/{n}.jsonl")
    prose = [
        "The token budget for this model is 200k tokens.",
        "Please reset my password on the router tomorrow.",
        "Where do I put the API key? In the config file, not in the chat.",
        "The password manager sync failed again.",
        "password_policy=strict",
        "password: required",
        "password_hint = the name of the first cat",
        "apiKey: process.env.ANTHROPIC_API_KEY",
        "secret: ${OPENAI_API_KEY}",
        "auth failed: wrong credentials, try again later",
        "token_count = 123456",
        "kubectl create secret generic db-credentials --from-file=./creds",
        "the secret santa draw is on Friday",
        "the password is wrong, try the other one",
        "TOKEN_FILE=/run/secrets/openclaw-token",
        "export GITHUB_TOKEN_PATH=~/.config/gh/hosts.yml",
        "ls -la memory/2026-11-20.md",
        "call_fake_5 toolu_01ABCDEF finished",
        "font: 12px/1.5 Inter, sans-serif; transform: translate(-50%, -50%)",
        "docker pull ghcr.io/openclaw/openclaw:2026.9.6",
        "my notes on the redis cache at redis://cache.internal:6379/0",
        "postgres://localhost:5432/app?sslmode=disable",
    ]
    out += prose * 15
    return out


BENIGN = benign()
