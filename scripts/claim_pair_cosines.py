"""Cosines of claim pairs across languages on the dev corroboration scenarios, labelled by
their gold: what the embedding thresholds of agents/story/clusters.py are chosen on.

    python scripts/claim_pair_cosines.py [--outlet-facts] [--min 0.35]

Each scenario of ../shared/data/corroboration/ is extracted; two claims of different
articles in different languages are a pair when they share a speaker key (or, with
``--outlet-facts``, are both facts their outlets state and share a date or a number). A pair
is true when both claims match (by the gold's report substrings) one gold claim, false when
at least one matches a gold claim and the other not the same one. Printed: label, the
sentence cosine, the quote cosine (where both quote), and the two sentences.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT.parent / "shared/data/corroboration"
sys.path.insert(0, str(ROOT))

from claimwire.agents.core.quotes import quoted_text  # noqa: E402
from claimwire.agents.story.encoder import sentence_encoder  # noqa: E402
from claimwire.agents.story.speakers import OUTLET, speaker_keys  # noqa: E402


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _claims(name: str) -> list[dict[str, Any]]:
    from tests.pure_pipeline import extract_all

    gold = json.loads((SCENARIOS / f"{name}.gold.json").read_text())
    article_of = {url: key for key, url in gold["articles"].items()}
    raws = [json.loads(x) for x in (SCENARIOS / f"{name}.jsonl").read_text().splitlines()]
    out = []
    for payload in extract_all(raws):
        article = json.loads(payload)
        encode = sentence_encoder(article["language"])
        aid = article_of.get(article["url"])
        if encode is None:
            continue
        for claim in article["claims"]:
            quote = quoted_text(claim["sentence"]) if claim.get("quote") else None
            out.append({
                "url": article["url"], "language": article["language"], "claim": claim,
                "keys": speaker_keys(claim["speaker"], claim["claim_id"]),
                "gold": {g["name"] for g in gold["claims"] if aid in g["reports"] and any(
                    _norm(r) in _norm(claim["sentence"]) for r in g["reports"][aid])},
                "shared": {f"n{n['value']}" for n in claim.get("numbers", [])}
                | {f"d{d['date']}" for d in claim.get("dates", []) if d.get("date")},
                "vector": encode(claim["sentence"]),
                "quote": encode(quote) if quote else None})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--outlet-facts", action="store_true")
    ap.add_argument("--min", type=float, default=0.35, help="print pairs at this cosine or more")
    args = ap.parse_args()
    if not SCENARIOS.is_dir():
        print(f"no scenarios at {SCENARIOS}", file=sys.stderr)
        return 2
    for name in ("crosslingual", "nl-everyday", "hard-negatives"):
        for a, b in itertools.combinations(_claims(name), 2):
            if a["url"] == b["url"] or a["language"] == b["language"] or not (a["gold"] or
                                                                                 b["gold"]):
                continue
            outlet = OUTLET in a["keys"] and OUTLET in b["keys"]
            if args.outlet_facts != outlet:
                continue
            if outlet and not a["shared"] & b["shared"] or not outlet and not a["keys"] & b["keys"]:
                continue
            cosine = float(a["vector"] @ b["vector"])
            quote = float(a["quote"] @ b["quote"]) if a["quote"] is not None and \
                b["quote"] is not None else None
            if max(cosine, quote or 0.0) < args.min:
                continue
            print(json.dumps({"scenario": name, "same_claim": bool(a["gold"] & b["gold"]),
                              "cosine": round(cosine, 2),
                              "quote_cosine": None if quote is None else round(quote, 2),
                              "a": a["claim"]["sentence"][:80], "b": b["claim"]["sentence"][:80]},
                             ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
