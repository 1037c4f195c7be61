"""Issue 14, recall: who a pronoun or a description stands for, via names, short facts,
numbers that are names, and the clustering rules that use them (dates, stems, the
same-language check). Plain inputs, plain expected outputs."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from claimwire.agents.extract.numbers import find_numbers
from claimwire.agents.extract.pipeline import extract_claims
from claimwire.agents.story.clusters import ClaimClusterer, ClaimText, sentence_years
from claimwire.agents.story.speakers import country_keys, speaker_keys

T0 = datetime(2022, 9, 8, 12, tzinfo=UTC)


def _claim_at(text: str, language: str, start: str):
    found = [c for c in extract_claims(text, language, date(2022, 7, 1))
             if c.sentence.startswith(start)]
    assert found, f"no claim on {start!r}: {extract_claims(text, language)}"
    return found[0]


@pytest.mark.parametrize(("language", "text", "start", "canonical"), [
    # a description after the attributing sentence's content: the organisation named before
    ("nl", "KLM zegt Schiphol aansprakelijk te houden voor de schade. Het kan niet zo zijn "
           "dat de gebruikers van de luchthaven opdraaien voor de problemen van Schiphol, "
           "aldus de luchtvaartmaatschappij.", "Het kan niet", "KLM"),
    # (a word at a sentence's start is a name when the text writes it capitalised elsewhere)
    ("nl", "Schiphol laat in juli maximaal 67.500 reizigers per dag toe. Dat heeft de "
           "luchthaven donderdag bekendgemaakt. Wie vanaf Schiphol vliegt, moet vroeg komen.",
     "Schiphol laat", "Schiphol"),
    ("nl", "Vanaf Schiphol kunnen in juli maximaal 67.500 reizigers per dag vertrekken, "
           "maakte de luchthaven donderdag bekend.", "Vanaf Schiphol", "Schiphol"),
    ("nl", "Het KNMI heeft voor zondagavond code oranje afgegeven voor Zeeland. De "
           "waarschuwing geldt van 20.00 tot 23.00 uur. Aan zee zijn windstoten tot 120 "
           "kilometer per uur mogelijk, waarschuwt het weerinstituut.", "Aan zee", "KNMI"),
    # a name that hyphens join ("Météo-France") opens the sentence before: the description
    # stands for it, not for a place in its own sentence; "l'institut" is a description too
    ("nl", "Météo-France heeft voor zaterdagavond code oranje afgegeven voor zes departementen. "
           "Tussen de Vendée en de Gironde kunnen windstoten van 120 tot 130 kilometer per uur "
           "voorkomen, waarschuwt het weerinstituut.", "Tussen de Vendée", "Météo-France"),
    ("fr", "Météo-France a placé six départements en vigilance orange à partir de samedi. Des "
           "rafales de 120 à 130 km/h sont attendues entre la Vendée et la Gironde dans la "
           "soirée, a précisé l'institut.", "Des rafales", "Météo-France"),
    ("en", "Buckingham Palace says the Queen's doctors are concerned. In a statement, the "
           "palace said the Queen remained comfortable at Balmoral.", "In a statement",
     "Buckingham Palace"),
    # "Dat meldt persbureau AFP." is the sentence before's source, not a subject; and a
    # demonym alone ("Nederlandse") names no organisation: USAR does
    ("nl", "In Syrië zitten volgens de reddingsorganisatie Witte Helmen nog honderden families "
           "onder het puin. Dat meldt persbureau AFP.\n\nHet Nederlandse reddingsteam USAR "
           "vertrekt maandagavond met 65 hulpverleners naar Turkije, meldt de organisatie.",
     "Het Nederlandse", "USAR"),
    # a pronoun with no speaker before it: the name that opened a sentence
    ("nl", "De ploeg van bondscoach Hansi Flick verloor woensdag met 2-1 van Japan. Flick "
           "zag zijn ploeg veel kansen onbenut laten. \"Dit is brutaal teleurstellend\", zei "
           "hij na afloop.", "Dit is brutaal", "Flick"),
    # an apposition after an inverted cue names the speaker; the pronoun after it follows
    ("fr", "Les fuites sont dues à des « actions délibérées », a déclaré mardi soir la "
           "première ministre danoise, Mette Frederiksen. Selon elle, rien ne permet encore "
           "de dire qui se trouve derrière.", "Selon elle", "Mette Frederiksen"),
    # a longer role before the apposition ("de l'Alliance"): the name still counts
    ("fr", "La réponse sera unie et déterminée, a déclaré mercredi le secrétaire général de "
           "l'Alliance, Jens Stoltenberg.", "La réponse", "Jens Stoltenberg"),
    # an organisation's person is known by the person's name, not the organisation's
    ("en", "Kremlin spokesman Dmitry Peskov said no option, including sabotage, could be "
           "ruled out.", "Kremlin spokesman", "Dmitry Peskov"),
])
def test_references_resolve_to_the_named_speaker(language, text, start, canonical) -> None:
    assert _claim_at(text, language, start).speaker["canonical"] == canonical


@pytest.mark.parametrize(("language", "text", "start", "canonical"), [
    # what the organisation speaks about is not the organisation
    ("nl", "Het boerenprotest in Stroe trok volgens de organisatie 60.000 mensen.",
     "Het boerenprotest", "organisatie"),
    # a person's noun is no description of an organisation named before
    ("nl", "Raadslid Pieter Graaf (VVD) wil meer woningen. Een deel daarvan moet uit Den Haag "
           "komen, aldus de wethouder.", "Een deel", "wethouder"),
])
def test_references_that_stay_as_they_are(language, text, start, canonical) -> None:
    assert _claim_at(text, language, start).speaker["canonical"] == canonical


@pytest.mark.parametrize(("language", "text", "via"), [
    ("de", "Der Seismologe Björn Lund sagte dem Sender SVT, es seien zwei Explosionen "
           "registriert worden.", "SVT"),
    ("de", "Nach Angaben des Energieministers Dan Jørgensen könnte noch eine Woche lang Gas "
           "austreten, wie die Nachrichtenagentur AFP berichtet.", "AFP"),
    ("en", "Seismologists registered two explosions on Monday, Bjorn Lund told broadcaster "
           "SVT.", "SVT"),
])
def test_the_kind_of_source_is_not_the_via_name(language, text, via) -> None:
    claim = extract_claims(text, language)[0]
    assert claim.via is not None and claim.via["canonical"] == via


@pytest.mark.parametrize(("language", "text", "value"), [
    ("en", "She was 96 years old.", 96), ("nl", "Ze werd 96 jaar.", 96),
    ("de", "Die Queen wurde 96 Jahre alt.", 96), ("fr", "Elle avait 96 ans.", 96),
])
def test_short_facts_with_a_quantity_are_outlet_facts(language, text, value) -> None:
    claims = extract_claims(text, language)
    assert [c.speaker["type"] for c in claims] == ["outlet"]
    assert [n["value"] for n in claims[0].numbers] == [value]


def test_short_sentences_without_a_clause_are_no_facts() -> None:
    assert extract_claims("Prijs 12 euro.", "nl") == []


@pytest.mark.parametrize(("text", "language", "values"), [
    ("In der Nacht zu Montag fiel in der Ostseepipeline Nord Stream 2 der Druck.", "de", []),
    ("In de gaspijpleiding Nord Stream 2 is een lek ontdekt.", "nl", []),
    ("Mark Rutte 12 keer gevraagd.", "nl", [12]),  # the sentence's first words, a count
    ("Japan beat Germany 2-1 on Wednesday.", "en", [2, 1]),
    # a hyphen joins the number to the name
    ("Da trifft ihn das Virus SARS-CoV-2 hart und unvorbereitet.", "de", []),
    ("Covid-19 patients in hospital rose to 40.", "en", [40]),
])
def test_a_number_after_a_name_is_part_of_it(text, language, values) -> None:
    assert [n["value"] for n in find_numbers(text, language)] == values


@pytest.mark.parametrize(("text", "values"), [
    ("The 77km (48-mile) undersea section runs between Inkoo and Paldiski.", [77, 48]),
    ("Gusts of 207km/h (129mph) were recorded at Pointe du Raz.", [207, 129]),
    ("The parcel weighed 5kg.", [5]),
    ("An A4 sheet, the F16 jets and the G20 summit took 2nd place.", []),  # names, ordinals
])
def test_a_unit_written_onto_the_number(text, values) -> None:
    assert [n["value"] for n in find_numbers(text, "en")] == values


def _claim(cid: str, content: str, *, speaker="(outlet)", numbers=(), dates=(),
           language="nl") -> dict:
    kind = "outlet" if speaker == "(outlet)" else "unknown"
    return {"claim_id": cid, "speaker": {"canonical": speaker, "text": speaker, "type": kind},
            "content": content, "numbers": [{"text": str(n), "value": n} for n in numbers],
            "dates": [{"text": d, "date": d} for d in dates], "language": language}


def _unit(*xs: float) -> np.ndarray:
    v = np.asarray(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def _text(language: str, *xs: float) -> ClaimText:
    return ClaimText(language, "s", vector=_unit(*xs))


def test_outlet_facts_on_other_dates_are_other_facts() -> None:
    c = ClaimClusterer()
    friday = c.assign(story_id="s", claim=_claim("1", "knmi code afgeven kustprovincie storm",
                                                 dates=["2022-02-18"]), published_at=T0)
    sunday = c.assign(story_id="s", claim=_claim("2", "knmi code afgeven kustprovincie storm",
                                                 dates=["2022-02-20"]), published_at=T0)
    again = c.assign(story_id="s", claim=_claim("3", "knmi code afgeven kustprovincie storm",
                                                dates=["2022-02-18"]), published_at=T0)
    assert friday != sunday and again == friday


def test_a_shared_date_lets_a_translation_of_an_outlet_fact_meet_inside_its_story() -> None:
    c = ClaimClusterer()
    en = c.assign(story_id="s", claim=_claim("1", "queen postpone meet privy council",
                                             dates=["2022-09-07"], language="en"),
                  published_at=T0, text=_text("en", 1, 0, 0))
    # cosine 0.6: enough with a shared number or date inside one story, not without (0.75)
    nl = c.assign(story_id="s", claim=_claim("2", "koningin vergadering privy council uit",
                                             dates=["2022-09-07"]),
                  published_at=T0, text=_text("nl", 0.6, 0.8, 0))
    undated = c.assign(story_id="s", claim=_claim("3", "koningin vergadering uitstellen"),
                       published_at=T0, text=_text("nl", 0.6, 0.8, 0))
    # another story: a shared date is not enough (recipe steps of "10 minutes" met so)
    elsewhere = c.assign(story_id="t", claim=_claim("4", "vorstin beraad afgezegd",
                                                    dates=["2022-09-07"]),
                         published_at=T0, text=_text("nl", 0.6, 0.8, 0))
    assert nl == en and undated != en and elsewhere != en


def test_a_dated_outlet_fact_in_another_language_is_found_by_its_date_in_the_story() -> None:
    """No content word and no number in common ("Het kabinet-Rutte IV is vrijdagavond
    gevallen" / "The Dutch government collapsed on Friday evening"): the story and the date
    find the cluster, and the cosine decides."""
    c = ClaimClusterer()
    nl = c.assign(story_id="s", claim=_claim("1", "kabinet-rutte iv vrijdagavond gevallen",
                                             dates=["2023-07-07"]),
                  published_at=T0, text=_text("nl", 1, 0, 0))
    en = c.assign(story_id="s", claim=_claim("2", "dutch government collapse friday even",
                                             dates=["2023-07-07"], language="en"),
                  published_at=T0, text=_text("en", 0.5, 0.866, 0))
    # the same date in another story: not found, and not enough (cosine under 0.75)
    other_story = c.assign(story_id="t", claim=_claim("3", "regering valt over asielbeleid",
                                                      dates=["2023-07-07"], language="de"),
                           published_at=T0, text=_text("de", 0.5, 0.866, 0))
    # another date in the story: another fact
    monday = c.assign(story_id="s", claim=_claim("4", "cabinet resign monday king",
                                                 dates=["2023-07-10"], language="en"),
                      published_at=T0, text=_text("en", 0.5, 0.866, 0))
    assert en == nl and other_story != nl and monday != nl
    # removed with the cluster: its date key goes too (no posting left behind)
    assert c.evict_before(T0 + timedelta(seconds=1)) == 3
    assert not c._postings


def test_a_dated_outlet_fact_is_embedded_before_any_cluster_wants_it() -> None:
    """Its story is unknown when the batch is embedded, and a later report in another
    language may need its vector; an undated one (no date key) waits for a candidate."""
    c = ClaimClusterer()
    dated = ClaimText("nl", "Het kabinet is vrijdagavond gevallen.")
    undated = ClaimText("nl", "Het kabinet is gevallen.")
    wanted = c.to_embed([(_claim("1", "kabinet vrijdagavond gevallen", dates=["2023-07-07"]),
                          dated), (_claim("2", "kabinet gevallen"), undated)])
    assert [(report.sentence, which) for report, which, _t in wanted] == [
        (dated.sentence, "vector")]


def test_a_shared_country_alone_does_not_join_a_claim_without_content() -> None:
    c = ClaimClusterer()
    country = {"text": "Oekraïne", "canonical": "Ukraine", "type": "gpe", "role": None}
    person = {"text": "De Oekraïense president Volodymyr Zelensky",
              "canonical": "Oekraïense Volodymyr Zelensky", "type": "person", "role": None}
    first = c.assign(story_id="s", claim={**_claim("1", ""), "speaker": country},
                     published_at=T0)
    other = c.assign(story_id="s", claim={**_claim("2", "nationale dag eenheid woensdag"),
                                          "speaker": person}, published_at=T0)
    again = c.assign(story_id="s", claim={**_claim("3", ""), "speaker": country},
                     published_at=T0)
    assert other != first and again == first


def test_stems_meet_across_inflections() -> None:
    c = ClaimClusterer()
    a = c.assign(story_id="s", claim=_claim("1", "podium nederland oorlog boerenrepubliek",
                                            speaker="Kemp"), published_at=T0)
    b = c.assign(story_id="t", claim=_claim("2", "staat nederlanden oorlog boerenrepubliek",
                                            speaker="Kemp"), published_at=T0)
    assert a == b


def test_a_same_language_report_outweighs_a_translation() -> None:
    """The cluster holds an English and a Dutch report of one statement; a new English claim
    of the same speaker close to the Dutch one (0.8) but far from the English one (0.3) and
    with no shared lemmas is another statement."""
    c = ClaimClusterer()
    first = c.assign(story_id="s", claim=_claim("1", "doctor concern health", speaker="Palace",
                                                language="en"),
                     published_at=T0, text=_text("en", 1, 0, 0))
    c.assign(story_id="s", claim=_claim("2", "arts zorg gezondheid", speaker="Palace"),
             published_at=T0, text=_text("nl", 0.6, 0.8, 0))
    died = c.assign(story_id="s", claim=_claim("3", "queen die peacefully", speaker="Palace",
                                               language="en"),
                    published_at=T0, text=_text("en", 0.3, 0.954, 0))
    assert died != first


def _said_by_erdogan(c: ClaimClusterer, cid: str, content: str, language: str,
                     sentence: str, *vector: float) -> str:
    claim = _claim(cid, content, speaker="Erdogan", language=language)
    return c.assign(story_id="s", claim=claim, published_at=T0,
                    text=ClaimText(language, sentence, vector=_unit(*vector)))


def test_a_translation_names_the_same_years() -> None:
    """Erdoğan's "worst disaster since 1939" (nl, de) and his state of emergency (en) are
    close embeddings of one speaker's statements on one day; the year tells them apart. A
    German report that names the year meets the Dutch one."""
    c = ClaimClusterer()
    since_1939 = _said_by_erdogan(c, "1", "grootste ramp sinds", "nl",
                                  "Erdogan noemde het de grootste ramp sinds 1939.", 1, 0, 0)
    emergency = _said_by_erdogan(c, "2", "state emergency province", "en",
                                 "Erdogan declared a state of emergency in ten provinces.",
                                 0.8, 0.6, 0)
    german = _said_by_erdogan(c, "3", "schwer katastrophe seit", "de",
                              "Es sei die schwerste Katastrophe seit 1939, so Erdoğan.",
                              0.8, 0.6, 0)
    assert emergency != since_1939 and german == since_1939


def _named_fact(cid: str, content: str, names: list[str], language: str) -> dict:
    return {**_claim(cid, content, numbers=[10], language=language),
            "entities": [{"text": n, "canonical": n, "type": "unknown"} for n in names]}


def test_outlet_facts_of_two_stories_meet_by_a_number_and_a_name() -> None:
    """nu.nl's "Door storm Ciarán zijn in West-Europa zeker tien mensen om het leven gekomen"
    and the BBC's "At least 10 people have been killed across western Europe after Storm
    Ciarán" were in two stories (cosine 0.594): a shared number and a shared name stand in
    for a speaker, so the cosine a named speaker's translation needs (0.5) is enough. A
    shared number alone needs 0.75 across stories, and "C" (of "1,5 °C") is no name."""
    loose = (0.594, 0.8045, 0)  # cosine 0.594 with (1, 0, 0)
    c = ClaimClusterer()
    nu = c.assign(story_id="s", claim=_named_fact("1", "storm ciarán tien mens", ["Ciarán"],
                                                  "nl"),
                  published_at=T0, text=_text("nl", 1, 0, 0))
    bbc = c.assign(story_id="t", claim=_named_fact("2", "people kill storm ciarán",
                                                   ["Storm", "Ciarán"], "en"),
                   published_at=T0, text=_text("en", *loose))
    c2 = ClaimClusterer()
    c2.assign(story_id="s", claim=_named_fact("3", "temperatur begrenzen", ["C"], "de"),
              published_at=T0, text=_text("de", 1, 0, 0))
    unnamed = c2.match(story_id="t", claim=_named_fact("4", "warming exceed", ["C"], "en"),
                       text=_text("en", *loose))
    assert bbc == nu and unnamed.cluster_id is None


def test_officials_who_name_no_one_report_what_the_outlet_states() -> None:
    """The BBC's "More than 5,000 people are now known to have died ..., officials say" and
    Zeit's unattributed "Die Zahl der Toten ... ist auf mehr als 5000 gestiegen" are one toll:
    a bare "officials" is compared as an outlet's own fact is (a shared number and the
    embedding inside one story). Turkish officials are a speaker of their own."""
    c = ClaimClusterer()
    zeit = c.assign(story_id="s", claim=_claim("1", "zahl tote steigen", numbers=[5000],
                                               language="de"),
                    published_at=T0, text=_text("de", 1, 0, 0))
    bbc = c.assign(story_id="s", claim=_claim("2", "people know die", speaker="officials",
                                              numbers=[5000], language="en"),
                   published_at=T0, text=_text("en", 0.66, 0.75, 0))
    turkish = c.assign(story_id="s", claim=_claim("3", "people know die",
                                                  speaker="Turkish officials", numbers=[5000],
                                                  language="en"),
                       published_at=T0, text=_text("en", 0.66, 0.75, 0))
    assert bbc == zeit and turkish != zeit
    assert "(outlet)" in speaker_keys({"canonical": "autorités", "type": "unknown"}, "4")
    assert "(outlet)" not in speaker_keys({"canonical": "Turkish officials", "type": "unknown"},
                                          "5")


@pytest.mark.parametrize(("sentence", "years"), [
    ("Het ergste sinds 1939 en 2023-02-06.", {"1939", "2023"}),
    ("Ruim 2000 mensen, 1.939 doden, 20234 euro.", set()),  # a round hundred, no years
])
def test_sentence_years(sentence: str, years: set[str]) -> None:
    assert sentence_years(sentence) == years


def test_called_x_a_y_is_a_statement_and_other_calls_are_not() -> None:
    text = ("The prime minister, Liz Truss, called the Queen the rock on which modern Britain "
            "was built. He called the police. She called for calm. The deal was called off.")
    claims = extract_claims(text, "en")
    assert [c.speaker["canonical"] for c in claims] == ["Liz Truss"]


def test_a_pronoun_after_a_role_and_name_that_open_a_sentence() -> None:
    text = ("Volgens de wegbeheerder zijn er 40 wagens paraat. Coach Marieke Bos zag haar "
            "ploeg in de slotfase twee doelpunten weggeven. \"Dit doet pijn\", zei ze.")
    assert _claim_at(text, "nl", 'Dit doet').speaker["canonical"] == "Marieke Bos"


@pytest.mark.parametrize(("text", "keys"), [
    ("dänischen Schifffahrtsbehörde", {"@dk"}), ("Deense maritieme autoriteit", {"@dk"}),
    ("première ministre danoise", {"@dk"}), ("Denmark's energy minister", {"@dk"}),
    ("het Russische ministerie van Defensie", {"@ru"}), ("Moskou", {"@ru"}),
    ("Russia's defence ministry", {"@ru"}), ("die russische Regierung", {"@ru"}),
    ("the Pentagon", {"@us"}), ("Washington", {"@us"}), ("Verenigd Koninkrijk", {"@gb"}),
    # names that only look like demonyms
    ("Bertrand Russell", set()), ("Frans Timmermans", set()), ("Buckingham Palace", set()),
])
def test_country_keys(text, keys) -> None:
    assert country_keys(text) == keys


def test_speakers_of_one_country_are_compared_by_content() -> None:
    c = ClaimClusterer()
    de = {"claim_id": "1", "speaker": {"text": "dänischen Schifffahrtsbehörde",
                                       "canonical": "Schifffahrtsbehörde", "type": "unknown"},
          "content": "schiffe abstand seemeilen leck", "numbers": [{"text": "5", "value": 5}]}
    nl = {"claim_id": "2", "speaker": {"text": "Deense maritieme autoriteit",
                                       "canonical": "Deense maritieme autoriteit",
                                       "type": "unknown"},
          "content": "schepen vijf zeemijl afstand lek", "numbers": [{"text": "5", "value": 5}]}
    a = c.assign(story_id="s", claim=de, published_at=T0, text=_text("de", 1, 0, 0))
    b = c.assign(story_id="s", claim=nl, published_at=T0, text=_text("nl", 0.6, 0.8, 0))
    assert a == b


def test_a_named_speakers_distinctive_number_lets_a_loose_translation_meet() -> None:
    """USGS's magnitude 7.8 in a long Reuters sentence and in a short NOS one scored cosine
    0.32: inside one story a shared distinctive number of one named speaker is enough at
    0.3; a small whole number (2) or another story is not."""
    c = ClaimClusterer()
    en = c.assign(story_id="s", claim=_claim("1", "magnitude earthquake strike turkey",
                                             speaker="U.S. Geological Survey", numbers=[7.8],
                                             language="en"),
                  published_at=T0, text=_text("en", 1, 0, 0))
    loose = (0.35, 0.9367, 0)  # cosine 0.35 with the English report
    nl = c.assign(story_id="s", claim=_claim("2", "beving kracht", speaker="USGS",
                                             numbers=[7.8]),
                  published_at=T0, text=_text("nl", *loose))
    elsewhere = c.assign(story_id="t", claim=_claim("3", "beving kracht", speaker="USGS",
                                                    numbers=[7.8]),
                         published_at=T0, text=_text("nl", *loose))
    two = c.assign(story_id="u", claim=_claim("4", "two days", speaker="Ahmed Shaker",
                                              numbers=[2], language="en"),
                   published_at=T0, text=_text("en", 1, 0, 0))
    two_nl = c.assign(story_id="u", claim=_claim("5", "twee dagen", speaker="Ahmed Shaker",
                                                 numbers=[2]),
                      published_at=T0, text=_text("nl", *loose))
    assert nl == en and elsewhere != en and two_nl != two


@pytest.mark.parametrize(("text", "language", "dates"), [
    ("Het kabinet is vrijdagavond gevallen.", "nl", ["2023-07-07"]),
    ("Die Regierung ist am Freitagabend zerbrochen.", "de", ["2023-07-07"]),
    ("The government collapsed on Friday evening.", "en", ["2023-07-07"]),
    ("Gisteravond zei hij het, vanavond herhaalt hij het.", "nl", ["2023-07-07", "2023-07-08"]),
    ("Hij zei van alles, maar de avond bleef rustig.", "nl", []),  # no day in "van", "avond"
])
def test_a_part_of_the_day_written_onto_a_day_is_that_day(text, language, dates) -> None:
    from datetime import date

    from claimwire.agents.extract.dates import find_dates
    from claimwire.agents.extract.lexicon import lexicon

    found = find_dates(text, lexicon(language), date(2023, 7, 8))  # a Saturday
    assert [d["date"] for d in found] == dates


@pytest.mark.parametrize(("sentence", "language", "names"), [
    # the nl/de/fr tokenizers keep a hyphenated compound whole; English splits it
    ("Het kabinet-Rutte IV is vrijdagavond gevallen, meldt de NOS.", "nl", {"Rutte", "NOS"}),
    ("Kabinet-Rutte gevallen, meldt de NOS.", "nl", {"Rutte", "NOS"}),
    ("Die Lecks an den Nord-Stream-Pipelines sind absichtlich verursacht, sagte Frederiksen.",
     "de", {"Nord", "Stream", "Frederiksen"}),
    ("The Rutte-led coalition collapsed, Reuters said.", "en", {"Rutte", "Reuters"}),
])
def test_a_name_inside_a_hyphenated_compound_is_an_entity(sentence: str, language: str,
                                                          names: set[str]) -> None:
    (claim,) = extract_claims(sentence, language)
    found = {e["canonical"] for e in claim.entities}
    assert names <= found
    assert not any("-" in name for name in found)


@pytest.mark.parametrize(("sentence", "language", "values"), [
    # a share written like a clock time is a quantity
    ("The Federal Reserve held interest rates steady on Wednesday in the 5.25%-5.50% range.",
     "en", [5.25, 5.5]),
    ("The central bank raised its main rate to 4.50 percent on Thursday afternoon.", "en",
     [4.5]),
    # a clock time is none
    ("De trein met 200 reizigers vertrok om 9.30 van het station in Utrecht.", "nl", [200]),
    ("Das Spiel vor 40.000 Zuschauern beginnt um 20.15 Uhr im Stadion der Stadt.", "de",
     [40000]),
])
def test_an_outlet_fact_counts_a_share_not_a_clock_time(sentence: str, language: str,
                                                        values: list[float]) -> None:
    (claim,) = extract_claims(sentence, language)
    assert claim.speaker["type"] == "outlet"
    assert [n["value"] for n in claim.numbers] == values
