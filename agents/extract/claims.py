"""The claim rules over one document: which sentences are claims, who makes them, through
whom, and how the next sentences refer back to them ("Dat meldt Interfax.", "zei hij").
``claims_in_doc`` is the ``claimwire_claims`` component's predict: pure, no side effects."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from claimwire.agents.extract.attribution import (
    cue_starts,
    find_cues,
    find_speaker,
    is_backreference,
    is_role,
    role,
    speaker_after,
    via_after_cue,
)
from claimwire.agents.extract.entities import Entity, entity_of, span_text
from claimwire.agents.extract.facts import continuation_or_fact, same_source
from claimwire.agents.extract.lexicon import Lexicon, lexicon
from claimwire.agents.extract.numbers import find_numbers
from claimwire.agents.extract.sentence import (
    Claim,
    char_span,
    content_form,
    is_hedged,
    is_quoted,
    sentence_entities,
    sentences,
)

MIN_SENTENCE_CHARS = 15


def claims_in_doc(doc: Doc, language: str) -> list[Claim]:
    """The claims of one document, in order. Dates are resolved later, against the article's
    publication date (pipeline.claims_for_batch)."""
    lex = lexicon(language)
    if lex is None:
        raise ValueError(f"no claim rules for language {language!r}")
    claims: list[Claim] = []
    starts = cue_starts(doc)
    for index, sent in enumerate(sentences(doc)):
        if len(sent.text.strip()) < MIN_SENTENCE_CHARS:
            continue
        claim = _claim_of_sentence(sent, index, find_cues(sent, lex, starts), claims, lex)
        if claim is not None:
            claims.append(claim)
    return claims


def _claim_of_sentence(sent: Span, index: int, found: list[Token], claims: list[Claim],
                       lex: Lexicon) -> Claim | None:
    if not found:
        return continuation_or_fact(sent, index, claims, lex)
    cue, speaker, via_tokens = _pick_cue(sent, found, lex)
    if is_backreference(sent, cue, lex):
        _attach_backreference(sent, cue, index, claims, lex)
        return None
    if not speaker and claims and _anaphoric(sent, cue, lex):
        # "demnach" (according to that): the source of the previous claim
        return same_source(claims[-1], sent, index, lex, cue)
    if not speaker:
        # a cue without a speaker ("..., in dem er mitteile"): as if it had none
        return continuation_or_fact(sent, index, claims, lex)
    ent = _resolve_speaker(speaker, index, claims, lex)
    return _attributed_claim(sent, index, cue, speaker, ent, via_tokens, lex)


def _pick_cue(sent: Span, found: list[Token], lex: Lexicon
              ) -> tuple[Token, list[Token], list[Token]]:
    """The first cue that has a speaker (or points back), with its speaker and via."""
    cue = found[0]
    speaker: list[Token] = []
    via: list[Token] = []
    for candidate in found:
        cue = candidate
        if is_backreference(sent, cue, lex):
            break
        speaker, via = find_speaker(sent, cue, lex)
        if speaker:
            break
    return cue, speaker, via


def _attach_backreference(sent: Span, cue: Token, index: int, claims: list[Claim],
                          lex: Lexicon) -> None:
    """ "Dat meldt Interfax" after "X zegt ...": Interfax is the intermediate source; after
    an outlet-stated fact ("De inflatie daalde naar 2,8 procent. Dat meldt het CBS.") it is
    the speaker."""
    source = speaker_after(sent, cue.i + 1, lex)
    if not (claims and source and claims[-1].sentence_index == index - 1):
        return
    prev = claims[-1]
    ent = entity_of(source)
    if prev.speaker["type"] == "outlet":
        prev.speaker = {"text": ent.text, "canonical": ent.canonical, "type": ent.type,
                        "role": role(source, lex)}
        prev.spans["speaker"] = char_span(source)
    elif prev.via is None and ent.canonical != prev.speaker.get("canonical"):
        prev.via = {"text": ent.text, "canonical": ent.canonical}
        prev.spans["via"] = char_span(source)


def _anaphoric(sent: Span, cue: Token, lex: Lexicon) -> bool:
    return cue.lower_ in lex.anaphoric_cues or (
        cue.lower_ in lex.source_nouns and cue.i > sent.start
        and sent.doc[cue.i - 1].lower_ in lex.possessives)


def _resolve_speaker(speaker: list[Token], index: int, claims: list[Claim], lex: Lexicon
                     ) -> Entity:
    """The speaker's entity; a pronoun, a bare role noun or an office title stands for a
    speaker named before."""
    text = span_text(speaker)
    ent = entity_of(speaker)
    if len(speaker) == 1 and speaker[0].lower_ in lex.pronouns:
        # "zei hij": the last named speaker in the text
        named = [c for c in claims if c.speaker["type"] not in ("pronoun", "outlet")]
        if named:
            return Entity(text, named[-1].speaker["canonical"], named[-1].speaker["type"])
        return Entity(text, text, "pronoun")
    if ent.type != "unknown" or len(speaker) != 1:
        return ent
    if is_role(speaker[0], lex):
        # "het ministerie" after "het Russische ministerie van Defensie": the same speaker
        for prev in reversed(claims):
            if speaker[0].lower_ in prev.speaker["text"].lower():
                return Entity(text, prev.speaker["canonical"], prev.speaker["type"])
    elif speaker[0].lower_ in lex.office_titles:
        # "das Staatsoberhaupt" a few sentences after "Steinmeier sagte": an office held by
        # one person stands for the last named speaker. (A spokesperson does not: many.)
        for prev in reversed(claims[-3:]):
            if index - prev.sentence_index <= 3 and prev.speaker["type"] not in (
                    "outlet", "pronoun") and prev.speaker["text"][:1].isupper():
                return Entity(text, prev.speaker["canonical"], prev.speaker["type"])
    return ent


def _attributed_claim(sent: Span, index: int, cue: Token, speaker: list[Token], ent: Entity,
                      via_tokens: list[Token], lex: Lexicon) -> Claim:
    via_tokens = via_tokens or via_after_cue(sent, cue, lex)
    via = None
    if via_tokens:
        vent = entity_of(via_tokens)
        via = {"text": vent.text, "canonical": vent.canonical}
    frame = {t.i for t in speaker} | {cue.i} | {t.i for t in via_tokens}
    stext = sent.text.strip()
    lemma = cue.lemma_.lower()
    return Claim(
        sentence=stext, sentence_index=index,
        speaker={"text": span_text(speaker), "canonical": ent.canonical, "type": ent.type,
                 "role": role(speaker, lex)},
        cue={"text": cue.text, "lemma": lemma or cue.lower_,
             "strength": lex.cues.get(lemma, lex.cues.get(cue.lower_, "says"))},
        via=via, hedged=is_hedged(stext, lex), quote=is_quoted(stext),
        numbers=find_numbers(stext, lex.language, lex), dates=[],
        entities=sentence_entities(sent), content=content_form(sent, frame),
        spans={"sentence": char_span(list(sent)), "speaker": char_span(speaker),
               "cue": char_span([cue]),
               **({"via": char_span(via_tokens)} if via_tokens else {})})
