"""Snapshots of partition states on local disk, each with the input offset it covers.

After a start, a SIGKILL or a rebalance back to this worker, a stage loads the newest snapshot
that does not run ahead of the record at hand and replays only the log after it
(streams.runtime.partition_state): recovery time is bounded by the snapshot interval, not by
the window's volume. A partition handed to a worker that has no snapshot of it is rebuilt
from the log, as before.

File layout: ``<dir>/<group>/<topic>-<partition>.<n>.snap``, the two newest kept (the newest
may cover records processed but not yet committed, and so run ahead of where the consumer
restarts; the one before it then serves). Each file is one JSON header line (format, offset,
stage) and the state, pickled and compressed; written to a temporary file and renamed, so a
crash mid-write leaves the previous snapshot whole.

Versioned: a snapshot whose ``format`` is not ``SNAPSHOT_FORMAT`` is discarded (and the state
rebuilt from the log), never misread. Bump it whenever a state class changes shape.

Hazard: snapshots are pickles: load them only from a directory no one else can write
(the worker's own volume). They are tied to one topic's log: after a topic is deleted and
created again, delete the snapshot directory too.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import pickle
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("claimwire.snapshots")

SNAPSHOT_FORMAT = 7  # 2: Report (corroborate) and ClaimClusterer (story) gained fields; 3: claim
# clusters keep their reports' texts (ClaimText), embedded when first compared; 4: the
# duplicate index keeps lean signatures (hash values only); 5: a story Member keeps its names;
# 6: and what it counts (Member.counts); 7: counts as values (floats), not as written
KEEP = 2


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a state is pickled or unpickled. Unpickling creates
    millions of small objects, and each few hundred of them triggered a collection that walked
    the growing heap: unpickling a story partition of 20,000 articles took 9.2 s with the
    collector on, and the whole load with it paused 3.2 s, decompression included
    (``scripts/snapshot_cost.py``). Process-wide: other threads
    allocate meanwhile without collections too, for the seconds this takes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Snapshot:
    offset: int  # the state has applied every record before this offset
    state: Any


class SnapshotStore:
    def __init__(self, directory: Path, group: str) -> None:
        self.directory = directory / group
        self.directory.mkdir(parents=True, exist_ok=True)

    def _files(self, topic: str, partition: int) -> list[Path]:
        """This partition's snapshot files, newest first."""
        found = self.directory.glob(f"{topic}-{partition}.*.snap")
        return sorted(found, key=lambda p: int(p.suffixes[-2].lstrip(".")), reverse=True)

    def save(self, topic: str, partition: int, offset: int, state: Any) -> None:
        """Write a snapshot of ``state`` covering records before ``offset``."""
        files = self._files(topic, partition)
        seq = int(files[0].suffixes[-2].lstrip(".")) + 1 if files else 1
        header = json.dumps({"format": SNAPSHOT_FORMAT, "offset": offset, "topic": topic,
                             "partition": partition}).encode()
        with _collector_paused():
            pickled = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        body = zlib.compress(pickled, 1)
        final = self.directory / f"{topic}-{partition}.{seq}.snap"
        tmp = final.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            fh.write(header + b"\n" + body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)
        for old in self._files(topic, partition)[KEEP:]:
            old.unlink(missing_ok=True)

    def load(self, topic: str, partition: int, upto: int) -> Snapshot | None:
        """The newest readable snapshot of this format that covers no record at or after
        ``upto``, or None."""
        for path in self._files(topic, partition):
            try:
                with path.open("rb") as fh:
                    header = json.loads(fh.readline())
                    if header.get("format") != SNAPSHOT_FORMAT:
                        log.warning("discarding %s: format %s, not %s", path,
                                    header.get("format"), SNAPSHOT_FORMAT)
                        continue
                    if int(header["offset"]) > upto:
                        continue  # it ran ahead of the committed position
                    pickled = zlib.decompress(fh.read())
                    with _collector_paused():
                        state = pickle.loads(pickled)  # noqa: S301 - own volume
                return Snapshot(int(header["offset"]), state)
            except Exception as exc:  # noqa: BLE001 - a damaged file: try the older one
                log.warning("discarding unreadable snapshot %s: %s", path, exc)
        return None


def snapshot_store(settings: Any, group: str) -> SnapshotStore | None:
    """The worker's snapshot store (``<[worker] state_dir>/snapshots``), or None when
    ``[worker] snapshots`` is off."""
    if not settings.worker.snapshots:
        return None
    return SnapshotStore(Path(settings.worker.state_dir).expanduser() / "snapshots", group)
