"""What scripts/bench_pipeline.py measures on running workers, from the outside: CPU seconds
and resident memory of a process tree (a worker and its page processes) read from /proc, the
arrival time of every output record, and the worker runs themselves (start, warm up, wait).

/proc rather than psutil: Linux only, like the benchmark, and no dependency for four numbers.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimwire.streams import topics as T
from claimwire.streams.runner import produce, start_worker, stop_worker

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()  # fields after "pid (comm) "


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (the forkserver and its page processes)."""
    parent: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent[int(_stat(int(entry))[1])].append(int(entry))
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += parent.get(current, [])
    return out


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid``'s tree, with the children it has reaped."""
    total = 0
    for member in descendants(pid):
        try:
            fields = _stat(member)
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / _TICK


def tree_rss_mb(pid: int) -> float:
    total = 0
    for member in descendants(pid):
        try:
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * _PAGE_KB
        except (OSError, IndexError, ValueError):
            continue
    return total / 1024


def peak_rss_mb(pid: int) -> float:
    """The kernel's high-water mark of one process (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    """The peak of a process tree's summed RSS, sampled every ``every_s`` in a thread (the
    page processes have no high-water mark of the tree)."""

    def __init__(self, pid: int, every_s: float = 0.5) -> None:
        self.pid, self.every_s, self.peak_mb = pid, every_s, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            except OSError:
                return

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak_mb


@dataclass
class Arrivals:
    """When each output record was read (monotonic seconds), per topic base name; and when
    the first record of each article (by URL) was read on each topic, for the time of each
    hop of the pipeline."""

    names: T.TopicNames
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    confirmations: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    first_by_url: dict[tuple[str, str], float] = field(default_factory=dict)

    def on_record(self, topic: str, record: dict[str, Any]) -> None:
        now = time.monotonic()
        base = self.names.strip(topic)
        if "control" not in record:
            self.times[base].append(now)
            if isinstance(record.get("url"), str):
                self.first_by_url.setdefault((base, record["url"]), now)
        if base == T.CONFIRMED:
            self.confirmations.append((now, record))

    def last(self, topics: tuple[str, ...]) -> float:
        return max((self.times[t][-1] for t in topics if self.times[t]), default=0.0)


@dataclass
class Workers:
    """Worker processes on one broker, each with its RSS sampler."""

    bootstrap: str
    workdir: Path
    env: dict[str, str]
    procs: list[tuple[str, subprocess.Popen[bytes], RssSampler]] = field(default_factory=list)

    def start(self, label: str, stages: tuple[str, ...] | None = None) -> None:
        name = f"{label}-{len(self.procs)}"
        # one state folder per worker (its in-flight ledger), as in a deployment
        env = {**self.env, "CLAIMWIRE_WORKER_STATE_DIR": str(self.workdir / f"{name}-state")}
        proc = start_worker(self.bootstrap, config_file=None, extra_env=env,
                            log_path=self.workdir / f"{name}.log", stages=stages)
        self.procs.append((label, proc, RssSampler(proc.pid)))

    def popens(self) -> list[subprocess.Popen[bytes]]:
        return [p for _l, p, _s in self.procs]

    def cpu_s(self) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for label, proc, _s in self.procs:
            out[label] += tree_cpu_s(proc.pid)
        return dict(out)

    def check_alive(self) -> None:
        for label, proc, _s in self.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"the {label} worker exited ({proc.returncode}); see "
                                   f"{self.workdir}")

    def stop(self) -> dict[str, dict[str, float]]:
        """Stop every worker; per label: the main process's peak RSS and the tree's."""
        out: dict[str, dict[str, float]] = {}
        for label, proc, sampler in self.procs:
            main = peak_rss_mb(proc.pid) if proc.poll() is None else 0.0
            tree = sampler.stop()
            stop_worker(proc)
            seen = out.setdefault(label, {"main_peak_rss_mb": 0.0, "tree_peak_rss_mb": 0.0})
            seen["main_peak_rss_mb"] = round(max(seen["main_peak_rss_mb"], main), 1)
            seen["tree_peak_rss_mb"] = round(max(seen["tree_peak_rss_mb"], tree), 1)
        return out


def wait_until(done: Callable[[], bool], workers: Workers, timeout_s: float, what: str,
               status: Callable[[], str] | None = None) -> None:
    """Poll ``done`` until true; fail when a worker died or after ``timeout_s``. Prints
    ``status()`` every 10 s (the long runs show their progress)."""
    started = last = time.monotonic()
    while not done():
        now = time.monotonic()
        workers.check_alive()
        if now - started > timeout_s:
            raise TimeoutError(f"{what}: not done after {timeout_s:.0f} s")
        if status and now - last >= 10:
            last = now
            print(f"    {what}: {status()} ({now - started:.0f} s)", flush=True)
        time.sleep(0.2)


def warm_up(bootstrap: str, names: T.TopicNames, payloads: list[bytes], workers: Workers,
            accounted: Callable[[], int]) -> None:
    """Record i into partition i of articles.raw (one per partition), and wait until the
    stages have handled them: every worker has joined, loaded its models and fetched once,
    so that what is measured next is the steady state, not the start."""
    before = accounted()
    for partition, payload in enumerate(payloads):
        produce(bootstrap, names(T.RAW), [(None, payload)], partition=partition)
    wait_until(lambda: accounted() >= before + len(payloads), workers, 300, "warm-up")
