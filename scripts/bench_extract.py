"""Extract-stage throughput on real pages (issue 3): trafilatura vs language ID vs claim NLP.

    python scripts/bench_extract.py --out bench-results/extract.json      (make bench)

One process, one core. The NLP pipeline is loaded once (as in the worker) and each article's
paragraphs go through nlp.pipe in one batch. Pages: ../shared/data/extraction/
scrapinghub-benchmark (English) and the German news pages of trafilatura-eval.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwire.agents.extract.page import html_to_text, identify_language  # noqa: E402
from claimwire.agents.extract.pipeline import claims_pipeline as pipeline  # noqa: E402
from claimwire.agents.extract.pipeline import extract_claims  # noqa: E402

DATA = ROOT.parent / "shared/data/extraction"


def pages(limit: int) -> list[tuple[str, str]]:
    out = [(p.name, gzip.open(p).read().decode("utf-8", "replace"))
           for p in sorted((DATA / "scrapinghub-benchmark/html").glob("*.html.gz"))[:limit]]
    evaldata = json.loads((DATA / "trafilatura-eval/evaldata.json").read_text())
    for url, meta in evaldata.items():
        if len(out) >= 2 * limit:
            break
        path = DATA / "trafilatura-eval/tests/eval" / (meta["file"] + ".gz")
        if path.exists() and ".de/" in url:
            out.append((meta["file"], gzip.open(path).read().decode("utf-8", "replace")))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100, help="per source (default 100)")
    ap.add_argument("--out", default="bench-results/extract.json")
    args = ap.parse_args()
    for lang in ("en", "de", "nl"):
        pipeline(lang)  # loaded once, outside the timing
    rows = []
    for name, html in pages(args.pages):
        t0 = time.perf_counter()
        text, _title, _date = html_to_text(html, "")
        t1 = time.perf_counter()
        language = identify_language(text) if text else "xx"
        t2 = time.perf_counter()
        claims = extract_claims(text, language) if text else []
        t3 = time.perf_counter()
        rows.append({"page": name, "words": len(text.split()), "language": language,
                     "claims": len(claims), "trafilatura_ms": (t1 - t0) * 1e3,
                     "langid_ms": (t2 - t1) * 1e3, "nlp_ms": (t3 - t2) * 1e3})
    total_s = sum(r["trafilatura_ms"] + r["langid_ms"] + r["nlp_ms"] for r in rows) / 1e3
    nlp_rows = [r for r in rows if r["words"] >= 100 and r["language"] in ("en", "de", "nl")]
    per600 = [r["nlp_ms"] / r["words"] * 600 for r in nlp_rows]
    result = {
        "command": "python scripts/bench_extract.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()} {platform.python_version()}",
        "pages": len(rows),
        "articles_per_second_per_core": round(len(rows) / total_s, 1),
        "median_ms": {k: round(statistics.median(r[k] for r in rows), 2)
                      for k in ("trafilatura_ms", "langid_ms", "nlp_ms")},
        "nlp_ms_per_600_words_median": round(statistics.median(per600), 2),
        "total_s": {k.removesuffix("_ms"): round(sum(r[k] for r in rows) / 1e3, 2)
                    for k in ("trafilatura_ms", "langid_ms", "nlp_ms")},
        "nlp_cheaper_than_trafilatura_share": round(
            sum(r["nlp_ms"] < r["trafilatura_ms"] for r in rows) / len(rows), 3),
        "median_words": statistics.median(r["words"] for r in rows),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({**result, "rows": rows}, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
