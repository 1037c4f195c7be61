"""Dates in claim sentences: weekday names and relative days ("gisteren", "yesterday")
resolved against the publication date."""

from __future__ import annotations

import re
from datetime import date, timedelta

from claimwire.agents.extract.lexicon import Lexicon


def find_dates(sentence: str, lex: Lexicon | None, published: date | None
               ) -> list[dict[str, str]]:
    """{"text", "date"} for each weekday or relative day; nothing without a publication date."""
    if published is None or lex is None:
        return []
    out = []
    for word in re.findall(r"\w+", sentence.lower()):
        if word in lex.weekdays:
            delta = (published.weekday() - lex.weekdays.index(word)) % 7
            out.append({"text": word, "date": (published - timedelta(days=delta)).isoformat()})
        elif word in lex.relative_days:
            day = published + timedelta(days=lex.relative_days[word])
            out.append({"text": word, "date": day.isoformat()})
    return out


def is_dated(sentence: str, lex: Lexicon) -> bool:
    """A weekday ("zaterdagavond" too) or a day and month: the sentence dates an event."""
    low = sentence.lower()
    if any(w.startswith(lex.weekdays) for w in re.findall(r"\w+", low)):
        return True
    return bool(re.search(r"\b\d{1,2}\.?\s+(" + "|".join(lex.months) + r")", low))
