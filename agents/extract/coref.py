"""Who a pronoun or a definite description stands for, without a parser: "zei hij" after
"Flick zag zijn ploeg ...", "aldus de luchtvaartmaatschappij" after "KLM zegt ...",
"waarschuwt het weerinstituut" after "Het KNMI heeft ... afgegeven". The antecedent is the
nearest earlier named speaker or sentence subject; a description ("de luchthaven") may also
point to a name earlier in its own sentence ("Vanaf Schiphol kunnen ..., maakte de luchthaven
bekend")."""

from __future__ import annotations

import itertools

from spacy.tokens import Doc, Span, Token

from claimwire.agents.extract.entities import Entity, entity_of, is_demonym, is_role
from claimwire.agents.extract.lexicon import Lexicon
from claimwire.agents.extract.sentence import Claim, sentences

# How many sentences back an antecedent may stand (a pronoun further away is resolved to the
# last named speaker of the text, as before).
WINDOW = 3
DESCRIPTION_WINDOW = 2  # "de wegbeheerder" looks less far back than "hij"


def is_person_word(word: str, lex: Lexicon) -> bool:
    """A noun (or a compound ending in one: "FNV-bestuurder") that names a person."""
    low = word.lower()
    return low.endswith(lex.person_nouns) or low in lex.office_titles


def is_description(speaker: list[Token], lex: Lexicon) -> bool:
    """A definite description of an organisation: one or two lower-case words after a
    determiner ("de luchthaven", "het weerinstituut", "the airline", "la compagnie"). A
    person's noun ("de wethouder", "the spokesman") is not one."""
    if not speaker or len(speaker) > 2:
        return False
    before = speaker[0].doc[speaker[0].i - 1] if speaker[0].i > 0 else None
    # "l'institut": the elided determiner is a token of its own, written with its apostrophe
    return before is not None and (before.lower_ in lex.determiners or before.lower_.rstrip(
        "'’") in lex.determiners) and all(
        t.is_alpha and t.text[:1].islower() and not t.is_stop for t in speaker) and not any(
        is_role(t, lex) or is_person_word(t.text, lex) for t in speaker)


def _known_name(tok: Token, doc_caps: set[str], lex: Lexicon) -> bool:
    """A capitalised word is a name when it is known to the alias table, an acronym, or (where
    nouns are lower case) written capitalised inside some sentence of the text."""
    if tok.ent_type_ or (tok.is_upper and len(tok.text) > 1):
        return True
    return not lex.nouns_capitalised and tok.text in doc_caps


def capitalised_name_word(tok: Token) -> bool:
    """A capitalised word, or a compound of capitalised words that hyphens join, which the
    Dutch, German and French tokenizers keep whole ("Météo-France", "Baden-Württemberg",
    "Jean-Pierre"); not one with a lower-case part ("VVD-leider": a role)."""
    if tok.is_alpha:
        return tok.text[:1].isupper()
    parts = tok.text.split("-")
    return len(parts) > 1 and all(p.isalpha() and p[:1].isupper() for p in parts)


def _name_run(tokens: list[Token], doc_caps: set[str], lex: Lexicon) -> list[Token]:
    """The first run of capitalised words (glue allowed inside) that starts with a name."""
    run: list[Token] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if capitalised_name_word(tok) and not tok.is_stop and (
                run or _known_name(tok, doc_caps, lex) or _opens_clause(tok, nxt, lex)):
            run.append(tok)
        elif run and tok.lower_ in lex.np_glue and nxt is not None and \
                nxt.text[:1].isupper():
            run.append(tok)  # "John van 't Schip"
        elif run:
            break
    while run and run[-1].lower_ in lex.np_glue:
        run.pop()
    return run


def _opens_clause(tok: Token, nxt: Token | None, lex: Lexicon) -> bool:
    """A capitalised word that opens its sentence before an auxiliary is its subject, a name
    where nouns are lower case ("Ajax heeft ...")."""
    return not lex.nouns_capitalised and bool(tok.is_sent_start) and nxt is not None and \
        nxt.lower_ in lex.auxiliaries and tok.lower_ not in lex.not_speakers | \
        lex.inversion_adverbs | lex.time_words


def _subject(sent: Span, doc_caps: set[str], lex: Lexicon) -> list[Token]:
    """The name that opens a sentence ("Flick zag ...", "Het KNMI heeft ..."), after at most
    a determiner."""
    toks = [t for t in sent if not (t.is_space or t.is_punct)]
    if len(toks) > 1 and toks[0].lower_ in lex.backreferences and toks[1].lower_ in lex.cues:
        # "Dat meldt persbureau AFP.": the source of the sentence before, not a subject (read
        # as a determiner, a verb and a role, AFP stood for "de organisatie" after it)
        return []
    if toks and toks[0].lower_ in lex.determiners:
        if lex.nouns_capitalised:
            return []  # German: "Die Lecks" is a noun, not a name
        toks = toks[1:]
    if not toks or toks[0].lower_ in lex.fronted_prepositions | lex.prep_cues:
        return []
    for at in range(min(3, len(toks) - 1)):
        # "Coach Marieke Bos zag ...", "Demissionair premier Mark Rutte is ...", "De Turkse
        # vicepresident Fuat Oktay ...": the name after the role (and at most two words
        # before it that say what kind: an adjective, "Prime")
        if (is_person_word(toks[at].text, lex) or is_role(toks[at], lex)) and \
                toks[at + 1].text[:1].isupper() and all(t.is_alpha for t in toks[:at]):
            toks = toks[at + 1:]
            break
    run = _name_run(toks[:3], doc_caps, lex)
    if run and run[0].i == toks[0].i:
        return run
    two_names = len(toks) > 1 and all(t.is_alpha and t.text[:1].isupper() for t in toks[:2])
    return toks[:2] if two_names and (toks[0].i > sent.start or (
        # "Mark Rutte verlaat ...": where nouns are lower case, two capitalised words before
        # a lower-case one open the sentence with a name
        not lex.nouns_capitalised and len(toks) > 2 and toks[2].text[:1].islower()
        and toks[0].lower_ not in lex.not_speakers | lex.inversion_adverbs
        | lex.time_words)) else []


def _capitalised_inside(doc_sents: list[Span]) -> set[str]:
    return {t.text for s in doc_sents for t in list(s)[1:] if t.text[:1].isupper()}


def _doc_context(doc: Doc) -> tuple[list[Span], set[str]]:
    """The doc's sentences and the words capitalised inside them, computed once per doc and
    kept in its user_data: per speaker to resolve, a claim-dense text was quadratic."""
    cached = doc.user_data.get("claimwire.coref")
    if cached is None:
        sents = sentences(doc)
        cached = doc.user_data["claimwire.coref"] = (sents, _capitalised_inside(sents))
    return cached  # type: ignore[no-any-return]


def _named_speaker(claim: Claim | None, lex: Lexicon, organisation: bool) -> bool:
    """A speaker that names someone (for ``organisation``: a capitalised name that is not a
    person's: no person noun in it)."""
    if claim is None or claim.speaker["type"] in ("pronoun", "outlet"):
        return False
    if not organisation:
        return True
    spoken = claim.speaker["text"]
    if spoken.lower() in lex.pronouns | lex.object_pronouns:
        return False  # "Il a ajouté": a person, resolved before
    at = claim.sentence.find(spoken)
    before = claim.sentence[:at].split()[-1:] if at > 0 else []  # "l'entraîneur Luis Enrique"
    words = [*before, *spoken.replace("-", " ").split()]
    return spoken[:1].isupper() and not claim.speaker.get("role") and not any(
        is_person_word(w.split("'")[-1].split("’")[-1], lex) for w in words)


def antecedent(speaker: list[Token], index: int, claims: list[Claim], lex: Lexicon,
               description: bool) -> Entity | None:
    """The entity a pronoun or (``description``) a definite description speaker refers to.
    A pronoun: sentence by sentence back over the last three, a named speaker there or the
    name that opens the sentence ("Flick zag ... 'Dit is ...', zei hij"); else the last
    named speaker of the text. A description: the same over the last two sentences (only
    organisations: it never resolves to a person, "de luchthaven" is not "topman Dick
    Benschop"); else a name earlier in its own sentence when the attribution follows its
    content ("Vanaf Schiphol ..., maakte de luchthaven bekend")."""
    sents, caps = _doc_context(speaker[0].doc)
    by_index = {c.sentence_index: c for c in claims}
    text = " ".join(t.text for t in speaker)
    window = [b for b in range(index - 1, max(index - 1 - WINDOW, -1), -1) if b < len(sents)]

    def found(run: list[Token]) -> Entity:
        ent = entity_of(run)
        return Entity(text, ent.canonical, ent.type)

    def named(claim: Claim) -> Entity:
        return Entity(text, claim.speaker["canonical"], claim.speaker["type"])

    if not description:
        sentence = sents[index] if index < len(sents) else None
        if sentence is not None and any(t.text == "," and t.i < speaker[0].i
                                        for t in sentence) and (
                run := _subject(sentence, caps, lex)) and run[-1].i < speaker[0].i:
            # the attribution after its content names its subject at the start: "Mark Rutte
            # verlaat de politiek ..., maakte hij maandag bekend"
            return found(run)
        own_sentence = sents[index] if index < len(sents) else None
        refers_back = own_sentence is not None and \
            own_sentence[0].lower_ in lex.backreferences
        for back in window:  # a named speaker or a sentence's subject nearby
            if _named_speaker(by_index.get(back), lex, organisation=False):
                return named(by_index[back])
            if run := _subject(sents[back], caps, lex):
                return found(run)
            if refers_back and back == index - 1 and (run := _role_name(sents[back], caps, lex)):
                # "Nach den Erdbeben hat der türkische Präsident Recep Tayyip Erdoğan ...
                # verhängt. Das kündigte er ... an.": the person the sentence it points back
                # to names by a role, though that sentence does not open with the name
                return found(run)
        speakers = [c for c in claims if _named_speaker(c, lex, organisation=False)]
        return named(speakers[-1]) if speakers else None
    doc = speaker[0].doc

    def organisation(claim: Claim | None) -> bool:
        return claim is not None and _named_speaker(claim, lex, organisation=True) and \
            not _surname(claim.speaker["text"], doc, lex)

    prev = by_index.get(index - 1)
    if organisation(prev):
        return named(prev)  # type: ignore[arg-type]
    for back in window[:DESCRIPTION_WINDOW]:
        prev = by_index.get(back)
        if organisation(prev):
            return named(prev)  # type: ignore[arg-type]
        if (run := _subject(sents[back], caps, lex)) and not (
                len(run) == 1 and _surname(run[0].text, doc, lex)):
            return found(run)
    own = [t for t in sents[index] if t.i < speaker[0].i] if index < len(sents) else []
    if own and own[0].lower_ in lex.backreferences and index > 0:
        own = list(sents[index - 1]) + own  # "Op Schiphol ... Dat meldt de luchthaven."
    elif not any(t.text == "," for t in own):
        # only an attribution after its content (", maakte de luchthaven bekend") points
        # back into its sentence: in "Het protest in Stroe trok volgens de organisatie ..."
        # Stroe is what the organisation speaks about
        own = []
    if run := _org_run(_outside_quotes(own), caps, lex):
        return found(run)
    return None


_QUOTE_MARKS = "\"\u201c\u201d\u201e\u00ab\u00bb"


def _outside_quotes(tokens: list[Token]) -> list[Token]:
    """The tokens not inside a quotation: a quote's words are what was said, not who said it
    ("'Headway was being made,' the source said"; "'... my wife Portia ...,' the comedian
    added")."""
    marks = [t.is_quote or t.text in _QUOTE_MARKS for t in tokens]
    # an odd number of marks: the quotation opened before these tokens (in the sentence
    # before, where the splitter left the opening mark)
    out, inside = [], sum(marks) % 2 == 1
    for tok, mark in zip(tokens, marks, strict=True):
        if mark:
            inside = not inside
        elif not inside:
            out.append(tok)
    return out


def _surname(name: str, doc: Doc, lex: Lexicon) -> bool:
    """A one-word speaker that the text also writes after a first name ("Rutte" beside "Mark
    Rutte's coalition"): a person, so no description of an organisation stands for it ("The
    electoral council said ..." after "Rutte told ..."). Hazard: an organisation written after
    another capitalised word ("Royal Dutch Shell") looks the same, and a description after it
    is then left unresolved: a missed link, not a wrong one."""
    if " " in name or not name[:1].isupper():
        return False
    for tok in doc:
        if tok.text == name and tok.i > 0:
            before = doc[tok.i - 1]
            # a sentence's first word is capitalised anyway: it counts unless it is a stop
            # or time word ("Yesterday Shell said")
            if before.is_alpha and before.text[:1].isupper() and not before.is_stop and \
                    before.lower_ not in lex.determiners | lex.time_words:
                return True
    return False


def _role_name(sent: Span, caps: set[str], lex: Lexicon) -> list[Token]:
    """The first name in ``sent`` right after a role or a person's noun ("der türkische
    Präsident Recep Tayyip Erdoğan", "premier Mark Rutte")."""
    toks = [t for t in sent if not (t.is_space or t.is_punct)]
    for at, tok in enumerate(toks[:-1]):
        if is_role(tok, lex) or is_person_word(tok.text, lex):
            # after the role every capitalised word is the name's, also where all nouns
            # are capitalised (German): the role already says a person follows
            run = list(itertools.takewhile(
                lambda t: t.is_alpha and t.text[:1].isupper() and not t.is_stop,
                toks[at + 1:at + 5]))
            if run:
                return run
    return []


def _org_run(tokens: list[Token], caps: set[str], lex: Lexicon) -> list[Token]:
    """The first name in ``tokens`` that is not a person's ("trainer John van 't Schip") nor
    a demonym alone."""
    while tokens:
        run = _name_run(tokens, caps, lex)
        if not run:
            return []
        before = run[0].doc[run[0].i - 1] if run[0].i > 0 else None
        # "Het Nederlandse reddingsteam USAR": the demonym says which team, USAR names it
        demonym = len(run) == 1 and is_demonym(run[0], lex)
        if not demonym and (before is None or not is_person_word(before.text, lex)):
            return run
        tokens = [t for t in tokens if t.i > run[-1].i]
    return []
