"""``schemadoc diff``: what a change does to the schema, between real git revisions.

Each test builds a git repository in ``tmp_path``, commits DDL, changes it, and runs the
command line the way a developer or CI would. Revisions are read from git objects only; the
hostile-repository tests commit what an attacker could (links out, huge blobs, filters,
planted git folders) and check that nothing runs and nothing outside is read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from schemadoc.cli import main
from schemadoc.config import Settings
from schemadoc.diff import revisions
from schemadoc.diff.compare import compare, widening
from schemadoc.diff.report import mermaid_diagram
from schemadoc.extract import summary
from schemadoc.incremental import survey as survey_stage
from schemadoc.model.schema import Column, Index, IndexColumn, Schema, Table

PROJECT_CACHE_FOLDER = survey_stage.cache_folder  # bound before the suite gives each test its own
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

ENV = {
    "GIT_AUTHOR_NAME": "a",
    "GIT_AUTHOR_EMAIL": "a@example.invalid",
    "GIT_COMMITTER_NAME": "a",
    "GIT_COMMITTER_EMAIL": "a@example.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

USERS = """\
SCHEMA = '''
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT,
    name TEXT NOT NULL DEFAULT '',
    age INTEGER
);
CREATE INDEX ix_users_name ON users (name);
'''
"""


def git(cwd: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **ENV},
        input=stdin,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def commit(root: Path, files: dict[str, str], message: str = "change") -> str:
    write(root, files)
    git(root, "add", "--all")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project in a git repository on branch main: app/db.py holds USERS, committed."""
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {"pyproject.toml": '[tool.schemadoc]\npaths = ["app"]\n', "app/db.py": USERS})
    monkeypatch.chdir(root)
    return root


def diff(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["diff", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def changes(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    code, out, _ = diff(capsys, "--format", "json", *args)
    return code, json.loads(out)["changes"]


def facts(found: list[dict]) -> set[tuple]:
    """(action, kind, table, name, destructive?) of each change."""
    return {(c["action"], c["kind"], c["table"], c["name"], bool(c["destructive"])) for c in found}


# --- what changed ---------------------------------------------------------------------------


def test_nothing_changed_exits_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = diff(capsys)
    assert code == 0
    assert out.startswith("No schema changes from ")
    assert out.rstrip().endswith("to the work tree.")


def test_the_work_tree_against_its_merge_base(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Default: the merge base of HEAD with main, to the work tree (uncommitted edits too);
    what main gained since the branch began is not the branch's change."""
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"app/notes.py": 'N = "CREATE TABLE notes (id INTEGER PRIMARY KEY)"\n'})
    git(repo, "checkout", "-q", "main")
    commit(repo, {"app/audit.py": 'A = "CREATE TABLE audit (id INTEGER PRIMARY KEY)"\n'})
    git(repo, "checkout", "-q", "feature")
    write(repo, {"app/tags.py": 'T = "CREATE TABLE tags (id INTEGER PRIMARY KEY, tag TEXT)"\n'})
    code, found = changes(capsys)
    assert code == 1
    assert facts(found) == {
        ("added", "table", None, "notes", False),
        ("added", "table", None, "tags", False),
    }
    assert found[0]["head"] == {"path": "app/notes.py", "line": 1, "column": 5}


def test_two_commits_every_kind_of_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    head = commit(
        repo,
        {
            "app/db.py": """\
            SCHEMA = '''
            CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                email VARCHAR(200) NOT NULL,
                name INTEGER NOT NULL DEFAULT '',
                nick TEXT,
                UNIQUE (email)
            );
            CREATE UNIQUE INDEX ix_users_name ON users (name);
            CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
            CREATE VIEW v_users AS SELECT id, email FROM users;
            CREATE TRIGGER t_users AFTER DELETE ON users BEGIN DELETE FROM posts; END;
            '''
            """
        },
    )
    code, found = changes(capsys, base, head)
    assert code == 1
    assert facts(found) == {
        ("added", "table", None, "posts", False),
        ("changed", "column", "users", "email", True),  # NOT NULL without a default
        ("changed", "column", "users", "name", True),  # TEXT -> INTEGER
        ("added", "column", "users", "nick", False),
        ("removed", "column", "users", "age", True),
        ("added", "unique constraint", "users", "UNIQUE (email)", True),
        ("changed", "index", "users", "ix_users_name", True),
        ("added", "view", None, "v_users", False),
        ("added", "trigger", None, "t_users", False),
    }
    by_name = {c["name"]: c for c in found}
    assert by_name["email"]["details"] == ["type TEXT → VARCHAR(200)", "NOT NULL added"]
    assert by_name["name"]["details"] == ["type TEXT → INTEGER"]
    assert by_name["name"]["before"] == "name TEXT NOT NULL DEFAULT ''"
    assert by_name["name"]["after"] == "name INTEGER NOT NULL DEFAULT ''"
    assert by_name["age"]["base"] == {"path": "app/db.py", "line": 2, "column": 0}
    assert by_name["age"]["head"] is None
    assert by_name["ix_users_name"]["details"] == ["UNIQUE added"]
    assert by_name["ix_users_name"]["head"]["line"] == 9


def test_json_is_stable_and_sorted(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    head = commit(repo, {"app/more.py": 'M = "CREATE TABLE more (id INTEGER PRIMARY KEY)"\n'})
    code, out, _ = diff(capsys, "--format", "json", base, head)
    assert code == 1
    data = json.loads(out)
    assert out == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["base"] == {"commit": base, "label": f"{base} ({base[:12]})"}
    assert data["head"] == {"commit": head, "label": f"{head} ({head[:12]})"}
    assert data["changed"] is True and data["destructive"] is False
    assert data["summary"] == {
        "added": 1,
        "changed": 0,
        "removed": 0,
        "renamed": 0,
        "changes": 1,
        "destructive": 0,
    }
    assert data["changes"] == [
        {
            "action": "added",
            "after": "CREATE TABLE more (id INTEGER PRIMARY KEY)",
            "base": None,
            "before": None,
            "destructive": None,
            "details": [],
            "head": {"column": 5, "line": 1, "path": "app/more.py"},
            "kind": "table",
            "name": "more",
            "table": None,
        }
    ]
    assert main(["diff", "--format", "json", base, head]) == 1
    assert capsys.readouterr().out == out


def test_a_rename_by_the_code_is_one_change(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = commit(
        repo, {"app/old.py": 'S = "CREATE TABLE items (id INTEGER PRIMARY KEY, t TEXT)"\n'}
    )
    head = commit(
        repo,
        {
            "app/old.py": """\
            S = "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, t TEXT)"
            MIGRATE = [
                "ALTER TABLE items RENAME TO products",
                "ALTER TABLE products RENAME COLUMN t TO title",
                "ALTER TABLE products ADD COLUMN price REAL",
            ]
            """
        },
    )
    code, found = changes(capsys, base, head)
    assert code == 1
    assert facts(found) == {
        ("renamed", "table", None, "products", False),
        ("renamed", "column", "products", "title", False),
        ("added", "column", "products", "price", False),
    }
    table = next(c for c in found if c["kind"] == "table")
    assert (table["before"], table["after"]) == ("items", "products")
    assert table["head"] == {"path": "app/old.py", "line": 3, "column": 5}
    price = next(c for c in found if c["name"] == "price")
    assert price["head"]["line"] == 5  # where the column is added
    code, out, _ = diff(capsys, base, head)
    assert "> table products: renamed from items" in out
    assert main(["diff", "--fail-on", "destructive", base, head]) == 0


def test_a_table_dropped_and_another_created_is_no_rename(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = commit(repo, {"app/old.py": 'S = "CREATE TABLE items (id INTEGER PRIMARY KEY)"\n'})
    head = commit(repo, {"app/old.py": 'S = "CREATE TABLE products (id INTEGER PRIMARY KEY)"\n'})
    code, found = changes(capsys, base, head)
    assert code == 1
    assert facts(found) == {
        ("added", "table", None, "products", False),
        ("removed", "table", None, "items", True),
    }


def test_a_project_in_a_folder_of_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Paths are the project's (below its settings file), not the repository's; files beside
    the project are not read."""
    git(tmp_path, "init", "-q", "-b", "main")
    base = commit(
        tmp_path,
        {
            "svc/pyproject.toml": "[tool.schemadoc]\n",
            "svc/db.py": USERS,
            "other/db.py": 'O = "CREATE TABLE other_project (id INTEGER)"\n',
        },
    )
    head = commit(tmp_path, {"svc/db.py": USERS.replace("age INTEGER", "age INTEGER, x TEXT")})
    monkeypatch.chdir(tmp_path / "svc")
    code, found = changes(capsys, base, head)
    assert code == 1
    assert facts(found) == {("added", "column", "users", "x", False)}
    assert found[0]["head"]["path"] == "db.py"


def test_markdown_escapes_what_the_code_names(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    head = commit(
        repo,
        {
            "app/odd.sql": 'CREATE TABLE "a|b`c" ("<b>x</b>" TEXT, "y|z" INTEGER);\n'
            'CREATE VIEW "v|w" AS SELECT 1 AS "p|q";\n'
        },
    )
    code, out, _ = diff(capsys, "--format", "markdown", base, head)
    assert code == 1
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 3  # the header and two objects
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 4, row  # no cell leaks into another
    prose = out.split("```mermaid")[0]
    assert '`"<b>x</b>" TEXT`' in prose  # in a code span: shown, never markup
    assert "<b>" not in prose.replace('`"<b>x</b>" TEXT`', "")


# --- exit codes and --fail-on destructive -----------------------------------------------------

TABLE = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b VARCHAR(10), c INTEGER);"
DESTRUCTIVE = {
    "drop table": "CREATE TABLE other (id INTEGER PRIMARY KEY);",
    "drop column": "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b VARCHAR(10));",
    "narrowed type": "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b VARCHAR(10), "
    "c INTEGER);",
    "real from integer": "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b VARCHAR(10), c REAL);",
    "not null": "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b VARCHAR(10), "
    "c INTEGER);",
    "new not null column": "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b VARCHAR(10), "
    "c INTEGER, d TEXT NOT NULL);",
    "unique index": TABLE + "\nCREATE UNIQUE INDEX ux ON t (a);",
    "unique constraint": "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE, b VARCHAR(10), "
    "c INTEGER);",
    "strict": "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, c INTEGER) STRICT;",
}
SAFE = {
    "new table": TABLE + "\nCREATE TABLE other (id INTEGER PRIMARY KEY);",
    "nullable column": TABLE + "\nALTER TABLE t ADD COLUMN d TEXT;",
    "not null with a default": TABLE + "\nALTER TABLE t ADD COLUMN d TEXT NOT NULL DEFAULT '';",
    "same affinity": "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, c INTEGER);",
    "to numeric": "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b VARCHAR(10), c NUMERIC);",
    "to blob": "CREATE TABLE t (id INTEGER PRIMARY KEY, a BLOB, b VARCHAR(10), c INTEGER);",
    "index": TABLE + "\nCREATE INDEX ix ON t (a);",
    "unique over the key": TABLE + "\nCREATE UNIQUE INDEX ux ON t (id, a);",
    "unique on a new table": TABLE + "\nCREATE TABLE n (a TEXT);\nCREATE UNIQUE INDEX ux ON n (a);",
    "foreign key": TABLE + "\nCREATE TABLE n (t_id INTEGER REFERENCES t (id));",
    "dropped index": TABLE,
}


@pytest.mark.parametrize("case", sorted(DESTRUCTIVE))
def test_destructive_changes_fail(
    repo: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    base = commit(repo, {"app/t.sql": TABLE + "\n"})
    head = commit(repo, {"app/t.sql": DESTRUCTIVE[case] + "\n"})
    assert main(["diff", base, head]) == 1
    code, out, _ = diff(capsys, "--fail-on", "destructive", base, head)
    assert code == 1, out
    assert "! may lose data: " in out


@pytest.mark.parametrize("case", sorted(SAFE))
def test_safe_changes_pass_fail_on_destructive(
    repo: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    index = "\nCREATE INDEX ix_b ON t (b);"
    base = commit(repo, {"app/t.sql": TABLE + index + "\n"})
    head = commit(repo, {"app/t.sql": SAFE[case] + ("" if case == "dropped index" else index)})
    assert main(["diff", base, head]) == 1  # a change all the same
    code, out, _ = diff(capsys, "--fail-on", "destructive", base, head)
    assert code == 0, out
    assert "may lose data" not in out


def test_errors_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = diff(capsys, "no-such-revision")
    assert code == 2
    assert "'no-such-revision' names no commit" in err
    code, _, err = diff(capsys, "--", "--upload-pack=touch PWNED")
    assert code == 2 and not list(repo.rglob("PWNED"))
    write(repo, {"app/bad.py": 'B = "CREATE TABLE bad (id INTEGER PRIMARY KEY, FOREIGN)"\n'})
    code, out, err = diff(capsys)
    assert code == 2
    assert "error[SD201]" in err
    assert "the schema of the work tree has errors" in err
    assert "+ table bad" not in out


def test_outside_a_repository_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.schemadoc]\n", "db.py": USERS})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = diff(capsys)
    assert code == 2
    assert "not in a git work tree" in err


def test_default_base_without_a_main_branch_is_the_previous_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git(tmp_path, "init", "-q", "-b", "trunk")
    commit(tmp_path, {"pyproject.toml": "[tool.schemadoc]\n", "db.py": USERS})
    commit(tmp_path, {"more.py": 'M = "CREATE TABLE more (id INTEGER PRIMARY KEY)"\n'})
    monkeypatch.chdir(tmp_path)
    code, out, _ = diff(capsys)
    assert code == 1
    assert "(HEAD~1) to the work tree" in out.splitlines()[0]
    assert "+ table more" in out


def test_the_work_tree_settings_scan_both_sides(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The base's own pyproject.toml is not read: both sides are scanned as the work tree's
    settings say."""
    base = commit(
        repo,
        {
            "pyproject.toml": '[tool.schemadoc]\npaths = ["elsewhere"]\n',
            "elsewhere/x.py": 'X = "CREATE TABLE elsewhere (id INTEGER)"\n',
        },
    )
    head = commit(repo, {"pyproject.toml": '[tool.schemadoc]\npaths = ["app"]\n'})
    code, out, _ = diff(capsys, base, head)
    assert code == 0, out


def test_markdown_for_a_pull_request(
    repo: Path, capsys: pytest.CaptureFixture[str], snapshot
) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    commit(
        repo,
        {
            "app/db.py": """\
            SCHEMA = '''
            CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                email TEXT NOT NULL,
                name TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX ix_users_name ON users (name);
            CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
            '''
            """
        },
    )
    code, out, _ = diff(capsys, "--format", "markdown", "main", "feature")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "## Schema changes"
    assert "| Object | Change | Where |" in lines
    assert "| table `posts` | added | `app/db.py:8` |" in lines
    assert "### Details" in lines and "### Diagram" in lines
    assert '        TEXT email "changed: NOT NULL added"' in lines
    assert '        INTEGER age "removed"' in lines
    assert '    users |o--o{ posts : "user_id"' in lines
    assert out == snapshot


# --- cost -----------------------------------------------------------------------------------


def test_unchanged_files_are_not_extracted_again(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A diff over many commits costs what changed: with a warm cache, the base's unchanged
    files reuse what the work tree's run found (the cache keys by content)."""
    for number in range(6):
        commit(repo, {f"app/m{number}.py": f'S = "CREATE TABLE m{number} (id INTEGER)"\n'})
    for number in range(30):  # many commits between the base and the head
        commit(repo, {"app/notes.txt": f"{number}\n"})
    commit(repo, {"app/m0.py": 'S = "CREATE TABLE m0 (id INTEGER, extra TEXT)"\n'})
    calls: list[str] = []
    real = summary.summarize

    def counting(text: str, display: str) -> object:
        calls.append(display)
        return real(text, display)

    monkeypatch.setattr(summary, "summarize", counting)
    assert main(["generate", "--output", "-", "--quiet"]) == 0  # a warm cache
    capsys.readouterr()
    calls.clear()
    code, found = changes(capsys, "HEAD~31")
    assert code == 1
    assert facts(found) == {("added", "column", "m0", "extra", False)}
    assert calls == ["app/m0.py"]  # the base's version of the one changed file only
    calls.clear()
    assert changes(capsys, "HEAD~31") == (code, found)
    assert calls == []  # the base's cache was kept: warm on both sides
    assert changes(capsys, "HEAD~31", "HEAD")[1] == found
    assert calls == ["app/m0.py"]  # the head revision's cache starts from the base's
    calls.clear()
    assert changes(capsys, "HEAD~31", "HEAD")[1] == found
    assert calls == []


def test_the_caches_stay_out_of_git_and_usable(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Diffs between revisions make the project's cache folder as its own run would: kept
    out of git, and still the project's for the next run."""
    monkeypatch.setattr(survey_stage, "cache_folder", PROJECT_CACHE_FOLDER)
    base = git(repo, "rev-parse", "HEAD").strip()
    head = commit(repo, {"app/more.py": 'M = "CREATE TABLE more (id INTEGER PRIMARY KEY)"\n'})
    assert main(["diff", "-q", base, head]) == 1
    folder = repo / ".schemadoc_cache"
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore", "diff-base", "diff-head"]
    assert git(repo, "status", "--porcelain") == ""
    assert main(["generate", "--output", "-", "-q"]) == 0
    assert main(["diff", "-q"]) == 0
    assert "SD109" not in capsys.readouterr().err


# --- a hostile revision -----------------------------------------------------------------------


def test_a_committed_link_is_never_followed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = repo.parent / "secret.sql"
    secret.write_text("CREATE TABLE secret_outside (token TEXT);\n")
    (repo / "app" / "leak.sql").symlink_to(secret)
    (repo / "app" / "passwd.py").symlink_to("/etc/passwd")
    base = commit(repo, {})
    (repo / "app" / "leak.sql").unlink()
    (repo / "app" / "passwd.py").unlink()
    head = commit(repo, {"app/x.py": 'X = "CREATE TABLE x (id INTEGER)"\n'})
    for args in ((base, head), (head, base), (base,)):
        code, out, err = diff(capsys, "--format", "json", *args)
        assert code == 1
        assert "secret_outside" not in out + err and "root:" not in out + err
        assert {c["name"] for c in json.loads(out)["changes"]} == {"x"}


def test_a_huge_blob_is_never_read(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.schemadoc]\npaths = ["app"]\nmax_file_size = 4096\n'
    )
    big = 'S = "CREATE TABLE big (id INTEGER)"\n' + "#" * 200_000 + "\n"
    commit(repo, {"app/big.py": big, "app/small.py": 'S = "CREATE TABLE s (id INTEGER)"\n'})
    settings = Settings(root=str(repo), paths=(str(repo / "app"),), max_file_size=4096)
    repository = revisions.repository(str(repo))
    head = revisions.resolve(repository, "HEAD")
    side, read = revisions.read_revision(
        repository, head, "HEAD", settings, revisions.project_cache(settings)
    )
    assert read.read_bytes == len(USERS) + len('S = "CREATE TABLE s (id INTEGER)"\n')
    assert [t.name for t in side.schema.tables] == ["s", "users"]
    assert any(d.code == "SD107" and d.path == "app/big.py" for d in side.result.diagnostics)


def test_a_revision_is_read_up_to_a_total(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(revisions, "MAX_TOTAL_BYTES", len(USERS) - 1)
    code, out, err = diff(capsys, "HEAD")
    assert code == 2 and out == ""
    assert f"hold {len(USERS):,} bytes, more than the" in err


def test_filters_textconv_and_a_planted_config_run_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pwned = repo.parent / "PWNED"
    base = commit(
        repo,
        {
            ".gitattributes": "*.py filter=evil diff=evil\n*.sql filter=evil\n",
            # A bare repository's shape below a scanned folder: never a git directory to us.
            "app/evil/HEAD": "ref: refs/heads/main\n",
            "app/evil/config": f"[core]\n\tfsmonitor = touch {pwned}-planted; false #\n",
            "app/evil/objects/info/packs": "\n",
            "app/evil/refs/heads/main": "0" * 40 + "\n",
        },
    )
    head = commit(repo, {"app/db.py": USERS.replace("age INTEGER", "age INTEGER, town TEXT")})
    for key, value in (
        ("filter.evil.smudge", f"touch {pwned}-smudge; cat"),
        ("filter.evil.clean", f"touch {pwned}-clean; cat"),
        ("filter.evil.process", f"touch {pwned}-process"),
        ("filter.evil.required", "true"),
        ("diff.evil.textconv", f"touch {pwned}-textconv; cat"),
        ("core.fsmonitor", f"touch {pwned}-fsmonitor; false #"),
        ("core.pager", f"touch {pwned}-pager; cat"),
        ("core.hooksPath", str(repo.parent)),
    ):
        git(repo, "config", key, value)
    for args in ((base, head), (base,), ()):
        code, found = changes(capsys, *args)
        assert code in (0, 1)
        if args:
            assert facts(found) == {("added", "column", "users", "town", False)}
    assert not list(repo.parent.glob("PWNED*"))


def test_an_unsafe_tree_path_is_never_written(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tree made by hand (git itself refuses such names): ``..`` and ``.git`` parts are left
    out, nothing lands outside the private folder, and the folder is gone afterwards."""
    blob = git(repo, "hash-object", "-w", "--stdin", stdin='S = "CREATE TABLE up (x)"\n')
    inner = _tree(repo, [("100644", "blob", blob, "up.py")])
    app = git(repo, "rev-parse", "HEAD:app").strip()
    hooks = _tree(repo, [("100644", "blob", blob, "hook.py")])
    top = _tree(
        repo,
        [
            ("040000", "tree", app, "app"),
            ("040000", "tree", inner, ".."),
            ("040000", "tree", hooks, ".GIT"),
            ("100644", "blob", blob, "pyproject.toml"),
        ],
    )
    evil = git(repo, "commit-tree", top, "-m", "evil").strip()
    private = tmp_path / "private"
    private.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(private))
    settings = Settings(root=str(repo), paths=(str(repo),))
    repository = revisions.repository(str(repo))
    found = revisions.tree(repository, evil)
    assert found.unsafe == 2
    assert sorted(b.path for b in found.blobs) == ["app/db.py"]
    side, _ = revisions.read_revision(
        repository, evil, "evil", settings, revisions.project_cache(settings)
    )
    assert [t.name for t in side.schema.tables] == ["users"]
    assert not (tmp_path / "up.py").exists() and not list(private.iterdir())


def _tree(repo: Path, entries: list[tuple[str, str, str, str]]) -> str:
    """A tree object written as is (``git hash-object --literally``): no name is checked."""
    data = b"".join(
        f"{mode.lstrip('0')} {name}".encode() + b"\0" + bytes.fromhex(sha.strip())
        for mode, _, sha, name in entries
    )
    proc = subprocess.run(
        ["git", "hash-object", "-w", "-t", "tree", "--literally", "--stdin"],
        cwd=repo,
        input=data,
        capture_output=True,
        check=True,
    )
    return proc.stdout.decode().strip()


# --- comparing schemas directly ------------------------------------------------------------------


def test_widening() -> None:
    assert widening("VARCHAR(10)", "TEXT")
    assert widening("INT", "BIGINT")
    assert widening("INTEGER", "NUMERIC") and widening("DECIMAL(10,2)", "INTEGER")
    assert widening("TEXT", "") and widening("REAL", "BLOB")
    assert not widening("TEXT", "INTEGER")
    assert not widening("INTEGER", "REAL")
    assert not widening("", "TEXT")
    assert widening("INT", "INTEGER", strict_before=True, strict_after=True)
    assert widening("TEXT", "ANY", strict_before=True, strict_after=True)
    assert not widening("TEXT", "TEXT", strict_before=False, strict_after=True)


def test_a_unique_key_within_an_old_key_is_new_uniqueness() -> None:
    columns = (Column("id", "INTEGER", pk=1), Column("a", "TEXT"), Column("b", "TEXT"))
    old = Table("t", columns, indexes=(_unique("ux", "a", "b"),))
    narrower = Table("t", columns, indexes=(_unique("ux", "a", "b"), _unique("ux_a", "a")))
    wider = Table("t", columns, indexes=(_unique("ux", "a", "b"), _unique("ux_ab", "b", "a", "id")))
    found = compare(Schema((old,)), Schema((narrower,))).changes
    assert [(c.name, bool(c.destructive)) for c in found] == [("ux_a", True)]
    found = compare(Schema((old,)), Schema((wider,))).changes
    assert [(c.name, bool(c.destructive)) for c in found] == [("ux_ab", False)]


def _unique(name: str, *columns: str) -> Index:
    return Index(name, "t", True, "c", False, tuple(IndexColumn(c) for c in columns))


@pytest.mark.browser
def test_the_diagram_renders_in_mermaid() -> None:
    try:
        from tests.mermaid import harness
    except ImportError:
        from mermaid import harness  # type: ignore[no-redef]

    harness.skip_or_fail_without_browser()
    before = Table(
        "to-do",
        (Column("pk", "INTEGER", pk=1), Column("end", "DECIMAL(10, 2)"), Column("x", "")),
    )
    after = Table(
        "to-do",
        (
            Column("pk", "INTEGER", pk=1),
            Column("end", "TEXT", notnull=True),
            Column("note *bold* <b>", "TEXT"),
        ),
    )
    gone = Table("end", (Column("id", "INTEGER"),))
    added = Table("direction LR", (Column("id", "INTEGER"), Column("y|z", "")))
    odd = Table("a|b`c", (Column("<b>x</b>", "TEXT"),))
    diff = compare(Schema((before, gone)), Schema((after, added, odd)))
    diagram = mermaid_diagram(diff)
    assert '"changed: type DECIMAL(10, 2) → TEXT; NOT NULL added"' in diagram
    assert harness.render_mermaid({"diff": diagram}) == {"diff": None}
