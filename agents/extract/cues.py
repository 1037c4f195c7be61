"""Reporting cues in context: which matched cue words in a sentence really report speech
("zei", "meldt", "called X a Y", a separable verb with its particle, a German cue with its
subject), not a quotation's inner words or "called for". Plain rules over tokens and the
language's word lists (agents.extract.lexicon); the speaker and via rules that follow a cue
are in agents.extract.attribution.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.tokens import Doc, Span, Token

from claimwire.agents.extract.lexicon import Lexicon
from claimwire.agents.extract.sentence import CUES_KEY, QuoteMarks
from claimwire.agents.extract.timelimit import UNLIMITED, Deadline


def cue_starts(doc: Doc) -> list[int]:
    """Token indices of the cue matcher's spans (pipeline.py), in document order."""
    return [span.start for span in doc.spans[CUES_KEY]]


def _cue_in_context(sent: Span, tok: Token, lex: Lexicon) -> bool:
    """A matched cue word that is a cue here: not the noun "report", "laten" with "weten"."""
    lemma = tok.lemma_.lower()
    nxt = sent.doc[tok.i + 1] if tok.i + 1 < sent.end else None
    if (lemma == "laten" or tok.lower_ in ("laat", "liet")) and not any(
            t.lower_ == "weten" for t in sent):
        return False
    if tok.lower_ == "according" and (nxt is None or nxt.lower_ != "to"):
        return False
    if lemma == "stellen" and (nxt is None or nxt.lower_ != "dat"):
        return False
    if tok.lower_ == "report":  # the noun, mostly
        return False
    if lemma == "call" and not _names_as(sent, tok, lex):
        return False
    prev = sent.doc[tok.i - 1] if tok.i > sent.start else None
    if tok.lower_ in lex.bound_cues and (prev is None or prev.lower_.replace("’", "'") !=
                                         lex.bound_cues[tok.lower_]):
        return False  # "après la réunion" is no cue, "d'après l'AFP" is
    if lex.determiner_makes_noun and prev is not None and prev.lower_ in lex.determiners:
        return False  # "l'annonce", "une déclaration": the noun
    if not separable_ok(sent, tok, lemma, lex):
        return False
    if lex.source_nouns and not german_cue_ok(sent, tok, lemma, lex):
        return False
    # "state"/"states" is mostly the noun (a US state); the verb is "stated" or "states that"
    return not (lemma == "state" and tok.lower_ != "stated" and (
        nxt is None or nxt.lower_ != "that"))


def _names_as(sent: Span, tok: Token, lex: Lexicon) -> bool:
    """ "called the Queen the rock on which ...", "called the move a mistake": calling
    something something is a statement; "called the police", "called for", "was called"
    are not. The object (a determiner, possessive or name) is followed by a second noun
    phrase (a determiner) before any other function word or punctuation."""
    prev = sent.doc[tok.i - 1] if tok.i > sent.start else None
    if prev is not None and (prev.lower_ in lex.auxiliaries or prev.text == "-"):
        return False
    after = list(sent.doc[tok.i + 1: min(sent.end, tok.i + 8)])
    if not after or not (after[0].lower_ in lex.determiners | lex.possessives
                         or after[0].text[:1].isupper()):
        return False
    first = 1 if after[0].lower_ not in lex.determiners | lex.possessives else 2
    for t in after[first:]:
        if t.lower_ in lex.determiners:
            return True
        if t.is_punct or t.is_stop:
            return False
    return False


def find_cues(sent: Span, lex: Lexicon, starts: list[int], deadline: Deadline = UNLIMITED
              ) -> list[Token]:
    """Reporting cues in a sentence, in order: the matched cues that are cues in context.
    ``deadline`` is checked per cue (some context tests read the whole sentence)."""
    # the cues are in document order: take this sentence's slice, not all of them
    first, last = bisect_left(starts, sent.start), bisect_left(starts, sent.end)
    if first == last:
        return []
    quotes = QuoteMarks(sent)
    found = []
    for i in range(first, last):
        deadline.check()
        tok = sent.doc[starts[i]]
        if _cue_in_context(sent, tok, lex) and not quotes.inside(tok):
            found.append(tok)
    return found


def separable_ok(sent: Span, tok: Token, lemma: str, lex: Lexicon) -> bool:
    """A separable verb is a cue only with its particle: "teilte ... mit", "maakte ...
    bekend", "kondigde ... aan" (after the verb in a main clause; in a Dutch subordinate
    clause the particle may come first, "bekend maakte")."""
    key = lemma if lemma in lex.separable_cues else tok.lower_
    if key not in lex.separable_cues:
        return True
    particle = lex.separable_cues[key]
    return any(t.lower_ == particle for t in sent if t.i > tok.i or (
        lex.verb_second and t.i == tok.i - 1))


def german_cue_ok(sent: Span, tok: Token, lemma: str, lex: Lexicon) -> bool:
    """German cues that are only cues in a construction: "nach (eigenen) Angaben / Worten /
    Informationen", "NDR-Recherchen", ", so X" (", so der Präsident")."""
    low = tok.lower_
    if low in lex.source_nouns or low.endswith("-recherchen"):
        window = {t.lower_ for t in sent.doc[max(sent.start, tok.i - 3): tok.i + 2]}
        return "nach" in window
    if low == "so":
        prev = sent.doc[tok.i - 1] if tok.i > sent.start else None
        nxt = sent.doc[tok.i + 1] if tok.i + 1 < sent.end else None
        if nxt is not None and nxt.lower_ in lex.determiners and nxt.i + 1 < sent.end:
            nxt = sent.doc[nxt.i + 1]  # ", so der Präsident", ", so ein Sprecher"
        return prev is not None and prev.text == "," and nxt is not None and \
            nxt.text[:1].isupper()
    return True
