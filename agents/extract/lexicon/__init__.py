"""Language data for the claim rules, one module per language (``nl.py``, ``en.py``, ...),
as data: every word list belongs to one language, so that a Dutch "die" never stops an
English span. ``lexicon(language)`` returns the language's ``Lexicon``; languages without one
get the quote-based fallback (agents.extract.fallback)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

# Punctuation that ends a clause in every language.
PUNCT_BREAKS = frozenset({",", ";", ":", '"', "“", "”", "'", "‘", "’", "(", ")", "–", "—"})


@dataclass(frozen=True, eq=False)  # hashed by identity: one instance per language
class Lexicon:
    """The word lists of one language. Sets hold lower-case forms."""

    language: str
    cues: Mapping[str, str]  # reporting verb (lemma or form) -> strength
    prep_cues: frozenset[str]  # the speaker follows: "volgens X", "according to X"
    post_cues: frozenset[str]  # ", aldus X"
    clause_words: frozenset[str]  # words that end a clause ("dat", "and", "but")
    coordinators: frozenset[str]  # "en", "and": a speaker after an inverted cue may hold one
    complementizers: frozenset[str]  # "dat", "that", "dass"
    auxiliaries: frozenset[str]
    determiners: frozenset[str]
    pronouns: frozenset[str]  # subject pronouns that can be a speaker ("zei hij")
    object_pronouns: frozenset[str]  # "volgens hem"
    possessives: frozenset[str]
    hedges: tuple[str, ...]
    time_words: frozenset[str]  # trailing adverbs that are not part of a speaker
    weekdays: tuple[str, ...]  # Monday first
    relative_days: Mapping[str, int]
    multipliers: Mapping[str, int]
    months: tuple[str, ...]  # prefixes: a number before one is a day of the month
    number_words: Mapping[str, int]
    via_before_cue: frozenset[str]  # "heeft tegen Interfax gezegd"
    via_after_cue: frozenset[str]  # "told Reuters", "via Interfax"
    np_glue: frozenset[str]  # words inside a name phrase: "van", "of"
    office_titles: frozenset[str]  # offices held by one person at a time
    role_nouns: frozenset[str]
    role_suffixes: tuple[str, ...]  # compounds: "buitenlandminister", "regierungssprecher"
    fronted_prepositions: frozenset[str]  # verb-second: the subject follows the verb
    inversion_adverbs: frozenset[str]  # "sagte auch X"
    not_speakers: frozenset[str]  # a span starting with these names nobody ("dat", "what")
    backreferences: frozenset[str]  # "Dat meldt X." points back to the previous sentence
    verb_second: bool = False  # nl/de: after a fronted adverbial the subject follows the verb
    announce_particles: frozenset[str] = frozenset()  # "laat weten", "maakt bekend"
    reported_speech_forms: frozenset[str] = frozenset()  # German Konjunktiv I
    separable_cues: Mapping[str, str] = field(default_factory=dict)  # "weisen" ... "zurück"
    source_nouns: frozenset[str] = frozenset()  # "nach Angaben von X"
    anaphoric_cues: frozenset[str] = frozenset()  # "demnach": the previous claim's source
    expletive_subjects: frozenset[str] = frozenset()  # "Er worden ... verwacht"
    # adjective endings: "de Deense maritieme autoriteit" keeps its head noun "autoriteit"
    adjective_suffixes: tuple[str, ...] = ()
    noun_suffixes: tuple[str, ...] = ()  # "organisatie" ends in -e and is no adjective
    verb_lemma_suffixes: tuple[str, ...] = ()  # a form whose lemma ends so is a verb
    dative_via: frozenset[str] = frozenset()  # "sagte dem Sender SVT": SVT is the via
    as_words: frozenset[str] = frozenset()  # ", wie die Agentur AFP berichtet": the via
    # a cue only after this word: "après" in "d'après X"
    bound_cues: Mapping[str, str] = field(default_factory=dict)
    # a cue word after a determiner is the noun ("l'annonce"): French cue forms are ambiguous
    determiner_makes_noun: bool = False
    nouns_capitalised: bool = False  # German: capitals mark nouns, not names
    # via words that mostly introduce something else ("à l'Ukraine"): only before an agency
    # (a known entity or an acronym, "à l'AFP")
    weak_via: frozenset[str] = frozenset()
    # an outlet fact that opens with these is an advert ("Subscribe for $1") or furniture
    call_to_action: frozenset[str] = frozenset()
    furniture_words: frozenset[str] = frozenset()  # "By", "Photo", "Foto", "©"
    # what kind of source a via is ("persbureau ANP", "dem Sender SVT", "l'agence AFP"): the
    # via's canonical form is the name after them, so "Nachrichtenagentur AFP" and "AFP" meet
    source_kinds: frozenset[str] = frozenset()
    # nouns (and compound endings) that name a person, not an organisation: a description
    # with one ("de wethouder") is not resolved to an organisation named before, and a
    # speaker with one ("FNV-bestuurder Jan Boer") is no antecedent of "de vakbond"
    person_nouns: tuple[str, ...] = ()
    # an institution that has a name in every language -> the names it goes by in this one,
    # lower case without diacritics ("health ministry", "ministerie van volksgezondheid",
    # "gesundheitsministerium", "ministere de la sante"): one speaker key for all of them
    # (agents.story.speakers.institution_keys). A name matches inside a longer one: "ministerie
    # van volksgezondheid, welzijn en sport", "des gesundheitsministeriums".
    institutions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # parts of a day written onto a weekday or relative day: "vrijdagavond", "Freitagabend",
    # "gisteravond" (with ``relative_day_stems``, "gister" -> -1)
    day_parts: tuple[str, ...] = ()
    relative_day_stems: Mapping[str, int] = field(default_factory=dict)
    # a number that counts a time unit before one of these words is a time reference, not a
    # quantity: "twee dagen na storm Ciarán", "two days after", "deux jours plus tard"
    time_units: frozenset[str] = frozenset()
    relative_time_words: frozenset[str] = frozenset()
    # a number these follow (or a "%") is a share, never a clock time: "5.25 percent"
    percent_words: tuple[str, ...] = ()
    # a speaker that is only one of these ("officials say", "volgens de autoriteiten") names
    # no one: what it says is what the outlet reports (agents.story.speakers.speaker_keys)
    anonymous_sources: frozenset[str] = frozenset()


LANGUAGES = ("nl", "en", "de", "fr")


@cache
def lexicon(language: str) -> Lexicon | None:
    """The language's lexicon, or None (no rules for it: the fallback applies)."""
    if language not in LANGUAGES:
        return None
    return import_module(f"{__name__}.{language}").LEXICON  # type: ignore[no-any-return]


def all_multipliers() -> dict[str, int]:
    """Number multipliers of every language: numbers are parsed language-neutrally."""
    out: dict[str, int] = {}
    for language in LANGUAGES:
        lex = lexicon(language)
        assert lex is not None
        out.update(lex.multipliers)
    return out


@cache
def all_institutions() -> dict[str, tuple[str, ...]]:
    """Institution -> its names in every language (``Lexicon.institutions``)."""
    out: dict[str, list[str]] = {}
    for language in LANGUAGES:
        lex = lexicon(language)
        assert lex is not None
        for key, forms in lex.institutions.items():
            out.setdefault(key, []).extend(forms)
    return {key: tuple(forms) for key, forms in sorted(out.items())}


def all_anonymous_sources() -> frozenset[str]:
    """``Lexicon.anonymous_sources`` of every language, lower case."""
    out: set[str] = set()
    for language in LANGUAGES:
        lex = lexicon(language)
        assert lex is not None
        out |= {w.lower() for w in lex.anonymous_sources}
    return frozenset(out)


def all_name_glue() -> frozenset[str]:
    """Words inside a name phrase in any language ("of", "van", "der", "du")."""
    out: set[str] = set()
    for language in LANGUAGES:
        lex = lexicon(language)
        assert lex is not None
        out |= {w for w in lex.np_glue if w.isalpha()}
    return frozenset(out)
