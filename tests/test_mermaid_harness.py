"""The Mermaid render harness reports, per diagram, whether mermaid 11 can render it."""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from shared import once_per_run

try:
    from tests.mermaid import harness
except ImportError:  # tests/ is not a package on sys.path (plain `pytest`): tests/ itself is
    from mermaid import harness  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
Render = Callable[[dict[str, str]], dict[str, str | None]]

VALID_ER = """\
erDiagram
    executions ||--o{ transitions : "execution_id"
    executions {
        TEXT id PK "primary key"
        TEXT status
    }
    transitions {
        INTEGER id PK
        TEXT execution_id FK
    }
"""

BROKEN_ER = """\
erDiagram
    executions ||--o{ : "missing right-hand entity"
"""

UNKNOWN_TYPE = "notADiagram\n  a --> b"
FLOWCHART = "flowchart LR\n  a --> b"

# Every diagram of this module, rendered together: one Chromium session serves every test.
BATCH = {
    "good": VALID_ER,
    "broken": BROKEN_ER,
    "unknown type": UNKNOWN_TYPE,
    "flowchart": FLOWCHART,
}


@pytest.fixture
def render(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """``render_mermaid`` that skips the test (fails it when ``$CI`` is set) without a browser.
    Diagrams of ``BATCH`` are looked up in its one render (once per test run); any other is
    rendered at once."""
    name_of = {source: name for name, source in BATCH.items()}

    def _render(diagrams: dict[str, str]) -> dict[str, str | None]:
        harness.skip_or_fail_without_browser()  # in the test body: reported FAILED, not ERROR
        if not set(diagrams.values()) <= set(name_of):
            return harness.render_mermaid(diagrams)
        batch = once_per_run(tmp_path_factory, "mermaid_batch", render_batch)
        return {name: batch[name_of[source]] for name, source in diagrams.items()}

    return _render


@functools.cache
def render_batch() -> dict[str, str | None]:
    """``BATCH`` rendered (once per process)."""
    return harness.render_mermaid(BATCH)


@pytest.mark.browser
def test_valid_er_diagram_renders(render: Render) -> None:
    assert render({"schema": VALID_ER}) == {"schema": None}


@pytest.mark.browser
def test_syntax_error_is_reported(render: Render) -> None:
    error = render({"broken": BROKEN_ER})["broken"]
    assert error is not None
    assert "Parse error on line 2" in error


@pytest.mark.browser
def test_mixed_batch_reports_each_diagram(render: Render) -> None:
    results = render(
        {
            "good": VALID_ER,
            "broken": BROKEN_ER,
            "unknown type": UNKNOWN_TYPE,
            "flowchart": FLOWCHART,
        }
    )
    assert results["good"] is None
    assert results["flowchart"] is None
    assert results["broken"] is not None and "Parse error" in results["broken"]
    assert (
        results["unknown type"] is not None
        and "No diagram type detected" in results["unknown type"]
    )


def test_missing_browser_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium")
    assert not harness.browser_available()
    with pytest.raises(harness.BrowserUnavailableError, match="chromium not found"):
        harness.render_mermaid({"schema": VALID_ER})


@pytest.mark.parametrize(
    ("ci", "outcome"),
    [("", pytest.skip.Exception), ("true", pytest.fail.Exception)],
    ids=["skipped", "failed-in-ci"],
)
def test_a_missing_browser_skips_naming_it_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome) as raised:
        harness.skip_or_fail_without_browser()
    message = str(raised.value)
    assert "chromium not found at /nonexistent/chromium" in message
    assert "set CHROMIUM_PATH to a Chromium binary" in message
    assert "bash .ci/install-browser.sh" in message


def test_the_install_script_names_what_is_missing(tmp_path: Path) -> None:
    """Without Node.js and with no Chromium at CHROMIUM_PATH, the install script installs
    nothing, names both and exits 1 (``make test`` then runs the suite without them)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "sed", "id"):  # what the script needs besides Node.js and apt-get
        found = shutil.which(tool)
        assert found is not None, tool
        (bin_dir / tool).symlink_to(found)
    bash = shutil.which("bash")
    assert bash is not None
    done = subprocess.run(
        [bash, str(ROOT / ".ci" / "install-browser.sh")],
        env={"PATH": str(bin_dir), "CHROMIUM_PATH": str(tmp_path / "no-chromium")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "missing: Node.js >= 20 with npm (not on PATH)" in done.stderr
    assert f"missing: Chromium at CHROMIUM_PATH={tmp_path / 'no-chromium'}" in done.stderr
    # It tried to install nothing.
    assert "npm ci in" not in done.stderr and "installing chromium" not in done.stderr
