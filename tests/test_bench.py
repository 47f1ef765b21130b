"""The benchmark's stage timer runs on a small generated corpus and documents every table at
every scale (the benchmark itself is not a test; this keeps its code in step with the tool)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.delitem(sys.modules, "run", raising=False)
    monkeypatch.delitem(sys.modules, "corpus", raising=False)
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
