"""Quotation marks in a sentence: which mark opens a quote, and the words a sentence quotes.
Plain text in, plain text out; the extract stage (claim rules) and the story stage (claim
matching) both read quotes with these functions."""

from __future__ import annotations

import re

QUOTE_MARKS = re.compile(r"[\"“”„«»]")
# A quoted statement has at least this many words; fewer is a scare quote or a term
# (des « actions délibérées »), which says nothing on its own.
MIN_QUOTED_WORDS = 3


def is_quoted(text: str) -> bool:
    return bool(QUOTE_MARKS.search(text))


def quote_opens(text: str, i: int) -> bool:
    """The quotation mark at ``text[i]`` opens a quote: „ and « always; " and “ when they
    stand before a word and after a space or at the start (German closes with “)."""
    mark = text[i]
    if mark in "„«":
        return True
    if mark in "”»":
        return False
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([") and not after.isspace()


def quoted_text(sentence: str) -> str | None:
    """The words the sentence quotes, without the attribution around them ("Das ist brutal
    enttäuschend", sagte Flick in der ARD -> Das ist brutal enttäuschend), or None when it
    quotes fewer than MIN_QUOTED_WORDS words. A sentence that starts inside a quote (the
    splitter can leave the opening mark at the end of the sentence before) quotes from its
    start to the first closing mark."""
    marks = [m.start() for m in QUOTE_MARKS.finditer(sentence)]
    parts: list[str] = []
    start: int | None = None
    if marks and not quote_opens(sentence, marks[0]):
        start = 0  # opened in the sentence before
    for i in marks:
        if start is None:
            if quote_opens(sentence, i):
                start = i + 1
        elif not quote_opens(sentence, i) or i == start:
            parts.append(sentence[start:i])
            start = None
    words = " ".join(" ".join(parts).split())
    return words if len(words.split()) >= MIN_QUOTED_WORDS else None
