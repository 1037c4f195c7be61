"""The corroboration quality gate (issue 14): `make eval-corroboration` replays every dev
scenario of ../shared/data/corroboration/ (and ours in tests/data/corroboration/) through the
real pipeline on the embedded broker and scores it with ../shared/eval/score_corroboration.py.
The floors in tests/data/corroboration/floors.json pin the precision, the recall and the
number of the scorer's checks that pass, as measured (the
issue's target is precision 1.0 and recall >= 0.9): a regression below a floor fails CI. CI runs
the scenarios through the stages' logic in one process (``--in-process``, ~25 s instead of a
broker and a worker per scenario, ~3 min); tests/test_stream_correctness.py checks that a broker
run confirms the same as that chain, and `make eval-corroboration` replays for real."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, needs_shared

FLOORS = ROOT / "tests/data/corroboration/floors.json"


def _eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "scripts/eval_corroboration.py", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)


# ~25 s, with the spaCy and encoder loads: in `make test` (CI), not in `make test-fast`
@needs_shared
@pytest.mark.quality
def test_corroboration_stays_above_its_floors(tmp_path: Path) -> None:
    proc = _eval("--in-process", "--out", str(tmp_path), "--check", str(FLOORS))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = json.loads((tmp_path / "summary.json").read_text())
    assert {r["scenario"] for r in rows} == set(json.loads(FLOORS.read_text()))
    # the gate can fail: the same figures against a floor above them do
    raised = {r["scenario"]: {"recall": r["recall"] + 0.01} for r in rows}
    (tmp_path / "raised.json").write_text(json.dumps(raised))
    proc = _eval("--summary", str(tmp_path / "summary.json"),
                 "--check", str(tmp_path / "raised.json"))
    assert proc.returncode == 1 and proc.stdout.count("BELOW FLOOR") == len(rows), proc.stdout


def _row(name: str, precision: float | None, recall: float | None) -> dict[str, object]:
    return {"scenario": name, "precision": precision, "recall": recall, "confirmed": None,
            "checks": None, "exit": 1, "seconds": 1.0, "report": "-"}


@pytest.mark.parametrize("rows,floors,failures", [
    ([_row("a", 1.0, 0.5)], {"a": {"precision": 1.0, "recall": 0.5}}, []),
    ([_row("a", 1.0, 0.6)], {"a": {"precision": 1.0, "recall": 0.5}}, []),
    ([_row("a", 0.9, 0.6)], {"a": {"precision": 1.0, "recall": 0.5}}, ["a: precision 0.9"]),
    ([_row("a", 1.0, 0.4)], {"a": {"precision": 1.0, "recall": 0.5}}, ["a: recall 0.4"]),
    ([_row("a", None, None)], {"a": {"recall": 0.0}}, ["a: recall None"]),  # no score line
    ([_row("a", 1.0, 1.0), _row("b", 1.0, 1.0)], {"a": {"recall": 0.5}},
     ["b: no floor"]),
    ([_row("a", 1.0, 1.0)], {"a": {"recall": 0.5}, "c": {"recall": 0.5}},
     ["c: has a floor but was not run"]),
    # the checks that pass (evidence, counts, levels) have a floor too
    ([{**_row("a", 1.0, 1.0), "checks_passed": 40}], {"a": {"checks_passed": 40}}, []),
    ([{**_row("a", 1.0, 1.0), "checks_passed": 39}], {"a": {"checks_passed": 40}},
     ["a: checks_passed 39"]),
])
def test_the_floor_check_of_a_summary(tmp_path: Path, rows: list[dict[str, object]],
                                      floors: dict[str, dict[str, float]],
                                      failures: list[str]) -> None:
    (tmp_path / "summary.json").write_text(json.dumps(rows))
    (tmp_path / "floors.json").write_text(json.dumps(floors))
    proc = _eval("--summary", str(tmp_path / "summary.json"),
                 "--check", str(tmp_path / "floors.json"))
    assert proc.returncode == (1 if failures else 0), proc.stdout + proc.stderr
    found = [line for line in proc.stdout.splitlines() if line.startswith("BELOW FLOOR")]
    assert len(found) == len(failures)
    for line, failure in zip(found, failures, strict=True):
        assert failure in line


def test_the_target_is_the_issues(tmp_path: Path) -> None:
    met = {**_row("a", 1.0, 0.9), "exit": 0}
    (tmp_path / "met.json").write_text(json.dumps([met]))
    (tmp_path / "short.json").write_text(json.dumps([{**met, "recall": 0.89}]))
    assert _eval("--summary", str(tmp_path / "met.json"), "--target").returncode == 0
    assert _eval("--summary", str(tmp_path / "short.json"), "--target").returncode == 1
