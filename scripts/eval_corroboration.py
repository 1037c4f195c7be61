"""Corroboration quality on the dev scenarios (issue 14): replay each scenario of
../shared/data/corroboration/ through the real pipeline with its gold's settings, score it with
../shared/eval/score_corroboration.py, and print one table.

    python scripts/eval_corroboration.py [--out out/corroboration] [--check FLOORS] [--target]
    python scripts/eval_corroboration.py --summary out/corroboration/summary.json --check FLOORS

``--check FLOORS`` (the CI gate, tests/data/corroboration/floors.json) exits 1 when a
scenario's precision, recall or number of passing checks (``checks_passed``: the scorer's
evidence, count and level checks) falls below its floor, or a scenario has no floor or was not
run. ``--target`` exits 1 unless every scenario meets the issue's target: precision 1.0 and
recall at least 0.9 with all checks passing. ``--summary`` checks the rows an earlier run
wrote instead of replaying. Scenarios of our own in tests/data/corroboration/ (same format)
run too.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "eval/score_corroboration.py"


def scenarios() -> list[Path]:
    found = sorted((SHARED / "data/corroboration").glob("*.gold.json"))
    return found + sorted((ROOT / "tests/data/corroboration").glob("*.gold.json"))


def _run_in_process(source: Path, config: Path, dump: Path) -> None:
    """The scenario through the stages' logic chained in one process (tests/pure_pipeline.py),
    dumped as a replay dumps its events. tests/test_stream_correctness.py checks that the
    broker run gives the same confirmations as this chain; it saves a worker and a broker per
    scenario, which the CI gate cannot afford."""
    sys.path.insert(0, str(ROOT))
    from claimwire.streams.config import load_settings
    from tests.pure_pipeline import confirmations, extract_all

    records = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
    events = confirmations(extract_all(records), load_settings(config))
    dump.mkdir(parents=True, exist_ok=True)
    for kind, file in (("confirmation", "claims.confirmed.jsonl"),
                       ("update", "claims.updated.jsonl")):
        (dump / file).write_text("".join(json.dumps(e) + "\n" for e in events
                                         if e["type"] == kind))


def run(gold: Path, out: Path, in_process: bool = False) -> dict[str, Any]:
    name = gold.name.removesuffix(".gold.json")
    source = gold.with_name(f"{name}.jsonl")
    config = out / f"{name}.toml"
    config.write_text(json.loads(gold.read_text())["config_toml"])
    dump = out / name
    started = time.monotonic()
    if in_process:
        _run_in_process(source, config, dump)
    else:
        replay = subprocess.run([sys.executable, "-m", "claimwire.streams", "replay",
                                 str(source), "--dump", str(dump), "--config", str(config)],
                                capture_output=True, text=True, timeout=900)
        if replay.returncode:
            raise SystemExit(f"replay of {source} failed:\n{replay.stderr[-2000:]}")
    seconds = time.monotonic() - started
    scored = subprocess.run([sys.executable, str(SCORER), str(gold), str(dump), "--verbose"],
                            capture_output=True, text=True, timeout=300)
    (out / f"{name}.score.txt").write_text(scored.stdout + scored.stderr)
    text = scored.stdout
    p = re.search(r"precision[=:\s]+([\d.]+)", text)
    r = re.search(r"recall[=:\s]+([\d.]+) \((\d+)/(\d+)\)", text)
    c = re.search(r"checks (\d+)/(\d+)", text)
    return {"scenario": name, "precision": float(p.group(1)) if p else None,
            "recall": float(r.group(1)) if r else None,
            "confirmed": f"{r.group(2)}/{r.group(3)}" if r else None,
            "checks": f"{c.group(1)}/{c.group(2)}" if c else None,
            "checks_passed": int(c.group(1)) if c else None, "exit": scored.returncode,
            "seconds": round(seconds, 1), "report": str(out / f"{name}.score.txt")}


def below_floors(rows: list[dict[str, Any]], floors: dict[str, dict[str, float]]) -> list[str]:
    """What fails the gate: a figure under its floor (or not measured), a scenario without
    a floor, a floor without a scenario."""
    measured = {row["scenario"]: row for row in rows}
    failures = [f"{name}: no floor in the floors file"
                for name in sorted(set(measured) - set(floors))]
    failures += [f"{name}: has a floor but was not run"
                 for name in sorted(set(floors) - set(measured))]
    for name in sorted(set(floors) & set(measured)):
        for figure, floor in sorted(floors[name].items()):
            got = measured[name].get(figure)
            if not isinstance(got, (int, float)) or got < floor:
                failures.append(f"{name}: {figure} {got} < floor {floor}")
    return failures


def meets_target(row: dict[str, Any]) -> bool:
    """The issue's target: precision 1.0 and recall at least 0.9, every check passing."""
    return row["exit"] == 0 and row["precision"] == 1.0 and (row["recall"] or 0) >= 0.9


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "out/corroboration")
    ap.add_argument("--check", type=Path, metavar="FLOORS",
                    help="floors file: exit 1 if a scenario falls below its floors")
    ap.add_argument("--target", action="store_true",
                    help="exit 1 unless every scenario meets the target (P 1.0, R >= 0.9)")
    ap.add_argument("--summary", type=Path, help="check this earlier run's summary.json")
    ap.add_argument("--in-process", action="store_true",
                    help="run the stages' logic in this process instead of replaying through "
                    "a broker and a worker (the CI gate: the same confirmations, faster)")
    args = ap.parse_args()
    if args.summary:
        rows = json.loads(args.summary.read_text())
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        rows = [run(gold, args.out, args.in_process) for gold in scenarios()]
        (args.out / "summary.json").write_text(json.dumps(rows, indent=1) + "\n")
    print(f"{'scenario':<22} {'precision':>9} {'recall':>7} {'confirmed':>9} {'checks':>7} "
          f"{'target':>6} {'seconds':>7}")
    for row in rows:
        print(f"{row['scenario']:<22} {row['precision']!s:>9} {row['recall']!s:>7} "
              f"{row['confirmed']!s:>9} {row['checks']!s:>7} "
              f"{'met' if meets_target(row) else 'no':>6} {row['seconds']!s:>7}")
    failed = False
    if args.check:
        failures = below_floors(rows, json.loads(args.check.read_text()))
        for failure in failures:
            print(f"BELOW FLOOR {failure}")
        if not failures:
            print(f"every scenario at or above its floors ({args.check})")
        failed = bool(failures)
    if args.target and not all(meets_target(row) for row in rows):
        print("target not met: precision 1.0 and recall >= 0.9 with all checks passing")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
