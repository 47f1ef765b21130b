"""The benchmark's stage timer runs on a small generated corpus and documents every table at
every scale, and its floor lists and prefilters the files schemadoc surveys (the benchmark
itself is not a test; this keeps its code in step with the tool)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemadoc.config import Settings
from schemadoc.pipeline import survey

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.delitem(sys.modules, "run", raising=False)
    monkeypatch.delitem(sys.modules, "corpus", raising=False)
    monkeypatch.delitem(sys.modules, "measuring", raising=False)
    import corpus
    import run

    monkeypatch.setattr(run, "log", lambda message: None)
    return corpus, run


def test_the_stage_timer_documents_every_generated_table_at_each_scale(
    bench,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    corpus, run = bench
    generated = corpus.generate(12)
    for display, text in generated.files.items():
        path = tmp_path / display
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    stages = run.time_stages(tmp_path, generated, tables=0, runs=1, scales=(1, 2))
    assert stages["tables_1x"] == generated.tables
    assert stages["extract_diagnostics"] == 0
    one, two = stages["scales"]["1x"], stages["scales"]["2x"]
    assert one["tables"] == generated.tables
    assert two["tables"] == 2 * one["tables"]
    assert two["indexes"] == 2 * one["indexes"] >= 2 * generated.indexes
    # Each stage was timed once per run (what the timings are is not checked here).
    for scale in (one, two):
        assert scale["runs"] == 1 and scale["statements"] > 0 and scale["document_chars"] > 0
        assert {stage: len(scale["samples"][stage]) for stage in (*run.STAGES, "total")} == {
            stage: 1 for stage in (*run.STAGES, "total")
        }
        assert all(isinstance(scale[f"{stage}_seconds"], float) for stage in run.STAGES)


def test_the_floor_finds_the_files_and_candidates_that_schemadoc_surveys(
    bench,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    corpus, run = bench
    files = dict(corpus.generate(12).files)
    files["app/plain.py"] = "def add(a, b):\n    return a + b\n"
    files["app/stubs.pyi"] = 'DDL: str = "CREATE TABLE stub (id INTEGER)"\n'
    files["app/broken.py"] = 'SQL = "CREATE TABLE broken (id INTEGER)"\ndef (:\n'
    files["tests/test_schema.py"] = 'SQL = "CREATE TABLE in_test (id INTEGER)"\n'  # left out
    for display, text in files.items():
        path = tmp_path / display
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    proc = subprocess.run(
        [sys.executable, str(run.FLOOR), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    counts = json.loads(proc.stdout)
    s = survey([tmp_path], Settings(root=str(tmp_path), cache=False))
    python = {d for d, state in s.files.items() if state.ddl and d.endswith((".py", ".pyi"))}
    assert counts["files"] == s.found == len(files) - 1
    assert counts["candidates"] == len(python)
    assert {"app/stubs.pyi", "app/broken.py"} <= python
    assert counts["unparsable"] == 1
    assert counts["parsed"] == len(python) - 1
