"""The words a claim quotes (agents.core.quotes) and how claim matching uses them."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from claimwire.agents.core.quotes import quoted_text
from claimwire.agents.story.clusters import ClaimClusterer, ClaimText

T0 = datetime(2022, 11, 23, 18, tzinfo=UTC)


def test_the_quoted_words_without_the_frame() -> None:
    assert quoted_text('"Das ist brutal enttäuschend", sagte Bundestrainer Hansi Flick.') \
        == "Das ist brutal enttäuschend"
    assert quoted_text("„Derzeit kann keine Variante ausgeschlossen werden“, so Peskow.") \
        == "Derzeit kann keine Variante ausgeschlossen werden"
    assert quoted_text("« Nous ne laisserons rien passer », a déclaré le ministre.") \
        == "Nous ne laisserons rien passer"


def test_a_sentence_that_starts_inside_the_quote() -> None:
    # the splitter left the opening mark at the end of the sentence before
    assert quoted_text('Dit is brutaal teleurstellend", zei hij na afloop.') \
        == "Dit is brutaal teleurstellend"


def test_scare_quotes_and_no_quotes_are_not_a_statement() -> None:
    assert quoted_text("Les fuites sont dues à des « actions délibérées », dit-elle.") is None
    assert quoted_text("Het kabinet komt met nieuwe plannen, zegt de minister.") is None
    assert quoted_text("") is None


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def _claim(cid: str, content: str) -> dict[str, object]:
    return {"claim_id": cid, "speaker": {"canonical": "Hansi Flick", "text": "Hansi Flick"},
            "content": content, "numbers": [], "quote": True}


def _text(language: str, sentence: tuple[float, ...], quote: tuple[float, ...] | None
          ) -> ClaimText:
    return ClaimText(language, "s", "q" if quote else None, vector=_unit(*sentence),
                     quote_vector=_unit(*quote) if quote else None)


def test_two_quotes_in_two_languages_meet_by_their_words() -> None:
    # the sentences' vectors are far apart (their frames differ), the quotes' close: the
    # quote decides; without a quote vector on both sides the sentences decide
    clusterer = ClaimClusterer()
    first = clusterer.assign(story_id="s", claim=_claim("1", "brutal enttäuschen ard"),
                             published_at=T0, text=_text("de", (1, 0, 0), (0, 1, 0)))
    unquoted = clusterer.match(story_id="s", claim=_claim("2", "brutaal teleurstellend"),
                               text=_text("nl", (0.3, 0, 1), None))
    assert unquoted.cluster_id is None
    quoted = clusterer.match(story_id="s", claim=_claim("2", "brutaal teleurstellend"),
                             text=_text("nl", (0.3, 0, 1), (0, 1, 0.2)))
    assert quoted.cluster_id == first and quoted.score is not None and quoted.score >= 1.0
    # another quote of the same speaker stays apart
    other = clusterer.match(story_id="s", claim=_claim("3", "japan effizienter"),
                            text=_text("nl", (0.3, 0, 1), (0.2, 0, 1)))
    assert other.cluster_id is None


def test_only_claims_that_meet_another_language_are_embedded() -> None:
    clusterer = ClaimClusterer()
    dutch = ClaimText("nl", "Dit is brutaal teleurstellend, zei Flick.")
    clusterer.assign(story_id="s", claim=_claim("1", "brutaal teleurstellend"),
                     published_at=T0, text=dutch)
    # another Dutch claim of Flick's: lemmas compare it, nothing to embed
    again = ClaimText("nl", "Flick zei: dit is teleurstellend.")
    assert clusterer.to_embed([(_claim("2", "teleurstellend"), again)]) == []
    # a German one meets a cluster with a Dutch report: both texts are wanted, once each
    german = ClaimText("de", "Das ist brutal enttäuschend, sagte Flick.",
                       "Das ist brutal enttäuschend")
    wanted = clusterer.to_embed([(_claim("3", "brutal enttäuschen"), german)])
    assert sorted(which for _r, which, _t in wanted) == ["quote_vector", "vector", "vector"]
    assert {t for _r, _w, t in wanted} == {german.sentence, german.quote, dutch.sentence}
    # another speaker's German claim meets nothing of Flick's
    other = {"claim_id": "4", "speaker": {"canonical": "Gündogan", "text": "Gündogan"},
             "content": "brutal enttäuschen", "numbers": []}
    assert clusterer.to_embed([(other, ClaimText("de", "Brutal, sagte Gündogan."))]) == []


def _stage_run(texts: list[tuple[str, str]]) -> list[str]:
    """The story ids the story stage gives these (outlet, Dutch text) reports, an hour
    apart, with a story threshold no pair of texts reaches: only claims can join them."""
    import json
    from datetime import timedelta

    from claimwire.agents.core.timefmt import parse_time
    from claimwire.agents.story.stage import StoryStage
    from tests.pure_pipeline import extract_all

    raws = [{"url": f"https://{outlet}/{i}", "outlet": outlet, "language": "nl", "text": text,
             "published_at": f"2022-09-27T{10 + i:02d}:00:00Z"}
            for i, (outlet, text) in enumerate(texts)]
    stage = StoryStage(retention=timedelta(hours=54), story_threshold=1.01)
    out = []
    for payload in extract_all(raws):
        article = json.loads(payload)
        out.append(stage.process(article, parse_time(article["published_at"]))[0]["story_id"])
    return out


DENMARK = ("Het Deense kabinet zegt dat de lekken in de gasleiding opzettelijk zijn "
           "veroorzaakt. Minister Jørgensen zegt dat er nog zeker een week gas uit de leiding "
           "kan stromen. Seismoloog Björn Lund zegt dat er maandag twee explosies zijn "
           "gemeten in het gebied.")
KREMLIN = ("Het Kremlin sluit sabotage niet uit. Woordvoerder Peskov zegt dat geen enkele "
           "optie kan worden uitgesloten. Minister Jørgensen zegt dat er nog zeker een week "
           "gas uit de leiding kan stromen. Seismoloog Björn Lund zegt dat er maandag twee "
           "explosies zijn gemeten in het gebied.")
ONE_SHARED = ("De Europese Commissie belooft een krachtig antwoord. Voorzitter Von der Leyen "
              "zegt dat elke verstoring van de energievoorziening onaanvaardbaar is. Minister "
              "Jørgensen zegt dat er nog zeker een week gas uit de leiding kan stromen.")


def test_an_article_whose_claims_corroborate_a_story_joins_it() -> None:
    denmark, kremlin = _stage_run([("nos.nl", DENMARK), ("nu.nl", KREMLIN)])
    assert kremlin == denmark  # two of its claims join clusters of that story


def test_one_shared_claim_does_not_join_a_story() -> None:
    # nor with a score (0.59) under two thirds of the threshold (1.01 here: no join by score)
    denmark, other = _stage_run([("nos.nl", DENMARK), ("nu.nl", ONE_SHARED)])
    assert other != denmark
