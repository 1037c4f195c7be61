"""The ~1,100 real pages of ../shared/data/extraction/ as one articles.raw JSONL file, with
their outlets from their URLs (scrapinghub ground truth, trafilatura's evaldata), for
``claimwire replay`` (real-page checks of issue 14, throughput of issue 15).

    python scripts/extraction_corpus.py out/extraction-pages.jsonl
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared/data/extraction"


def outlet(url: str) -> str:
    return (urlsplit(url).hostname or "unknown.example").removeprefix("www.")


def pages() -> list[tuple[str, Path]]:
    """(url, gzipped page) of every page that has a URL."""
    out = []
    truth = json.loads((DATA / "scrapinghub-benchmark/ground-truth.json").read_text())
    for key, item in truth.items():
        path = DATA / "scrapinghub-benchmark/html" / f"{key}.html.gz"
        if item.get("url") and path.exists():
            out.append((item["url"], path))
    evaldata = json.loads((DATA / "trafilatura-eval/evaldata.json").read_text())
    tests = DATA / "trafilatura-eval/tests/eval"
    for url, item in evaldata.items():
        path = tests / item["file"]
        if not path.exists():
            path = tests / f"{item['file']}.gz"
        if path.exists():
            out.append((url, path))
    return out


def main() -> int:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "out/extraction-pages.jsonl")
    target.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with target.open("w", encoding="utf-8") as fh:
        for url, path in pages():
            raw = path.read_bytes()
            html = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode(
                "utf-8", errors="replace")
            fh.write(json.dumps({"url": url, "outlet": outlet(url), "html": html}) + "\n")
            n += 1
    print(f"wrote {n} pages to {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
