"""Files that cannot be read, decoded or parsed, and SQL that SQLite refuses.

Each bad input yields a diagnostic with its path (and line, where there is one), the run goes
on with every other file (a good file that sorts last is still documented), and the command
line exits 2 when the problem is an error.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from projects import cli_process
from scanned import found, run, survived, working_directory, write

import schemadoc.discover.files
import schemadoc.incremental.survey
from schemadoc.cli import main
from schemadoc.config import Settings
from schemadoc.pipeline import scan


def cli(folder: Path, tmp_path: Path) -> int:
    with working_directory(tmp_path):
        return main(["generate", str(folder), "--output", str(tmp_path / "out.md"), "--quiet"])


# --- undecodable, unparsable --------------------------------------------------------------

BAD_FILES: dict[str, tuple[bytes, str, int, str]] = {
    # name: (content, code, line, words in the message)
    "non_utf8": (
        b'DDL = "CREATE TABLE a (id INTEGER)"\nX = 1\n# caf\xe9 au lait\nY = 2\n',
        "SD102",
        3,
        "decode",
    ),
    "invalid_cookie": (
        b'# -*- coding: klingon -*-\nDDL = "CREATE TABLE a (id INTEGER)"\n',
        "SD102",
        1,
        "klingon",
    ),
    "python2": (
        b'DDL = "CREATE TABLE a (id INTEGER)"\n\n\nprint "created"\n',
        "SD101",
        4,
        "",
    ),
    "syntax_error_mid_file": (
        b'"""Orders."""\nDDL = "CREATE TABLE a (id INTEGER)"\n\n\ndef create(conn)\n'
        b"    conn.execute(DDL)\n\nZ = 1\n",
        "SD101",
        5,
        "",
    ),
    "unclosed_bracket": (
        b'DDL = "CREATE TABLE a (id INTEGER)"\nITEMS = [\n    1,\n    2,\n\nZ = 3\n',
        "SD101",
        2,
        "",
    ),
    "binary_with_ddl_words": (
        b"\x00\x01\x02CREATE TABLE evil (id)\x00\xff\xfe\x80\x81" + bytes(range(256)) * 4,
        "SD10",  # SD101 or SD102: either way it is not Python
        1,
        "",
    ),
    "nested_brackets": (
        b'DDL = "CREATE TABLE a (id INTEGER)"\nX = ' + b"(" * 5000 + b"1" + b")" * 5000 + b"\n",
        "SD101",
        2,
        "",
    ),
    "nested_lists": (
        b'DDL = "CREATE TABLE a (id INTEGER)"\nX = ' + b"[" * 5000 + b"]" * 5000 + b"\n",
        "SD101",
        2,
        "",
    ),
    "nested_unary": (
        b'DDL = "CREATE TABLE a (id INTEGER)"\nX = ' + b"-" * 5000 + b"1\n",
        "SD101",
        1,
        "",
    ),
    "deep_indentation": (
        b'DDL = "CREATE TABLE a (id INTEGER)"\n'
        + b"".join(b"    " * i + b"if x:\n" for i in range(150))
        + b"    " * 150
        + b"pass\n",
        "SD101",
        0,  # CPython names the line where indentation overflows
        "",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_reported_and_the_run_goes_on(tmp_path: Path, case: str) -> None:
    content, code, line, words = BAD_FILES[case]
    result = run(tmp_path, {"bad.py": content})
    matches = [d for d in result.diagnostics if d.path == "bad.py" and d.code.startswith(code)]
    assert matches, "\n".join(str(d) for d in result.diagnostics)
    d = matches[0]
    assert d.severity == "error"
    if line:
        assert d.line == line, str(d)
    assert words.lower() in d.message.lower()
    assert d.message.rstrip().endswith(":") is False, f"message ends without a reason: {d}"
    assert result.schema.table("a") is None and result.schema.table("evil") is None
    assert survived(result)
    assert cli(tmp_path, tmp_path) == 2


@pytest.mark.parametrize(
    "expression",
    ["lambda: " * 5000 + "1", "2" + " ** 2" * 5000],
    ids=["lambdas", "powers"],
)
def test_too_deep_python_is_reported_with_a_reason(tmp_path: Path, expression: str) -> None:
    result = run(tmp_path, {"bad.py": f'DDL = "CREATE TABLE a (id)"\nX = {expression}\n'})
    d = [d for d in result.diagnostics if d.path == "bad.py"]
    assert [x.code for x in d] == ["SD101"]
    assert survived(result)


def test_too_deep_python_message_has_a_reason(tmp_path: Path) -> None:
    result = run(
        tmp_path, {"bad.py": 'DDL = "CREATE TABLE a (id)"\nX = ' + "lambda: " * 5000 + "1\n"}
    )
    d = next(d for d in result.diagnostics if d.path == "bad.py")
    assert not d.message.rstrip().endswith(":"), str(d)


def test_nested_brackets_do_not_crash_the_process(tmp_path: Path) -> None:
    """libcst's native parser overflows its stack on deep nesting: run the real CLI in a child
    process, so a crash would show as a signal rather than take the test run down."""
    nested = "(" * 5000 + "1" + ")" * 5000
    calls = "f(" * 1500 + ")" * 1500  # inside CPython's limits, deep for libcst
    write(
        tmp_path / "p",
        {
            "a_nested.py": f'DDL = "CREATE TABLE a (id INTEGER)"\nX = {nested}\n',
            "b_calls.py": f'DDL = "CREATE TABLE b (id INTEGER)"\nX = {calls}\n',
        },
    )
    proc = cli_process("generate", str(tmp_path / "p"), "--output", "-", cwd=tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "a_nested.py:2:" in proc.stderr and "SD101" in proc.stderr
    assert "internal error" not in proc.stderr


@pytest.mark.parametrize("joiner", [" ", " + "])
def test_long_concatenation_is_analysed(tmp_path: Path, joiner: str) -> None:
    parts = ["'CREATE TABLE wide (c0 INT'", *[f"', c{i} INT'" for i in range(1, 500)], "')'"]
    source = f'DDL = "CREATE TABLE a (id)"\nWIDE = ({joiner.join(parts)})\n'
    result = run(tmp_path, {"long.py": source})
    assert result.schema.table("a") is not None, [str(d) for d in result.diagnostics]
    assert len(result.schema.table("wide").columns) == 500


# --- decodable after all -------------------------------------------------------------------


def test_pep263_latin1_cookie_decodes(tmp_path: Path) -> None:
    source = (
        "# -*- coding: latin-1 -*-\n"
        'DDL = """\n'
        "CREATE TABLE prices (\n"
        "    amount INTEGER  -- prix en \xe9cus\n"
        ")\n"
        '"""\n'
    ).encode("latin-1")
    result = run(tmp_path, {"latin.py": source})
    assert [d for d in result.diagnostics if d.path == "latin.py"] == []
    prices = result.schema.table("prices")
    assert prices is not None and prices.source.line == 3
    assert prices.column("amount").description == "prix en \xe9cus"
    assert survived(result)
    assert cli(tmp_path, tmp_path) == 0


def test_utf8_bom_decodes(tmp_path: Path) -> None:
    result = run(tmp_path, {"bom.py": b'\xef\xbb\xbfDDL = "CREATE TABLE bom (id INTEGER)"\n'})
    assert result.schema.table("bom") is not None
    assert result.schema.table("bom").source.line == 1
    assert survived(result)


def test_utf16_file_is_reported(tmp_path: Path) -> None:
    content = '"""UTF-16."""\nDDL = "CREATE TABLE wide_chars (id INTEGER)"\n'.encode("utf-16")
    assert content.startswith(b"\xff\xfe")
    result = run(tmp_path, {"utf16.py": content})
    found(result, "SD102", "utf16.py", 1, "UTF-16")
    assert survived(result)


def test_utf16_file_fails_the_cli(tmp_path: Path) -> None:
    content = 'DDL = "CREATE TABLE wide_chars (id INTEGER)"\n'.encode("utf-16")
    result = run(tmp_path, {"utf16.py": content})
    assert result.schema.table("wide_chars") is None
    assert survived(result)
    assert cli(tmp_path, tmp_path) == 2


def test_empty_files_are_fine(tmp_path: Path) -> None:
    result = run(tmp_path, {"empty.py": b"", "blank.py": b"\n\n   \n", "pkg/__init__.py": b""})
    assert [d for d in result.diagnostics if d.severity != "note"] == []
    assert survived(result)
    assert cli(tmp_path, tmp_path) == 0


def test_binary_without_ddl_words_is_skipped(tmp_path: Path) -> None:
    result = run(tmp_path, {"blob.py": bytes(range(256)) * 100})
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert survived(result)


def _generated_module(size: int) -> list[str]:
    """A generated module of about ``size`` bytes with a table on its first and last lines."""
    lines = ['"""Generated."""', 'FIRST = "CREATE TABLE first_table (id INTEGER PRIMARY KEY)"']
    total, i = 0, 0
    while total < size:
        line = f"VALUE_{i} = {i}  # a generated constant, one of very many in this module"
        lines.append(line)
        total += len(line) + 1
        i += 1
    lines.append('LAST = "CREATE TABLE last_table (id INTEGER, note TEXT)"')
    return lines


def test_a_file_over_max_file_size_is_not_read(tmp_path: Path) -> None:
    write(tmp_path, {"generated.py": "\n".join(_generated_module(20_000_000)) + "\n"})
    result = scan([tmp_path], Settings(root=str(tmp_path)))
    found(result, "SD107", "generated.py", 0, "max_file_size", "1,048,576 bytes")
    assert result.schema.table("first_table") is None
    assert survived(result)


def test_max_file_size_lets_a_large_generated_file_in(tmp_path: Path) -> None:
    lines = _generated_module(2_000_000)
    write(tmp_path, {"generated.py": "\n".join(lines) + "\n"})
    result = scan([tmp_path], Settings(root=str(tmp_path), max_file_size=4_000_000))
    assert result.schema.table("first_table").source.line == 2
    last = result.schema.table("last_table")
    assert last is not None and last.source.line == len(lines)
    assert [d for d in result.diagnostics if d.severity != "note"] == []
    assert survived(result)


# --- unreadable files -----------------------------------------------------------------------


def test_dangling_symlink(tmp_path: Path) -> None:
    write(tmp_path, {})
    (tmp_path / "x.py").symlink_to(tmp_path / "nowhere" / "gone.py")
    result = scan([tmp_path], Settings(root=str(tmp_path)))
    found(result, "SD104", "x.py", 0)
    assert survived(result)
    assert cli(tmp_path, tmp_path) == 2


def test_dangling_symlink_named_explicitly(tmp_path: Path) -> None:
    write(tmp_path, {})
    (tmp_path / "x.py").symlink_to(tmp_path / "gone.py")
    result = scan([tmp_path / "x.py", tmp_path / "zz_good.py"], Settings(root=str(tmp_path)))
    found(result, "SD104", "x.py", 0)
    assert survived(result)


def test_directory_named_like_a_python_file(tmp_path: Path) -> None:
    write(tmp_path, {"x.py/inner.py": 'DDL = "CREATE TABLE inner_t (id INTEGER)"\n'})
    result = scan([tmp_path], Settings(root=str(tmp_path)))
    assert result.schema.table("inner_t") is not None
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert survived(result)


def test_symlink_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"pkg/models.py": 'DDL = "CREATE TABLE models (id INTEGER)"\n'})
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg")
    (tmp_path / "pkg" / "up").symlink_to(tmp_path)
    listed: list[str] = []
    real_listing = schemadoc.discover.files.list_folder

    def listing(path: str, boundary: str) -> schemadoc.discover.files.Listing:
        listed.append(os.path.realpath(path))
        return real_listing(path, boundary)

    monkeypatch.setattr(schemadoc.discover.files, "list_folder", listing)
    result = scan([tmp_path], Settings(root=str(tmp_path)))
    # Each real folder is listed once: the loops are not followed.
    assert sorted(listed) == sorted(os.path.realpath(p) for p in (tmp_path, tmp_path / "pkg"))
    models = result.schema.table("models")
    assert models is not None and models.source.path == "pkg/models.py"
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert survived(result)
    assert cli(tmp_path, tmp_path) == 0


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Root reads any file, whatever its mode: the refusal is simulated."""
    write(tmp_path, {"secret.py": 'DDL = "CREATE TABLE secret (id INTEGER)"\n'})
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "secret.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = scan([tmp_path], Settings(root=str(tmp_path)))
    found(result, "SD104", "secret.py", 0, "permission denied")
    assert result.schema.table("secret") is None
    assert survived(result)
    assert cli(tmp_path, tmp_path) == 2


def test_file_deleted_between_discovery_and_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"fleeting.py": 'DDL = "CREATE TABLE fleeting (id INTEGER)"\n'})
    real = schemadoc.incremental.survey.discover

    def discover(*args: object, **kwargs: object) -> list:
        found_files = real(*args, **kwargs)  # type: ignore[arg-type]
        (tmp_path / "fleeting.py").unlink(missing_ok=True)
        return found_files

    monkeypatch.setattr(schemadoc.incremental.survey, "discover", discover)
    result = scan([tmp_path], Settings(root=str(tmp_path)))
    found(result, "SD104", "fleeting.py", 0, "vanished")
    assert result.schema.table("fleeting") is None
    assert survived(result)
    write(tmp_path, {"fleeting.py": 'DDL = "CREATE TABLE fleeting (id INTEGER)"\n'})
    assert cli(tmp_path, tmp_path) == 2


def test_file_replaced_by_a_directory_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"shifty.py": 'DDL = "CREATE TABLE shifty (id INTEGER)"\n'})
    real = schemadoc.incremental.survey.discover

    def discover(*args: object, **kwargs: object) -> list:
        found_files = real(*args, **kwargs)  # type: ignore[arg-type]
        (tmp_path / "shifty.py").unlink()
        (tmp_path / "shifty.py").mkdir()
        return found_files

    monkeypatch.setattr(schemadoc.incremental.survey, "discover", discover)
    result = scan([tmp_path], Settings(root=str(tmp_path)))
    d = found(result, "SD104", "shifty.py", 0)
    assert "directory" in d.message or "not a regular file" in d.message
    assert survived(result)


FIFO_SCAN = textwrap.dedent(
    """
    import os
    import sys
    from schemadoc.pipeline import scan
    from schemadoc.config import Settings

    fifo = os.path.realpath(os.path.join(sys.argv[1], "x.py"))
    waiting = []  # opens of the FIFO that would wait for a writer

    def audit(event, args):
        if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
            return
        if os.path.realpath(os.fsdecode(args[0])) == fifo and not args[2] & os.O_NONBLOCK:
            waiting.append(args)
            raise OSError("a blocking open of the FIFO")

    sys.addaudithook(audit)
    result = scan([sys.argv[1]], Settings(root=sys.argv[1]))
    print("\\n".join(str(d) for d in result.diagnostics))
    print(f"blocking opens: {len(waiting)}")
    print("survivor" if result.schema.table("survivor") else "lost")
    """
)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_named_like_a_python_file(tmp_path: Path) -> None:
    write(tmp_path, {})
    os.mkfifo(tmp_path / "x.py")
    # read_bytes on a FIFO once waited for a writer: the audit hook counts any open of the FIFO
    # that would wait, and makes it fail instead, so that the scan cannot hang on it.
    try:
        proc = subprocess.run(
            [sys.executable, "-c", FIFO_SCAN, str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=240,  # only a hang gets here: the run does not wait on the FIFO
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the scan hung on the FIFO")
    assert "x.py:0:0: error[SD104]" in proc.stdout, proc.stdout + proc.stderr
    assert "blocking opens: 0\n" in proc.stdout, proc.stdout
    assert proc.stdout.rstrip().endswith("survivor")


# --- SQL that SQLite refuses ------------------------------------------------------------------

BAD_SQL = '''"""Bad SQL, one statement per line."""
UNTERMINATED_STRING = "CREATE TABLE s1 (x TEXT DEFAULT 'abc)"
UNTERMINATED_COMMENT = "CREATE TABLE c1 (x INT, /* never closed y INT)"
TRAILING_COMMENT = "CREATE TABLE c2 (x INT) /* never closed, but nothing follows"
EXTRA_COMMAS = "CREATE TABLE d (w INT,, )"
DUPLICATE_COLUMNS = "CREATE TABLE dup (a INT, b TEXT, a TEXT)"
INDEX_ON_MISSING = "CREATE INDEX ix_missing ON nowhere (a)"
FK_TO_MISSING = "CREATE TABLE child (p INTEGER REFERENCES parent_missing (id))"
VIEW_ON_MISSING = "CREATE VIEW v_missing AS SELECT * FROM nothing_here"
FIRST = "CREATE TABLE twice (a INT)"
CONFLICT = "CREATE TABLE twice (a INT, b INT)"
SAME = "CREATE TABLE same (a INT)"
SAME_AGAIN = "CREATE TABLE same (a INT)"
UNCLOSED = "CREATE TABLE c3 (x INT DEFAULT 1"
MULTILINE = """
CREATE TABLE m1 (
  x INT,
  y TEXT DEFAULT "unterminated
)"""
NOT_NULL_TWICE = "CREATE TABLE nn (a INT NOT NULL NOT NULL, PRIMARY KEY (a), PRIMARY KEY (a))"
'''

BAD_SQL_EXPECTED = [
    ("SD201", 2, "unrecognized token"),
    ("SD201", 3, "incomplete input"),
    ("SD201", 5, "syntax error"),
    ("SD201", 6, "duplicate column name"),
    ("SD210", 7, "CREATE INDEX ix_missing: no DDL found creates table nowhere; not documented"),
    ("SD208", 8, "parent_missing"),
    ("SD202", 9, "nothing_here"),
    ("SD301", 11, "defined differently"),
    ("SD201", 14, "incomplete input"),
    ("SD201", 16, "unrecognized token"),
    ("SD201", 20, "more than one primary key"),
]


def test_bad_sql_is_reported_at_its_python_line(tmp_path: Path) -> None:
    result = run(tmp_path, {"bad_sql.py": BAD_SQL})
    for code, line, words in BAD_SQL_EXPECTED:
        found(result, code, "bad_sql.py", line, words)
    reported = {(d.code, d.line) for d in result.diagnostics if d.path == "bad_sql.py"}
    assert reported == {(code, line) for code, line, _ in BAD_SQL_EXPECTED}
    schema = result.schema
    for missing in ("s1", "c1", "d", "dup", "c3", "m1", "nn"):
        assert schema.table(missing) is None, missing
    assert [c.name for c in schema.table("twice").columns] == ["a"]  # the first definition
    assert schema.table("same").sources[0].line == 12
    assert schema.table("c2") is not None  # SQLite accepts a comment that runs to the end
    assert schema.table("child").foreign_keys[0].ref_table == "parent_missing"
    assert survived(result)
    assert cli(tmp_path, tmp_path) == 2


def test_a_nul_character_in_a_statement_is_reported_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    """Escaped in Python source, a NUL character reaches the statement; SQLite's C interface
    would end the statement there: the statement is reported, never an internal error."""
    source = (
        "def create(conn):\n"
        '    conn.execute("CREATE TABLE t (a INTEGER)\\x00 junk")\n'
        '    conn.execute("CREATE TABLE \\"u\\x00v\\" (a INTEGER)")\n'
        '    conn.execute("CREATE TABLE w (a INTEGER)")\n'
    )
    result = run(tmp_path, {"nul.py": source})
    found(result, "SD201", "nul.py", 2, "NUL character")
    found(result, "SD201", "nul.py", 3, "NUL character")
    assert result.schema.table("w") is not None and survived(result)
    assert not [t for t in result.schema.tables if t.name in ("t", "u\x00v", "u")]
    assert cli(tmp_path, tmp_path) == 2


PLACEHOLDERS = '''"""Every placeholder style, one per line."""


def create(conn, name, opts):
    conn.execute("CREATE TABLE p1_{} (a INT)".format(name))
    conn.execute("CREATE TABLE {name} (a INT)".format(name=name))
    conn.execute("CREATE TABLE p3_%s (a INT)" % name)
    conn.execute("CREATE TABLE p4_%(n)s (a INT)" % {"n": name})
    conn.execute(f"CREATE TABLE p5_{name} (a INT)")
    conn.execute("CREATE TABLE p6 (a INT DEFAULT ?)", (1,))
    conn.execute("CREATE TABLE p7 (a INT DEFAULT :name)", {"name": 1})
    conn.execute("CREATE TABLE p8 (a INT DEFAULT $1)", (1,))
    conn.execute("CREATE TABLE ? (a INT)", (name,))
    conn.execute("CREATE TABLE p10 (a INT CHECK (a > :min))", opts)
    conn.execute("CREATE TABLE p11 (a INT DEFAULT ?1)", (1,))
    conn.execute("CREATE TABLE p12 (a INT DEFAULT @v)", opts)
'''


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        (5, {"SD103", "SD105"}),
        (6, {"SD103", "SD105"}),
        (7, {"SD103", "SD105"}),
        (8, {"SD103", "SD105"}),
        (9, {"SD103", "SD105"}),
        (10, {"SD201", "SD103", "SD105"}),
        (11, {"SD201", "SD103", "SD105"}),
        (12, {"SD201", "SD103", "SD105"}),
        (13, {"SD201", "SD103", "SD105"}),
        (14, {"SD201", "SD103", "SD105"}),
        (15, {"SD201", "SD103", "SD105"}),
        (16, {"SD201", "SD103", "SD105"}),
    ],
)
def test_every_placeholder_style_is_reported(tmp_path: Path, line: int, codes: set[str]) -> None:
    result = run(tmp_path, {"placeholders.py": PLACEHOLDERS})
    at_line = [d for d in result.diagnostics if d.path == "placeholders.py" and d.line == line]
    assert at_line, "\n".join(str(d) for d in result.diagnostics)
    assert {d.code for d in at_line} <= codes, [str(d) for d in at_line]
    assert survived(result)


def test_placeholder_tables_are_named_with_the_placeholder(tmp_path: Path) -> None:
    result = run(tmp_path, {"placeholders.py": PLACEHOLDERS})
    names = {t.name for t in result.schema.tables}
    assert {"p1_{name}", "{name}", "p3_{name}", "p4_{name}", "p5_{name}"} <= names
    assert not names & {"p6", "p7", "p8", "p10", "p11", "p12", "?"}
