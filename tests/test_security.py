"""Hostile DDL in scanned code: nothing it asks for happens, and each attempt is reported.

schemadoc runs in CI on pull requests from strangers, so every string literal it scans is
untrusted. Each test checks two things: the effect did not happen (no file, no load, no
runaway time or memory, no trigger fired, no view evaluated), and a diagnostic says so at the
right file and line. Every scan also holds a good file that sorts last, to show that the run
went on.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import apsw
import pytest
from projects import cli_process
from scanned import GOOD, found, run, survived, working_directory
from shared import once_per_run

from schemadoc.cli import main
from schemadoc.config import Settings
from schemadoc.pipeline import Result, scan
from schemadoc.verify import apply, limits, sandbox, state
from schemadoc.verify.limits import Deadline
from schemadoc.verify.sandbox import Sandbox


def codes(result: Result) -> list[str]:
    return [d.code for d in result.diagnostics]


def script(*lines: str) -> str:
    """A module whose line 2 onwards is the triple-quoted DDL ``lines`` (one per line)."""
    return 'DDL = """\n' + "\n".join(lines) + '\n"""\n'


@pytest.fixture
def canary(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple]]:
    """A ``canary(...)`` SQL function in every scratch database; the calls it got."""
    calls: list[tuple] = []
    real_init = Sandbox.__init__

    def init(self: Sandbox, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        # Innocuous, as built-in functions are: schema objects may use it (trusted_schema off).
        self.conn.create_scalar_function(
            "canary",
            lambda *a: calls.append(a) or 1,
            -1,
            deterministic=True,
            flags=apsw.SQLITE_INNOCUOUS,
        )

    monkeypatch.setattr(Sandbox, "__init__", init)
    yield calls


@pytest.fixture
def rows_at_close(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Row counts of every ordinary table in the scratch database when it is closed (the
    first time: closing again does nothing)."""
    counts: dict[str, int] = {}
    real_close = Sandbox.close
    closed: set[int] = set()

    def close(self: Sandbox) -> None:
        if id(self) in closed:
            return real_close(self)
        closed.add(id(self))
        for schema in ("main", "temp"):
            for name, sql in self.conn.execute(
                f"SELECT name, sql FROM {schema}.sqlite_master WHERE type = 'table'"
            ).fetchall():
                if name.startswith("sqlite_") or sql.upper().startswith("CREATE VIRTUAL"):
                    continue
                quoted = '"' + name.replace('"', '""') + '"'
                counts[f"{schema}.{name}"] = self.conn.execute(
                    f"SELECT count(*) FROM {schema}.{quoted}"
                ).fetchone()[0]
        real_close(self)

    monkeypatch.setattr(Sandbox, "close", close)
    return counts


@pytest.fixture
def sqlite_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement handed to SQLite (``Sandbox.run``), in order."""
    runs: list[str] = []
    real_run = Sandbox.run

    def counted(self: Sandbox, sql: str, **kwargs: Any) -> None:
        runs.append(sql)
        real_run(self, sql, **kwargs)

    monkeypatch.setattr(Sandbox, "run", counted)
    return runs


@pytest.fixture
def cpu_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox's clock counts only the time this process runs (its processor time): its
    deadlines and budget then do not depend on what else the machine is running. Only for
    statements that keep the processor busy until they are stopped (one that waits would not
    reach its deadline)."""
    monkeypatch.setattr(sandbox, "time", SimpleNamespace(monotonic=time.process_time))
    monkeypatch.setattr(limits, "time", SimpleNamespace(monotonic=time.process_time))


def stopped_after(result: Result) -> list[float]:
    """The deadline (seconds) of each statement that SD204 says was stopped at its deadline."""
    return [
        float(d.message.split("stopped after ", 1)[1].split(" s", 1)[0])
        for d in result.diagnostics
        if d.code == "SD204" and "stopped after " in d.message
    ]


# --- files: ATTACH, VACUUM INTO -------------------------------------------------------------


def test_attach_alone_in_a_literal_creates_no_file(tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    source = f'ATTACH = "ATTACH DATABASE \'{target}\' AS x"\nDDL = "CREATE TABLE a (id INT)"\n'
    result = run(tmp_path, {"attach.py": source})
    assert not target.exists()
    assert result.schema.table("a") is not None
    assert survived(result)


def test_attach_in_a_script_is_reported_and_skipped(tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    source = script(
        "CREATE TABLE a (id INTEGER);",  # line 2
        f"ATTACH DATABASE '{target}' AS x;",  # line 3
        "CREATE TABLE x.t (id INTEGER);",  # line 4
        "CREATE TABLE b (id INTEGER);",  # line 5
    )
    result = run(tmp_path, {"attach.py": source})
    assert not target.exists()
    found(result, "SD205", "attach.py", 3, "ATTACH")
    # The file is never attached; the table named in database x is documented under x, as
    # the scratch database's own in-memory x holds it.
    assert [d.code for d in result.diagnostics if d.line == 4] == []
    table = result.schema.table("t")
    assert table is not None and table.database == "x"
    assert result.schema.table("a") is not None and result.schema.table("b") is not None
    assert survived(result)


def test_vacuum_into_is_reported_and_skipped(tmp_path: Path) -> None:
    target = tmp_path / "y.db"
    source = script(
        "CREATE TABLE a (id INTEGER);",
        f"VACUUM INTO '{target}';",  # line 3
        f"VACUUM main INTO '{target}';",  # line 4
    )
    result = run(tmp_path, {"vacuum.py": source})
    assert not target.exists()
    found(result, "SD205", "vacuum.py", 3, "VACUUM")
    found(result, "SD205", "vacuum.py", 4, "VACUUM")
    assert result.schema.table("a") is not None
    assert survived(result)


@pytest.mark.parametrize(
    "sql",
    [
        "ATTACH DATABASE '{dir}/x.db' AS x",
        "ATTACH '{dir}/x.db' AS x",
        "ATTACH 'file:{dir}/x.db?mode=rwc' AS x",
        "VACUUM INTO '{dir}/x.db'",
        "VACUUM main INTO '{dir}/x.db'",
    ],
)
def test_sandbox_refuses_files_even_if_asked_directly(tmp_path: Path, sql: str) -> None:
    """Defence in depth: verify never sends these, and the scratch database refuses them."""
    box = Sandbox()
    try:
        with pytest.raises(apsw.Error) as refused:
            box.run(sql.format(dir=tmp_path))
        # Refused by the authorizer, or (VACUUM) already for running inside a transaction.
        assert any("ATTACH" in d for d in box.denied) or "transaction" in str(refused.value)
        attached = box.conn.execute("PRAGMA database_list").fetchall()
        assert [(name, file) for _seq, name, file in attached] == [("main", ""), ("temp", "")]
    finally:
        box.close()
    assert list(tmp_path.iterdir()) == []


def test_scratch_databases_take_small_pages_under_the_same_cap() -> None:
    """A schema's tables are empty: 1 KiB pages (not SQLite's 4 KiB) keep what each table's
    root page takes small, and the cap stays 256 MiB per database, attached ones included."""
    box = Sandbox()
    try:
        assert box.attach("mem")
        for schema in ("main", "temp", "mem"):
            page = box.conn.execute(f"PRAGMA {schema}.page_size").fetchone()[0]
            pages = box.conn.execute(f"PRAGMA {schema}.max_page_count").fetchone()[0]
            assert (page, page * pages) == (1024, 256 * 2**20), schema
        before = apsw.memory_used()
        for i in range(2000):
            box.run(f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, name_{i} TEXT, amount REAL)")
        assert apsw.memory_used() - before < 6 * 2**20  # 12 MiB with 4 KiB pages
    finally:
        box.close()


# --- PRAGMA writes ----------------------------------------------------------------------------

PRAGMAS = [
    "PRAGMA writable_schema = ON",
    "PRAGMA main.writable_schema = 1",
    "PRAGMA schema_version = 7",
    "PRAGMA trusted_schema = ON",
    "PRAGMA max_page_count = 1",
    "PRAGMA hard_heap_limit = 1",
    "PRAGMA soft_heap_limit = 1",
    "PRAGMA temp.max_page_count = 1",
]


def test_pragma_writes_are_reported_and_not_applied(tmp_path: Path) -> None:
    source = script(*[p + ";" for p in PRAGMAS], "CREATE TABLE after_pragmas (id INTEGER);")
    result = run(tmp_path, {"pragmas.py": source})
    for line, pragma in enumerate(PRAGMAS, start=2):
        name = pragma.split("=")[0].split()[-1].split(".")[-1]
        found(result, "SD205", "pragmas.py", line, name)
    # Had any applied, the table after them could not exist (max_page_count, heap limit).
    assert result.schema.table("after_pragmas") is not None
    assert survived(result)
    # The process-wide limits of the SQLite that ran them are as they were.
    assert apsw.hard_heap_limit(-1) == 0
    assert apsw.soft_heap_limit(-1) == 0


@pytest.mark.parametrize("pragma", PRAGMAS)
def test_sandbox_denies_pragma_writes(pragma: str) -> None:
    box = Sandbox()
    try:
        with pytest.raises(apsw.Error):
            box.run(pragma)
        assert any(d.startswith("PRAGMA") for d in box.denied)
        assert box.conn.execute("PRAGMA writable_schema").fetchone()[0] == 0
    finally:
        box.close()


# --- functions: load_extension, fts3_tokenizer ----------------------------------------------

FORBIDDEN = [
    ("CREATE TABLE t (x DEFAULT (load_extension('{lib}')))", "load_extension"),
    ("CREATE TABLE t (x DEFAULT (fts3_tokenizer('simple')))", "fts3_tokenizer"),
    ("CREATE TABLE t (x CHECK (load_extension('{lib}') IS NULL))", "load_extension"),
    ("CREATE TABLE t (x CHECK (fts3_tokenizer('simple') IS NOT NULL))", "fts3_tokenizer"),
    ("CREATE TABLE t (x, y AS (load_extension('{lib}')))", "load_extension"),
    ("CREATE TABLE t (x, y AS (fts3_tokenizer('simple')) STORED)", "fts3_tokenizer"),
    ("CREATE TABLE t AS SELECT load_extension('{lib}') AS x", "load_extension"),
    ("CREATE TABLE t (x DEFAULT (\"load_extension\"('{lib}')))", "load_extension"),
    ("CREATE TABLE t (x DEFAULT (LOAD_EXTENSION /* c */ ('{lib}')))", "load_extension"),
]


@pytest.mark.parametrize(("ddl", "function"), FORBIDDEN)
def test_forbidden_function_in_a_table(tmp_path: Path, ddl: str, function: str) -> None:
    source = f'"""Plugins."""\n\nDDL = """{ddl.format(lib=tmp_path / "evil")}"""\n'
    result = run(tmp_path, {"evil.py": source})
    found(result, "SD203", "evil.py", 3, function)
    assert result.schema.table("t") is None
    assert survived(result)


@pytest.mark.parametrize(
    ("ddl", "function"),
    [
        ("CREATE INDEX ix ON base (load_extension('{lib}'))", "load_extension"),
        ("CREATE INDEX ix ON base (fts3_tokenizer('simple'))", "fts3_tokenizer"),
        ("CREATE INDEX ix ON base (a) WHERE load_extension('{lib}') IS NULL", "load_extension"),
        ("CREATE VIEW v AS SELECT load_extension('{lib}') AS x", "load_extension"),
        ("CREATE VIEW v AS SELECT a FROM base WHERE fts3_tokenizer('x') IS NULL", "fts3_tokenizer"),
        (
            "CREATE TRIGGER tr AFTER INSERT ON base BEGIN SELECT load_extension('{lib}'); END",
            "load_extension",
        ),
        (
            "CREATE TRIGGER tr BEFORE DELETE ON base BEGIN SELECT fts3_tokenizer('x'); END",
            "fts3_tokenizer",
        ),
        (
            "CREATE TRIGGER tr AFTER INSERT ON base BEGIN SELECT writefile('{lib}', 'x'); END",
            "writefile",
        ),
    ],
)
def test_forbidden_function_in_indexes_views_and_triggers(
    tmp_path: Path, ddl: str, function: str
) -> None:
    lib = tmp_path / "lib" / "evil"
    source = script("CREATE TABLE base (a INTEGER);", ddl.format(lib=lib) + ";")
    result = run(tmp_path, {"evil.py": source})
    found(result, "SD203", "evil.py", 3, function)
    schema = result.schema
    assert schema.views == () and schema.triggers == ()
    assert schema.table("base") is not None and schema.table("base").indexes == ()
    assert survived(result)
    assert not lib.parent.exists()


def test_extension_loading_is_off_in_the_scratch_database() -> None:
    box = Sandbox()
    try:
        with pytest.raises(apsw.Error):  # refused even without the authorizer
            box.conn.execute("SELECT load_extension('/nonexistent/evil')")
    finally:
        box.close()


# --- time: runaway statements -----------------------------------------------------------------

RUNAWAY = (
    "CREATE TABLE runaway AS WITH RECURSIVE r(n) AS "
    "(SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r"
)


def test_recursive_ctas_stops_at_the_deadline(
    tmp_path: Path, interrupted: list[Sandbox], sqlite_runs: list[str]
) -> None:
    source = script("CREATE TABLE before_loop (id INTEGER);", RUNAWAY + ";", "CREATE TABLE x (a);")
    result = run(tmp_path, {"loop.py": source})
    # Whichever limit comes first: the deadline, or the page cap of the scratch database.
    line3 = [d for d in result.diagnostics if d.line == 3]
    assert [d.code for d in line3] in (["SD204"], ["SD203"]), [str(d) for d in line3]
    assert line3[0].path == "loop.py" and "runaway" in line3[0].message
    if line3[0].code == "SD204":  # stopped at its own deadline, not a later one
        assert stopped_after(result) == [sandbox.DEADLINE_SECONDS], str(line3[0])
    # Run once and stopped once: never retried, nothing else ran into a deadline.
    assert sum("runaway" in sql for sql in sqlite_runs) == 1
    assert len(interrupted) <= 1
    assert result.schema.table("runaway") is None
    assert result.schema.table("before_loop") is not None and result.schema.table("x")
    assert survived(result)


def test_recursive_ctas_without_rows_hits_the_deadline(interrupted: list[Sandbox]) -> None:
    """A loop that writes nothing can only be stopped by the deadline."""
    box = Sandbox(deadline=0.5)
    sql = (
        "CREATE TABLE spin AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT n FROM r WHERE n < 0"
    )
    try:
        with pytest.raises(Deadline, match=r"^stopped after 0\.5 s$"):
            box.run(sql, writes=True)
        assert interrupted == [box]  # the watchdog stopped it, once
        box.run("CREATE TABLE fine (a)")  # the connection is still usable
        assert box.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 1
    finally:
        box.close()


def test_many_runaway_statements_share_one_time_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpu_clock: None, sqlite_runs: list[str]
) -> None:
    """Past the budget each statement gets a short deadline: the total stays bounded, and
    ordinary statements still run."""
    monkeypatch.setattr(sandbox, "DEADLINE_SECONDS", 0.4)
    monkeypatch.setattr(sandbox, "BUDGET_SECONDS", 1.0)
    spin = (
        "CREATE TABLE spin{i} AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
        " SELECT n FROM r WHERE n < 0;"
    )
    lines = [spin.format(i=i) for i in range(12)] + ["CREATE TABLE after_spin (id INTEGER);"]
    result = run(tmp_path, {"spin.py": script(*lines)})
    assert codes(result).count("SD204") == 12
    found(result, "SD204", "spin.py", 13, "budget")
    # Each ran once, under a deadline no longer than its own; together the deadlines fit in
    # the budget plus one floor per statement.
    assert [sum(f"spin{i} " in sql for sql in sqlite_runs) for i in range(12)] == [1] * 12
    deadlines = stopped_after(result)
    assert deadlines and max(deadlines) <= sandbox.DEADLINE_SECONDS, deadlines
    assert sum(deadlines) <= sandbox.BUDGET_SECONDS + 12 * sandbox.FLOOR_SECONDS, deadlines
    assert result.schema.table("after_spin") is not None
    assert survived(result)


SPIN = (
    "CREATE TABLE spin{i} AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
    " SELECT n FROM r WHERE n < 0;"
)


@pytest.mark.parametrize("spins", [30, 300])
def test_the_time_spent_in_sqlite_is_bounded_whatever_the_number_of_statements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpu_clock: None, spins: int
) -> None:
    """Past twice the budget a statement gets only the few milliseconds DDL needs (so DDL
    still runs), and past four times it is reported without being run."""
    monkeypatch.setattr(sandbox, "DEADLINE_SECONDS", 0.2)
    monkeypatch.setattr(sandbox, "BUDGET_SECONDS", 0.3)
    monkeypatch.setattr(sandbox, "LAST_SECONDS", 0.01)
    result = run(tmp_path, {"spin.py": script(*(SPIN.format(i=i) for i in range(spins)))})
    stopped = [d.message for d in result.diagnostics if d.code == "SD204"]
    at_floor = [m for m in stopped if "stopped after 0.1 s" in m]
    short = [m for m in stopped if "stopped after 0.01 s" in m]
    not_run = [m for m in stopped if "not run" in m]
    assert len(at_floor) <= 6 and short  # 0.3 s of floors, then the short deadline
    if spins == 30:
        assert len(stopped) == 30 and not not_run
        assert survived(result)  # DDL after them still runs
    else:
        assert len(stopped) == 301  # the good file's statement too: nothing more runs
        assert len(at_floor) + len(short) < 100 and len(not_run) > 200


# --- time: one call that nothing interrupts ---------------------------------------------------


def _chars(n: int, char: str = "a") -> str:
    """SQL for a text of ``n`` (even) times ``char``, built in a few cheap calls."""
    return f"replace(hex(zeroblob({n // 2})), '0', '{char}')"


def _object(prefix: str, keys: int) -> str:
    """SQL for a JSON object of ``keys`` keys."""
    return (
        f"(WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < {keys}) "
        f"SELECT json_group_object('{prefix}' || i, 0) FROM r)"
    )


# Each spends 20 to 35 s here in one call of a function, where no interrupt is seen.
ONE_CALL = {
    "instr": "instr(replace(zeroblob(2400000), x'00', 'a') || 'b', "
    "replace(zeroblob(1200000), x'00', 'a') || 'b')",
    "replace": f"replace({_chars(2_400_000)}, {_chars(1_200_000)} || 'b', 'c')",
    "ltrim": f"ltrim({_chars(300_000)}, {_chars(30_000, 'b')} || 'a')",
    "like": f"{_chars(600_000)} LIKE '%' || {_chars(40_000)} || 'b'",
    "glob": f"{_chars(600_000)} GLOB '*' || {_chars(40_000)} || 'b'",
    "json_patch": f"json_patch({_object('a', 75_000)}, {_object('b', 75_000)})",
    "printf": "printf('%.*c', 2000000000, 'x') || printf('%.*c', 2000000001, 'y') "
    "|| printf('%.*c', 2000000002, 'z')",
}


@pytest.mark.parametrize("function", list(ONE_CALL))
def test_one_costly_call_is_stopped_before_it_runs(tmp_path: Path, function: str) -> None:
    source = script(
        "CREATE TABLE before_call (id INTEGER);",
        f"CREATE TABLE slow AS SELECT {ONE_CALL[function]} AS x;",  # line 3
        "CREATE TABLE after_call (id INTEGER);",
    )
    result = run(tmp_path, {"slow.py": source})
    found(result, "SD204", "slow.py", 3, "slow", f"{function}()")
    assert result.schema.table("slow") is None
    assert result.schema.table("before_call") and result.schema.table("after_call")
    assert survived(result)


def test_checked_functions_answer_as_sqlite_does() -> None:
    """The costly functions are checked calls of SQLite's own: same values, same errors."""
    query = (
        "SELECT instr('abc', 'c'), instr(x'0102', x'02'), replace('aXbX', 'X', 'yy'), "
        "replace(12345, 3, 9), trim('xxaxx', 'x'), ltrim('..a', '.'), rtrim('a  '), "
        "'x' LIKE 'X', 'a%' LIKE 'a\\%' ESCAPE '\\', 'ab' GLOB 'a*', "
        "printf('%5.2f|%.3c|%-4d|%s|%.*c|%%', 3.14159, 'x', 7, NULL, 2, 'z'), printf(5), "
        "format('%q', 'it''s'), json_patch('{\"a\":1}', '{\"a\":null,\"b\":2}')"
    )
    plain = apsw.Connection(":memory:")  # the same SQLite, without the sandbox
    box = Sandbox()
    try:
        assert box.conn.execute(query).fetchall() == plain.execute(query).fetchall()
        for ddl in (
            "CREATE TABLE e AS SELECT json_patch('{bad', '{}') AS x",
            "CREATE TABLE e AS SELECT 'a' LIKE 'b' ESCAPE 'xy' AS x",
        ):
            with pytest.raises(apsw.Error) as theirs:
                plain.execute(ddl)
            with pytest.raises(apsw.Error) as ours:
                box.run(ddl, writes=True)
            assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))
        with pytest.raises(apsw.TooBigError):  # the length limit, as for SQLite's own
            box.run(
                f"CREATE TABLE e AS SELECT replace({_chars(4_000_000)}, 'a', 'aa')", writes=True
            )
        assert box.denied == [f"a value or statement over {sandbox.MAX_LENGTH:,} bytes"]
    finally:
        box.close()
        plain.close()


def test_virtual_table_arguments_are_limited() -> None:
    """A tokenizer reads its separators in one call that takes time growing with their square
    (once 15 s for these); past MAX_VIRTUAL_LENGTH a virtual table is refused up front."""
    separators = "".join(chr(0x20000 + 800_000 - i) for i in range(800_000))
    box = Sandbox()
    try:
        with pytest.raises(apsw.TooBigError):
            box.run(
                f"CREATE VIRTUAL TABLE words USING fts5(body, "
                f"tokenize = \"unicode61 separators '{separators}'\")",
                writes=True,
            )
        assert box.denied == [
            f"a virtual table statement over {sandbox.MAX_VIRTUAL_LENGTH:,} bytes"
        ]
        box.run("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'porter')", writes=True)
    finally:
        box.close()


@pytest.fixture
def interrupted(monkeypatch: pytest.MonkeyPatch) -> list[Sandbox]:
    """A ``hold()`` SQL function in every scratch database that returns once the watchdog has
    interrupted that database (or after 30 s); the databases the watchdog interrupted."""
    boxes: list[Sandbox] = []
    real_init = Sandbox.__init__
    real_interrupt = getattr(Sandbox, "_interrupt", None)

    def init(self: Sandbox, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        self.released = threading.Event()  # type: ignore[attr-defined]
        self.conn.create_scalar_function("hold", lambda: self.released.wait(30), 0)  # type: ignore

    def interrupt(self: Sandbox) -> None:
        boxes.append(self)
        self.released.set()  # type: ignore[attr-defined]
        real_interrupt(self)  # type: ignore[misc]

    monkeypatch.setattr(Sandbox, "__init__", init)
    monkeypatch.setattr(Sandbox, "_interrupt", interrupt, raising=False)
    return boxes


def test_a_call_still_running_at_the_deadline_is_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupted: list[Sandbox]
) -> None:
    monkeypatch.setattr(sandbox, "DEADLINE_SECONDS", 0.5)
    source = script(
        "CREATE TABLE before_hold (id INTEGER);",
        "CREATE TABLE held AS SELECT hold() AS x;",  # line 3
        "CREATE TABLE after_hold (id INTEGER);",
    )
    result = run(tmp_path, {"hold.py": source})
    found(result, "SD204", "hold.py", 3, "held", "stopped after 0.5 s")
    assert len(interrupted) == 1
    assert result.schema.table("held") is None
    assert result.schema.table("before_hold") and result.schema.table("after_hold")
    assert survived(result)


def test_a_deadline_reaches_only_its_own_statement(interrupted: list[Sandbox]) -> None:
    """A deadline that passes as its statement ends and the next one starts (in another
    database here) never stops the next one."""
    early, late = Sandbox(), Sandbox()
    try:
        for _ in range(300):
            with limits._WATCHDOG.watching(early, time.monotonic()):  # due at once
                pass
            with limits._WATCHDOG.watching(late, time.monotonic() + 60):
                assert late.conn.execute("SELECT 1").fetchall() == [(1,)]
        assert late not in interrupted
    finally:
        early.close()
        late.close()


def test_one_watchdog_thread_serves_every_statement() -> None:
    boxes = [Sandbox(), Sandbox()]
    try:
        for i in range(200):
            boxes[i % 2].run(f"CREATE TABLE t{i} (id INTEGER)")
        names = [t.name for t in threading.enumerate()]
        assert names.count("schemadoc-watchdog") == 1
    finally:
        for box in boxes:
            box.close()


# --- memory: huge values, runaway growth, exploding views ------------------------------------


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE big AS SELECT randomblob(1000000000) AS b",
        "CREATE TABLE big AS SELECT zeroblob(1000000000) AS b",
        "CREATE TABLE big AS SELECT randomblob(1e9) AS b",
        "CREATE TABLE big AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT zeroblob(4000000) AS b FROM r",
    ],
)
def test_huge_values_are_refused(tmp_path: Path, ddl: str) -> None:
    before = _peak_mib()
    result = run(tmp_path, {"blob.py": script(ddl + ";")})
    d = [d for d in result.diagnostics if d.line == 2]
    assert [x.code for x in d] in (["SD203"], ["SD204"]), [str(x) for x in result.diagnostics]
    assert d[0].path == "blob.py" and "big" in d[0].message
    assert result.schema.table("big") is None
    assert survived(result)
    assert _peak_mib() - before < 1200, "the scratch database grew too far"


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE lazy (b BLOB DEFAULT (zeroblob(1000000000)))",
        "CREATE TABLE lazy (b BLOB DEFAULT (randomblob(1000000000)))",
    ],
)
def test_huge_default_is_never_evaluated(
    tmp_path: Path, ddl: str, blob_calls: list[str], rows_at_close: dict[str, int]
) -> None:
    """A DEFAULT only runs on INSERT, and nothing is ever inserted: it is documented as is."""
    before = _peak_mib()
    result = run(tmp_path, {"lazy.py": script(ddl + ";")})
    lazy = result.schema.table("lazy")
    assert lazy is not None and "1000000000" in (lazy.column("b").default or "")
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert blob_calls == [], "the DEFAULT was evaluated"
    assert rows_at_close.get("main.lazy") == 0
    assert _peak_mib() - before < 200


@pytest.fixture
def blob_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``zeroblob`` and ``randomblob`` in every scratch database note each call (and return an
    empty blob): a call means an expression that uses them was evaluated."""
    calls: list[str] = []
    real_init = Sandbox.__init__

    def init(self: Sandbox, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        for name in ("zeroblob", "randomblob"):
            self.conn.create_scalar_function(
                name,
                lambda _n, name=name: calls.append(name) or b"",
                1,
                flags=apsw.SQLITE_INNOCUOUS,  # as the built-ins are: DEFAULTs may use them
            )

    monkeypatch.setattr(Sandbox, "__init__", init)
    return calls


def test_huge_default_added_to_a_table_is_never_evaluated(tmp_path: Path) -> None:
    source = script(
        "CREATE TABLE t (a INTEGER);",
        "ALTER TABLE t ADD COLUMN b BLOB DEFAULT (zeroblob(1000000000));",  # line 3
    )
    before = _peak_mib()
    result = run(tmp_path, {"alter.py": source})
    assert [c.name for c in result.schema.table("t").columns] == ["a", "b"]
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert _peak_mib() - before < 200
    assert survived(result)


def _exploding_views(width: int, levels: int) -> list[str]:
    """Views that each read every view of the level below: width ** levels leaves."""
    lines = [f"CREATE VIEW l0_{i} AS SELECT 1 AS a;" for i in range(width)]
    for level in range(1, levels + 1):
        for i in range(width if level < levels else 1):
            body = " UNION ALL ".join(f"SELECT a FROM l{level - 1}_{j}" for j in range(width))
            lines.append(f"CREATE VIEW l{level}_{i} AS {body};")
    return lines


def test_exploding_view_is_refused_when_created(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    interrupted: list[Sandbox],
    sqlite_runs: list[str],
) -> None:
    """Preparing a view expands the views it reads, in one call that neither the deadline
    nor an interrupt can stop: the heap cap and the authorizer's clock do."""
    monkeypatch.setattr(sandbox, "HEAP_BUDGET", 64 * 2**20)
    lines = _exploding_views(60, 3)  # 216,000 leaves in the top view
    lines.append("CREATE TABLE boom AS SELECT * FROM l3_0;")
    source = script(*lines)
    top_line = len(lines)  # the top view's line (the script starts on line 2)
    before = _peak_mib()
    result = run(tmp_path, {"views.py": source})
    top = [d for d in result.diagnostics if d.line == top_line]
    assert [d.code for d in top] in (["SD203"], ["SD204"]), [str(d) for d in top]
    assert "l3_0" in top[0].message
    assert result.schema.table("boom") is None
    assert {v.name for v in result.schema.views} >= {"l2_0", "l0_0"}
    assert "l3_0" not in {v.name for v in result.schema.views}
    assert survived(result)
    # Each statement ran once (the good file's too), and one limit at most was reached.
    assert len(sqlite_runs) == len(set(sqlite_runs)) == len(lines) + 1
    assert len(interrupted) <= 1
    assert _peak_mib() - before < 600
    assert apsw.hard_heap_limit(-1) == 0  # the process-wide heap limit is restored


def _late_explosion(width: int, tops: int, redefine: bool) -> tuple[list[str], int]:
    """Views that read ``mid`` ``width`` times each, written before ``mid`` exists (or while a
    harmless ``mid`` exists that is then dropped): only defining ``mid`` makes them explode.
    Returns the lines and the line (in the module) of the ``mid`` that must be refused."""
    lines = []
    if redefine:
        lines.append("CREATE TABLE mid (a INTEGER);")
    for k in range(tops):
        body = " UNION ALL ".join("SELECT a FROM mid" for _ in range(width))
        lines.append(f"CREATE VIEW top{k} AS {body};")
    if redefine:
        lines.append("DROP TABLE mid;")
    lines += [f"CREATE VIEW l0_{i} AS SELECT 1 AS a;" for i in range(width)]
    lines += [
        f"CREATE VIEW l1_{i} AS "
        + " UNION ALL ".join(f"SELECT a FROM l0_{j}" for j in range(width))
        + ";"
        for i in range(3)
    ]
    lines.append(
        "CREATE VIEW mid AS "
        + " UNION ALL ".join(f"SELECT a FROM l1_{j % 3}" for j in range(width))
        + ";"
    )
    return lines, len(lines) + 1  # the script starts on line 2


@pytest.mark.parametrize("redefine", [False, True], ids=["defined-late", "dropped-and-redefined"])
def test_view_that_explodes_once_its_source_exists_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    redefine: bool,
    interrupted: list[Sandbox],
    sqlite_runs: list[str],
) -> None:
    """A view reading a missing view is cheap; the statement that supplies the missing view
    is the one that makes it explode, and is refused (and undone), so that reading the schema
    back stays cheap."""
    monkeypatch.setattr(sandbox, "HEAP_BUDGET", 64 * 2**20)
    lines, mid_line = _late_explosion(60, 5, redefine)
    lines.append("CREATE TABLE after_mid (id INTEGER);")
    result = run(tmp_path, {"late.py": script(*lines)})
    at_mid = [d for d in result.diagnostics if d.line == mid_line]
    assert [d.code for d in at_mid] in (["SD203"], ["SD204"]), [str(d) for d in at_mid]
    assert "mid" in at_mid[0].message
    tops = [d for d in result.diagnostics if d.code == "SD202" and "top" in d.message]
    assert len(tops) == 5  # they read a view that does not exist
    assert result.schema.table("after_mid") is not None
    assert survived(result)
    # Each statement ran once (the good file's too), and one limit at most was reached.
    assert len(sqlite_runs) == len(set(sqlite_runs)) == len(lines) + 1
    assert len(interrupted) <= 1


# --- size: huge literals, wide tables, deep nesting --------------------------------------------


def _measured(function: Callable[..., Any], sizes: list[int], at: int = 0) -> Callable[..., Any]:
    """``function``, noting the length of its argument ``at`` in ``sizes`` at each call."""

    def measured(*args: Any, **kwargs: Any) -> Any:
        sizes.append(len(args[at]))
        return function(*args, **kwargs)

    return measured


Read = dict[str, list[int]]


@pytest.fixture(scope="module")
def big_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Read]:
    """One scan (once per test run) of a 50 MB literal and a 100,000-column table (both slow
    to build); the lengths of the statements handed to the statement reader (its regular
    expressions), to the parser and to SQLite."""
    return once_per_run(tmp_path_factory, "big_scan", lambda: _big_scan(tmp_path_factory))


def _big_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Read]:
    folder = tmp_path_factory.mktemp("big")
    (folder / "huge.py").write_text(
        '"""A 50 MB literal."""\n\nHUGE = "CREATE TABLE huge (x TEXT DEFAULT \''
        + "a" * 50_000_000
        + "')\"\n",
        encoding="utf-8",
    )
    columns = ", ".join(f"c{i} INT" for i in range(100_000))
    (folder / "wide.py").write_text(f'WIDE = "CREATE TABLE wide ({columns})"\n', encoding="utf-8")
    (folder / "zz_good.py").write_text(GOOD, encoding="utf-8")
    read: Read = {"head": [], "parser": [], "sqlite": []}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(state, "head", _measured(state.head, read["head"]))
        patch.setattr(state, "parse_statement", _measured(state.parse_statement, read["parser"]))
        patch.setattr(Sandbox, "run", _measured(Sandbox.run, read["sqlite"], at=1))
        result = scan([folder], Settings(root=str(folder), max_file_size=64_000_000))
    return result, read


def test_50_mb_literal_is_refused(big_scan: tuple[Result, Read]) -> None:
    """Refused on its length: the statement reader goes over it once at most, and neither
    the parser nor SQLite reads it."""
    result, read = big_scan
    found(result, "SD203", "huge.py", 3, "5,000,000")
    assert result.schema.table("huge") is None
    assert survived(result)
    assert len([n for n in read["head"] if n > sandbox.MAX_LENGTH]) <= 1
    assert read["parser"] and max(read["parser"]) < apply._PARSE_LIMIT
    assert read["sqlite"] and max(read["sqlite"]) <= sandbox.MAX_LENGTH


def test_100_000_columns_are_refused(big_scan: tuple[Result, Read]) -> None:
    result, _ = big_scan
    found(result, "SD201", "wide.py", 1, "too many columns")
    assert result.schema.table("wide") is None
    assert survived(result)


def test_oversized_statements_are_refused_before_they_are_read(
    big_scan: tuple[Result, Read],
) -> None:
    """The 50 MB statement reaches neither the parser nor SQLite; the 100,000-column one
    reaches SQLite, which refuses it at once, but not the parser (parsing them once took ~15 s
    and ~12 s)."""
    _, read = big_scan
    assert len([n for n in read["sqlite"] if n >= apply._PARSE_LIMIT]) == 1  # the wide one
    assert max(read["sqlite"]) <= sandbox.MAX_LENGTH
    assert max(read["parser"]) < apply._PARSE_LIMIT


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 5000 + "1" + ")" * 5000,
        "-" * 5000 + "1",
        "NOT " * 5000 + "1",
        "CASE WHEN 1 THEN " * 2000 + "1" + " END" * 2000,
        "1" + " + 1" * 50_000,
    ],
    ids=["parentheses", "minus", "not", "case", "sum"],
)
def test_deeply_nested_default_is_an_error_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_runs: list[str], expression: str
) -> None:
    source = f'"""Deep."""\n\nDEEP = "CREATE TABLE deep (x DEFAULT ({expression}))"\n'
    parsed: list[int] = []
    monkeypatch.setattr(state, "parse_statement", _measured(state.parse_statement, parsed))
    result = run(tmp_path, {"deep.py": source})
    found(result, "SD201", "deep.py", 3, "deep")
    # Read once: SQLite refuses it at its first try, and the parser sees it once at most.
    deep = [sql for sql in sqlite_runs if "deep" in sql]
    assert len(deep) == 1, deep
    assert parsed.count(len(deep[0])) <= 1
    assert result.schema.table("deep") is None
    assert survived(result)


def test_deeply_nested_view_is_an_error_not_a_crash(tmp_path: Path) -> None:
    body = "SELECT * FROM (" * 3000 + "SELECT 1 AS a" + ")" * 3000
    source = f'"""Deep."""\n\nDEEP = "CREATE VIEW deep AS {body}"\n'
    result = run(tmp_path, {"deep.py": source})
    diagnostics = [d for d in result.diagnostics if d.path == "deep.py" and d.line == 3]
    assert diagnostics and diagnostics[0].severity == "error", [str(d) for d in diagnostics]
    assert survived(result)


# --- triggers and views never fire ------------------------------------------------------------

NEVER_FIRE = [
    "CREATE TABLE log (what TEXT);",  # line 2
    "CREATE TABLE t (a INTEGER, b TEXT DEFAULT (canary('default')) CHECK (canary('check')));",
    "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN",
    "  INSERT INTO log VALUES (canary('insert'));",
    "  SELECT randomblob(1000000000);",
    "END;",
    "CREATE TRIGGER t_upd BEFORE UPDATE ON t BEGIN INSERT INTO log VALUES (canary('update')); END;",
    "CREATE TRIGGER t_del AFTER DELETE ON t BEGIN INSERT INTO log VALUES (canary('delete')); END;",
    "CREATE VIEW v AS SELECT canary('view') AS x, a FROM t;",
    "CREATE TRIGGER v_ins INSTEAD OF INSERT ON v BEGIN INSERT INTO log VALUES (canary('io')); END;",
    "CREATE VIEW w AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
    "SELECT canary('w') AS n FROM r;",
    "CREATE INDEX t_b ON t (b);",
    "CREATE INDEX t_expr ON t (canary('index', a));",
    "ALTER TABLE t ADD COLUMN c INTEGER NOT NULL DEFAULT 1 CHECK (canary('add'));",
    "ALTER TABLE t RENAME COLUMN b TO bb;",
    "ALTER TABLE t RENAME TO t2;",
    "CREATE TABLE copy AS SELECT * FROM t2;",
    "CREATE TABLE filled AS SELECT 1 AS a UNION ALL SELECT 2;",
    "CREATE INDEX filled_expr ON filled (canary('filled', a));",
    "CREATE TRIGGER filled_del AFTER DELETE ON filled BEGIN INSERT INTO log VALUES (1); END;",
    "ALTER TABLE filled ADD COLUMN d INTEGER DEFAULT 0 CHECK (canary('filled_add'));",
    "DROP TABLE filled;",
]


def test_triggers_defaults_checks_and_views_never_run(
    tmp_path: Path, canary: list[tuple], rows_at_close: dict[str, int]
) -> None:
    result = run(tmp_path, {"fire.py": script(*NEVER_FIRE)})
    assert canary == [], "scanned SQL was evaluated"
    assert rows_at_close and all(n == 0 for n in rows_at_close.values()), rows_at_close
    schema = result.schema
    assert {t.name for t in schema.triggers} == {"t_ins", "t_upd", "t_del", "v_ins"}
    assert {v.name for v in schema.views} == {"v", "w"}
    t2 = schema.table("t2")
    assert t2 is not None and [c.name for c in t2.columns] == ["a", "bb", "c"]
    assert [c.name for c in schema.table("copy").columns] == ["a", "bb", "c"]
    assert schema.table("filled") is None
    assert [d for d in result.diagnostics if d.severity == "error"] == [], [
        str(d) for d in result.diagnostics
    ]
    assert survived(result)


def test_ctas_rows_are_deleted_at_once() -> None:
    box = Sandbox()
    try:
        box.run("CREATE TABLE filled AS SELECT 1 AS a UNION ALL SELECT 2", writes=True)
        assert box.conn.execute("SELECT count(*) FROM filled").fetchone()[0] == 0
        box.run("CREATE TEMP TABLE tfilled AS SELECT 1 AS a", writes=True)
        assert box.conn.execute("SELECT count(*) FROM temp.tfilled").fetchone()[0] == 0
        box.run("CREATE VIRTUAL TABLE docs USING fts5(body)", writes=True)
        box.run("CREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1)", writes=True)
        shadow = box.conn.execute("SELECT count(*) FROM docs_config").fetchone()[0]
        assert shadow > 0  # a virtual table's own bookkeeping is kept
    finally:
        box.close()


def test_trigger_bodies_cannot_attach(tmp_path: Path) -> None:
    target = tmp_path / "z.db"
    source = script(
        "CREATE TABLE t (a);",
        f"CREATE TRIGGER tr AFTER INSERT ON t BEGIN ATTACH DATABASE '{target}' AS z; END;",
    )
    result = run(tmp_path, {"trig.py": source})
    assert not target.exists()
    d = [d for d in result.diagnostics if d.path == "trig.py" and d.line == 3]
    assert d and d[0].severity == "error", [str(x) for x in result.diagnostics]
    assert result.schema.triggers == ()
    assert survived(result)


# --- the scratch database lives in memory -----------------------------------------------------


def test_scratch_database_is_in_memory() -> None:
    box = Sandbox()
    try:
        files = [row[2] for row in box.conn.execute("PRAGMA database_list")]
        assert files == ["", ""]
        assert box.conn.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
        box.run("CREATE TEMP TABLE t (a)")
        files = [row[2] for row in box.conn.execute("PRAGMA database_list")]
        assert files == ["", ""]
    finally:
        box.close()


def test_scan_writes_nothing_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    files = {
        "a.py": script(
            "CREATE TABLE a (id INTEGER);",
            "CREATE TEMP TABLE b AS SELECT 1 AS x;",
            "CREATE INDEX a_id ON a (id);",
            "CREATE VIRTUAL TABLE docs USING fts5(body);",
        )
    }
    run(project, files)
    before = sorted(p.name for p in project.iterdir())
    assert main(["generate", str(project), "--output", "-", "--quiet"]) == 0
    assert list(cwd.iterdir()) == []
    assert sorted(p.name for p in project.iterdir()) == before


# --- end to end -----------------------------------------------------------------------------


def test_cli_reports_hostile_ddl_and_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "owned.db"
    project = tmp_path / "project"
    run(
        project,
        {
            "hostile.py": script(
                f"ATTACH DATABASE '{target}' AS owned;",
                "CREATE TABLE t (x CHECK (load_extension('/tmp/evil.so')));",
                "CREATE VIEW v AS SELECT fts3_tokenizer('simple') AS x;",
            )
        },
    )
    out = tmp_path / "out.md"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = cli_process("generate", str(project), "--output", str(out), cwd=tmp_path, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "hostile.py:2:0: warning[SD205]" in proc.stderr
    assert "hostile.py:3:" in proc.stderr and "SD203" in proc.stderr
    assert "hostile.py:4:" in proc.stderr
    assert not target.exists()
    doc = out.read_text()  # what verified is written; what did not is listed as such
    assert "## Not documented" in doc and "CREATE TABLE t:" in doc and "### `t`" not in doc


# --- scanned code is never imported or run ----------------------------------------------------

BOOBY_TRAP = """import pathlib
pathlib.Path({marker!r}).write_text("{name} ran")
open({marker!r} + ".{name}", "w").close()
DDL = "CREATE TABLE {table} (id INTEGER PRIMARY KEY)"
"""

TRAPPED = {
    "app/models.py": "models",
    "app/__init__.py": "package",
    "app/__main__.py": "main_module",
    "conftest.py": "conftest",
    "setup.py": "setup",
    "tests/conftest.py": "test_conftest",
    "sitecustomize.py": "sitecustomize",
    "usercustomize.py": "usercustomize",
}


def _trap(folder: Path, marker: Path) -> None:
    for name, table in TRAPPED.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(BOOBY_TRAP.format(marker=str(marker), name=table, table=table))
    code = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('pth ran')\n"
    (folder / "evil.pth").write_text(code)
    (folder / "app" / "evil.pth").write_text(code)


def _documented(markdown: str) -> None:
    for table in TRAPPED.values():
        assert table in markdown, f"table {table} is missing from the documentation"


def test_scanned_files_are_never_imported_in_process(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    project = tmp_path / "project"
    _trap(project, marker)
    result = scan([project], Settings(root=str(project), include_tests=True))
    assert {t.name for t in result.schema.tables} == set(TRAPPED.values())
    out = tmp_path / "schema.md"
    with working_directory(tmp_path):
        assert (
            main(["generate", str(project), "--output", str(out), "--quiet", "--include-tests"])
            == 0
        )
    _documented(out.read_text())
    assert not marker.exists()
    assert list(tmp_path.glob("MARKER*")) == []


@pytest.mark.parametrize("how", ["console-script", "python -m"])
def test_scanned_files_are_never_imported_by_the_cli(tmp_path: Path, how: str) -> None:
    """The project is the working directory and on PYTHONPATH-free sys.path, as in CI."""
    marker = tmp_path / "MARKER"
    project = tmp_path / "project"
    _trap(project, marker)
    out = tmp_path / "schema.md"
    if how == "console-script":
        command = [str(Path(sys.executable).parent / "schemadoc")]
        cwd = project  # the script's own folder comes first on sys.path, not the cwd
        out = project / "schema.md"
    else:
        command = [sys.executable, "-m", "schemadoc"]
        cwd = tmp_path  # `python -m` puts the cwd first on sys.path: see the test below
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run(
        [*command, "generate", str(project), "--output", str(out), "--include-tests"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    _documented(out.read_text())
    assert not marker.exists()
    assert list(tmp_path.glob("MARKER*")) == []


def test_python_dash_m_from_the_checkout_imports_nothing_from_it(tmp_path: Path) -> None:
    """`python -m` puts the working directory first on sys.path: a hostile sqlglot.py,
    libcst.py or jinja2.py in the scanned checkout must not be imported by schemadoc."""
    marker = tmp_path / "MARKER"
    project = tmp_path / "project"
    project.mkdir()
    for module in ("sqlglot", "libcst", "jinja2"):
        (project / f"{module}.py").write_text(
            BOOBY_TRAP.format(marker=str(marker), name=module, table=f"t_{module}")
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    cli_process("generate", ".", "--output", "-", cwd=project, env=env)
    assert list(tmp_path.glob("MARKER*")) == []
