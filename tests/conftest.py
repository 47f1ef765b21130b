"""Shared fixtures: paths of the bundled fixture projects, and a scan helper."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemadoc.config import Settings
from schemadoc.incremental import survey as survey_stage
from schemadoc.model.schema import Schema
from schemadoc.pipeline import Result, scan

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture(autouse=True)
def _private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Every test gets an empty cache of its own, never one inside the repository."""
    folder = tmp_path_factory.mktemp("cache")
    real = survey_stage.cache_folder
    monkeypatch.setattr(
        survey_stage,
        "cache_folder",
        lambda settings: real(settings) if settings.cache_dir or not settings.cache else folder,
    )


def scan_folder(folder: Path, **settings: object) -> Result:
    """Scan ``folder`` with paths shown relative to it."""
    return scan([folder], Settings(root=str(folder), **settings))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def seed_result() -> Result:
    return scan_folder(FIXTURES / "seed_project")


def _schema(folder: str) -> Schema:
    result = scan([FIXTURES / folder], Settings(root=str(ROOT)))
    assert not result.has_errors(), result.diagnostics
    return result.schema


@pytest.fixture(scope="session")
def seed() -> Schema:
    """The bundled example's schema (paths relative to the repository)."""
    return _schema("seed_project")


@pytest.fixture(scope="session")
def rich() -> Schema:
    """The richer fixture's schema: composite keys, declared FKs, views, triggers..."""
    return _schema("rich_project")
