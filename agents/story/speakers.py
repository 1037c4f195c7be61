"""Who makes a claim, as keys for matching claims (``speaker_keys``): the canonical name, its
country and institution, the skeleton of a surname, acronyms, and "(outlet)" for the facts an
outlet states itself or ascribes to no one in particular. Pure functions over plain strings;
the language data is in agents/story/data/speaker_countries.json and the lexicons."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale

from claimwire.agents.extract.lexicon import (
    all_anonymous_sources,
    all_institutions,
    all_name_glue,
)

OUTLET = "(outlet)"


def fold(text: str) -> str:
    """Lower case without diacritics: "Zelensky"/"Zelenský" meet."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower())
                   if not unicodedata.combining(c))


_SOUNDS = str.maketrans({"w": "v", "z": "s", "c": "k", "q": "k", "x": "ks", "j": "i",
                         "y": "i", "h": None})


def name_skeleton(word: str) -> str:
    """A surname's consonant skeleton, across transliterations: "Lavrov"/"Lawrow" -> "lvrv",
    "Peskov"/"Peskow", "Zelensky"/"Selenskyj", "Kuleba"/"Koeleba". Vowels, h, doubled letters
    and the spelling of v/w, s/z, k/c, i/j/y do not count."""
    folded = fold(word).translate(_SOUNDS)
    out: list[str] = []
    for ch in folded:
        if ch.isalpha() and ch not in "aeiou" and (not out or out[-1] != ch):
            out.append(ch)
    return "".join(out)


COUNTRIES_PATH = Path(__file__).with_name("data") / "speaker_countries.json"
# an attributive demonym is its stem plus an inflection: "Deense", "dänischen", "danoise"
_INFLECTIONS = frozenset({"", "e", "en", "er", "es", "em", "n", "s", "ne", "nes"})


@cache
def _country_table() -> tuple[dict[str, str], dict[str, str]]:
    """(demonym stem -> code, country name or metonym -> code). Country names in nl/en/de/fr
    are CLDR's (babel); demonyms and metonyms are the data file's."""
    raw = json.loads(COUNTRIES_PATH.read_text(encoding="utf-8"))
    stems = {stem: code for code, forms in raw["demonyms"].items() for stem in forms}
    names = {fold(form): code for code, forms in raw["metonyms"].items() for form in forms}
    for language in ("nl", "en", "de", "fr"):
        territories = Locale(language).territories
        for code in {*raw["demonyms"], *raw["metonyms"]}:
            if code in territories:
                names[fold(territories[code])] = code
    return stems, names


def country_keys(text: str) -> set[str]:
    """The countries a speaker names ("@dk"): by a demonym ("de Deense maritieme
    autoriteit", "die dänische Schifffahrtsbehörde"), a country name ("Denmark's energy
    minister") or a metonym for its government ("Moskou", "the Kremlin", docs/claims.md)."""
    stems, names = _country_table()
    folded = fold(text).replace("’", "'")
    words = re.findall(r"[\w'-]+", folded)
    found: set[str] = set()
    for word in words:
        word = word.removesuffix("'s")
        for cut in range(len(word), 3, -1):
            code = stems.get(word[:cut])
            if code and word[cut:] in _INFLECTIONS:
                found.add(f"@{code.lower()}")
                break
    padded = f" {' '.join(w.removesuffix(chr(39) + 's') for w in words)} "
    found |= {f"@{code.lower()}" for name, code in names.items() if f" {name} " in padded}
    return found


@cache
def _institution_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern over every institution name of every language, and name -> key. A name
    of several words starts at a word; a name of one word (a German compound) may end one:
    "Bundesgesundheitsministerium"."""
    key_of = {form: key for key, forms in all_institutions().items() for form in forms}
    alternatives = sorted(key_of, key=len, reverse=True)
    pattern = "|".join(rf"(?<!\w){re.escape(f)}" if " " in f else re.escape(f)
                       for f in alternatives)
    return re.compile(pattern), key_of


def institution_keys(text: str) -> set[str]:
    """The institutions a speaker names that go by a name in every language ("ministry:health"
    for "the health ministry", "het Syrische ministerie van Volksgezondheid", "das
    Gesundheitsministerium", "le ministère de la Santé"; agents/extract/lexicon). Which
    country's ministry is for the content to tell: a key says who may have said it, and two
    claims must still agree on what (numbers, words) to meet."""
    pattern, key_of = _institution_pattern()
    return {key_of[m.group(0)] for m in pattern.finditer(fold(text).replace("’", "'"))}


def acronym_keys(text: str) -> set[str]:
    """The acronyms a speaker goes by ("#usgs"), the one name an organisation keeps in every
    language: written ("de Amerikaanse geologische dienst USGS", "die US-Erdbebenwarte
    USGS"), or spelled out by the initials of three or more capitalised words ("U.S.
    Geological Survey", "European Central Bank"). Acronyms of two letters (EU, VS) are too
    many to tell speakers apart."""
    words = re.findall(r"[\w.'’]+", text.replace("-", " "))
    found = {f"#{w.lower()}" for w in words if w.isalpha() and w.isupper() and 3 <= len(w) <= 6}
    initials: list[str] = []
    for word in [*words, ""]:
        # "U.S." and "US" give their letters ("US Geological Survey"), a word its initial;
        # a longer acronym ends the run (it is a key of its own)
        short_caps = word.isalpha() and word.isupper() and len(word) <= 2
        if short_caps or (word[:1].isupper() and not (word.isalpha() and word.isupper())):
            initials.append(word if short_caps else
                            "".join(c for c in word if c.isupper()) if "." in word
                            else word[0])
            continue
        if word.lower() in all_name_glue() and initials:
            continue  # "Bank of England", "Raad van State"
        if len("".join(initials)) >= 3 and len(initials) >= 3:
            found.add(f"#{''.join(initials).lower()}")
        initials = []
    return found


def bracketed_acronym_keys(name: str, sentence: str) -> set[str]:
    """The acronym in brackets right after ``name`` in ``sentence``: "Nederlands Forensisch
    Instituut (NFI)" gives "#nfi"."""
    if not name or not sentence:
        return set()
    found = re.search(re.escape(name) + r"\s*\(([^\W\d_]{3,6})\)", sentence)
    return acronym_keys(found.group(1)) if found else set()


def speaker_keys(speaker: dict[str, Any], claim_id: str, sentence: str = ""
                 ) -> frozenset[str]:
    """Who makes the claim, for matching. Facts an outlet states without attribution are all
    "(outlet)". A named speaker is known by its canonical form, its country ("@dk"), and by
    the skeleton of each
    capitalised word of its name of five or more letters (its surname: "Wopke Hoekstra" and
    "minister Hoekstra" meet, and so do "Lawrow" and "Lavrov"; a skeleton under three letters
    is too common, so "Rutte" is known by its spelling), and by the acronym that the claim's
    ``sentence`` puts in brackets after the name ("selon l'Institut géophysique américain
    (USGS)": the French initials are not the English ones). An unresolved pronoun meets
    nobody."""
    kind = speaker.get("type")
    if kind == "outlet":
        return frozenset({OUTLET})
    if kind == "pronoun":
        return frozenset({f"(unresolved) {claim_id}"})
    canonical = str(speaker.get("canonical") or speaker.get("text") or "")
    # "officials say" names no one: the claim is compared as the outlet's own facts are (and
    # with other claims of the same words): the BBC's "More than 5,000 people are now known
    # to have died ..., officials say" and Zeit's unattributed "Die Zahl der Toten ... ist
    # auf mehr als 5000 gestiegen" report one toll
    anonymous = {OUTLET} if fold(canonical) in _anonymous_sources() else set()
    # each on its own: the two joined would run one name's initials into the other's
    # ("U.S. Geological Survey U.S. Geological Survey" read as USGSUSGS)
    keys = {fold(canonical)} | acronym_keys(str(speaker.get("text") or "")) | \
        acronym_keys(canonical) | bracketed_acronym_keys(str(speaker.get("text") or ""),
                                                         sentence)
    # the speaker's country: "de Deense maritieme autoriteit" and "die dänische
    # Schifffahrtsbehörde" are compared (their content must still agree)
    keys |= country_keys(f"{speaker.get('text') or ''} {canonical}")
    keys |= institution_keys(f"{speaker.get('text') or ''} {canonical}")
    if kind not in ("org", "gpe"):  # an organisation is known by its canonical name only
        for word in canonical.replace("-", " ").split():
            if word[:1].isupper() and len(word) >= 5:
                # a skeleton of two letters ("Rutte" -> "rt", "Oktay" -> "kt") would meet
                # too many names: such a surname is known by its own folded spelling
                skeleton = name_skeleton(word)
                keys.add(f"~{skeleton}" if len(skeleton) >= 3 else f"~={fold(word)}")
    return frozenset(k for k in keys | anonymous if k)


@cache
def _anonymous_sources() -> frozenset[str]:
    return frozenset(fold(w) for w in all_anonymous_sources())
