"""Reference clusterings of ECB+ dev, to put the story stage's B-cubed F1 in context.

    python scripts/story_baselines.py [--json out/story-baselines.json] [--seeds 5]

Issue 13 quotes "TF-IDF + K-means, given the true number of clusters offline" at B-cubed F1
0.968. That figure depends on what K-means is given, so this script runs it both ways:

- **per topic, true K**: each ECB+ topic is clustered on its own into its gold number of
  events (two, mostly). The clusterer is told which articles share a topic and how many
  events each topic has: the two things the story stage must find out alone.
- **whole corpus, true K**: all dev articles at once into the gold number of events (46),
  which is the story stage's task with the number of stories given.

And, as a ceiling for the story stage's own judgement, offline agglomerative clusterings of the
stage's pair probabilities (the fitted models, scored on every pair with the whole corpus's
document frequencies, so in-sample), at the best distance threshold on a grid and at the true
K. An online single pass that sees each article once cannot beat the best of these by much.

TF-IDF here is the textbook one (lower-cased word tokens of two or more characters, spaCy's
English stop words, sublinear tf, smoothed idf, l2 norm), K-means is Lloyd's with k-means++
seeds, 10 starts, seeded: numpy and scipy only, both already installed.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import re
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np
from ecbplus_dev import load
from fit_story_weights import profiles
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from spacy.lang.en.stop_words import STOP_WORDS

ROOT = Path(__file__).resolve().parents[1]
if not (ROOT.parent / "shared/eval/score_stories.py").is_file():
    raise SystemExit(f"{ROOT.parent / 'shared'} not found: the ECB+ dev corpus and its scorer "
                     "live in ../shared, beside the clone")
sys.path.insert(0, str(ROOT.parent / "shared/eval"))
from score_stories import bcubed  # noqa: E402

from claimwire.agents.story.assign import StoryAssigner  # noqa: E402

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
WARD_DISTANCES = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5)


def tfidf(texts: list[str]) -> np.ndarray:
    """Dense l2-normalised sublinear tf-idf rows."""
    docs = [collections.Counter(t for t in _TOKEN.findall(text.lower()) if t not in STOP_WORDS)
            for text in texts]
    vocab = {t: i for i, t in enumerate(sorted({t for d in docs for t in d}))}
    df = collections.Counter(t for d in docs for t in d)
    idf = {t: math.log((1 + len(docs)) / (1 + df[t])) + 1 for t in vocab}
    x = np.zeros((len(docs), len(vocab)))
    for row, d in enumerate(docs):
        for t, c in d.items():
            x[row, vocab[t]] = (1 + math.log(c)) * idf[t]
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _sq_distances(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.maximum((x ** 2).sum(1)[:, None] - 2 * x @ centres.T
                      + (centres ** 2).sum(1)[None, :], 0.0)


def kmeans(x: np.ndarray, k: int, seed: int, starts: int = 10, rounds: int = 300) -> np.ndarray:
    """Labels of the start with the least inertia (Lloyd's, k-means++ seeds)."""
    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray] | None = None
    for _ in range(starts):
        centres = [x[rng.integers(len(x))]]
        nearest = _sq_distances(x, np.array(centres))[:, 0]
        for _c in range(1, k):
            pick = rng.choice(len(x), p=nearest / nearest.sum()) if nearest.sum() > 0 \
                else rng.integers(len(x))
            centres.append(x[pick])
            nearest = np.minimum(nearest, _sq_distances(x, x[pick][None])[:, 0])
        c = np.array(centres)
        labels = np.full(len(x), -1)
        for _r in range(rounds):
            new = _sq_distances(x, c).argmin(1)
            if (new == labels).all():
                break
            labels = new
            c = np.array([x[labels == j].mean(0) if (labels == j).any() else c[j]
                          for j in range(k)])
        inertia = float(_sq_distances(x, c)[np.arange(len(x)), labels].sum())
        if best is None or inertia < best[0]:
            best = (inertia, labels)
    assert best is not None
    return best[1]


def f1(labels: dict[str, str], gold: dict[str, str]) -> float:
    return round(float(bcubed(labels, gold)[2]), 4)


def pair_probabilities(articles: list[dict[str, Any]]) -> np.ndarray:
    members, vectors = profiles(articles)
    assigner = StoryAssigner()
    n = len(members)
    p = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            x = assigner._member_probability(members[i], vectors[i], members[j], vectors[j])
            p[i, j] = p[j, i] = x or 0.0
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path, default=ROOT / "out/story-baselines.json")
    ap.add_argument("--seeds", type=int, default=5, help="K-means seeds (default 5)")
    args = ap.parse_args()
    articles, gold = load()
    urls = [a["url"] for a in articles]
    topics: dict[str, list[int]] = collections.defaultdict(list)
    for i, url in enumerate(urls):
        topics[gold[url].split("_")[0]].append(i)
    k_all = len({gold[u] for u in urls})
    x = tfidf([a["text"] for a in articles])
    result: dict[str, Any] = {"articles": len(urls), "events": k_all, "topics": len(topics)}

    print(f"TF-IDF + K-means, {args.seeds} seeds ...", file=sys.stderr, flush=True)
    per_topic, corpus = [], []
    for seed in range(args.seeds):
        labels = {}
        for t, idx in topics.items():
            k = len({gold[urls[i]] for i in idx})
            for i, lab in zip(idx, kmeans(x[idx], k, seed), strict=True):
                labels[urls[i]] = f"{t}-{lab}"
        per_topic.append(f1(labels, gold))
        corpus.append(f1({u: str(lab) for u, lab in zip(urls, kmeans(x, k_all, seed),
                                                            strict=True)}, gold))
        print(f"  seed {seed}: per topic {per_topic[-1]}, whole corpus {corpus[-1]}",
              file=sys.stderr, flush=True)
    result["tfidf_kmeans_per_topic_true_k"] = {"mean": round(statistics.mean(per_topic), 4),
                                               "runs": per_topic}
    result["tfidf_kmeans_whole_corpus_true_k"] = {"mean": round(statistics.mean(corpus), 4),
                                                  "runs": corpus}

    print("pair probabilities of every pair (in-sample) ...", file=sys.stderr, flush=True)
    p = pair_probabilities(articles)
    distance = squareform(np.clip(1 - p, 0, None) * (1 - np.eye(len(p))), checks=False)
    for method in ("average", "ward"):
        tree = linkage(distance, method)
        grid = THRESHOLDS if method == "average" else WARD_DISTANCES
        cut = {str(t): f1({u: str(lab) for u, lab in zip(
            urls, fcluster(tree, 1 - t if method == "average" else t, "distance"),
            strict=True)}, gold) for t in grid}
        known = f1({u: str(lab) for u, lab in zip(urls, fcluster(tree, k_all, "maxclust"),
                                                     strict=True)}, gold)
        result[f"pair_model_{method}_linkage"] = {
            "by_threshold" if method == "average" else "by_distance": cut,
            "best": max(cut.values()), "true_k": known}
    labels = {}
    for t, idx in topics.items():
        k = len({gold[urls[i]] for i in idx})
        sub = squareform(np.clip(1 - p[np.ix_(idx, idx)], 0, None) * (1 - np.eye(len(idx))),
                         checks=False)
        for i, lab in zip(idx, fcluster(linkage(sub, "ward"), k, "maxclust"), strict=True):
            labels[urls[i]] = f"{t}-{lab}"
    result["pair_model_ward_per_topic_true_k"] = f1(labels, gold)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    print(f"written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
