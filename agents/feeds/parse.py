"""Feeds and sitemaps into items: link, title, publication and update time, language.

- Feeds (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF) go through ``feedparser``: it reads every
  dialect, copes with the broken XML real outlets publish (it falls back to a loose parser and
  says so in ``bozo``), and normalises dates to UTC. It is given the bytes we fetched; it never
  fetches anything itself.
- Sitemaps (``<urlset>``, with the Google News extension, and ``<sitemapindex>``) are plain
  XML: ``defusedxml.ElementTree``, which refuses entity expansion (billion laughs) and external
  entities, so a hostile sitemap cannot exhaust memory or read local files. Gzipped sitemaps
  (``.xml.gz``) are inflated with the same byte bound as a page.
"""

from __future__ import annotations

import calendar
import gzip
import io
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class FeedParseError(ValueError):
    """The document is not a feed or sitemap we can read."""


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str | None
    published: datetime | None
    updated: datetime | None
    language: str | None


@dataclass(frozen=True)
class ParsedDocument:
    items: tuple[FeedItem, ...]
    children: tuple[str, ...] = ()  # sitemaps listed by a sitemap index


def _struct_time(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)


def _entry_language(entry: Any, default: str | None) -> str | None:
    detail = entry.get("title_detail") or {}
    lang = detail.get("language") or entry.get("language") or default
    return str(lang).lower() if lang else None


def parse_feed(body: bytes, base_url: str) -> ParsedDocument:
    """Parse an RSS/Atom feed. A feed with XML errors but readable entries is accepted (the
    entries are what matters); one with no entries and errors raises FeedParseError.

    Hazard: feedparser resolves relative links against ``base_url``; pass the final URL after
    redirects, or relative links point at the wrong host."""
    parsed = feedparser.parse(io.BytesIO(body),
                              response_headers={"content-location": base_url},
                              sanitize_html=False, resolve_relative_uris=True)
    entries = parsed.get("entries") or []
    if not entries and parsed.get("bozo"):
        raise FeedParseError(f"not a readable feed: {parsed.get('bozo_exception')}")
    if not entries and not parsed.get("version"):
        raise FeedParseError("not a feed: no RSS or Atom root element")
    feed_lang = parsed.feed.get("language")
    items = []
    for entry in entries:
        link = entry.get("link") or _alternate_link(entry)
        if not link or not link.startswith(("http://", "https://")):
            continue
        items.append(FeedItem(url=link.strip(), title=_clean(entry.get("title")),
                              published=_struct_time(dict.get(entry, "published_parsed")),
                              # dict.get: feedparser's own get maps a missing updated_parsed
                              # to published_parsed (with a DeprecationWarning)
                              updated=_struct_time(dict.get(entry, "updated_parsed")),
                              language=_entry_language(entry, feed_lang)))
    if not items and parsed.get("bozo"):
        raise FeedParseError(f"no readable item: {parsed.get('bozo_exception')}")
    return ParsedDocument(tuple(items))


def _alternate_link(entry: Any) -> str | None:
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


def _clean(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    text = " ".join(text.split())
    return text or None


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _child_text(element: Element, *path: str) -> str | None:
    """Text of the first descendant along ``path`` (local names, any namespace)."""
    current: Element | None = element
    for name in path:
        current = next((c for c in current if _local(c.tag) == name), None) \
            if current is not None else None
    if current is None or current.text is None:
        return None
    return current.text.strip() or None


def parse_w3c_time(value: str | None) -> datetime | None:
    """A sitemap date (W3C datetime: '2024-02-15', '2024-02-15T10:10:00+01:00', '...Z');
    None if absent or unreadable (a bad date never drops the item)."""
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def _inflate(body: bytes, max_bytes: int) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            data = fh.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise FeedParseError(f"gzipped sitemap is corrupt: {exc}") from None
    if len(data) > max_bytes:
        raise FeedParseError(f"gzipped sitemap inflates to more than {max_bytes} bytes")
    return data


def parse_sitemap(body: bytes, *, max_bytes: int = 50_000_000) -> ParsedDocument:
    """Parse a sitemap (``<urlset>``, with Google News ``<news:news>`` title, publication date
    and language) or a sitemap index (``<sitemapindex>``: its ``<loc>`` go to ``children``)."""
    try:
        root = fromstring(_inflate(body, max_bytes))
    except (ParseError, DefusedXmlException) as exc:
        raise FeedParseError(f"not well-formed sitemap XML: {exc}") from None
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children = [_child_text(s, "loc") for s in root if _local(s.tag) == "sitemap"]
        return ParsedDocument((), tuple(c for c in children if c and c.startswith("http")))
    if kind != "urlset":
        raise FeedParseError(f"not a sitemap: root element <{kind}>")
    items = []
    for url in (u for u in root if _local(u.tag) == "url"):
        loc = _child_text(url, "loc")
        if not loc or not loc.startswith(("http://", "https://")):
            continue
        published = parse_w3c_time(_child_text(url, "news", "publication_date"))
        lang = _child_text(url, "news", "publication", "language")
        items.append(FeedItem(url=loc, title=_clean(_child_text(url, "news", "title")),
                              published=published,
                              updated=parse_w3c_time(_child_text(url, "lastmod")),
                              language=lang.lower() if lang else None))
    return ParsedDocument(tuple(items))
