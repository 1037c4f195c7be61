"""Claim rules on the seed article (../shared/data/seed/)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimwire.agents.extract.numbers import find_numbers, parse_number
from claimwire.agents.extract.pipeline import claims_pipeline as pipeline
from claimwire.agents.extract.pipeline import extract_claims
from tests.conftest import SHARED, needs_shared

SEED = SHARED / "data/seed/nos-2022-02-15-troops-returning.txt"


@pytest.fixture(scope="module")
def seed_claims():
    if not SEED.exists():
        pytest.fail(f"seed article missing at {SEED}")  # only reached where ../shared exists
    return extract_claims(SEED.read_text(encoding="utf-8"), "nl", date(2022, 2, 15))


def _by_speaker(claims, canonical):
    found = [c for c in claims if c.speaker["canonical"] == canonical]
    assert found, f"no claim by {canonical}: {[c.speaker for c in claims]}"
    return found


@needs_shared
def test_defence_ministry_via_interfax(seed_claims) -> None:
    claim = _by_speaker(seed_claims, "Russian Ministry of Defence")[0]
    assert "manschappen" in claim.sentence
    assert claim.via is not None and claim.via["canonical"] == "Interfax"
    assert claim.cue["lemma"] == "zeggen"


@needs_shared
def test_truss(seed_claims) -> None:
    claim = _by_speaker(seed_claims, "Liz Truss")[0]
    assert claim.speaker["role"] == "minister"


@needs_shared
def test_kuleba_via_aldus(seed_claims) -> None:
    claim = _by_speaker(seed_claims, "Dmytro Kuleba")[0]
    assert claim.cue["lemma"] == "aldus"
    assert claim.quote
    assert claim.speaker["role"] == "buitenlandminister"


@needs_shared
def test_lavrov_with_resolved_date(seed_claims) -> None:
    claim = _by_speaker(seed_claims, "Sergey Lavrov")[0]
    assert {"text": "maandag", "date": "2022-02-14"} in claim.dates


@needs_shared
def test_ministry_spokesperson(seed_claims) -> None:
    claim = _by_speaker(seed_claims, "Russian Foreign Ministry")[0]
    assert claim.speaker["role"] == "woordvoerder"
    # "15 februari 2022" is a date, not a quantity
    assert claim.numbers == []


@needs_shared
def test_us_estimate_of_130000_troops(seed_claims) -> None:
    claim = _by_speaker(seed_claims, "United States authorities")[0]
    assert claim.cue["strength"] == "estimates"
    assert [n["value"] for n in claim.numbers] == [130000]


@needs_shared
def test_unattributed_sentences_are_not_attributed(seed_claims) -> None:
    sentences = {c.sentence for c in seed_claims}
    assert not any(s.startswith("De troepen zijn gevechtsklaar") for s in sentences)


@needs_shared
def test_content_form_drops_the_frame(seed_claims) -> None:
    claim = _by_speaker(seed_claims, "Russian Ministry of Defence")[0]
    assert "zeggen" not in claim.content.split()
    assert "defensie" not in claim.content.split()
    assert "oefening" in claim.content.split()


def test_english_rules() -> None:
    text = ("Russian troops are returning to their bases, the Russian Defence Ministry said on "
            "Tuesday, according to Interfax. US officials estimate that 130,000 troops are "
            "near the border.")
    claims = extract_claims(text, "en", date(2022, 2, 15))
    speakers = {c.speaker["canonical"] for c in claims}
    assert "United States authorities" in speakers
    us = next(c for c in claims if c.speaker["canonical"] == "United States authorities")
    assert us.numbers[0]["value"] == 130000


@pytest.mark.parametrize("text,lang,value", [
    ("130.000 militairen", "nl", 130000), ("130,000 troops", "en", 130000),
    ("130 duizend militairen", "nl", 130000), ("1,5 miljoen euro", "nl", 1500000),
    ("2.5 million people", "en", 2500000), ("130.000 Soldaten", "de", 130000),
])
def test_number_normalisation(text: str, lang: str, value: int) -> None:
    assert parse_number(text, lang) == value


def test_years_are_not_quantities() -> None:
    assert find_numbers("In 2014 annexeerde Rusland de Krim.", "nl") == []


def test_other_languages_use_the_marked_fallback() -> None:
    claims = extract_claims('« Nous ne céderons jamais devant cette pression », a déclaré '
                            'Emmanuel Macron mardi.', "fr", date(2022, 2, 15))
    assert claims and all(c.method == "fallback" for c in claims)
    assert claims[0].speaker["text"].startswith("Emmanuel Macron")


def test_the_pipeline_is_built_from_registered_components_and_the_config() -> None:
    from claimwire.agents.extract.sentence import CUES_KEY

    nlp = pipeline("nl")
    assert nlp.pipe_names == ["sentencizer", "claimwire_paragraph_breaks", "lemmatizer",
                              "claimwire_cues", "entity_ruler", "claimwire_claims"]
    doc = nlp("Kop zonder punt\nHet Russische ministerie van Defensie zegt dat de troepen "
              "teruggaan. Dat meldt persbureau Interfax.")
    assert [s.text.strip() for s in doc.sents][0] == "Kop zonder punt"
    assert [(s.text, s.label_) for s in doc.spans[CUES_KEY]] == [("zegt", "says"),
                                                                  ("meldt", "says")]
    assert {e.ent_id_ for e in doc.ents} == {"Russian Ministry of Defence", "Interfax"}
    [claim] = doc._.claims
    assert claim.speaker["canonical"] == "Russian Ministry of Defence"
    assert claim.via == {"text": "persbureau Interfax", "canonical": "Interfax"}


def test_predict_has_no_side_effects_and_set_annotations_writes() -> None:
    nlp = pipeline("en")
    extractor = nlp.get_pipe("claimwire_claims")
    with nlp.select_pipes(disable=["claimwire_claims"]):
        doc = nlp("The minister said the bridge will close on Monday.")
    found = extractor.predict([doc])
    assert doc._.claims is None and found[0][0].speaker["text"] == "minister"
    extractor.set_annotations([doc], found)
    assert doc._.claims == found[0]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=0x2FFF), max_size=400),
       st.sampled_from(["nl", "en", "de", "fr"]))
def test_extraction_never_raises_on_any_text(text: str, language: str) -> None:
    for claim in extract_claims(text, language):
        assert claim.sentence


def test_numbers_with_a_comma_in_english_text() -> None:
    assert [n["value"] for n in find_numbers("It grew by 1,5 percent and 130,000 people.",
                                             "en")] == [1.5, 130000]


@given(st.from_regex(r"[0-9][0-9., \u202f]{0,14}( miljoen| thousand| Millionen)?",
                     fullmatch=True), st.sampled_from(["nl", "en", "de"]))
def test_number_parsing_never_raises(text: str, language: str) -> None:
    for number in find_numbers(f"Het gaat om {text} mensen.", language):
        assert number["value"] >= 0
