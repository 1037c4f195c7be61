"""The ``claimwire`` command: demo, worker, ingest, replay, tail."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from claimwire.agents.core.jsonsafe import loads_or_marker
from claimwire.agents.core.textsafe import decode_page
from claimwire.streams import topics as T
from claimwire.streams.broker import BrokerError, broker_for
from claimwire.streams.config import ConfigError, Settings, load_settings


def _err(msg: str) -> None:
    print(f"claimwire: {msg}", file=sys.stderr, flush=True)


def _status(msg: str) -> None:
    print(f"  … {msg}", file=sys.stderr, flush=True)


def _progress_bar(total: int, desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="rec", file=sys.stderr,
                disable=not sys.stderr.isatty() and total < 50)


# ------------------------------------------------------------------------------------ worker

def _broker_gone(settings: Settings, message: str) -> None:
    from claimwire.streams.runtime import guard
    from claimwire.streams.runtime.brokerwait import EXIT_BROKER_GONE

    guard.ledger(settings.worker.state_dir).clear_mine()
    guard.die(message, EXIT_BROKER_GONE)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from mode import Worker

    from claimwire.streams import clients, metrics
    from claimwire.streams.app import create_app
    from claimwire.streams.runtime.brokerwait import EXIT_BROKER_GONE, BrokerWatch, wait_for_broker
    from claimwire.streams.runtime.native_threads import limit_native_threads

    wait_s = settings.worker.broker_wait_s
    with broker_for(settings.kafka.bootstrap_servers) as bootstrap:
        clients.configure(settings, bootstrap)
        if not wait_for_broker(bootstrap, wait_s):
            _err(f"broker {bootstrap} did not answer within {wait_s:g} s "
                 f"(CLAIMWIRE_WORKER_BROKER_WAIT_S); exiting with code {EXIT_BROKER_GONE}")
            return EXIT_BROKER_GONE
        T.ensure_topics(bootstrap, T.TopicNames(settings.kafka.topic_prefix),
                        settings.kafka.partitions,
                        retention=settings.kafka.bootstrap_servers is None)
        if settings.kafka.bootstrap_servers:
            _check_retention(settings, bootstrap)
        metrics.init_label_sets()
        metrics.serve(settings.metrics.port)
        metrics.WORKER_UP.set(1)
        metrics.WORKER_INFO.info({"version": _version(),
                                  "topic_prefix": settings.kafka.topic_prefix,
                                  "threshold": str(settings.corroboration.threshold)})
        limit_native_threads(settings.worker.native_threads)
        app = create_app(settings, bootstrap, stages=args.stage)

        @app.on_partitions_assigned.connect  # type: ignore[arg-type]  # faust stub is narrower
        async def _assigned(sender: Any, *args: Any, **kwargs: Any) -> None:
            metrics.REBALANCES.inc()

        print(f"claimwire worker: broker {bootstrap}, metrics port "
              f"{settings.metrics.port or 'off'}", file=sys.stderr, flush=True)
        BrokerWatch(bootstrap, wait_s, lambda msg: _broker_gone(settings, msg)).start()
        worker = Worker(app, loglevel=args.loglevel, quiet=True)
        try:
            worker.execute_from_commandline()
        except SystemExit as exc:
            return int(exc.code or 0)
    return 0


def _check_retention(settings: Settings, bootstrap: str) -> None:
    """Refuse to start on a broker whose stateful input topics keep less than a rebuild
    needs (and warn only when snapshots cover restarts). Embedded runs bound retention on
    purpose and are not checked."""
    names = T.TopicNames(settings.kafka.topic_prefix)
    needed = settings.corroboration.window + settings.corroboration.allowed_lateness
    try:
        kept = T.topic_retention(bootstrap, [names(t) for t in T.REBUILT_FROM])
    except Exception as exc:  # noqa: BLE001 - a broker that cannot say: warn, go on
        _err(f"warning: could not read the topics' retention ({exc}); not checked")
        return
    problems = T.retention_problems(kept, int(needed.total_seconds() * 1000))
    if problems and not settings.worker.snapshots:
        raise ConfigError("the broker's topics cannot carry a state rebuild:\n  "
                          + "\n  ".join(problems))
    for problem in problems:
        _err(f"warning: {problem} (snapshots in {settings.worker.state_dir} cover restarts "
             "on this worker; a rebalance to another one needs the log)")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("claimwire")
    except PackageNotFoundError:
        return "dev"


# ------------------------------------------------------------------------------------ ingest

def _ingest_records(sources: list[str], outlet: str | None) -> Iterator[bytes]:
    for source in sources:
        if source.startswith(("http://", "https://")):
            yield _fetch_url(source, outlet)
            continue
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"no such file: {source}")
        if path.suffix == ".jsonl":
            with path.open("rb") as fh:
                for line in fh:
                    if line.strip():
                        yield line.rstrip(b"\r\n")
            continue
        if not outlet:
            raise ValueError(f"{source}: --outlet DOMAIN is required for HTML and text files")
        body = decode_page(path.read_bytes())
        kind = "html" if path.suffix.lower() in (".html", ".htm") else "text"
        record = {"url": f"https://{outlet}/{path.name}", "outlet": outlet, kind: body}
        yield json.dumps(record).encode()


def _fetch_url(url: str, outlet: str | None) -> bytes:
    from urllib.parse import urlsplit

    import trafilatura

    html = trafilatura.fetch_url(url)
    if html is None:
        raise ValueError(f"could not fetch {url}")
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return json.dumps({"url": url, "outlet": outlet or host, "html": html}).encode()


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from claimwire.streams.runner import produce

    if not settings.kafka.bootstrap_servers:
        _err("ingest needs a running broker: set CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS "
             "(the embedded broker lives only as long as the demo/replay/worker that "
             "started it)")
        return 2
    from claimwire.streams import clients

    payloads = list(_ingest_records(args.sources, args.outlet))
    names = T.TopicNames(settings.kafka.topic_prefix)
    clients.configure(settings)
    T.ensure_topics(settings.kafka.bootstrap_servers, names, settings.kafka.partitions)
    with _progress_bar(len(payloads), "ingest") as bar:
        delivery = produce(settings.kafka.bootstrap_servers, names(T.RAW),
                           ((None, p) for p in payloads), progress=bar.update)
    print(f"sent {delivery.sent} records to {names(T.RAW)}", file=sys.stderr)
    if delivery.failed:
        _err(delivery.describe_failures())
        return 1
    return 0


# ------------------------------------------------------------------------------------ replay

def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from claimwire.streams.runner import run_pipeline

    source = Path(args.file)
    if not source.exists():
        _err(f"no such file: {source}")
        return 2
    if not 1 <= args.workers <= settings.kafka.partitions:
        _err(f"--workers must be between 1 and the partition count ({settings.kafka.partitions})")
        return 2
    # JSONL: one record per "\n"-terminated line (a stray "\r" inside a line stays in it)
    payloads = [line.rstrip(b"\r") for line in source.read_bytes().split(b"\n")
                if line.strip()]
    dump = Path(args.dump)
    dump.mkdir(parents=True, exist_ok=True)
    clock = _replay_clock(payloads) if args.ingest_time is None else args.ingest_time
    _status(f"replaying {len(payloads)} records from {source} (ingest time "
            f"{clock.isoformat()})")
    with broker_for(settings.kafka.bootstrap_servers) as bootstrap, \
            _progress_bar(len(payloads), "produce") as bar:
        run = run_pipeline(settings, bootstrap, payloads, config_file=args.config,
                           workdir=dump / ".work", timeout_s=args.timeout, status=_status,
                           progress=bar.update, workers=args.workers, replay_clock=clock)
    for base in T.OUTPUTS:
        with (dump / f"{base}.jsonl").open("w", encoding="utf-8") as fh:
            for record in run.records.get(base, []):
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    counts = {t: len(run.records.get(t, [])) for t in T.OUTPUTS}
    print(json.dumps({"input": run.produced, "undelivered": len(run.undelivered),
                      "wall_s": round(run.wall_s, 1), **counts}))
    return 0


def _replay_clock(payloads: list[bytes]) -> datetime:
    """The one ingest time of a replay: the latest sane publication time in the input, so that
    every run stamps the same time on records that carry none (else 2000-01-01). An absurd
    time (year 9999) is no candidate: the stage would reject it anyway."""
    from claimwire.agents.core.jsonsafe import loads
    from claimwire.agents.core.timefmt import is_sane_time, parse_time

    latest = None
    today = datetime.now(UTC)
    for payload in payloads:
        try:
            stamp = parse_time(str(loads(payload)["published_at"]))
        except Exception:  # noqa: BLE001 - any record without a readable time: not a candidate
            continue
        if not is_sane_time(stamp, today):
            continue
        latest = stamp if latest is None or stamp > latest else latest
    return latest or datetime(2000, 1, 1, tzinfo=UTC)


def _iso_time(value: str) -> datetime:
    from claimwire.agents.core.timefmt import parse_time

    try:
        return parse_time(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value!r}") from None


# -------------------------------------------------------------------------------------- demo

def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from claimwire.streams.demo import (
        DEMO_OUTLET_GROUPS,
        describe_event,
        load_demo_corpus,
        summarize,
    )
    from claimwire.streams.runner import run_pipeline

    if not settings.outlet_groups:
        settings = settings.model_copy(update={"outlet_groups": DEMO_OUTLET_GROUPS})
    corpus = load_demo_corpus()
    payloads = [json.dumps(r).encode() for r in corpus]
    print(f"claimwire demo: {len(corpus)} articles from "
          f"{len({r['outlet'] for r in corpus})} outlets, threshold K="
          f"{settings.corroboration.threshold}", flush=True)

    def on_record(topic: str, record: dict[str, Any]) -> None:
        base = T.TopicNames(settings.kafka.topic_prefix).strip(topic)
        if base in (T.CONFIRMED, T.UPDATED):
            print(describe_event(record), flush=True)

    config_file = args.config
    with tempfile.TemporaryDirectory(prefix="claimwire-demo-") as tmp:
        if settings.outlet_groups and not args.config:
            config_file = str(Path(tmp) / "demo.toml")
            Path(config_file).write_text(_groups_toml(settings.outlet_groups))
        with broker_for(settings.kafka.bootstrap_servers) as bootstrap:
            _status(f"broker {bootstrap}; starting a worker (first group join takes ~7 s)")
            run = run_pipeline(settings, bootstrap, payloads, config_file=config_file,
                               workdir=Path(tmp), timeout_s=args.timeout, on_record=on_record,
                               status=_status)
    print(summarize(run.records, run.wall_s, settings.corroboration.threshold), flush=True)
    return 0 if run.records.get(T.CONFIRMED) else 1


def _groups_toml(groups: dict[str, list[str]]) -> str:
    lines = ["[outlet_groups]"]
    lines += [f"{json.dumps(g)} = {json.dumps(o)}" for g, o in groups.items()]
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------------------------------- tail

def cmd_tail(args: argparse.Namespace, settings: Settings) -> int:
    from kafka import KafkaConsumer

    from claimwire.streams import clients

    if not settings.kafka.bootstrap_servers:
        _err("tail needs a running broker: set CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS")
        return 2
    clients.configure(settings)
    topic = T.TopicNames(settings.kafka.topic_prefix)(args.topic)
    consumer = KafkaConsumer(topic, **clients.kafka_kwargs(settings.kafka.bootstrap_servers),
                             group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest" if args.from_beginning else "latest",
                             consumer_timeout_ms=int(args.idle_timeout * 1000)
                             if args.idle_timeout else float("inf"))
    shown = 0
    try:
        for msg in consumer:
            value: Any = loads_or_marker(msg.value)  # total: any bytes decode
            if isinstance(value, dict) and "_undecodable" in value:
                value = (msg.value or b"").decode("utf-8", errors="replace")
            print(json.dumps({"partition": msg.partition, "offset": msg.offset,
                              "key": msg.key.decode("utf-8", "replace") if msg.key else None,
                              "value": value}, ensure_ascii=False), flush=True)
            shown += 1
            if args.max and shown >= args.max:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()
    return 0


# -------------------------------------------------------------------------------------- main

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimwire", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE.toml", help="settings file (env wins)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", parents=[common], help="run the demo on the embedded broker")
    p.add_argument("--timeout", type=float, default=300, help="seconds (default 300)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("worker", parents=[common], help="run a faust worker")
    p.add_argument("--loglevel", default="warning")
    p.add_argument("--stage", type=_stages, default=T.STAGES, metavar="STAGE[,STAGE]",
                   help="the stages this worker runs: extract, story, corroborate, or all "
                   "(default all)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("ingest", parents=[common], help="send HTML, text or JSONL to "
                                                        "articles.raw")
    p.add_argument("sources", nargs="+", metavar="PATH|URL")
    p.add_argument("--outlet", help="outlet domain for HTML/text files")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("replay", parents=[common], help="run a JSONL corpus through the "
                                                        "pipeline and dump every output topic")
    p.add_argument("file", metavar="FILE.jsonl")
    p.add_argument("--dump", required=True, metavar="DIR")
    p.add_argument("--timeout", type=float, default=1800, help="seconds (default 1800)")
    p.add_argument("--workers", type=int, default=1,
                   help="workers in the consumer group (default 1; at most the partitions)")
    p.add_argument("--ingest-time", type=_iso_time, default=None, metavar="ISO8601",
                   help="ingest time stamped on every record (default: the latest "
                   "published_at in the file), so that replays are reproducible")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("tail", parents=[common], help="print a topic's records")
    p.add_argument("topic", help="topic name without prefix, e.g. claims.confirmed")
    p.add_argument("--from-beginning", action="store_true")
    p.add_argument("--max", type=int, default=0)
    p.add_argument("--idle-timeout", type=float, default=0,
                   help="exit after this many idle seconds (0: never)")
    p.set_defaults(func=cmd_tail)
    from claimwire.streams import feeds_cli  # noqa: I001  (issue 16: the feeds service)
    feeds_cli.add_parser(sub, common)
    return parser


def _stages(value: str) -> tuple[str, ...]:
    chosen = T.STAGES if value == "all" else tuple(v.strip() for v in value.split(","))
    unknown = [s for s in chosen if s not in T.STAGES]
    if unknown or not chosen:
        named = ", ".join(map(repr, unknown)) or repr(value)
        raise argparse.ArgumentTypeError(f"unknown stage {named}: choose from "
                                         f"{', '.join(T.STAGES)} or all")
    return chosen


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Ctrl-C / SIGTERM unwind through the context managers, so the embedded broker stops.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        settings = load_settings(args.config)
        return int(args.func(args, settings))
    except ConfigError as exc:
        _err(str(exc))
        return 2
    except (BrokerError, FileNotFoundError, ValueError) as exc:
        _err(str(exc))
        return 2
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
