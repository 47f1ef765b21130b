"""Source written for a newer Python than the one running schemadoc.

Python's own parser refuses syntax newer than its version (``type`` statements, PEP 695
generics, 3.12's f-strings on 3.11); libcst reads it, so such a file is analysed all the same
and its DDL documented where it stands. A file that no parser accepts is still SD101.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
from projects import cli_process
from scanned import found, run, survived, write


def _python_refuses(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return True
    return False


TYPE_AND_GENERIC = '''"""Storage."""

type Row = tuple[int, str]


def first[T](items: list[T]) -> T:
    return items[0]


def create(conn):
    conn.executescript("""
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL
        );
    """)
'''

GENERIC_FUNCTION = """type Id = int


def create[T: (int, str)](conn, key: T) -> None:
    conn.execute(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER)"
    )
"""

GENERIC_CLASS = '''class Repository[T]:
    DDL = """CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        label TEXT
    )"""

    def create[K](self, conn, key: K) -> None:
        conn.execute(self.DDL)
        conn.execute("CREATE INDEX items_label ON items (label)")
'''

NESTED_QUOTES = """def label(row):
    return f"{row["name"]} ({row["id"]})"


def create(conn):
    conn.execute("CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT)")
"""


@pytest.mark.parametrize(
    "source", [TYPE_AND_GENERIC, GENERIC_FUNCTION, GENERIC_CLASS, NESTED_QUOTES]
)
def test_the_examples_are_syntax_this_python_refuses(source: str) -> None:
    if sys.version_info >= (3, 12):
        pytest.skip("this Python reads 3.12 syntax itself")
    assert _python_refuses(source)


def _own(result, path: str) -> list[str]:
    return [str(d) for d in result.diagnostics if d.path == path]


def test_a_type_statement_and_a_generic_function_keep_the_ddl(tmp_path: Path) -> None:
    result = run(tmp_path, {"store.py": TYPE_AND_GENERIC})
    assert _own(result, "store.py") == []
    users = result.schema.table("users")
    assert users is not None, [str(d) for d in result.diagnostics]
    assert [c.name for c in users.columns] == ["id", "name"]
    assert (users.source.path, users.source.line, users.source.column) == ("store.py", 12, 8)
    assert survived(result)


def test_ddl_inside_a_generic_function(tmp_path: Path) -> None:
    result = run(tmp_path, {"orders.py": GENERIC_FUNCTION})
    assert _own(result, "orders.py") == []
    orders = result.schema.table("orders")
    assert orders is not None, [str(d) for d in result.diagnostics]
    assert (orders.source.line, orders.source.column) == (6, 9)
    assert survived(result)


def test_ddl_inside_a_generic_class_and_its_generic_method(tmp_path: Path) -> None:
    result = run(tmp_path, {"repo.py": GENERIC_CLASS})
    assert _own(result, "repo.py") == []
    items = result.schema.table("items")
    assert items is not None, [str(d) for d in result.diagnostics]
    assert [c.name for c in items.columns] == ["id", "label"]
    assert (items.source.line, items.source.column) == (2, 13)
    [index] = items.indexes
    assert index.name == "items_label" and index.source is not None
    assert (index.source.line, index.source.column) == (9, 22)
    assert survived(result)


def test_an_f_string_nesting_the_same_quotes(tmp_path: Path) -> None:
    result = run(tmp_path, {"tags.py": NESTED_QUOTES})
    assert _own(result, "tags.py") == []
    tags = result.schema.table("tags")
    assert tags is not None, [str(d) for d in result.diagnostics]
    assert (tags.source.line, tags.source.column) == (6, 18)
    assert survived(result)


def test_a_constant_of_the_same_module_is_resolved(tmp_path: Path) -> None:
    source = (
        "type Key = int\n"
        'TABLE = "accounts"\n'
        "\n"
        "\n"
        "def create[T](conn, key: T) -> None:\n"
        '    conn.execute(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, owner TEXT)")\n'
    )
    result = run(tmp_path, {"accounts.py": source})
    assert _own(result, "accounts.py") == []
    accounts = result.schema.table("accounts")
    assert accounts is not None, [str(d) for d in result.diagnostics]
    assert [c.name for c in accounts.columns] == ["id", "owner"]
    assert accounts.source.line == 6
    assert survived(result)


def test_a_constant_imported_from_a_module_of_newer_syntax_is_resolved(tmp_path: Path) -> None:
    names = 'type Key = int\nTABLE = "members"\nCOLUMNS = "id INTEGER PRIMARY KEY, email TEXT"\n'
    schema = 'from names import COLUMNS, TABLE\n\nDDL = f"CREATE TABLE {TABLE} ({COLUMNS})"\n'
    result = run(tmp_path, {"names.py": names, "schema.py": schema})
    assert _own(result, "names.py") == [] and _own(result, "schema.py") == []
    members = result.schema.table("members")
    assert members is not None, [str(d) for d in result.diagnostics]
    assert [c.name for c in members.columns] == ["id", "email"]
    assert (members.source.path, members.source.line) == ("schema.py", 3)
    assert survived(result)


def test_a_module_of_newer_syntax_importing_a_constant(tmp_path: Path) -> None:
    names = 'TABLE = "invoices"\n'
    schema = (
        "from names import TABLE\n"
        "\n"
        "\n"
        "class Store[T]:\n"
        "    def create(self, conn) -> None:\n"
        '        conn.execute(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY)")\n'
    )
    result = run(tmp_path, {"names.py": names, "schema.py": schema})
    assert _own(result, "schema.py") == []
    invoices = result.schema.table("invoices")
    assert invoices is not None, [str(d) for d in result.diagnostics]
    assert (invoices.source.path, invoices.source.line) == ("schema.py", 6)
    assert survived(result)


def test_a_real_syntax_error_is_still_sd101_at_its_line(tmp_path: Path) -> None:
    source = (
        'DDL = "CREATE TABLE broken (id INTEGER)"\n\n\ndef create(conn)\n    conn.execute(DDL)\n'
    )
    result = run(tmp_path, {"broken.py": source})
    d = found(result, "SD101", "broken.py", 4)
    assert d.severity == "error" and d.column == 16
    assert result.schema.table("broken") is None
    assert survived(result)


def test_newer_syntax_with_a_real_syntax_error_is_sd101(tmp_path: Path) -> None:
    source = (
        "type Row = tuple[int, str]\n"
        'DDL = "CREATE TABLE broken (id INTEGER)"\n'
        "\n"
        "\n"
        "def create(conn)\n"
        "    conn.execute(DDL)\n"
    )
    result = run(tmp_path, {"broken.py": source})
    codes = [d.code for d in result.diagnostics if d.path == "broken.py"]
    assert codes == ["SD101"]
    assert result.schema.table("broken") is None
    assert survived(result)


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 5000 + "1" + ")" * 5000,
        "lambda: " * 5000 + "1",
        "1" + " + 1" * 20_000,
        'f"{' * 5000 + "1" + '}"' * 5000,
    ],
    ids=["brackets", "lambdas", "sum", "f-strings"],
)
def test_deep_nesting_in_newer_syntax_is_refused_without_a_crash(
    tmp_path: Path, expression: str
) -> None:
    """Python stops at the newer syntax before it reaches the nesting that would overflow
    libcst's native parser: the nesting is measured before libcst sees the file. The real
    command line runs in a child process, so a crash would show as a signal."""
    write(
        tmp_path / "p",
        {"deep.py": f'type Row = tuple[int, str]\nDDL = "CREATE TABLE a (id)"\nX = {expression}\n'},
    )
    proc = cli_process("generate", str(tmp_path / "p"), "--output", "-", cwd=tmp_path, timeout=300)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "deep.py:" in proc.stderr and "SD101" in proc.stderr
    assert "internal error" not in proc.stderr
    assert "survivor" in proc.stdout
