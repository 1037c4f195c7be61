"""Canonical forms of speakers and sources: the alias table (``data/entity_aliases.json``,
also loaded into spaCy's entity ruler) and, for names it does not know, the capitalised
words of the span."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spacy.tokens import Token

ALIASES_PATH = Path(__file__).with_name("data") / "entity_aliases.json"


@dataclass(frozen=True)
class Entity:
    text: str
    canonical: str
    type: str


@cache
def entity_aliases() -> dict[str, dict[str, str]]:
    """surface form (lowercase) -> {canonical, type}; a small hand-kept table."""
    raw = json.loads(ALIASES_PATH.read_text(encoding="utf-8"))
    table: dict[str, dict[str, str]] = {}
    for entry in raw:
        for form in [entry["canonical"], *entry["aliases"]]:
            table[form.lower()] = {"canonical": entry["canonical"], "type": entry["type"]}
    return table


def alias_patterns() -> list[dict[str, str]]:
    """The alias table as entity-ruler patterns (``ent_id_`` is the canonical form)."""
    return [{"label": info["type"].upper(), "pattern": form, "id": info["canonical"]}
            for form, info in entity_aliases().items()]


def title_words(text: str) -> str:
    """The capitalised words of a text: a name without a parser."""
    return " ".join(w for w in re.findall(r"[\w'’.-]+", text) if w[:1].isupper())


def canonical_entity(text: str) -> Entity:
    """Canonical form of a speaker or source: the longest known alias inside the text."""
    low = text.lower()
    best: tuple[int, dict[str, str]] | None = None
    for form, info in entity_aliases().items():
        if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", low) and (
                best is None or len(form) > best[0]):
            best = (len(form), info)
    if best:
        return Entity(text, best[1]["canonical"], best[1]["type"])
    return Entity(text, title_words(text) or text, "unknown")


def span_text(tokens: list[Token]) -> str:
    if not tokens:
        return ""
    return tokens[0].doc[tokens[0].i: tokens[-1].i + 1].text


def entity_of(tokens: list[Token]) -> Entity:
    """Canonical form of a speaker or source span: the longest known entity (entity ruler,
    ``ent_id_``) inside it, else its capitalised words."""
    text = span_text(tokens)
    if tokens:
        first, last = tokens[0].i, tokens[-1].i
        inside = [e for e in tokens[0].doc.ents if e.start >= first and e.end <= last + 1]
        if inside:
            best = max(inside, key=len)
            return Entity(text, best.ent_id_ or best.text, best.label_.lower())
    return Entity(text, title_words(text) or text, "unknown")
