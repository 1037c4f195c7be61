"""Pair-model experiment (issue 14, docs/claims.md "A fitted pair model"): labelled claim pairs
from the dev scenarios' gold, the clusterer's features, an L2 logistic regression fitted with
leave-one-scenario-out, against the rules' decision on the same held-out pairs.

    make eval-corroboration            # the replay dumps this reads (out/corroboration/)
    python scripts/pair_model_experiment.py

Labels: two extracted claims of different articles that both match (by the gold's report
substrings) one gold claim are a positive pair; a pair of which at least one claim matches a
gold claim and the other does not match the same one, and that shares a speaker key or a
story, is a negative. Pairs of two unmatched claims are left out.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from claimwire.agents.story.clusters import (
    ClaimCluster,
    _jaccard,
    claim_similarity,
)
from claimwire.agents.story.encoder import encode_batch
from claimwire.agents.story.speakers import speaker_keys

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT.parent / "shared/data/corroboration"
SCENARIOS = ("nl-everyday", "crosslingual", "hard-negatives")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower())


def _labels(gold: dict, claims: list[dict]) -> dict[str, str]:
    label: dict[str, str] = {}
    for g in gold["claims"]:
        for art, subs in g["reports"].items():
            for c in claims:
                if c["url"] == gold["articles"][art] and any(
                        _norm(s) in _norm(c["sentence"]) for s in subs):
                    label[c["claim_id"]] = g["name"]
    return label


def _values(claim: dict, key: str, field: str) -> frozenset:
    return frozenset(x[field] for x in claim[key] if x.get(field) is not None)


def pairs(name: str) -> list[tuple[list[float], int, bool]]:
    gold = json.loads((GOLD / f"{name}.gold.json").read_text())
    seen: dict[str, dict] = {}
    for line in (ROOT / f"out/corroboration/{name}/claims.jsonl").open():
        claim = json.loads(line)
        seen.setdefault(claim["claim_id"], claim)
    claims = list(seen.values())
    label = _labels(gold, claims)
    vectors = encode_batch([c["sentence"] for c in claims])
    out = []
    for i, j in itertools.combinations(range(len(claims)), 2):
        a, b = claims[i], claims[j]
        ka, kb = speaker_keys(a["speaker"], a["claim_id"]), speaker_keys(b["speaker"],
                                                                         b["claim_id"])
        same_story = a["story_id"] == b["story_id"]
        la, lb = label.get(a["claim_id"]), label.get(b["claim_id"])
        if a["url"] == b["url"] or not (ka & kb or same_story) or (la is None and lb is None):
            continue
        ca, cb = set(a["content"].split()), set(b["content"].split())
        na = frozenset(float(v) for v in _values(a, "numbers", "value"))
        nb = frozenset(float(v) for v in _values(b, "numbers", "value"))
        da, db = _values(a, "dates", "date"), _values(b, "dates", "date")
        cosine = float(vectors[i] @ vectors[j])
        across = a["language"] != b["language"]
        cluster = ClaimCluster("x", {a["story_id"]}, ka, ca, na, datetime.now(UTC),
                               [(a["language"], vectors[i])], da)
        rule = claim_similarity(kb, cb, nb, vectors[j], b["language"], b["story_id"],
                                cluster, db) >= 1.0
        features = [_jaccard(ca, cb), cosine if across else 0.0, 0.0 if across else cosine,
                    float(bool(ka & kb)), float(same_story), float(bool(na & nb)),
                    float(bool(na and nb and not na & nb)), float(bool(da & db)),
                    float("(outlet)" in ka), float(across)]
        out.append((features, int(la is not None and la == lb), rule))
    return out


def fit(x: np.ndarray, y: np.ndarray, c: float = 1.0, steps: int = 3000) -> np.ndarray:
    """Weights (standardised features, bias last) of a class-balanced L2 logistic
    regression, by gradient descent."""
    z = np.c_[x, np.ones(len(x))]
    weight = np.where(y == 1, len(y) / (2 * max(y.sum(), 1)),
                      len(y) / (2 * max((1 - y).sum(), 1)))
    coef = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ coef))
        coef -= 0.5 * (z.T @ (weight * (p - y)) / len(y) + coef / (c * len(y)))
    return coef


def prf(pred: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    tp = float((pred & (y == 1)).sum())
    p, r = tp / max(float(pred.sum()), 1.0), tp / max(float((y == 1).sum()), 1.0)
    return round(p, 3), round(r, 3), round(2 * p * r / max(p + r, 1e-9), 3)


def main() -> None:
    rows = {name: pairs(name) for name in SCENARIOS}
    for held in SCENARIOS:
        train = [r for name in SCENARIOS if name != held for r in rows[name]]
        x = np.array([r[0] for r in train])
        mu, sd = x.mean(0), x.std(0) + 1e-9
        coef = fit((x - mu) / sd, np.array([r[1] for r in train]))
        test_x = (np.array([r[0] for r in rows[held]]) - mu) / sd
        y = np.array([r[1] for r in rows[held]])
        pred = 1 / (1 + np.exp(-np.c_[test_x, np.ones(len(test_x))] @ coef)) >= 0.5
        rules = np.array([r[2] for r in rows[held]])
        print(f"held out {held}: {len(y)} pairs, {int(y.sum())} positive; "
              f"model P/R/F1 {prf(pred, y)}, rules {prf(rules, y)}")


if __name__ == "__main__":
    main()
