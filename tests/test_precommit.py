"""The pre-commit hooks, run by real pre-commit against a commit of this working tree.

pre-commit installs the hook repository (a temporary git repo holding a copy of this
checkout) into a virtualenv of its own, with schemadoc's dependencies from the package index.
Without the index (or pre-commit) the test is skipped, except in CI (``CI`` set), where it
fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from shared import once_per_run

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.precommit

DDL = 'SCHEMA = """CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"""\n'
GIT = [
    "git",
    "-c",
    "user.name=schemadoc tests",
    "-c",
    "user.email=tests@example.invalid",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"pre-commit test cannot run in CI: {reason}")
    pytest.skip(reason)


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repo holding this working tree (tracked and untracked, not ignored) at a commit:
    one per test run, whichever workers the tests run on."""
    return once_per_run(tmp_path_factory, "hook_repo", lambda: _hook_repo(tmp_path_factory))


def _hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    if shutil.which("git") is None:
        _unavailable("git is not installed")
    if _run([sys.executable, "-m", "pre_commit", "--version"], ROOT).returncode != 0:
        _unavailable("pre-commit is not installed (pip install 'pre-commit>=3.5')")
    probe = _run([sys.executable, "-m", "pip", "index", "versions", "hatchling"], ROOT, timeout=120)
    if probe.returncode != 0:
        _unavailable(f"pip cannot reach the package index: {probe.stderr.strip()[-300:]}")
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT)
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "hooks"]):
        done = _run([*GIT, *command], repo)
        assert done.returncode == 0, done.stderr
    sha = _run(["git", "rev-parse", "HEAD"], repo).stdout.strip()
    return repo, sha


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for every run, whichever workers the tests run on: the hook
    environment is built once (pre-commit locks its cache while it installs)."""
    return once_per_run(
        tmp_path_factory, "pre_commit_home", lambda: tmp_path_factory.mktemp("pre-commit-home")
    )


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, str]) -> Path:
    repo, sha = hook_repo
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "db.py").write_text(DDL)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.schemadoc]\npaths = ["app"]\noutput = "docs/schema.md"\ntitle = "App Schema"\n'
    )
    (tmp_path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {sha}\n    hooks:\n"
        "      - id: schemadoc\n      - id: schemadoc-check\n"
    )
    assert _run([*GIT, "init", "-q"], tmp_path).returncode == 0
    _stage(tmp_path)
    return tmp_path


def _stage(project: Path) -> None:
    done = _run([*GIT, "add", "-A"], project)
    assert done.returncode == 0, done.stderr


def _hook(project: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    done = _run([sys.executable, "-m", "pre_commit", "run", hook, "--all-files"], project, env)
    if "Could not find a version" in done.stdout + done.stderr:  # the index went away
        _unavailable(f"pre-commit could not install the hook:\n{done.stdout}{done.stderr}")
    return done


def test_generate_hook_writes_then_passes(project: Path, pre_commit_home: Path) -> None:
    doc = project / "docs" / "schema.md"
    first = _hook(project, pre_commit_home, "schemadoc")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "Failed" in first.stdout
    assert "wrote docs/schema.md" in first.stdout
    assert "| `name` | `TEXT` | NOT NULL |" in doc.read_text()

    _stage(project)
    second = _hook(project, pre_commit_home, "schemadoc")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout

    (project / "app" / "db.py").write_text(DDL.replace("NOT NULL)", "NOT NULL, email TEXT)"))
    _stage(project)
    third = _hook(project, pre_commit_home, "schemadoc")
    assert third.returncode == 1, third.stdout + third.stderr
    assert "files were modified by this hook" in third.stdout
    assert "| `email` | `TEXT` | - |" in doc.read_text()

    _stage(project)
    fourth = _hook(project, pre_commit_home, "schemadoc")
    assert fourth.returncode == 0, fourth.stdout + fourth.stderr


def test_check_hook_fails_with_a_diff_and_never_writes(
    project: Path, pre_commit_home: Path
) -> None:
    doc = project / "docs" / "schema.md"
    missing = _hook(project, pre_commit_home, "schemadoc-check")
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert "docs/schema.md is missing" in missing.stdout
    assert not doc.exists()

    assert _hook(project, pre_commit_home, "schemadoc").returncode == 1  # writes the doc
    _stage(project)
    current = _hook(project, pre_commit_home, "schemadoc-check")
    assert current.returncode == 0, current.stdout + current.stderr

    before = doc.read_bytes()
    (project / "app" / "db.py").write_text(DDL.replace("NOT NULL)", "NOT NULL, email TEXT)"))
    _stage(project)
    stale = _hook(project, pre_commit_home, "schemadoc-check")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "+| `email` | `TEXT` | - |" in stale.stdout
    assert "docs/schema.md is stale" in stale.stdout
    assert doc.read_bytes() == before
