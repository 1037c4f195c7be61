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


@pytest.mark.parametrize("text,language,values", [
    # a number of time units before a relative word is a time reference, not a quantity
    ("Twee dagen na storm Ciarán krijgt Frankrijk opnieuw een storm.", "nl", []),
    ("Two days after the quake, 300 people were rescued.", "en", [300]),
    ("Drei Wochen zuvor waren 12 Menschen gestorben.", "de", [12]),
    ("Deux jours plus tard, la tempête avait fait deux morts.", "fr", [2]),
    # a duration on its own still counts
    ("De reparatie duurt twee dagen.", "nl", [2]),
])
def test_a_relative_time_is_no_quantity(text: str, language: str, values: list[int]) -> None:
    assert [n["value"] for n in find_numbers(text, language)] == values


def test_other_languages_use_the_marked_fallback() -> None:
    claims = extract_claims('«Non cederemo mai a questa pressione», ha dichiarato Sergio '
                            'Mattarella martedì.', "it", date(2022, 2, 15))
    assert claims and all(c.method == "fallback" for c in claims)
    assert claims[0].speaker["text"].startswith("Sergio Mattarella")


def test_the_fallback_speaker_stands_in_the_quotes_sentence_and_is_no_stop_word() -> None:
    # real Spanish pages had "Me" and "Mes" as speakers: the words opening the next sentence
    text = ('"Vamos a trabajar por todas las familias de Chile", dijo Gabriel Boric. '
            '"Esto es una prueba muy importante para el pais". Me parece que todo va bien.')
    claims = extract_claims(text, "es", date(2022, 3, 20))
    assert [c.speaker["text"] for c in claims] == ["Gabriel Boric", ""]


def test_the_fallback_takes_no_text_between_two_quotes_for_a_quote() -> None:
    text = ('"Vamos a trabajar por todas las familias de Chile", dijo Gabriel Boric, " para '
            'tratar de difundir desde el terreno las medidas". Dann: „Wir schaffen das ganz '
            'bestimmt“, sagte Merkel.')
    claims = extract_claims(text, "es", date(2022, 3, 20))
    assert [c.sentence for c in claims] == [
        '"Vamos a trabajar por todas las familias de Chile"', "„Wir schaffen das ganz bestimmt“"]


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


@pytest.mark.long  # a property test: in make test, not in make test-fast
@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=0x2FFF), max_size=400),
       st.sampled_from(["nl", "en", "de", "fr", "it"]))
def test_extraction_never_raises_on_any_text(text: str, language: str) -> None:
    for claim in extract_claims(text, language):
        assert claim.sentence


def test_numbers_with_a_comma_in_english_text() -> None:
    assert [n["value"] for n in find_numbers("It grew by 1,5 percent and 130,000 people.",
                                             "en")] == [1.5, 130000]


@given(st.from_regex(r"[0-9][0-9., \u202f]{0,14}( miljoen| thousand| Millionen| millions)?",
                     fullmatch=True), st.sampled_from(["nl", "en", "de", "fr"]))
def test_number_parsing_never_raises(text: str, language: str) -> None:
    for number in find_numbers(f"Het gaat om {text} mensen.", language):
        assert number["value"] >= 0


# ------------------------------------------------------------- attribution forms (issue 14)

def _one(text: str, language: str, sentence_start: str):
    claims = [c for c in extract_claims(text, language) if c.sentence.startswith(sentence_start)]
    assert len(claims) == 1, [(c.sentence, c.speaker) for c in extract_claims(text, language)]
    return claims[0]


@pytest.mark.parametrize("text,language,start,speaker,via", [
    # the content first, the attribution in the next sentence: the claim is the content
    ("De brug blijft tot eind mei dicht. Dat zegt wethouder Jan de Vries volgens persbureau "
     "ANP.", "nl", "De brug", "wethouder Jan de Vries", "persbureau ANP"),
    ("De brug blijft tot eind mei dicht. De gemeente meldt dat aan persbureau ANP.", "nl",
     "De brug", "gemeente", "persbureau ANP"),
    ("Oud-minister Johan Remkes gaat de gesprekken leiden. Dat meldt het ministerie van "
     "Landbouw.", "nl", "Oud-minister", "ministerie van Landbouw", None),
    ("De veerdienst vaart deze winter niet. Dat heeft de rederij dinsdag bekendgemaakt.",
     "nl", "De veerdienst", "rederij", None),
    ("Het aantal klachten is fors gestegen, maakte de ombudsman dinsdag bekend.", "nl",
     "Het aantal", "ombudsman", None),
    ("De koningin overleed op Balmoral, zo maakte Buckingham Palace bekend.", "nl",
     "De koningin", "Buckingham Palace", None),
    ("Het ministerie zegt volgens het persbureau Interfax dat de troepen teruggaan.", "nl",
     "Het ministerie", "ministerie", "persbureau Interfax"),
    ("Volgens de Deense maritieme autoriteit moeten schepen afstand houden.", "nl",
     "Volgens", "Deense maritieme autoriteit", None),
    # a name that ends like an adjective is a name; a determiner opens the next phrase
    ("Volgens Lagarde blijft de inflatie nog te lang te hoog.", "nl", "Volgens", "Lagarde",
     None),
    ("De beving had volgens de Amerikaanse geologische dienst USGS een kracht van 7,8.", "nl",
     "De beving", "Amerikaanse geologische dienst USGS", None),
    ("Nach Angaben der Polizei wurden drei Menschen verletzt, wie die Nachrichtenagentur dpa "
     "berichtet.", "de", "Nach Angaben", "Polizei", "Nachrichtenagentur dpa"),
    ("Nach Angaben der dänischen Schifffahrtsbehörde müssen Schiffe Abstand halten.", "de",
     "Nach Angaben", "dänischen Schifffahrtsbehörde", None),
    ("Der Seismologe Björn Lund sagte dem Sender SVT, es habe zwei Explosionen gegeben.",
     "de", "Der Seismologe", "Seismologe Björn Lund", "Sender SVT"),
    ("Das Leck sei gefährlich, teilte die Behörde mit.", "de", "Das Leck", "Behörde", None),
    ("Japan habe effizienter gespielt, so Bundestrainer Hansi Flick.", "de", "Japan",
     "Bundestrainer Hansi Flick", None),
    ("Germany's coach, Hansi Flick, said Japan had beaten his side.", "en", "Germany",
     "Hansi Flick", None),
    ("Gas could leak for a week, Denmark's energy minister, Dan Jørgensen, said, according "
     "to AFP.", "en", "Gas could", "Dan Jørgensen", "AFP"),
    ("Two explosions were registered, Bjorn Lund told broadcaster SVT.", "en", "Two",
     "Bjorn Lund", "broadcaster SVT"),
])
def test_attribution_forms(text: str, language: str, start: str, speaker: str,
                           via: str | None) -> None:
    claim = _one(text, language, start)
    assert claim.speaker["text"] == speaker
    assert (claim.via or {}).get("text") == via


def test_the_attribution_sentence_is_no_claim_of_its_own() -> None:
    claims = extract_claims("De brug blijft tot eind mei dicht. Dat heeft de gemeente "
                            "bekendgemaakt.", "nl")
    assert [c.sentence for c in claims] == ["De brug blijft tot eind mei dicht."]
    assert claims[0].cue is not None and claims[0].cue["text"] == "bekendgemaakt"


@pytest.mark.parametrize("text,language,pronoun_sentence,named", [
    ("Minister Van der Wal zei dat de uitstoot omlaag moet. De boeren krijgen tijd tot "
     "2030, zei ze.", "nl", "De boeren", "Van der Wal"),
    ("Mette Frederiksen said the leaks were deliberate. There was no sign of who was behind "
     "it, she told reporters.", "en", "There was", "Mette Frederiksen"),
    ("Ministerpräsidentin Mette Frederiksen sagte, es seien vorsätzliche Handlungen. "
     "Hinweise auf Täter gebe es nicht, sagte sie.", "de", "Hinweise", "Mette Frederiksen"),
    ("La Première ministre Mette Frederiksen a déclaré que les fuites étaient délibérées. "
     "Selon elle, rien ne permet de dire qui est derrière.", "fr", "Selon elle",
     "Mette Frederiksen"),
    ("Jos Ubels zegt weinig vertrouwen te hebben. Het kabinet maakt volgens hem blunder op "
     "blunder.", "nl", "Het kabinet", "Jos Ubels"),
])
def test_pronoun_speakers_resolve_to_the_last_named_speaker(
        text: str, language: str, pronoun_sentence: str, named: str) -> None:
    claim = _one(text, language, pronoun_sentence)
    assert named.split()[-1] in claim.speaker["canonical"]


@pytest.mark.parametrize("text,language,canonical", [
    ("De Britse regering heeft maandag gezegd dat de grens dichtblijft.", "nl",
     "Britse regering"),
    ("De Amerikaanse regering zegt dat er geen troepen komen.", "nl", "Amerikaanse regering"),
    ("Volgens de Britse regering is de dreiging reëel.", "nl", "Britse regering"),
    ("The British government said the border would stay closed.", "en", "British government"),
])
def test_a_speaker_keeps_its_head_noun(text: str, language: str, canonical: str) -> None:
    [claim] = extract_claims(text, language)
    assert claim.speaker["text"] == canonical and claim.speaker["canonical"] == canonical


@pytest.mark.parametrize("text,speaker,via,strength", [
    ("« Nous ne céderons pas », a déclaré Emmanuel Macron mardi.", "Emmanuel Macron", None,
     "says"),
    ("Le déficit atteindra 4,4 %, a indiqué le ministre de l'Économie.",
     "ministre de l'Économie", None, "says"),
    ("D'après l'Insee, l'inflation a reculé à 3,1 % en septembre.", "Insee", None, "says"),
    ("Le Kremlin a démenti toute participation à l'attaque.", "Kremlin", None, "denies"),
    ("Les départs seront volontaires, a expliqué un responsable du groupe à l'AFP.",
     "responsable du groupe", "AFP", "says"),
    ("La France livrera douze canons, a confirmé le ministère des Armées.",
     "ministère des Armées", None, "confirms"),
])
def test_french_rules(text: str, speaker: str, via: str | None, strength: str) -> None:
    [claim] = extract_claims(text, "fr")
    assert claim.method == "rules"
    assert claim.speaker["text"] == speaker
    assert (claim.via or {}).get("text", "").endswith(via or "")
    assert claim.cue is not None and claim.cue["strength"] == strength


def test_french_numbers_and_hedges() -> None:
    [claim] = extract_claims("Le feu aurait pris dans un local technique où 1 200 litres de "
                             "fioul étaient stockés, selon la police.", "fr")
    assert claim.hedged and [n["value"] for n in claim.numbers] == [1200]
    assert parse_number("16 milliards d'euros", "fr") == 16_000_000_000
    assert parse_number("3,1 %", "fr") == 3.1


# ------------------------------------------------- only checkable outlet facts (issue 14)

@pytest.mark.parametrize("line,language", [
    ("June 19 -- PNC Music Pavilion, Charlotte, NC", "en"),
    ("June 19 -- PNC Music Pavilion, Charlotte, NC.", "en"),
    ("20.15 NOS Journaal met het laatste nieuws uit binnen- en buitenland.", "nl"),
    ("8GB RAM, 256GB storage, 6.1-inch OLED display, 12MP camera.", "en"),
    ("Subscribe for $1 a week and read everything.", "en"),
    ("Abonneer nu voor 1 euro per maand en lees alles.", "nl"),
    ("Foto: ANP, 14 februari 2022.", "nl"),
    ("Sonntag, 20. Februar 2022, 18:30 Uhr", "de"),
    ("Programme du samedi 12 mars : 20 h 45 Journal, 21 h 05 Film.", "fr"),
    ("New Price Drop: Apple Watch Series 3 38mm Smart Watch for $169.99 (Originally $200).",
     "en"),
])
def test_listings_and_page_furniture_are_not_claims(line: str, language: str) -> None:
    assert extract_claims(line, language) == []


@pytest.mark.parametrize("line,language", [
    ("KLM heeft vrijdag bijna 170 vluchten geannuleerd.", "nl"),
    ("De AEX sloot dinsdag 1,2 procent hoger.", "nl"),
    ("Storm Eunice heeft vrijdag in Nederland vier mensen het leven gekost.", "nl"),
    ("The European Central Bank raised its key interest rates by 50 basis points on "
     "Thursday.", "en"),
    ("Die deutsche Nationalmannschaft hat am Mittwoch mit 1:2 gegen Japan verloren.", "de"),
    ("Le texte sera examiné par les députés à partir du 10 octobre.", "fr"),
])
def test_checkable_outlet_facts_stay_claims(line: str, language: str) -> None:
    [claim] = extract_claims(line, language)
    assert claim.speaker["type"] == "outlet"


def test_the_listing_filter_says_why() -> None:
    from claimwire.agents.extract.facts import not_checkable
    from claimwire.agents.extract.lexicon import lexicon

    lex = lexicon("en")
    assert lex is not None
    nlp = pipeline("en")

    def why(line: str) -> str | None:
        return not_checkable(next(iter(nlp(line).sents)), lex)

    assert why("Tour dates: June 19 -- PNC Music Pavilion") == "heading"
    assert why("June 19 -- PNC Music Pavilion, Charlotte, NC.") == "listing"
    assert why("8GB RAM, 256GB storage, 6.1-inch display.") == "specification"
    assert why("Subscribe for $1 a week.") == "advert"
    assert why("The bridge will stay closed until 19 June, the council said.") is None


@pytest.mark.parametrize("second,speaker,canonical", [
    # ", so" before a determiner: the description stands for the president named before
    ("Die Ursachen würden seit Sonntag untersucht, so der Präsident.", "Präsident",
     "Sauli Niinistö"),
    ("Man nehme die Schäden ernst, so ein Sprecher der Polizei.", "Sprecher der Polizei",
     "Sprecher Polizei"),
])
def test_so_before_a_determiner_attributes(second: str, speaker: str, canonical: str) -> None:
    claim = _one("Sauli Niinistö sagte, die Lage sei ernst. " + second, "de", second[:8])
    assert (claim.speaker["text"], claim.speaker["canonical"]) == (speaker, canonical)


def test_so_without_a_comma_attributes_nothing() -> None:
    assert extract_claims("Es ist so der Fall, wenn es regnet.", "de") == []


def test_a_description_does_not_stand_for_a_persons_surname() -> None:
    # "Rutte" is written after a first name elsewhere: a person, not the electoral council
    text = ("The parties in Mark Rutte's coalition failed to agree. Rutte told a news "
            "conference that the differences were irreconcilable. The electoral council said "
            "new elections could not be held before mid-November.")
    claim = _one(text, "en", "The electoral council")
    assert claim.speaker["canonical"] == "electoral council"
    # an organisation named before still is what the description stands for
    airline = _one("KLM zegt dat alle vluchten doorgaan. De vluchten vertrekken volgens de "
                   "luchtvaartmaatschappij op tijd.", "nl", "De vluchten")
    assert airline.speaker["canonical"] == "KLM"


def test_a_quotations_words_name_no_speaker() -> None:
    # the reporter named before is a person ("Ken Rosenthal"), and "Headway" opens the quote
    claims = extract_claims("Ken Rosenthal of Fox Sports reports that the talks go on. With "
                            "that in mind, the Nationals push hard. Last night, Rosenthal "
                            "reported that the Red Sox are making progress. \u201c Headway was "
                            "being made earlier today, \u201d the source said.", "en")
    source = [c for c in claims if c.speaker["text"] == "source"]
    assert len(source) == 1 and source[0].speaker["canonical"] == "source", \
        [c.speaker for c in claims]


def test_an_office_stands_for_the_last_named_speaker() -> None:
    # "president" is a role no earlier speaker was named with, and an office of one person
    claim = _one("Recep Tayyip Erdoğan said 912 people had been killed. The president said 45 "
                 "countries had offered to help.", "en", "The president")
    assert claim.speaker["canonical"] == "Recep Tayyip Erdoğan"
    # a party's leader, after a speaker a pronoun named ("Dat zei hij" after "Mark Rutte")
    claims = extract_claims("Mark Rutte heeft besloten dat hij niet meer beschikbaar is als "
                            "lijsttrekker. Dat zei hij maandag in de Tweede Kamer.\n\n\"Ik zal "
                            "de politiek verlaten\", zei de VVD-leider.", "nl")
    assert [(c.speaker["text"], c.speaker["canonical"]) for c in claims] == [
        ("hij", "Mark Rutte"), ("VVD-leider", "Mark Rutte")]


@pytest.mark.parametrize("text,language,speaker", [
    # verb-final perfect: the subject stands before the auxiliary, the object after it
    ("Der niederländische Ministerpräsident Mark Rutte hat seinen Rückzug aus der Politik "
     "angekündigt.", "de", "niederländische Ministerpräsident Mark Rutte"),
    ("Minister De Jonge heeft de nieuwe cijfers bekendgemaakt.", "nl", "Minister De Jonge"),
    ("Het OM had acht jaar geëist.", "nl", "OM"),
])
def test_the_subject_of_a_clause_final_participle(text: str, language: str,
                                                  speaker: str) -> None:
    assert _one(text, language, text[:6]).speaker["text"] == speaker


@pytest.mark.parametrize("text,start,canonical,language", [
    # the attribution after its content: its pronoun is the name that opens the sentence
    ("Mark Rutte verlaat de politiek zodra er een nieuw kabinet is, maakte hij maandag "
     "bekend.", "Mark Rutte", "Mark Rutte", "nl"),
    # a role and an adjective before the name that opens the sentence
    ("Demissionair premier Mark Rutte is niet opnieuw beschikbaar als lijsttrekker. Dat "
     "heeft hij maandag gezegd.", "Demissionair", "Mark Rutte", "nl"),
    # the sentence pointed back to opens with something else and names the person by a role
    ("Nach den Erdbeben hat der türkische Präsident Recep Tayyip Erdoğan für zehn Provinzen "
     "den Ausnahmezustand verhängt. Das kündigte er am Dienstag an.", "Nach den",
     "Recep Tayyip Erdoğan", "de"),
    ("Na de aardbevingen heeft de Turkse president Recep Tayyip Erdogan de noodtoestand "
     "afgekondigd. Dat zei hij dinsdag in Ankara.", "Na de", "Recep Tayyip Erdogan", "nl"),
])
def test_a_pronoun_stands_for_the_name_that_opens_the_claim(text: str, start: str,
                                                            canonical: str,
                                                            language: str) -> None:
    claim = _one(text, language, start)
    assert claim.speaker["canonical"] == canonical and claim.speaker["type"] != "pronoun"
