"""Online, single-pass story assignment. Pure logic, bounded state, flat cost.

Follows the streaming clusterer of Miranda et al. (2018): each article is compared with live
stories through the features of agents.story.features, combined by weights learned on labelled
pairs; it joins the best story above ``threshold`` or starts a new one. Document frequencies
are learned online over the window. Stories span languages: a pair of two languages is scored
by the language-neutral model (embeddings, numbers, entities, years).

Cost: the candidate stories come from an index (agents.story.index), so an article is scored
against at most ``2 x limit`` stories however many are live; each member's term vectors are
weighted once, when it joins (with the document frequencies of that moment), not again at
every comparison; and eviction pops time-ordered heaps instead of scanning all state.
``full_scan=True`` scores every live story instead (to measure what the index costs).

A story is compared through its most recent member articles, not one centroid: its score is
the mean of the two best member probabilities, times a time decay, over the members that
vouch (a member that joined on a weak score does not: ``story_score``). A centroid blurs two
similar events into one profile; members keep them apart. Deterministic for a given input
order.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from claimwire.agents.core.ids import stable_id
from claimwire.agents.story.encoder import EncoderFor, Vector, sentence_encoder
from claimwire.agents.story.features import (
    MEMBER_TERMS,
    MEMBERS_PER_STORY,
    STORY_THRESHOLD,
    TF_WEIGHT,
    TOP_MEMBERS,
    VOUCHING_SIMILARITY,
    Member,
    NameWeights,
    StoryWeights,
    TermVectors,
    fitted_models,
    lead_text,
    pair_features,
    profile,
    unit,
)
from claimwire.agents.story.index import CandidateIndex

INDEX_KEYS = 8  # rarest lead terms an article is indexed and looked up under


@dataclass
class Story:
    story_id: str
    # (member, its vectors, whether it vouches for newcomers: ``StoryAssigner.story_score``)
    members: deque[tuple[Member, TermVectors, bool]]
    last_seen: datetime


@dataclass(frozen=True)
class StoryDecision:
    story_id: str
    new: bool
    similarity: float


@dataclass(frozen=True)
class ScoredArticle:
    """An article scored against the live stories, not yet in one (StoryAssigner.score)."""

    article_id: str
    member: Member
    vectors: TermVectors
    keys: dict[str, float]
    best: tuple[float, str] | None  # the best story's score and id
    joins: str | None  # the story it joins by its score, None: it would open one


@dataclass
class _Frequencies:
    """Document frequencies over the live window: each document's terms are kept until it is
    evicted, so the vocabulary (and memory) stays bounded under endless news."""

    doc_freq: Counter[str] = field(default_factory=Counter)
    docs: int = 0
    _expiry: list[tuple[datetime, int, tuple[str, ...]]] = field(default_factory=list)
    _seq: int = 0

    def idf(self, term: str) -> float:
        # Smoothed (never 0): with few documents, words every report shares still count.
        n = self.docs + 1
        return math.log(1 + (n + 1) / (self.doc_freq.get(term, 0) + 1))

    def idf_unseen(self) -> float:
        """The idf of a term no document in the window has: the largest there is."""
        return math.log(1 + (self.docs + 2))

    def add(self, terms: Counter[str], published_at: datetime) -> None:
        self.docs += 1
        self.doc_freq.update(terms.keys())
        self._seq += 1
        heapq.heappush(self._expiry, (published_at, self._seq, tuple(terms)))

    def evict_before(self, cutoff: datetime) -> None:
        while self._expiry and self._expiry[0][0] < cutoff:
            _t, _seq, terms = heapq.heappop(self._expiry)
            self.docs -= 1
            for term in terms:
                if self.doc_freq[term] <= 1:
                    del self.doc_freq[term]
                else:
                    self.doc_freq[term] -= 1


class StoryAssigner:
    def __init__(self, *, threshold: float = STORY_THRESHOLD,
                 decay: timedelta = timedelta(hours=48),
                 models: dict[str, StoryWeights] | None = None,
                 encoder_for: EncoderFor = sentence_encoder, full_scan: bool = False) -> None:
        self.threshold = threshold
        self.decay = decay
        self.models = models or fitted_models()
        self.encoder_for = encoder_for
        self.full_scan = full_scan
        self.stories: dict[str, Story] = {}
        self.frequencies = _Frequencies()
        self.index = CandidateIndex()
        self._story_expiry: list[tuple[datetime, str]] = []
        self._member_expiry: list[tuple[datetime, str]] = []

    def __getstate__(self) -> dict[str, Any]:
        # the encoder is injected, not state (StoryPartition.restore gives it back)
        return {k: v for k, v in self.__dict__.items() if k != "encoder_for"}

    def vectors(self, member: Member) -> TermVectors:
        """The member's (text, lead) tf-idf vectors and its names' idf as a share of the
        largest idf (so in (0, 1] at any window size), with today's document frequencies."""
        idf, rarest = self.frequencies.idf, self.frequencies.idf_unseen()
        return (self._weigh(member.terms), self._weigh(member.lead),
                NameWeights.of({name: idf(name) / rarest for name in sorted(member.names)}))

    def _weigh(self, tf: Counter[str]) -> dict[str, float]:
        idf = self.frequencies.idf
        return unit({t: (TF_WEIGHT[c] if c < len(TF_WEIGHT) else 1 + math.log(c)) * idf(t)
                     for t, c in tf.items()})

    def _keys(self, article: Member) -> dict[str, float]:
        """What the index knows the article by: its rarest lead terms and its entities."""
        idf = self.frequencies.idf
        rare = sorted(article.lead, key=lambda t: (-idf(t), t))[:INDEX_KEYS]
        keys = {f"t:{t}": idf(t) for t in rare}
        keys.update({f"e:{e}": 2.0 for e in sorted(article.entities)})
        return keys

    def score(self, *, article_id: str, text: str, language: str, entities: set[str],
              published_at: datetime, lead_vector: Vector | None = None) -> ScoredArticle:
        """The best live story for an article, and its score; no side effects (``commit``
        puts the article in). ``lead_vector``: its lead's embedding, if the caller encoded
        it already; else the encoder for the language is asked."""
        if lead_vector is None:
            encoder = self.encoder_for(language)
            lead_vector = encoder(lead_text(text)) if encoder else None
        article = profile(text, language, entities, published_at, lead_vector)
        vectors = self.vectors(article)
        keys = self._keys(article)
        best = self._best_story(article, vectors, keys)
        joins = best[1] if best is not None and best[0] >= self.threshold else None
        return ScoredArticle(article_id, article, vectors, keys, best, joins)

    def commit(self, scored: ScoredArticle, story_id: str | None = None) -> StoryDecision:
        """Put the scored article into ``story_id`` (a live story), by default the story it
        scored into, or a new story when it scored into none."""
        article, published_at = scored.member, scored.member.published_at
        self.frequencies.add(article.terms, published_at)
        # a member's names live on in its NameWeights (scored.vectors): not kept twice
        member = dataclasses.replace(
            article, terms=Counter(dict(article.terms.most_common(MEMBER_TERMS))),
            names=frozenset())
        similarity = round(scored.best[0], 4) if scored.best else 0.0
        story_id = story_id or scored.joins
        if story_id is not None and story_id in self.stories:
            story = self.stories[story_id]
            decision = StoryDecision(story.story_id, False, similarity)
        else:
            story_id = self.new_story_id(scored)
            story = self.stories[story_id] = Story(
                story_id, deque(maxlen=MEMBERS_PER_STORY), published_at)
            decision = StoryDecision(story_id, True, similarity)
        # A member that came in on weak evidence does not vouch for the next: else the first
        # report of a second, similar event, let in at a score just above the threshold, lets
        # every later report of that event in through itself (a chained merge).
        vouches = decision.new or story_id != scored.joins or similarity >= VOUCHING_SIMILARITY
        story.members.append((member, scored.vectors, vouches))
        story.last_seen = max(story.last_seen, published_at)
        heapq.heappush(self._story_expiry, (story.last_seen, story.story_id))
        heapq.heappush(self._member_expiry, (published_at, story.story_id))
        self.index.add(story.story_id, scored.keys, article.lead_vector)
        return decision

    @staticmethod
    def new_story_id(scored: ScoredArticle) -> str:
        """The id of the story the article opens if it joins none."""
        return stable_id("story", scored.article_id)

    def assign(self, *, article_id: str, text: str, language: str, entities: set[str],
               published_at: datetime, lead_vector: Vector | None = None) -> StoryDecision:
        """The story of an article: ``score`` then ``commit``."""
        return self.commit(self.score(article_id=article_id, text=text, language=language,
                                      entities=entities, published_at=published_at,
                                      lead_vector=lead_vector))

    def _best_story(self, article: Member, vectors: TermVectors, keys: dict[str, float]
                    ) -> tuple[float, str] | None:
        candidates = list(self.stories) if self.full_scan else \
            self.index.candidates(keys, article.lead_vector)
        best: tuple[float, str] | None = None
        for story_id in candidates:
            sim = self.story_score(article, vectors, story_id)
            if sim is None:
                continue
            if best is None or sim > best[0] or (sim == best[0] and story_id < best[1]):
                best = (sim, story_id)
        return best

    def story_score(self, article: Member, vectors: TermVectors, story_id: str
                    ) -> float | None:
        """An article's score against one live story: the mean of its TOP_MEMBERS best member
        probabilities, over the members that vouch (those that opened the story, came in by
        their claims or scored VOUCHING_SIMILARITY or more; all, if none of the live ones
        does); None when no member is comparable."""
        members = self.stories[story_id].members
        vouching = [(m, v) for m, v, vouches in members if vouches] or \
            [(m, v) for m, v, _vouches in members]
        found = [self._member_probability(article, vectors, m, v) for m, v in vouching]
        sims = sorted((x for x in found if x is not None), reverse=True)[:TOP_MEMBERS]
        return sum(sims) / len(sims) if sims else None

    def _member_probability(self, article: Member, vectors: TermVectors, member: Member,
                            member_vectors: TermVectors) -> float | None:
        """P(same event) times the time decay; None when the pair is not comparable."""
        scored = pair_features(article, vectors, member, member_vectors)
        if scored is None:
            return None
        model, features = scored
        gap = abs((article.published_at - member.published_at).total_seconds())
        return (self.models[model].probability(features)
                * math.exp(-gap / max(self.decay.total_seconds(), 1.0)))

    def evict_before(self, cutoff: datetime) -> list[str]:
        """Drop stories idle since before ``cutoff`` and members older than it; returns the
        evicted story ids."""
        while self._member_expiry and self._member_expiry[0][0] < cutoff:
            _t, story_id = heapq.heappop(self._member_expiry)
            story = self.stories.get(story_id)
            while story and story.members and story.members[0][0].published_at < cutoff:
                story.members.popleft()
        old = []
        while self._story_expiry and self._story_expiry[0][0] < cutoff:
            seen, story_id = heapq.heappop(self._story_expiry)
            story = self.stories.get(story_id)
            if story is not None and story.last_seen == seen:  # else a later entry stands
                del self.stories[story_id]
                self.index.remove(story_id)
                old.append(story_id)
        self.frequencies.evict_before(cutoff)
        return old
