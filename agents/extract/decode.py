"""Validate an ``articles.raw`` payload. Pure: bytes in, a RawArticle or a RejectedInput out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from claimwire.agents.core import jsonsafe
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
        obj = jsonsafe.loads(payload)
    except jsonsafe.UnsafeJson as exc:
        raise RejectedInput(exc.reason, exc.detail) from None
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
        except (ValueError, OverflowError):
            raise RejectedInput(
                "invalid_field", f"'published_at' is not ISO 8601: "
                f"{str(obj['published_at'])[:100]!r}") from None
    return RawArticle(url=url, outlet=obj["outlet"].strip().lower()[:253],
                      published_at=published, html=html, text=text, title=obj.get("title"),
                      language=normalize_language(obj.get("language")))


_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")


def normalize_language(value: str | None) -> str | None:
    """The primary subtag of a BCP 47 language tag, lower-cased ("nl-BE", "NL", "nl_NL" ->
    "nl"); None for anything else (then the language is identified from the text)."""
    if not value:
        return None
    match = _LANGUAGE_TAG.fullmatch(value.strip()[:64])
    return match.group(1).lower() if match else None
