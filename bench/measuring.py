"""Measuring a command the benchmark runs: wall time and peak memory, one run at a time.

Peak memory is the larger of the biggest single process's peak RSS (GNU ``time -f %M``, else
``wait4``) and the sampled peak of the PSS summed over the command's process tree (worker
processes included).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            pass
    return out


def _memory_kb(pid: int) -> int:
    """PSS of a process (shared pages split between sharers), else its RSS; 0 when gone."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return 0


class TreeSampler(threading.Thread):
    """Samples the memory summed over a process and its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.processes = 1
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            tree, pending = [], [self.pid]
            while pending:
                pid = pending.pop()
                tree.append(pid)
                pending += _children(pid)
            self.processes = max(self.processes, len(tree))
            self.peak_kb = max(self.peak_kb, sum(_memory_kb(p) for p in tree))
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_kb


@dataclass
class Sample:
    wall: float  # seconds
    rss_mb: float  # peak RSS of the biggest single process (GNU time, else wait4)
    tree_mb: float  # sampled peak of the PSS summed over the process tree
    processes: int
    returncode: int

    @property
    def peak_mb(self) -> float:
        return max(self.rss_mb, self.tree_mb)


def _gnu_time() -> str | None:
    """GNU time, which measures the peak RSS of a child it forks itself: a child forked from
    this (much bigger) process would report this process's RSS as its own peak."""
    path = shutil.which("time", path="/usr/bin:/bin")
    if path is None:
        return None
    try:
        probe = subprocess.run(
            [path, "-f", "%M", "true"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = probe.stderr.strip().splitlines()
    return path if probe.returncode == 0 and lines and lines[-1].isdigit() else None


GNU_TIME = _gnu_time()


def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str], out: Path) -> Sample:
    """Run ``cmd`` once: wall time and peak memory; stdout to ``out``, stderr next to it."""
    rss_file = out.with_suffix(".maxrss")
    wrapped = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *cmd] if GNU_TIME else list(cmd)
    with open(out, "wb") as stdout, open(out.with_suffix(".stderr"), "wb") as stderr:
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, env=env, stdout=stdout, stderr=stderr)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        tree_kb = sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    rss_kb = usage.ru_maxrss
    if GNU_TIME:  # its last line; a line before it may report a non-zero exit status
        rss_kb = int(rss_file.read_text().split()[-1])
    return Sample(wall, rss_kb / 1024, tree_kb / 1024, sampler.processes, proc.returncode)


@dataclass
class Config:
    """One measured configuration and its runs."""

    name: str
    label: str
    command: list[str]
    files: int | None = None
    mb: float | None = None
    candidates: int | None = None
    samples: list[Sample] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(s, attr) for s in self.samples)

    def summary(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "command": self.command,
            "files": self.files,
            "mb": None if self.mb is None else round(self.mb, 2),
            "candidates": self.candidates,
            "runs": len(self.samples),
            "median_seconds": round(self.median("wall"), 4),
            "min_seconds": round(min(s.wall for s in self.samples), 4),
            "max_seconds": round(max(s.wall for s in self.samples), 4),
            "median_peak_mb": round(self.median("peak_mb"), 1),
            "median_rss_mb": round(self.median("rss_mb"), 1),
            "median_tree_mb": round(self.median("tree_mb"), 1),
            "max_peak_mb": round(max(s.peak_mb for s in self.samples), 1),
            "samples": [{**asdict(s), "peak_mb": s.peak_mb} for s in self.samples],
        }


def repeat(config: Config, runs: int, run: Callable[[int], Sample]) -> None:
    for i in range(runs):
        sample = run(i)
        config.samples.append(sample)
        log(
            f"{config.label}: run {i + 1}/{runs}: {sample.wall:.3f} s, "
            f"{sample.peak_mb:.0f} MB (rc {sample.returncode})"
        )
