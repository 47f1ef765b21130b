"""Benchmark schemadoc against the grep floor on a corpus built on this machine (not a test).

    python bench/run.py [--runs N] [--quick] [--json FILE]      (``make bench``)

The corpus (see ``corpus.py``) is the standard library of the running Python, every
site-packages of the project venv and a generated set of DDL-bearing modules; no network is
used. For that one tree, in one run, it measures (median of ``--runs`` runs; wall seconds and
peak memory of each command, run as a subprocess):

1. ``grep -rlIiE`` with an ERE equivalent to schemadoc's prefilter (the floor);
2. schemadoc cold (``--no-cache``, cache folder removed);
3. schemadoc warm, nothing changed since the previous run;
4. schemadoc warm, one generated DDL file changed before each run;

and the startup of ``schemadoc --version``. It then times the stages after extraction
(statements, verify, relate, render to Markdown) in-process on the generated DDL at 1x, 2x
and 4x size, to show whether they grow linearly. Results are printed as a table, with the
ratios and PASS/MISS against the targets, and written as JSON (``bench/results.json``).

Peak memory is the larger of the biggest single process's peak RSS (GNU ``time -f %M``, else
``wait4``) and the sampled peak of the PSS summed over the command's process tree (worker
processes included).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import corpus

from schemadoc import __version__
from schemadoc.config import Settings
from schemadoc.extract.extractor import Extractor, merge
from schemadoc.extract.fragments import Fragment
from schemadoc.extract.summary import summarize
from schemadoc.pipeline import path_order, sql_fragment, statements_of, survey
from schemadoc.pyeval.values import Value
from schemadoc.relations import relate
from schemadoc.render.formats import render
from schemadoc.verify.verify import verify

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MB = 1024 * 1024

# schemadoc.discover.source.SHAPE in POSIX ERE: the verb, then the object kind, with only quotes,
# concatenation, line breaks, string prefixes, short ``/* ... */`` comments, ``%s`` or a
# template field between them, and at least one space or quote; a keyword may be split where
# Python joins two literals. grep reads lines: a statement whose verb and kind are on
# different lines (or apart by a ``#`` or ``--`` comment) is missed (schemadoc's prefilter reads
# the file as one string).
_PART = r"""([[:space:]"'+\\(),]|/\*[^*]{0,80}\*/|\b[rRbBuUfF]{1,2}["']|%s|\{[^{}]{0,40}\})"""
_NEED = r"""([[:space:]"']|\b[rRbBuUfF]{1,2}["'])"""
_GAP = rf"{_PART}*{_NEED}{_PART}*"
_JOIN = r"""(["']+[[:space:]+\\]*[rRbBuUfF]{0,2}["']+)?"""


def _keyword(*words: str) -> str:
    return "(" + "|".join(_JOIN.join(word) for word in words) + ")"


PATTERN = (
    rf"{_keyword('create', 'alter', 'drop')}{_GAP}"
    rf"({_keyword('temp', 'temporary', 'unique', 'virtual')}\b{_GAP})*"
    rf"{_keyword('table', 'index', 'view', 'trigger')}\b"
)
GREP = ["grep", "-rlIiE", "--include=*.py", "--include=*.pyi", "--include=*.sql", "-e", PATTERN]

TARGETS = {  # name: (limit, how it compares)
    "cold / grep": (3.0, "<="),
    "warm unchanged / startup": (3.0, "<="),
    "warm one changed / startup": (20.0, "<="),
    "stages 4x / 1x": (4.5, "<="),
    "peak memory MB": (300.0, "<"),
}
MARKER = "bench_revision"  # the column the "one file changed" runs add (with the run number)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- measuring a command ----------------------------------------------------------------------


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


# -- the stages, in-process -------------------------------------------------------------------


def _renamed(fragment: Fragment, copy: int) -> Fragment:
    """``fragment`` as copy number ``copy`` of the schema: every object renamed, other files.
    Always a new fragment, so that its statements are split again in the timed stage."""
    if copy == 0:
        return Fragment(fragment.value, fragment.path, fragment.origin)

    def rename(text: str) -> str:
        return corpus.NUMBER.sub(lambda m: f"{m.group(1)}c{copy}", text)

    pieces = tuple(
        replace(
            p,
            text=p.text if p.placeholder else rename(p.text),
            pos=None if p.pos is None else (f"copy{copy}/{p.pos[0]}", p.pos[1], p.pos[2]),
        )
        for p in fragment.value.pieces
    )
    return Fragment(Value(pieces), f"copy{copy}/{fragment.path}", fragment.origin)


STAGES = ("statements", "verify", "relate", "render")


def time_stages(
    tree: Path,
    generated: corpus.Generated,
    tables: int,
    runs: int,
    scales: Sequence[int] = (1, 2, 4),
) -> dict[str, Any]:
    """Median seconds of each stage after extraction on the first ``tables`` generated
    tables (0: all), copied 1, 2 and 4 times with renamed objects."""
    chosen, count = [], 0
    for path, n in generated.order:
        if tables and count >= tables:
            break
        chosen.append(path)
        count += n
    files = {d: tree / d for d in generated.files if d.endswith(".py")}
    texts = {d: generated.files[d] for d in chosen if d.endswith(".py")}
    log(f"stages: extracting {len(chosen)} generated files ({count} tables), untimed")
    summaries, problems = {}, []
    for display in sorted(texts):
        summary, problem = summarize(texts[display], display)
        if summary is None:
            problems.append(problem)
        elif summary.holds_ddl:
            summaries[display] = summary
    fragments, found = merge(Extractor(files, summaries).process_all(sorted(summaries), texts.get))
    problems += found
    fragments += [sql_fragment(generated.files[d], d)[0] for d in chosen if d.endswith(".sql")]
    settings = Settings(format="markdown", title="Benchmark stages")
    out: dict[str, Any] = {
        "tables_1x": count,
        "files_1x": len(chosen),
        "extract_diagnostics": len(problems),
        "scales": {},
    }
    for scale in scales:
        times: dict[str, list[float]] = {s: [] for s in (*STAGES, "total")}
        for i in range(runs):
            copies = sorted(
                (_renamed(f, k) for k in range(scale) for f in fragments),
                key=lambda f: path_order(f.path),
            )
            gc.collect()
            t0 = time.perf_counter()
            statements = statements_of(copies)
            t1 = time.perf_counter()
            schema = verify(statements)
            t2 = time.perf_counter()
            schema = relate(schema)
            t3 = time.perf_counter()
            document = render(schema, settings)
            t4 = time.perf_counter()
            for stage, seconds in zip(
                (*STAGES, "total"), (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True
            ):
                times[stage].append(seconds)
            log(
                f"stages {scale}x: run {i + 1}/{runs}: {t4 - t0:.2f} s "
                f"({len(schema.tables)} tables)"
            )
        out["scales"][f"{scale}x"] = {
            "tables": len(schema.tables),
            "statements": len(statements),
            "indexes": sum(len(t.indexes) for t in schema.tables),
            "relations": len(schema.relations),
            "diagnostics": len(schema.diagnostics),
            "document_chars": len(document),
            "runs": runs,
            **{f"{s}_seconds": round(statistics.median(v), 4) for s, v in times.items()},
            "samples": {s: [round(x, 4) for x in v] for s, v in times.items()},
        }
    return out


# -- the benchmark ----------------------------------------------------------------------------


def _environment(corpus_dir: Path) -> dict[str, str]:
    """Child environment: no git work tree above the corpus (the repo's .gitignore hides it),
    byte semantics for grep, no colour."""
    env = dict(os.environ)
    env["GIT_CEILING_DIRECTORIES"] = str(corpus_dir)
    env["LC_ALL"] = "C"
    env["NO_COLOR"] = "1"
    env.pop("PYTHONDEVMODE", None)
    return env


def _schemadoc_check(out: Path, column: str | None) -> None:
    """Stop on a crash; with ``column``: stop unless the document has that column."""
    err = out.with_suffix(".stderr").read_text(errors="replace")
    if "internal error" in err or "Traceback" in err:
        raise SystemExit(f"schemadoc failed:\n{err[-3000:]}")
    if column is not None:
        doc = json.loads((out.parent / "schema.json").read_text(encoding="utf-8"))
        if not any(c["name"] == column for t in doc["tables"] for c in t["columns"]):
            raise SystemExit(f"the changed file was not picked up: no column {column}")


def _diagnostics(doc: Path) -> dict[str, Any]:
    data = json.loads(doc.read_text(encoding="utf-8"))
    by: dict[str, int] = {}
    generated = 0  # warnings and errors: the generated DDL should have none
    for d in data["diagnostics"]:
        by[d["severity"]] = by.get(d["severity"], 0) + 1
        if d["severity"] != "note":
            generated += d["path"].startswith(f"{corpus.GENERATED}/")
    tables = data["tables"]
    return {
        "tables": len(tables),
        "generated_tables": sum(
            1
            for t in tables
            if (t.get("source") or {}).get("path", "").startswith(f"{corpus.GENERATED}/")
        ),
        "relations": len(data["relations"]),
        "diagnostics": by,
        "problems_in_generated_files": generated,
    }


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


def _verdict(name: str, value: float) -> dict[str, Any]:
    limit, op = TARGETS[name]
    ok = value <= limit if op == "<=" else value < limit
    return {"value": round(value, 3), "target": f"{op} {limit:g}", "pass": ok}


def run(args: argparse.Namespace) -> dict[str, Any]:
    corpus_dir = args.corpus.resolve()
    tree, outdir = corpus_dir / "tree", corpus_dir / "out"
    venv = args.venv.resolve()
    exe = venv / "bin" / "schemadoc"
    if not exe.exists():
        raise SystemExit(f"{exe} not found: install the project in {venv} (make test does)")
    if shutil.which("grep") is None:
        raise SystemExit("grep not found")
    os.environ["GIT_CEILING_DIRECTORIES"] = str(corpus_dir)  # for the in-process survey

    log(f"building the corpus in {tree}")
    started = time.perf_counter()
    built = corpus.build(tree, venv, args.generated_files, sample=args.sample)
    outdir.mkdir(parents=True, exist_ok=True)
    log(
        f"corpus: {built.files} files, {built.bytes / MB:.1f} MB, {built.generated.tables} "
        f"generated tables ({time.perf_counter() - started:.1f} s)"
    )

    s = survey([tree], Settings(root=str(tree), cache=False))
    sd_candidates = {d for d, st in s.files.items() if st.ddl}
    if s.found != built.files:
        log(f"warning: schemadoc finds {s.found} files, the corpus has {built.files}")
    env = _environment(corpus_dir)

    grep = Config("grep", "grep -rlIiE (floor)", [*GREP, "."], s.found, built.bytes / MB)
    startup = Config("startup", "schemadoc --version (startup)", [str(exe), "--version"])
    doc = outdir / "schema.json"
    generate = [str(exe), "generate", ".", "--format", "json", "--output", str(doc), "--quiet"]
    cold = Config(
        "cold",
        "schemadoc cold (--no-cache)",
        [*generate, "--no-cache"],
        s.found,
        built.bytes / MB,
        len(sd_candidates),
    )
    warm = Config(
        "warm",
        "schemadoc warm, nothing changed",
        generate,
        s.found,
        built.bytes / MB,
        len(sd_candidates),
    )
    changed = Config(
        "changed",
        "schemadoc warm, one file changed",
        generate,
        s.found,
        built.bytes / MB,
        len(sd_candidates),
    )
    cache = tree / ".schemadoc_cache"

    log("warming the page cache (untimed grep and startup)")
    measure(grep.command, tree, env, outdir / "grep.out")
    measure(startup.command, tree, env, outdir / "startup.out")

    repeat(grep, args.runs, lambda i: measure(grep.command, tree, env, outdir / "grep.out"))
    listed = {
        line.removeprefix("./")
        for line in (outdir / "grep.out").read_text(errors="surrogateescape").splitlines()
    }
    grep.candidates = len(listed)
    repeat(
        startup, args.runs, lambda i: measure(startup.command, tree, env, outdir / "startup.out")
    )

    def cold_run(i: int) -> Sample:
        shutil.rmtree(cache, ignore_errors=True)
        doc.unlink(missing_ok=True)
        sample = measure(cold.command, tree, env, outdir / "cold.out")
        _schemadoc_check(outdir / "cold.out", None)
        return sample

    repeat(cold, args.runs, cold_run)
    schema_facts = _diagnostics(doc)

    log("priming the cache (one run with the cache, untimed)")
    prime = measure(generate, tree, env, outdir / "prime.out")
    _schemadoc_check(outdir / "prime.out", None)
    repeat(warm, args.runs, lambda i: measure(generate, tree, env, outdir / "warm.out"))

    target = tree / built.generated.changeable
    original = built.generated.files[built.generated.changeable]
    if corpus.changed_variant(original, MARKER) == original:
        raise SystemExit(f"cannot change {target}")

    def changed_run(i: int) -> Sample:
        # A new column each run: content seen before would come from the output cache.
        column = f"{MARKER}_{i}"
        target.write_text(corpus.changed_variant(original, column), encoding="utf-8")
        sample = measure(generate, tree, env, outdir / "changed.out")
        _schemadoc_check(outdir / "changed.out", column)
        return sample

    try:
        repeat(changed, args.runs, changed_run)
    finally:
        target.write_text(original, encoding="utf-8")

    stages = time_stages(tree, built.generated, args.stage_tables, args.stage_runs)

    peak = max(c.median("peak_mb") for c in (grep, cold, warm, changed))
    one = stages["scales"]["1x"]["total_seconds"]
    four = stages["scales"]["4x"]["total_seconds"]
    ratios = {
        "cold / grep": _verdict("cold / grep", _ratio(cold.median("wall"), grep.median("wall"))),
        "warm unchanged / startup": _verdict(
            "warm unchanged / startup", _ratio(warm.median("wall"), startup.median("wall"))
        ),
        "warm one changed / startup": _verdict(
            "warm one changed / startup", _ratio(changed.median("wall"), startup.median("wall"))
        ),
        "stages 4x / 1x": _verdict("stages 4x / 1x", _ratio(four, one)),
        "peak memory MB": _verdict("peak memory MB", peak),
    }
    for stage in STAGES:
        ratios[f"{stage} 4x / 1x (info)"] = {
            "value": round(
                _ratio(
                    stages["scales"]["4x"][f"{stage}_seconds"],
                    stages["scales"]["1x"][f"{stage}_seconds"],
                ),
                3,
            )
        }
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": list(os.getloadavg()),
            "peak_rss_from": "GNU time -f %M"
            if GNU_TIME
            else "os.wait4 (includes this process's RSS at spawn)",
        },
        "schemadoc": __version__,
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "corpus": {
            "root": str(tree),
            "files": built.files,
            "files_found_by_schemadoc": s.found,
            "mb": round(built.bytes / MB, 2),
            "parts": {
                part: {"from": origin, "files": sum(1 for d in s.files if d.startswith(part + "/"))}
                for part, origin in built.sources.items()
            },
            "generated": {
                "files": len(built.generated.files),
                "tables": built.generated.tables,
                "indexes": built.generated.indexes,
                "foreign_keys": built.generated.foreign_keys,
                "changed_file": built.generated.changeable,
            },
            "candidates": {
                "grep": len(listed),
                "schemadoc": len(sd_candidates),
                "only_grep": sorted(listed - sd_candidates)[:20],
                "only_schemadoc": sorted(sd_candidates - listed)[:20],
                "only_grep_count": len(listed - sd_candidates),
                "only_schemadoc_count": len(sd_candidates - listed),
            },
            "schema": schema_facts,
        },
        "grep_pattern": PATTERN,
        "measurements": {c.name: c.summary() for c in (grep, startup, cold, warm, changed)},
        "prime_run": asdict(prime),
        "stages": stages,
        "ratios": ratios,
        "all_targets_met": all(r.get("pass", True) for r in ratios.values()),
    }


# -- output -----------------------------------------------------------------------------------


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec) if spec else str(value)


def table(result: dict[str, Any]) -> str:
    c = result["corpus"]
    g = c["generated"]
    lines = [
        f"schemadoc {result['schemadoc']} benchmark, Python {result['machine']['python']}, "
        f"{result['machine']['cpus']} CPUs, load {result['machine']['load_average'][0]:.2f}",
        f"corpus: {c['files']:,} files, {c['mb']:.1f} MB in {c['root']}",
        "  "
        + ", ".join(f"{p}: {v['files']:,}" for p, v in c["parts"].items())
        + f", {corpus.GENERATED}: {g['files']} files ({g['tables']:,} tables, "
        f"{g['indexes']:,} indexes, {g['foreign_keys']:,} foreign keys)",
        f"candidates: grep {c['candidates']['grep']:,}, schemadoc prefilter "
        f"{c['candidates']['schemadoc']:,} (only grep {c['candidates']['only_grep_count']}, "
        f"only schemadoc {c['candidates']['only_schemadoc_count']})",
        f"schema found: {c['schema']['tables']:,} tables ({c['schema']['generated_tables']:,} "
        f"generated), diagnostics {c['schema']['diagnostics']} "
        f"({c['schema']['problems_in_generated_files']} warnings/errors in generated files)",
        "",
    ]
    head = (
        f"{'configuration':<34} {'files':>7} {'MB':>7} {'cand.':>6} {'runs':>4} "
        f"{'median s':>9} {'min s':>8} {'peak MB':>8} {'rss MB':>7} {'tree MB':>8}"
    )
    lines += [head, "-" * len(head)]
    for m in result["measurements"].values():
        lines.append(
            f"{m['label']:<34} {_fmt(m['files'], ','):>7} {_fmt(m['mb'], '.1f'):>7} "
            f"{_fmt(m['candidates'], ','):>6} {m['runs']:>4} {m['median_seconds']:>9.3f} "
            f"{m['min_seconds']:>8.3f} {m['median_peak_mb']:>8.1f} {m['median_rss_mb']:>7.1f} "
            f"{m['median_tree_mb']:>8.1f}"
        )
    st = result["stages"]
    lines += [
        "",
        f"stages in-process on the generated DDL (1x = {st['tables_1x']:,} tables from "
        f"{st['files_1x']} files; 2x and 4x are renamed copies), median seconds:",
    ]
    head = (
        f"{'scale':<6} {'tables':>7} {'stmts':>7} {'statements':>11} {'verify':>8} "
        f"{'relate':>8} {'render':>8} {'total':>8} {'vs 1x':>7}"
    )
    lines += [head, "-" * len(head)]
    one = st["scales"]["1x"]["total_seconds"]
    for scale, v in st["scales"].items():
        lines.append(
            f"{scale:<6} {v['tables']:>7,} {v['statements']:>7,} {v['statements_seconds']:>11.3f} "
            f"{v['verify_seconds']:>8.3f} {v['relate_seconds']:>8.3f} {v['render_seconds']:>8.3f} "
            f"{v['total_seconds']:>8.3f} {_ratio(v['total_seconds'], one):>6.2f}x"
        )
    lines += ["", f"{'ratio':<34} {'value':>9} {'target':>9}  result", "-" * 62]
    for name, r in result["ratios"].items():
        verdict = "" if "pass" not in r else ("PASS" if r["pass"] else "MISS")
        unit = "" if name.endswith("MB") else "x"
        lines.append(
            f"{name:<34} {r['value']:>8.2f}{unit or ' '} {r.get('target', ''):>9}  {verdict}"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, help="runs per configuration (default 5; quick 3)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: a tenth of the real files, few generated files, 3 runs",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=HERE / "results.json",
        help="where the results go (default: bench/results.json)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=HERE / ".corpus",
        help="working folder, rebuilt on each run (default: bench/.corpus)",
    )
    parser.add_argument(
        "--venv",
        type=Path,
        default=REPO / ".venv",
        help="the project venv: its site-packages and schemadoc (default: .venv)",
    )
    parser.add_argument(
        "--generated-files",
        type=int,
        help="generated DDL files (default 300, about 2,100 tables; quick 30)",
    )
    parser.add_argument(
        "--stage-tables",
        type=int,
        help="tables at 1x for the stage timings, 0 for all generated (default 500; quick 100)",
    )
    parser.add_argument(
        "--stage-runs", type=int, help="runs per stage size (default: --runs, at most 3)"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.runs = args.runs or (3 if quick else 5)
    args.generated_files = args.generated_files or (30 if quick else 300)
    if args.stage_tables is None:
        args.stage_tables = 100 if quick else 500
    args.stage_runs = args.stage_runs or min(args.runs, 3)
    args.sample = 10 if quick else 1
    if args.runs < 1 or args.generated_files < 1:
        parser.error("--runs and --generated-files must be at least 1")
    started = time.perf_counter()
    result = run(args)
    result["bench_seconds"] = round(time.perf_counter() - started, 1)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(table(result))
    print(f"\nresults: {args.json} (bench took {result['bench_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
