"""The story stage per input partition: event-time reorder buffer, dedup, story assignment
and claim clustering. Pure logic: raw ``articles.extracted`` payloads in, public article and
claim records out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from claimwire.agents.core.errors import Rejected, rejected
from claimwire.agents.core.expiry import ExpiryQueue
from claimwire.agents.core.quotes import quoted_text
from claimwire.agents.core.reorder import ReorderBuffer
from claimwire.agents.core.timefmt import parse_time
from claimwire.agents.story.assign import ScoredArticle, StoryAssigner
from claimwire.agents.story.clusters import CLAIM_THRESHOLD, ClaimClusterer, ClaimText
from claimwire.agents.story.dedupe import NEAR_DUPLICATE_THRESHOLD, DuplicateIndex
from claimwire.agents.story.encoder import EncoderFor, Vector, encode_all, sentence_encoder
from claimwire.agents.story.features import STORY_THRESHOLD, StoryWeights, lead_text

# Claims of an article that join clusters of one live story and take it into that story
# (StoryStage._story_of_claims).
LINK_CLAIMS = 2
# One such claim is enough where the article also scores this share of the story threshold
# against the story (0.3 at the default 0.45): two weak signals of one event. The Guardian's
# report of the fall of Rutte IV scored 0.41 against the Dutch story and shared one Rutte
# claim with it; it opened an English story of its own (tests/test_story_quality.py).
LINK_ONE_CLAIM_SHARE = 2 / 3


def story_entities(article: dict[str, Any]) -> set[str]:
    """The entities story assignment compares: those of the claims, and named speakers only
    (an outlet stating a fact, or a bare pronoun, says nothing about which event this is)."""
    entities = {e["canonical"] for c in article["claims"] for e in c["entities"]}
    return entities | {c["speaker"]["canonical"] for c in article["claims"]
                       if c["speaker"]["type"] not in ("outlet", "pronoun")}


class StoryStage:
    """Dedup, story assignment and claim clustering for one partition's articles.

    ``process`` returns the public article record and its claim records. Event time drives
    eviction: state older than watermark - retention is dropped.
    """

    def __init__(self, *, retention: timedelta, story_threshold: float = STORY_THRESHOLD,
                 claim_threshold: float = CLAIM_THRESHOLD,
                 near_duplicate_threshold: float = NEAR_DUPLICATE_THRESHOLD,
                 encoder_for: EncoderFor = sentence_encoder, full_scan: bool = False,
                 story_models: dict[str, StoryWeights] | None = None) -> None:
        self.retention = retention
        self.duplicates = DuplicateIndex(threshold=near_duplicate_threshold)
        self.stories = StoryAssigner(threshold=story_threshold, decay=retention,
                                     encoder_for=encoder_for, full_scan=full_scan,
                                     models=story_models)
        self.clusters = ClaimClusterer(threshold=claim_threshold)
        self.encoder_for = encoder_for
        self.story_of: dict[str, tuple[str, datetime]] = {}
        self._story_of_expiry: ExpiryQueue[str] = ExpiryQueue()
        self.watermark: datetime | None = None
        self.evicted_total = 0

    def process(self, article: dict[str, Any], published_at: datetime
                ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        aid = article["article_id"]
        dedup = self.duplicates.check(
            article_id=aid, url=article["url"], canonical=article["canonical_url"],
            digest=article["content_hash"], outlet=article["outlet"], text=article["text"],
            published_at=published_at)
        texts = self._texts(article, dedup.kind)
        lead_vector = self._encode(article, dedup.kind, texts)
        if dedup.kind == "unique" or dedup.of_article_id not in self.story_of:
            scored = self.stories.score(article_id=aid, text=article["text"],
                                        language=article["language"],
                                        entities=story_entities(article),
                                        published_at=published_at, lead_vector=lead_vector)
            linked = None if scored.joins else self._story_of_claims(
                article, self.stories.new_story_id(scored), texts, scored)
            story_id = self.stories.commit(scored, linked).story_id
        else:
            story_id = self.story_of[dedup.of_article_id][0]
        if dedup.kind != "exact":
            self.story_of[aid] = (story_id, published_at)
            self._story_of_expiry.push(aid, published_at)
        out_article = {k: v for k, v in article.items()
                       if k not in ("claims", "text", "schema_version")}
        out_article.update(
            story_id=story_id, text_chars=len(article["text"]),
            dedup={"kind": dedup.kind, "of_url": dedup.of_url, "similarity": dedup.similarity},
            claim_count=0 if dedup.kind == "exact" else len(article["claims"]))
        claims: list[dict[str, Any]] = []
        if dedup.kind != "exact":
            syndicated_of = dedup.of_url if dedup.kind == "syndicated" else None
            for claim, text in zip(article["claims"], texts, strict=True):
                found = self.clusters.match(story_id=story_id, claim=claim, text=text)
                cluster_id = self.clusters.add(found, story_id=story_id, claim=claim,
                                               published_at=published_at, text=text)
                claims.append(dict(
                    claim, article_id=aid, url=article["url"], outlet=article["outlet"],
                    published_at=article["published_at"], language=article["language"],
                    story_id=story_id, cluster_id=cluster_id, syndicated_of=syndicated_of,
                    # None: the claim opened its cluster
                    match_score=None if found.score is None else round(found.score, 3)))
        self._advance(published_at)
        return out_article, claims

    def __getstate__(self) -> dict[str, Any]:
        # the encoder is injected, not state: a restored stage takes its own builder's
        return {k: v for k, v in self.__dict__.items() if k != "encoder_for"}

    def _story_of_claims(self, article: dict[str, Any], new_story_id: str,
                         texts: list[ClaimText | None], scored: ScoredArticle) -> str | None:
        """The live story whose claims this article's claims corroborate, for an article
        that no story's terms and lead took in: LINK_CLAIMS or more of its attributed claims
        join clusters reported in that story, or one does and the article scores at least
        LINK_ONE_CLAIM_SHARE of the story threshold against it. Two statements of named
        speakers reported again are strong evidence of one event where the wording is not:
        the Kremlin's reaction to the Nord Stream leaks (zeit.de) cites Jørgensen and the
        Swedish seismologists as the Danish government's story does, in other words."""
        votes: dict[str, set[str]] = {}
        for claim, text in zip(article["claims"], texts, strict=True):
            if claim["speaker"]["type"] == "outlet":
                continue
            found = self.clusters.match(story_id=new_story_id, claim=claim, text=text)
            if found.cluster_id is None:
                continue
            for story_id in self.clusters.clusters[found.cluster_id].story_ids:
                if story_id in self.stories.stories:
                    votes.setdefault(story_id, set()).add(found.cluster_id)
        best = sorted(votes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        if best and len(best[0][1]) >= LINK_CLAIMS:
            return best[0][0]
        for story_id, _clusters in best:
            score = self.stories.story_score(scored.member, scored.vectors, story_id)
            if score is not None and score >= LINK_ONE_CLAIM_SHARE * self.stories.threshold:
                return story_id
        return None

    def _texts(self, article: dict[str, Any], kind: str) -> list[ClaimText | None]:
        """Each claim's report text for matching by embedding (None without an encoder for
        the language, and for an exact duplicate, which is not processed)."""
        claims = article["claims"]
        if kind == "exact" or self.encoder_for(article["language"]) is None:
            return [None] * len(claims)
        return [ClaimText(article["language"], c["sentence"],
                          quoted_text(c["sentence"]) if c.get("quote") else None)
                for c in claims]

    def _encode(self, article: dict[str, Any], kind: str, texts: list[ClaimText | None]
                ) -> Vector | None:
        """The lead's embedding, and those of the claim texts that matching will compare
        with another language's reports (``ClaimClusterer.to_embed``), in one batch. What is
        embedded depends only on the state and the article, so a replay embeds the same texts
        in the same batches and gets the same vectors."""
        encoder = self.encoder_for(article["language"])
        if encoder is None or kind == "exact":
            return None
        wanted = self.clusters.to_embed([(c, t) for c, t in zip(article["claims"], texts,
                                                                 strict=True) if t is not None])
        lead, *vectors = encode_all(encoder, [lead_text(article["text"]),
                                              *(text for _r, _w, text in wanted)])
        for (report, which, _text), vector in zip(wanted, vectors, strict=True):
            setattr(report, which, vector)
        return lead

    def _advance(self, published_at: datetime) -> None:
        if self.watermark is None or published_at > self.watermark:
            self.watermark = published_at
        cutoff = self.watermark - self.retention
        evicted = self.duplicates.evict_before(cutoff)
        evicted += len(self.stories.evict_before(cutoff))
        evicted += self.clusters.evict_before(cutoff)
        for aid, at in self._story_of_expiry.pop_before(cutoff):
            if aid in self.story_of and self.story_of[aid][1] == at:
                del self.story_of[aid]
        self.evicted_total += evicted


RELEASE_MARKER = b'{"control": "release"}'


@dataclass(frozen=True)
class StoryOutput:
    article: dict[str, Any]
    claims: list[dict[str, Any]]
    origin: tuple[str, int, int]  # the input record's (topic, partition, offset)
    payload: bytes


@dataclass
class _Pending:
    article: dict[str, Any]
    published_at: datetime
    origin: tuple[str, int, int]
    payload: bytes


def release_key(article: dict[str, Any]) -> str:
    """Ties in publication time are released in this order: article id, then content. One URL
    can arrive in several versions (a live article, updated) with the same publication time;
    the content hash orders them, so which version comes first (and the later ones are exact
    duplicates of it) never depends on arrival order."""
    return f"{article['article_id']}\x1f{article['content_hash']}"


class StoryPartition:
    """What the story agent keeps per input partition: the event-time reorder buffer in front
    of the StoryStage. ``handle`` takes one raw record of ``articles.extracted`` (an article or
    a release marker) and returns what to emit, in event-time order."""

    def __init__(self, *, window: timedelta, allowed_lateness: timedelta,
                 story_threshold: float = STORY_THRESHOLD,
                 claim_threshold: float = CLAIM_THRESHOLD,
                 encoder_for: EncoderFor = sentence_encoder,
                 hold_until_marker: bool = False) -> None:
        # hold_until_marker: release only at a marker (a bounded input's end), never by the
        # watermark, so that no arrival order of a replay can make an article late.
        self._lateness = None if hold_until_marker else allowed_lateness
        self.buffer: ReorderBuffer[_Pending] = ReorderBuffer(self._lateness)
        self.stage = StoryStage(retention=window + allowed_lateness,
                                story_threshold=story_threshold,
                                claim_threshold=claim_threshold, encoder_for=encoder_for)

    def snapshot(self) -> object:
        """The partition's data (buffer, dedup, stories, clusters), for a snapshot."""
        return {"buffer": self.buffer, "stage": self.stage}

    def restore(self, snapshot: object) -> None:
        """Take a snapshot's data; keep this state's settings and encoder."""
        assert isinstance(snapshot, dict)
        fresh = self.stage
        self.buffer = snapshot["buffer"]
        self.buffer.lateness = self._lateness
        self.stage = snapshot["stage"]
        self.stage.encoder_for = fresh.encoder_for
        self.stage.retention = fresh.retention
        stories = self.stage.stories
        stories.encoder_for, stories.models = fresh.stories.encoder_for, fresh.stories.models
        stories.threshold, stories.decay = fresh.stories.threshold, fresh.stories.decay
        self.stage.clusters.threshold = fresh.clusters.threshold

    def handle(self, payload: bytes, origin: tuple[str, int, int]
               ) -> list[StoryOutput | Rejected]:
        try:
            article = json.loads(payload)
            if article.get("control") == "release":
                released = self.buffer.release_all()
            else:
                published = parse_time(article["published_at"])
                released = self.buffer.push(_Pending(article, published, origin, payload),
                                            published, release_key(article))
        except Exception as exc:
            return [rejected(exc, origin, payload)]
        out: list[StoryOutput | Rejected] = []
        for item in released:
            try:
                out.append(StoryOutput(*self.stage.process(item.article, item.published_at),
                                       item.origin, item.payload))
            except Exception as exc:
                out.append(rejected(exc, item.origin, item.payload))
        return out
