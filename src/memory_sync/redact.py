"""Secret detection and replacement with `[REDACTED:<kind>]`, applied to everything that leaves.

Two mechanisms: shape rules (below, one per kind of credential seen in OpenClaw use) and exact
values of secrets present on this machine (environment variables, openclaw.json, auth profiles).
To add a kind: append a `Rule` to RULES with a test of what it must and must not match
(tests/test_redact.py); give it a literal `hint` when its matches always contain one, so texts
without it skip the regex.
"""

from __future__ import annotations

import functools
import math
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import json5
import orjson

Validator = Callable[[str], bool]
Redact = Callable[[str], str]  # masks the secrets in a text: a Redactor, or the identity
_TOKEN_CHAR = "[A-Za-z0-9_+/-]"
_E = r"(?![A-Za-z0-9_-])"


def _starts(prefix: str, width: int) -> str:
    """`prefix` (a regex of `width` characters, never a newline) with no token character
    before it (so not inside a longer token or base64): `(?<![A-Za-z0-9_+/-])` + prefix,
    with the check written after the prefix so that the regex engine can look for the
    prefix's literal start quickly (about 30x faster on long text)."""
    return f"{prefix}(?<!{_TOKEN_CHAR}.{{{width}}})"


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


# A resource's name, not a secret: lower-case words joined by dashes, dots or underscores
# (`my-app-tls`, `grafana-admin`, `db_password_file`), as `kubectl get secret <name>` and
# `SECRET_NAME=<name>` show them.
_RESOURCE_NAME = re.compile(r"[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)+")
_WORDY_PART = re.compile(r"[a-z]{2,}[0-9]*")
# Words that follow "password is/was" in prose, and plain config values: never a password.
_COMMON_VALUES = frozenset(
    """
    strict required optional enabled disabled default none null true false empty unknown
    missing invalid incorrect wrong correct expired changed updated reset rejected accepted
    stored saved hidden protected encrypted hashed weak strong secure insecure blank short
    long complex simple same different manager managers policy policies rotation required
    needed ready working broken set unset inherit inherited env environment vault keychain
    keyring file files prompt interactive automatic manual public private secret secrets
    please there here still also now then again below above attached inside outside
    """.split()
)


def is_resource_name(value: str) -> bool:
    """A lower-case name of a thing (`my-app-tls`, `grafana-admin`), not a credential."""
    if _RESOURCE_NAME.fullmatch(value) is None:
        return False
    parts = re.split(r"[-_.]", value)
    return sum(_WORDY_PART.fullmatch(part) is not None for part in parts) >= 2


def password_value(value: str) -> bool:
    """Whether the value after a password label is a password: 6+ characters, not a
    placeholder, a common word, a resource name, a path or a URL. Sixteen letters in one
    run or in four groups (an app password) always are."""
    value = value.strip().rstrip(".,;:!?)]}")
    if _APP_PASSWORD.fullmatch(value):
        return True
    if len(value) < 6 or _PLACEHOLDER.search(value) or value.lower() in _COMMON_VALUES:
        return False
    if value.startswith(("/", "~", "./", "../", "http://", "https://", "$", "%", "{")):
        return False
    return not is_resource_name(value)


def secret_value(value: str) -> bool:
    """Whether the value after a key, token or secret label is a credential: random-looking,
    and not a resource name, a path, a flag or a variable."""
    if value[:1] in "-$%{<" or value.startswith(("http://", "https://")):
        return False
    if value[:1] in "/~." and value.count("/") >= 2:
        return False  # a path: `/run/secrets/openclaw-token`, `~/.config/gh/hosts.yml`
    return looks_random(value) and not is_resource_name(value)


_APP_PASSWORD = re.compile(r"[a-z]{16}|[a-z]{4}([ -])[a-z]{4}\1[a-z]{4}\1[a-z]{4}")


def looks_random(value: str) -> bool:
    """A value that looks like a credential: long enough, mixed characters, high entropy."""
    if len(value) < 8 or _PLACEHOLDER.search(value):
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if classes < 2 or (value.isalpha() and len(value) < 16):
        return False
    if re.fullmatch(r"[\w.-]+\.(?:md|py|json|txt|log|ts|js|yaml|yml|toml|sh)", value):
        return False
    return entropy(value) >= (3.0 if len(value) < 20 else 3.3)


_PLACEHOLDER = re.compile(
    r"^(?:<[^>]*>|\$\{?[A-Z_][A-Z0-9_]*\}?|x{4,}|\*{3,}|\.{3,}|your[_-]|changeme|example|redacted|"
    r"none|null|true|false|undefined|process\.env|os\.environ|env\.|\[REDACTED)",
    re.I,
)
_COMMON_4 = frozenset(
    "that with have this will your from they know want been good much some time very when come "
    "here just like long make many more only over such take than them well were what also back "
    "call does done each even give into keep last left life made most must name need next once "
    "open part play said same seem show side tell then told turn used work year down look read "
    "plan test file code data line note list item task days week mode real next went home "
    "noon road body book room door hand head help hold hope idea kind love main mind move "
    "must nice only page pass past pick push rest room safe save send ship shop sort stay "
    "step stop sure talk team text town tree true type unit user view wait walk wall wish "
    "word yeah zero both case city cold cool date dear deep draw drop easy else fact fail "
    "fast feel fill find fine fire five form four free full game gave girl goes gone half "
    "hard hear high hour huge just late lead less link live load lock lost loud luck mail "
    "mark meet miss more much near need nine none once plus poor pull rate rich ride ring "
    "rise risk rule runs sale seen self sell sets sign size slow snow soft soon spot star "
    "sync tags tail tall task term than thus till tiny told took tour trip unto upon used "
    "vote wake wide wild will wind wine wise with wood work wrap yard your zone".split()
)


def _app_password(value: str) -> bool:
    """Four groups of four letters with no label: an app password unless any group is a
    common word, a group repeats, or most groups have vowels like words do."""
    groups = re.split(r"[ -]", value.lower())
    if any(g in _COMMON_4 for g in groups) or len(set(groups)) < 4:
        return False
    return sum(sum(c in "aeiou" for c in g) <= 1 for g in groups) >= 3


def _sk_key(value: str) -> bool:
    body = value.split("-", 1)[1] if "-" in value else value
    return (
        bool(re.search(r"\d", body)) and bool(re.search(r"[A-Za-z]", body)) and entropy(body) >= 3.2
    )


# bytes -> "x", or " " for the whitespace that str.split() splits at (ASCII; other bytes are "x")
_NON_SPACE = bytes(ord(" ") if chr(b).isspace() else ord("x") for b in range(128)) + b"x" * 128


def _has_long_word(text: str) -> bool:
    """Whether `text` may have a whitespace-free run of 16+ characters (every token-shaped
    secret does). A run of 16 bytes is looked for in the UTF-8 form, so a text with one is
    never missed (a run of wide characters can pass too); encode, translate and find run in C.
    """
    return len(text) >= 16 and b"xxxxxxxxxxxxxxxx" in text.encode(
        "utf-8", "surrogatepass"
    ).translate(_NON_SPACE)


# bytes -> shape: a-z become "a", space and dash " ", anything else (UTF-8 bytes too) "x"
_SHAPE = bytes(
    ord("a") if chr(b).islower() and chr(b).isascii() else ord(" ") if b in b" -" else ord("x")
    for b in range(256)
)


def _maybe_app_password(text: str) -> bool:
    """Whether `text` may hold an app password ("abcd efgh ijkl mnop", or with dashes): its
    shape has four 4-letter groups in a row. Every match of the rule has this shape, so a text
    without it is skipped; encode, translate and find all run in C."""
    return b"aaaa aaaa aaaa aaaa" in text.encode("utf-8", "surrogatepass").translate(_SHAPE)


# bytes -> "a" for ASCII letters and digits, " " for anything else (UTF-8 bytes too)
_ALNUM = bytes(ord("a") if chr(b).isascii() and chr(b).isalnum() else ord(" ") for b in range(256))


def _has_alnum_run(text: str) -> bool:
    """Whether `text` has 32 ASCII letters and digits in a row, as every random token has
    (most texts with a long word have it only from paths and URLs); in C, like the others."""
    return b"a" * 32 in text.encode("utf-8", "surrogatepass").translate(_ALNUM)


def _has_assignment_mark(text: str) -> bool:
    """Whether `text` has a ":" or "=", as every `name: value` or `name=value` has."""
    return ":" in text or "=" in text


@dataclass(frozen=True)
class Rule:
    """One kind of secret: its pattern, the group to replace (0: the whole match), a literal
    every match contains (checked first, for speed), and an optional check of the value.

    Patterns are compiled on first use: most rules never pass their hint check in a run, and
    compiling them all would cost every command's start."""

    kind: str
    source: str
    group: int = 0
    hints: tuple[str, ...] = ()  # the rule runs only if one of these is in the text
    check: Validator | None = None
    hint_ci: bool = False  # the hints are matched against the lower-cased text (and the
    #                        case-insensitive pattern is run on the lower-cased text)
    long_token: bool = False  # every match holds a run of 16+ token characters
    flags: int = 0
    gate: Validator | None = None  # a cheap test every text with a match passes (run first)

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """The compiled pattern."""
        return re.compile(self.source, self.flags)

    @functools.cached_property
    def lower_pattern(self) -> re.Pattern[str] | None:
        """For a case-insensitive rule, the same pattern without IGNORECASE (for the
        lower-cased text, 8x faster)."""
        return re.compile(self.source, self.flags & ~re.I) if self.flags & re.I else None


def _t(
    kind: str,
    pattern: str,
    hint: str | tuple[str, ...] | None = None,
    check: Validator | None = None,
    gate: Validator | None = None,
) -> Rule:
    """A rule for a token-shaped secret (every match is 16+ token characters long)."""
    hints = (hint,) if isinstance(hint, str) else hint or ()
    return Rule(kind, pattern, 0, hints, check, False, True, gate=gate)


def _r(
    kind: str,
    pattern: str,
    group: int = 0,
    hint: str | tuple[str, ...] | None = None,
    check: Validator | None = None,
    flags: int = 0,
    gate: Validator | None = None,
) -> Rule:
    hints = (hint,) if isinstance(hint, str) else hint or ()
    return Rule(kind, pattern, group, hints, check, bool(flags & re.I), False, flags, gate)


SECRET_NAME = (
    r"(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|passwd|pwd|auth[_-]?key|credential|"
    r"private[_-]?key|access[_-]?key|client[_-]?secret|app[_-]?secret|bot[_-]?token|"
    r"account[_-]?key|_key|-key|passphrase)"
)
# Labels that say "password" in the languages OpenClaw users write in.
PASSWORD_LABEL = (
    r"(?:app[ -]?(?:specific[ -])?password|password|passwort|kennwort|passphrase|passcode|"
    r"contraseña|contrasena|mot de passe|senha|пароль|密码|密碼|口令|パスワード|비밀번호|"
    r"mật khẩu|wachtwoord|hasło)"
)
_PASSWORD_HINTS = (
    "pass",
    "kennwort",
    "contrase",
    "mot de passe",
    "senha",
    "пароль",
    "密码",
    "密碼",
    "口令",
    "パスワード",
    "비밀번호",
    "mật khẩu",
    "wachtwoord",
    "hasło",
)

RULES: tuple[Rule, ...] = (
    # a token rule, and the first: the other token rules must not cut into its body
    _t(
        "private-key",
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\s:,.-]|\\[nrt])*"
        r"(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)?",
        hint="PRIVATE KEY",
    ),
    _t(
        "anthropic-key",
        _starts("sk-ant-", 7) + r"(?:api|admin|oat|ort)\d{2}-[A-Za-z0-9_-]{20,}",
        hint="sk-ant-",
    ),
    _t("openrouter-key", _starts("sk-or-v1-", 9) + r"[A-Za-z0-9]{32,}", hint="sk-or-"),
    _t(
        "openai-key",
        _starts("sk-", 3) + r"(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}" + _E,
        hint="sk-",
        check=_sk_key,
    ),
    _t("google-api-key", _starts("AIza", 4) + r"[0-9A-Za-z_-]{35}" + _E, hint="AIza"),
    _t("google-oauth-token", _starts(r"ya29\.", 5) + r"[0-9A-Za-z_-]{20,}", hint="ya29."),
    _t("groq-key", _starts("gsk_", 4) + r"[A-Za-z0-9]{40,}", hint="gsk_"),
    _t("xai-key", _starts("xai-", 4) + r"[A-Za-z0-9]{40,}", hint="xai-"),
    _t("huggingface-token", _starts("hf_", 3) + r"[A-Za-z0-9]{30,}", hint="hf_"),
    _t("perplexity-key", _starts("pplx-", 5) + r"[A-Za-z0-9]{40,}", hint="pplx-"),
    _t("nvidia-key", _starts("nvapi-", 6) + r"[A-Za-z0-9_-]{40,}", hint="nvapi-"),
    _t(
        "moltbook-key",
        _starts("moltbook_", 9) + r"(?:sk|verify|pk)_[A-Za-z0-9_-]{12,}",
        hint="moltbook_",
    ),
    _t("npm-token", _starts("npm_", 4) + r"[A-Za-z0-9]{36}" + _E, hint="npm_"),
    _t("pypi-token", _starts("pypi-", 5) + r"AgE[A-Za-z0-9_-]{40,}", hint="pypi-"),
    _t("digitalocean-token", _starts("do[por]_v1_", 7) + r"[a-f0-9]{64}", hint="_v1_"),
    _t("shopify-token", _starts("shp(?:at|ss|ca|pa)_", 6) + r"[a-fA-F0-9]{32}", hint="shp"),
    _t("grafana-token", _starts("glc_", 4) + r"[A-Za-z0-9_=+/-]{32,}", hint="glc_"),
    _t("grafana-token", _starts("glsa_", 5) + r"[A-Za-z0-9_=+/-]{32,}", hint="glsa_"),
    _t("linear-key", _starts("lin_api_", 8) + r"[A-Za-z0-9]{40}", hint="lin_api_"),
    _t("replicate-token", _starts("r8_", 3) + r"[A-Za-z0-9]{37}" + _E, hint="r8_"),
    _t("langfuse-key", _starts("sk-lf-", 6) + r"[a-f0-9-]{30,}", hint="sk-lf-"),
    _t("atlassian-token", _starts("ATATT3", 6) + r"[A-Za-z0-9_=-]{100,}", hint="ATATT3"),
    _t("square-token", _starts("sq0(?:atp|csp)-", 7) + r"[A-Za-z0-9_-]{22,}", hint="sq0"),
    _t("age-secret-key", _starts("AGE-SECRET-KEY-1", 16) + r"[A-Z0-9]{58}", hint="AGE-SECRET"),
    _t("sentry-token", _starts("sntry[su]_", 7) + r"[A-Za-z0-9_=+/-]{40,}", hint="sntry"),
    _t("postman-key", _starts("PMAK-", 5) + r"[a-f0-9]{24}-[a-f0-9]{34}", hint="PMAK-"),
    _t("figma-token", _starts("figd_", 5) + r"[A-Za-z0-9_-]{40,}", hint="figd_"),
    _t("databricks-token", _starts("dapi", 4) + r"[a-f0-9]{32}" + _E, hint="dapi"),
    _t(
        "github-token",
        "(?:"
        + _starts("gh", 2)
        + r"[pousr]_[A-Za-z0-9]{36,}|"
        + _starts("github_pat_", 11)
        + r"[A-Za-z0-9_]{50,})",
        hint=("gh", "github_pat_"),
    ),
    _t(
        "gitlab-token",
        _starts("gl", 2) + r"(?:pat|dt|rt|ptt|ft|soat)-[A-Za-z0-9_-]{20,}",
        hint="gl",
    ),
    _t("slack-token", _starts("xox", 3) + r"[abposr]-[A-Za-z0-9-]{10,}", hint="xox"),
    _t("slack-app-token", _starts("xapp-", 5) + r"\d-[A-Z0-9]+-\d+-[A-Za-z0-9]+", hint="xapp-"),
    _r("slack-webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+", hint="hooks.slack"),
    _r(
        "discord-webhook",
        r"https://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]+",
        hint="/api/webhooks/",
    ),
    _t(
        "discord-token",
        _starts("[MNO]", 1) + r"[A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}" + _E,
        hint=".",
    ),
    _t("telegram-bot-token", _starts(r"\d", 1) + r"\d{7,9}:AA[A-Za-z0-9_-]{33}" + _E, hint=":AA"),
    _t("feishu-token", _starts("[tu]-g", 3) + r"[A-Za-z0-9_-]{25,}", hint=("t-g", "u-g")),
    _t(
        "aws-access-key",
        _starts("(?:AKIA|ASIA|ABIA|ACCA)", 4) + r"[A-Z0-9]{16}" + _E,
        hint=("AKIA", "ASIA", "ABIA", "ACCA"),
    ),
    _t(
        "stripe-key",
        _starts("(?:sk|rk|pk)", 2) + r"_(?:live|test)_[A-Za-z0-9]{16,}",
        hint=("_live_", "_test_"),
    ),
    _t("stripe-webhook-secret", _starts("whsec_", 6) + r"[A-Za-z0-9]{24,}", hint="whsec_"),
    _t("twilio-key", _starts("SK", 2) + r"[0-9a-fA-F]{32}" + _E, hint="SK"),
    _t("sendgrid-key", _starts(r"SG\.", 3) + r"[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{30,}", hint="SG."),
    _t(
        "notion-token",
        "(?:" + _starts("secret_", 7) + "|" + _starts("ntn_", 4) + r")[A-Za-z0-9]{40,}",
        hint=("secret_", "ntn_"),
    ),
    _t("brave-key", _starts("BSA", 3) + r"[A-Za-z0-9_-]{25,}", hint="BSA"),
    _t("tavily-key", _starts("tvly-", 5) + r"[A-Za-z0-9-]{20,}", hint="tvly-"),
    _t(
        "jwt",
        _starts("eyJ", 3) + r"[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
        hint="eyJ",
    ),
    _r("url-credentials", r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@'\"]*:([^\s@/'\"]+)@", 1, "@"),
    _r("url-token", r"\bhttps?://([A-Za-z0-9_-]{20,})@", 1, "@", check=lambda v: entropy(v) >= 3.0),
    _t(
        "random-token",
        r"(?<![A-Za-z0-9_+/=.:-])[A-Za-z0-9]{32,}(?![A-Za-z0-9_+/=-])",
        None,
        check=lambda v: (
            bool(re.search(r"[a-z]", v) and re.search(r"[A-Z]", v) and re.search(r"\d", v))
            and entropy(v) >= 4.0
        ),
        gate=_has_alnum_run,
    ),
    _r(
        "password",
        PASSWORD_LABEL + r"(?![A-Za-z0-9_-])[\"']?"
        r"(?:[ \t]*(?:is|was|are|ist|es|est|é|=|:)[ \t]+|[ \t]*[=:][ \t]*|"
        r"[ \t]*(?:是|为|為|は|：)[ \t]*|[ \t]+)"
        r"(?:is[ \t]+|was[ \t]+)?[\"'`「]?((?:[a-z]{4} ){3}[a-z]{4}(?![a-z])|"
        r"[^\s\"'`」，。、,;]{4,128})",
        1,
        _PASSWORD_HINTS,
        password_value,
        re.I,
    ),
    _r(
        "secret-phrase",
        r"\b(?:token|secret|api key|apikey|credentials?)"
        r"\s+(?:is\s+|was\s+|=\s*)?[\"'`]?([^\s\"'`]{8,512})",
        1,
        ("token", "secret", "api key", "apikey", "credential"),
        secret_value,
        re.I,
    ),
    _r("basic-auth", r"(?:\s-u|--user)[ =]['\"]?[^\s:'\"]+:([^\s'\"]{4,})", 1, ("-u", "--user")),
    _r(
        "authorization",
        r"\bauthorization\b[\"']?\s*[:=]\s*[\"']?(?:bearer|basic|token|bot)?\s*"
        r"([A-Za-z0-9._~+/=-]{8,})",
        1,
        "authorization",
        flags=re.I,
    ),
    _r(
        "bearer-token",
        r"\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)",
        1,
        "bearer",
        flags=re.I,
        check=lambda v: entropy(v) >= 3.0,
    ),
    _r(
        "app-password",
        r"(?<![A-Za-z])[a-z]{4}([ -])[a-z]{4}\1[a-z]{4}\1[a-z]{4}(?![A-Za-z])",
        check=_app_password,
        gate=_maybe_app_password,  # the pattern has no literal to hint at
    ),
    _r(
        "secret-assignment",
        SECRET_NAME + r"[A-Za-z0-9_.-]{0,40}[\"']?[ \t]*"
        r"(?:[:=]|=>)[ \t]*[\"']?([^\s\"',;`)}\]]{8,512})",
        1,
        ("key", "secret", "token", "pass", "pwd", "auth", "credential"),
        secret_value,
        re.I,
        gate=_has_assignment_mark,
    ),
)


CACHED_CHARS = 400  # texts up to this long are remembered with their redacted form
CACHED_TEXTS = 20_000


Replacer = Callable[[re.Match[str]], str]
_TokenStep = tuple[tuple[str, ...], Validator | None, Rule, Replacer]  # hints, gate, rule, ...
_ContextStep = tuple[tuple[str, ...], bool, Validator | None, Rule, Replacer]  # + case-blind


def _may_match(hints: tuple[str, ...], where: str, gate: Validator | None, text: str) -> bool:
    """Whether a rule may match `text`: one of its hints is in `where` (the text, or its
    lower-cased copy for case-blind hints) and its gate passes the text itself."""
    return (not hints or any(hint in where for hint in hints)) and (gate is None or gate(text))


class Redactor:
    """Replaces secrets in text. Cheap on texts without any: most rules are skipped by a
    substring check before their regex runs."""

    def __init__(self, known_values: Iterable[str] = (), rules: tuple[Rule, ...] = RULES):
        self.rules = rules
        self._token_rules = [r for r in rules if r.long_token]
        self._context_rules = [r for r in rules if not r.long_token]
        # what the hot loops need, looked up once: (hints, gate, rule, replacer), and for
        # context rules whether the hints are matched case-blind
        self._token_plan: list[_TokenStep] = [
            (r.hints, r.gate, r, self._replacer(r)) for r in self._token_rules
        ]
        self._context_plan: list[_ContextStep] = [
            (r.hints, r.hint_ci, r.gate, r, self._replacer(r)) for r in self._context_rules
        ]
        values = sorted({v for v in known_values if len(v) >= 8}, key=len, reverse=True)
        self._known = re.compile("|".join(re.escape(v) for v in values)) if values else None
        self._seen: dict[str, str] = {}  # short texts already redacted (commands, paths repeat)

    def __call__(self, text: str) -> str:
        """`text` with every secret replaced by `[REDACTED:<kind>]`."""
        if not text:
            return text
        if len(text) <= CACHED_CHARS:
            done = self._seen.get(text)
            if done is None:
                if len(self._seen) >= CACHED_TEXTS:
                    self._seen.clear()
                done = self._seen[text] = self._redact(text)
            return done
        return self._redact(text)

    def each(self, texts: Sequence[str]) -> list[str]:
        """`[self(text) for text in texts]`, cheaper for many short texts (the lines of a
        memory block): rules whose hints are in none of them are skipped for all. A text that
        a rule changes is redone with every rule, as a replacement can bring in a hint."""
        body = "\n".join(texts)
        lower = body.lower()
        known = self._known if self._known is not None and self._known.search(body) else None
        tokens = (
            [p for p in self._token_plan if _may_match(p[0], body, p[1], body)]
            if _has_long_word(body)
            else []
        )
        context = [
            p for p in self._context_plan if _may_match(p[0], lower if p[1] else body, p[2], body)
        ]
        if known is None and not tokens and not context:
            return list(texts)
        out = []
        for text in texts:
            done = self._apply(text, known, tokens, context)
            out.append(text if done == text else self(text))
        return out

    def _redact(self, text: str) -> str:
        return self._apply(text, self._known, self._token_plan, self._context_plan)

    @staticmethod
    def _apply(
        text: str,
        known: re.Pattern[str] | None,
        token_plan: list[_TokenStep],
        context_plan: list[_ContextStep],
    ) -> str:
        """`text` through the known values, then the token rules, then the context rules."""
        if known is not None:
            text = known.sub("[REDACTED:known-secret]", text)
        if _has_long_word(text):  # token-shaped secrets are all 16+ characters long
            for hints, gate, rule, replace in token_plan:
                if hints:
                    for hint in hints:  # a plain loop: this runs for every text
                        if hint in text:
                            break
                    else:
                        continue
                if gate is not None and not gate(text):
                    continue
                text = rule.pattern.sub(replace, text)
        lower = text.lower()
        for hints, hint_ci, gate, rule, _replace in context_plan:
            if hints:
                where = lower if hint_ci else text
                for hint in hints:
                    if hint in where:
                        break
                else:
                    continue
            if gate is not None and not gate(text):
                continue
            if rule.lower_pattern is not None and len(lower) == len(text):
                replaced = _sub_context(rule, rule.lower_pattern, text, lower)
            else:
                replaced = _sub_context(rule, rule.pattern, text, text)
            if replaced is not text:
                text, lower = replaced, replaced.lower()
        return text

    @staticmethod
    def _replacer(rule: Rule) -> Replacer:
        def replace(match: re.Match[str]) -> str:
            value = match.group(rule.group)
            if value is None or value.startswith("[REDACTED"):
                return match.group(0)
            if rule.check is not None and not rule.check(value):
                return match.group(0)
            whole = match.group(0)
            if rule.group == 0:
                return f"[REDACTED:{rule.kind}]"
            start = match.start(rule.group) - match.start(0)
            return whole[:start] + f"[REDACTED:{rule.kind}]" + whole[start + len(value) :]

        return replace


def _sub_context(rule: Rule, pattern: re.Pattern[str], text: str, where: str) -> str:
    """Replace a context rule's values: matches are found in `where` (the text, or its
    lower-cased copy with the same offsets: 8x faster than re.IGNORECASE), values checked and
    replaced in `text`. A match whose value fails the check is searched again from its value
    on, so a label inside it is still found (`my secret: aws_secret_access_key = <key>`)."""
    parts: list[str] = []
    last = pos = 0
    group = rule.group
    while True:
        match = pattern.search(where, pos)
        if match is None:
            break
        start, end = match.span(group)
        value = text[start:end] if start >= 0 else None
        if (
            value is None
            or start < last
            or value.startswith("[REDACTED")
            or (rule.check is not None and not rule.check(value))
        ):
            pos = max(start if start > match.start() else match.start() + 1, match.start() + 1)
            continue
        parts.append(text[last:start])
        parts.append(f"[REDACTED:{rule.kind}]")
        last = pos = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


_SECRET_KEY = re.compile(SECRET_NAME, re.I)
_ENV_SECRET = re.compile(r"(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.I)


def _secret_values(data: Any, inherited: bool = False) -> Iterable[str]:
    """Strings stored under secret-sounding keys anywhere in a JSON-like value."""
    if isinstance(data, dict):
        for key, value in data.items():
            secretish = inherited or bool(_SECRET_KEY.search(str(key)))
            yield from _secret_values(value, secretish)
    elif isinstance(data, list):
        for item in data:
            yield from _secret_values(item, inherited)
    elif isinstance(data, str) and inherited and not _PLACEHOLDER.search(data.strip()):
        yield data.strip()


def machine_secrets(
    env: Mapping[str, str], state_dir: Path | None, agent_dirs: Iterable[Path] = ()
) -> set[str]:
    """Values of secrets present on this machine: env variables named like keys, tokens or
    passwords; credentials in openclaw.json and OpenClaw's auth profile files and table."""
    values = {
        v
        for k, v in env.items()
        if _ENV_SECRET.search(k)
        and k not in ("PWD", "OLDPWD")
        and len(v) >= 8
        and not _PLACEHOLDER.search(v)
    }
    files: list[Path] = []
    if state_dir is not None:
        files += [state_dir / n for n in ("openclaw.json", "clawdbot.json", "moltbot.json")]
        files += sorted((state_dir / "credentials").glob("*.json"))
    for agent_dir in agent_dirs:
        files += [
            agent_dir / "agent" / n for n in ("auth-profiles.json", "auth.json", "models.json")
        ]
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        try:
            data = json5.loads(text)
        except ValueError:
            continue
        values.update(_secret_values(data))
    for agent_dir in agent_dirs:
        values.update(_database_secrets(agent_dir / "agent" / "openclaw-agent.sqlite"))
    return {v for v in values if len(v) >= 8}


def _database_secrets(db: Path) -> set[str]:
    if not db.is_file():
        return set()
    found: set[str] = set()
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if "auth_profile_store" not in tables:
                return found
            for row in con.execute("SELECT * FROM auth_profile_store"):
                for cell in row:
                    if isinstance(cell, str) and cell[:1] in "{[":
                        try:
                            found.update(_secret_values(orjson.loads(cell)))
                        except orjson.JSONDecodeError:
                            continue
        finally:
            con.close()
    except sqlite3.Error:
        pass
    return found


def redact_each(redact: Callable[[str], str], texts: Sequence[str]) -> list[str]:
    """Each text through `redact`: a `Redactor` takes them as one batch (the same result)."""
    if isinstance(redact, Redactor):
        return redact.each(texts)
    return [redact(text) for text in texts]


def default_redactor(state_dir: Path | None = None, agent_dirs: Iterable[Path] = ()) -> Redactor:
    """A Redactor with the shape rules and this machine's secret values."""
    return Redactor(machine_secrets(os.environ, state_dir, agent_dirs))
