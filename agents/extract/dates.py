"""Dates in claim sentences: calendar dates ("1. Januar 2024", "13 juli", "July 13, 2022"),
weekday names and relative days ("gisteren", "yesterday"), the last two resolved against
the publication date."""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache

from babel import Locale

from claimwire.agents.extract.lexicon import Lexicon


@cache
def _calendar(language: str) -> tuple[dict[str, int], re.Pattern[str]] | None:
    """Month names of the language (CLDR's, through babel: wide and abbreviated) and the
    pattern of a calendar date: day first ("1. Januar 2024", "1er janvier") or, in English,
    month first ("January 1, 2024")."""
    try:
        months = Locale(language).months["format"]
    except Exception:  # noqa: BLE001 - a language babel does not know: no calendar dates
        return None
    names = {str(name).lower().rstrip("."): number for width in ("wide", "abbreviated")
             for number, name in months[width].items()}
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    year = r"(?:\s+(?P<{}>(?:19|20)\d\d))?"
    day_first = (r"\b(?P<day>[0-3]?\d)(?:\.|er)?\s+(?P<month>" + alternatives
                 + r")(?!\w)\.?" + year.format("year"))
    month_first = (r"\b(?P<month2>" + alternatives + r")(?!\w)\.?\s+(?P<day2>[0-3]?\d)"
                   r"(?:st|nd|rd|th)?\b,?" + year.format("year2"))
    pattern = day_first + ("|" + month_first if language == "en" else "")
    return names, re.compile(pattern, re.IGNORECASE)


def calendar_dates(sentence: str, language: str, published: date | None
                   ) -> list[dict[str, str]]:
    """{"text", "date"} of each calendar date; a date without a year takes the publication's
    (none without a publication date)."""
    calendar = _calendar(language)
    if calendar is None:
        return []
    names, pattern = calendar
    out = []
    for match in pattern.finditer(sentence):
        found_in = match.groupdict()
        day = found_in["day"] or found_in.get("day2")
        month = names[str(found_in["month"] or found_in.get("month2")).lower()]
        year = found_in["year"] or found_in.get("year2")
        if not year and published is None:
            continue
        try:
            found = date(int(year) if year else published.year,  # type: ignore[union-attr]
                         month, int(str(day)))
        except ValueError:  # 31 February: not a date
            continue
        out.append({"text": match.group(0).lower(), "date": found.isoformat()})
    return out


def find_dates(sentence: str, lex: Lexicon | None, published: date | None
               ) -> list[dict[str, str]]:
    """{"text", "date"} for each calendar date, weekday or relative day; weekdays and
    relative days need a publication date."""
    if lex is None:
        return []
    out = calendar_dates(sentence, lex.language, published)
    if published is None or out:
        return out  # a calendar date is what a weekday beside it ("woensdag 8 juni") names
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
