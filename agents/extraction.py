"""The extract stage's pure logic: validate a raw record, turn HTML into text and metadata
(trafilatura), identify the language (py3langid, whose model ships inside the wheel), find the
claims. Knows nothing of Kafka; the clock comes in as ``now``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from agents.claims import SUPPORTED_LANGUAGES, Claim, claim_id, claims_for_batch
from agents.dedupe import canonical_url, content_hash


class RejectedInput(ValueError):
    """Input that cannot be processed. ``reason`` is a bounded label for metrics and the DLQ."""

    REASONS = ("malformed_json", "not_an_object", "missing_field", "invalid_field",
               "undecodable_bytes", "too_large", "empty_text", "extraction_failed")

    def __init__(self, reason: str, detail: str) -> None:
        assert reason in self.REASONS, reason
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class RawArticle:
    url: str
    outlet: str
    published_at: datetime | None
    html: str | None
    text: str | None
    title: str | None
    language: str | None


def parse_time(value: str) -> datetime:
    """ISO 8601 to an aware UTC datetime (a naive time is taken as UTC)."""
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def decode_raw(payload: bytes, *, max_html_bytes: int) -> RawArticle:
    """Validate an ``articles.raw`` payload. Raises RejectedInput with a reason."""
    if len(payload) > max_html_bytes:
        raise RejectedInput("too_large", f"record is {len(payload)} bytes, the limit is "
                                         f"{max_html_bytes} (CLAIMWIRE_MAX_HTML_BYTES)")
    try:
        decoded = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RejectedInput("undecodable_bytes", f"not UTF-8: {exc}") from None
    try:
        obj = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise RejectedInput("malformed_json", str(exc)) from None
    if not isinstance(obj, dict):
        raise RejectedInput("not_an_object", f"expected a JSON object, got {type(obj).__name__}")
    for key in ("url", "outlet"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise RejectedInput("missing_field", f"'{key}' is missing or empty")
    url = obj["url"].strip()
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise RejectedInput("invalid_field", f"'url' is not an http(s) URL: {url[:200]!r}")
    html, text = obj.get("html"), obj.get("text")
    if html is None and text is None:
        raise RejectedInput("missing_field", "one of 'html' or 'text' is required")
    for key, value in (("html", html), ("text", text), ("title", obj.get("title")),
                       ("language", obj.get("language"))):
        if value is not None and not isinstance(value, str):
            raise RejectedInput("invalid_field", f"'{key}' must be a string")
    published = None
    if obj.get("published_at") is not None:
        try:
            published = parse_time(str(obj["published_at"]))
        except ValueError:
            raise RejectedInput(
                "invalid_field", f"'published_at' is not ISO 8601: {obj['published_at']!r}"
            ) from None
    return RawArticle(url=url, outlet=obj["outlet"].strip().lower(), published_at=published,
                      html=html, text=text, title=obj.get("title"),
                      language=(obj.get("language") or None))


def identify_language(text: str) -> str:
    import py3langid

    lang, _score = py3langid.classify(text[:5000])
    return str(lang)


def html_to_text(html: str, url: str) -> tuple[str, str | None, str | None]:
    """(text, title, date) from a page, by trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False)
    if doc is None:
        return "", None, None
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return data.get("text") or "", data.get("title"), data.get("date")


def article_id(canonical: str) -> str:
    return hashlib.sha1(canonical.encode()).hexdigest()[:16]


def _with_outlet(claim: dict[str, Any], outlet: str) -> dict[str, Any]:
    """An unattributed fact claim is asserted by the outlet itself."""
    if claim["speaker"]["type"] == "outlet":
        claim["speaker"] = dict(claim["speaker"], text=outlet, canonical=outlet)
    return claim


@dataclass(frozen=True)
class PreparedArticle:
    """An article with its text, language and publication time, before claim extraction."""

    raw: RawArticle
    text: str
    title: str | None
    language: str
    published: datetime


def prepare_article(raw: RawArticle, *, now: datetime) -> PreparedArticle:
    """Text, title, language and publication time of an article. ``now`` stands in for a
    missing publication time (the ingest time of the record). Raises RejectedInput."""
    title = raw.title
    page_date = None
    if raw.html is not None:
        try:
            text, page_title, page_date = html_to_text(raw.html, raw.url)
        except Exception as exc:  # trafilatura raises many types on hostile markup
            raise RejectedInput("extraction_failed", f"{type(exc).__name__}: {exc}") from None
        title = title or page_title
    else:
        text = raw.text or ""
    text = text.strip()
    if len(text) < 20:
        raise RejectedInput("empty_text", f"no article text found ({len(text)} characters)")
    published = raw.published_at
    if published is None and page_date:
        try:
            published = parse_time(page_date)
        except ValueError:
            published = None
    published = published or now
    language = raw.language or identify_language(text)
    return PreparedArticle(raw, text, title, language, published)


def finish_article(article: PreparedArticle, claims: list[Claim]) -> dict[str, Any]:
    """The extracted-article record."""
    raw = article.raw
    canonical = canonical_url(raw.url)
    aid = article_id(canonical)
    return {
        "article_id": aid,
        "url": raw.url,
        "canonical_url": canonical,
        "outlet": raw.outlet,
        "published_at": format_time(article.published),
        "title": article.title,
        "language": article.language,
        "language_supported": article.language in SUPPORTED_LANGUAGES,
        "text": article.text,
        "content_hash": content_hash(article.text),
        "claims": [_with_outlet(dict(c.to_dict(), claim_id=claim_id(aid, i)), raw.outlet)
                   for i, c in enumerate(claims)],
    }


def extract_articles(articles: list[PreparedArticle]) -> list[dict[str, Any]]:
    """Claims for a batch of articles: one ``nlp.pipe`` per language, the pipeline loaded
    once (the way spaCy is meant to be fed), then the records."""
    claims = claims_for_batch([(a.text, a.language, a.published.date()) for a in articles])
    return [finish_article(a, c) for a, c in zip(articles, claims, strict=True)]


def extract_article(raw: RawArticle, *, now: datetime) -> dict[str, Any]:
    """The extracted article with its claims (one article; see extract_articles)."""
    return extract_articles([prepare_article(raw, now=now)])[0]
