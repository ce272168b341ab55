"""Technical details ranked: which commands mattered, which were look-arounds, and which strings
are really file paths (not model ids, slash commands, URLs or CSS values)."""

from __future__ import annotations

import re

# Commands that change something: what a person would want to find again.
_CONSEQUENTIAL = re.compile(
    r"\bgit\s+(?:push|commit|merge|rebase|tag|reset|revert|cherry-pick|clone|init|submodule)\b"
    r"|\bgh\s+(?:repo|pr|release)\s+(?:create|merge|edit)\b"
    r"|\b(?:pip3?|uv|pipx|npm|pnpm|yarn|bun|apt(?:-get)?|brew|cargo|go|gem|conda|snap)\s+"
    r"(?:install|add|remove|uninstall|upgrade|update|i|publish)\b"
    r"|\b(?:systemctl|service|launchctl|pm2|supervisorctl)\b.*\b(?:restart|start|stop|enable|disable|reload|load|unload)\b"
    r"|\bdocker(?:-compose| compose)?\s+(?:compose\s+)?(?:up|down|build|push|run|restart|rm)\b"
    r"|\bkubectl\s+(?:apply|delete|rollout|scale|create|edit|patch)\b|\bhelm\s+(?:install|upgrade)\b"
    r"|\bterraform\s+(?:apply|destroy)\b|\bansible-playbook\b"
    r"|\bmigrat|\bdb:migrate\b|\balembic\s+upgrade\b"
    r"|\b(?:openclaw|git)\s+config\s+(?:set|unset|--global|--add)\b|\bcrontab\s+-(?:\s|$)|\bcrontab\s+\S+\.txt\b"
    r"|\bdeploy|\brelease\b|\bpublish\b|\brm\s+-[a-z]*r|\bchmod\b|\bchown\b|\bln\s+-s"
    r"|\binit\b|\bssh-keygen\b|\bcertbot\b|\brestic\b.*\b(?:init|backup|forget|restore)\b"
)
# Commands that only look around; summarised by count.
TRIVIAL = frozenset(
    "ls ll la pwd cat cd echo head tail less more which whoami date clear tree wc env true "
    "printenv id uname hostname uptime df du free file stat type".split()
)
# Programs too common to be a topic of the day.
GENERIC_PROGRAMS = TRIVIAL | frozenset(
    "git gh npm npx pnpm yarn node python python3 pip pip3 uv bash sh zsh sudo curl wget make "
    "cargo go docker systemctl openclaw memory-sync grep rg find sed awk sort uniq xargs tee cp "
    "mv rm mkdir chmod chown touch ln tar zip unzip gzip ssh scp kill pkill ps top jq test "
    "crontab export source set sleep".split()
)
_PATH_EXT = re.compile(
    r"\.(?:py|pyi|md|txt|json|jsonl|ya?ml|toml|ini|cfg|conf|env|sh|bash|zsh|fish|js|mjs|cjs|ts|"
    r"tsx|jsx|css|scss|html?|xml|sql|sqlite|db|csv|tsv|log|lock|go|rs|java|kt|swift|c|h|cc|"
    r"cpp|hpp|rb|php|lua|r|ipynb|png|jpe?g|gif|svg|webp|pdf|zip|gz|tgz|zst|service|timer|"
    r"plist|dockerfile|tf|nix|bak)$",
    re.I,
)
_MODEL_ID = re.compile(
    r"^(?:anthropic|openai|google|gemini|ollama|openrouter|mistral|deepseek|xai|groq|fake|"
    r"moonshot|qwen|meta|bedrock|vertex|azure|minimax|zai|nvidia)/",
    re.I,
)


_NOT_A_PATH = re.compile(
    r"^/[a-z][\w-]*$|^(?:text|image|application|audio|video|multipart)/|^(?:origin|upstream)/"
)


_NUMBERS = re.compile(r"(?:[\d.]+(?:px|em|rem|pt|vh|vw|ms|s|fr|deg|%)?[/:x-]?)+")


def program(command: str) -> str:
    """The program a shell command runs (`sudo`, `env X=y` and `cd dir &&` skipped)."""
    words = command.replace("&&", " && ").split()
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("sudo", "env", "time", "nohup", "exec", "command") or "=" in word:
            i += 1
        elif word == "cd" and i + 2 < len(words) and words[i + 2] == "&&":
            i += 3
        elif word.startswith("("):
            words[i] = word.lstrip("(")
        else:
            return word.rsplit("/", 1)[-1]
    return ""


def command_rank(command: str, failed: bool) -> int:
    """0 for a command that failed, 1 for one that changes something, 2 for the rest and 3
    for a look-around (`ls`, `cat`, `pwd`…): the order Technical Details lists them in."""
    if failed:
        return 0
    if _CONSEQUENTIAL.search(command):
        return 1
    if program(command) in TRIVIAL and "|" not in command and ">" not in command:
        return 3
    return 2


def short_command(command: str, limit: int = 120) -> str:
    """A command on one line: a script's first line (with how many more), cut at a space."""
    lines = [line.strip() for line in command.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    first = " ".join(lines[0].split())
    more = f" … (+{len(lines) - 1} lines)" if len(lines) > 1 else ""
    if len(first) > limit:
        cut = first.rfind(" ", 0, limit)
        first = first[: cut if cut > limit // 2 else limit].rstrip() + " …"
    return first + more


def looks_like_path(span: str) -> bool:
    """A file path: has a folder or a known file extension, and is none of a model id, a
    slash command, a URL, a CSS value, a number or a date."""
    if " " in span or len(span) < 3 or "://" in span or span.startswith(("#", "@", "$", "-")):
        return False
    if _MODEL_ID.match(span) or _NOT_A_PATH.match(span):
        return False  # `anthropic/claude-sonnet-4-5`, `/new`
    if _NUMBERS.fullmatch(span):
        return False  # `1/2`, `16px/1.5`, `2026/03/10`, `1.2.3`
    if "/" in span:
        return re.search(r"[A-Za-z]", span) is not None and not span.endswith((")", ";", ","))
    return _PATH_EXT.search(span) is not None
