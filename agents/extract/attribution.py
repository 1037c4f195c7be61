"""Attribution rules: for a reporting cue in a sentence, who speaks (the speaker span) and
through whom (the via source). No parser exists here for Dutch, so the rules walk tokens with
the language's word lists (agents.extract.lexicon):

- the speaker stands before a verb cue (back to a clause boundary), after an inverted cue
  ("Dat meldt X", "zegt X", ", aldus X", "said X"), or after a prepositional cue
  ("volgens X", "according to X", "laut X");
- the via source: "via X", "tegen X" / "told X" after the cue, "heeft tegen X gezegd" before it.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from claimwire.agents.extract.entities import (
    clean_span,
    dated_word,
    is_role,
    noun_phrase_prefix,
    trim_tail,
)
from claimwire.agents.extract.lexicon import PUNCT_BREAKS, Lexicon

MAX_SPAN_TOKENS = 12


def _breaks(tok: Token, lex: Lexicon) -> bool:
    """The token ends a clause."""
    return tok.lower_ in PUNCT_BREAKS or tok.lower_ in lex.clause_words


def _walk_back(sent: Span, i: int, skip: frozenset[str]) -> int:
    while i >= sent.start and sent.doc[i].lower_ in skip:
        i -= 1
    return i


def speaker_before(sent: Span, cue: Token, lex: Lexicon) -> tuple[list[Token], list[Token]]:
    """Walk back from a verb cue to its subject. Returns (speaker, via): in "Het ministerie
    heeft tegen Interfax gezegd" the subject is "Het ministerie" and Interfax the via."""
    skip = lex.auxiliaries | lex.time_words
    tokens: list[Token] = []
    via: list[Token] = []
    i = _walk_back(sent, cue.i - 1, skip)
    while i >= sent.start:
        tok = sent.doc[i]
        if tok.lower_ in lex.via_before_cue and tokens and not via:
            via, tokens = tokens, []
            i = _walk_back(sent, i - 1, skip)
            continue
        initial_possessive = i == sent.start and tok.lower_ in lex.possessives
        if (_breaks(tok, lex) or tok.lower_ in lex.auxiliaries or tok.is_space) and \
                not initial_possessive:
            break
        tokens.insert(0, tok)
        i -= 1
        if len(tokens) > MAX_SPAN_TOKENS:
            return [], []
    raw = tokens
    tokens = clean_span(tokens, lex)
    if tokens and tokens[0].lower_ in lex.not_speakers | lex.expletive_subjects:
        return [], []  # "Dat is ...", "Er worden windstoten verwacht": no speaker
    if len(tokens) == 1 and tokens[0].lower_ in lex.pronouns:
        return tokens, clean_span(via, lex)
    # A subject names someone: a capitalised word, a known role noun, or a short noun phrase
    # opened by a determiner, possessive or number ("the judge", "47 percent").
    named = any(t.text[:1].isupper() for t in tokens) or any(is_role(t, lex) for t in tokens)
    phrase = bool(raw) and (raw[0].lower_ in lex.determiners | lex.possessives
                            or raw[0].like_num) and len(tokens) <= 6
    if tokens and not named and not phrase:
        return [], []
    return tokens, clean_span(via, lex)


def run_after(sent: Span, start: int, lex: Lexicon) -> list[Token]:
    """The tokens after ``start`` up to the end of the clause."""
    tokens: list[Token] = []
    while start < sent.end and sent.doc[start].lower_ in lex.inversion_adverbs:
        start += 1
    for tok in sent.doc[start: sent.end]:
        if (_breaks(tok, lex) and tok.lower_ not in lex.coordinators) or \
                tok.lower_ in lex.complementizers:
            break
        if (tok.is_punct and tok.text not in {"-", "'s", "’s"}) or tok.is_space:
            break
        if tok.lower_ in lex.auxiliaries and tokens:
            break
        tokens.append(tok)
        if len(tokens) > MAX_SPAN_TOKENS:
            break
    return tokens


def _inverted_noun_phrase(sent: Span, start: int, lex: Lexicon) -> bool:
    """After the cue, a noun phrase opened by a determiner runs to the end of the sentence:
    ", zei de wethouder.", ", maakte de ombudsman dinsdag bekend." (not ", adding levity.")."""
    run = run_after(sent, start, lex)
    return 0 < len(trim_tail(run, lex)) <= 5 and run[0].lower_ in lex.determiners | \
        lex.possessives and all(
        t.is_punct or t.is_space for t in sent.doc[run[-1].i + 1: sent.end])


def speaker_after(sent: Span, start: int, lex: Lexicon, whole_run: bool = True) -> list[Token]:
    """The speaker after an inverted cue: ", aldus de wethouder." / ", laat een woordvoerder
    weten." / "Dat meldt het Turkse rampenbureau AFAD.". After a preposition ("nach
    Einschätzung der Regierung absichtlich herbeigeführt") only the noun phrase counts:
    ``whole_run=False``."""
    run = run_after(sent, start, lex)
    # When the run ends the sentence, all of it names the speaker.
    # any(), not a list: in a sentence of thousands of tokens, a list per cue was quadratic
    rest = any(not (t.is_punct or t.is_space) for t in sent.doc[run[-1].i + 1: sent.end]) \
        if run else True
    tail = run[-1].i + 1 if run else sent.end
    longest = 8  # a run that ends the sentence names the speaker up to this length
    # An apposition has at most 4 words, so only a short tail is read into a list.
    if run and rest and sent.end - tail <= 8:
        named_rest = [t for t in sent.doc[tail: sent.end] if not (t.is_punct or t.is_space)]
        if _apposition(sent, tail, named_rest, lex):
            # ", a déclaré la première ministre danoise, Mette Frederiksen.": the name is the
            # speaker's, the role before it is kept
            apposition = [t for t in sent.doc[tail: sent.end]
                          if not t.is_space and t.i <= named_rest[-1].i]
            # the name's words do not count against the role's length ("le secrétaire
            # général de l'Alliance, Jens Stoltenberg")
            longest += len(apposition)
            run = run + apposition
            rest = False
    if whole_run and run and not rest and len(run) <= longest:
        if run[-1].lower_ in lex.announce_particles:
            run = run[:-1]
        named = clean_span(trim_tail(run, lex), lex)
        if named:
            return named
    return clean_span(noun_phrase_prefix(run, lex), lex)


def _apposition(sent: Span, i: int, rest: list[Token], lex: Lexicon) -> bool:
    """After the speaker run, a comma and a name that end the sentence: an apposition."""
    return sent.doc[i].text == "," and 0 < len(rest) <= 4 and rest[0].text[:1].isupper() and \
        all(t.text[:1].isupper() or t.lower_ in lex.np_glue for t in rest)


def _named_after(sent: Span, tok: Token, lex: Lexicon) -> list[Token]:
    span = speaker_after(sent, tok.i + 1, lex)
    return span if span and any(t.text[:1].isupper() for t in span) else []


def via_after_cue(sent: Span, cue: Token, lex: Lexicon) -> list[Token]:
    """'via X', 'tegen X' / 'told X' / 'aan X' after the cue, up to the clause boundary."""
    for tok in sent.doc[cue.i + 1: sent.end]:
        if tok.lower_ in lex.complementizers or tok.text == ",":
            break
        if tok.lower_ in lex.via_after_cue or (
                tok.lower_ == "to" and tok.i == cue.i + 1 and cue.lemma_.lower() == "say"):
            span = _named_after(sent, tok, lex)
            if span and (tok.lower_ not in lex.weak_via or any(
                    t.ent_type_ in ("AGENCY", "ORG") or (t.is_upper and len(t.text) > 1)
                    for t in span)):
                return span  # "à l'AFP" is a via, "à l'Ukraine" is not
    for tok in sent.doc[cue.i + 1: sent.end]:
        # "..., meldt Interfax." / "..., reports Reuters." at the end of the sentence
        if sent.doc[tok.i - 1].text == "," and tok.lower_ not in lex.prep_cues and (
                tok.lemma_.lower() in lex.cues or tok.lower_ in lex.cues):
            if span := _named_after(sent, tok, lex):
                return span
    for tok in sent:
        if tok.lower_ == "via" and (span := _named_after(sent, tok, lex)):
            return span
    return second_source(sent, cue, lex)


def second_source(sent: Span, cue: Token, lex: Lexicon) -> list[Token]:
    """A second source in the attribution sentence is the via: "zegt volgens het persbureau
    Interfax", "said, according to AFP", ", wie die Nachrichtenagentur AFP berichtet",
    "sagte dem Sender SVT", "told broadcaster SVT"."""
    if cue.lower_ in lex.prep_cues or cue.lemma_.lower() in lex.prep_cues:
        return []
    after = sent.doc[cue.i + 1: sent.end]
    if cue.lemma_.lower() == "tell" and (span := _named_after(sent, cue, lex)) and \
            span[-1].text[:1].isupper() and not any(t.is_stop for t in span):
        return span  # "told broadcaster SVT" (not "told a news conference in Copenhagen")
    for tok in after:
        if tok.lower_ in lex.complementizers:
            break
        low = tok.lower_
        if low in lex.prep_cues and not (low == "according" and (
                tok.i + 1 >= sent.end or sent.doc[tok.i + 1].lower_ != "to")):
            start = tok.i + (2 if low == "according" else 1)
            np = clean_span(noun_phrase_prefix(list(sent.doc[start: sent.end]), lex), lex)
            if np and any(_proper(t, lex) or is_role(t, lex) for t in np):
                return np
        if low in lex.dative_via and not any(
                t.lower_ in lex.fronted_prepositions for t in sent.doc[cue.i + 1: tok.i]):
            if span := _named_after(sent, tok, lex):
                return span
        if low in lex.as_words and sent.doc[tok.i - 1].text == ",":
            return _as_source(sent, tok, lex)
    return []


def _proper(tok: Token, lex: Lexicon) -> bool:
    """A name: capitalised (in German, where every noun is, a known entity or an acronym;
    "laut Manuskript" names no source)."""
    if lex.nouns_capitalised:
        return bool(tok.ent_type_) or (tok.is_upper and len(tok.text) > 1)
    return tok.text[:1].isupper()


def _as_source(sent: Span, as_word: Token, lex: Lexicon) -> list[Token]:
    """ ", wie die Nachrichtenagentur AFP berichtet": the words between "wie" and the cue."""
    for tok in sent.doc[as_word.i + 1: min(sent.end, as_word.i + 10)]:
        if tok.lemma_.lower() in lex.cues or tok.lower_ in lex.cues:
            return clean_span(list(sent.doc[as_word.i + 1: tok.i]), lex)
    return []


def german_source(sent: Span, cue: Token, lex: Lexicon) -> list[Token] | None:
    """The source of "nach Angaben von X", "nach Informationen des X", "nach NDR-Recherchen",
    "nach eigenen Worten" (the subject), or None when the cue is not one of these."""
    low = cue.lower_
    if low.endswith("-recherchen") and len(low) > len("-recherchen"):
        return [cue]  # the compound names the source; the speaker text is trimmed below
    if low not in lex.source_nouns:
        return None
    before = sent.doc[cue.i - 1] if cue.i > sent.start else None
    if before is not None and before.lower_ in lex.possessives:
        return []  # "Seinen Angaben nach": anaphoric, resolved like "demnach"
    nxt = sent.doc[cue.i + 1] if cue.i + 1 < sent.end else None
    if nxt is not None and nxt.lower_ in {"von", "des", "der", "vom"}:
        return speaker_after(sent, nxt.i + 1, lex, whole_run=False)
    # "nach eigenen Angaben", "seinen Angaben nach": the sentence's named subject
    named = noun_phrase_prefix([t for t in sent if not t.is_punct], lex)
    return clean_span(named, lex) or []


def _prepositional_speaker(sent: Span, cue: Token, lex: Lexicon) -> list[Token]:
    """ "according to the latest poll by Gallup, ...": the whole run up to the clause end in
    English; Dutch and German invert the verb right after it ("Volgens X kost ...")."""
    start = cue.i + (2 if cue.lower_ == "according" else 1)
    run = clean_span(run_after(sent, start, lex), lex)
    if not lex.verb_second and 0 < len(run) <= 10:
        return run
    after = speaker_after(sent, start, lex, whole_run=False)
    if not after and run:
        first = [t for t in run if t.lower_ not in lex.determiners][:1]
        if first and first[0].is_alpha and (
                not first[0].is_stop or first[0].lower_ in lex.pronouns | lex.object_pronouns):
            after = first
    return after


def apposition_before(sent: Span, cue: Token, lex: Lexicon) -> list[Token]:
    """ "Germany's coach, Hansi Flick, said ...", "De Deense premier, Mette Frederiksen,
    zei": the name between two commas right before the cue is the speaker."""
    i = _walk_back(sent, cue.i - 1, lex.auxiliaries | lex.time_words)
    if i <= sent.start or sent.doc[i].text != ",":
        return []
    name: list[Token] = []
    j = i - 1
    while j > sent.start and sent.doc[j].text != "," and len(name) < 5:
        name.insert(0, sent.doc[j])
        j -= 1
    if j <= sent.start or sent.doc[j].text != "," or not name:
        return []
    if not name[0].text[:1].isupper() or not all(
            t.text[:1].isupper() or t.lower_ in lex.np_glue or t.is_punct for t in name):
        return []
    return name


def _subject_before(sent: Span, cue: Token, lex: Lexicon) -> tuple[list[Token], list[Token]]:
    if name := apposition_before(sent, cue, lex):
        return name, []
    speaker, via = speaker_before(sent, cue, lex)
    final = all(t.is_punct or t.is_space for t in sent.doc[cue.i + 1: sent.end])
    if final and lex.verb_second and (not speaker or speaker[0].i > sent.start):
        # a clause-final participle after an auxiliary ("Het OM had acht jaar geëist."):
        # the subject stands before the auxiliary, what stands between is the object ("Mark
        # Rutte hat seinen Rückzug aus der Politik angekündigt")
        aux = [t for t in sent.doc[sent.start: cue.i] if t.lower_ in lex.auxiliaries]
        if aux and aux[0].i > sent.start and (not speaker or speaker[0].i > aux[0].i):
            subject, subject_via = speaker_before(sent, aux[0], lex)
            if subject and subject[0].lower_ not in lex.backreferences | lex.pronouns:
                speaker, via = subject, subject_via
            elif not speaker:
                speaker, via = subject, subject_via
    if speaker and lex.verb_second and (
            speaker[0].lower_ in lex.fronted_prepositions or speaker[0].like_num
            or all(t.lower_ in lex.time_words or dated_word(t, lex) for t in speaker)):
        # Verb-second: after a fronted adverbial ("Auf Nachfrage führte die Gemeinde aus",
        # "Op maandag zei de minister", "Maandagavond meldde de exploitant") the subject
        # follows the verb.
        return [], []
    return speaker, via


def find_speaker(sent: Span, cue: Token, lex: Lexicon) -> tuple[list[Token], list[Token]]:
    """(speaker, via) for one cue, by the cue's kind."""
    if cue.lower_ in lex.anaphoric_cues:
        return [], []  # "demnach": resolved against the previous claim by the caller
    if lex.source_nouns:
        source = german_source(sent, cue, lex)
        if source is not None:
            return source, []
        if cue.lower_ == "so":
            return speaker_after(sent, cue.i + 1, lex), []
    if cue.lower_ in lex.prep_cues or cue.lemma_.lower() in lex.prep_cues:
        return _prepositional_speaker(sent, cue, lex), []
    if cue.lower_ in lex.post_cues:
        return speaker_after(sent, cue.i + 1, lex), []
    speaker, via = _subject_before(sent, cue, lex)
    if speaker:
        return speaker, via
    # Inverted order ("..., zegt het ministerie", "..., zei hij", "..., maakte de
    # ombudsman bekend"): a name, a role, a noun phrase right after the comma, or a pronoun.
    after = speaker_after(sent, cue.i + 1, lex)
    before = _walk_back(sent, cue.i - 1, lex.auxiliaries)  # ", a expliqué un responsable"
    after_comma = before >= sent.start and sent.doc[before].is_punct
    if any(t.text[:1].isupper() or is_role(t, lex) for t in after) or (
            after_comma and after and _inverted_noun_phrase(sent, cue.i + 1, lex)
            and after[0].lower_ not in lex.pronouns | lex.not_speakers):
        return after, []
    nxt = sent.doc[cue.i + 1] if cue.i + 1 < sent.end else None
    if nxt is not None and nxt.lower_ in lex.auxiliaries and cue.i + 2 < sent.end:
        nxt = sent.doc[cue.i + 2]  # "affirme-t-il"
    if nxt is not None and nxt.lower_ in lex.pronouns and after_comma:
        return [nxt], []
    return [], []


def is_backreference(sent: Span, cue: Token, lex: Lexicon) -> bool:
    """ "Dat meldt Interfax." / "Dat heeft de luchthaven donderdag bekendgemaakt." / "Das
    teilte die Polizei mit." / "KLM meldt dat aan persbureau ANP." point back to the
    previous sentence: its content is what the source said."""
    first = sent[0]
    if first.lower_ in lex.backreferences:
        if cue.i <= first.i + 3:
            return True
        # verb-second: "Dat heeft X ... bekendgemaakt", no clause in between
        second = sent[1] if len(sent) > 1 else None
        between = _without_parentheses(list(sent.doc[second.i + 1: cue.i])) \
            if second is not None else []
        return second is not None and second.lower_ in lex.auxiliaries and not any(
            (_breaks(t, lex) and t.text not in "()") or t.lower_ in lex.auxiliaries
            for t in between)
    return bool(_object_backreference(sent, cue, lex))


def _without_parentheses(tokens: list[Token]) -> list[Token]:
    """ "minister Christianne van der Wal (Natuur en Stikstof) vrijdag" without "(...)"."""
    out, depth = [], 0
    for tok in tokens:
        depth += tok.text == "("
        if depth == 0:
            out.append(tok)
        depth -= tok.text == ")" and depth > 0
    return out


def _object_backreference(sent: Span, cue: Token, lex: Lexicon) -> list[Token] | None:
    """ "KLM meldt dat aan persbureau ANP.": the cue's object is a pronoun for the previous
    sentence, and only a via phrase or time words follow it. Returns the via (maybe empty),
    or None when the pronoun opens a clause ("meldt dat de brug dicht is")."""
    nxt = cue.i + 1
    if nxt >= sent.end or sent.doc[nxt].lower_ not in lex.backreferences:
        return None
    rest = [t for t in sent.doc[nxt + 1: sent.end]
            if not (t.is_punct or t.is_space or t.lower_ in lex.time_words)]
    if not rest:
        return []
    if rest[0].lower_ not in _via_words(lex):
        return None
    via = clean_span(noun_phrase_prefix(rest[1:], lex), lex)
    return via if len(via) == len(clean_span(rest[1:], lex)) and via else None


def _via_words(lex: Lexicon) -> frozenset[str]:
    """Words that open the via phrase of an attribution: "aan", "tegen", "via", "volgens"."""
    return lex.via_before_cue | lex.via_after_cue | lex.prep_cues | lex.dative_via


def _split_via(tokens: list[Token], lex: Lexicon) -> tuple[list[Token], list[Token]]:
    """ "een woordvoerster van KLM volgens persbureau ANP" -> (speaker, via)."""
    for i, tok in enumerate(tokens):
        if i > 0 and tok.lower_ in _via_words(lex):
            via = clean_span(noun_phrase_prefix(tokens[i + 1:], lex), lex)
            return clean_span(trim_tail(tokens[:i], lex), lex), via
    return clean_span(trim_tail(tokens, lex), lex), []


def backreference_source(sent: Span, cue: Token, lex: Lexicon) -> tuple[list[Token], list[Token]]:
    """(speaker, via) of a back-referring attribution sentence: "Dat zegt X volgens Y.",
    "Dat heeft X aan Y bekendgemaakt.", "Dat maakte X bekend.", "X meldt dat aan Y."."""
    via = _object_backreference(sent, cue, lex)
    if via is not None:
        speaker, _via = speaker_before(sent, cue, lex)
        return speaker, via
    second = sent[1]
    if second.lower_ in lex.auxiliaries and cue.i > second.i + 1:
        # "Dat heeft minister X (Natuur) vrijdag bekendgemaakt": the subject is in between
        return _split_via(_without_parentheses(list(sent.doc[second.i + 1: cue.i])), lex)
    run = run_after(sent, cue.i + 1, lex)
    if not run:
        return [], []
    if run[-1].lower_ in lex.announce_particles:
        run = run[:-1]
    speaker, via = _split_via(run, lex)
    if not via and (tail := via_after_cue(sent, cue, lex)):
        via = tail
    if speaker and not (speaker[0].text[:1].isupper() or is_role(speaker[0], lex)
                        or len(speaker) > 1 or speaker[0].lower_ in lex.pronouns):
        speaker = clean_span(noun_phrase_prefix(run, lex), lex)
    return speaker, via
