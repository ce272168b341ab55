"""What a message says, in English, Chinese or Japanese: decisions and rules it sets, whether it
is only a greeting, and the named subjects it is about (topics). Pure functions of the text."""

from __future__ import annotations

import functools
import re

from memory_sync.digest.words import STOPWORDS

# --- decisions -----------------------------------------------------------------------------
# Forms that choose, settle or set a rule. The person's messages may use any of them; the
# agent's only count when it states a decision outright (it narrates its own actions a lot).
_EN_ANY = (
    r"let'?s (?:go with|use|do|keep|stick with|switch|move|make|try)\b"
    r"|\bwe(?:'ll| will| are going to|'re going to| shall)\s+"
    r"(?:use|go with|keep|stick with|switch|move|adopt|drop)\b"
    r"|\b(?:i|we)(?:'ve| have)? decided\b|\bdecided (?:to|that|on|against)\b|\bdecision:"
    r"|\bgo(?:ing)? with\b|\bsettled on\b|\bstick with\b|\bagreed\b"
    r"|\bfrom now on\b|\bgoing forward\b|\bfrom today\b"
    r"|^(?:(?:and|also|then|please|so|ok|okay)[, ]+)*(?:always|never|don'?t ever)\b"
    r"|^(?:(?:and|also|then|please|so|ok|okay)[, ]+)*use \S.{0,80}?\b(?:as|for|instead of)\b"
    r"|\binstead of\b"
    r"|^(?:(?:and|also|then|please|so|ok|okay)[, ]+)*(?:switch|change|move|set)\b.{0,80}?\bto\b"
    r"|\bthe plan is\b|\bwe(?:'ll| will) (?:always|never)\b"
)
_EN_AGENT = (
    r"\b(?:i|we)(?:'ve| have)? decided\b|\bdecided (?:to|that|on|against)\b|\bdecision:"
    r"|\blet'?s go with\b"
    r"|\bgoing with\b|\bsettled on\b|\bagreed\b|\bfrom now on\b|\bgoing forward\b"
    r"|\bwe(?:'ll| will)\s+(?:use|go with|keep|stick with|switch|always|never)\b"
)
_CJK_ANY = (
    "决定",
    "決定",
    "就用",
    "改成",
    "改用",
    "换成",
    "換成",
    "定了",
    "以后",
    "以後",
    "今后",
    "從今",
    "从现在",
    "統一用",
    "统一用",
    "不要再",
    "ことにした",
    "ことにします",
    "に決めた",
    "今後は",
    "これからは",
    "に変更",
    "に切り替え",
)
_CJK_AGENT = ("决定", "決定", "就用", "以后", "以後", "今后", "ことにした", "今後は", "これからは")
_DECISION_ANY = re.compile(_EN_ANY, re.M)
_DECISION_AGENT = re.compile(_EN_AGENT, re.M)
# every line that _DECISION_ANY can match in has one of these (checked case-blind, unanchored)
_HINT_ANY = re.compile(
    r"let'?s|we(?:'ll| will| are| shall|'re)|decid|decision|\bgo(?:ing)? with|settled|stick with"
    r"|agreed|from now|going forward|from today|always|never|don'?t ever|\buse\b|instead of"
    r"|\bswitch|\bchange|\bmove|\bset\b|the plan"
)
_QUESTION_START = re.compile(
    r"^(?:what|which|why|how|when|where|who|should|shall|can|could|would|do|does|did|is|are|"
    r"will|remind)\b"
)
_MARKUP = re.compile(r"^\s*(?:[#>*+-]+|\d+[.)])\s+|\*\*|__")
_SPACE = re.compile(r"\s+")
_LEADING_JOINER = re.compile(r"^(?:(?:and|also|then|so|ok|okay)\b[,]?\s+)+", re.I)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LOWER_WORD = re.compile(r"[a-z][a-z0-9.+#'-]*[a-z0-9+#]|[a-z]")


def _has_cjk(text: str) -> bool:
    return not text.isascii() and _CJK.search(text) is not None


def _is_question(sentence: str, lower: str) -> bool:
    end = sentence.rstrip()[-1:]
    if end in ("?", "？"):
        return True
    if end in ("吗", "嗎", "呢", "か") and len(sentence) < 80:
        return True
    return _QUESTION_START.match(lower) is not None or _ASKING.search(lower) is not None


_ASKING = re.compile(
    r"\bremind me\b|\btell me\b|\bwhat (?:we|was|did we|have we|had we)\b|\b(?:can|could) you\b"
)
# where an agent's decision starts inside a longer sentence (text pasted before it)
_CLAUSE_START = re.compile(r"\b(?:We|I|Let's|Lets|Decided|Decision|Agreed|The plan|Going)\b")


def _from_clause(sentence: str) -> str:
    """An agent's decision from the last clause start before its decision word on."""
    match = _DECISION_AGENT.search(sentence.lower())
    if match is None:
        return sentence
    starts = [m.start() for m in _CLAUSE_START.finditer(sentence, 0, match.end())]
    return sentence[starts[-1] :] if starts else sentence


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|[。！？]|\n")
_ENDS_BEFORE = (". ", "! ", "? ", ".\t", "。", "！", "？", "\n")


def _sentence_at(text: str, at: int) -> tuple[int, int]:
    """The span of the sentence of `text` that holds position `at` (found by looking for the
    sentence ends either side, not by splitting the whole text: that is slow on long texts)."""
    start = 0
    for end in _ENDS_BEFORE:
        found_at = text.rfind(end, 0, at)
        if found_at != -1 and found_at + len(end) > start:
            start = found_at + len(end)
    found = _SENTENCE_END.search(text, at)
    stop = len(text) if found is None else found.end()
    return start, stop


def _sentences(text: str, lower: str, hint: re.Pattern[str], cjk: tuple[str, ...]) -> list[str]:
    """The sentences that may hold a decision, in order, and the code fences before them (so
    code blocks are known). `lower` is `text.lower()`, offset for offset."""
    spans: set[tuple[int, int]] = set()
    for match in hint.finditer(lower):
        spans.add(_sentence_at(text, match.start()))
    for marker in cjk:
        at = text.find(marker)
        while at != -1:
            spans.add(_sentence_at(text, at))
            at = text.find(marker, at + 1)
    fence = text.find("```")
    while fence != -1:
        start = text.rfind("\n", 0, fence) + 1
        end = text.find("\n", fence)
        spans.add((start, len(text) if end == -1 else end))
        fence = text.find("```", fence + 3)
    return [text[start:stop] for start, stop in sorted(spans)]


def decisions_in(text: str, *, person: bool) -> list[str]:
    """The decisions and standing rules stated in `text`, one clean sentence each, in order.

    The person's words count in every decision form; the agent's only when it says outright
    that something was decided or agreed. Questions, code and Markdown tables never count."""
    pattern = _DECISION_ANY if person else _DECISION_AGENT
    hint = _HINT_ANY if person else _DECISION_AGENT
    markers = _CJK_ANY if person else _CJK_AGENT
    cjk = _has_cjk(text)
    lower = text.lower()
    if len(lower) != len(text):  # a few characters change length when lower-cased
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    if hint.search(lower) is None and not (cjk and any(m in text for m in markers)):
        return []
    found: list[str] = []
    in_code = False
    for raw in _sentences(text, lower, hint, markers if cjk else ()):
        if raw.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code or raw.count("|") >= 2 or not raw.strip():
            continue
        sentence = _LEADING_JOINER.sub("", _SPACE.sub(" ", _MARKUP.sub("", raw)).strip(" -:"))
        if not person:
            sentence = _from_clause(sentence)
        sentence = sentence[:1].upper() + sentence[1:]
        low = sentence.lower()
        hit = pattern.search(low) is not None or (
            cjk and _has_cjk(sentence) and any(m in sentence for m in markers)
        )
        if not hit or _is_question(sentence, low):
            continue
        if len(sentence.split()) < 3 and len(_CJK.findall(sentence)) < 5:
            continue
        found.append(sentence if len(sentence) <= 220 else sentence[:219].rstrip() + "…")
    return found


def decision_key(sentence: str) -> frozenset[str]:
    """What a decision is about, for telling one decision stated twice (by the person, then
    agreed by the agent) from two: its content words, stemmed, and its CJK character pairs."""
    words = {
        _stem(w)
        for w in _LOWER_WORD.findall(sentence.lower())
        if len(w) > 2 and w not in STOPWORDS and w not in _AGREEMENT
    }
    if sentence.isascii():
        return frozenset(words)
    han = "".join(_CJK.findall(sentence))
    pairs = {han[i : i + 2] for i in range(len(han) - 1)} - _CJK_GLUE
    return frozenset(words | pairs)


def same_decision(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two decision keys name the same choice: most of the smaller one is shared, or
    (in CJK text, whose character pairs overlap less) the same two or more Latin names."""
    if not a or not b:
        return a == b
    shared = a & b
    if len(shared) >= 0.6 * min(len(a), len(b)):
        return True
    names = [k for k in shared if k.isascii()]
    return len(names) >= 2 and not all(k.isascii() for k in a | b)


_AGREEMENT = frozenset(
    "agreed going understood okay sure great fine alright noted decided decision will "
    "i'll we'll let's lets from now always".split()
)
_CJK_GLUE = frozenset({"决定", "我们", "以后", "好的", "明白", "就用", "改成", "已经", "了解"})


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    for suffix in ("ing", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


# --- greetings and acknowledgements --------------------------------------------------------
_GREETING_WORDS = frozenset(
    "hi hello hey hiya yo morning evening night afternoon good thanks thank thx ty cheers "
    "ok okay k cool great nice awesome perfect bye goodbye cya later see soon welcome yes yeah "
    "yep no nope sure fine alright got it great lol haha wow".split()
)
_CJK_GREETINGS = (
    "早上好",
    "早安",
    "你好",
    "您好",
    "晚安",
    "谢谢",
    "謝謝",
    "多谢",
    "好的",
    "收到",
    "明白",
    "了解",
    "辛苦了",
    "おはよう",
    "こんにちは",
    "こんばんは",
    "おやすみ",
    "ありがとう",
    "了解です",
    "承知しました",
    "よろしく",
)
_NOT_WORD = re.compile(r"[^\w']+")


def is_greeting(text: str) -> bool:
    """A message that only greets, thanks or acknowledges ("hi", "thanks, that's all for
    today", "早上好", "ありがとう"): dropped from the flow first."""
    if len(text) > 80:
        return False
    if _has_cjk(text):
        rest = text
        for greeting in _CJK_GREETINGS:
            rest = rest.replace(greeting, "")
        rest = re.sub(r"[\s\W！。、，~ー〜]+", "", rest)
        return rest in ("", "ございます", "ございました", "啊", "呀", "哦", "です", "ね")
    words = [w for w in _NOT_WORD.split(text.lower()) if w]
    return bool(words) and all(w in _GREETING_WORDS or w in STOPWORDS for w in words)


# --- topics --------------------------------------------------------------------------------
# Named subjects: words with a capital inside a sentence (GitHub, Telegram, SQLite), names with
# a dash or dot (garden-planner, Node.js), and, for Chinese and Japanese, katakana words and
# frequent runs of Han characters (no segmenter: n-gram counts over the day pick the words).
_CAPS = re.compile(r"[A-Z][A-Za-z]*(?:[ -][A-Z][a-z]+)*(?:\.(?:js|ts|py|io|ai|dev))?")
_DASH = re.compile(r"[a-z]-[a-z]")
_DASHED = re.compile(r"[a-z]+(?:-[a-z]+)+")
_GLUED = frozenset("/.@-_")
_COMMON_CAPS = frozenset(
    "I OK AI API URL URLS UTC GMT CET CEST EST PST PM AM TODO FYI ASAP README LICENSE MIT JSON "
    "YAML HTML CSS PDF CLI UI UX ID IDS TL DR PS NB QA HTTP HTTPS SSH DNS EUR USD GBP JPY CNY "
    "RMB CHF AUD CAD KB MB GB TB PB KIB MIB GIB MS FPS CPU GPU RAM "
    "MONDAY TUESDAY WEDNESDAY THURSDAY FRIDAY SATURDAY SUNDAY JANUARY FEBRUARY "
    "MARCH APRIL MAY JUNE JULY AUGUST SEPTEMBER OCTOBER NOVEMBER DECEMBER".split()
)
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]{3,}")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
# Characters that end or start no topic: particles, pronouns, auxiliaries and common verbs.
_HAN_EDGE = frozenset(
    "的了是在我你他她它们这那就都也和与及或但而如果因为所以吗呢吧啊把被给让从到对向先再又很太更"
    "最已经没不要会能可以一个什么怎么现今明天好请帮看做用想说去来有上下中里后前多少些每还只"
    "个吧嗎們這為與從後會麼"
)


_STARTS = frozenset(".!?:-*#>\"'(`\n")
_MONTHS_DAYS = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat "
    "sun".split()
)


def _is_name(name: str) -> bool:
    """The shape of a name: CamelCase, capitals with lower case (SQLite), an acronym of 2-6
    capitals, or a capitalised word of three letters or more (also several, `Rain Bird`)."""
    if len(name) < 2:
        return False
    rest = name[1:]
    if rest.islower():
        return len(name) >= 3
    if name.isupper() or (name[-1] == "s" and name[:-1].isupper()):
        return len(name.rstrip("s")) <= 6
    return True


def _dashed_names(text: str) -> list[tuple[int, str]]:
    """`garden-planner`, `memory-sync`: found from their dashes (a regex over every word is
    slower), with where each starts."""
    found: list[tuple[int, str]] = []
    size, last = len(text), 0
    for match in _DASH.finditer(text):
        start, end = match.start(), match.end()
        if start < last:
            continue
        while start > 0 and (text[start - 1] == "-" or "a" <= text[start - 1] <= "z"):
            start -= 1
        while end < size and (text[end] == "-" or "a" <= text[end] <= "z"):
            end += 1
        last = end
        if start and (text[start - 1].isalnum() or text[start - 1] in _GLUED):
            continue
        if end < size and (text[end].isalnum() or text[end] in "/@_"):
            continue
        name = text[start:end]
        if _DASHED.fullmatch(name) and min(map(len, name.split("-"))) >= 3:  # not `check-in`
            found.append((start, name))
    return found


def names_in(text: str) -> list[str]:
    """Named subjects in an English (or mixed) text, in order: capitalised words that do not
    start a sentence or a list item, CamelCase, acronyms and dashed or dotted names."""
    found: list[tuple[int, str]] = []
    end_of_text = len(text)
    for match in _CAPS.finditer(text):
        start, end = match.span()
        if start and (text[start - 1].isalnum() or text[start - 1] in _GLUED):
            continue
        if end < end_of_text and (text[end].isalnum() or text[end] in "/@-_"):
            continue
        if text[end : end + 1] == "." and text[end + 1 : end + 2].isalpha():
            continue  # a file name: `AGENTS.md`
        name = match.group(0)
        if " " in name and name.split(" ", 1)[0].lower() in STOPWORDS:
            cut = name.index(" ") + 1  # "The Gardena Micro-Drip" names Gardena Micro-Drip
            name, start = name[cut:], start + cut
        low = name.lower()
        if not _is_name(name) or name.upper() in _COMMON_CAPS or low in STOPWORDS:
            continue
        if low in _MONTHS_DAYS:
            continue
        if name[0].isupper() and name[1:].islower():
            before = text[max(0, start - 3) : start].rstrip(" ")
            if start == 0 or not before or before[-1] in _STARTS:
                continue  # a capital that only starts a sentence or a list item
        found.append((start, name))
    if "-" in text:
        found += _dashed_names(text)
        found.sort()
    return [name for _, name in found]


def cjk_terms(text: str) -> list[str]:
    """Candidate words of Chinese or Japanese text: katakana words, and the 2-4 character
    pieces of each run of Han characters that neither start nor end with a particle."""
    if not _has_cjk(text):
        return []
    out = _KATAKANA.findall(text)
    for run in _HAN_RUN.findall(text):
        size = len(run)
        for n in (2, 3, 4):
            for i in range(size - n + 1):
                piece = run[i : i + n]
                if piece[0] not in _HAN_EDGE and piece[-1] not in _HAN_EDGE:
                    out.append(piece)
    return out
