"""The claim rules over one document: which sentences are claims, who makes them, through
whom, and how the next sentences refer back to them ("Dat meldt Interfax.", "zei hij").
``claims_in_doc`` is the ``claimwire_claims`` component's predict: pure, no side effects."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from claimwire.agents.core.quotes import QUOTE_MARKS, is_quoted, quote_opens
from claimwire.agents.extract.attribution import (
    backreference_source,
    find_speaker,
    is_backreference,
    via_after_cue,
)
from claimwire.agents.extract.coref import antecedent, is_description
from claimwire.agents.extract.cues import cue_starts, find_cues
from claimwire.agents.extract.entities import (
    Entity,
    entity_of,
    is_role,
    role,
    span_text,
    via_entity,
)
from claimwire.agents.extract.facts import content_sentence, continuation_or_fact, same_source
from claimwire.agents.extract.lexicon import Lexicon, lexicon
from claimwire.agents.extract.numbers import find_numbers
from claimwire.agents.extract.sentence import (
    Claim,
    char_span,
    content_form,
    is_hedged,
    sentence_entities,
    sentences,
)
from claimwire.agents.extract.timelimit import UNLIMITED, Deadline

MIN_SENTENCE_CHARS = 15
# How many earlier claims a pronoun or a bare role noun is resolved against. Unbounded, a
# text of thousands of "zei hij" sentences with no named speaker scanned every earlier claim
# for each (quadratic: 68 s for 550 KB); no article refers back further than this.
LOOKBACK_CLAIMS = 50


def claims_in_doc(doc: Doc, language: str, deadline: Deadline = UNLIMITED) -> list[Claim]:
    """The claims of one document, in order. Dates are resolved later, against the article's
    publication date (pipeline.claims_for_batch). Raises ``RejectedInput("timeout")`` once
    ``deadline`` has passed (checked before each sentence and each cue)."""
    lex = lexicon(language)
    if lex is None:
        raise ValueError(f"no claim rules for language {language!r}")
    claims: list[Claim] = []
    starts = cue_starts(doc)
    sents = sentences(doc)
    for index, sent in enumerate(sents):
        deadline.check()
        if len(sent.text.strip()) < MIN_SENTENCE_CHARS:
            continue
        found = find_cues(sent, lex, starts, deadline)
        if found and is_backreference(sent, found[0], lex):
            # "Dat meldt X." attributes the previous sentence: no claim of its own
            prev_sent = sents[index - 1] if index else None
            _attach_backreference(sent, found[0], index, claims, lex, prev_sent)
            continue
        claim = _claim_of_sentence(sent, index, found, claims, lex, deadline)
        if claim is not None:
            claims.append(claim)
    return claims


def _claim_of_sentence(sent: Span, index: int, found: list[Token], claims: list[Claim],
                       lex: Lexicon, deadline: Deadline) -> Claim | None:
    if not found:
        return continuation_or_fact(sent, index, claims, lex)
    cue, speaker, via_tokens = _pick_cue(sent, found, lex, deadline)
    if not speaker and claims and _anaphoric(sent, cue, lex):
        # "demnach" (according to that): the source of the previous claim
        return same_source(claims[-1], sent, index, lex, cue)
    if not speaker:
        # a cue without a speaker ("..., in dem er mitteile"): as if it had none
        return continuation_or_fact(sent, index, claims, lex)
    ent = _resolve_speaker(speaker, index, claims, lex)
    return _attributed_claim(sent, index, cue, speaker, ent, via_tokens, lex)


def _pick_cue(sent: Span, found: list[Token], lex: Lexicon, deadline: Deadline
              ) -> tuple[Token, list[Token], list[Token]]:
    """The first cue that has a speaker (or points back), with its speaker and via."""
    cue = found[0]
    speaker: list[Token] = []
    via: list[Token] = []
    for candidate in found:
        deadline.check()  # a sentence of thousands of tokens holds thousands of cues
        cue = candidate
        if is_backreference(sent, cue, lex):
            break
        speaker, via = find_speaker(sent, cue, lex)
        if speaker:
            break
    return cue, speaker, via


def _attach_backreference(sent: Span, cue: Token, index: int, claims: list[Claim],
                          lex: Lexicon, prev_sent: Span | None) -> None:
    """ "Dat meldt Interfax" after "X zegt ...": Interfax is the intermediate source. After an
    outlet-stated fact ("De inflatie daalde naar 2,8 procent. Dat meldt het CBS."), or after
    a sentence that was no claim ("Remkes gaat de gesprekken leiden. Dat heeft het ministerie
    bekendgemaakt."), it is the speaker of that sentence. "Dat zegt X volgens Y": X speaks,
    via Y."""
    source, via = backreference_source(sent, cue, lex)
    if not source:
        return
    ent = _resolve_speaker(source, index, claims, lex)
    if claims and claims[-1].sentence_index == index - 1:
        prev = claims[-1]
        if prev.speaker["type"] == "outlet" or (via and ent.type != "pronoun"):
            _set_speaker(prev, source, ent, lex)
            prev.cue = cue_of(cue, lex)
            prev.spans["cue"] = char_span([cue])
            if via:
                _set_via(prev, via, lex)
        elif prev.via is None and ent.canonical != prev.speaker.get("canonical"):
            _set_via(prev, via or source, lex)
        return
    if prev_sent is not None and content_sentence(prev_sent, lex):
        claim = _attributed_claim(prev_sent, index - 1, cue, source, ent, via, lex)
        claims.append(claim)


def _set_speaker(claim: Claim, source: list[Token], ent: Entity, lex: Lexicon) -> None:
    claim.speaker = {"text": span_text(source), "canonical": ent.canonical, "type": ent.type,
                     "role": role(source, lex)}
    claim.spans["speaker"] = char_span(source)


def _set_via(claim: Claim, via: list[Token], lex: Lexicon) -> None:
    vent = via_entity(via, lex)
    claim.via = {"text": vent.text, "canonical": vent.canonical}
    claim.spans["via"] = char_span(via)


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
    if len(speaker) == 1 and speaker[0].lower_ in lex.pronouns | lex.object_pronouns:
        # "zei hij": the last named speaker in the text, or a name that opened a sentence;
        # only the last LOOKBACK_CLAIMS claims are read (a claim-dense text stays linear)
        if near := antecedent(speaker, index, claims[-LOOKBACK_CLAIMS:], lex,
                              description=False):
            return near
        return Entity(text, text, "pronoun")
    if ent.type == "unknown" and is_description(speaker, lex) and (
            near := antecedent(speaker, index, claims[-LOOKBACK_CLAIMS:], lex,
                               description=True)):
        return near  # "aldus de luchtvaartmaatschappij" after "KLM zegt ..."
    if ent.type != "unknown" or len(speaker) != 1:
        return ent
    if is_role(speaker[0], lex):
        # "het ministerie" after "het Russische ministerie van Defensie": the same speaker
        for prev in reversed(claims[-LOOKBACK_CLAIMS:]):
            if speaker[0].lower_ in prev.speaker["text"].lower():
                return Entity(text, prev.speaker["canonical"], prev.speaker["type"])
    if speaker[0].lower_ in lex.office_titles or (
            "-" in speaker[0].text and speaker[0].lower_.rsplit("-", 1)[1] in lex.office_titles):
        # "das Staatsoberhaupt" a few sentences after "Steinmeier sagte", "the president
        # said" after "Erdoğan said" (a role no earlier speaker was named with), "de
        # VVD-leider" after "Mark Rutte": an office held by one person stands for the last
        # named speaker. (A spokesperson does not.)
        for prev in reversed(claims[-3:]):
            # the canonical form: "Dat zei hij" after "Mark Rutte heeft ..." is Rutte too
            if index - prev.sentence_index <= 3 and prev.speaker["type"] not in (
                    "outlet", "pronoun") and prev.speaker["canonical"][:1].isupper():
                return Entity(text, prev.speaker["canonical"], prev.speaker["type"])
    return ent


def _attributed_claim(sent: Span, index: int, cue: Token, speaker: list[Token], ent: Entity,
                      via_tokens: list[Token], lex: Lexicon) -> Claim:
    """The claim of ``sent``. The cue, speaker and via may stand in the next sentence (a
    back-reference, "Dat heeft X bekendgemaakt"): the frame is left out of the content only
    when it is in ``sent``."""
    if not via_tokens and sent.start <= cue.i < sent.end:
        via_tokens = via_after_cue(sent, cue, lex)
    via = None
    if via_tokens:
        vent = via_entity(via_tokens, lex)
        via = {"text": vent.text, "canonical": vent.canonical}
    frame = {t.i for t in speaker} | {cue.i} | {t.i for t in via_tokens}
    if sent.start <= cue.i < sent.end:
        frame |= attribution_after_quote(sent, cue)
    frame = {i for i in frame if sent.start <= i < sent.end}
    stext = sent.text.strip()
    return Claim(
        sentence=stext, sentence_index=index,
        speaker={"text": span_text(speaker), "canonical": ent.canonical, "type": ent.type,
                 "role": role(speaker, lex)},
        cue=cue_of(cue, lex),
        via=via, hedged=is_hedged(stext, lex), quote=is_quoted(stext),
        numbers=find_numbers(stext, lex.language, lex), dates=[],
        entities=sentence_entities(sent), content=content_form(sent, frame),
        spans={"sentence": char_span(list(sent)), "speaker": char_span(speaker),
               "cue": char_span([cue]),
               **({"via": char_span(via_tokens)} if via_tokens else {})})


def attribution_after_quote(sent: Span, cue: Token) -> set[int]:
    """The tokens of an attribution that follows the quote it attributes: from the cue to the
    next opening quotation mark or the sentence's end (`"…", said Brent Sherwood, vice
    president of … at Blue Origin.`, `"…", zei hij na afloop.`, `« … », a déclaré le
    ministre`). The speaker's apposition, the venue and the time there are the frame, not
    the content: two different quotes of one speaker shared them ("vice president advanced
    development programs blue origin") and met by their content words. Empty when no quote
    closes right before the cue (only punctuation and function words between)."""
    doc, text, base = sent.doc, sent.text, sent.start_char
    j = cue.i - 1
    closes = False
    while j >= sent.start and (doc[j].is_punct or doc[j].is_stop or doc[j].is_space):
        if QUOTE_MARKS.fullmatch(doc[j].text) and not quote_opens(text, doc[j].idx - base):
            closes = True
            break
        j -= 1
    if not closes:
        return set()
    out = set()
    for tok in sent[cue.i - sent.start:]:
        if QUOTE_MARKS.fullmatch(tok.text) and quote_opens(text, tok.idx - base):
            break
        out.add(tok.i)
    return out


def cue_of(cue: Token, lex: Lexicon) -> dict[str, str]:
    """The claim record's cue: the word, its lemma and its strength (says, denies, ...)."""
    lemma = cue.lemma_.lower()
    return {"text": cue.text, "lemma": lemma or cue.lower_,
            "strength": lex.cues.get(lemma, lex.cues.get(cue.lower_, "says"))}
