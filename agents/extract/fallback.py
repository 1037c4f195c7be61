"""Language-neutral fallback for languages without claim rules: direct quotes, attributed to
the capitalised span after them. Marked ``method='fallback'``."""

from __future__ import annotations

import re

from claimwire.agents.extract.entities import Entity, canonical_entity
from claimwire.agents.extract.numbers import find_numbers
from claimwire.agents.extract.sentence import Claim

_QUOTE_RE = re.compile(r"[\"“„«]([^\"”“«»]{20,400})[\"”»]")


def fallback_claims(text: str, language: str) -> list[Claim]:
    claims = []
    for index, match in enumerate(_QUOTE_RE.finditer(text)):
        tail = text[match.end(): match.end() + 80]
        names = re.findall(r"\b[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*", tail)
        speaker = names[0] if names else ""
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
