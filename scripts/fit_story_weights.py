"""Fit the story-similarity weights (agents/story/data/story_weights*.json) on the ECB+ dev set.

    python scripts/fit_story_weights.py [--out-dir agents/story/data]

Every pair of articles of one ECB+ topic is a training pair (same gold event or not: the two
similar events the corpus pairs on purpose are the hard negatives), plus every tenth pair
across topics (easy negatives, so that the model also knows unrelated news). Features are
``agents.stories.pair_features``, the very function story assignment calls, with document
frequencies over the whole dev set (what the online window converges to). Pairs whose years
disagree are left out: assignment never scores them. A logistic regression, fitted by plain
gradient descent (deterministic), gives the weights. Three models are fitted on the same
pairs (``agents.story.features.MODELS``): ``terms`` over STORY_FEATURES (no sentence encoder),
``encoded`` over ENCODED_STORY_FEATURES (the leads' sentence embeddings too), and
``crosslingual`` over CROSSLINGUAL_STORY_FEATURES, the language-neutral subset that scores a
pair of two languages (fitted on these English pairs as if their terms could not be compared:
the dev set holds no labelled cross-lingual pairs). Prints the ranking quality (AUC) of each
feature alone and of each fitted model, on the within-topic pairs.

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
    MODEL_FILES,
    MODELS,
    WEIGHTS_FILE,
    Member,
    StoryWeights,
    TermVectors,
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


def fit_weights(rows: list[tuple[float, ...]], same: list[bool]) -> np.ndarray:
    """Logistic regression by plain gradient descent (deterministic): weights, bias last."""
    x = np.array(rows)
    y = np.array(same)
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(ITERATIONS):
        p = 1 / (1 + np.exp(-xb @ w))
        w -= LEARNING_RATE * xb.T @ (p - y) / len(y)
    return w


def model_of(w: np.ndarray) -> StoryWeights:
    return StoryWeights(tuple(round(float(v), 3) for v in w[:-1]), round(float(w[-1]), 3))


def fit(rows: list[tuple[float, ...]], same: list[bool], within: list[bool],
        features: tuple[str, ...], out: Path) -> None:
    """Fit one logistic model over ``features`` and write it to ``out``."""
    x = np.array(rows)
    y = np.array(same)
    w_topic = np.array(within)
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = fit_weights(rows, same)
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


def pair_rows(members: list[Member], vectors: list[TermVectors], labels: list[str]
              ) -> tuple[dict[str, list[tuple[float, ...]]], list[bool], list[bool]]:
    """Feature rows per model over the training pairs, with (same event, within a topic)."""
    plain = [dataclasses.replace(m, lead_vector=None) for m in members]
    rows: dict[str, list[tuple[float, ...]]] = {name: [] for name in MODELS}
    same, within = [], []
    k = 0
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            topic_i, topic_j = labels[i].split("_")[0], labels[j].split("_")[0]
            if topic_i != topic_j:
                k += 1
                if k % CROSS_TOPIC_EVERY:
                    continue
            encoded = pair_features(members[i], vectors[i], members[j], vectors[j])
            if encoded is None:
                continue
            other = dataclasses.replace(members[j], language="xx")
            rows["encoded"].append(encoded[1])
            rows["terms"].append(
                (pair_features(plain[i], vectors[i], plain[j], vectors[j]) or ("", ()))[1])
            rows["crosslingual"].append(
                (pair_features(members[i], vectors[i], other, vectors[j]) or ("", ()))[1])
            same.append(labels[i] == labels[j])
            within.append(topic_i == topic_j)
    return rows, same, within


def profiles(articles: list[dict[str, object]]) -> tuple[list[Member], list[TermVectors]]:
    """Members and term vectors of the dev articles, with document frequencies over the
    whole dev set (what the online window converges to)."""
    members = []
    for a in articles:
        text, language = str(a["text"]), str(a["language"])
        encoder = sentence_encoder(language)
        members.append(profile(text, language, story_entities(a),  # type: ignore[arg-type]
                               parse_time(str(a["published_at"])),
                               encoder(lead_text(text)) if encoder else None))
    assigner = StoryAssigner(models={name: StoryWeights((), 0.0) for name in MODELS})
    assigner.frequencies.doc_freq = Counter(t for m in members for t in m.terms)
    assigner.frequencies.docs = len(members) - 1  # idf counts the scored article as one more
    return members, [assigner.vectors(m) for m in members]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out-dir", type=Path, default=WEIGHTS_FILE.parent)
    args = ap.parse_args()
    articles, gold = load()
    print(f"encoding {len(articles)} leads with {ENCODER_MODEL} ...", file=sys.stderr,
          flush=True)
    members, vectors = profiles(articles)
    rows, same, within = pair_rows(members, vectors, [gold[a["url"]] for a in articles])
    for name, features in MODELS.items():
        fit(rows[name], same, within, features, args.out_dir / MODEL_FILES[name].name)


if __name__ == "__main__":
    main()
