"""The package's layout: stage packages in pipeline order, imports that only look back.

The top level of ``schemadoc/`` holds the stage packages and a few modules (settings, the
pipeline, the relations and lint passes). A module imports from its own stage and from earlier
ones, never from a later one; ``model`` and ``config`` may be imported by all.

Ceilings, set at the longest module (``extract/extractor.py``, 1500 lines) and the longest
function (``verify.verify._apply``, 134 lines) when the layout was made, and lowered to the
longest since: they may only go down.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "schemadoc"

# Pipeline order: each stage may import from those before it.
STAGES = (
    "model",
    "discover",
    "sql",
    "pyeval",
    "extract",
    "verify",
    "relations",
    "lint",
    "render",
    "output",
    "incremental",
    "pipeline",
    "diff",
    "cli",
)
SHARED = {"model", "config"}  # imported by every stage
TOP_MODULES = {"__init__", "__main__", "config", "pipeline", "relations", "lint"}
TOP_PACKAGES = set(STAGES) - TOP_MODULES
MAX_MODULE_LINES = 493
MAX_FUNCTION_LINES = 59


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> list[str]:
    parts = ["schemadoc", *path.relative_to(PACKAGE).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _stage(module: list[str]) -> str:
    """The stage of an absolute module name: its first part below ``schemadoc``."""
    return module[1] if len(module) > 1 else "__init__"


def _imported(path: Path) -> set[tuple[str, ...]]:
    """The absolute names of the schemadoc modules ``path`` imports from, lazy imports too."""
    package = _name(path) if path.name == "__init__.py" else _name(path)[:-1]
    out: set[tuple[str, ...]] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
            else:
                target = (node.module or "").split(".")
            if target[0] == "schemadoc":
                out.add(tuple(target))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "schemadoc":
                    out.add(tuple(alias.name.split(".")))
    return out


def test_the_top_level_holds_only_the_stages() -> None:
    entries = {p.stem for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages == TOP_PACKAGES
    assert entries == TOP_PACKAGES | TOP_MODULES


@pytest.mark.parametrize("package", sorted(TOP_PACKAGES))
def test_each_stage_package_says_what_it_is(package: str) -> None:
    assert ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text()))


def test_no_module_imports_from_a_later_stage() -> None:
    rank = {stage: i for i, stage in enumerate(STAGES)}
    wrong = []
    for path in _modules():
        own = _stage(_name(path))
        for target in _imported(path):
            stage = _stage(list(target))
            if stage == "__init__" or stage in SHARED or own in ("__init__", "__main__"):
                continue
            # settings read their file with discover's bounded reads
            allowed = ("model", "discover") if own == "config" else STAGES[: rank[own] + 1]
            if stage not in allowed:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {'.'.join(target)}")
    assert wrong == []


def test_modules_and_functions_stay_short() -> None:
    long_modules, long_functions = [], []
    for path in _modules():
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            long_modules.append(path.relative_to(PACKAGE))
        for node in ast.walk(ast.parse(text)):
            function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if function and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:  # type: ignore[attr-defined]
                long_functions.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert long_modules == []
    assert long_functions == []
