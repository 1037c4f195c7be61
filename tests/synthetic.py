"""Synthetic extracted articles (the articles.extracted shape) for state-size tests: endless
news with ever-new names, so nothing stays bounded unless eviction works."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

OUTLETS = ("nos.nl", "nu.nl", "rtlnieuws.nl", "telegraaf.nl", "volkskrant.nl", "trouw.nl")


def _h(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


def _word(*parts: object) -> str:
    """A capitalised letters-only name, different in its first six letters for each input
    (the story stage compares terms by their six-letter prefix)."""
    return "".join(chr(ord("a") + int(c, 16)) for c in _h(*parts)[:9]).capitalize()


def article(story: int, outlet: str, published_at: datetime, language: str = "nl"
            ) -> dict[str, Any]:
    """One report of synthetic story ``story`` by ``outlet``: the story's own rare names make
    reports of one story similar and the vocabulary grow with every new story. The text is
    Dutch; ``language`` "en" labels it English all the same, so that the story stage runs its
    sentence encoder and keeps lead vectors (what the soak then measures)."""
    names = [_word(story, k) for k in range(4)]
    speaker = "Woordvoerder " + _word(story % 50, 9)
    sentence = (f"{speaker} zegt dat {names[0]} en {names[1]} {story % 97 + 3} miljoen euro "
                f"kosten voor {names[2]} in {names[3]}.")
    # each outlet writes its own report around the shared claim: no syndicated copies
    own = " ".join(f"{_word(story, outlet, k).lower()} {_word(outlet, k).lower()} en "
                   f"{_word(story, k, outlet).lower()} bij {names[2]}." for k in range(8))
    text = f"{sentence} Het nieuws over {names[2]} verscheen bij {outlet}. {own}"
    url = f"https://{outlet}/artikel/{story}"
    claim = {
        "sentence": sentence, "sentence_index": 0,
        "speaker": {"text": speaker, "canonical": speaker, "type": "org", "role": None},
        "cue": {"text": "zegt", "lemma": "zeggen", "strength": "says"}, "via": None,
        "hedged": False, "quote": False,
        "numbers": [{"text": f"{story % 97 + 3} miljoen", "value": (story % 97 + 3) * 1e6}],
        "dates": [], "entities": [{"text": n, "canonical": n, "type": "name"} for n in names],
        "content": " ".join(n.lower() for n in names) + " miljoen euro kosten",
        "method": "rules", "claim_id": _h(url, 0),
    }
    return {"article_id": _h(url), "url": url, "canonical_url": url, "content_hash": _h(text),
            "outlet": outlet, "language": language, "language_supported": True,
            "published_at": published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ingested_at": published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "title": f"Verhaal {story}", "text": text, "claims": [claim]}


def stream(start: datetime, duration: timedelta, *, stories_per_hour: int = 20,
           reports_per_story: int = 3, language: str = "nl") -> Iterator[bytes]:
    """Extracted payloads in event-time order: each story reported by a few outlets within
    the hour it breaks."""
    hours = int(duration.total_seconds() // 3600)
    story = 0
    for hour in range(hours):
        for _ in range(stories_per_hour):
            story += 1
            for r in range(reports_per_story):
                at = start + timedelta(hours=hour, minutes=(story * 7 + r * 11) % 60)
                yield json.dumps(article(story, OUTLETS[(story + r) % len(OUTLETS)], at,
                                         language)).encode()
