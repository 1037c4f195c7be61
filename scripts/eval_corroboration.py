"""Corroboration quality on the dev scenarios (issue 14): replay each scenario of
../shared/data/corroboration/ through the real pipeline with its gold's settings, score it with
../shared/eval/score_corroboration.py, and print one table.

    python scripts/eval_corroboration.py [--out out/corroboration] [--check]

``--check`` exits 1 unless every scenario scores precision 1.0 and recall at least 0.9 with
all checks passing. Scenarios of our own in tests/data/corroboration/ (same format) run too.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "eval/score_corroboration.py"


def scenarios() -> list[Path]:
    found = sorted((SHARED / "data/corroboration").glob("*.gold.json"))
    return found + sorted((ROOT / "tests/data/corroboration").glob("*.gold.json"))


def run(gold: Path, out: Path) -> dict[str, object]:
    name = gold.name.removesuffix(".gold.json")
    source = gold.with_name(f"{name}.jsonl")
    config = out / f"{name}.toml"
    config.write_text(json.loads(gold.read_text())["config_toml"])
    dump = out / name
    replay = subprocess.run([sys.executable, "-m", "claimwire.streams", "replay", str(source),
                             "--dump", str(dump), "--config", str(config)],
                            capture_output=True, text=True, timeout=900)
    if replay.returncode:
        raise SystemExit(f"replay of {source} failed:\n{replay.stderr[-2000:]}")
    scored = subprocess.run([sys.executable, str(SCORER), str(gold), str(dump), "--verbose"],
                            capture_output=True, text=True, timeout=300)
    (out / f"{name}.score.txt").write_text(scored.stdout + scored.stderr)
    text = scored.stdout
    p = re.search(r"precision[=:\s]+([\d.]+)", text)
    r = re.search(r"recall[=:\s]+([\d.]+)", text)
    return {"scenario": name, "precision": float(p.group(1)) if p else None,
            "recall": float(r.group(1)) if r else None, "exit": scored.returncode,
            "report": str(out / f"{name}.score.txt")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "out/corroboration")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [run(gold, args.out) for gold in scenarios()]
    print(f"{'scenario':<22} {'precision':>9} {'recall':>7}  checks")
    for row in rows:
        print(f"{row['scenario']:<22} {row['precision']!s:>9} {row['recall']!s:>7}  "
              f"{'pass' if row['exit'] == 0 else 'FAIL'} ({row['report']})")
    (args.out / "summary.json").write_text(json.dumps(rows, indent=1))
    ok = all(r["exit"] == 0 and r["precision"] == 1.0 and (r["recall"] or 0) >= 0.9
             for r in rows)
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
