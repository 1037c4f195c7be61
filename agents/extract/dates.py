"""Dates in claim sentences: weekday names and relative days ("gisteren", "yesterday")
resolved against the publication date."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

from claimwire.agents.extract.lexicon import Lexicon


def find_dates(sentence: str, lex: Lexicon | None, published: date | None
               ) -> list[dict[str, str]]:
    """{"text", "date"} for each weekday or relative day, also with a part of the day written
    onto it ("vrijdagavond", "Freitagabend", "gisteravond"); nothing without a publication
    date."""
    if published is None or lex is None:
        return []
    out = []
    for word in re.findall(r"\w+", sentence.lower()):
        day = _day(word, lex.relative_days, lex, published)
        stem = _without_day_part(word, lex)
        if day is None and stem != word:
            day = _day(stem, {**lex.relative_days, **lex.relative_day_stems}, lex, published)
        if day is not None:
            out.append({"text": word, "date": day.isoformat()})
    return out


def _day(word: str, relative: Mapping[str, int], lex: Lexicon, published: date
         ) -> date | None:
    """The date a weekday (the latest on or before publication) or a relative day names."""
    if word in lex.weekdays:
        return published - timedelta(days=(published.weekday() - lex.weekdays.index(word)) % 7)
    offset = relative.get(word)
    return None if offset is None else published + timedelta(days=offset)


def _without_day_part(word: str, lex: Lexicon) -> str:
    """"vrijdagavond" -> "vrijdag", "gisteravond" -> "gister", "vanavond" -> "van": a
    weekday or relative day with a part of the day written onto it (Dutch, German)."""
    for part in lex.day_parts:
        if word.endswith(part) and len(word) > len(part):
            return word[:-len(part)]
    return word


def is_dated(sentence: str, lex: Lexicon) -> bool:
    """A weekday ("zaterdagavond" too) or a day and month: the sentence dates an event."""
    low = sentence.lower()
    if any(w.startswith(lex.weekdays) for w in re.findall(r"\w+", low)):
        return True
    return bool(re.search(r"\b\d{1,2}\.?\s+(" + "|".join(lex.months) + r")", low))
