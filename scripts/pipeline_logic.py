"""The stages' own logic run in this process, without Kafka or faust, for scripts/bench_pipeline:
trafilatura alone on the pages, the CPU each stage's logic spends on the records a run's
workers handled, and a cProfile of it (the hottest functions)."""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pipeline_probe import tree_cpu_s

from claimwire.agents.core.errors import Failure, Rejected
from claimwire.agents.corroborate.corroborator import CorroboratePartition
from claimwire.agents.extract.article import extract_batch
from claimwire.agents.extract.batch import serialise
from claimwire.agents.extract.page import html_to_text
from claimwire.agents.story.agent import _records as story_records
from claimwire.agents.story.encoder import encoders
from claimwire.agents.story.stage import RELEASE_MARKER, StoryPartition
from claimwire.streams.config import Settings
from claimwire.streams.records import Confirmation, Update

# the stages' steps: trafilatura, language ID, spaCy + the claim rules, the JSON out; the story
# stage's sentence encoder, story assignment and claim clustering
STEPS = {("extract/page.py", "html_to_text"), ("extract/page.py", "identify_language"),
         ("extract/pipeline.py", "claims_for_batch"), ("extract/batch.py", "serialise"),
         ("story/encoder.py", "encode_batch"), ("story/encoder.py", "_encode"),
         ("story/stage.py", "process"), ("story/assign.py", "assign"),
         ("story/clusters.py", "assign")}
BATCH = 32  # the extract agent's batch (agents/extract/agent.py BATCH_SIZE)


def _cpu() -> float:
    return tree_cpu_s(os.getpid())


def trafilatura_alone(pages: list[bytes]) -> dict[str, Any]:
    """trafilatura on every page, one after the other in this process (one core)."""
    records = [json.loads(p) for p in pages]
    html_to_text(records[0]["html"], records[0]["url"])  # imports and caches outside the clock
    failed = 0
    cpu0, t0 = _cpu(), time.monotonic()
    for rec in records:
        try:
            html_to_text(rec["html"], rec["url"])
        except Exception:  # noqa: BLE001 - counted: the pipeline dead-letters these
            failed += 1
    wall, cpu = time.monotonic() - t0, _cpu() - cpu0
    return {"pages": len(records), "failed": failed, "wall_s": round(wall, 1),
            "pages_per_s": round(len(records) / wall, 2),
            "cpu_ms_per_page": round(1000 * cpu / len(records), 1)}


def run_extract(pages: list[bytes], settings: Settings) -> list[bytes]:
    """The extract stage's logic on ``pages`` in the agent's batches: decode, trafilatura,
    claims, the record to send (returned: the story stage's input)."""
    limits = settings.limits()
    now = datetime.now(UTC)
    out = []
    for start in range(0, len(pages), BATCH):
        batch = [(p, now) for p in pages[start:start + BATCH]]
        for article in extract_batch(batch, max_html_bytes=limits.raw_record_bytes):
            if isinstance(article, dict):
                record = serialise(article, limits)
                if not isinstance(record, Failure):
                    out.append(record.value)
    return out


def run_story(extracted: list[bytes], settings: Settings) -> None:
    """The story stage's logic on one partition: the articles, then a release marker (which
    the idle timer writes in a live run), and the public records of what it emits."""
    state = StoryPartition(window=settings.corroboration.window,
                           allowed_lateness=settings.corroboration.allowed_lateness,
                           encoder_for=encoders(settings.story.sentence_encoder))
    for offset, payload in enumerate([*extracted, RELEASE_MARKER]):
        for out in state.handle(payload, ("articles.extracted", 0, offset)):
            if not isinstance(out, Rejected):
                article, claims = story_records(out)
                article.dumps()
                for claim in claims:
                    claim.dumps()


def run_corroborate(claims: list[bytes], settings: Settings) -> None:
    """The corroborate stage's logic, on one partition (the run's four differ only in which
    clusters each holds)."""
    state = CorroboratePartition(
        threshold=settings.corroboration.threshold, window=settings.corroboration.window,
        allowed_lateness=settings.corroboration.allowed_lateness,
        group_of=settings.outlet_group_of)
    for payload in claims:
        for out in state.handle(payload).events:
            (Confirmation if out["type"] == "confirmation" else Update)(**out).dumps()


def _timed(fn: Callable[[], None]) -> float:
    cpu0 = _cpu()
    fn()
    return round(_cpu() - cpu0, 2)


def logic_cpu_s(pages: list[bytes], extracted: list[dict[str, Any]],
                claims: list[dict[str, Any]], settings: Settings) -> dict[str, float]:
    """CPU seconds of each stage's logic on the records a run handled (warmed up first on a
    few of them: spaCy, trafilatura and the encoder load outside the clock)."""
    ext = [json.dumps(r).encode() for r in extracted]
    cla = [json.dumps(r).encode() for r in claims]
    run_extract(pages[:4], settings)
    run_story(ext[:8], settings)
    return {"extract": _timed(lambda: run_extract(pages, settings)),
            "story": _timed(lambda: run_story(ext, settings)),
            "corroborate": _timed(lambda: run_corroborate(cla, settings))}


def profile_logic(pages: list[bytes], settings: Settings, top: int = 15) -> dict[str, Any]:
    """cProfile of the extract stage's logic on ``pages``, then of the story stage's on what
    it extracted: per stage the functions with the most own time, and the cumulative time of
    the named steps."""
    run_story(run_extract(pages[:4], settings), settings)  # models loaded outside the profile
    extract_out: list[bytes] = []

    def extract() -> None:
        extract_out.extend(run_extract(pages, settings))

    return {"pages": len(pages), "extract": _profile(extract, top),
            "story": _profile(lambda: run_story(extract_out, settings), top)}


def _profile(fn: Callable[[], None], top: int) -> dict[str, Any]:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt  # type: ignore[attr-defined]
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = []
    for (path, line, name), (_cc, calls, own, cum, _callers) in sorted(
            entries.items(), key=lambda kv: -kv[1][2])[:top]:
        short = path.split("site-packages/")[-1].split("claimwire/")[-1]
        rows.append({"function": f"{short}:{line}({name})", "calls": calls,
                     "own_s": round(own, 2), "cumulative_s": round(cum, 2),
                     "own_share": round(own / total, 3)})
    steps = {f"{path.rsplit('/', 2)[-2]}/{path.rsplit('/', 1)[-1]}:{name}": round(cum, 2)
             for (path, _l, name), (_c, _n, _o, cum, _r) in entries.items()
             if ("/".join(path.rsplit("/", 2)[-2:]), name) in STEPS}
    return {"total_s": round(total, 1), "steps_cumulative_s": steps, "hottest": rows}
