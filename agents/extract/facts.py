"""Sentences without a speaker of their own: a continuation of the previous claim (German
indirect speech, a quotation left open, "demnach"), or a fact the outlet itself states."""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from claimwire.agents.core.quotes import is_quoted
from claimwire.agents.extract.dates import is_dated
from claimwire.agents.extract.lexicon import Lexicon
from claimwire.agents.extract.numbers import find_numbers
from claimwire.agents.extract.sentence import (
    Claim,
    char_span,
    content_form,
    is_hedged,
    quote_left_open,
    sentence_entities,
)

# The speaker of an unattributed fact; the extract stage fills in the outlet.
OUTLET_SPEAKER = {"text": "", "canonical": "", "type": "outlet", "role": None}
_TIME_OF_DAY = re.compile(r"\b\d{1,2}[.:]\d{2}\s*(uur|uhr|h|am|pm)?\b", re.IGNORECASE)
MIN_FACT_WORDS = 6
# A shorter statement is a fact only with a quantity and a clause of its own (two function
# words: "Ze werd 96 jaar.", "She was 96 years old.", "Elle avait 96 ans.").
MIN_SHORT_FACT_WORDS = 3
# separators of listings and schedules: "June 19 -- PNC Music Pavilion, Charlotte, NC"
_LIST_SEPARATORS = re.compile(r"\s(--|–|—|\||•|·)\s|^\s*[-•·*]\s")
_LEADING_TIME = re.compile(r"^\s*\d{1,2}[.:]\d{2}\b")
_SPEC = re.compile(r"^\s*\d+([.,]\d+)?\s?[a-zA-Z%\"”-]{1,6}\b")  # "8GB", "6.1-inch", "256 GB"
_CURRENCY = re.compile(r"[$€£¥]\s?\d|\d\s?(€|\$|euro|eur|usd|dollars?)\b", re.IGNORECASE)
_END = (".", "!", '"', "”", "»", "“", "'", "’", ")", "«", "„", "…")


def same_source(prev: Claim, sent: Span, index: int, lex: Lexicon,
                cue: Token | None = None) -> Claim:
    """A claim in ``sent`` by the source of ``prev`` (indirect speech or a quote that goes
    on, "demnach")."""
    stext = sent.text.strip()
    return Claim(
        sentence=stext, sentence_index=index, speaker=dict(prev.speaker),
        cue={"text": cue.text, "lemma": cue.lower_, "strength": "says"} if cue else None,
        via=prev.via, hedged=is_hedged(stext, lex), quote=is_quoted(stext),
        numbers=find_numbers(stext, lex.language, lex), dates=[],
        entities=sentence_entities(sent),
        content=content_form(sent, {cue.i} if cue else set()),
        spans={"sentence": char_span(list(sent)),
               **({"cue": char_span([cue])} if cue else {})})


def continuation_or_fact(sent: Span, index: int, claims: list[Claim], lex: Lexicon
                         ) -> Claim | None:
    """A sentence without its own speaker: it continues the previous sentence's claim
    (German indirect speech, a quotation left open), or it is an outlet-stated fact."""
    prev = claims[-1] if claims else None
    if prev is not None and prev.sentence_index == index - 1 and \
            prev.speaker["type"] != "outlet" and (
                any(t.lower_ in lex.reported_speech_forms for t in sent)
                or quote_left_open(prev.sentence)):
        return same_source(prev, sent, index, lex)
    return unattributed_fact(sent, index, lex)


def content_sentence(sent: Span, lex: Lexicon) -> bool:
    """A sentence that can carry the content of a following "Dat meldt X.": a statement
    (ends with a full stop, not a question or a heading) of some length."""
    stext = sent.text.strip()
    return stext.endswith((".", "!", '"', "”", "»")) and \
        sum(1 for t in sent if t.is_alpha) >= MIN_FACT_WORDS - 2


def is_clock_time(number: str, sentence: str, lex: Lexicon) -> bool:
    """The number reads as a time of day ("20.15 uur", "om 9.30"), unless every place the
    sentence writes it, a percent sign or word follows: "in the 5.25%-5.50% range" and
    "2.75 percent" are shares, and a share is a checkable quantity."""
    text = number.strip()
    if not _TIME_OF_DAY.fullmatch(text):
        return False
    found = False
    for match in re.finditer(rf"(?<![\w.,]){re.escape(text)}(?![\w])", sentence):
        found = True
        after = sentence[match.end():match.end() + 30].lstrip().lower()
        if not after.startswith(("%", *lex.percent_words)):
            return True
    return not found


def unattributed_fact(sent: Span, index: int, lex: Lexicon) -> Claim | None:
    """A checkable statement of fact without attribution: the outlet asserts it. Checkable
    here means it states a quantity (a number that is not only a year or a clock time) or a
    date, in a declarative, unhedged sentence of some length."""
    stext = sent.text.strip()
    # cheap string tests first: most sentences fail them, and then no token is visited
    if stext.endswith("?") or is_quoted(stext):
        return None
    numbers = [n for n in find_numbers(stext, lex.language, lex)
               if not is_clock_time(n["text"], stext, lex)]
    if not numbers and (not is_dated(stext, lex) or is_hedged(stext, lex)):
        return None
    words = sum(1 for t in sent if t.is_alpha)
    short_ok = bool(numbers) and words >= MIN_SHORT_FACT_WORDS and \
        sum(1 for t in sent if t.is_stop) >= 2
    if (words < MIN_FACT_WORDS and not short_ok) or not_checkable(sent, lex):
        return None
    return Claim(
        sentence=stext, sentence_index=index, speaker=dict(OUTLET_SPEAKER), cue=None,
        via=None, hedged=is_hedged(stext, lex), quote=False, numbers=numbers, dates=[],
        entities=sentence_entities(sent), content=content_form(sent, set()),
        spans={"sentence": char_span(list(sent))})


def not_checkable(sent: Span, lex: Lexicon) -> str | None:
    """Why an unattributed sentence with a number or a date asserts nothing checkable, or
    None. Page text holds lines that carry numbers and dates but state no fact: tour dates
    and schedules ("June 19 -- PNC Music Pavilion, Charlotte, NC"), TV listings ("20.15
    Journaal"), captions and headings (no closing punctuation), bylines, product
    specifications ("8GB RAM, 256GB storage") and prices in calls to action ("Subscribe for
    $1"). The tests are cheap and need no parser: a statement is a finite clause, so it ends
    like a sentence, holds function words, and is not mostly names and numbers."""
    text = sent.text.strip()
    words = [t for t in sent if not (t.is_punct or t.is_space)]
    if not text.endswith(_END):
        return "heading"  # headings, captions, list items: no sentence end
    sep = _LIST_SEPARATORS.search(text)
    if _LEADING_TIME.match(text) or (sep and len(text[: sep.start()].split()) <= 4 and any(
            c.isdigit() for c in text[: sep.start()])):
        return "listing"  # "June 19 -- PNC Music Pavilion", "20.15 Journaal"
    if words and words[0].lower_ in lex.call_to_action and _CURRENCY.search(text):
        return "advert"
    if words and words[0].lower_ in lex.furniture_words and (
            len(words) <= 8 or words[1].text == ":"):
        return "byline"  # "By Jane Doe.", "Foto: ANP" (not "Door storm Eunice zijn ...")
    parts = [part for part in re.split(r",\s|;|\s/\s|\s\|\s", text) if part.strip()]
    if len(parts) >= 2 and sum(bool(_SPEC.match(part)) and len(part.split()) <= 4
                               for part in parts) * 2 >= len(parts):
        return "specification"  # "8GB RAM, 256GB storage, 6.1-inch display"
    if not any(t.is_stop for t in words):
        return "no clause"  # a statement has function words: articles, auxiliaries
    capitalised = sum(1 for t in words[1:] if t.text[:1].isupper() or t.like_num)
    if words[1:] and capitalised / len(words[1:]) > (0.75 if lex.nouns_capitalised else 0.6):
        return "names and numbers"
    return None
