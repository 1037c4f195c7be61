"""Deterministic ids: the same input gives the same id on any machine, at any speed."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def stable_id(*parts: str) -> str:
    """A 16-hex-digit id of the parts (SHA-1; the separator keeps ("ab", "c") != ("a", "bc"))."""
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def article_id(canonical_url: str) -> str:
    """An article is its canonical URL."""
    return hashlib.sha1(canonical_url.encode()).hexdigest()[:16]


def claim_id(article_id: str, index: int) -> str:
    """The ``index``-th claim of an article."""
    return hashlib.sha1(f"{article_id}#{index}".encode()).hexdigest()[:16]


_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|ref$|ref_src$|cmpid$|ocid$|mc_)")
_WORD = re.compile(r"\w+", re.UNICODE)


def canonical_url(url: str) -> str:
    """Lowercase scheme and host, no 'www.', no fragment, no tracking parameters, no trailing
    slash; query parameters sorted."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k.lower())))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, query, ""))


def normalise_text(text: str) -> str:
    """NFKC, lower case, words only: what two copies of one text share."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_WORD.findall(text))


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode()).hexdigest()[:32]
