"""Numbers in claim sentences, normalised: "130.000" (nl/de), "130,000" (en), "130 000" with
any Unicode space as the thousands separator, "130 duizend", "1,5 miljoen", number words.

Total: no input makes these functions raise. A digit run that cannot be read as a sane
number (mixed separators, more digits than a float holds) is left out rather than guessed."""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

from claimwire.agents.extract.lexicon import Lexicon, all_multipliers

# Thousands separators: dot, comma, and the spaces typography uses (no-break, thin, narrow
# no-break, figure space). One number uses one separator throughout: "0.000\u202f000" is two.
_SEPARATORS = ".,\u00a0\u2009\u202f\u2007 "
_MAX_DIGITS = 18  # past this a float loses integer precision: not a quantity news states
# Units written onto the number ("77km", "207km/h", "129mph", "5kg"): English news style. A
# number glued to other letters ("A4", "F16", "G20", "2nd") is a name or an ordinal, not a
# quantity. "m" (metres or millions) is ambiguous and left out.
_GLUED_UNITS = ("km/h", "kmh", "km", "mph", "kg", "cm", "mm", "mi", "ft", "lb", "lbs", "ha",
                "kw", "kwh", "mw", "mwh", "gw", "gwh")


@cache
def _number_pattern() -> re.Pattern[str]:
    multipliers = "|".join(sorted(all_multipliers(), key=len, reverse=True))
    return re.compile(
        rf"(?<![\w.,])(\d{{1,3}}(?P<sep>[{_SEPARATORS}])\d{{3}}(?:(?P=sep)\d{{3}})*"
        r"|\d+(?:[.,]\d+)?)"
        rf"(?:\s+({multipliers})|(?:{'|'.join(_GLUED_UNITS)})(?![\w/]))?(?![\w])",
        re.IGNORECASE)


def _number_value(digits: str, multiplier: str | None, language: str) -> float | None:
    """The value of a matched digit run, or None when it is not a sane number."""
    if sum(c.isdigit() for c in digits) > _MAX_DIGITS:
        return None
    decimal_comma = language in ("nl", "de", "fr")
    grouped = re.fullmatch(r"\d{1,3}([^\d])\d{3}(?:\1\d{3})*", digits)
    sep = grouped.group(1) if grouped else None
    try:
        if sep is not None and sep not in ".,":
            value = float(re.sub(r"\D", "", digits))
        elif sep == "." and (decimal_comma or digits.count(".") > 1):
            value = float(digits.replace(".", ""))
        elif sep == "," and (not decimal_comma or digits.count(",") > 1):
            value = float(digits.replace(",", ""))
        else:
            # "1,5" in English text is a European decimal comma more often than a list
            value = float(digits.replace(",", "."))
    except ValueError:
        return None
    if multiplier:
        value *= all_multipliers()[multiplier.lower()]
    return value if math.isfinite(value) else None


def digits_value(digits: str, language: str) -> float | None:
    """The value of a run of digits and separators as the language writes it ("5,385" in
    English and "5.385" in Dutch are 5385; "1,5" is 1.5), or None."""
    return _number_value(digits, None, language)


def parse_number(text: str, language: str) -> float | None:
    """The first number in ``text``, or None."""
    for match in _number_pattern().finditer(text):
        value = _number_value(match.group(1), match.group(3), language)
        if value is not None:
            return value
    return None


@cache
def _number_word_pattern(lex: Lexicon) -> re.Pattern[str] | None:
    if not lex.number_words:
        return None
    words = "|".join(sorted(lex.number_words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({words})(?:\s+(" + "|".join(all_multipliers()) +
                      r"))?(?!\w)", re.IGNORECASE)


def _number_words(sentence: str, lex: Lexicon | None) -> list[dict[str, Any]]:
    """ "acht Millionen", "twee miljoen", "three": number words, scaled by a multiplier."""
    pattern = _number_word_pattern(lex) if lex is not None else None
    if pattern is None or lex is None:
        return []
    out: list[dict[str, Any]] = []
    for match in pattern.finditer(sentence):
        if _counts_time_before(sentence, match.end(), lex):
            continue
        value = lex.number_words[match.group(1).lower()]
        if match.group(2):
            value *= all_multipliers()[match.group(2).lower()]
        out.append({"text": match.group(0), "value": value})
    return out


# "Nord Stream 2", "Formule 1", "Windows 10": a small bare number right after two capitalised
# words (not the sentence's first, which every sentence capitalises) is part of a name.
_NAME_BEFORE = re.compile(r"(?:^|\s)[A-ZÀ-Ý][\w-]*\s+[A-ZÀ-Ý][\w-]*\s+$")


# "SARS-CoV-2", "Covid-19", "F-16": a small number that a hyphen joins to a capitalised word
# is the name's too (two unrelated pages on the virus shared "2" as a quantity)
_NAME_HYPHEN_BEFORE = re.compile(r"[A-ZÀ-Ý][^\W\d_]*-$")


def _names_number(sentence: str, start: int, end: int) -> bool:
    """The number at ``start:end`` belongs to the name before it: at most two digits after
    two capitalised words that are not just the sentence's opening ("Mark Rutte 12 keer" at
    the start of a sentence is a count), or joined by a hyphen to a capitalised word."""
    digits = sentence[start:end].strip()
    if not digits.isdigit() or len(digits) > 2:
        return False
    before = sentence[:start]
    if _NAME_HYPHEN_BEFORE.search(before):
        return True
    if not _NAME_BEFORE.search(before):
        return False
    lead = before.rstrip().split()
    return len(lead) > 2 or not sentence[:1].isupper()


def _counts_time_before(sentence: str, end: int, lex: Lexicon) -> bool:
    """The number ending at ``end`` counts a time unit before a relative word ("twee dagen
    na storm Ciarán", "two days later", "drei Wochen zuvor"): a time reference, not a
    quantity a second outlet could confirm. "Two days after Ciarán" and "deux morts" share
    no fact, though they share the number 2."""
    if not lex.time_units:
        return False
    words = [w.strip(",.;:!?()\"'’").lower() for w in sentence[end:end + 40].split()[:2]]
    return len(words) == 2 and words[0] in lex.time_units and \
        words[1] in lex.relative_time_words


def find_numbers(sentence: str, language: str, lex: Lexicon | None = None) -> list[dict[str, Any]]:
    """The quantities of a sentence: {"text", "value"}. Bare years and day-of-month numbers
    are dates, not quantities."""
    from claimwire.agents.extract.lexicon import lexicon

    lex = lex or lexicon(language)
    months = lex.months if lex is not None else ()
    out = _number_words(sentence, lex)
    for match in _number_pattern().finditer(sentence):
        value = _number_value(match.group(1), match.group(3), language)
        if value is None:
            continue
        if match.group(3) is None and re.fullmatch(r"(19|20)\d\d", match.group(1)):
            continue
        following = sentence[match.end(): match.end() + 12].lower().lstrip()
        if match.group(3) is None and months and following.startswith(months):
            continue
        if match.group(3) is None and _names_number(sentence, match.start(), match.end()):
            continue
        if lex is not None and _counts_time_before(sentence, match.end(), lex):
            continue
        out.append({"text": match.group(0), "value": int(value) if value.is_integer() else value})
    return out
