"""Validate an ``articles.raw`` payload. Pure: bytes in, a RawArticle or a RejectedInput out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from claimwire.agents.core.errors import RejectedInput
from claimwire.agents.core.timefmt import parse_time


@dataclass(frozen=True)
class RawArticle:
    url: str
    outlet: str
    published_at: datetime | None
    html: str | None
    text: str | None
    title: str | None
    language: str | None


def decode_raw(payload: bytes, *, max_html_bytes: int) -> RawArticle:
    """Validate an ``articles.raw`` payload. Raises RejectedInput with a reason."""
    if len(payload) > max_html_bytes:
        raise RejectedInput("too_large", f"record is {len(payload)} bytes, the limit is "
                                         f"{max_html_bytes} (CLAIMWIRE_EXTRACT_MAX_HTML_BYTES)")
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
