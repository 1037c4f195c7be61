"""Fit the story-similarity weights (agents/data/story_weights.json) on the ECB+ dev set.

    python scripts/fit_story_weights.py [--out agents/data/story_weights.json]

Every pair of articles of one ECB+ topic is a training pair (same gold event or not: the two
similar events the corpus pairs on purpose are the hard negatives), plus every tenth pair
across topics (easy negatives, so that the model also knows unrelated news). Features are
``agents.stories.pair_features``, the very function story assignment calls, with document
frequencies over the whole dev set (what the online window converges to). Pairs whose years
disagree are left out: assignment never scores them. A logistic regression, fitted by plain
gradient descent (deterministic), gives the weights. Prints the ranking quality (AUC) of each
feature alone and of the fitted model, on the within-topic pairs.

Dev data only: the held-out ECB+ test set is never read.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
from ecbplus_dev import DEV, load

from agents.extraction import parse_time
from agents.stories import (
    STORY_FEATURES,
    WEIGHTS_FILE,
    StoryAssigner,
    pair_features,
    profile,
    story_entities,
)

ITERATIONS = 4000
LEARNING_RATE = 1.0
CROSS_TOPIC_EVERY = 10


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = np.sort(scores[labels]), np.sort(scores[~labels])
    return float(np.searchsorted(neg, pos).sum() / (len(pos) * len(neg)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    args = ap.parse_args()
    articles, gold = load()
    members = [profile(a["text"], a["language"], story_entities(a), parse_time(a["published_at"]))
               for a in articles]
    # the assigner's own weighting, with the window holding the whole dev set
    assigner = StoryAssigner()
    assigner.doc_freq = Counter(t for m in members for t in m.terms)
    assigner.docs = len(members) - 1  # _tfidf counts the article being scored as one more
    vectors = [assigner._vectors(m) for m in members]
    n = len(members)
    labels = [gold[a["url"]] for a in articles]
    rows, same, within = [], [], []
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            topic_i, topic_j = labels[i].split("_")[0], labels[j].split("_")[0]
            if topic_i != topic_j:
                k += 1
                if k % CROSS_TOPIC_EVERY:
                    continue
            features = pair_features(members[i], vectors[i], members[j], vectors[j])
            if features is None:
                continue
            rows.append(features)
            same.append(labels[i] == labels[j])
            within.append(topic_i == topic_j)
    x = np.array(rows)
    y = np.array(same)
    w_topic = np.array(within)
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(ITERATIONS):
        p = 1 / (1 + np.exp(-xb @ w))
        w -= LEARNING_RATE * xb.T @ (p - y) / len(y)
    print(f"{len(y)} pairs ({int(y.sum())} same event, {int(w_topic.sum())} within a topic)")
    print("within-topic AUC per feature: " + ", ".join(
        f"{name} {auc(x[w_topic, c], y[w_topic]):.3f}" for c, name in enumerate(STORY_FEATURES)))
    model_auc = auc((xb @ w)[w_topic], y[w_topic])
    print(f"within-topic AUC of the model: {model_auc:.3f}")
    weights = [round(float(v), 3) for v in w[:-1]]
    print("weights: " + ", ".join(f"{f} {v}" for f, v in zip(STORY_FEATURES, weights,
                                                                strict=True))
          + f", bias {round(float(w[-1]), 3)}")
    args.out.write_text(json.dumps({
        "features": list(STORY_FEATURES), "weights": weights, "bias": round(float(w[-1]), 3),
        "fitted_on": f"{DEV.name}: {len(y)} pairs, every pair within an ECB+ topic and every "
                     f"{CROSS_TOPIC_EVERY}th across topics; scripts/fit_story_weights.py",
        "within_topic_auc": round(model_auc, 3),
        "cosine_only_within_topic_auc": round(auc(x[w_topic, 0], y[w_topic]), 3),
    }, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
