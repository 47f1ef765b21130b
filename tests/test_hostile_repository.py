"""A hostile repository: its settings, templates, git metadata, symlinks and committed cache
are written by whoever opened the pull request, and none of them may run code, reach or print
anything outside the project, lie through the cache or hang the run.

Each test plays one attack the way CI or pre-commit would meet it (``schemadoc check`` or
``generate`` in the project folder) and checks that the effect did not happen and that the
run says why.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from projects import USERS, cli_process, git, small_project

from schemadoc import pipeline
from schemadoc.cli import main
from schemadoc.config import Settings
from schemadoc.discover.source import token_estimate
from schemadoc.incremental import survey as survey_stage
from schemadoc.render import isolated

PROJECT_CACHE_FOLDER = survey_stage.cache_folder  # bound before the suite gives each test its own
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def run_cli(*args: str) -> int:
    return main([*args, "--quiet"])


def isolated_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The project's own cache folder, as a real run has it (the suite's default is a
    private folder per test)."""
    monkeypatch.setattr(survey_stage, "cache_folder", PROJECT_CACHE_FOLDER)


# --- code execution ------------------------------------------------------------------------

PAYLOADS = [
    "{{ self.__init__.__globals__.__builtins__.__import__('os').system('touch PWNED') }}",
    "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}{{ 'x'.format.__globals__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ lipsum.__globals__['os'].system('touch PWNED') }}",
    "{{ settings.__class__.__init__.__globals__['sys'].modules['os'].system('touch PWNED') }}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_project_template_cannot_run_python(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    payload: str,
) -> None:
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\ntemplates = "tpl"\n')
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "markdown.md.j2").write_text(payload + "\n")
    assert run_cli("check") == 2
    assert not (tmp_path / "PWNED").exists()
    err = capsys.readouterr().err
    assert "tpl/markdown.md.j2:1: template failed: SecurityError" in err


def test_project_templates_still_render_in_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\ntemplates = "tpl"\n')
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "markdown.md.j2").write_text(
        "# {{ settings.title }}\n{% for t in tables %}- {{ t.name | code }}: "
        "{{ t.columns | map(attribute='name') | join(', ') }}\n{% endfor %}"
    )
    assert run_cli("generate") == 0
    assert (tmp_path / "docs" / "schema.md").read_text().splitlines()[1] == ("- `users`: id, name")


@pytest.mark.parametrize(
    "template",
    [
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s | length }}",
        "{{ 'x' * 4000000000 }}",
    ],
    ids=["loops", "doubling", "repeat"],
)
def test_a_project_template_cannot_exhaust_the_machine(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    template: str,
) -> None:
    monkeypatch.setattr(isolated, "CPU_SECONDS", 1)
    monkeypatch.setattr(isolated, "MEMORY_BYTES", 512 * 2**20)
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\ntemplates = "tpl"\n')
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "markdown.md.j2").write_text(template + "\n")
    assert run_cli("generate") == 2
    err = capsys.readouterr().err
    assert "the templates were stopped" in err or "MemoryError" in err
    assert not (tmp_path / "docs" / "schema.md").exists()


@needs_git
def test_a_planted_bare_repository_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\n')
    evil = tmp_path / "src" / "evil"
    for folder in ("objects", "refs/heads"):
        (evil / folder).mkdir(parents=True)
    (evil / "HEAD").write_text("ref: refs/heads/main\n")
    (evil / "config").write_text(
        "[core]\n\trepositoryformatversion = 0\n\tworktree = .\n"
        '\tfsmonitor = "touch PWNED; false #"\n'
    )
    (evil / "db.py").write_text(USERS)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.schemadoc]\npaths = ["src/evil"]\noutput = "docs/schema.md"\n'
    )
    assert run_cli("generate") == 0
    assert not list(tmp_path.rglob("PWNED"))
    assert "`users`" in (tmp_path / "docs" / "schema.md").read_text()


@needs_git
def test_a_repository_config_names_no_program_that_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .git folder in an unpacked archive is the author's too: its fsmonitor, hooks and
    pager never run."""
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\n')
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "app/db.py")
    git(tmp_path, "commit", "-q", "-m", "db")
    git(tmp_path, "config", "core.fsmonitor", f"touch {tmp_path / 'PWNED'}; false #")
    git(tmp_path, "config", "core.pager", f"touch {tmp_path / 'PAGER'}; cat")
    assert run_cli("generate") == 0
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "PAGER").exists()
    assert "`users`" in (tmp_path / "docs" / "schema.md").read_text()


@needs_git
def test_a_work_tree_moved_out_of_the_project_is_not_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text('S = "CREATE TABLE secret_outside (token TEXT)"\n')
    project = tmp_path / "project"
    project.mkdir()
    small_project(project, monkeypatch, 'output = "docs/schema.md"\n')
    git(project, "init", "-q")
    git(project, "config", "core.worktree", str(outside))
    assert run_cli("generate") == 0
    doc = (project / "docs" / "schema.md").read_text()
    assert "`users`" in doc and "secret_outside" not in doc


def test_an_output_in_git_hooks_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    small_project(tmp_path, monkeypatch, 'output = ".git/hooks/pre-commit"\ntitle = "!/bin/sh"\n')
    (tmp_path / ".git" / "hooks").mkdir(parents=True)
    assert run_cli("generate") == 2
    assert not (tmp_path / ".git" / "hooks" / "pre-commit").exists()
    assert "output '" in capsys.readouterr().err


# --- writes and reads outside the project ------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('output = "../victim.txt"', "outside the project folder"),
        ('output = "app/db.py"', "not a documentation file"),
        ('output = "pyproject.toml"', "not a documentation file"),
        ('output = ".venv/lib/python3.11/site-packages/evil.pth"', "not a documentation file"),
        ('output = "Makefile"', "not a documentation file"),
        ('inject = "app/db.py"', "not a documentation file"),
        ('output = ".GIT/x.md"', "inside .GIT"),
        ('output = ".hg/hgrc.md"', "inside .hg"),
        ('inject = "../victim.txt"', "outside the project folder"),
        ('split = "../victims"', "outside the project folder"),
        ('split = ".git/docs"', "inside .git"),
        ('templates = "/etc"', "outside the project folder"),
        ('cache_dir = "../cache"', "outside the project folder"),
        ('paths = ["/etc"]', "outside the project folder"),
        ('paths = ["../victims"]', "outside the project folder"),
        ('paths = ["app/link"]', "outside the project folder"),
    ],
)
def test_settings_cannot_name_a_place_outside_the_project(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    message: str,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "victim.txt").write_text("precious\n")
    (tmp_path / "victims").mkdir()
    small_project(project, monkeypatch, setting + "\n")
    (project / "app" / "link").symlink_to(tmp_path / "victims")
    if setting.startswith("paths"):
        (project / "pyproject.toml").write_text(f"[tool.schemadoc]\n{setting}\n")
    isolated_cache(monkeypatch)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert run_cli("generate") == 2
    assert message in capsys.readouterr().err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_the_command_line_is_held_to_the_project_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    small_project(project, monkeypatch)
    assert run_cli("generate", "--output", str(tmp_path / "victim.md")) == 2
    assert not (tmp_path / "victim.md").exists()
    assert "outside the project folder" in capsys.readouterr().err


def test_check_never_prints_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CI_SECRET_TOKEN", "hunter2-do-not-print")
    small_project(tmp_path, monkeypatch, 'output = "/proc/self/environ"\n')
    assert run_cli("check") == 2
    captured = capsys.readouterr()
    assert "hunter2" not in captured.out + captured.err


def test_a_symlinked_output_to_a_secret_is_neither_read_nor_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    project = tmp_path / "project"
    project.mkdir()
    small_project(project, monkeypatch, 'output = "docs/schema.md"\n')
    (project / "docs").mkdir()
    (project / "docs" / "schema.md").symlink_to(secret)
    for command in ("check", "generate"):
        assert run_cli(command) == 2
        captured = capsys.readouterr()
        assert "hunter2" not in captured.out + captured.err
        assert "outside the project folder" in captured.err
    assert secret.read_text() == "password=hunter2\n"
    assert (project / "docs" / "schema.md").is_symlink()


def _cli_in(project: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own: a hang fails the test, not the suite."""
    return cli_process(*args, cwd=project, timeout=timeout)


@pytest.mark.parametrize("kind", ["/dev/zero symlink", "fifo"])
def test_an_output_that_never_ends_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\n')
    (tmp_path / "docs").mkdir()
    target = tmp_path / "docs" / "schema.md"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    proc = _cli_in(tmp_path, "check")
    assert proc.returncode == 2
    assert "output 'docs/schema.md'" in proc.stderr
    assert "internal error" not in proc.stderr


@pytest.mark.parametrize("kind", ["/dev/zero symlink", "fifo"])
def test_settings_that_never_end_are_not_read(tmp_path: Path, kind: str) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "db.py").write_text(USERS)
    if kind == "fifo":
        os.mkfifo(tmp_path / "pyproject.toml")
    else:
        (tmp_path / "pyproject.toml").symlink_to("/dev/zero")
    proc = _cli_in(tmp_path, "check")
    assert proc.returncode == 2
    assert "pyproject.toml: cannot read" in proc.stderr


def test_inject_into_a_symlink_keeps_the_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_project(tmp_path, monkeypatch, 'inject = "README.md"\n')
    (tmp_path / "docs").mkdir()
    real = tmp_path / "docs" / "README.md"
    real.write_text("# App\n\n<!-- schemadoc:start -->\n<!-- schemadoc:end -->\n")
    (tmp_path / "README.md").symlink_to("docs/README.md")
    assert run_cli("generate") == 0
    assert (tmp_path / "README.md").is_symlink()
    assert "`users`" in real.read_text()


@pytest.mark.parametrize("folder", ["docs", "."])
def test_the_cache_folder_must_be_one_schemadoc_owns(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    folder: str,
) -> None:
    small_project(tmp_path, monkeypatch, f'output = "docs/schema.md"\ncache_dir = "{folder}"\n')
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "intro.md").write_text("# Intro\n")
    isolated_cache(monkeypatch)
    assert run_cli("generate") == 2
    assert "cache_dir" in capsys.readouterr().err
    assert not (tmp_path / "docs" / ".gitignore").exists()
    assert not (tmp_path / ".gitignore").exists()


def test_split_files_that_are_links_are_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("<!-- generated by schemadoc; do not edit -->\npassword=hunter2\n")
    project = tmp_path / "project"
    project.mkdir()
    small_project(project, monkeypatch, 'split = "docs/schema"\n')
    (project / "docs" / "schema").mkdir(parents=True)
    (project / "docs" / "schema" / "users.md").symlink_to(secret)
    assert run_cli("check") == 2
    captured = capsys.readouterr()
    assert "hunter2" not in captured.out + captured.err
    assert "was not written by schemadoc" in captured.err
    assert secret.read_text().endswith("password=hunter2\n")


def test_a_read_only_document_is_replaced_only_with_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\n')
    (tmp_path / "docs").mkdir()
    doc = tmp_path / "docs" / "schema.md"
    doc.write_text("kept as it is\n")
    doc.chmod(0o444)
    assert run_cli("generate") == 2
    assert "read-only" in capsys.readouterr().err
    assert doc.read_text() == "kept as it is\n"
    assert run_cli("generate", "--force") == 0
    assert "`users`" in doc.read_text()
    assert stat.S_IMODE(doc.stat().st_mode) == 0o444


def test_a_sql_output_is_not_scanned_and_replaces_only_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    small_project(tmp_path, monkeypatch, 'output = "app/schema.sql"\nformat = "sql"\n')
    assert run_cli("generate") == 0
    written = (tmp_path / "app" / "schema.sql").read_text()
    assert run_cli("generate") == 0  # its own output is not read back as a second definition
    assert (tmp_path / "app" / "schema.sql").read_text() == written
    capsys.readouterr()
    (tmp_path / "app" / "schema.sql").write_text("CREATE TABLE hand_written (id INTEGER);\n")
    assert run_cli("generate") == 2
    assert "an SQL file that schemadoc did not write" in capsys.readouterr().err


def test_a_schema_schemadoc_wrote_is_not_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written by an earlier run with other settings, it is still not a second definition."""
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\n')
    assert run_cli("generate", "--format", "sql", "--output", "app/schema.sql") == 0
    assert run_cli("generate") == 0
    result = pipeline.scan([tmp_path / "app"], Settings(root=str(tmp_path)))
    assert [d for d in result.diagnostics if d.severity != "note"] == []
    assert [s.path for s in result.schema.table("users").sources] == ["app/db.py"]


def test_terminal_escapes_in_the_project_are_shown_not_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ddl = (
        'SCHEMA = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT) -- \\x1b]0;owned\\x07"\n'
    )
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\ntitle = "\\u001b[2J"\n', ddl)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "schema.md").write_text("stale\n")
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err
    assert "\\x1b[2J" in captured.out


# --- a committed or copied cache -----------------------------------------------------------------


def _lie(project: Path) -> None:
    """Rename a column in the doc and in every cached record of it, as an attacker would."""
    doc = project / "docs" / "schema.md"
    doc.write_text(doc.read_text().replace("name", "nickname"))
    sha = hashlib.blake2b(doc.read_bytes(), digest_size=16).hexdigest()
    for path in (project / ".schemadoc_cache").glob("*.json"):
        text = path.read_text().replace('"name"', '"nickname"')
        data = json.loads(text)
        for output in data.get("outputs", {}).values():
            output["sha"] = sha
        path.write_text(json.dumps(data))
    for path in (project / ".schemadoc_cache").glob("*.document"):
        path.unlink()
        (path.parent / (path.name.rsplit(".", 2)[0] + f".{sha}.document")).write_bytes(
            doc.read_bytes()
        )


@needs_git
def test_a_committed_cache_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    small_project(origin, monkeypatch, 'output = "docs/schema.md"\n')
    isolated_cache(monkeypatch)
    assert run_cli("generate") == 0
    _lie(origin)
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "add", "-f", ".schemadoc_cache")
    git(origin, "commit", "-q", "-m", "docs")
    git(tmp_path, "clone", "-q", str(origin), "clone")
    monkeypatch.chdir(tmp_path / "clone")
    assert main(["check", "--verbose"]) == 1  # the doc describes a column the code lacks
    assert not (tmp_path / "clone" / ".schemadoc_cache" / "written").exists()
    assert git(tmp_path / "clone", "status", "--porcelain") == ""  # the cache was not written


def test_a_copied_cache_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    origin = tmp_path / "origin"
    origin.mkdir()
    small_project(origin, monkeypatch, 'output = "docs/schema.md"\n')
    isolated_cache(monkeypatch)
    assert run_cli("generate") == 0
    _lie(origin)
    shutil.copytree(origin, tmp_path / "copy", symlinks=True)
    monkeypatch.chdir(tmp_path / "copy")
    assert main(["check", "--verbose"]) == 1
    assert "SD109" in capsys.readouterr().err
    assert main(["generate", "--quiet"]) == 0
    assert main(["check", "--quiet"]) == 0  # rebuilt here, it is used again


def test_the_cache_written_here_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small_project(tmp_path, monkeypatch, 'output = "docs/schema.md"\n')
    isolated_cache(monkeypatch)
    assert run_cli("generate") == 0
    analysed: list[object] = []
    monkeypatch.setattr(pipeline, "analyse", lambda *a, **k: analysed.append(a))
    assert run_cli("check") == 0
    assert analysed == []


# --- denial of service ---------------------------------------------------------------------------


def test_a_symlink_out_of_the_tree_is_not_walked(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "other.py").write_text('S = "CREATE TABLE other_project (id INTEGER)"\n')
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "db.py").write_text(USERS)
    (project / "src" / "root").symlink_to(outside)
    (project / "src" / "inner").symlink_to(project / "src")  # inside: walked once
    result = pipeline.scan([project], Settings(root=str(project)))
    assert [t.name for t in result.schema.tables] == ["users"]


@needs_git
def test_a_tracked_symlink_to_a_file_outside_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text('S = "CREATE TABLE other_project (id INTEGER)"\n')
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "db.py").write_text(USERS)
    (project / "src" / "link.py").symlink_to(outside)
    git(project, "init", "-q")
    git(project, "add", "-A")
    result = pipeline.scan([project], Settings(root=str(project)))
    assert [t.name for t in result.schema.tables] == ["users"]
    [link] = [d for d in result.diagnostics if d.path == "src/link.py"]
    assert (link.code, link.severity) == ("SD108", "warning")


def test_a_dense_file_is_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Half a megabyte of ``1,`` is a million-node tree: cheap in bytes, costly to parse."""
    (tmp_path / "dense.py").write_text(
        'DDL = "CREATE TABLE dense (id INTEGER)"\nX = (' + "1," * 300_000 + ")\n"
    )
    (tmp_path / "db.py").write_text(USERS)
    parsed: list[int] = []
    real_parse = ast.parse

    def parse(source: str | bytes, *args: object, **kwargs: object) -> ast.Module:
        parsed.append(len(source))
        return real_parse(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ast, "parse", parse)
    result = pipeline.scan([tmp_path], Settings(root=str(tmp_path)))
    [dense] = [d for d in result.diagnostics if d.path == "dense.py"]
    assert dense.code == "SD107" and "tokens" in dense.message
    assert [t.name for t in result.schema.tables] == ["users"]
    assert max(parsed) < 100_000  # only the small file was parsed


_SEPARATOR_BYTES = b",;:.=([{+-*/%@|&^~<>\n"
_SEPARATOR_WORDS = (b" or ", b" and ", b"not ", b" if ", b" else ", b" in ", b" is ")
_SEPARATOR_QUOTES = (b'""', b"''", b'" "', b"' '")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*_SEPARATOR_WORDS, *_SEPARATOR_QUOTES, b"x", b"\xff"])
        | st.binary(max_size=8),
        max_size=30,
    )
)
def test_the_token_estimate_counts_every_separator(parts: list) -> None:
    data = b"".join(parts)
    each = [bytes([c]) for c in _SEPARATOR_BYTES] + [*_SEPARATOR_WORDS, *_SEPARATOR_QUOTES]
    assert token_estimate(data) == sum(data.count(separator) for separator in each)


# --- small ones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("tool = 5\n", "[tool] must be a table"),
        ("[tool]\nschemadoc = 5\n", "[tool.schemadoc] must be a table"),
        ("[tool.schemadoc]\npaths = []\n", "paths is empty: nothing to scan"),
        ('[tool.schemadoc]\nroot = "/"\n', "unknown key(s) in [tool.schemadoc]: root"),
        ("[tool.schemadoc]\nmax_file_size = true\n", "max_file_size must be a int"),
    ],
)
def test_bad_settings_are_a_clear_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    toml: str,
    message: str,
) -> None:
    (tmp_path / "pyproject.toml").write_text(toml)
    monkeypatch.chdir(tmp_path)
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert message in err and "internal error" not in err
