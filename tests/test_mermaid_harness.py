"""The Mermaid render harness reports, per diagram, whether mermaid 11 can render it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

try:
    from tests.mermaid import harness
except ImportError:  # tests/ is not a package on sys.path (plain `pytest`): tests/ itself is
    from mermaid import harness  # type: ignore[no-redef]

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


@pytest.fixture
def render() -> Render:
    """``render_mermaid`` that skips the test (fails it when ``$CI`` is set) without a browser."""

    def _render(diagrams: dict[str, str]) -> dict[str, str | None]:
        harness.skip_or_fail_without_browser()  # in the test body: reported FAILED, not ERROR
        return harness.render_mermaid(diagrams)

    return _render


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
            "unknown type": "notADiagram\n  a --> b",
            "flowchart": "flowchart LR\n  a --> b",
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
