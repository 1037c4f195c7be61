"""From a raw article to its text, title, language and publication time: trafilatura for HTML,
py3langid (its model ships inside the wheel) for the language. The clock comes in as ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from claimwire.agents.core.errors import RejectedInput
from claimwire.agents.core.timefmt import EARLIEST_PUBLISHED, format_time, is_sane_time, parse_time
from claimwire.agents.extract.decode import RawArticle


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


@dataclass(frozen=True)
class PreparedArticle:
    """An article with its text, language and publication time, before claim extraction."""

    raw: RawArticle
    text: str
    title: str | None
    language: str
    published: datetime


MAX_TITLE_CHARS = 1000
Page = tuple[str, str | None, str | None]  # text, title, date (what html_to_text returns)


def _page_time(page_date: str | None, now: datetime) -> datetime | None:
    try:
        published = parse_time(page_date) if page_date else None
    except (ValueError, OverflowError):
        return None
    return published if published is not None and is_sane_time(published, now) else None


def prepare_article(raw: RawArticle, *, now: datetime, page: Page | None = None,
                    max_text_bytes: int | None = None) -> PreparedArticle:
    """Text, title, language and publication time of an article. ``now`` stands in for a
    missing publication time (the ingest time of the record). ``page`` is the HTML's
    extraction when it was done elsewhere (the extract stage's page processes); without it,
    trafilatura runs here. Raises RejectedInput."""
    title = raw.title
    page_date = None
    if raw.html is not None:
        try:
            text, page_title, page_date = page or html_to_text(raw.html, raw.url)
        except Exception as exc:  # trafilatura raises many types on hostile markup
            raise RejectedInput("extraction_failed", f"{type(exc).__name__}: {exc}") from None
        title = title or page_title
    else:
        text = raw.text or ""
    title = title.strip()[:MAX_TITLE_CHARS] if title else None
    text = text.strip()
    if len(text) < 20:
        raise RejectedInput("empty_text", f"no article text found ({len(text)} characters)")
    if max_text_bytes is not None and len(text.encode("utf-8", "replace")) > max_text_bytes:
        raise RejectedInput("too_large", f"article text is {len(text.encode('utf-8', 'replace'))}"
                            f" bytes, the limit is {max_text_bytes} (from "
                            "CLAIMWIRE_KAFKA_MAX_MESSAGE_BYTES)")
    published = raw.published_at
    if published is not None and not is_sane_time(published, now):
        raise RejectedInput("invalid_field", f"'published_at' {format_time(published)} is "
                            f"before {EARLIEST_PUBLISHED.year} or more than a day ahead")
    published = published or _page_time(page_date, now) or now
    language = raw.language or identify_language(text)
    return PreparedArticle(raw, text, title, language, published)
