"""The extract stage on a batch of raw records, as the agent runs it: decode, HTML extraction
in the page processes (``PagePool``, awaited, with its deadline), claims in this process
(spaCy, in a thread so that the event loop stays free; the rules stop themselves at their
own deadline, ``timelimit.py``), and the records to send, each checked
against the size limit before it goes out. Every record in gives one result out: the
(key, value) to send, or the Failure for the DLQ. No faust, no Kafka."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime

from claimwire.agents.core.errors import Failure
from claimwire.agents.core.limits import SETTING, Limits
from claimwire.agents.core.records import EXTRACTED_KEY, ExtractedArticle
from claimwire.agents.extract.article import extract_each
from claimwire.agents.extract.decode import RawArticle, decode_raw
from claimwire.agents.extract.page import PreparedArticle, prepare_article
from claimwire.agents.extract.pool import PagePool
from claimwire.agents.extract.timelimit import TimeLimit


@dataclass(frozen=True)
class Output:
    """An extracted article, serialised: what the agent sends to articles.extracted."""

    key: bytes
    value: bytes
    claims: int


def serialise(article: ExtractedArticle, limits: Limits) -> Output | Failure:
    """The record to send, or ``output_too_large`` when it would not fit a message."""
    key = EXTRACTED_KEY  # one key: every language on the story stage's one partition
    value = json.dumps(article, ensure_ascii=False).encode("utf-8", "replace")
    if not limits.output_fits(key, value):
        return Failure("output_too_large", f"the extracted record is {len(value)} bytes, over "
                       f"the {limits.record_bytes} a message holds ({SETTING})")
    return Output(key, value, len(article["claims"]))


async def _prepare(raw: RawArticle, now: datetime, limits: Limits, pool: PagePool
                   ) -> PreparedArticle | Failure:
    try:
        page = await pool.extract(raw.html, raw.url) if raw.html is not None else None
        return prepare_article(raw, now=now, page=page, max_text_bytes=limits.text_bytes)
    except Exception as exc:  # a bug must not stop the stage: the record is a dead letter
        return Failure.of(exc)


def _decode(payload: bytes, limits: Limits) -> RawArticle | Failure:
    try:
        return decode_raw(payload, max_html_bytes=limits.raw_record_bytes)
    except Exception as exc:  # RejectedInput, or a bug: a dead letter either way
        return Failure.of(exc)


async def _page(raw: RawArticle | Failure, now: datetime, limits: Limits, pool: PagePool
                ) -> PreparedArticle | Failure:
    return raw if isinstance(raw, Failure) else await _prepare(raw, now, limits, pool)


async def run_batch(records: list[tuple[bytes, datetime]], *, limits: Limits, pool: PagePool,
                    claims_limit: TimeLimit | None = None) -> list[Output | Failure]:
    """For each (payload, ingest time), in input order: the output or why it failed.
    ``claims_limit``: the wall-clock limit of one article's claim rules (``timeout``)."""
    decoded = [_decode(payload, limits) for payload, _t in records]
    prepared = await asyncio.gather(*(_page(raw, now, limits, pool) for raw, (_p, now)
                                      in zip(decoded, records, strict=True)))
    out: list[Output | Failure] = [p if isinstance(p, Failure) else Failure("internal_error", "")
                                   for p in prepared]
    ok = [(i, p) for i, p in enumerate(prepared) if not isinstance(p, Failure)]
    extracted = await asyncio.to_thread(
        extract_each, [p for _i, p in ok], [records[i][1] for i, _p in ok], claims_limit)
    for (i, _p), article in zip(ok, extracted, strict=True):
        out[i] = article if isinstance(article, Failure) else serialise(article, limits)
    return out
