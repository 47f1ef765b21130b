"""Fuzzing: generated modules with valid and mangled DDL in every literal form.

For each generated project: no exception escapes ``scan``, the JSON output is the same on a
second run, and every valid table is documented with exactly its columns, in order.

CI runs a few hundred examples, derandomized; a long run sets the number of examples::

    SCHEMADOC_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/test_fuzz.py -q \\
        -p no:cacheprovider -n 0 --timeout=0

(``make fuzz`` runs that: one process, without the suite's 300 s limit per test.)

``SCHEMADOC_FUZZ_SHRINK=0`` skips shrinking. With ``SCHEMADOC_FUZZ_SAVE=<folder>`` every
failing case is also written there as JSON; copy
the smallest into ``tests/regressions/`` and it is replayed by ``test_regression``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from fuzz_strategies import Case, cases
from hypothesis import HealthCheck, Phase, given, settings

from schemadoc.config import Settings
from schemadoc.pipeline import Result, scan
from schemadoc.render.formats import to_json

EXAMPLES = int(os.environ.get("SCHEMADOC_FUZZ_EXAMPLES", "200"))
REGRESSIONS = Path(__file__).parent / "regressions"


def _scan(folder: Path) -> tuple[Result, str]:
    result = scan([folder], Settings(root=str(folder)))
    return result, to_json(result.schema)


def check(case: Case) -> None:
    """The fuzz properties for one case (raises AssertionError, or what scan raised)."""
    folder = Path(tempfile.mkdtemp(prefix="schemadoc-fuzz-"))
    try:
        case.write(folder)
        result, first = _scan(folder)
        _, second = _scan(folder)
        assert first == second, "the output differs between two runs"
        for name, columns in case.expected.items():
            table = result.schema.table(name)
            assert table is not None, (
                f"valid table {name!r} is missing; diagnostics:\n"
                + "\n".join(str(d) for d in result.diagnostics)
            )
            assert [c.name for c in table.columns] == columns, (
                f"table {name!r}: columns {[c.name for c in table.columns]} != {columns}; "
                "diagnostics:\n" + "\n".join(str(d) for d in result.diagnostics)
            )
    except BaseException:
        if not case.xfail:
            _save(case)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _save(case: Case) -> None:
    target = os.environ.get("SCHEMADOC_FUZZ_SAVE")
    if not target:
        return
    text = case.to_json()
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    path = Path(target) / f"{len(text):08d}-{digest}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 1000,  # CI: the same examples every run; long runs explore
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
    # SCHEMADOC_FUZZ_SHRINK=0: report the first failure as found (shrinking can take minutes)
    phases=list(Phase) if os.environ.get("SCHEMADOC_FUZZ_SHRINK", "1") != "0" else [Phase.generate],
)
@given(cases())
def test_fuzz_scan(case: Case) -> None:
    check(case)


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.json")), ids=lambda p: p.stem)
def test_regression(path: Path, request: pytest.FixtureRequest) -> None:
    """Cases the fuzzer once found failing, replayed as they were saved. A case of a known,
    unfixed bug names it in ``xfail``."""
    case = Case.from_json(path.read_text(encoding="utf-8"))
    if case.xfail:
        request.applymarker(pytest.mark.xfail(strict=True, reason=case.xfail))
    check(case)


def test_case_round_trips_through_json() -> None:
    case = Case({"m0.py": 'DDL = "CREATE TABLE t_a (c_b)"\n'}, {"t_a": ["c_b"]})
    assert Case.from_json(case.to_json()) == case
    check(case)
