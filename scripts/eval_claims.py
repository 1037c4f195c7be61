"""Claim-extraction quality, per language (issue 3; method in docs/claims.md).

    python scripts/eval_claims.py                      # en (PolNeAR dev) + nl, de, fr gold sets
    python scripts/eval_claims.py --listing-sample 60  # the listing filter on real pages
    python scripts/eval_claims.py --polnear-split train
    python scripts/eval_claims.py --json out/claims-eval.json --check tests/data/claims/floors.json

English: PolNeAR (../shared/data/attribution/polnear/<split>), attributions whose cue is a
speech or statement act. Dutch, German and French: the sentence gold sets in tests/data/claims/.
``--check`` exits 1 when a figure falls below its floor.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwire.agents.extract.numbers import find_numbers  # noqa: E402
from claimwire.agents.extract.pipeline import claims_pipeline as pipeline  # noqa: E402
from claimwire.agents.extract.pipeline import extract_claims  # noqa: E402

POLNEAR = ROOT.parent / "shared/data/attribution/polnear"
GOLD = ROOT / "tests/data/claims"

# Cue lemmas of speech or statement acts: the scope of the PolNeAR evaluation. Left out on
# purpose: cognition and perception ("think", "believe", "see"), evidence ("show", "find",
# "suggest"), questions ("ask") and attitudes ("want", "support", "criticize").
SPEECH_ACT_LEMMAS = frozenset({
    "say", "tell", "announce", "claim", "deny", "report", "according", "state", "add",
    "write", "note", "explain", "declare", "tweet", "acknowledge", "argue", "insist",
    "confirm", "warn", "allege", "admit", "respond", "reply", "comment", "testify", "assert",
    "stress", "emphasize", "reiterate", "concede", "maintain", "contend", "predict",
    "estimate", "statement", "post", "disclose", "reveal", "inform", "remark", "recount",
})
_WORD = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def prf(tp: float, n_pred: float, n_gold: float) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3),
            "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}


# ---------------------------------------------------------------------------------- PolNeAR

@dataclass
class GoldAttribution:
    cue: tuple[int, int]
    cue_text: str
    source: tuple[int, int] | None
    source_text: str
    content: list[tuple[int, int]]


def read_polnear(path: Path) -> list[GoldAttribution]:
    spans: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    relations = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 3:
            label, *offsets = parts[1].replace(";", " ").split()
            pairs = [(int(offsets[i]), int(offsets[i + 1])) for i in range(0, len(offsets), 2)]
            spans[parts[0]] = (label, pairs, parts[2])
        elif line.startswith("E"):
            relations.append(dict(a.split(":") for a in parts[1].split()))
    out = []
    for rel in relations:
        if "Cue" not in rel:
            continue
        _l, cue, cue_text = spans[rel["Cue"]]
        source = spans.get(rel.get("Source", ""))
        content = spans.get(rel.get("Content", ""))
        out.append(GoldAttribution(
            (cue[0][0], cue[-1][1]), cue_text,
            (source[1][0][0], source[1][-1][1]) if source else None,
            source[2] if source else "", content[1] if content else []))
    return out


def in_scope(cue_text: str) -> bool:
    nlp = pipeline("en")
    return any(t.lemma_.lower() in SPEECH_ACT_LEMMAS or t.lower_ in SPEECH_ACT_LEMMAS
               for t in nlp(cue_text))


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def eval_polnear(split: str, limit: int | None = None) -> dict[str, object]:
    articles = sorted((POLNEAR / split / "text").glob("*.txt"))[:limit]
    counts = dict.fromkeys(("gold", "pred", "cue_tp", "gold_src", "pred_src", "src_overlap",
                            "src_exact", "src_tok_tp", "src_tok_pred", "src_tok_gold",
                            "content_recalled"), 0.0)
    for text_path in articles:
        anns = sorted((POLNEAR / split / "attributions").glob(text_path.stem + "_*.ann"))
        if not anns:
            continue
        text = text_path.read_text(encoding="utf-8")
        gold = [g for g in read_polnear(anns[0]) if in_scope(g.cue_text)]
        out_of_scope = [g for g in read_polnear(anns[0]) if not in_scope(g.cue_text)]
        preds = [c for c in extract_claims(text, "en") if "cue" in c.spans]
        matched: dict[int, GoldAttribution] = {}
        used: set[int] = set()
        for i, claim in enumerate(preds):
            for j, g in enumerate(gold):
                if j not in used and _overlaps(claim.spans["cue"], g.cue):
                    matched[i] = g
                    used.add(j)
                    break
        # a prediction on an attribution outside the scope is neither right nor wrong
        neutral = {i for i, c in enumerate(preds) if i not in matched and
                   any(_overlaps(c.spans["cue"], g.cue) for g in out_of_scope)}
        counts["gold"] += len(gold)
        counts["pred"] += len(preds) - len(neutral)
        counts["cue_tp"] += len(matched)
        counts["gold_src"] += sum(1 for g in gold if g.source)
        counts["pred_src"] += len(preds) - len(neutral)
        for g in gold:
            if g.source:
                counts["src_tok_gold"] += len(_tokens(g.source_text))
        for i, claim in enumerate(preds):
            if i in neutral:
                continue
            s, e = claim.spans["speaker"]
            pred_toks = _tokens(text[s:e])
            counts["src_tok_pred"] += len(pred_toks)
            g = matched.get(i)
            if g is None or not g.source:
                continue
            gold_toks = _tokens(g.source_text)
            shared = sum(min(pred_toks.count(t), gold_toks.count(t)) for t in set(pred_toks))
            counts["src_tok_tp"] += shared
            counts["src_overlap"] += shared > 0
            counts["src_exact"] += pred_toks == gold_toks
            sent = claim.spans["sentence"]
            content_chars = sum(b - a for a, b in g.content)
            covered = sum(max(0, min(b, sent[1]) - max(a, sent[0])) for a, b in g.content)
            counts["content_recalled"] += bool(content_chars) and covered >= content_chars / 2
    return {
        "corpus": f"PolNeAR {split} ({len(articles)} articles), speech-act attributions",
        "attributions_gold": int(counts["gold"]), "attributions_predicted": int(counts["pred"]),
        "cue": prf(counts["cue_tp"], counts["pred"], counts["gold"]),
        "speaker_overlap": prf(counts["src_overlap"], counts["pred_src"], counts["gold_src"]),
        "speaker_exact": prf(counts["src_exact"], counts["pred_src"], counts["gold_src"]),
        "speaker_tokens": prf(counts["src_tok_tp"], counts["src_tok_pred"],
                              counts["src_tok_gold"]),
        "content_recall": round(counts["content_recalled"] / counts["gold"], 3)
        if counts["gold"] else 0.0,
    }


# ---------------------------------------------------------------------------- nl/de/fr gold

def _same(pred: str | None, gold: str | None) -> bool:
    """Token overlap between two names ("het ministerie van Defensie" ~ "ministerie")."""
    if not pred or not gold:
        return False
    return bool(set(_tokens(pred)) & set(_tokens(gold)) - {"de", "het", "der", "die", "das"})


def _speaker_matches(pred: dict[str, str], gold: str | None) -> bool:
    """Gold "OUTLET" marks an unattributed fact: the outlet is the speaker."""
    if gold == "OUTLET":
        return pred.get("type") == "outlet"
    return _same(pred.get("text"), gold) or _same(pred.get("canonical"), gold)


def eval_gold(language: str) -> dict[str, object]:
    rows = [json.loads(line) for line in (GOLD / f"{language}.jsonl").open(encoding="utf-8")
            if line.strip()]
    counts = dict.fromkeys(("claim_tp", "claim_pred", "claim_gold", "spk_tp", "spk_pred",
                            "spk_gold", "via_tp", "via_pred", "via_gold", "num_ok", "num_gold",
                            "hedge_ok"), 0)
    for row in rows:
        # the sentence between its neighbours, for "Dat meldt X", "aldus" and "zei hij"
        # one sentence per line, as paragraphs are: a heading never merges into the next
        context = "".join(line + "\n" for line in row.get("context", []))
        text = context + row["text"] + "\n" + row.get("next", "")
        start, end = len(context), len(context) + len(row["text"])
        claims = [c for c in extract_claims(text, language)
                  if start <= c.spans["sentence"][0] < end]
        pred = claims[0] if claims else None
        gold_claim = bool(row["claim"])
        counts["claim_pred"] += pred is not None
        counts["claim_gold"] += gold_claim
        counts["claim_tp"] += pred is not None and gold_claim
        if pred is not None:
            counts["spk_pred"] += 1
            counts["via_pred"] += pred.via is not None
            counts["hedge_ok"] += pred.hedged == bool(row.get("hedged")) if gold_claim else 0
        if gold_claim:
            counts["spk_gold"] += bool(row.get("speaker"))
            counts["via_gold"] += bool(row.get("via"))
            if pred is not None:
                counts["spk_tp"] += _speaker_matches(pred.speaker, row.get("speaker"))
                counts["via_tp"] += bool(pred.via) and _same(pred.via["text"], row.get("via"))
        values = sorted(n["value"] for n in find_numbers(row["text"], language))
        for gold_value in row.get("numbers", []):
            counts["num_gold"] += 1
            counts["num_ok"] += any(abs(v - gold_value) < 1e-6 for v in values)
    return {
        "corpus": f"tests/data/claims/{language}.jsonl ({len(rows)} sentences, "
                  f"{counts['claim_gold']} claims)",
        "claim_detection": prf(counts["claim_tp"], counts["claim_pred"], counts["claim_gold"]),
        "speaker": prf(counts["spk_tp"], counts["spk_pred"], counts["spk_gold"]),
        "via": prf(counts["via_tp"], counts["via_pred"], counts["via_gold"]),
        "hedge_accuracy": round(counts["hedge_ok"] / counts["claim_tp"], 3)
        if counts["claim_tp"] else 0.0,
        "number_accuracy": round(counts["num_ok"] / counts["num_gold"], 3)
        if counts["num_gold"] else 1.0,
        "numbers_gold": counts["num_gold"],
    }


# ----------------------------------------------------------------- the listing filter

SCRAPINGHUB = ROOT.parent / "shared/data/extraction/scrapinghub-benchmark/html"


def eval_listing_filter(pages: int, examples: int = 12) -> dict[str, object]:
    """How many outlet-stated facts the listing filter (facts.not_checkable) removes on real
    pages: every k-th Scrapinghub page (a spread sample, not one site), the text by
    trafilatura (page.html_to_text), the claim rules with the filter off and on."""
    import gzip
    from unittest import mock

    from claimwire.agents.extract import facts
    from claimwire.agents.extract.lexicon import lexicon
    from claimwire.agents.extract.page import html_to_text, identify_language

    files = sorted(SCRAPINGHUB.glob("*.html.gz"))
    step = max(1, len(files) // pages)
    sample = files[::step][:pages]
    lex = lexicon("en")
    assert lex is not None
    kept, removed, reasons, shown = 0, 0, {}, []
    nlp = pipeline("en")
    for path in sample:
        text, _title, _date = html_to_text(gzip.decompress(path.read_bytes()).decode(
            "utf-8", "replace"), url="https://example.org/")
        if identify_language(text) != "en":
            continue
        with mock.patch.object(facts, "not_checkable", lambda _s, _l: None):
            unfiltered = [c for c in extract_claims(text, "en") if c.speaker["type"] == "outlet"]
        for claim in unfiltered:
            sent = next(iter(nlp(claim.sentence).sents))
            reason = facts.not_checkable(sent, lex)
            if reason is None:
                kept += 1
                continue
            removed += 1
            reasons[reason] = reasons.get(reason, 0) + 1
            if len(shown) < examples and reasons[reason] <= 3:
                shown.append(f"[{reason}] {claim.sentence[:90]}")
    total = kept + removed
    return {"corpus": f"{len(sample)} Scrapinghub pages (every {step}th; the English ones)",
            "outlet_facts_before": total, "outlet_facts_removed": removed,
            "removed_share": round(removed / total, 3) if total else 0.0,
            "by_reason": reasons, "examples": shown}


# ---------------------------------------------------------------------------------- report

def _flatten(prefix: str, value: object) -> Iterable[tuple[str, float]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(f"{prefix}.{k}" if prefix else k, v)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield prefix, float(value)


def main() -> int:
    ap = argparse.ArgumentParser(description="claim-extraction quality per language")
    ap.add_argument("--polnear-split", default="dev", choices=["train", "dev"])
    ap.add_argument("--languages", default="en,nl,de,fr")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--check", help="floors file: exit 1 if a figure is below its floor")
    ap.add_argument("--listing-sample", type=int, metavar="PAGES",
                    help="only measure the listing filter on this many Scrapinghub pages")
    args = ap.parse_args()
    if args.listing_sample:
        print(json.dumps(eval_listing_filter(args.listing_sample), indent=2, ensure_ascii=False))
        return 0
    results: dict[str, object] = {}
    for lang in args.languages.split(","):
        results[lang] = eval_polnear(args.polnear_split) if lang == "en" else eval_gold(lang)
        print(f"== {lang}: {results[lang]['corpus']}")  # type: ignore[index]
        for key, value in _flatten("", {k: v for k, v in results[lang].items()  # type: ignore
                                        if k != "corpus"}):
            print(f"   {key:32} {value:.3f}" if value <= 1 else f"   {key:32} {value:.0f}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if args.check:
        floors = json.loads(Path(args.check).read_text())
        figures = dict(_flatten("", results))
        below = {k: (figures.get(k), floor) for k, floor in _flatten("", floors)
                 if k.split(".")[0] in results and figures.get(k, -1.0) < floor}
        if below:
            print(f"BELOW FLOOR: {below}")
            return 1
        print("all figures at or above their floors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
