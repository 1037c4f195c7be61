"""Bounded state (pure logic): three window-lengths of synthetic news with ever-new names.
Every piece of state levels off after one window; none grows with the input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from claimwire.agents.corroborate.corroborator import CorroboratePartition
from claimwire.agents.story.stage import StoryOutput, StoryPartition
from tests import synthetic

WINDOW = timedelta(hours=12)
LATENESS = timedelta(hours=1)


def _sizes(story: StoryPartition, corroborate: CorroboratePartition) -> dict[str, int]:
    stage = story.stage
    return {
        "stories": len(stage.stories.stories),
        "doc_freq_terms": len(stage.stories.frequencies.doc_freq),
        "claim_clusters": len(stage.clusters),
        "signatures": len(stage.duplicates),
        "story_of": len(stage.story_of),
        "reorder_buffer": len(story.buffer),
        "corroboration_clusters": len(corroborate),
        "independence_keys": len(corroborate.corroborator._key_of_url),
    }


@pytest.mark.long
def test_state_levels_off_over_three_windows() -> None:
    story = StoryPartition(window=WINDOW, allowed_lateness=LATENESS)
    corroborate = CorroboratePartition(threshold=2, window=WINDOW, allowed_lateness=LATENESS,
                                       group_of=lambda outlet: outlet)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    per_window = int(WINDOW.total_seconds() // 3600) * 20 * 3
    samples: list[dict[str, int]] = []
    confirmed = 0
    for i, payload in enumerate(synthetic.stream(start, 3 * WINDOW)):
        for out in story.handle(payload, ("articles.extracted", 0, i)):
            assert isinstance(out, StoryOutput), out
            for claim in out.claims:
                confirmed += sum(e["type"] == "confirmation" for e in
                                 corroborate.handle(json.dumps(claim).encode()).events)
        if (i + 1) % per_window == 0:
            samples.append(_sizes(story, corroborate))
    assert len(samples) == 3 and confirmed > 100
    first, second, third = samples
    for key in first:
        assert third[key] > 0 or key == "reorder_buffer", (key, samples)
        # after the first window fills, sizes stay flat (input doubled from 2nd to 3rd)
        assert third[key] <= 1.1 * second[key] + 5, (key, samples)
    assert story.stage.evicted_total > per_window
