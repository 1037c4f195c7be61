"""Fit the story-similarity weights (agents/story/data/story_weights*.json) on the ECB+ dev set.

    python scripts/fit_story_weights.py [--out-dir agents/story/data]

Every pair of articles of one ECB+ topic is a training pair (same gold event or not: the two
similar events the corpus pairs on purpose are the hard negatives), plus every tenth pair
across topics (easy negatives, so that the model also knows unrelated news). Features are
``agents.stories.pair_features``, the very function story assignment calls, with document
frequencies over the whole dev set (what the online window converges to). Pairs whose years or
incident kinds disagree are left out: assignment never scores them. A logistic regression,
fitted by Newton's method (deterministic), gives the weights. Five models are fitted on the
same pairs (``agents.story.features.MODELS``): ``terms`` over STORY_FEATURES (no sentence
encoder), ``encoded`` over ENCODED_STORY_FEATURES (the leads' sentence embeddings too), the two
same without the names (``_unnamed``: for texts that name none), and ``crosslingual`` over
CROSSLINGUAL_STORY_FEATURES, the language-neutral subset that scores a pair of two languages
(fitted on these English pairs as if their terms could not be compared: the dev set holds no
labelled cross-lingual pairs). Prints the ranking quality (AUC) of each feature alone and of
each fitted model, on the within-topic pairs.

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
    years_agree,
)
from claimwire.agents.story.stage import story_entities

NEWTON_STEPS = 25
RIDGE = 0.01  # on the summed log-loss: an L2 penalty of 0.005 |w|^2, as scikit-learn's C=100
CROSS_TOPIC_EVERY = 10


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    pos, neg = np.sort(scores[labels]), np.sort(scores[~labels])
    return float(np.searchsorted(neg, pos).sum() / (len(pos) * len(neg)))


def fit_weights(rows: list[tuple[float, ...]], same: list[bool]) -> np.ndarray:
    """Logistic regression by Newton's method (iteratively reweighted least squares, a fixed
    number of steps: deterministic), with a small ridge so that a feature that separates the
    pairs cannot run off: weights, bias last. Plain gradient descent stopped far from the
    optimum (after 4,000 steps the names weight was about half its converged value)."""
    x = np.array(rows)
    y = np.array(same, dtype=float)
    xb = np.hstack([x, np.ones((len(x), 1))])
    ridge = RIDGE * np.eye(xb.shape[1])
    ridge[-1, -1] = 0.0  # the bias is not shrunk
    w = np.zeros(xb.shape[1])
    for _ in range(NEWTON_STEPS):
        p = 1 / (1 + np.exp(-xb @ w))
        gradient = xb.T @ (p - y) + ridge @ w
        hessian = (xb * (p * (1 - p))[:, None]).T @ xb + ridge
        w -= np.linalg.solve(hessian, gradient)
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


Rows = tuple[list[tuple[float, ...]], list[bool], list[bool]]  # features, same, within


def pair_rows(members: list[Member], vectors: list[TermVectors], labels: list[str],
              vetoes: Counter[tuple[str, str]] | None = None) -> dict[str, Rows]:
    """Per model, the feature rows of the training pairs, with (same event, within a topic).
    ``vetoes``, if given, counts the pairs left out, by (veto, kind of pair)."""
    plain = [dataclasses.replace(m, lead_vector=None) for m in members]
    rows: dict[str, Rows] = {name: ([], [], []) for name in MODELS}

    def put(name: str, features: tuple[float, ...], same: bool, within: bool) -> None:
        rows[name][0].append(features[:len(MODELS[name])])
        rows[name][1].append(same)
        rows[name][2].append(within)

    k = 0
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            topic_i, topic_j = labels[i].split("_")[0], labels[j].split("_")[0]
            if topic_i != topic_j:
                k += 1
                if k % CROSS_TOPIC_EVERY:
                    continue
            encoded = pair_features(members[i], vectors[i], members[j], vectors[j])
            same, within = labels[i] == labels[j], topic_i == topic_j
            if encoded is None:
                if vetoes is not None:
                    veto = "years" if not years_agree(members[i].years, members[j].years) \
                        else "incident kinds"
                    vetoes[veto, "same event" if same else "a topic's other event" if within
                           else "across topics"] += 1
                continue
            terms = pair_features(plain[i], vectors[i], plain[j], vectors[j])
            assert terms is not None
            other = dataclasses.replace(members[j], language="xx")
            crosslingual = pair_features(members[i], vectors[i], other, vectors[j])
            assert crosslingual is not None
            put("crosslingual", crosslingual[1], same, within)
            put(encoded[0], encoded[1], same, within)
            put(terms[0], terms[1], same, within)
            if encoded[0] == "encoded":  # the same pair as if its texts named no names
                put("encoded_unnamed", (*encoded[1][:-2], encoded[1][-1]), same, within)
                put("terms_unnamed", terms[1], same, within)
    return rows


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
    vetoes: Counter[tuple[str, str]] = Counter()
    rows = pair_rows(members, vectors, [gold[a["url"]] for a in articles], vetoes)
    print("pairs left out (assignment does not score them):", ", ".join(
        f"{veto} {pair} {n}" for (veto, pair), n in sorted(vetoes.items())))
    for name, features in MODELS.items():
        fit(*rows[name], features, args.out_dir / MODEL_FILES[name].name)


if __name__ == "__main__":
    main()
