"""make fuzz: the hostile-record strategies (tests/hostile.py) at scale, random.

1. ``--logic N`` records (default 10,000) through the extract stage's decode and extract
   logic (``run_batch``, with the real page processes), in batches of 32 as the agent takes
   them: one result per record, every output valid and sendable, no bug reason.
2. ``--broker N`` records (default 2,000) through a real worker on the embedded broker
   (``claimwire replay``): every record accounted exactly once (articles + DLQs = input).

Prints the counts by kind and outcome; exits 1 on any crash or lost record."""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwire.agents.core.limits import Limits  # noqa: E402
from claimwire.agents.extract.batch import run_batch  # noqa: E402
from claimwire.agents.extract.pool import PagePool  # noqa: E402
from tests.hostile import Hostile, hostile_records, url_of  # noqa: E402
from tests.test_faults import account  # noqa: E402
from tests.test_hostile import check_results  # noqa: E402


def draw(n: int, *, large: bool) -> list[Hostile]:
    drawn: list[Hostile] = []

    @settings(max_examples=n, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(hostile_records(large=large))
    def collect(record: Hostile) -> None:
        drawn.append(record)

    while len(drawn) < n:
        collect()
    return drawn[:n]


def fuzz_logic(n: int) -> int:
    corpus = draw(n, large=True)
    limits = Limits(message_bytes=8 * 1024 * 1024, max_html_bytes=5_000_000)
    outcomes: Counter[str] = Counter()
    crashes = 0

    async def run() -> None:
        nonlocal crashes
        pool = PagePool(workers=1, timeout_s=20)
        now = datetime.now(UTC)
        try:
            for start in range(0, n, 32):
                records = [h.render(url_of(start + i))
                           for i, h in enumerate(corpus[start:start + 32])]
                try:
                    results = await run_batch([(r, now) for r in records], limits=limits,
                                              pool=pool)
                    check_results(records, results, limits)
                except Exception as exc:  # noqa: BLE001 - counted and shown
                    crashes += 1
                    print(f"CRASH at batch {start}: {type(exc).__name__}: {exc}"[:500])
                    continue
                outcomes.update(getattr(r, "reason", "extracted") for r in results)
        finally:
            pool.close()

    started = time.monotonic()
    asyncio.run(run())
    print(f"logic: {n} records in {time.monotonic() - started:.0f} s; kinds "
          f"{dict(Counter(h.kind for h in corpus))}")
    print(f"logic: outcomes {dict(outcomes)}; accounted {sum(outcomes.values())} of {n}; "
          f"crashes {crashes}")
    return crashes + (n - sum(outcomes.values()))


def fuzz_broker(n: int) -> int:
    corpus = draw(n, large=False)
    with tempfile.TemporaryDirectory(prefix="claimwire-fuzz-") as tmp:
        source, dump = Path(tmp) / "hostile.jsonl", Path(tmp) / "dump"
        source.write_bytes(b"\n".join(h.render(url_of(i)).replace(b"\n", b" ")
                                      for i, h in enumerate(corpus)) + b"\n")
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "claimwire.streams", "replay",
                               str(source), "--dump", str(dump), "--timeout", "1500"],
                              cwd=ROOT, capture_output=True)
        if proc.returncode != 0:
            print(f"broker: replay exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
            return 1
        summary = json.loads(proc.stdout.decode().strip().splitlines()[-1])
        where, wrong = account(dump, n)
    print(f"broker: {n} records in {time.monotonic() - started:.0f} s; kinds "
          f"{dict(Counter(h.kind for h in corpus))}")
    print(f"broker: outcomes {dict(where)}")
    print(f"broker: input {n}, delivered {summary['input']}, downstream + DLQ "
          f"{sum(where.values())}, not accounted exactly once {len(wrong)}, crashes 0")
    return len(wrong) + (n - sum(where.values()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--logic", type=int, default=10_000)
    parser.add_argument("--broker", type=int, default=2_000)
    args = parser.parse_args()
    bad = fuzz_logic(args.logic) if args.logic else 0
    bad += fuzz_broker(args.broker) if args.broker else 0
    print("fuzz: OK" if not bad else f"fuzz: FAILED ({bad} problems)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
