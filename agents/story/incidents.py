"""The kind of incident a report's lead names, as a veto on story pairs.

Two short reports of two incidents in one port on one morning (a ship ran aground, a ferry
collided with a barge) share every name, the day and the coastguard, and their other words
overlap as much as two wordings of one event do: no similarity feature tells them apart. What
does is the kind of incident each lead names. ``incident_kinds`` reads it from the lead, by
per-language word lists (agents/story/data/incident_kinds.json); ``kinds_agree`` is False when
both leads name kinds and none of one's is the same as, or compatible with, one of the other's.
Story assignment then does not score the pair, as for years that disagree
(``features.years_agree``).

On ECB+ dev, whose topics pair two similar events of one kind (so the veto can only cost
there), ``scripts/fit_story_weights.py`` counts the pairs it leaves out: no same-event pair
(of 3,141), no pair of a topic's two events that the years let through (2,294), and 599 of
the every-tenth pairs across topics.

Hazard: a lead that names a second incident only in passing ("a year after the fire, ...")
carries that kind too; a veto needs the other lead to name kinds, none of them compatible. The
words are whole words: a kind whose words also mean something else in news ("crash" of a
party or a market, "vol" for flight and theft) is left out rather than guessed.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

KINDS_PATH = Path(__file__).with_name("data") / "incident_kinds.json"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _data() -> tuple[dict[str, dict[str, frozenset[str]]], dict[str, frozenset[str]]]:
    """(language -> word -> its kinds, kind -> the kinds it agrees with, itself included)."""
    data = json.loads(KINDS_PATH.read_text(encoding="utf-8"))
    words: dict[str, dict[str, frozenset[str]]] = {}
    agreeing: dict[str, set[str]] = {}
    for language, kinds in data["kinds"].items():
        by_word: dict[str, set[str]] = {}
        for kind, listed in kinds.items():
            agreeing.setdefault(kind, {kind})
            for word in listed:
                by_word.setdefault(word, set()).add(kind)
        words[language] = {word: frozenset(k) for word, k in by_word.items()}
    for a, b in data["compatible"]:
        agreeing.setdefault(a, {a}).add(b)
        agreeing.setdefault(b, {b}).add(a)
    return words, {kind: frozenset(k) for kind, k in agreeing.items()}


def incident_kinds(lead: str, language: str) -> frozenset[str]:
    """The kinds of incident the lead names ("collision", "fire", ...); empty for a language
    without word lists, or a lead that names none."""
    by_word = _data()[0].get(language)
    if not by_word:
        return frozenset()
    return frozenset(kind for word in _WORD.findall(lead.lower()) for kind in
                     by_word.get(word, ()))


def kinds_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """False when both name kinds and no kind of ``a`` is one of ``b``'s or compatible with
    one: two incidents."""
    if not a or not b or a & b:
        return True
    agreeing = _data()[1]
    return not all(agreeing[kind].isdisjoint(b) for kind in a)
