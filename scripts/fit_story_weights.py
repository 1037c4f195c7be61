"""Fit the story-similarity weights (agents/story/data/story_weights*.json) on the ECB+ dev set.

    python scripts/fit_story_weights.py [--out-dir agents/story/data]

Every pair of articles of one ECB+ topic is a training pair (same gold event or not: the two
similar events the corpus pairs on purpose are the hard negatives), plus every tenth pair
across topics (easy negatives, so that the model also knows unrelated news). Features are
``agents.stories.pair_features``, the very function story assignment calls, with document
frequencies over the whole dev set (what the online window converges to). Pairs whose years
disagree are left out: assignment never scores them. A logistic regression, fitted by plain
gradient descent (deterministic), gives the weights. Two models are fitted on the same pairs:
``story_weights.json`` over STORY_FEATURES (languages without a sentence encoder) and
``story_weights_encoded.json`` over ENCODED_STORY_FEATURES (the leads' sentence embeddings
too, agents.encoder). Prints the ranking quality (AUC) of each feature alone and of each
fitted model, on the within-topic pairs.

Dev data only: the held-out ECB+ test set is never read.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from ecbplus_dev import DEV, load

from claimwire.agents.core.timefmt import parse_time
from claimwire.agents.story.assign import StoryAssigner
from claimwire.agents.story.encoder import ENCODER_MODEL, sentence_encoder
from claimwire.agents.story.features import (
    ENCODED_STORY_FEATURES,
    ENCODED_WEIGHTS_FILE,
    STORY_FEATURES,
    WEIGHTS_FILE,
    StoryWeights,
    lead_text,
    pair_features,
    profile,
)
from claimwire.agents.story.stage import story_entities

ITERATIONS = 4000
LEARNING_RATE = 1.0
CROSS_TOPIC_EVERY = 10


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = np.sort(scores[labels]), np.sort(scores[~labels])
    return float(np.searchsorted(neg, pos).sum() / (len(pos) * len(neg)))


def fit(rows: list[tuple[float, ...]], same: list[bool], within: list[bool],
        features: tuple[str, ...], out: Path) -> None:
    """Fit one logistic model over ``features`` and write it to ``out``."""
    x = np.array(rows)
    y = np.array(same)
    w_topic = np.array(within)
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(ITERATIONS):
        p = 1 / (1 + np.exp(-xb @ w))
        w -= LEARNING_RATE * xb.T @ (p - y) / len(y)
    print(f"{out.name}: {len(y)} pairs ({int(y.sum())} same event, "
          f"{int(w_topic.sum())} within a topic)")
    print("  within-topic AUC per feature: " + ", ".join(
        f"{name} {auc(x[w_topic, c], y[w_topic]):.3f}" for c, name in enumerate(features)))
    model_auc = auc((xb @ w)[w_topic], y[w_topic])
    print(f"  within-topic AUC of the model: {model_auc:.3f}")
    weights = [round(float(v), 3) for v in w[:-1]]
    print("  weights: " + ", ".join(f"{f} {v}" for f, v in zip(features, weights, strict=True))
          + f", bias {round(float(w[-1]), 3)}")
    out.write_text(json.dumps({
        "features": list(features), "weights": weights, "bias": round(float(w[-1]), 3),
        "fitted_on": f"{DEV.name}: {len(y)} pairs, every pair within an ECB+ topic and every "
                     f"{CROSS_TOPIC_EVERY}th across topics; scripts/fit_story_weights.py",
        "within_topic_auc": round(model_auc, 3),
        "cosine_only_within_topic_auc": round(auc(x[w_topic, 0], y[w_topic]), 3),
    }, indent=1) + "\n")
    print(f"  wrote {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", type=Path, default=WEIGHTS_FILE.parent)
    args = ap.parse_args()
    articles, gold = load()
    print(f"encoding {len(articles)} leads with {ENCODER_MODEL} ...", file=sys.stderr,
          flush=True)
    members = []
    for a in articles:
        encoder = sentence_encoder(a["language"])
        members.append(profile(a["text"], a["language"], story_entities(a),
                               parse_time(a["published_at"]),
                               encoder(lead_text(a["text"])) if encoder else None))
    # the assigner's own weighting, with the window holding the whole dev set
    unfitted = StoryWeights((), 0.0)  # only the assigner's term weighting is used here
    assigner = StoryAssigner(weights=unfitted, encoded=unfitted)
    assigner.doc_freq = Counter(t for m in members for t in m.terms)
    assigner.docs = len(members) - 1  # _tfidf counts the article being scored as one more
    vectors = [assigner._vectors(m) for m in members]
    plain = [dataclasses.replace(m, lead_vector=None) for m in members]
    n = len(members)
    labels = [gold[a["url"]] for a in articles]
    rows: dict[tuple[str, ...], list[tuple[float, ...]]] = {STORY_FEATURES: [],
                                                           ENCODED_STORY_FEATURES: []}
    same, within = [], []
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            topic_i, topic_j = labels[i].split("_")[0], labels[j].split("_")[0]
            if topic_i != topic_j:
                k += 1
                if k % CROSS_TOPIC_EVERY:
                    continue
            encoded = pair_features(members[i], vectors[i], members[j], vectors[j])
            if encoded is None:
                continue
            rows[ENCODED_STORY_FEATURES].append(encoded)
            rows[STORY_FEATURES].append(
                pair_features(plain[i], vectors[i], plain[j], vectors[j]) or ())
            same.append(labels[i] == labels[j])
            within.append(topic_i == topic_j)
    fit(rows[STORY_FEATURES], same, within, STORY_FEATURES, args.out_dir / WEIGHTS_FILE.name)
    fit(rows[ENCODED_STORY_FEATURES], same, within, ENCODED_STORY_FEATURES,
        args.out_dir / ENCODED_WEIGHTS_FILE.name)


if __name__ == "__main__":
    main()
