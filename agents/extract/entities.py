"""Speaker and source spans and their canonical forms: the noun phrase that names a source
without a parser (determiners stripped, the head noun kept, the tail after the name cut
off), the alias table (``data/entity_aliases.json``, also loaded into spaCy's entity ruler)
and, for names it does not know, the capitalised words of the span."""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from claimwire.agents.extract.lexicon import Lexicon

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


_ENTS_KEY = "claimwire_ents"


def ents_within(doc: Doc, start: int, end: int) -> list[Span]:
    """The entities lying wholly within tokens [start, end), in order. ``Doc.ents`` and
    ``Span.ents`` rebuild every entity span of the document on each call, so a lookup per
    claim made a claim-dense text quadratic (a 300 KB text took 27 s); the entities are
    read once per doc (they are final when the claim rules run) and found by bisection."""
    cached = doc.user_data.get(_ENTS_KEY)
    if cached is None:
        ents = tuple(doc.ents)
        cached = ([e.start for e in ents], ents)
        doc.user_data[_ENTS_KEY] = cached
    starts, ents = cached
    out = []
    # entities do not overlap: past the first one that ends beyond ``end``, all do
    for ent in ents[bisect_left(starts, start):]:
        if ent.end > end:
            break
        out.append(ent)
    return out


def entity_of(tokens: list[Token]) -> Entity:
    """Canonical form of a speaker or source span: the longest known entity (entity ruler,
    ``ent_id_``) inside it, else its capitalised words."""
    text = span_text(tokens)
    if tokens:
        first, last = tokens[0].i, tokens[-1].i
        inside = ents_within(tokens[0].doc, first, last + 1)
        if inside:
            best = max(inside, key=len)
            after = [t for t in tokens if t.i >= best.end]
            if best.label_ in ("ORG", "GPE") and after and after[-1].text[:1].isupper() and any(
                    t.is_alpha and t.text[:1].islower() for t in after):
                # "Kremlin spokesman Dmitry Peskov": the organisation's person speaks, known
                # by the name after the role
                lower = max(i for i, t in enumerate(after) if t.text[:1].islower())
                return Entity(text, span_text(after[lower + 1:]), "unknown")
            return Entity(text, best.ent_id_ or best.text, best.label_.lower())
        if tokens[-1].is_alpha and tokens[-1].text[:1].islower():
            # the head noun is lower case ("Britse regering", "British government"): the
            # capitalised words alone would be the bare adjective
            return Entity(text, text, "unknown")
    return Entity(text, title_words(text) or text, "unknown")


def via_entity(tokens: list[Token], lex: Lexicon) -> Entity:
    """The via's entity. What kind of source it is ("persbureau", "dem schwedischen Sender",
    "broadcaster", "l'agence") is not its name: "Nachrichtenagentur AFP", "persbureau AFP"
    and "AFP" are one intermediary, and a report through it is one origin."""
    ent = entity_of(tokens)
    if ent.type != "unknown":
        return ent  # the alias table knows it
    i = 0
    while i < len(tokens) - 1 and (
            tokens[i].lower_ in lex.source_kinds | lex.determiners
            or tokens[i].lower_.rstrip("'’") in lex.determiners
            or (tokens[i].is_alpha and tokens[i].text[:1].islower())):
        i += 1
    name = tokens[i:]
    if i and name and name[0].text[:1].isupper():
        return Entity(ent.text, entity_of(name).canonical.rstrip("."), ent.type)
    return ent


# ------------------------------------------------------------ the span that names a source

def clean_span(tokens: list[Token], lex: Lexicon) -> list[Token]:
    """Strip determiners and adverbs ("Ook FDF-voorman X zegt") at the front and time adverbs
    / punctuation at the back."""
    while tokens and (tokens[0].lower_ in lex.determiners | lex.inversion_adverbs
                      or tokens[0].is_punct or tokens[0].is_space):
        tokens = tokens[1:]
    while tokens and (tokens[-1].lower_ in lex.time_words or tokens[-1].is_punct
                      or tokens[-1].lower_ in lex.determiners):
        tokens = tokens[:-1]
    return tokens


def is_role(tok: Token, lex: Lexicon) -> bool:
    low = tok.lower_
    return low in lex.role_nouns or low.endswith(lex.role_suffixes)


def role(speaker: list[Token], lex: Lexicon) -> str | None:
    roles = [t.text for t in speaker if is_role(t, lex)]
    return roles[0] if roles else None


def name_like(tok: Token | None, lex: Lexicon) -> bool:
    return tok is not None and (tok.text[:1].isupper() or is_role(tok, lex)
                                or tok.lower_ in lex.determiners)


def is_demonym(tok: Token, lex: Lexicon) -> bool:
    """A capitalised adjective of a people or country where nouns are lower case and
    adjectives inflect (Dutch: "Deense", "Russische", "Nederlandse"): it says which, and names
    no one. Not in English, where "Chase" and "House" end so too."""
    return bool(lex.adjective_suffixes) and not lex.nouns_capitalised and \
        tok.text[:1].isupper() and tok.lower_.endswith(("se", "sche"))


def _adjective(tok: Token, lex: Lexicon) -> bool:
    """An attributive adjective by its ending ("Deense", "maritieme", "dänischen")."""
    if lex.nouns_capitalised and tok.text[:1].isupper():
        return False  # German: a capitalised word is a noun
    if tok.text[:1].isupper() and not is_demonym(tok, lex):
        return False  # "Lagarde" is a name
    return bool(lex.adjective_suffixes) and tok.is_alpha and len(tok.text) > 3 and \
        tok.lower_.endswith(lex.adjective_suffixes) and not tok.lower_.endswith(lex.noun_suffixes)


def _head_noun(tok: Token, lex: Lexicon) -> bool:
    """A lower-case word that can head a noun phrase after a determiner or adjective: not a
    stop word (verbs like "is", "heeft"), not a clause or time word."""
    low = tok.lower_
    if lex.nouns_capitalised and not tok.text[:1].isupper():
        return False  # German nouns are capitalised: "müssen" is none
    lemma = tok.lemma_.lower()
    if lex.verb_lemma_suffixes and lemma != low and lemma.endswith(lex.verb_lemma_suffixes):
        return False  # "kwamen" (komen): a verb form, not a noun
    return tok.is_alpha and not tok.is_stop and not dated_word(tok, lex) and \
        low not in lex.clause_words | lex.time_words | lex.auxiliaries and low not in lex.hedges


def dated_word(tok: Token, lex: Lexicon) -> bool:
    """ "dinsdagavond", "Dienstagabend": a weekday compound is a time adverb, not a name."""
    return tok.lower_.startswith(lex.weekdays)


def _glue_ok(tokens: list[Token], i: int, lex: Lexicon) -> bool:
    """Glue ("van", "van der", "of the") is inside the phrase when a name follows it."""
    j = i
    while j < len(tokens) and tokens[j].lower_ in lex.np_glue:
        j += 1
    if j >= len(tokens):
        return False
    return name_like(tokens[j], lex) or (
        tokens[j - 1].lower_ in lex.determiners and _head_noun(tokens[j], lex))


def noun_phrase_prefix(tokens: list[Token], lex: Lexicon) -> list[Token]:
    """The leading noun phrase of a token run, without a parser: names (capitalised),
    role nouns, glue words between them, adjectives before them, and the head noun after a
    determiner or an adjective ("de Deense maritieme autoriteit", not "Deense")."""
    out: list[Token] = []
    open_head = False  # a determiner or adjective waits for its noun
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if dated_word(tok, lex) or tok.lower_ in lex.dative_via:
            break
        # an adjective opens a phrase or follows a determiner, glue or adjective; after a
        # name ("Christine Lagarde blijft") it is not one
        opens = not out or open_head or out[-1].lower_ in lex.np_glue
        if opens and _adjective(tok, lex) and nxt is not None and (
                name_like(nxt, lex) or _adjective(nxt, lex) or _head_noun(nxt, lex)):
            out.append(tok)
            open_head = True
        elif tok.lower_ in lex.determiners and out and not open_head and \
                out[-1].lower_ not in lex.np_glue:
            break  # "de geologische dienst USGS een kracht van 7,8": a new noun phrase
        elif name_like(tok, lex):
            out.append(tok)
            open_head = tok.lower_ in lex.determiners
        elif tok.lower_ in lex.np_glue and _glue_ok(tokens, i, lex):
            out.append(tok)
        elif tok.lower_.endswith("e") and nxt is not None and (
                is_role(nxt, lex) or nxt.text[:1].isupper()):
            out.append(tok)
        elif open_head and _head_noun(tok, lex):
            out.append(tok)
            open_head = False
        else:
            break
    return out


def trim_tail(tokens: list[Token], lex: Lexicon) -> list[Token]:
    """A speaker run without what follows the name: "Bundestrainer Hansi Flick in der ARD",
    "Mette Frederiksen am Dienstagabend", "Björn Lund dem Sender SVT" end before the
    preposition, the weekday or the dative (glue such as "van", "von" stays)."""
    stops = (lex.fronted_prepositions - lex.np_glue) | lex.dative_via
    for i, tok in enumerate(tokens):
        if i > 0 and (tok.lower_ in stops or dated_word(tok, lex)) and any(
                t.lower_ not in lex.determiners for t in tokens[:i]):
            return tokens[:i]
    return tokens
