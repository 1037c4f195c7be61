"""Rule-based attributed-claim extraction on spaCy's blank language classes.

No trained parser or tagger exists here for Dutch, so the rules work on lookup lemmas,
sentence boundaries and small lexicons:

- a **cue**: a reporting verb (lemma in ``CUES``) or phrase ("volgens", "according to", "aldus");
- the **speaker**: the span before a verb cue (back to a clause boundary), after an inverted
  cue ("Dat meldt X", "zegt X", ", aldus X", "said X"), or after a prepositional cue
  ("volgens X", "according to X");
- the **via** source: "via X", "tegen X" / "told X" after the cue, or a later sentence of the
  form "Dat meldt X" that points back to the previous claim;
- **hedging** ("zou", "naar verluidt", "reportedly"), **quotes**, **numbers** and **dates**.

``extract_claims`` is pure: the same text, language and publication date give the same claims.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_left
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

SUPPORTED_LANGUAGES = ("nl", "en", "de")

# Reporting verbs by lemma, with their strength (what kind of speech act).
CUES: dict[str, dict[str, str]] = {
    "nl": {
        "zeggen": "says", "melden": "says", "verklaren": "says", "stellen": "says",
        "laten": "says", "vertellen": "says", "aankondigen": "says", "schrijven": "says",
        "bevestigen": "confirms", "ontkennen": "denies", "beweren": "claims",
        "schatten": "estimates", "verwachten": "estimates", "waarschuwen": "says",
        "benadrukken": "says", "zei": "says", "meldt": "says", "zegt": "says",
        "verklaard": "says", "gezegd": "says", "gemeld": "says", "bevestigd": "confirms",
        "ontkend": "denies", "schat": "estimates",
        "aldus": "says", "volgens": "says", "noemen": "says", "noemt": "says",
        "pleiten": "claims", "pleit": "claims", "bekendmaken": "says",
        "bekendgemaakt": "says", "roepen": "says", "eiste": "claims", "eisten": "claims",
        "geëist": "claims", "eist": "claims", "bevestigt": "confirms", "ontkende": "denies",
        "ontkent": "denies", "schrijft": "says", "verklaarde": "says", "laat": "says",
        "liet": "says", "waarschuwt": "says", "benadrukt": "says",
    },
    "en": {
        "say": "says", "tell": "says", "announce": "says", "state": "says", "report": "says",
        "add": "says", "warn": "says", "write": "says", "claim": "claims", "allege": "claims",
        "insist": "claims", "deny": "denies", "confirm": "confirms", "estimate": "estimates",
        "according": "says", "said": "says", "told": "says", "note": "says",
        "argue": "claims", "declare": "says", "tweet": "says", "explain": "says",
        "reply": "says", "respond": "says", "acknowledge": "confirms", "admit": "confirms",
        "predict": "estimates", "stress": "says", "emphasize": "says", "maintain": "claims",
        "contend": "claims", "assert": "claims", "concede": "confirms", "reiterate": "says",
    },
    "de": {
        "sagen": "says", "melden": "says", "erklären": "says", "berichten": "says",
        "mitteilen": "says", "betonen": "says", "warnen": "says", "behaupten": "claims",
        "bestätigen": "confirms", "dementieren": "denies", "bestreiten": "denies",
        "schätzen": "estimates", "sagte": "says", "sagt": "says", "erklärte": "says",
        "teilte": "says", "laut": "says", "zufolge": "says", "kritisieren": "claims",
        "monieren": "claims", "mahnen": "says", "meinen": "says", "schreiben": "says",
        "zurückweisen": "denies", "weisen": "denies", "führen": "says", "angaben": "says",
        "worten": "says", "informationen": "says", "recherchen": "says", "demnach": "says",
        "so": "says",
    },
}
# Prepositional cues: the speaker follows ("volgens X", "according to X", "laut X").
PREP_CUES = {"nl": {"volgens"}, "en": {"according"}, "de": {"laut"}}
# Inverted cue that follows the content: ", aldus X" / ", so X".
POST_CUES = {"nl": {"aldus"}, "en": set(), "de": set()}
# Tokens that end a clause when walking back from a verb cue to find its subject.
CLAUSE_BREAKS = {",", ";", ":", "dat", "that", "dass", "en", "and", "und", "maar", "but",
                 "aber", "terwijl", "while", '"', "“", "”", "'", "‘", "’", "(", ")", "–", "—"}
AUXILIARIES = {"heeft", "hebben", "had", "hadden", "is", "zijn", "was", "waren", "werd",
               "has", "have", "were", "be", "been", "hat", "haben", "ist", "sind", "wurde",
               "will", "would", "zal", "zullen", "wil", "willen", "wird"}
DETERMINERS = {"de", "het", "een", "the", "a", "an", "der", "die", "das", "ein", "eine",
               "den", "dem", "des"}
# Personal pronouns that can be a speaker ("zei hij", "he said"); resolved to the last named
# speaker in the text. "it"/"het" are left out: mostly expletive.
PRONOUNS = {"nl": {"hij", "zij", "ze", "wij", "we", "ik"},
            "en": {"he", "she", "they", "we", "i"},
            "de": {"er", "sie", "wir", "ich"}}
POSSESSIVES = {"his", "her", "their", "its", "our", "zijn", "haar", "hun", "ons", "onze",
               "sein", "seine", "seinen", "seinem", "seiner", "ihr", "ihre", "ihren",
               "ihrem", "ihrer", "unser", "unsere"}
HEDGES = {
    "nl": ["zou", "zouden", "naar verluidt", "mogelijk", "vermoedelijk", "waarschijnlijk"],
    "en": ["reportedly", "allegedly", "may", "might", "could", "apparently", "possibly"],
    "de": ["soll", "sollen", "angeblich", "offenbar", "möglicherweise", "vermutlich"],
}
# Trailing adverbs of time that are not part of a speaker ("meldt Interfax dinsdag").
TIME_WORDS = {
    "nl": {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
           "vandaag", "gisteren", "vanochtend", "vanmiddag", "vanavond", "nu", "eerder",
           "later", "al", "ook", "op", "zich"},
    "en": {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
           "today", "yesterday", "on", "earlier", "later", "also", "now", "in", "a",
           "statement"},
    "de": {"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
           "heute", "gestern", "am", "auch"},
}
WEEKDAYS = {
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    "en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "de": ["montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"],
}
RELATIVE_DAYS = {"vandaag": 0, "today": 0, "heute": 0, "gisteren": -1, "yesterday": -1,
                 "gestern": -1}
MULTIPLIERS = {"duizend": 1_000, "thousand": 1_000, "tausend": 1_000, "miljoen": 1_000_000,
               "million": 1_000_000, "millionen": 1_000_000, "miljard": 1_000_000_000,
               "billion": 1_000_000_000, "milliarden": 1_000_000_000, "mln": 1_000_000,
               "mld": 1_000_000_000}
MONTHS = ("jan", "feb", "maart", "mrt", "mar", "apr", "mei", "may", "jun", "jul", "aug",
          "sep", "okt", "oct", "nov", "dec", "mär", "mai", "okt", "dez")
STRENGTH_ORDER = ("says", "claims", "confirms", "denies", "estimates")

_ALIASES_PATH = Path(__file__).with_name("data") / "entity_aliases.json"


@dataclass(frozen=True)
class Entity:
    text: str
    canonical: str
    type: str


@dataclass
class Claim:
    """One attributed (or outlet-asserted) claim in a sentence."""

    sentence: str
    sentence_index: int
    speaker: dict[str, Any]
    cue: dict[str, str] | None
    via: dict[str, str] | None
    hedged: bool
    quote: bool
    numbers: list[dict[str, Any]]
    dates: list[dict[str, str]]
    entities: list[dict[str, str]]
    content: str
    method: str = "rules"
    # Character offsets in the input text (sentence, speaker, cue, via), for evaluation
    # against span-annotated corpora. Not part of the public claim record.
    spans: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["spans"]
        return out


@lru_cache(maxsize=1)
def entity_aliases() -> dict[str, dict[str, str]]:
    """surface form (lowercase) -> {canonical, type}; a small hand-kept table."""
    raw = json.loads(_ALIASES_PATH.read_text(encoding="utf-8"))
    table: dict[str, dict[str, str]] = {}
    for entry in raw:
        for form in [entry["canonical"], *entry["aliases"]]:
            table[form.lower()] = {"canonical": entry["canonical"], "type": entry["type"]}
    return table


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
    return Entity(text, _title_tokens(text) or text, "unknown")


def entity_of(tokens: list[Token]) -> Entity:
    """Canonical form of a speaker or source span: the longest known entity (entity ruler,
    ``ent_id_``) inside it, else its capitalised words."""
    text = _span_text(tokens)
    if tokens:
        first, last = tokens[0].i, tokens[-1].i
        inside = [e for e in tokens[0].doc.ents if e.start >= first and e.end <= last + 1]
        if inside:
            best = max(inside, key=len)
            return Entity(text, best.ent_id_ or best.text, best.label_.lower())
    return Entity(text, _title_tokens(text) or text, "unknown")


def _title_tokens(text: str) -> str:
    words = [w for w in re.findall(r"[\w'’.-]+", text) if w[:1].isupper()]
    return " ".join(words)


def pipeline(language: str) -> Language:
    """The claim pipeline for nl/en/de (agents/nlp.py, configured by
    agents/data/claims_pipeline.cfg); loaded once per process."""
    from agents.nlp import claims_pipeline

    return claims_pipeline(language)


# ---------------------------------------------------------------------------------------------
# numbers and dates

_NUM_RE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[.,\u202f ]\d{3})+|\d+(?:[.,]\d+)?)"
    r"(?:\s+(duizend|thousand|tausend|miljoen|million|millionen|miljard|billion|milliarden|"
    r"mln|mld))?(?![\w])",
    re.IGNORECASE)


def parse_number(text: str, language: str) -> float | None:
    """'130.000' (nl/de), '130,000' (en), '130 duizend', '1,5 miljoen' -> a number."""
    match = _NUM_RE.search(text)
    if not match:
        return None
    return _number_value(match.group(1), match.group(2), language)


def _number_value(digits: str, multiplier: str | None, language: str) -> float:
    digits = digits.replace("\u202f", " ")
    decimal_comma = language in ("nl", "de")
    if re.fullmatch(r"\d{1,3}(?:[ ]\d{3})+", digits):
        value = float(digits.replace(" ", ""))
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits) and (
            decimal_comma or digits.count(".") > 1):
        value = float(digits.replace(".", ""))
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits) and (
            not decimal_comma or digits.count(",") > 1):
        value = float(digits.replace(",", ""))
    elif decimal_comma or "," in digits:
        # "1,5" in English text is a European decimal comma more often than a list
        value = float(digits.replace(",", "."))
    else:
        value = float(digits)
    if multiplier:
        value *= MULTIPLIERS[multiplier.lower()]
    return value


# Number words (not "een"/"one"/"ein": mostly the article). With a multiplier they scale:
# "acht Millionen", "twee miljoen".
NUMBER_WORDS = {
    "nl": {"nul": 0, "één": 1, "dertien": 13, "veertien": 14, "vijftien": 15, "zestien": 16,
           "zeventien": 17, "achttien": 18, "negentien": 19,
           "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
           "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "twintig": 20,
           "dertig": 30, "veertig": 40, "vijftig": 50, "honderd": 100},
    "en": {"zero": 0, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
           "seventeen": 17, "eighteen": 18, "nineteen": 19,
           "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20,
           "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100},
    "de": {"null": 0, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15, "sechzehn": 16,
           "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
           "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
           "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "zwanzig": 20,
           "dreißig": 30, "vierzig": 40, "fünfzig": 50, "hundert": 100},
}


@lru_cache(maxsize=8)
def _number_word_pattern(language: str) -> re.Pattern[str] | None:
    words = NUMBER_WORDS.get(language, {})
    if not words:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(sorted(words, key=len, reverse=True)) +
                      r")(?:\s+(" + "|".join(MULTIPLIERS) + r"))?(?!\w)", re.IGNORECASE)


def _number_words(sentence: str, language: str) -> list[dict[str, Any]]:
    words = NUMBER_WORDS.get(language, {})
    out: list[dict[str, Any]] = []
    pattern = _number_word_pattern(language)
    if pattern is None:
        return out
    for match in pattern.finditer(sentence):
        value = words[match.group(1).lower()]
        if match.group(2):
            value *= MULTIPLIERS[match.group(2).lower()]
        out.append({"text": match.group(0), "value": value})
    return out


def find_numbers(sentence: str, language: str) -> list[dict[str, Any]]:
    out = _number_words(sentence, language)
    for match in _NUM_RE.finditer(sentence):
        value = _number_value(match.group(1), match.group(2), language)
        # Bare years and day-of-month numbers are dates, not quantities.
        if match.group(2) is None and re.fullmatch(r"(19|20)\d\d", match.group(1)):
            continue
        following = sentence[match.end(): match.end() + 12].lower().lstrip()
        if match.group(2) is None and following.startswith(MONTHS):
            continue
        out.append({"text": match.group(0), "value": int(value) if value.is_integer() else value})
    return out


def find_dates(sentence: str, language: str, published: date | None) -> list[dict[str, str]]:
    """Weekday names and relative days resolved against the publication date."""
    if published is None:
        return []
    out = []
    low = sentence.lower()
    names = WEEKDAYS.get(language, [])
    for word in re.findall(r"\w+", low):
        if word in names:
            delta = (published.weekday() - names.index(word)) % 7
            out.append({"text": word, "date": (published - timedelta(days=delta)).isoformat()})
        elif word in RELATIVE_DAYS:
            day = published + timedelta(days=RELATIVE_DAYS[word])
            out.append({"text": word, "date": day.isoformat()})
    return out


# ---------------------------------------------------------------------------------------------
# attribution


def _clean_span(tokens: list[Token], language: str) -> list[Token]:
    """Strip determiners at the front and time adverbs / punctuation at the back."""
    time_words = TIME_WORDS.get(language, set())
    while tokens and (tokens[0].lower_ in DETERMINERS or tokens[0].is_punct
                      or tokens[0].is_space):
        tokens = tokens[1:]
    while tokens and (tokens[-1].lower_ in time_words or tokens[-1].is_punct
                      or tokens[-1].lower_ in DETERMINERS):
        tokens = tokens[:-1]
    return tokens


def _span_text(tokens: list[Token]) -> str:
    if not tokens:
        return ""
    doc = tokens[0].doc
    return doc[tokens[0].i: tokens[-1].i + 1].text


VIA_PREPS = {"tegen", "aan", "gegenüber"}


def _speaker_before(sent: Span, cue: Token, language: str) -> tuple[list[Token], list[Token]]:
    """Walk back from a verb cue to its subject. Returns (speaker, via): in "Het ministerie
    heeft tegen Interfax gezegd" the subject is "Het ministerie" and Interfax the via."""
    skip = AUXILIARIES | TIME_WORDS.get(language, set())
    tokens: list[Token] = []
    via: list[Token] = []
    i = cue.i - 1
    while i >= sent.start and sent.doc[i].lower_ in skip:
        i -= 1
    while i >= sent.start:
        tok = sent.doc[i]
        if tok.lower_ in VIA_PREPS and tokens and not via:
            via, tokens = tokens, []
            i -= 1
            while i >= sent.start and sent.doc[i].lower_ in skip:
                i -= 1
            continue
        initial_possessive = i == sent.start and tok.lower_ in POSSESSIVES
        if (tok.lower_ in CLAUSE_BREAKS or tok.lower_ in AUXILIARIES or tok.is_space) and \
                not initial_possessive:
            break
        tokens.insert(0, tok)
        i -= 1
        if len(tokens) > 12:
            return [], []
    raw = tokens
    tokens = _clean_span(tokens, language)
    if tokens and tokens[0].lower_ in {"dat", "this", "that", "it", "dit", "there", "what",
                                       "which", "who", "wat", "die", "welke", "was", "you",
                                       "je", "u", "du", "one"}:
        return [], []
    if language == "nl" and tokens and tokens[0].lower_ == "er":
        return [], []  # "Er worden windstoten verwacht": no speaker
    if len(tokens) == 1 and tokens[0].lower_ in PRONOUNS.get(language, set()):
        return tokens, _clean_span(via, language)
    # A subject names someone: a capitalised word, a known role noun, or a short noun phrase
    # opened by a determiner, possessive or number ("the judge", "47 percent").
    named = any(t.text[:1].isupper() for t in tokens) or any(_is_role(t) for t in tokens)
    phrase = bool(raw) and (raw[0].lower_ in DETERMINERS | POSSESSIVES or raw[0].like_num) \
        and len(tokens) <= 6
    if tokens and not named and not phrase:
        return [], []
    return tokens, _clean_span(via, language)


NP_GLUE = {"van", "voor", "der", "des", "of", "for", "the", "het", "de", "von", "vom", "'s",
           "’s", "-", "la", "le"}


def _is_role(tok: Token) -> bool:
    low = tok.lower_
    return low in ROLE_NOUNS or low.endswith(("minister", "woordvoerder", "sprecher"))


def _noun_phrase_prefix(tokens: list[Token]) -> list[Token]:
    """The leading noun phrase of a token run, without a parser: names (capitalised),
    role nouns, glue words between them, and adjectives (ending in -e) before them."""
    out: list[Token] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.text[:1].isupper() or _is_role(tok) or tok.lower_ in DETERMINERS:
            out.append(tok)
        elif tok.lower_ in NP_GLUE and nxt is not None and (
                nxt.text[:1].isupper() or _is_role(nxt) or nxt.lower_ in DETERMINERS):
            out.append(tok)
        elif tok.lower_.endswith("e") and nxt is not None and (
                _is_role(nxt) or nxt.text[:1].isupper()):
            out.append(tok)
        else:
            break
    return out


def _speaker_after(sent: Span, start: int, language: str) -> list[Token]:
    run = _run_after(sent, start, language)
    # ", aldus de wethouder." / ", laat een woordvoerder weten." / "Dat meldt het Turkse
    # rampenbureau AFAD.": when the run ends the sentence, all of it names the speaker.
    rest = [t for t in sent.doc[run[-1].i + 1: sent.end] if not (t.is_punct or t.is_space)] \
        if run else [None]
    if run and not rest and len(run) <= 8:
        if run[-1].lower_ in {"weten", "bekend"}:
            run = run[:-1]
        named = _clean_span(run, language)
        if named:
            return named
    return _clean_span(_noun_phrase_prefix(run), language)


def _run_after(sent: Span, start: int, language: str) -> list[Token]:
    tokens: list[Token] = []
    while start < sent.end and sent.doc[start].lower_ in _INVERSION_ADVERBS:
        start += 1
    for tok in sent.doc[start: sent.end]:
        if tok.lower_ in CLAUSE_BREAKS - {"en", "and", "und"} or tok.lower_ in {"dat", "that"}:
            break
        if (tok.is_punct and tok.text not in {"-", "'s", "’s"}) or tok.is_space:
            break
        if tok.lower_ in AUXILIARIES and tokens:
            break
        tokens.append(tok)
        if len(tokens) > 12:
            break
    return tokens


# Offices held by one person at a time, which news uses in place of the holder's name.
OFFICE_TITLES = {"staatsoberhaupt", "bundespräsident", "bundeskanzler", "bundeskanzlerin",
                 "kanzler", "kanzlerin", "premier", "premierminister", "ministerpräsident",
                 "president", "präsident", "burgemeester", "bürgermeister", "mayor", "governor",
                 "gouverneur", "koning", "könig", "paus", "papst", "pope"}
ROLE_NOUNS = {"woordvoerder", "woordvoerster", "minister", "ministerie", "president",
              "premier", "spokesperson", "spokesman", "spokeswoman", "ministry", "officials",
              "autoriteiten", "authorities", "sprecher", "sprecherin", "ministerium",
              "regierung", "government", "regering", "kremlin", "persbureau", "agency",
              "politie", "police", "polizei", "leger", "army", "armee", "bronnen", "sources",
              "quellen"}
NEWS_AGENCIES = {"interfax", "reuters", "afp", "ap", "anp", "tass", "ria", "dpa", "bloomberg",
                 "belga", "ukrinform", "unian", "xinhua", "efe", "ansa"}


def _via_after_cue(sent: Span, cue: Token, language: str) -> list[Token]:
    """'via X', 'tegen X' / 'told X' / 'aan X' after the cue, up to the clause boundary."""
    for tok in sent.doc[cue.i + 1: sent.end]:
        if tok.lower_ in {"dat", "that", "dass", ","}:
            break
        if tok.lower_ in {"via", "tegen", "told", "gegenüber"} or (
                tok.lower_ == "to" and cue.lemma_.lower() in {"say", "said"}):
            span = _speaker_after(sent, tok.i + 1, language)
            if span and any(t.text[:1].isupper() for t in span):
                return span
    cues = CUES.get(language, {})
    for tok in sent.doc[cue.i + 1: sent.end]:
        # "..., meldt Interfax." / "..., reports Reuters." at the end of the sentence
        prev = sent.doc[tok.i - 1]
        if prev.text == "," and (tok.lemma_.lower() in cues or tok.lower_ in cues):
            span = _speaker_after(sent, tok.i + 1, language)
            if span and any(t.text[:1].isupper() for t in span):
                return span
    for tok in sent:
        if tok.lower_ == "via":
            span = _speaker_after(sent, tok.i + 1, language)
            if span and any(t.text[:1].isupper() for t in span):
                return span
    return []


def _cue_starts(doc: Doc) -> list[int]:
    """Token indices of the cue matcher's spans (agents/nlp.py), in document order."""
    from agents.nlp import CUES_KEY

    return [span.start for span in doc.spans[CUES_KEY]]


def _find_cues(sent: Span, language: str, cue_starts: list[int]) -> list[Token]:
    """Reporting cues in a sentence, in order: the matched cues that are cues in context."""
    found = []
    # the cues are in document order: take this sentence's slice, not all of them
    first, last = bisect_left(cue_starts, sent.start), bisect_left(cue_starts, sent.end)
    for index in range(first, last):
        tok = sent.doc[cue_starts[index]]
        lemma = tok.lemma_.lower()
        nxt = sent.doc[tok.i + 1] if tok.i + 1 < sent.end else None
        if (lemma == "laten" or tok.lower_ in ("laat", "liet")) and not any(
                t.lower_ == "weten" for t in sent):
            continue
        if tok.lower_ == "according" and (nxt is None or nxt.lower_ != "to"):
            continue
        if lemma == "stellen" and (nxt is None or nxt.lower_ != "dat"):
            continue
        if tok.lower_ == "report":  # the noun, mostly
            continue
        if language == "de" and not _german_cue_ok(sent, tok, lemma):
            continue
        # "state"/"states" is mostly the noun (a US state); the verb is "stated" or "states
        # that"
        if lemma == "state" and tok.lower_ != "stated" and (nxt is None or nxt.lower_ != "that"):
            continue
        found.append(tok)
    return found


FRONTED_PREPOSITIONS = {"auf", "nach", "von", "am", "im", "in", "bei", "mit", "zu", "vor", "seit",
                        "für", "aus", "an", "um", "op", "na", "bij", "met", "voor", "sinds",
                        "tijdens", "volgens", "over", "van", "aan", "uit"}
_GERMAN_SEPARABLE = {"weisen": "zurück", "führen": "aus", "teilen": "mit"}
_GERMAN_SOURCE_NOUNS = {"angaben", "worten", "informationen", "recherchen"}
# Adverbs between an inverted verb cue and its subject: "sagte auch Dietmar Hoffmann".
_INVERSION_ADVERBS = {"auch", "zudem", "dann", "jedoch", "weiter", "noch", "nun", "ebenfalls",
                      "bereits", "außerdem", "ook", "nog", "also", "further"}


def _german_cue_ok(sent: Span, tok: Token, lemma: str) -> bool:
    """German cues that are only cues in a construction: separable verbs with their particle,
    "nach (eigenen) Angaben/Worten/Informationen", "NDR-Recherchen", ", so X"."""
    if lemma in _GERMAN_SEPARABLE:
        return any(t.lower_ == _GERMAN_SEPARABLE[lemma] for t in sent if t.i > tok.i)
    low = tok.lower_
    if low in _GERMAN_SOURCE_NOUNS or low.endswith("-recherchen"):
        window = {t.lower_ for t in sent.doc[max(sent.start, tok.i - 3): tok.i + 2]}
        return "nach" in window
    if low == "so":
        prev = sent.doc[tok.i - 1] if tok.i > sent.start else None
        nxt = sent.doc[tok.i + 1] if tok.i + 1 < sent.end else None
        return prev is not None and prev.text == "," and nxt is not None and \
            nxt.text[:1].isupper()
    return True


def _german_source(sent: Span, cue: Token) -> list[Token] | None:
    """The source of "nach Angaben von X", "nach Informationen des X", "nach NDR-Recherchen",
    "nach eigenen Worten" (the subject), or None when the cue is not one of these."""
    low = cue.lower_
    if low.endswith("-recherchen") and len(low) > len("-recherchen"):
        return [cue]  # the compound names the source; the speaker text is trimmed below
    if low not in _GERMAN_SOURCE_NOUNS:
        return None
    before = sent.doc[cue.i - 1] if cue.i > sent.start else None
    if before is not None and before.lower_ in POSSESSIVES:
        return []  # "Seinen Angaben nach": anaphoric, resolved like "demnach"
    nxt = sent.doc[cue.i + 1] if cue.i + 1 < sent.end else None
    if nxt is not None and nxt.lower_ in {"von", "des", "der", "vom"}:
        return _speaker_after(sent, nxt.i + 1, "de")
    # "nach eigenen Angaben", "seinen Angaben nach": the sentence's named subject
    named = _noun_phrase_prefix([t for t in sent if not t.is_punct])
    return _clean_span(named, "de") or []


def _find_speaker(sent: Span, cue: Token, language: str) -> tuple[list[Token], list[Token]]:
    """(speaker, via) for one cue, by the cue's kind."""
    if language == "de":
        if cue.lower_ == "demnach":
            return [], []  # anaphoric: resolved against the previous claim by the caller
        source = _german_source(sent, cue)
        if source is not None:
            return source, []
        if cue.lower_ == "so":
            return _speaker_after(sent, cue.i + 1, language), []
    if cue.lower_ in PREP_CUES.get(language, set()) or cue.lemma_.lower() in PREP_CUES.get(
            language, set()):
        # "according to the latest poll by Gallup, ...": the whole run up to the clause end
        # in English; Dutch and German invert the verb right after it ("Volgens X kost ...")
        start = cue.i + (2 if cue.lower_ == "according" else 1)
        run = _clean_span(_run_after(sent, start, language), language)
        if language == "en" and 0 < len(run) <= 10:
            return run, []
        after = _speaker_after(sent, start, language)
        if not after and run:
            first = [t for t in run if t.lower_ not in DETERMINERS][:1]
            if first and first[0].is_alpha and (not first[0].is_stop or first[0].lower_ in
                                                 PRONOUNS.get(language, set()) | {"hem", "haar",
                                                                                  "ihm", "ihr"}):
                after = first
        return after, []
    if cue.lower_ in POST_CUES.get(language, set()):
        return _speaker_after(sent, cue.i + 1, language), []
    speaker, via = _speaker_before(sent, cue, language)
    final = all(t.is_punct or t.is_space for t in sent.doc[cue.i + 1: sent.end])
    if not speaker and final and language in ("nl", "de"):
        # a clause-final participle after an auxiliary ("Het OM had acht jaar geëist.")
        aux = [t for t in sent.doc[sent.start: cue.i] if t.lower_ in AUXILIARIES]
        if aux and aux[0].i > sent.start:
            speaker, via = _speaker_before(sent, aux[0], language)
    if speaker and language in ("nl", "de") and (
            speaker[0].lower_ in FRONTED_PREPOSITIONS or speaker[0].like_num):
        # Verb-second: after a fronted adverbial ("Auf Nachfrage führte die Gemeinde aus",
        # "Op maandag zei de minister") the subject follows the verb.
        speaker, via = [], []
    if speaker:
        return speaker, via
    # Inverted order ("..., zegt het ministerie", "..., zei hij"): a name or a pronoun.
    after = _speaker_after(sent, cue.i + 1, language)
    if any(t.text[:1].isupper() for t in after):
        return after, []
    nxt = sent.doc[cue.i + 1] if cue.i + 1 < sent.end else None
    prev = sent.doc[cue.i - 1] if cue.i > sent.start else None
    if nxt is not None and nxt.lower_ in PRONOUNS.get(language, set()) and (
            prev is not None and prev.is_punct):
        return [nxt], []
    return [], []


def _is_backreference(sent: Span, cue: Token) -> bool:
    """'Dat meldt Interfax.' / 'Dat zegt X.' / 'That was reported by X.' point back."""
    first = sent[0]
    return first.lower_ in {"dat", "dit", "this", "that", "das", "dies"} and cue.i <= first.i + 3


def _hedged(text: str, language: str) -> bool:
    low = f" {text.lower()} "
    return any(f" {h} " in low for h in HEDGES.get(language, []))


def _quoted(text: str) -> bool:
    return bool(re.search(r"[\"“”„«»]", text))


def content_form(sent: Span, exclude: set[int]) -> str:
    """Lemmas of content words, without the attribution frame."""
    words = []
    for tok in sent:
        if tok.i in exclude or tok.is_stop or tok.is_punct or tok.is_space:
            continue
        if tok.like_num:
            words.append(tok.text.replace(".", "").replace(",", ""))
            continue
        lemma = tok.lemma_.lower() or tok.lower_
        if len(lemma) > 1:
            words.append(lemma)
    return " ".join(words)


def _sentence_entities(sent: Span) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for ent in sent.ents:  # known entities (entity ruler)
        seen.setdefault(ent.ent_id_ or ent.text, {"text": ent.text.lower(),
                                                  "canonical": ent.ent_id_ or ent.text,
                                                  "type": ent.label_.lower()})
    # Capitalised words that are not sentence-initial: a cheap proper-noun signal.
    for tok in sent:
        if tok.i > sent.start and tok.text[:1].isupper() and tok.is_alpha and not tok.is_stop:
            key = tok.text
            if not any(key.lower() in e["canonical"].lower() for e in seen.values()):
                seen.setdefault(key, {"text": key, "canonical": key, "type": "name"})
    return list(seen.values())


def _sentences(doc: Doc) -> list[Span]:
    """The sentences of a doc that hold more than whitespace."""
    return [sent for sent in doc.sents if any(not t.is_space for t in sent)]


def _char_span(tokens: list[Token] | Span) -> tuple[int, int]:
    tokens = [t for t in tokens if not t.is_space]
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def claim_id(article_id: str, index: int) -> str:
    return hashlib.sha1(f"{article_id}#{index}".encode()).hexdigest()[:16]


def extract_claims(text: str, language: str, published: date | None = None) -> list[Claim]:
    """Find the claims in a text. Pure: no I/O, no clock. Weekdays are resolved against
    ``published``."""
    return claims_for_batch([(text, language, published)])[0]


def claims_for_batch(articles: list[tuple[str, str, date | None]],
                     batch_size: int = 32) -> list[list[Claim]]:
    """Claims of many (text, language, published) articles: one ``nlp.pipe`` per language."""
    out: list[list[Claim]] = [[] for _ in articles]
    for language in dict.fromkeys(lang for _t, lang, _p in articles):
        idx = [i for i, (_t, lang, _p) in enumerate(articles) if lang == language]
        if language not in SUPPORTED_LANGUAGES:
            for i in idx:
                out[i] = _fallback_claims(articles[i][0], language, articles[i][2])
            continue
        docs = pipeline(language).pipe((articles[i][0] for i in idx), batch_size=batch_size)
        for i, doc in zip(idx, docs, strict=True):
            out[i] = doc._.claims
            for claim in out[i]:
                claim.dates = find_dates(claim.sentence, language, articles[i][2])
    return out


def claims_in_doc(doc: Doc, language: str) -> list[Claim]:
    """The claim rules over one document (the ``claimwire_claims`` component's predict)."""
    published = None  # dates are resolved by extract_claims, which knows the article
    claims: list[Claim] = []
    cue_starts = _cue_starts(doc)
    for index, sent in enumerate(_sentences(doc)):
        stext = sent.text.strip()
        if len(stext) < 15:
            continue
        found = _find_cues(sent, language, cue_starts)
        if not found:
            unattributed = _continuation_or_fact(sent, index, claims, language, published)
            if unattributed is not None:
                claims.append(unattributed)
            continue
        cue = found[0]
        speaker: list[Token] = []
        via_tokens: list[Token] = []
        for candidate in found:
            cue = candidate
            if _is_backreference(sent, cue):
                break
            speaker, via_tokens = _find_speaker(sent, cue, language)
            if speaker:
                break
        if _is_backreference(sent, cue):
            source = _speaker_after(sent, cue.i + 1, language)
            if claims and source and claims[-1].sentence_index == index - 1:
                prev = claims[-1]
                ent = entity_of(source)
                # "Dat meldt Interfax" after "X zegt ...": Interfax is the intermediate source.
                if prev.speaker["type"] == "outlet":
                    # "De inflatie daalde naar 2,8 procent. Dat meldt het CBS.": the CBS says it
                    prev.speaker = {"text": ent.text, "canonical": ent.canonical,
                                    "type": ent.type, "role": _role(source)}
                    prev.spans["speaker"] = _char_span(source)
                elif prev.via is None and ent.canonical != prev.speaker.get("canonical"):
                    prev.via = {"text": ent.text, "canonical": ent.canonical}
                    prev.spans["via"] = _char_span(source)
            continue
        anaphoric = cue.lower_ == "demnach" or (
            language == "de" and cue.lower_ in _GERMAN_SOURCE_NOUNS and cue.i > sent.start
            and sent.doc[cue.i - 1].lower_ in POSSESSIVES)
        if not speaker and anaphoric and claims:
            # "demnach" (according to that): the source of the previous claim
            claims.append(_same_source(claims[-1], sent, index, language, cue))
            continue
        if not speaker:
            # a cue without a speaker ("..., in dem er mitteile"): as if it had none
            unattributed = _continuation_or_fact(sent, index, claims, language, published)
            if unattributed is not None:
                claims.append(unattributed)
            continue
        speaker_text = _span_text(speaker)
        ent = entity_of(speaker)
        if len(speaker) == 1 and speaker[0].lower_ in PRONOUNS.get(language, set()):
            # "zei hij": the last named speaker in the text
            named = [c for c in claims if c.speaker["type"] not in ("pronoun", "outlet")]
            ent = Entity(speaker_text, named[-1].speaker["canonical"] if named else
                         speaker_text, named[-1].speaker["type"] if named else "pronoun")
        elif ent.type == "unknown" and len(speaker) == 1 and _is_role(speaker[0]):
            # "het ministerie" after "het Russische ministerie van Defensie": the same speaker
            for prev in reversed(claims):
                if speaker[0].lower_ in prev.speaker["text"].lower():
                    ent = Entity(speaker_text, prev.speaker["canonical"], prev.speaker["type"])
                    break
        elif ent.type == "unknown" and len(speaker) == 1 and \
                speaker[0].lower_ in OFFICE_TITLES:
            # "das Staatsoberhaupt" a few sentences after "Steinmeier sagte": an office held by
            # one person stands for the last named speaker. (A spokesperson does not: many.)
            for prev in reversed(claims[-3:]):
                if index - prev.sentence_index <= 3 and prev.speaker["type"] not in (
                        "outlet", "pronoun") and prev.speaker["text"][:1].isupper():
                    ent = Entity(speaker_text, prev.speaker["canonical"], prev.speaker["type"])
                    break
        via_tokens = via_tokens or _via_after_cue(sent, cue, language)
        via = None
        if via_tokens:
            vent = entity_of(via_tokens)
            via = {"text": vent.text, "canonical": vent.canonical}
        role = _role(speaker)
        frame = {t.i for t in speaker} | {cue.i} | {t.i for t in via_tokens}
        claims.append(Claim(
            sentence=stext,
            sentence_index=index,
            speaker={"text": speaker_text, "canonical": ent.canonical, "type": ent.type,
                     "role": role},
            cue={"text": cue.text, "lemma": cue.lemma_.lower() or cue.lower_,
                 "strength": CUES[language].get(cue.lemma_.lower(),
                                                CUES[language].get(cue.lower_, "says"))},
            via=via,
            hedged=_hedged(stext, language),
            quote=_quoted(stext),
            numbers=find_numbers(stext, language),
            dates=find_dates(stext, language, published),
            entities=_sentence_entities(sent),
            content=content_form(sent, frame),
            spans={"sentence": _char_span(list(sent)), "speaker":
                   _char_span(speaker), "cue": _char_span([cue]),
                   **({"via": _char_span(via_tokens)} if via_tokens else {})},
        ))
    return claims


# Konjunktiv I forms that mark reported speech in German (indicative forms differ).
_KONJUNKTIV_I = {"sei", "seien", "habe", "werde", "könne", "müsse", "solle", "wolle", "dürfe",
                 "gebe", "gehe", "komme", "liege", "stehe", "bleibe", "zeige", "wisse",
                 "brauche", "mache", "fehle", "gelte", "führe", "bestehe", "umfasse",
                 "erlaube", "handle", "trage", "sehe", "lasse", "plane"}


def _dated(sentence: str, language: str) -> bool:
    """A weekday ("zaterdagavond" too) or a day and month: the sentence dates an event."""
    low = sentence.lower()
    if any(w.startswith(tuple(WEEKDAYS.get(language, []))) for w in re.findall(r"\w+", low)):
        return True
    return bool(re.search(r"\b\d{1,2}\.?\s+(" + "|".join(MONTHS) + r")", low))


def _reported_speech(sent: Span, language: str) -> bool:
    return language == "de" and any(t.lower_ in _KONJUNKTIV_I for t in sent)


_QUOTE_MARKS = re.compile(r"[\"“”„«»]")


def _quote_left_open(sentence: str) -> bool:
    """The quote goes on in the next sentence: an odd number of quotation marks, or the
    sentence ends with an opening one (the splitter leaves "… sagte X. „" together)."""
    return len(_QUOTE_MARKS.findall(sentence)) % 2 == 1 or sentence.rstrip().endswith(
        ("„", "«", "‚"))


def _same_source(prev: Claim, sent: Span, index: int, language: str,
                 cue: Token | None = None) -> Claim:
    """A claim in ``sent`` by the source of ``prev`` (indirect speech or a quote that goes
    on, "demnach")."""
    stext = sent.text.strip()
    return Claim(
        sentence=stext, sentence_index=index, speaker=dict(prev.speaker),
        cue={"text": cue.text, "lemma": cue.lower_, "strength": "says"} if cue else None,
        via=prev.via, hedged=_hedged(stext, language), quote=_quoted(stext),
        numbers=find_numbers(stext, language), dates=[], entities=_sentence_entities(sent),
        content=content_form(sent, {cue.i} if cue else set()),
        spans={"sentence": _char_span(list(sent)), **({"cue": _char_span([cue])} if cue
                                                       else {})})


def _continuation_or_fact(sent: Span, index: int, claims: list[Claim], language: str,
                          published: date | None) -> Claim | None:
    """A sentence without its own speaker: it continues the previous sentence's claim
    (German indirect speech, a quotation left open), or it is an outlet-stated fact."""
    prev = claims[-1] if claims else None
    if prev is not None and prev.sentence_index == index - 1 and \
            prev.speaker["type"] != "outlet" and (
                _reported_speech(sent, language) or _quote_left_open(prev.sentence)):
        return _same_source(prev, sent, index, language)
    return _unattributed_fact(sent, index, language, published)


OUTLET_SPEAKER = {"text": "", "canonical": "", "type": "outlet", "role": None}
_TIME_OF_DAY = re.compile(r"\b\d{1,2}[.:]\d{2}\s*(uur|uhr|h|am|pm)?\b", re.IGNORECASE)


def _unattributed_fact(sent: Span, index: int, language: str,
                       published: date | None) -> Claim | None:
    """A checkable statement of fact without attribution: the outlet asserts it. Checkable
    here means it states a quantity (a number that is not only a year or a clock time) in a
    declarative sentence of some length. The speaker is left empty with type "outlet";
    extract_article fills in the outlet."""
    stext = sent.text.strip()
    # cheap string tests first: most sentences fail them, and then no token is visited
    if stext.endswith("?") or _quoted(stext):
        return None
    numbers = [n for n in find_numbers(stext, language)
               if not _TIME_OF_DAY.fullmatch(n["text"].strip())]
    if not numbers and (not _dated(stext, language) or _hedged(stext, language)):
        return None
    if sum(1 for t in sent if t.is_alpha) < 6:
        return None
    return Claim(
        sentence=stext, sentence_index=index, speaker=dict(OUTLET_SPEAKER), cue=None,
        via=None, hedged=_hedged(stext, language), quote=False, numbers=numbers,
        dates=find_dates(stext, language, published), entities=_sentence_entities(sent),
        content=content_form(sent, set()),
        spans={"sentence": _char_span(list(sent))})


def _role(speaker: list[Token]) -> str | None:
    roles = [t.text for t in speaker if _is_role(t)]
    return roles[0] if roles else None


_QUOTE_RE = re.compile(r"[\"“„«]([^\"”“«»]{20,400})[\"”»]")


def _fallback_claims(text: str, language: str, published: date | None) -> list[Claim]:
    """Language-neutral fallback: direct quotes, attributed to the capitalised span next to
    them. Marked ``method='fallback'``."""
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
