"""Shared fixtures: paths of the bundled fixture projects, and a scan helper."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemadoc.api import Result, scan
from schemadoc.config import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture(autouse=True)
def _no_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory):
    """Keep every test away from the user's real cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


def scan_folder(folder: Path, **settings: object) -> Result:
    """Scan ``folder`` with paths shown relative to it."""
    return scan([folder], Settings(root=str(folder), **settings))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def seed_result() -> Result:
    return scan_folder(FIXTURES / "seed_project")
