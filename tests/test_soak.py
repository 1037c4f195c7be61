"""The soak run (make soak) as a slow test: state sizes and worker RSS level off over three
window-lengths. Not in the default suite: `pytest -m slow`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.mark.parametrize("language", ["nl", "en"])  # en: with the sentence encoder
def test_state_and_rss_level_off(tmp_path: Path, language: str) -> None:
    out = tmp_path / "soak.json"
    proc = subprocess.run([sys.executable, "scripts/soak.py", "--windows", "3", "--language",
                           language, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=1500)
    result = json.loads(out.read_text())
    assert proc.returncode == 0 and result["levelled_off"], proc.stdout + proc.stderr
    assert [s["window"] for s in result["samples"]] == [1, 2, 3]
