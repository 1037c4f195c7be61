"""Quality floors of claim extraction (trafilatura-style eval gate): `make eval-claims` runs the
same evaluation; the floors in tests/data/claims/floors.json sit a little under the figures
measured and quoted in docs/claims.md. A regression below a floor fails CI."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, needs_shared

# slow quality gates over ../shared/data: in `make test` (CI), not in `make test-fast`
pytestmark = [needs_shared, pytest.mark.quality]

FLOORS = ROOT / "tests/data/claims/floors.json"


def test_claim_extraction_stays_above_its_floors(tmp_path: Path) -> None:
    out = tmp_path / "claims-eval.json"
    proc = subprocess.run([sys.executable, "scripts/eval_claims.py", "--json", str(out),
                           "--check", str(FLOORS)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert set(figures) == {"en", "nl", "de", "fr"}
    assert figures["en"]["attributions_gold"] > 900  # the whole PolNeAR dev set was read


def test_the_gold_sets_are_big_enough() -> None:
    for language, size, claims in (("nl", 150, 50), ("de", 150, 50), ("fr", 40, 30)):
        rows = [json.loads(x) for x in (ROOT / f"tests/data/claims/{language}.jsonl").open()]
        assert len(rows) >= size
        assert {"text", "claim", "speaker", "via", "hedged", "numbers"} <= set(rows[0])
        assert sum(r["claim"] for r in rows) >= claims
        assert len({r["id"] for r in rows}) == len(rows)
