"""Sentences without a speaker of their own: a continuation of the previous claim (German
indirect speech, a quotation left open, "demnach"), or a fact the outlet itself states."""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from claimwire.agents.extract.dates import is_dated
from claimwire.agents.extract.lexicon import Lexicon
from claimwire.agents.extract.numbers import find_numbers
from claimwire.agents.extract.sentence import (
    Claim,
    char_span,
    content_form,
    is_hedged,
    is_quoted,
    quote_left_open,
    sentence_entities,
)

# The speaker of an unattributed fact; the extract stage fills in the outlet.
OUTLET_SPEAKER = {"text": "", "canonical": "", "type": "outlet", "role": None}
_TIME_OF_DAY = re.compile(r"\b\d{1,2}[.:]\d{2}\s*(uur|uhr|h|am|pm)?\b", re.IGNORECASE)
MIN_FACT_WORDS = 6


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


def unattributed_fact(sent: Span, index: int, lex: Lexicon) -> Claim | None:
    """A checkable statement of fact without attribution: the outlet asserts it. Checkable
    here means it states a quantity (a number that is not only a year or a clock time) or a
    date, in a declarative, unhedged sentence of some length."""
    stext = sent.text.strip()
    # cheap string tests first: most sentences fail them, and then no token is visited
    if stext.endswith("?") or is_quoted(stext):
        return None
    numbers = [n for n in find_numbers(stext, lex.language, lex)
               if not _TIME_OF_DAY.fullmatch(n["text"].strip())]
    if not numbers and (not is_dated(stext, lex) or is_hedged(stext, lex)):
        return None
    if sum(1 for t in sent if t.is_alpha) < MIN_FACT_WORDS:
        return None
    return Claim(
        sentence=stext, sentence_index=index, speaker=dict(OUTLET_SPEAKER), cue=None,
        via=None, hedged=is_hedged(stext, lex), quote=False, numbers=numbers, dates=[],
        entities=sentence_entities(sent), content=content_form(sent, set()),
        spans={"sentence": char_span(list(sent))})
