"""What the story models make of a few short pairs: P(same event) of the second report of each
pair against the story of the first, in an empty window and in one that holds the ECB+ dev
articles (realistic document frequencies). With and without the sentence encoder.

    python scripts/story_pair_probe.py

The pairs: one robbery in two wordings (same event); a robbery and a fire, and a robbery and
a museum opening, in one city on one day, and two ship accidents near one port on one day
(different events). Used to choose ``NAMES_PRIOR`` (agents/story/features.py;
docs/quality.md): edit it, ``make fit-stories``, run this and ``python scripts/cv_stories.py
--orders 4``. The fire and the ship accidents name other kinds of incident than their pair's
first report (agents/story/incidents.py), so they score 0: the veto keeps them apart. The
museum opening names none; only the names prior keeps it apart.
"""

from __future__ import annotations

import copy
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from claimwire.agents.core.timefmt import parse_time  # noqa: E402
from claimwire.agents.story.assign import StoryAssigner  # noqa: E402
from claimwire.agents.story.encoder import EncoderFor, no_sentence_encoder  # noqa: E402
from claimwire.agents.story.stage import story_entities  # noqa: E402

PAIRS = {
    "one robbery, two wordings (same event)": (
        "Armed robbers stole jewels worth 2 million euros from a Paris store on Tuesday.",
        "Thieves took jewellery valued at two million from a shop in Paris on Tuesday."),
    "a robbery and a fire in Paris on one Tuesday": (
        "Armed robbers stole jewels worth 2 million euros from a Paris store on Tuesday.",
        "Fire destroyed the roof of a Paris museum on Tuesday, the city said."),
    "a robbery and a museum opening in Paris on one Tuesday": (
        "Armed robbers stole jewels worth 2 million euros from a Paris store on Tuesday.",
        "The mayor of Paris opened a new museum on Tuesday, the city said."),
    "two ship accidents near Rotterdam on one Monday": (
        "A cargo ship ran aground off Rotterdam on Monday. The Dutch coastguard said the crew "
        "of 12 was safe. Rijkswaterstaat closed the channel.",
        "A ferry collided with a barge near Rotterdam on Monday. Two passengers were hurt, the "
        "Dutch coastguard said."),
}


def probe(window: StoryAssigner, encoder_for: EncoderFor, first: str, second: str
          ) -> tuple[float, bool]:
    """(the story score of ``second`` against the story ``first`` went into, and whether
    ``second`` would join that story: it may score higher against another)."""
    assigner = copy.deepcopy(window)
    assigner.encoder_for, assigner.models = encoder_for, window.models
    at = max((s.last_seen for s in window.stories.values()), default=None) or \
        parse_time("2026-03-02T00:00:00Z")
    story_id = assigner.assign(article_id="probe-first", text=first, language="en",
                               entities=set(), published_at=at).story_id
    scored = assigner.score(article_id="probe-second", text=second, language="en",
                            entities=set(), published_at=at)
    score = assigner.story_score(scored.member, scored.vectors, story_id)
    return score or 0.0, scored.joins == story_id


def main() -> int:
    from ecbplus_dev import load
    from sweep_story_threshold import _memo_encoder

    encoders: dict[str, EncoderFor] = {"terms only": no_sentence_encoder,
                                       "with the encoder": _memo_encoder}
    articles, _gold = load()
    for encoder_name, encoder_for in encoders.items():
        empty = StoryAssigner(encoder_for=encoder_for, decay=timedelta(days=3650))
        full = StoryAssigner(encoder_for=encoder_for, decay=timedelta(days=3650))
        for a in articles:
            full.assign(article_id=a["article_id"], text=a["text"], language="en",
                        entities=story_entities(a), published_at=parse_time(a["published_at"]))
        for name, (first, second) in PAIRS.items():
            runs = [probe(window, encoder_for, first, second) for window in (empty, full)]
            print(f"{encoder_name:17} {name:55} " + ", ".join(
                f"{where} {score:.3f} ({'joins' if joins else 'apart'})"
                for where, (score, joins) in zip(("empty window", "after ECB+ dev"), runs,
                                                 strict=True)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
