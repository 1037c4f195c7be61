"""Story assignment on the ECB+ dev set (issue 4): the committed similarity weights are what
`make fit-stories` fits, and story B-cubed F1 stays above a floor (an eval gate, like the
claim floors). `make eval` measures the same through the broker; docs/quality.md has figures."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from claimwire.agents.story.features import (
    CROSSLINGUAL_WEIGHTS_FILE,
    ENCODED_WEIGHTS_FILE,
    STORY_THRESHOLD,
    WEIGHTS_FILE,
)
from tests.conftest import ROOT, needs_shared

# slow quality gates over ../shared/data: in `make test` (CI), not in `make test-fast`
pytestmark = [needs_shared, pytest.mark.quality]

STORY_F1_FLOOR = 0.89  # measured 0.896 in the pipeline's order, USE encoder (docs/quality.md)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def test_committed_weights_are_what_the_fit_produces(tmp_path: Path) -> None:
    _run("scripts/fit_story_weights.py", "--out-dir", str(tmp_path))
    auc = {}
    for committed_file in (WEIGHTS_FILE, ENCODED_WEIGHTS_FILE, CROSSLINGUAL_WEIGHTS_FILE):
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
    # nor is the sentence encoder, unless it ranks better than the terms alone
    assert auc[ENCODED_WEIGHTS_FILE] > auc[WEIGHTS_FILE]


def test_story_f1_stays_above_its_floor(tmp_path: Path) -> None:
    out = tmp_path / "sweep.json"
    _run("scripts/sweep_story_threshold.py", "--json", str(out), str(STORY_THRESHOLD))
    [run] = json.loads(out.read_text())
    assert run["f1"] >= STORY_F1_FLOOR, run
    assert run["p"] > 0.85 and run["r"] > 0.85, run
