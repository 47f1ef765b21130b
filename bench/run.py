"""Benchmark schemadoc against a floor on three trees built on this machine (not a test).

    python bench/run.py [--trees repo,bench,large] [--runs N] [--quick] [--json FILE]
                                                                (``make bench``)

The trees (built by ``corpus.py``, from files on this machine; each holds generated
DDL-bearing modules, one of which the "one file changed" runs edit). Counts are those of
CPython 3.11 and this project's venv; schemadoc leaves test code out of the files it finds:

- ``repo``, repository-sized: 15 packages of the standard library (``corpus.REPOSITORY_PACKAGES``:
  email, http, importlib, json, logging, sqlite3, xml, ...; 127 modules) and 45 generated
  DDL files (64 files with their packages' ``__init__.py``): 191 files, 47 of them DDL
  candidates, the size of a real application repository.
- ``bench``: the standard library of the running Python, every site-packages of the project
  venv and 300 generated DDL files (``--generated-files``): about 4,300 files, 2,700 of which
  schemadoc finds.
- ``large``: the bench tree's real files, a large site-packages (``corpus.LARGE_SITE``: Django,
  SQLAlchemy, numpy, pandas, scipy, ansible, mypy, transformers, ..., pinned; installed once
  with pip from PyPI into ``bench/.corpus/large-site``, reused while the list is unchanged)
  and 50 generated DDL files: about 31,700 files, 26,300 of which schemadoc finds. When pip
  cannot install it, the tree is reported as skipped, with pip's reason, and the rest of the
  benchmark runs. Each cold run of it takes minutes.

The floor (``floor.py``) is the least work a run over a tree could do, in a process of its
own that pays the same interpreter startup as schemadoc: import libcst, sqlglot and jinja2,
list the files as schemadoc discovers them, read every one, apply schemadoc's bytes prefilter
to the Python files and ``ast.parse`` those that pass.

For each tree, in one run, it measures (median of ``--runs`` runs; wall seconds and peak
memory of each command, run as a subprocess in the tree; see ``measuring.py``):

1. the floor;
2. ``grep -rlIiE`` with an ERE equivalent to schemadoc's prefilter (for information only);
3. the startup of ``schemadoc --version``;
4. schemadoc cold (``--no-cache``, cache folder removed);
5. schemadoc warm, nothing changed since the previous run;
6. schemadoc warm, one generated DDL file changed before each run.

The targets are ratios measured in the same run, never absolute times: cold / floor <= 3,
warm unchanged / startup <= 3, warm one changed / startup <= 20; and schemadoc's peak memory
(the largest of its three runs' medians) under 300 MB on the repo and bench trees, under
600 MB on the large tree. Once, it then times the stages after extraction (statements,
verify, relate, render to Markdown) in-process on the bench tree's generated DDL at 1x, 2x
and 4x size, to show whether they grow linearly (target: 4x / 1x <= 4.5). Results are
printed, one section per tree and a summary of every ratio with PASS/MISS, and written as
JSON (``bench/results.json``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import corpus
from measuring import GNU_TIME, Config, Sample, log, measure, repeat

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
FLOOR = HERE / "floor.py"

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

TARGETS = {  # name: (limit, how it compares); peak memory's limit is the tree's
    "cold / floor": (3.0, "<="),
    "warm unchanged / startup": (3.0, "<="),
    "warm one changed / startup": (20.0, "<="),
    "stages 4x / 1x": (4.5, "<="),
}
DOCUMENT = "schema.json"  # what schemadoc writes, at the root of the tree (never scanned)
MARKER = "bench_revision"  # the column the "one file changed" runs add (with the run number)


@dataclass(frozen=True)
class TreeKind:
    """One of the trees the benchmark measures."""

    name: str
    about: str
    memory_mb: float  # the target: schemadoc's peak memory on it stays under this
    generated_files: int | None  # None: --generated-files
    sampled: bool  # --quick copies a tenth of its real files


TREES = {
    tree.name: tree
    for tree in (
        TreeKind("repo", "repository-sized: stdlib packages + 45 generated", 300.0, 45, False),
        TreeKind("bench", "stdlib + venv site-packages + generated", 300.0, None, True),
        TreeKind("large", "bench's + a large site-packages + 50 generated", 600.0, 50, True),
    )
}


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


# -- the trees ------------------------------------------------------------------------------


def _environment(corpus_dir: Path) -> dict[str, str]:
    """Child environment: no git work tree above the corpus (the repo's .gitignore hides it),
    byte semantics for grep, no colour."""
    env = dict(os.environ)
    env["GIT_CEILING_DIRECTORIES"] = str(corpus_dir)
    env["LC_ALL"] = "C"
    env["NO_COLOR"] = "1"
    env.pop("PYTHONDEVMODE", None)
    return env


def _parts(kind: TreeKind, args: argparse.Namespace) -> list[corpus.Part] | str:
    """The real files of a tree, or why it cannot be built."""
    if kind.name == "repo":
        return corpus.repository_parts()
    if kind.name == "bench":
        return corpus.bench_parts(args.venv)
    site = args.corpus / "large-site"
    log(f"large site-packages in {site} ({len(corpus.LARGE_SITE)} packages; pip on first use)")
    reason = corpus.large_site(site, args.venv / "bin" / "python")
    return reason if reason else corpus.large_parts(args.venv, site)


def build_tree(kind: TreeKind, args: argparse.Namespace) -> corpus.Corpus | str:
    """A fresh tree of ``kind`` in the corpus folder, or why it was skipped."""
    parts = _parts(kind, args)
    if isinstance(parts, str):
        log(f"{kind.name} tree skipped: {parts}")
        return parts
    root = args.corpus / kind.name / "tree"
    log(f"building the {kind.name} tree in {root}")
    started = time.perf_counter()
    generated = kind.generated_files or args.generated_files
    built = corpus.build(root, parts, generated, args.sample if kind.sampled else 1)
    log(
        f"{kind.name} tree: {built.files:,} files, {built.bytes / MB:.1f} MB, "
        f"{built.generated.tables:,} generated tables ({time.perf_counter() - started:.1f} s)"
    )
    return built


# -- measuring a tree -----------------------------------------------------------------------


@dataclass
class Runner:
    """Runs the commands of one tree, in it, with their output in ``out`` (schemadoc's
    document is in the tree: it writes only inside the project)."""

    tree: Path
    out: Path
    env: dict[str, str]
    runs: int

    @property
    def doc(self) -> Path:
        return self.tree / DOCUMENT

    def once(self, config: Config, name: str | None = None) -> Sample:
        return measure(config.command, self.tree, self.env, self.out / f"{name or config.name}.out")

    def repeat(self, config: Config, run: Callable[[int], Sample] | None = None) -> None:
        repeat(config, self.runs, run or (lambda i: self.once(config)))

    def check(self, name: str, column: str | None = None) -> None:
        """Stop when schemadoc's run ``name`` crashed or wrote no document; with ``column``,
        unless the document has that column."""
        err = (self.out / f"{name}.stderr").read_text(errors="replace")
        if "internal error" in err or "Traceback" in err or not self.doc.is_file():
            raise SystemExit(f"schemadoc failed:\n{err[-3000:]}")
        if column is not None:
            doc = json.loads(self.doc.read_text(encoding="utf-8"))
            if not any(c["name"] == column for t in doc["tables"] for c in t["columns"]):
                raise SystemExit(f"the changed file was not picked up: no column {column}")


def _floor_counts(out: Path, sample: Sample) -> dict[str, int]:
    """What the floor printed; stop when it failed."""
    if sample.returncode != 0:
        err = out.with_suffix(".stderr").read_text(errors="replace")
        raise SystemExit(f"the floor failed (exit {sample.returncode}):\n{err[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def _grep_listed(out: Path) -> set[str]:
    return {
        line.removeprefix("./") for line in out.read_text(errors="surrogateescape").splitlines()
    }


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


def _configs(args: argparse.Namespace, doc: Path, files: int, mb: float) -> dict[str, Config]:
    """The measured commands of a tree, by name."""
    exe = str(args.venv / "bin" / "schemadoc")
    python = str(args.venv / "bin" / "python")
    generate = [exe, "generate", ".", "--format", "json", "--output", str(doc), "--quiet"]
    configs = (
        Config("floor", "floor (read, prefilter, ast.parse)", [python, str(FLOOR), "."]),
        Config("grep", "grep -rlIiE (information)", [*GREP, "."]),
        Config("startup", "schemadoc --version (startup)", [exe, "--version"]),
        Config("cold", "schemadoc cold (--no-cache)", [*generate, "--no-cache"]),
        Config("warm", "schemadoc warm, nothing changed", generate),
        Config("changed", "schemadoc warm, one file changed", generate),
    )
    for config in configs:
        if config.name != "startup":
            config.files, config.mb = files, mb
    return {config.name: config for config in configs}


def _measure_floor(runner: Runner, configs: dict[str, Config]) -> tuple[dict[str, int], set[str]]:
    """The floor and grep, after an untimed run of each command that reads the tree (so that
    every measured run finds it in the page cache): the floor's counts and grep's files."""
    floor, grep = configs["floor"], configs["grep"]
    log("warming the page cache (untimed floor, grep and startup)")
    for config in (floor, grep, configs["startup"]):
        runner.once(config, f"{config.name}-untimed")
    runner.repeat(floor)
    counts = _floor_counts(runner.out / "floor.out", floor.samples[-1])
    floor.candidates = counts["candidates"]
    runner.repeat(grep)
    listed = _grep_listed(runner.out / "grep.out")
    grep.candidates = len(listed)
    return counts, listed


def _measure_schemadoc(
    runner: Runner, configs: dict[str, Config], generated: corpus.Generated
) -> Sample:
    """Startup, cold, warm and one file changed; the untimed run that primed the cache."""
    runner.repeat(configs["startup"])
    cache = runner.tree / ".schemadoc_cache"
    cold, warm, changed = configs["cold"], configs["warm"], configs["changed"]

    def cold_run(i: int) -> Sample:
        shutil.rmtree(cache, ignore_errors=True)
        runner.doc.unlink(missing_ok=True)
        sample = runner.once(cold)
        runner.check("cold")
        return sample

    runner.repeat(cold, cold_run)
    log("priming the cache (one run with the cache, untimed)")
    prime = runner.once(warm, "prime")
    runner.check("prime")
    runner.repeat(warm)

    target = runner.tree / generated.changeable
    original = generated.files[generated.changeable]
    if corpus.changed_variant(original, MARKER) == original:
        raise SystemExit(f"cannot change {target}")

    def changed_run(i: int) -> Sample:
        # A new column each run: content seen before would come from the output cache.
        column = f"{MARKER}_{i}"
        target.write_text(corpus.changed_variant(original, column), encoding="utf-8")
        sample = runner.once(changed)
        runner.check("changed", column)
        return sample

    try:
        runner.repeat(changed, changed_run)
    finally:
        target.write_text(original, encoding="utf-8")
    return prime


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


def _verdict(value: float, limit: float, op: str = "<=") -> dict[str, Any]:
    ok = value <= limit if op == "<=" else value < limit
    return {"value": round(value, 3), "target": f"{op} {limit:g}", "pass": ok}


def _targeted(name: str, value: float) -> dict[str, Any]:
    return _verdict(value, *TARGETS[name])


def tree_ratios(kind: TreeKind, configs: dict[str, Config]) -> dict[str, dict[str, Any]]:
    """The ratios of a tree's medians, each with its target when it has one; peak memory is
    schemadoc's (the largest median of its cold, warm and one-changed runs)."""
    wall = {name: config.median("wall") for name, config in configs.items()}
    peak = max(configs[name].median("peak_mb") for name in ("cold", "warm", "changed"))
    return {
        "cold / floor": _targeted("cold / floor", _ratio(wall["cold"], wall["floor"])),
        "warm unchanged / startup": _targeted(
            "warm unchanged / startup", _ratio(wall["warm"], wall["startup"])
        ),
        "warm one changed / startup": _targeted(
            "warm one changed / startup", _ratio(wall["changed"], wall["startup"])
        ),
        "peak memory MB": _verdict(peak, kind.memory_mb, "<"),
        "cold / grep (info)": {"value": round(_ratio(wall["cold"], wall["grep"]), 3)},
        "floor / startup (info)": {"value": round(_ratio(wall["floor"], wall["startup"]), 3)},
    }


@dataclass
class Surveyed:
    """What schemadoc's survey finds in a tree (in this process, untimed)."""

    found: int
    left_out: int  # test code, left out
    by_part: dict[str, int]  # files found in each part of the tree
    candidates: set[str]  # the files its prefilter passes


def _survey(built: corpus.Corpus) -> Surveyed:
    s = survey([built.root], Settings(root=str(built.root), cache=False))
    if s.found + s.left_out != built.files:
        log(
            f"warning: schemadoc finds {s.found:,} files and leaves out {s.left_out:,} as test "
            f"code, the tree has {built.files:,}"
        )
    by_part: dict[str, int] = {}
    for display in s.files:
        part = next((p for p in built.sources if display.startswith(p + "/")), None)
        if part is not None:
            by_part[part] = by_part.get(part, 0) + 1
    return Surveyed(s.found, s.left_out, by_part, {d for d, state in s.files.items() if state.ddl})


def _corpus_facts(built: corpus.Corpus, surveyed: Surveyed) -> dict[str, Any]:
    g = built.generated
    return {
        "root": str(built.root),
        "files": built.files,
        "files_found_by_schemadoc": surveyed.found,
        "files_left_out_as_test_code": surveyed.left_out,
        "mb": round(built.bytes / MB, 2),
        "parts": {
            part: {"from": origin, "files": surveyed.by_part.get(part, 0)}
            for part, origin in built.sources.items()
        },
        "generated": {
            "files": len(g.files),
            "tables": g.tables,
            "indexes": g.indexes,
            "foreign_keys": g.foreign_keys,
            "changed_file": g.changeable,
        },
    }


def _candidate_facts(schemadoc: set[str], grep: set[str], floor: dict[str, int]) -> dict[str, Any]:
    return {
        "schemadoc": len(schemadoc),
        "floor": floor["candidates"],
        "grep": len(grep),
        "only_grep": sorted(grep - schemadoc)[:20],
        "only_schemadoc": sorted(schemadoc - grep)[:20],
        "only_grep_count": len(grep - schemadoc),
        "only_schemadoc_count": len(schemadoc - grep),
    }


def measure_tree(kind: TreeKind, built: corpus.Corpus, args: argparse.Namespace) -> dict[str, Any]:
    """Every command of a built tree, ``args.runs`` times each, and the tree's ratios."""
    tree = built.root
    runner = Runner(tree, tree.parent / "out", _environment(args.corpus), args.runs)
    runner.out.mkdir(parents=True, exist_ok=True)
    surveyed = _survey(built)
    configs = _configs(args, runner.doc, surveyed.found, built.bytes / MB)
    for name in ("cold", "warm", "changed"):
        configs[name].candidates = len(surveyed.candidates)
    floor, listed = _measure_floor(runner, configs)
    if floor["files"] != surveyed.found:
        log(f"warning: the floor lists {floor['files']:,} files, schemadoc {surveyed.found:,}")
    prime = _measure_schemadoc(runner, configs, built.generated)
    facts = _corpus_facts(built, surveyed)
    facts["candidates"] = _candidate_facts(surveyed.candidates, listed, floor)
    facts["floor"] = floor
    facts["schema"] = _diagnostics(runner.doc)
    return {
        "about": kind.about,
        "corpus": facts,
        "measurements": {name: config.summary() for name, config in configs.items()},
        "prime_run": asdict(prime),
        "ratios": tree_ratios(kind, configs),
    }


def _stage_tree(args: argparse.Namespace, built: dict[str, corpus.Corpus]) -> corpus.Corpus:
    """The bench tree when it was built, else its generated DDL alone in a tree of its own."""
    if "bench" in built:
        return built["bench"]
    log("writing the bench tree's generated DDL for the stage timings")
    return corpus.build(args.corpus / "stages" / "tree", [], args.generated_files)


def _summary(trees: dict[str, Any], stages: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every ratio, named after its tree, then the stage timings'."""
    ratios = {
        f"{name}: {ratio}": verdict
        for name, tree in trees.items()
        for ratio, verdict in tree.get("ratios", {}).items()
    }
    scales = stages["scales"]
    one, four = scales["1x"], scales["4x"]
    ratios["stages 4x / 1x"] = _targeted(
        "stages 4x / 1x", _ratio(four["total_seconds"], one["total_seconds"])
    )
    for stage in STAGES:
        value = _ratio(four[f"{stage}_seconds"], one[f"{stage}_seconds"])
        ratios[f"{stage} 4x / 1x (info)"] = {"value": round(value, 3)}
    return ratios


def _machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "peak_rss_from": "GNU time -f %M"
        if GNU_TIME
        else "os.wait4 (includes this process's RSS at spawn)",
    }


def _compile_package() -> None:
    """Write schemadoc's bytecode before anything is timed, as an installed package has it:
    an editable install may have none, or stale files, and with PYTHONDONTWRITEBYTECODE set
    every run would compile the modules it imports again (a quarter of a warm run)."""
    import compileall

    import schemadoc

    compileall.compile_dir(Path(schemadoc.__file__).parent, quiet=1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    exe = args.venv / "bin" / "schemadoc"
    if not exe.exists():
        raise SystemExit(f"{exe} not found: install the project in {args.venv} (make test does)")
    _compile_package()
    if shutil.which("grep") is None:
        raise SystemExit("grep not found")
    os.environ["GIT_CEILING_DIRECTORIES"] = str(args.corpus)  # for the in-process survey
    trees: dict[str, Any] = {}
    built: dict[str, corpus.Corpus] = {}
    for name in args.trees:
        kind = TREES[name]
        tree = build_tree(kind, args)
        if isinstance(tree, str):
            trees[name] = {"about": kind.about, "skipped": tree}
            continue
        built[name] = tree
        trees[name] = measure_tree(kind, tree, args)
    stage_tree = _stage_tree(args, built)
    stages = time_stages(stage_tree.root, stage_tree.generated, args.stage_tables, args.stage_runs)
    ratios = _summary(trees, stages)
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": _machine(),
        "schemadoc": __version__,
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "grep_pattern": PATTERN,
        "trees": trees,
        "stages": stages,
        "ratios": ratios,
        "skipped_trees": {name: t["skipped"] for name, t in trees.items() if "skipped" in t},
        "all_targets_met": all(r.get("pass", True) for r in ratios.values()),
    }


# -- output -----------------------------------------------------------------------------------


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec) if spec else str(value)


def _corpus_lines(c: dict[str, Any]) -> list[str]:
    g, k, s = c["generated"], c["candidates"], c["schema"]
    parts = ", ".join(f"{p}: {v['files']:,}" for p, v in c["parts"].items())
    return [
        f"{c['files']:,} files, {c['mb']:.1f} MB in {c['root']}: schemadoc finds "
        f"{c['files_found_by_schemadoc']:,} and leaves out {c['files_left_out_as_test_code']:,} "
        "as test code",
        f"  {parts + ', ' if parts else ''}{corpus.GENERATED}: {g['files']} files "
        f"({g['tables']:,} tables, {g['indexes']:,} indexes, {g['foreign_keys']:,} foreign keys)",
        f"candidates: schemadoc prefilter {k['schemadoc']:,}, floor {k['floor']:,} (Python files "
        f"only; {c['floor']['unparsable']} not parsed),",
        f"  grep {k['grep']:,} (only grep {k['only_grep_count']}, only schemadoc "
        f"{k['only_schemadoc_count']})",
        f"schema found: {s['tables']:,} tables ({s['generated_tables']:,} generated), "
        f"diagnostics {s['diagnostics']} ({s['problems_in_generated_files']} warnings/errors in "
        "generated files)",
    ]


def _measurement_lines(measurements: dict[str, Any]) -> list[str]:
    head = (
        f"{'configuration':<36} {'files':>7} {'MB':>7} {'cand.':>6} {'runs':>4} "
        f"{'median s':>9} {'min s':>8} {'peak MB':>8} {'rss MB':>7} {'tree MB':>8}"
    )
    lines = [head, "-" * len(head)]
    for m in measurements.values():
        lines.append(
            f"{m['label']:<36} {_fmt(m['files'], ','):>7} {_fmt(m['mb'], '.1f'):>7} "
            f"{_fmt(m['candidates'], ','):>6} {m['runs']:>4} {m['median_seconds']:>9.3f} "
            f"{m['min_seconds']:>8.3f} {m['median_peak_mb']:>8.1f} {m['median_rss_mb']:>7.1f} "
            f"{m['median_tree_mb']:>8.1f}"
        )
    return lines


def _ratio_lines(ratios: dict[str, Any], width: int = 36) -> list[str]:
    lines = [f"{'ratio':<{width}} {'value':>9} {'target':>9}  result", "-" * (width + 28)]
    for name, r in ratios.items():
        verdict = "" if "pass" not in r else ("PASS" if r["pass"] else "MISS")
        unit = " " if name.endswith("MB") else "x"
        line = f"{name:<{width}} {r['value']:>8.2f}{unit} {r.get('target', ''):>9}  {verdict}"
        lines.append(line.rstrip())
    return lines


def _tree_lines(name: str, tree: dict[str, Any]) -> list[str]:
    title = f"== {name} tree: {tree['about']} "
    lines = [title + "=" * max(3, 100 - len(title))]
    if "skipped" in tree:
        return [*lines, f"skipped: {tree['skipped']}", ""]
    lines += _corpus_lines(tree["corpus"])
    lines += ["", *_measurement_lines(tree["measurements"])]
    lines += ["", *_ratio_lines(tree["ratios"]), ""]
    return lines


def _stage_lines(st: dict[str, Any]) -> list[str]:
    lines = [
        f"== stages in-process on the bench tree's generated DDL (1x = {st['tables_1x']:,} tables "
        f"from {st['files_1x']} files; 2x and 4x are renamed copies), median seconds:",
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
    return [*lines, ""]


def table(result: dict[str, Any]) -> str:
    machine = result["machine"]
    lines = [
        f"schemadoc {result['schemadoc']} benchmark, Python {machine['python']}, "
        f"{machine['cpus']} CPUs, load {machine['load_average'][0]:.2f}",
        "",
    ]
    for name, tree in result["trees"].items():
        lines += _tree_lines(name, tree)
    lines += _stage_lines(result["stages"])
    lines += ["== summary " + "=" * 89, *_ratio_lines(result["ratios"], 44)]
    for name, reason in result["skipped_trees"].items():
        lines.append(f"{name + ' tree':<44} {'-':>9} {'':>9}  SKIPPED ({reason})")
    return "\n".join(lines) + "\n"


def _trees(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in TREES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"trees are {', '.join(TREES)} (comma separated); not {', '.join(unknown) or value!r}"
        )
    return [name for name in TREES if name in names]  # in the order of TREES, each once


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--trees",
        type=_trees,
        help="the trees to measure, of repo, bench, large (default: all; quick: repo,bench)",
    )
    parser.add_argument("--runs", type=int, help="runs per configuration (default 5; quick 3)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: a tenth of the real files of the bench and large trees, 30 generated "
        "files in the bench tree, 3 runs; the large tree only when --trees names it",
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
        help="working folder: the trees, rebuilt on each run, and the large site-packages, "
        "installed once (default: bench/.corpus)",
    )
    parser.add_argument(
        "--venv",
        type=Path,
        default=REPO / ".venv",
        help="the project venv: its site-packages, python and schemadoc (default: .venv)",
    )
    parser.add_argument(
        "--generated-files",
        type=int,
        help="generated DDL files in the bench tree (default 300, about 2,100 tables; quick 30)",
    )
    parser.add_argument(
        "--stage-tables",
        type=int,
        help="tables at 1x for the stage timings, 0 for all generated (default 500; quick 100)",
    )
    parser.add_argument(
        "--stage-runs", type=int, help="runs per stage size (default: --runs, at most 3)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    quick = args.quick
    args.trees = args.trees or (["repo", "bench"] if quick else list(TREES))
    args.runs = args.runs or (3 if quick else 5)
    args.generated_files = args.generated_files or (30 if quick else 300)
    if args.stage_tables is None:
        args.stage_tables = 100 if quick else 500
    args.stage_runs = args.stage_runs or min(args.runs, 3)
    args.sample = 10 if quick else 1
    if args.runs < 1 or args.generated_files < 1:
        parser.error("--runs and --generated-files must be at least 1")
    args.corpus, args.venv = args.corpus.resolve(), args.venv.resolve()
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
