"""Scanned code that names a value twice in each of forty constants: the run ends at once.

Each name stands for the one before it, twice: ``C40`` is 2**40 characters, and looking it up
naively means 2**40 look-ups. Each value is worked out once, what an expression may cost is
capped, and past the cap a placeholder says so where the statement is. The tests count the
resolver's calls instead of timing the run: past ``CALLS`` a scan fails at once instead of
running for hours.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from scanned import found, run, survived

from schemadoc.model.schema import Diagnostic
from schemadoc.pipeline import Result
from schemadoc.pyeval.resolve import EXPRESSION_BUDGET, MODULE_BUDGET, Resolver

TOO_LARGE = "too large to evaluate"
STEPS = "too many steps to evaluate"
CALLS = 100_000  # resolver calls a scan may make before the test gives up on it
FEW = 10_000  # what the scans below take when each value is worked out once
DOUBLED = 40


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times the resolver is asked for a name, a call or a value: a scan fails at
    once past ``CALLS``, and the test fails if it took ``FEW`` or more."""
    count = [0]
    for name in ("resolve", "call", "returns_string", "value"):
        real = getattr(Resolver, name)

        def counted(self: Resolver, *args: object, _real: Callable[..., object] = real) -> object:
            count[0] += 1
            if count[0] > CALLS:
                raise RuntimeError(f"over {CALLS:,} resolver calls: the scan would not end")
            return _real(self, *args)

        monkeypatch.setattr(Resolver, name, counted)
    yield count
    assert count[0] < FEW


def doubled(first: str, step: str, count: int = DOUBLED) -> list[str]:
    """``C0 = first`` then ``C{i} = step`` with ``{p}`` the one before: ``C1 = C0 + C0``."""
    return [
        f"C0 = {first}",
        *(f"C{i} = " + step.format(p=f"C{i - 1}") for i in range(1, count + 1)),
    ]


def module(*lines: str) -> str:
    return "\n".join(["import sqlite3", "conn = sqlite3.connect(':memory:')", *lines]) + "\n"


def statement(value: str, table: str = "t") -> str:
    return f"""conn.execute("CREATE TABLE {table} (a TEXT DEFAULT '" + {value} + "')")"""


def line_of(source: str, text: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


def default(result: Result, table: str = "t") -> str:
    documented = result.schema.table(table)
    assert documented is not None, [str(d) for d in result.diagnostics]
    (column,) = documented.columns
    return column.default or ""


def placeheld(result: Result, source: str, name: str, reason: str = "", table: str = "t") -> None:
    """The table is documented, a placeholder for ``name`` standing for its default (too
    large, or too many steps, to evaluate: ``reason`` if given), and the warning for it is
    where the statement is."""
    where = line_of(source, f"CREATE TABLE {table} ")
    said = found(result, "SD103", "m.py", where, "{" + f"{name}: too ")
    reasons = [reason] if reason else [TOO_LARGE, STEPS]
    assert unworked(said) in [f"{{{name}: {why}}}" for why in reasons]
    assert default(result, table) == f"'{unworked(said)}'"
    assert survived(result)


def unworked(said: Diagnostic) -> str:
    """The placeholder a warning is about."""
    placeholder = re.search(r"\{.*\}", said.message)
    assert placeholder is not None
    return placeholder.group()


SHAPES = {
    "plus": module(*doubled('"x"', "{p} + {p}"), statement("C40")),
    "empty strings": module(*doubled('""', "{p} + {p}"), statement("C40")),
    "f-string": module(*doubled('"x"', 'f"{{{p}}}{{{p}}}"'), statement("C40")),
    "percent": module(*doubled('"x"', '"%s%s" % ({p}, {p})'), statement("C40")),
    "format": module(*doubled('"x"', '"{{}}{{}}".format({p}, {p})'), statement("C40")),
    "format by index": module(*doubled('"x"', '"{{0}}{{0}}".format({p})'), statement("C40")),
    "join": module(*doubled('"x"', '"".join([{p}, {p}])'), statement("C40")),
    "a cycle below": module(*doubled('"x" + C40', "{p} + {p}"), statement("C40")),
}


@pytest.mark.parametrize("source", SHAPES.values(), ids=SHAPES.keys())
def test_doubled_constants(tmp_path: Path, calls: list[int], source: str) -> None:
    result = run(tmp_path, {"m.py": source})
    placeheld(result, source, "C40")


def test_doubled_class_attributes(tmp_path: Path, calls: list[int]) -> None:
    attributes = ["    " + line for line in doubled('"x"', "{p} + {p}")]
    source = module(
        "class Store:",
        *attributes,
        "    def create(self):",
        "        " + statement("self.C40"),
    )
    result = run(tmp_path, {"m.py": source})
    placeheld(result, source, "self.C40")


def test_doubled_function_locals(tmp_path: Path, calls: list[int]) -> None:
    source = module(
        "def create():",
        *("    " + line for line in doubled('"x"', "{p} + {p}")),
        "    " + statement("C40"),
    )
    result = run(tmp_path, {"m.py": source})
    placeheld(result, source, "C40")


@pytest.mark.parametrize(("parameter", "argument"), [("", ""), ("x", '"x"')])
def test_functions_returning_two_calls(
    tmp_path: Path, calls: list[int], parameter: str, argument: str
) -> None:
    """``def f1(): return f0() + f0()``, with and without a parameter passed down."""
    lines = [f"def f0({parameter}):", f"    return {parameter or repr('x')}"]
    for i in range(1, DOUBLED + 1):
        previous = f"f{i - 1}({parameter})"
        lines += [f"def f{i}({parameter}):", f"    return {previous} + {previous}"]
    last = f"f{DOUBLED}({argument})"
    source = module(*lines, statement(last))
    result = run(tmp_path, {"m.py": source})
    placeheld(result, source, last)


def test_functions_returning_two_calls_without_strings(tmp_path: Path, calls: list[int]) -> None:
    """Whether a call builds a string at all is worked out once per function, too."""
    lines = ["def f0():", "    return count"]
    for i in range(1, DOUBLED + 1):
        lines += [f"def f{i}():", f"    return f{i - 1}() + f{i - 1}()"]
    source = module(*lines, f"conn.execute(f{DOUBLED}())", statement(f"f{DOUBLED}()"))
    result = run(tmp_path, {"m.py": source})
    placeheld(result, source, f"f{DOUBLED}()", STEPS)  # no string: no weight


def test_diamonds(tmp_path: Path, calls: list[int]) -> None:
    """Two names for each value, both read: each is worked out once, whatever is being
    worked out around it."""
    lines = ['C0 = "x"']
    for i in range(1, DOUBLED + 1):
        lines += [f"A{i} = C{i - 1} + ''", f"B{i} = C{i - 1} + ''", f"C{i} = A{i} + B{i}"]
    source = module(*lines, statement("C40"))
    result = run(tmp_path, {"m.py": source})
    placeheld(result, source, "C40")


def test_each_loop_item(tmp_path: Path, calls: list[int]) -> None:
    """A statement built from a loop variable is still documented once per item."""
    source = module(
        *doubled('"x"', "{p} + {p}"),
        "def create():",
        '    for name in ("a", "b"):',
        """        conn.execute("CREATE TABLE t_" + name + " (a TEXT DEFAULT '" + C40 + "')")""",
    )
    result = run(tmp_path, {"m.py": source})
    said = found(result, "SD103", "m.py", line_of(source, "CREATE TABLE"), "{C40: too ")
    assert default(result, "t_a") == default(result, "t_b") == f"'{unworked(said)}'"


def test_value_past_the_size_limit(tmp_path: Path, calls: list[int]) -> None:
    """Few steps, but a hundred copies of ten copies of a thousand characters."""
    source = module(
        f'C0 = "{"x" * 1_000}"',
        'C1 = f"' + "{C0}" * 10 + '"',
        'C2 = f"' + "{C1}" * 100 + '"',
        statement("C2"),
    )
    result = run(tmp_path, {"m.py": source})
    placeheld(result, source, "C2", TOO_LARGE)


def test_replace_past_the_size_limit(tmp_path: Path, calls: list[int]) -> None:
    """Each ``x`` replaced by the whole text: 40, 1,600, then 2,560,000 characters."""
    source = module(
        f'C0 = "{"x" * 40}"',
        'C1 = C0.replace("x", C0)',
        'C2 = C1.replace("x", C1)',
        statement("C2"),
    )
    result = run(tmp_path, {"m.py": source})
    placeheld(result, source, "C2", TOO_LARGE)


def test_module_budget(tmp_path: Path, calls: list[int]) -> None:
    """Statements that each fit the budget of an expression, but not all of them together
    that of their module: those past it get a placeholder, the others the value."""
    tables = 3 * MODULE_BUDGET[0] // EXPRESSION_BUDGET[0]
    statements = [statement("C15", f"t{i}") for i in range(tables)]
    source = module(*doubled('"x"', "{p} + {p}", 15), *statements)
    result = run(tmp_path, {"m.py": source})
    defaults = [default(result, f"t{i}") for i in range(tables)]
    said = found(result, "SD103", "m.py", line_of(source, f"TABLE t{tables - 1} "), "{C15: too ")
    assert defaults[0] == "'" + "x" * 2**15 + "'"
    assert defaults[-1] == f"'{unworked(said)}'"
    assert defaults == sorted(defaults, key=lambda d: "{" in d)  # the first ones documented


def test_what_was_worked_out_before_changes_nothing(tmp_path: Path, calls: list[int]) -> None:
    """A module's documentation is the same whether or not another module, extracted first,
    already worked out the values it uses: a value reused costs what working it out did."""
    shared = module(*doubled('"x"', "{p} + {p}", 15))

    def user(prefix: str, padding: int = 0) -> str:
        statements = [statement("C15", f"{prefix}{i}") for i in range(40)]
        return module("from shared import C15", *statements, "#" * padding)

    def documented(result: Result) -> list[tuple[object, ...]]:
        tables = [(t.name, t.columns) for t in result.schema.tables if t.name.startswith("t")]
        warnings = [(d.code, d.line, d.message) for d in result.diagnostics if d.path == "m.py"]
        return [*tables, *warnings]

    alone = run(tmp_path / "alone", {"shared.py": shared, "m.py": user("t")})
    # The larger file is extracted first.
    both = run(
        tmp_path / "both", {"shared.py": shared, "m.py": user("t"), "a.py": user("b", 9_999)}
    )
    assert documented(both) == documented(alone)
    assert "{C15: too " in str(documented(alone))
