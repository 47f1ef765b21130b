"""A project's templates render in a process of their own.

Those templates are the project author's. The sandboxed environment keeps them from Python;
this process keeps them from the machine: it runs isolated from the working directory and
the environment's Python paths, may use at most ``MEMORY_BYTES`` of address space and
``CPU_SECONDS`` of processor time, is stopped after ``WALL_SECONDS``, and hands back text
only (JSON on its standard output). The parent sends it the values to render, pickled.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

MEMORY_BYTES = 1024 * 1024 * 1024
CPU_SECONDS = 60
WALL_SECONDS = 90

Job = tuple[str, dict[str, Any]]  # template name, the values it sees


def render_isolated(jobs: list[Job], templates_dir: Path, root: Path) -> list[str]:
    """Each job's template rendered, in a limited process of its own.

    Raises :class:`~schemadoc.render.templates.TemplateFailure` for any template error, and when the
    process is stopped at one of its limits.
    """
    from .templates import TemplateFailure

    limits = (MEMORY_BYTES, CPU_SECONDS)
    payload = pickle.dumps((limits, templates_dir, root, jobs), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-m", __name__],
            input=payload,
            capture_output=True,
            timeout=WALL_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TemplateFailure(
            f"{templates_dir}: the templates were stopped after {WALL_SECONDS} s"
        ) from exc
    try:
        answer = json.loads(proc.stdout)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or proc.returncode != 0:
        raise TemplateFailure(
            f"{templates_dir}: the templates were stopped (exit {proc.returncode}): they "
            f"need more than {CPU_SECONDS} s of processor time or "
            f"{MEMORY_BYTES // 2**20} MiB of memory"
        )
    if "error" in answer:
        raise TemplateFailure(str(answer["error"]))
    texts = answer.get("texts")
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise TemplateFailure(f"{templates_dir}: the templates gave no text")
    return texts


def _limit(memory: int, cpu: int) -> None:
    """This process's memory and processor time, where the system can bound them."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return
    for kind, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_CPU, cpu)):
        _, hard = resource.getrlimit(kind)
        if hard == resource.RLIM_INFINITY or hard > value:
            resource.setrlimit(kind, (value, hard))


def _main() -> None:
    limits, templates_dir, root, jobs = pickle.loads(sys.stdin.buffer.read())
    _limit(*limits)
    from .templates import TemplateFailure, render_named

    try:
        answer: dict[str, Any] = {
            "texts": [render_named(name, values, templates_dir, root) for name, values in jobs]
        }
    except TemplateFailure as exc:
        answer = {"error": str(exc)}
    except MemoryError:
        megabytes = limits[0] // 2**20
        answer = {"error": f"{templates_dir}: the templates need more than {megabytes} MiB"}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    _main()
