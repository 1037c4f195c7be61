"""Story assignment on the ECB+ dev set (issue 4): the committed similarity weights are what
`make fit-stories` fits, and story B-cubed F1 stays above a floor (an eval gate, like the
claim floors). `make eval` measures the same through the broker; docs/quality.md has figures."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from claimwire.agents.story.features import (
    ENCODED_WEIGHTS_FILE,
    MODEL_FILES,
    STORY_THRESHOLD,
    UNNAMED_WEIGHTS_FILE,
    WEIGHTS_FILE,
)
from tests.conftest import ROOT, needs_shared

# slow quality gates over ../shared/data: in `make test` (CI), not in `make test-fast`
pytestmark = [needs_shared, pytest.mark.quality]

STORY_F1_FLOOR = 0.915  # measured 0.921 in the pipeline's order, ninth session (docs/quality.md)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_committed_weights_are_what_the_fit_produces(tmp_path: Path) -> None:
    _run("scripts/fit_story_weights.py", "--out-dir", str(tmp_path))
    auc = {}
    for committed_file in MODEL_FILES.values():
        fitted = json.loads((tmp_path / committed_file.name).read_text())
        committed = json.loads(committed_file.read_text())
        assert fitted["features"] == committed["features"]
        for new, old in zip([*fitted["weights"], fitted["bias"]],
                            [*committed["weights"], committed["bias"]], strict=True):
            assert abs(new - old) < 0.01, (fitted, committed)
        # the learned combination ranks same-event pairs above their hard negatives better
        # than its first feature alone, or it is not worth having
        assert fitted["within_topic_auc"] > fitted["cosine_only_within_topic_auc"] + 0.02
        auc[committed_file] = fitted["within_topic_auc"]
    # nor is the sentence encoder, unless it ranks better than the terms alone; nor the names
    assert auc[ENCODED_WEIGHTS_FILE] > auc[WEIGHTS_FILE] > auc[UNNAMED_WEIGHTS_FILE]


def test_story_f1_stays_above_its_floor(tmp_path: Path) -> None:
    out = tmp_path / "sweep.json"
    _run("scripts/sweep_story_threshold.py", "--json", str(out), str(STORY_THRESHOLD))
    [run] = json.loads(out.read_text())
    assert run["f1"] >= STORY_F1_FLOOR, run
    assert run["p"] > 0.85 and run["r"] > 0.85, run


# The events of the dev corroboration scenarios (../shared/data/corroboration/README.md), by
# the local publication date of their reports: the scenarios' events lie days apart.
SCENARIO_EVENTS = {
    "crosslingual": {"2022-09-08": "queen", "2022-09-26": "nord-stream",
                     "2022-09-27": "nord-stream", "2022-11-23": "germany-japan"},
    "nl-everyday": {"2022-06-10": "nitrogen-plans", "2022-06-16": "schiphol-cap",
                    "2022-06-17": "schiphol-cap", "2022-06-22": "stroe-protest",
                    "2022-07-03": "remkes", "2022-07-04": "blockades"},
    "hard-negatives": {"2022-02-18": "eunice", "2022-02-19": "eunice", "2022-02-20": "franklin",
                       "2022-07-21": "ecb-lagarde"},
}


@pytest.fixture(scope="module")
def scenario_stories() -> dict[str, list[tuple[str, str, str, str]]]:
    """(event, language, story id, published_at) of every report of each scenario, the story
    stage's logic fed in event-time order."""
    from datetime import timedelta

    from claimwire.agents.core.timefmt import parse_time
    from claimwire.agents.story.stage import StoryStage
    from tests.conftest import SHARED
    from tests.pure_pipeline import extract_all

    out = {}
    for name, events in SCENARIO_EVENTS.items():
        lines = (SHARED / f"data/corroboration/{name}.jsonl").read_text().splitlines()
        extracted = sorted((json.loads(p) for p in extract_all(json.loads(x) for x in lines)),
                           key=lambda a: parse_time(a["published_at"]))
        stage = StoryStage(retention=timedelta(hours=54))
        out[name] = [(events[a["published_at"][:10]], a["language"],
                      stage.process(a, parse_time(a["published_at"]))[0]["story_id"],
                      a["published_at"])
                     for a in extracted]
    return out


def test_no_story_spans_two_events(
        scenario_stories: dict[str, list[tuple[str, str, str, str]]]) -> None:
    # two storms in one week, a rate decision and its president's remarks, five farm stories
    for name, rows in scenario_stories.items():
        events_of: dict[str, set[str]] = {}
        for event, _language, story, _at in rows:
            events_of.setdefault(story, set()).add(event)
        assert all(len(e) == 1 for e in events_of.values()), (name, events_of)


@pytest.mark.parametrize("event", [
    "queen", "germany-japan",
    # Denmark's 'deliberate' in en/de/nl/fr and the Kremlin's and the EU's reactions: the
    # reactions share no wording with the others, but their claims (Jørgensen, the Swedish
    # seismologists, Peskov) join clusters of the story and take them in
    "nord-stream/2022-09-27",
    pytest.param("nord-stream", marks=pytest.mark.xfail(strict=True, reason=(
        "splits into 2 stories: the leaks found (26 Sept, de/nl) and Denmark's 'deliberate' "
        "with the reactions (27 Sept): the two days' reports share no claim, and their pairs "
        "score 0.02-0.10 (docs/quality.md)"))),
])
def test_the_crosslingual_reports_of_an_event_share_a_story(
        scenario_stories: dict[str, list[tuple[str, str, str, str]]], event: str) -> None:
    name, _, day = event.partition("/")
    rows = [r for r in scenario_stories["crosslingual"]
            if r[0] == name and r[3].startswith(day)]
    assert len({r[1] for r in rows}) >= 3
    assert len({r[2] for r in rows}) == 1, rows


def test_one_shared_claim_and_a_near_score_take_a_report_into_the_story() -> None:
    """The fall of Rutte IV (tests/data/corroboration/nl-politics-2023): the Guardian's report
    scores 0.41 against the Dutch story (under the threshold) and shares one Rutte claim with
    it; together they take it in, and the Reuters report after it. Monday's announcement is
    another story."""
    from datetime import timedelta

    from claimwire.agents.core.timefmt import parse_time
    from claimwire.agents.story.stage import StoryStage
    from tests.pure_pipeline import extract_all

    data = ROOT / "tests/data/corroboration/nl-politics-2023"
    gold = json.loads(data.with_suffix(".gold.json").read_text())
    name_of = {url: name for name, url in gold["articles"].items()}
    lines = data.with_suffix(".jsonl").read_text().splitlines()
    extracted = sorted((json.loads(p) for p in extract_all(json.loads(x) for x in lines)),
                       key=lambda a: parse_time(a["published_at"]))
    stage = StoryStage(retention=timedelta(hours=48))
    story = {name_of[a["url"]]: stage.process(a, parse_time(a["published_at"]))[0]["story_id"]
             for a in extracted}
    assert story["d03-guardian"] == story["d05-reuters"] == story["d01-nos"] == \
        story["d09-spiegel"]
    assert story["d13-nos"] != story["d01-nos"]
