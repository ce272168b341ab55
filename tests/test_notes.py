"""The digest's text analysis: the fast paths give what the plain definitions give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from memory_sync.digest.notes import _SENTENCE, decision_of, decisions_in

# pieces that make sentences, separators, decision words, questions and non-ASCII case changes
PIECES = [
    "We decided",
    "we'll",
    "decide to",
    "going with",
    "agreed",
    "the plan is",
    "switched to",
    "Let's go with",
    "lets go with",
    "chose",
    "decision",
    "undecided",
    "Should",
    "what",
    "We",
    "I",
    "use it",
    "word",
    "a_b",
    "'s",
    " ",
    "  ",
    ".",
    "!",
    "?",
    "?\n",
    ". ",
    "\n",
    "\n\n",
    " \n",
    "İ",
    "ß",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_decisions_are_those_of_each_sentence(pieces):
    """decisions_in looks only around decision words; it finds what splitting the text into
    sentences and asking each one finds."""
    text = "".join(pieces)
    expected = [d for d in map(decision_of, _SENTENCE.split(text)) if d]
    assert decisions_in(text) == expected


def test_a_decision_in_the_middle_of_a_long_text():
    text = (
        "Some context here. " * 50
        + "After a look, we decided to use SQLite for the index. "
        + "More. " * 50
    )
    assert decisions_in(text) == ["After a look, we decided to use SQLite for the index."]
