"""Online, single-pass story assignment. Pure logic, bounded state.

Follows the streaming clusterer of Miranda et al. (2018): each article is compared with the
live stories of its language through the features of agents.story.features, combined by
weights learned on labelled pairs; it joins the best story above ``threshold`` or starts a new
one. Document frequencies are learned online over the window.

A story is compared through its most recent member articles, not one centroid: its score is
the mean of the two best member probabilities, times a time decay. A centroid blurs two
similar events into one profile; members keep them apart. Deterministic for a given input
order; stories idle for longer than the window are evicted, and so are members older than it.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from claimwire.agents.core.ids import stable_id
from claimwire.agents.story.encoder import EncoderFor, sentence_encoder
from claimwire.agents.story.features import (
    MEMBER_TERMS,
    MEMBERS_PER_STORY,
    STORY_FEATURES,
    STORY_THRESHOLD,
    TF_WEIGHT,
    TOP_MEMBERS,
    Member,
    StoryWeights,
    default_weights,
    encoded_weights,
    lead_text,
    pair_features,
    profile,
)


@dataclass
class Story:
    story_id: str
    language: str
    members: deque[Member]
    last_seen: datetime


@dataclass(frozen=True)
class StoryDecision:
    story_id: str
    new: bool
    similarity: float


class StoryAssigner:
    def __init__(self, *, threshold: float = STORY_THRESHOLD,
                 decay: timedelta = timedelta(hours=48),
                 weights: StoryWeights | None = None,
                 encoded: StoryWeights | None = None,
                 encoder_for: EncoderFor = sentence_encoder) -> None:
        self.threshold = threshold
        self.decay = decay
        self.weights = weights or default_weights()  # over STORY_FEATURES
        self.encoded_weights = encoded or encoded_weights()  # over ENCODED_STORY_FEATURES
        self.encoder_for = encoder_for
        self.stories: dict[str, Story] = {}
        # Document frequencies over the live window only: each document's terms are kept
        # until it is evicted, so the vocabulary (and memory) stays bounded under endless news.
        self.doc_freq: Counter[str] = Counter()
        self.docs = 0
        self._doc_terms: list[tuple[datetime, int, tuple[str, ...]]] = []
        self._doc_seq = 0
        self._idf: dict[str, float] = {}

    def _tfidf(self, tf: Counter[str]) -> dict[str, float]:
        # Smoothed idf (never 0): with few documents, words every report shares still count.
        # Each article is scored against every member of every live story, so idf values are
        # memoised until the next change of the document frequencies (the hot loop).
        idf, n = self._idf, self.docs + 1
        out = {}
        for t, c in tf.items():
            w = idf.get(t)
            if w is None:
                w = idf[t] = math.log(1 + (n + 1) / (self.doc_freq.get(t, 0) + 1))
            out[t] = (TF_WEIGHT[c] if c < len(TF_WEIGHT) else 1 + math.log(c)) * w
        return out

    def _vectors(self, member: Member) -> tuple[dict[str, float], dict[str, float]]:
        return self._tfidf(member.terms), self._tfidf(member.lead)

    def assign(self, *, article_id: str, text: str, language: str, entities: set[str],
               published_at: datetime) -> StoryDecision:
        encoder = self.encoder_for(language)
        article = profile(text, language, entities, published_at,
                          encoder(lead_text(text)) if encoder else None)
        vectors = self._vectors(article)
        best: tuple[float, str] | None = None
        for story in self.stories.values():
            if story.language != language:
                continue
            found = [self._member_probability(article, vectors, m) for m in story.members]
            sims = sorted((x for x in found if x is not None), reverse=True)[:TOP_MEMBERS]
            if not sims:
                continue
            sim = sum(sims) / len(sims)
            if best is None or sim > best[0] or (sim == best[0] and story.story_id < best[1]):
                best = (sim, story.story_id)
        self.docs += 1
        self.doc_freq.update(article.terms.keys())
        self._idf.clear()
        self._doc_seq += 1
        heapq.heappush(self._doc_terms, (published_at, self._doc_seq, tuple(article.terms)))
        member = dataclasses.replace(
            article, terms=Counter(dict(article.terms.most_common(MEMBER_TERMS))))
        if best is not None and best[0] >= self.threshold:
            story = self.stories[best[1]]
            story.members.append(member)
            story.last_seen = max(story.last_seen, published_at)
            return StoryDecision(story.story_id, False, round(best[0], 4))
        story_id = stable_id("story", article_id)
        self.stories[story_id] = Story(story_id, language,
                                       deque([member], maxlen=MEMBERS_PER_STORY),
                                       published_at)
        return StoryDecision(story_id, True, round(best[0], 4) if best else 0.0)

    def _member_probability(self, article: Member,
                            vectors: tuple[dict[str, float], dict[str, float]],
                            member: Member) -> float | None:
        """P(same event) times the time decay; None when the years disagree."""
        features = pair_features(article, vectors, member, self._vectors(member))
        if features is None:
            return None
        weights = self.encoded_weights if len(features) > len(STORY_FEATURES) else self.weights
        gap = abs((article.published_at - member.published_at).total_seconds())
        return (weights.probability(features)
                * math.exp(-gap / max(self.decay.total_seconds(), 1.0)))

    def evict_before(self, cutoff: datetime) -> list[str]:
        old = [sid for sid, s in self.stories.items() if s.last_seen < cutoff]
        for sid in old:
            del self.stories[sid]
        for story in self.stories.values():
            while story.members and story.members[0].published_at < cutoff:
                story.members.popleft()
        while self._doc_terms and self._doc_terms[0][0] < cutoff:
            self._idf.clear()
            _t, _seq, doc_terms = heapq.heappop(self._doc_terms)
            self.docs -= 1
            for term in doc_terms:
                if self.doc_freq[term] <= 1:
                    del self.doc_freq[term]
                else:
                    self.doc_freq[term] -= 1
        return old


