"""Language-neutral fallback for languages without claim rules: direct quotes, attributed to
the capitalised span after them. Marked ``method='fallback'``."""

from __future__ import annotations

import re

from claimwire.agents.core.stopwords import stop_words
from claimwire.agents.extract.entities import Entity, canonical_entity
from claimwire.agents.extract.numbers import find_numbers
from claimwire.agents.extract.sentence import Claim

# A quote opens after a space, a bracket or the text's start and before a word, and closes
# before a non-word: otherwise the text *between* two quotes (`" para tratar ... "`) matched.
_QUOTE_RE = re.compile(r"(?<![^\s(\[])[\"“„«](?=\w)([^\"”“«»]{20,400})[\"”“»](?!\w)")
_NAME_RE = re.compile(r"\b[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*")
# Where the quote's sentence ends: the speaker stands before it (`", dijo Boric.`), not in
# the sentence after (`". Me ...` had made "Me" a speaker on Spanish pages).
_SENTENCE_END = re.compile(r"[.!?](\s|$)|\n")


def fallback_speaker(tail: str, language: str) -> str:
    """The first capitalised span after a quote, inside the quote's sentence, that is not a
    stop word of the language (a capitalised "Me" or "Mes" opening a clause is no name)."""
    end = _SENTENCE_END.search(tail)
    stops = stop_words(language)
    for name in _NAME_RE.findall(tail[:end.start()] if end else tail):
        words = [w for w in name.split() if w.lower() not in stops]
        if words:
            return " ".join(words)
    return ""


def fallback_claims(text: str, language: str) -> list[Claim]:
    claims = []
    for index, match in enumerate(_QUOTE_RE.finditer(text)):
        speaker = fallback_speaker(text[match.end(): match.end() + 80], language)
        ent = canonical_entity(speaker) if speaker else Entity("", "", "unknown")
        quote = match.group(1)
        claims.append(Claim(
            sentence=match.group(0), sentence_index=index,
            speaker={"text": speaker, "canonical": ent.canonical, "type": ent.type,
                     "role": None},
            cue=None, via=None, hedged=False, quote=True,
            numbers=find_numbers(quote, language), dates=[], entities=[],
            content=" ".join(w.lower() for w in re.findall(r"\w{3,}", quote)),
            method="fallback"))
    return claims
