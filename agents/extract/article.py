"""The extract stage's pure logic end to end: a decoded raw article in, the
``articles.extracted`` record (ExtractedArticle) out. Knows nothing of Kafka."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from claimwire.agents.core.errors import Failure, RejectedInput
from claimwire.agents.core.ids import article_id, canonical_url, claim_id, content_hash
from claimwire.agents.core.records import ExtractedArticle, ExtractedClaim
from claimwire.agents.core.timefmt import format_time
from claimwire.agents.extract.decode import RawArticle, decode_raw
from claimwire.agents.extract.lexicon import LANGUAGES
from claimwire.agents.extract.page import PreparedArticle, prepare_article
from claimwire.agents.extract.pipeline import claims_for_batch
from claimwire.agents.extract.sentence import Claim
from claimwire.agents.extract.timelimit import TimeLimit

EXTRACTED_SCHEMA_VERSION = 1  # schemas/article_extracted.v1.schema.json


def _record_claim(claim: Claim, aid: str, index: int, outlet: str) -> ExtractedClaim:
    """The claim as the extracted record carries it. An unattributed fact claim is asserted by
    the outlet itself."""
    out: dict[str, Any] = dict(claim.to_dict(), claim_id=claim_id(aid, index))
    if out["speaker"]["type"] == "outlet":
        out["speaker"] = dict(out["speaker"], text=outlet, canonical=outlet)
    return out  # type: ignore[return-value]  # the keys of ExtractedClaim, built above


def finish_article(article: PreparedArticle, claims: list[Claim], *,
                   ingested_at: datetime) -> ExtractedArticle:
    """The extracted-article record."""
    raw = article.raw
    canonical = canonical_url(raw.url)
    aid = article_id(canonical)
    return ExtractedArticle(
        schema_version=EXTRACTED_SCHEMA_VERSION, article_id=aid, url=raw.url,
        canonical_url=canonical, outlet=raw.outlet,
        published_at=format_time(article.published), title=article.title,
        language=article.language, language_supported=article.language in LANGUAGES,
        text=article.text, content_hash=content_hash(article.text),
        claims=[_record_claim(c, aid, i, raw.outlet) for i, c in enumerate(claims)],
        ingested_at=format_time(ingested_at))


def extract_articles(articles: list[PreparedArticle], *, ingested_at: list[datetime],
                     time_limit: TimeLimit | None = None) -> list[ExtractedArticle | Failure]:
    """Claims for a batch of articles: one ``nlp.pipe`` per language, the pipeline loaded
    once (the way spaCy is meant to be fed), then the records. An article whose claim rules
    run past ``time_limit`` is a ``timeout`` Failure."""
    claims = claims_for_batch([(a.text, a.language, a.published.date()) for a in articles],
                              time_limit=time_limit)
    return [c if isinstance(c, Failure) else finish_article(a, c, ingested_at=t)
            for a, c, t in zip(articles, claims, ingested_at, strict=True)]


def extract_article(raw: RawArticle, *, now: datetime) -> ExtractedArticle:
    """The extracted article with its claims (one article, no time limit; see
    extract_articles). ``now`` is the ingest time: the record's, and the publication time of
    an article that has none."""
    out = extract_articles([prepare_article(raw, now=now)], ingested_at=[now])[0]
    if isinstance(out, Failure):  # only with a time limit, which this has not
        raise RejectedInput(out.reason, out.error)
    return out


def _prepare(payload: bytes, ingested_at: datetime, max_html_bytes: int
             ) -> PreparedArticle | Failure:
    try:
        return prepare_article(decode_raw(payload, max_html_bytes=max_html_bytes),
                               now=ingested_at)
    except Exception as exc:  # a bug must not stop the stage: the record is a dead letter
        return Failure.of(exc)


def extract_each(prepared: list[PreparedArticle], ingested_at: list[datetime],
                 time_limit: TimeLimit | None = None) -> list[ExtractedArticle | Failure]:
    """Claims batch by batch; when the batch fails, article by article, so that one bad
    article does not sink the others. ``time_limit``: per article (extract_articles)."""
    try:
        return extract_articles(prepared, ingested_at=ingested_at, time_limit=time_limit)
    except Exception:  # noqa: BLE001 - retried one by one below, each failure kept
        out: list[ExtractedArticle | Failure] = []
        for one, at in zip(prepared, ingested_at, strict=True):
            try:
                out.extend(extract_articles([one], ingested_at=[at], time_limit=time_limit))
            except Exception as exc:
                out.append(Failure.of(exc))
        return out


def extract_batch(records: list[tuple[bytes, datetime]], *, max_html_bytes: int
                  ) -> list[ExtractedArticle | Failure]:
    """The extract stage on a batch of raw payloads with their ingest times: for each, the
    extracted article or why it failed (in input order)."""
    results: list[ExtractedArticle | Failure | None] = [None] * len(records)
    ok: list[tuple[int, PreparedArticle, datetime]] = []
    for i, (payload, ingested_at) in enumerate(records):
        prepared = _prepare(payload, ingested_at, max_html_bytes)
        if isinstance(prepared, Failure):
            results[i] = prepared
        else:
            ok.append((i, prepared, ingested_at))
    extracted = extract_each([p for _i, p, _t in ok], [t for _i, _p, t in ok])
    for (i, _p, _t), article in zip(ok, extracted, strict=True):
        results[i] = article
    return [r for r in results if r is not None]
