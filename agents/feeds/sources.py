"""The sources file (a contract: keep these keys) read into frozen dataclasses::

    [defaults]
    interval = "5m"              # poll period per feed
    per_host_rate = "30/min"     # at most this many requests to one host
    timeout = "20s"              # per request (connect, and each read; also the whole page)
    max_page_bytes = 5000000
    user_agent = "claimwire (+https://example.org/contact)"
    # optional, with these defaults:
    per_host_burst = 1           # requests a host may get back to back before the rate applies
    max_concurrency = 8          # requests in flight at once, over all hosts
    max_redirects = 5
    retries = 3                  # extra attempts on 429, 5xx, timeouts and resets
    backoff = "1s"               # first retry delay; doubles per attempt, with jitter
    max_backoff = "5m"           # cap on a delay and on Retry-After honoured inline
    robots_ttl = "1h"            # how long a host's robots.txt is cached
    seen_window = "54h"          # default: the corroboration window + allowed lateness
    max_sitemap_children = 50    # sitemaps fetched from one sitemap index per poll

    [[outlet]]
    domain = "nos.nl"
    feeds = ["https://feeds.nos.nl/nosnieuwsalgemeen"]
    sitemaps = []                # Google News sitemaps and sitemap indexes
    language = "nl"              # a hint; language identification still runs
    interval = "2m"              # optional: this outlet's own poll period

Errors name the key the way the settings do: ``sources.toml: [[outlet]] 2 .feeds[0]: not an
http(s) URL: 'ftp://x'``. Unknown keys are errors too, so a typo never silently falls back to
a default.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from claimwire.streams.config import parse_duration


class SourcesError(ValueError):
    """The sources file is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class Rate:
    """``requests`` per ``per_s`` seconds, e.g. "30/min"."""

    requests: int
    per_s: float

    @property
    def interval_s(self) -> float:
        """The spacing between two requests at this rate."""
        return self.per_s / self.requests


@dataclass(frozen=True)
class Defaults:
    interval_s: float = 300.0
    per_host_rate: Rate = Rate(30, 60.0)
    timeout_s: float = 20.0
    max_page_bytes: int = 5_000_000
    user_agent: str = "claimwire"
    per_host_burst: int = 1
    max_concurrency: int = 8
    max_redirects: int = 5
    retries: int = 3
    backoff_s: float = 1.0
    max_backoff_s: float = 300.0
    robots_ttl_s: float = 3600.0
    seen_window_s: float | None = None
    max_sitemap_children: int = 50


@dataclass(frozen=True)
class FeedSource:
    """One feed or sitemap to poll. ``feed_id`` (``nos.nl/feed0``, ``nos.nl/sitemap1``) is the
    metrics label: bounded by the sources file, never a URL."""

    feed_id: str
    outlet: str
    url: str
    kind: str  # "feed" | "sitemap"
    interval_s: float
    language: str | None


@dataclass(frozen=True)
class Sources:
    defaults: Defaults
    feeds: tuple[FeedSource, ...]


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour)\s*$")
_RATE_UNIT_S = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
                "h": 3600, "hour": 3600}
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def parse_rate(value: object) -> Rate:
    """'30/min', '2/s', '1000/h'."""
    match = _RATE.match(str(value)) if isinstance(value, str) else None
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"not a rate: {value!r} (use e.g. '30/min', '2/s')")
    return Rate(int(match.group(1)), float(_RATE_UNIT_S[match.group(2)]))


def _seconds(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    return parse_duration(value).total_seconds()


def _int(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"must be an integer from {low} to {high}, got {value!r}")
        return value
    return check


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty string, got {value!r}")
    return value.strip()


def _url(value: object) -> str:
    text = _text(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {text!r}")
    return text


def _domain(value: object) -> str:
    text = _text(value).lower().removeprefix("www.")
    if not _DOMAIN.match(text):
        raise ValueError(f"not a domain name: {value!r} (write e.g. 'nos.nl', no scheme)")
    return text


def _language(value: object) -> str:
    text = _text(value).lower()
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", text):
        raise ValueError(f"not a language code: {value!r} (use e.g. 'nl', 'en')")
    return text


# TOML key in [defaults] -> (Defaults field, converter)
_DEFAULT_KEYS: dict[str, tuple[str, Callable[[object], Any]]] = {
    "interval": ("interval_s", _seconds),
    "per_host_rate": ("per_host_rate", parse_rate),
    "timeout": ("timeout_s", _seconds),
    "max_page_bytes": ("max_page_bytes", _int(1024, 1_000_000_000)),
    "user_agent": ("user_agent", _text),
    "per_host_burst": ("per_host_burst", _int(1, 1000)),
    "max_concurrency": ("max_concurrency", _int(1, 256)),
    "max_redirects": ("max_redirects", _int(0, 30)),
    "retries": ("retries", _int(0, 10)),
    "backoff": ("backoff_s", _seconds),
    "max_backoff": ("max_backoff_s", _seconds),
    "robots_ttl": ("robots_ttl_s", _seconds),
    "seen_window": ("seen_window_s", _seconds),
    "max_sitemap_children": ("max_sitemap_children", _int(1, 50_000)),
}
_OUTLET_KEYS = {"domain", "feeds", "sitemaps", "language", "interval"}


def _field(where: str, value: object, convert: Callable[[object], Any]) -> Any:
    try:
        return convert(value)
    except ValueError as exc:
        raise SourcesError(f"{where}: {exc}") from None


def _defaults(where: str, body: object) -> Defaults:
    if not isinstance(body, dict):
        raise SourcesError(f"{where}: [defaults] must be a table")
    values: dict[str, Any] = {}
    for key, value in body.items():
        if key not in _DEFAULT_KEYS:
            raise SourcesError(f"{where}: unknown key [defaults] {key} "
                               f"(known: {', '.join(sorted(_DEFAULT_KEYS))})")
        name, convert = _DEFAULT_KEYS[key]
        values[name] = _field(f"{where}: [defaults] {key}", value, convert)
    return Defaults(**values)


def _url_list(where: str, value: object) -> list[str]:
    if not isinstance(value, list):
        raise SourcesError(f"{where}: must be a list of URLs, got {value!r}")
    return [_field(f"{where}[{i}]", item, _url) for i, item in enumerate(value)]


def _outlet(where: str, body: object, defaults: Defaults) -> list[FeedSource]:
    if not isinstance(body, dict):
        raise SourcesError(f"{where}: must be a table")
    unknown = set(body) - _OUTLET_KEYS
    if unknown:
        raise SourcesError(f"{where}: unknown key .{sorted(unknown)[0]} "
                           f"(known: {', '.join(sorted(_OUTLET_KEYS))})")
    if "domain" not in body:
        raise SourcesError(f"{where}: .domain is required")
    domain = _field(f"{where} .domain", body["domain"], _domain)
    feeds = _url_list(f"{where} .feeds", body.get("feeds", []))
    sitemaps = _url_list(f"{where} .sitemaps", body.get("sitemaps", []))
    if not feeds and not sitemaps:
        raise SourcesError(f"{where} ({domain}): needs at least one URL in .feeds or .sitemaps")
    language = (_field(f"{where} .language", body["language"], _language)
                if "language" in body else None)
    interval = (_field(f"{where} .interval", body["interval"], _seconds)
                if "interval" in body else defaults.interval_s)
    return ([FeedSource(f"{domain}/feed{i}", domain, u, "feed", interval, language)
             for i, u in enumerate(feeds)]
            + [FeedSource(f"{domain}/sitemap{i}", domain, u, "sitemap", interval, language)
               for i, u in enumerate(sitemaps)])


def parse_sources(data: dict[str, Any], where: str = "sources") -> Sources:
    """Validate a parsed sources file. Raises SourcesError naming the key."""
    unknown = set(data) - {"defaults", "outlet"}
    if unknown:
        raise SourcesError(f"{where}: unknown top-level key {sorted(unknown)[0]!r} "
                           "(expected [defaults] and [[outlet]])")
    defaults = _defaults(where, data.get("defaults", {}))
    outlets = data.get("outlet")
    if not isinstance(outlets, list) or not outlets:
        raise SourcesError(f"{where}: no [[outlet]] tables: list at least one outlet")
    feeds: list[FeedSource] = []
    seen_domains: dict[str, int] = {}
    for number, body in enumerate(outlets, start=1):
        found = _outlet(f"{where}: [[outlet]] {number}", body, defaults)
        domain = found[0].outlet
        if domain in seen_domains:
            raise SourcesError(f"{where}: [[outlet]] {number} .domain: {domain!r} is already "
                               f"[[outlet]] {seen_domains[domain]}; merge their feeds")
        seen_domains[domain] = number
        feeds += found
    urls = [f.url for f in feeds]
    for feed in feeds:
        if urls.count(feed.url) > 1:
            raise SourcesError(f"{where}: {feed.url!r} is listed twice")
    return Sources(defaults, tuple(feeds))


def load_sources(path: str | Path) -> Sources:
    """Read and validate a sources file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"sources file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from None
    return parse_sources(data, str(path))
