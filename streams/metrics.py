"""The metrics catalogue: every Prometheus metric claimwire exports, in one place.

Base units in names (``_seconds``), ``_total`` counters, bounded labels only: ``stage`` (3
values), ``topic`` (the fixed topic set), ``reason`` (``ALL_REASONS`` in agents/core/errors.py),
``kind`` and ``level`` (small enums). Never a URL, outlet or text in a label.

Several workers on one host: each serves its own port (CLAIMWIRE_METRICS_PORT); the
multiprocess mode is not used.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, Info, start_http_server

from claimwire.agents.core.errors import ALL_REASONS

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_E2E_BUCKETS = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
_TTC_BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800)

RECORDS_IN = Counter("claimwire_records_in_total", "Records consumed by a stage.", ["stage"])
RECORDS_OUT = Counter("claimwire_records_out_total", "Records produced by a stage, per topic.",
                      ["stage", "topic"])
RECORDS_REJECTED = Counter("claimwire_records_rejected_total",
                           "Records sent to the stage's dead-letter topic, by reason.",
                           ["stage", "reason"])
STAGE_LATENCY = Histogram("claimwire_stage_latency_seconds",
                          "Processing time of one record in a stage.", ["stage"],
                          buckets=_LATENCY_BUCKETS)
END_TO_END_LATENCY = Histogram(
    "claimwire_end_to_end_latency_seconds",
    "Wall time from the raw record's broker timestamp to the confirmation being sent.",
    buckets=_E2E_BUCKETS)
TIME_TO_CONFIRM = Histogram("claimwire_time_to_confirm_seconds",
                            "Event time from first report to confirmation.", ["level"],
                            buckets=_TTC_BUCKETS)
CONFIRMATIONS = Counter("claimwire_confirmations_total", "Confirmation events emitted.",
                        ["level"])
UPDATES = Counter("claimwire_updates_total", "Update events emitted.", ["level"])
DEDUP_HITS = Counter("claimwire_dedup_hits_total", "Articles classified by the dedup step.",
                     ["kind"])
CLAIMS_PER_ARTICLE = Histogram("claimwire_claims_per_article", "Claims found per article.",
                               buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34))
STATE_ENTRIES = Gauge("claimwire_state_entries",
                      "Live entries in stage state (stories, claim clusters, signatures).",
                      ["kind"])
STATE_EVICTIONS = Counter("claimwire_state_evictions_total",
                          "State entries evicted after the window.", ["stage"])
WORKER_UP = Gauge("claimwire_worker_up", "1 while the worker runs.")
WORKER_INFO = Info("claimwire_worker", "Worker build and configuration.")
REBALANCES = Counter("claimwire_rebalances_total", "Partition assignments received.")
STATE_REBUILDS = Counter(
    "claimwire_state_rebuilds_total",
    "Partition states rebuilt by replaying the partition's log (start, restart, rebalance).",
    ["stage"])
STATE_REBUILD_RECORDS = Counter(
    "claimwire_state_rebuild_records_total", "Records replayed to rebuild partition states.",
    ["stage"])
REDELIVERED_SKIPPED = Counter(
    "claimwire_redelivered_skipped_total",
    "Records delivered again after a rebalance that the partition state had applied already, "
    "skipped (their outputs went out the first time).", ["stage"])
LATE_RECORDS = Counter(
    "claimwire_late_records_total",
    "Records that arrived after the event-time watermark had passed them by more than the "
    "allowed lateness; processed at once, out of order.", ["stage"])
CONSUMER_LAG = Gauge(
    "claimwire_consumer_lag_records",
    "Records in an assigned partition not yet committed by this worker (high watermark minus "
    "committed offset), per input topic and partition.", ["topic", "partition"])

# The bounded label values, initialised to zero at start so that dashboards and alerts see a
# series before the first event of its kind (Prometheus cannot rate() a series that is absent).
STAGES = ("extract", "story", "corroborate")
LEVELS = ("single_origin", "corroborated")
DEDUP_KINDS = ("unique", "exact", "near_duplicate", "syndicated")
STATE_KINDS = ("stories", "claim_clusters", "signatures", "reorder_buffer",
               "corroboration_clusters")


def init_label_sets() -> None:
    for stage in STAGES:
        RECORDS_IN.labels(stage)
        STAGE_LATENCY.labels(stage)
        STATE_EVICTIONS.labels(stage)
        STATE_REBUILDS.labels(stage)
        STATE_REBUILD_RECORDS.labels(stage)
        REDELIVERED_SKIPPED.labels(stage)
        LATE_RECORDS.labels(stage)
        for reason in ALL_REASONS:
            RECORDS_REJECTED.labels(stage, reason)
    for level in LEVELS:
        CONFIRMATIONS.labels(level)
        UPDATES.labels(level)
        TIME_TO_CONFIRM.labels(level)
    for kind in DEDUP_KINDS:
        DEDUP_HITS.labels(kind)
    for kind in STATE_KINDS:
        STATE_ENTRIES.labels(kind)


def consumer_lag(highwater: int | None, committed: int | None) -> int | None:
    """Records behind: ``highwater`` is the next offset to be written, ``committed`` the next
    offset to be read after a restart. None when the consumer has not fetched the partition yet.
    A partition never committed counts from offset 0."""
    if highwater is None:
        return None
    return max(0, highwater - (committed or 0))


def serve(port: int) -> None:
    """Serve /metrics on ``port`` (0: do not serve)."""
    if port:
        start_http_server(port, registry=REGISTRY)


def exported_metric_names() -> set[str]:
    """Every sample name the registry can expose (for the dashboard consistency test)."""
    names: set[str] = set()
    for metric in REGISTRY.collect():
        names.add(metric.name)
        for sample in metric.samples:
            names.add(sample.name)
        if metric.type == "counter":
            names.add(metric.name + "_total")
        if metric.type == "histogram":
            names |= {metric.name + s for s in ("_bucket", "_sum", "_count")}
    return names


# ------------------------------------------------------------------------- feeds service
# `claimwire feeds` (streams/feeds_cli.py, logic in agents/feeds/). Bounded labels only:
# kind (feed, sitemap, page, robots), outcome (agents.feeds.http.OUTCOMES, 16 values; for polls
# the 5 of FEED_POLL_OUTCOMES), status_class (1xx-5xx or none), result (FEED_ITEM_RESULTS) and
# feed: the feed id from the sources file ("nos.nl/feed0", "nos.nl/sitemap0"), so its
# cardinality is the number of configured feeds, never a URL or an article.
FEED_FETCHES = Counter(
    "claimwire_feed_fetches_total",
    "HTTP requests made by the feeds service (each attempt), by kind, outcome and status class.",
    ["kind", "outcome", "status_class"])
FEED_BYTES = Counter("claimwire_feed_bytes_total",
                     "Response bytes (decoded) received by the feeds service, by kind.", ["kind"])
FEED_POLLS = Counter(
    "claimwire_feed_polls_total",
    "Feed polls by outcome: ok, not_modified, fetch_error, parse_error, internal_error.",
    ["feed", "outcome"])
FEED_ITEMS = Counter(
    "claimwire_feed_items_total",
    "Feed items by result: new (fetched), seen, updated (republished, not fetched again), "
    "too_old (older than the seen window, not fetched).", ["result"])
FEED_RECORDS = Counter(
    "claimwire_feed_records_total",
    "articles.raw records by outcome: sent, or lost (not delivered; retried at the next poll).",
    ["outcome"])
FEED_LAST_SUCCESS = Gauge(
    "claimwire_feed_last_success_timestamp_seconds",
    "Unix time of each feed's last successful poll (a 200 or a 304); the service's start "
    "time until the first one.", ["feed"])
FEED_HOSTS_IN_BACKOFF = Gauge(
    "claimwire_feed_hosts_in_backoff",
    "Hosts the feeds service holds back because they asked it to wait (429, Retry-After).")

FEED_KINDS = ("feed", "sitemap", "page", "robots")
FEED_POLL_OUTCOMES = ("ok", "not_modified", "fetch_error", "parse_error", "internal_error")
FEED_ITEM_RESULTS = ("new", "seen", "updated", "too_old")
FEED_RECORD_OUTCOMES = ("sent", "lost")


def init_feed_label_sets(feed_ids: list[str], started_at: float) -> None:
    """Zero series for the feeds service; every feed's last success starts at ``started_at``
    so the silent-feed alert also fires for a feed that never answers."""
    for kind in FEED_KINDS:
        FEED_FETCHES.labels(kind, "ok", "2xx")
        FEED_BYTES.labels(kind)
    for result in FEED_ITEM_RESULTS:
        FEED_ITEMS.labels(result)
    for outcome in FEED_RECORD_OUTCOMES:
        FEED_RECORDS.labels(outcome)
    for feed in feed_ids:
        FEED_LAST_SUCCESS.labels(feed).set(started_at)
        for outcome in FEED_POLL_OUTCOMES:
            FEED_POLLS.labels(feed, outcome)
