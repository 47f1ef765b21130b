"""Every example in README.md works: settings load, commands run, snippets validate."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from projects import cli_process

from schemadoc.cli import main
from schemadoc.config import load
from schemadoc.output.per_table import file_names
from schemadoc.render.formats import to_json

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
BLOCKS = [(m.group(1), m.group(2)) for m in FENCE.finditer(README)]
HANDLED = {"sh", "toml", "make", "yaml", "markdown", "jinja", "json", "python"}
DDL = (
    'SCHEMA = """\n'
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id));\n"
    '"""\n'
)


def blocks(lang: str) -> list[str]:
    found = [body for kind, body in BLOCKS if kind == lang]
    assert found, f"README.md has no ```{lang} block"
    return found


def _needs(tool: str) -> None:
    """Skip without ``tool``, except in CI (``CI`` set), where that is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is needed in CI")
    pytest.skip(f"{tool} is not installed")


def test_every_code_block_is_exercised() -> None:
    assert {kind for kind, _ in BLOCKS} <= HANDLED


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with the README's example README (markers) and template in place."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "db.py").write_text(DDL)
    (tmp_path / "pyproject.toml").write_text("[tool.schemadoc]\n")
    (tmp_path / "README.md").write_text(blocks("markdown")[0])
    (tmp_path / "my-templates").mkdir()
    (tmp_path / "my-templates" / "table.md.j2").write_text(blocks("jinja")[0])
    _database(tmp_path / "app.db")  # what `schemadoc verify --db app.db` reads
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _database(path: Path) -> None:
    """A database file made by running the example's DDL."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(DDL.split('"""')[1])
    finally:
        conn.close()


@pytest.mark.parametrize("index", range(len([b for b in BLOCKS if b[0] == "toml"])))
def test_toml_blocks_load(tmp_path: Path, index: int) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(blocks("toml")[index])
    settings, _ = load(path)
    assert settings.root == str(tmp_path)


def test_shell_examples_run(project: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    ran = 0
    for body in blocks("sh"):
        for line in body.splitlines():
            words = shlex.split(line, comments=True)
            if not words or words[:2] == ["pip", "install"]:
                continue
            if words[1:2] == ["diff"]:  # needs a repository: see test_diff_examples_run
                continue
            if words[0] == "make":  # the repository's own targets: they exist
                done = subprocess.run(
                    ["make", "-n", *words[1:]],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                assert done.returncode == 0, (line, done.stderr)
                continue
            assert words[0] == "schemadoc", line
            done = cli_process(*words[1:], env=env)
            assert done.returncode in ((0, 1) if words[1] == "lint" else (0,)), (
                line,
                done.stdout,
                done.stderr,
            )
            ran += 1
    assert ran >= 8
    assert "| `user_id` | `INTEGER` | FK | - | - |" in (project / "docs/schema.md").read_text()
    assert (project / "docs/schema/users.md").is_file()
    readme = (project / "README.md").read_text()
    assert readme.startswith("# My service\n\nProse that schemadoc never touches.\n")
    assert readme.endswith("<!-- schemadoc:end -->\n\nMore prose.\n")


def test_template_example(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "src", "--templates", "my-templates", "-o", "out.md"]) == 0
    doc = (project / "out.md").read_text()
    assert "| Column | Type | Key | Constraints | Description |\n" in doc
    assert "| `id` | `INTEGER` | PK | PRIMARY KEY | - |\n" in doc
    assert "| `user_id` | `INTEGER` | FK | - | - |\n" in doc
    assert "### `orders`\n" in doc and "## Mermaid ER Diagram" in doc  # the rest: built-in
    # The error the README shows, for a template whose line 9 names something undefined.
    (project / "my-templates" / "table.md.j2").write_text("\n" * 8 + "{{ no_such }}\n")
    assert main(["generate", "src", "--templates", "my-templates", "-o", "out.md"]) == 2
    shown = re.search(r"`(schemadoc: error: my-templates/table.md.j2:9: [^`]*)`", README)
    assert shown and shown.group(1) in capsys.readouterr().err


def test_split_file_names_shown() -> None:
    for name, example in re.findall(r"`([^`]+)` -> `([^`]+\.md)`", README):
        assert file_names([name])[name] == example


def test_makefile_snippet(project: Path) -> None:
    if shutil.which("make") is None:
        _needs("make")
    (project / "Makefile").write_text(blocks("make")[0])
    (project / "pyproject.toml").write_text(
        '[tool.schemadoc]\npaths = ["src"]\noutput = "docs/database-schema.md"\n'
    )
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "schemadoc").exists():
        _needs("the schemadoc script next to the Python running the tests")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}

    def make(target: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", target], cwd=project, env=env, capture_output=True, text=True, check=False
        )

    assert make("check-schema-docs").returncode != 0  # missing
    assert make("schema-docs").returncode == 0
    assert "| `user_id` | `INTEGER` |" in (project / "docs/database-schema.md").read_text()
    done = make("check-schema-docs")
    assert done.returncode == 0, done.stderr


def _yaml() -> object:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML comes with pre-commit
        _needs("PyYAML (pip install pre-commit)")
    return yaml


def test_ci_job() -> None:
    yaml = _yaml()
    jobs = [yaml.safe_load(b) for b in blocks("yaml") if "  schema-docs:" in b]  # type: ignore[attr-defined]
    assert len(jobs) == 1
    steps = jobs[0]["jobs"]["schema-docs"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert {"run": "schemadoc check"} in steps


def test_verify_ci_steps(project: Path) -> None:
    """The CI steps of ``verify --db``: the schemadoc step, its report going to the job
    summary, passes on a database made from the code's DDL and fails on drift."""
    yaml = _yaml()
    (snippet,) = [b for b in blocks("yaml") if "schemadoc verify" in b]
    steps = yaml.safe_load(snippet)  # type: ignore[attr-defined]
    (command,) = [s["run"] for s in steps if s["run"].startswith("schemadoc ")]
    words = shlex.split(command)
    redirect = words.index(">>")
    assert words[redirect + 1] == "$GITHUB_STEP_SUMMARY"
    database = words[words.index("--db") + 1]

    def run() -> subprocess.CompletedProcess[str]:
        return cli_process(*words[1:redirect])

    _database(project / database)
    done = run()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"# Schema drift: `{database}`")
    conn = sqlite3.connect(project / database)
    conn.execute("DROP TABLE orders")
    conn.close()
    done = run()
    assert done.returncode == 1
    assert "a migration the database never ran" in done.stdout


def test_pre_commit_snippet(tmp_path: Path) -> None:
    yaml = _yaml()
    (snippet,) = [b for b in blocks("yaml") if "repos:" in b]
    config = yaml.safe_load(snippet)  # type: ignore[attr-defined]
    (repo,) = config["repos"]
    assert repo["repo"].startswith("https://") and repo["rev"]
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())  # type: ignore[attr-defined]
    hooks = {hook["id"]: hook for hook in manifest}
    mentioned = re.findall(r"id: ([\w-]+)", snippet)  # the commented-out alternative too
    assert sorted(mentioned) == sorted(hooks) == ["schemadoc", "schemadoc-check"]
    assert [h["id"] for h in repo["hooks"]] == ["schemadoc"]
    assert hooks["schemadoc"]["entry"].startswith("schemadoc generate")
    assert hooks["schemadoc-check"]["entry"] == "schemadoc check"
    assert all(h["pass_filenames"] is False and h["language"] == "python" for h in manifest)
    assert all(re.search(h["files"], "app/db.py") for h in manifest)
    # The snippet, pointed at this checkout, is a valid pre-commit configuration.
    local = snippet.replace(repo["repo"], str(ROOT)).replace(repo["rev"], "HEAD")
    (tmp_path / ".pre-commit-config.yaml").write_text(local)
    for command, path in (
        ("validate-config", tmp_path / ".pre-commit-config.yaml"),
        ("validate-manifest", ROOT / ".pre-commit-hooks.yaml"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "pre_commit", command, str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 and "No module named pre_commit" in done.stderr:
            _needs("pre-commit")
        assert done.returncode == 0, done.stdout + done.stderr


def test_json_example_matches_the_output(seed_result: object) -> None:
    documented = json.loads(blocks("json")[0])
    actual = json.loads(to_json(seed_result.schema))  # type: ignore[attr-defined]

    def keys_within(doc: object, real: object, where: str) -> None:
        if real is None:  # nullable in this example's data
            return
        if isinstance(doc, dict):
            assert isinstance(real, dict) and set(doc) <= set(real), where
            for key, value in doc.items():
                keys_within(value, real[key], f"{where}.{key}")
        elif isinstance(doc, list) and doc and isinstance(real, list) and real:
            keys_within(doc[0], real[0], f"{where}[0]")

    assert set(documented) == set(actual)
    keys_within(documented, actual, "$")


def test_python_blocks_are_silenced_as_the_readme_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ignore comments of the README's Python example silence what its lines report."""
    (snippet,) = blocks("python")
    (tmp_path / "db.py").write_text(snippet)
    monkeypatch.chdir(tmp_path)
    assert main(["generate", ".", "--output", "-"]) == 0
    assert "error[" not in capsys.readouterr().err
    (tmp_path / "db.py").write_text(snippet.replace("# schemadoc: ignore[SD201]", ""))
    assert main(["generate", ".", "--output", "-"]) == 2
    assert "db.py:1:14: error[SD201]" in capsys.readouterr().err


def _git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "a",
        "GIT_AUTHOR_EMAIL": "a@example.invalid",
        "GIT_COMMITTER_NAME": "a",
        "GIT_COMMITTER_EMAIL": "a@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def test_diff_examples_run(project: Path) -> None:
    """The ``schemadoc diff`` lines, in a repository with the revisions they name."""
    if shutil.which("git") is None:
        _needs("git")
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "--all")
    _git(project, "commit", "-q", "-m", "one")
    _git(project, "tag", "v1.4.0")
    (project / "src" / "more.py").write_text('M = "CREATE TABLE more (id INTEGER PRIMARY KEY)"\n')
    _git(project, "add", "--all")
    _git(project, "commit", "-q", "-m", "two")
    _git(project, "tag", "v1.5.0")
    _git(project, "update-ref", "refs/remotes/origin/main", "v1.4.0")
    ran = 0
    for body in blocks("sh"):
        for line in body.splitlines():
            words = shlex.split(line, comments=True)
            if words[:2] != ["schemadoc", "diff"]:
                continue
            if ">" in words:
                words = words[: words.index(">")]
            done = cli_process(*words[1:])
            assert done.returncode in (0, 1), (line, done.stdout, done.stderr)
            ran += 1
    assert ran >= 5


def test_diff_ci_job() -> None:
    """The pull-request job: full history, the diff step's script, the comment steps."""
    yaml = _yaml()
    (snippet,) = [b for b in blocks("yaml") if "schemadoc diff" in b]
    job = yaml.safe_load(snippet)["jobs"]["schema-diff"]  # type: ignore[attr-defined]
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[0]["with"]["fetch-depth"] == 0
    (diff,) = [s for s in steps if s.get("id") == "diff"]
    assert "${{" not in diff["run"]  # the branch name comes in through the environment
    assert 'schemadoc diff "$BASE" HEAD --format markdown > schema-diff.md' in diff["run"]
    comments = [s for s in steps if "sticky-pull-request-comment" in s.get("uses", "")]
    assert [s["if"] for s in comments] == [
        "steps.diff.outputs.status == '1'",
        "steps.diff.outputs.status == '0'",
    ]
    assert comments[0]["with"]["path"] == "schema-diff.md"
