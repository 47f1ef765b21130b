"""What extraction remembers as it goes (subclasses, string positions), and its garbage
collector settings."""

from __future__ import annotations

import ast
import gc
import itertools
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from projects import extracted, write_modules

from schemadoc import pipeline
from schemadoc.config import Settings
from schemadoc.discover.source import class_lines, may_hold_ddl
from schemadoc.extract import extractor as extractor_module
from schemadoc.extract import finder as finder_module
from schemadoc.extract import positions as positions_module
from schemadoc.extract.extractor import Extractor, merge
from schemadoc.extract.instances import called_names
from schemadoc.extract.positions import StringPositions
from schemadoc.extract.summary import Focus, parse_file, summarize
from schemadoc.pyeval import values as values_module
from schemadoc.pyeval.values import code_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _counting_parses(extractor: Extractor) -> list[str]:
    """The files ``extractor`` parses from now on, in order (filled as it parses)."""
    parses: list[str] = []
    parse = extractor.modules._parse

    def counted(display: str, text: str | None, layout: object) -> object:
        parses.append(display)
        return parse(display, text, layout)  # type: ignore[arg-type]

    extractor.modules._parse = counted  # type: ignore[method-assign,assignment]
    return parses


def _summaries(files: dict[str, Path], *displays: str) -> dict[str, object]:
    """The summaries of the DDL files ``displays`` of ``files``."""
    return {d: summarize(files[d].read_text(), d)[0] for d in displays}


def _found(tmp_path: Path, **modules: str) -> list[tuple[str, str]]:
    """(text, path:line:col) of every DDL fragment found in the given modules."""
    files = write_modules(tmp_path, **modules)
    texts = {d: p.read_text() for d, p in files.items() if "CREATE" in p.read_text()}
    fragments, _ = extracted(files, texts)
    return [(f.value.text, str(f.start)) for f in fragments]


def _evaluations(
    monkeypatch: pytest.MonkeyPatch, label: Callable[[cst.BaseExpression, Any], str | None]
) -> list[str]:
    """``label(node, ctx)`` of each expression the finder evaluates from now on, when it is
    not None (filled as the finder runs)."""
    evaluated: list[str] = []
    evaluate = finder_module.Finder._evaluated

    def counted(self: object, node: cst.BaseExpression, ctx: object) -> object:
        if (name := label(node, ctx)) is not None:
            evaluated.append(name)
        return evaluate(self, node, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(finder_module.Finder, "_evaluated", counted)
    return evaluated


def _f_string_classes(node: cst.BaseExpression, ctx: Any) -> str | None:
    """The class an f-string is evaluated for (not the literals of the class bodies)."""
    return ctx.cls.name if isinstance(node, cst.FormattedString) else None


def _colour_subclasses(count: int) -> str:
    """``count`` subclasses of ``Base`` that redefine only ``colour``."""
    return "".join(f"\n\nclass Other{i}(Base):\n    colour = 'c{i}'\n" for i in range(count))


BASE = """
class Base:
    TABLE = "base"

    def create(self, db):
        db.execute(f"CREATE TABLE {self.TABLE} (id INTEGER)")
"""
MID = """
from base import Base


class Mid(Base):
    TABLE = "mid"
"""
USES_LEAF = """
from leaf import Leaf

SQL = "CREATE TABLE " + Leaf.TABLE + "_d (x)"
"""


def test_a_subclass_in_a_module_parsed_earlier_is_found(tmp_path: Path) -> None:
    """``Leaf`` names no class holding DDL, and ``app``, processed first, has ``leaf`` parsed."""
    found = _found(
        tmp_path,
        base=BASE,
        mid=MID,
        leaf="""
        from mid import Mid


        class Leaf(Mid):
            TABLE = "leaf"
        """,
        app=USES_LEAF,
    )
    assert found == [
        ("CREATE TABLE leaf_d (x)", "app.py:4:7"),
        ("CREATE TABLE base (id INTEGER)", "base.py:6:21"),
        ("CREATE TABLE mid (id INTEGER)", "base.py:6:21"),
        ("CREATE TABLE leaf (id INTEGER)", "base.py:6:21"),
    ]


def test_a_subclass_is_found_whichever_file_is_processed_first(tmp_path: Path) -> None:
    """``zapp``, which has ``leaf`` parsed, is processed after ``base``: ``Leaf`` is found
    from the files' text, not from the modules that happen to be parsed already."""
    found = _found(
        tmp_path,
        base=BASE,
        mid=MID,
        leaf="""
        from mid import Mid


        class Leaf(
            Mid,
        ):
            TABLE = "leaf"
        """,
        zapp=USES_LEAF,
    )
    assert found == [
        ("CREATE TABLE base (id INTEGER)", "base.py:6:21"),
        ("CREATE TABLE mid (id INTEGER)", "base.py:6:21"),
        ("CREATE TABLE leaf (id INTEGER)", "base.py:6:21"),
        ("CREATE TABLE leaf_d (x)", "zapp.py:4:7"),
    ]


def test_a_base_class_without_ddl_is_evaluated_for_subclasses_in_ddl_files(
    tmp_path: Path,
) -> None:
    """The statement is built in a base class of a module without DDL, through a class
    deriving from it, from what the DDL file's subclass sets (persist-queue's shape)."""
    found = _found(
        tmp_path,
        sqlbase="""
        class SQLBase:
            _DDL = ""

            @property
            def _sql_create(self):
                return self._DDL.format(table_name=self._TABLE_NAME)


        class SQLiteBase(SQLBase):
            _TABLE_NAME = "base"
        """,
        queue="""
        import sqlbase


        class Queue(sqlbase.SQLiteBase):
            _TABLE_NAME = "queue"
            _DDL = "CREATE TABLE {table_name} (x)"
        """,
    )
    assert found == [("CREATE TABLE queue (x)", "queue.py:7:12")]


@pytest.mark.parametrize(
    ("statement", "parsed"),
    [('f"CREATE TABLE {self.TABLE} (x)"', True), ('"CREATE TABLE fixed (x)"', False)],
)
def test_subclasses_are_looked_at_only_for_what_reads_the_class(
    tmp_path: Path, statement: str, parsed: bool
) -> None:
    """A statement that reads nothing of ``self`` is the same in every subclass: their
    modules are not parsed for it."""
    (tmp_path / "base.py").write_text(
        "class Base:\n    TABLE = 'b'\n\n"
        f"    def create(self, db):\n        db.execute({statement})\n"
    )
    (tmp_path / "sub.py").write_text(
        "from base import Base\n\n\nclass Sub(Base):\n    TABLE = 's'\n"
    )
    files = {p.name: p for p in (tmp_path / "base.py", tmp_path / "sub.py")}
    summary, _ = summarize(files["base.py"].read_text(), "base.py")
    extractor = Extractor(files, {"base.py": summary})
    found = extractor.process("base.py").fragments
    assert len(found) == (2 if parsed else 1)
    assert ("sub.py" in extractor.modules.accessed) == parsed


def test_a_model_two_classes_below_the_one_holding_ddl_is_found(tmp_path: Path) -> None:
    """``User`` derives from a mixin of the class holding DDL; nothing else names it."""
    found = _found(
        tmp_path,
        base="""
        class BaseModel:
            table = None

            def create_table(self, db):
                db.execute(f"CREATE TABLE {self.table} (id INTEGER PRIMARY KEY)")
        """,
        mixins="""
        from base import BaseModel


        class TimestampedModel(BaseModel):
            created = "created_at"
        """,
        users="""
        from mixins import TimestampedModel


        class User(TimestampedModel):
            table = "users"
        """,
    )
    assert [text for text, _ in found] == ["CREATE TABLE users (id INTEGER PRIMARY KEY)"]


def test_class_lines_name_each_class_with_the_words_of_its_bases() -> None:
    data = (
        b"class A(Base):\n    pass\n"
        b"class B(\n    mod.Mixin,\n    A,\n):\n    pass\n"
        b"class C:\n    class D(A, metaclass=M): pass\n"
    ) + "class \u00c9(A): pass\n".encode()
    assert class_lines(data) == [
        ["A", ["Base"]],
        ["B", ["A", "Mixin", "mod"]],
        ["D", ["A", "M", "metaclass"]],
        ["\u00c9", ["A"]],
    ]


_CLASS_PARTS = st.sampled_from(
    [
        *(b"class", b" ", b"\t", b"\n", b"\r", b"A", b"x1", b"(", b")", b"Base, m.M", b"#"),
        *(b"\xc3\x89", b"my", b":", b"\tclass A(", b"myclass A(\n", b"class B(C)"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_CLASS_PARTS, max_size=20))
def test_class_lines_found_from_the_keyword_are_those_at_line_starts(parts: list) -> None:
    """``class_lines`` searches for the keyword and keeps what starts a line; read line by
    line, a class statement is spaces or tabs, ``class``, a name and its bases."""
    data = b"".join(parts)
    pattern = rb"^[ \t]*class[ \t]+([A-Za-z0-9_\x80-\xff]+)[ \t]*\(([^)]*)\)"
    by_lines = [
        [m.group(1).decode("utf-8", "replace"), sorted(_words_of(m.group(2)))]
        for m in re.finditer(pattern, data, re.M)
    ]
    assert class_lines(data) == by_lines


def _words_of(bases: bytes) -> set[str]:
    return {w.decode("utf-8", "replace") for w in re.findall(rb"[A-Za-z0-9_\x80-\xff]+", bases)}


def test_called_names_are_the_words_before_an_opening_parenthesis() -> None:
    source = b"x = make_table (db)\nself.run(q, f(1))\n1st(0) 2x(1) _p((a))\nif(b) \xc3\xa9t(c)"
    assert called_names(source) == {"make_table", "run", "f", "_p", "if", "t"}


_CALL_PARTS = st.sampled_from(
    [
        b"(",
        b")",
        b" ",
        b"\n",
        b"\t",
        b"f",
        b"Ab_",
        b"9",
        b"x1",
        b"_",
        b".",
        b"\xc3\xa9",
        b"\xff",
        b"#",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_CALL_PARTS, max_size=20))
def test_called_names_read_backwards_are_the_words_read_forwards(parts: list) -> None:
    """``called_names`` matches the text reversed; read forwards, a called name is a whole
    word not starting with a digit, then spaces, then ``(``."""
    data = b"".join(parts)
    forwards = re.findall(rb"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", data)
    assert called_names(data) == {name.decode() for name in forwards}


def test_repeated_literals_each_have_their_own_position() -> None:
    text = 'A = "CREATE TABLE t (x)"\nB = f"{A}"\nC = ["CREATE TABLE t (x)", f"{A}"]\n'
    module = cst.parse_module(text)
    positions = StringPositions(module, text, "m.py")
    strings = [
        module.body[0].body[0].value,
        module.body[1].body[0].value,
        *(e.value for e in module.body[2].body[0].value.elements),
    ]
    expected = [("m.py", 1, 4), ("m.py", 2, 4), ("m.py", 3, 5), ("m.py", 3, 27)]
    assert [positions.get(s) for s in strings] == expected
    assert [positions.get(s) for s in strings] == expected  # remembered, unchanged
    assert positions.get(module.body[0].body[0].targets[0].target) is None


def _string_nodes(module: cst.Module) -> list[cst.CSTNode]:
    """Every simple string and whole f-string of ``module``, in source order."""
    found: list[cst.CSTNode] = []

    class Strings(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            found.append(node)

        def visit_FormattedString(self, node: cst.FormattedString) -> bool:
            found.append(node)
            return False

    module.visit(Strings())
    return found


def test_literals_found_once_in_the_text_need_no_tokenizer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A literal whose text occurs once is placed by searching the text: the same place the
    tokenizer gives, and the module is never tokenized. A repeated literal still is."""
    text = (
        '"""Module."""\n'
        "\u00e9t\u00e9 = 'CREATE TABLE \u00e9 (x)'  # the column counts characters\n"
        "class K:\n\tA = (\n    'CREATE TABLE a '\n    \"(x)\"\n)\n"
        'B = f"""CREATE {K.A}\n  more""" + rb\'raw\'\n'
    )
    module = cst.parse_module(text)
    nodes = _string_nodes(module)
    tokenized: list[str] = []
    tokens = positions_module._string_tokens
    monkeypatch.setattr(
        positions_module, "_string_tokens", lambda t: tokenized.append(t) or tokens(t)
    )
    searching = StringPositions(module, text, "m.py")
    searched = [searching.get(n) for n in nodes]
    assert tokenized == []
    monkeypatch.setattr(positions_module, "SEARCHES", 0)
    tokenizing = StringPositions(module, text, "m.py")
    assert [tokenizing.get(n) for n in nodes] == searched
    assert tokenized == [text]
    assert searched == [
        ("m.py", 1, 0),
        ("m.py", 2, 6),
        ("m.py", 5, 4),
        ("m.py", 6, 4),
        ("m.py", 8, 4),
        ("m.py", 9, 12),
    ]
    monkeypatch.setattr(positions_module, "SEARCHES", 256)
    tokenized.clear()
    text = 'A = "x"  # "x" is written twice, once in a comment\nB = "y"\n'
    module = cst.parse_module(text)
    positions = StringPositions(module, text, "m.py")
    assert [positions.get(n) for n in _string_nodes(module)] == [("m.py", 1, 4), ("m.py", 2, 4)]
    assert tokenized == [text]


def test_code_of_is_the_source_of_the_node() -> None:
    node = cst.parse_expression('f"{a!r:>{w}}" + "b"')
    assert code_of(node) == 'f"{a!r:>{w}}" + "b"'
    assert code_of(node.left.parts[0]) == "{a!r:>{w}}"  # type: ignore[attr-defined]


def test_extraction_leaves_no_reference_cycles(tmp_path: Path) -> None:
    """Parsed trees are freed as soon as the extractor is dropped, not when the garbage
    collector next runs: a reference cycle would hold every tree until then."""
    (tmp_path / "base.py").write_text(
        textwrap.dedent(
            """
            from consts import PREFIX


            class Base:
                TABLE = "b"

                def __init__(self, name="n"):
                    self.name = name

                def create(self, db):
                    for kind in ("x", "y"):
                        db.execute(f"CREATE TABLE {PREFIX}{self.TABLE}_{kind} (v)")

                    def nested():
                        return "CREATE INDEX i ON t (v)"

                    db.execute(nested())


            def make(name):
                return f"CREATE TABLE {name} (y)"


            X = make("t1")
            """
        )
    )
    (tmp_path / "consts.py").write_text('PREFIX = "app_"\n')
    (tmp_path / "sub.py").write_text(
        "from base import Base\n\n\nclass Sub(Base):\n    TABLE = 's'\n"
    )
    files = {p.name: p for p in tmp_path.iterdir()}
    summary, _ = summarize(files["base.py"].read_text(), "base.py")
    gc.collect()
    extractor = Extractor(files, {"base.py": summary})
    found = extractor.process("base.py").fragments
    assert len(found) > 4  # every part of the module was looked at
    del extractor
    assert gc.collect() == 0


@pytest.mark.parametrize("project", ["shapes", "rich_project", "seed_project"])
def test_dropping_parsed_modules_between_files_changes_nothing(project: str) -> None:
    """With no room for parsed trees, every file parses again what it needs: same result."""
    root = FIXTURES / project
    files = {str(p.relative_to(root)): p for p in sorted(root.rglob("*.py"))}
    summaries = {}
    for display, path in files.items():
        if may_hold_ddl(path.read_bytes()):
            summary, _ = summarize(path.read_text(), display)
            if summary is not None and summary.holds_ddl:
                summaries[display] = summary

    def found(budget: int) -> list[tuple[str, str, str | None]]:
        extractor = Extractor(files, summaries, budget=budget)
        units = extractor.process_all(sorted(summaries))
        fragments, _ = merge(units)
        return [(f.value.text, str(f.start), f.origin.label) for f in fragments]

    everything = found(budget=10**9)
    assert len(everything) >= len(summaries) >= 2
    assert found(budget=0) == everything


def test_the_bases_of_a_deep_hierarchy_are_parsed_once_whatever_is_dropped(
    tmp_path: Path,
) -> None:
    """A table name comes from the last of five mixins. With no room for parsed trees, the
    subclass's file finds it without parsing the other mixins, or its base, again."""
    mixins = {
        f"m{i}": f"class M{i}:\n    def helper{i}(self):\n        return {i}\n" for i in range(1, 5)
    }
    mixins["m5"] = 'class M5:\n    def table(self):\n        return "shared"\n'
    files = write_modules(
        tmp_path,
        **mixins,
        a="""
        from m1 import M1
        from m2 import M2
        from m3 import M3
        from m4 import M4
        from m5 import M5


        class A(M1, M2, M3, M4, M5):
            def create(self, db):
                db.execute(f"CREATE TABLE {self.table()}_a (id INTEGER)")
        """,
        b="""
        from a import A


        class B(A):
            def create_more(self, db):
                db.execute(f"CREATE TABLE {self.table()}_b (id INTEGER)")
        """,
    )
    extractor = Extractor(files, _summaries(files, "a.py", "b.py"), budget=0)  # type: ignore[arg-type]
    parses = _counting_parses(extractor)
    first = extractor.process("a.py")
    assert parses == ["a.py", "m1.py", "m2.py", "m3.py", "m4.py", "m5.py", "b.py"]
    parses.clear()
    second = extractor.process("b.py")
    # b.py, parsed for the subclasses of A, is kept; m5.py owns ``table``, to evaluate it
    assert parses == ["m5.py"]
    fragments, _ = merge([first, second])
    assert sorted(f.value.text for f in fragments) == [
        "CREATE TABLE shared_a (id INTEGER)",
        "CREATE TABLE shared_b (id INTEGER)",
    ]


def test_what_a_class_inherits_through_a_base_in_another_module_is_found(
    tmp_path: Path,
) -> None:
    """The table name is an attribute of a mixin of a mixin that only the base's module
    names: the DDL module never mentions either mixin."""
    write_modules(
        tmp_path,
        **{f"store.m{i}": f"class M{i}:\n    pass\n" for i in range(1, 5)},
        **{
            "store.naming": 'class Naming:\n    TABLE = "things"\n',
            "store.m5": "from .naming import Naming\n\n\nclass M5(Naming):\n    pass\n",
            "store.__init__": "\n".join(
                [f"from .m{i} import M{i}" for i in range(1, 6)]
                + ["", "", "class Store(M1, M2, M3, M4, M5):", "    pass", ""]
            ),
            "app.ddl": """
            from store import Store


            class Things(Store):
                def create(self, db):
                    db.execute(f"CREATE TABLE {self.TABLE} (id INTEGER PRIMARY KEY)")
            """,
        },
    )
    result = pipeline.scan([tmp_path], Settings(root=str(tmp_path), cache=False))
    assert [t.name for t in result.schema.tables] == ["things"]
    assert [d.code for d in result.diagnostics] == []


def _shared_module_project(tmp_path: Path) -> tuple[dict[str, Path], dict[str, object]]:
    """Three DDL files that each take their table's prefix from one shared module, whose
    600,000-character docstring makes it larger than what a run once held between files."""
    docstring = '"""' + "naming rules. " * 43_000 + '"""\n'
    modules = {"naming": docstring + 'PREFIX = "app"\n\n\ndef suffix():\n    return "v1"\n'}
    for name in ("a", "b", "c"):
        modules[name] = (
            "from naming import PREFIX, suffix\n\n\n"
            "def create(db):\n"
            f'    db.execute(f"CREATE TABLE {{PREFIX}}_{name}_{{suffix()}} (id INTEGER)")\n'
        )
    files = write_modules(tmp_path, **modules)
    return files, _summaries(files, "a.py", "b.py", "c.py")


def _parses_and_tables(
    files: dict[str, Path],
    summaries: dict[str, object],
    budget: int = extractor_module.PARSED_BUDGET,
) -> tuple[list[str], list[str]]:
    """The files parsed in extracting the DDL files of ``summaries`` (in name order), and the
    DDL texts found, sorted."""
    extractor = Extractor(files, summaries, budget=budget)  # type: ignore[arg-type]
    parses = _counting_parses(extractor)
    fragments, _ = merge(extractor.process_all(sorted(summaries)))
    return parses, sorted(f.value.text for f in fragments)


def test_a_module_every_file_uses_is_parsed_once_in_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the process is under its memory budget (not this test process, which other
    tests may have made large), parsed modules are kept from file to file."""
    monkeypatch.setattr(extractor_module, "resident", lambda: 4096)
    files, summaries = _shared_module_project(tmp_path)
    parses, tables = _parses_and_tables(files, summaries)
    assert sorted(parses) == ["a.py", "b.py", "c.py", "naming.py"]
    assert tables == [f"CREATE TABLE app_{n}_v1 (id INTEGER)" for n in "abc"]


def test_parsed_modules_are_dropped_when_the_process_is_over_its_memory_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the memory budget, and grown by the headroom since the last drop, parsed modules
    are dropped before the next file: the shared module is parsed again for each, and what
    is found does not change."""
    files, summaries = _shared_module_project(tmp_path)
    sizes = itertools.count(
        extractor_module.MEMORY_BUDGET + 1, extractor_module.MEMORY_HEADROOM + 1
    )
    monkeypatch.setattr(extractor_module, "resident", lambda: next(sizes))
    parses, tables = _parses_and_tables(files, summaries)
    assert sorted(parses) == ["a.py", "b.py", "c.py", "naming.py", "naming.py", "naming.py"]
    assert tables == [f"CREATE TABLE app_{n}_v1 (id INTEGER)" for n in "abc"]


def test_a_process_that_stays_over_its_memory_budget_does_not_drop_before_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the process holds besides the trees can alone be over the budget (a large
    tree's index of its files): after one drop, modules are kept until the process grows by
    the headroom again, instead of being parsed again for every file."""
    files, summaries = _shared_module_project(tmp_path)
    monkeypatch.setattr(extractor_module, "resident", lambda: extractor_module.MEMORY_BUDGET + 1)
    parses, tables = _parses_and_tables(files, summaries)
    assert sorted(parses) == ["a.py", "b.py", "c.py", "naming.py", "naming.py"]
    assert tables == [f"CREATE TABLE app_{n}_v1 (id INTEGER)" for n in "abc"]


def test_a_class_named_like_a_ddl_base_in_an_unrelated_package_is_not_parsed(
    tmp_path: Path,
) -> None:
    """Subclasses of ``store.base.Module`` are looked for in its package and in files whose
    imports name ``store``; ``nn/net.py``, whose ``Module`` is another class, is not even
    parsed."""
    files = write_modules(
        tmp_path,
        **{
            "store.__init__": "",
            "store.base": """
            class Module:
                name = "base"

                def create(self, db):
                    db.execute(f"CREATE TABLE {self.name} (id INTEGER)")
            """,
            "store.users": (
                'from .base import Module\n\n\nclass Users(Module):\n    name = "users"\n'
            ),
            "app.__init__": "",
            "app.things": (
                'from store.base import Module\n\n\nclass Things(Module):\n    name = "things"\n'
            ),
            "nn.__init__": "",
            "nn.layers": "class Module:\n    pass\n",
            "nn.net": 'from nn.layers import Module\n\n\nclass Net(Module):\n    name = "net"\n',
        },
    )
    parses, tables = _parses_and_tables(files, _summaries(files, "store/base.py"))
    assert tables == [
        "CREATE TABLE base (id INTEGER)",
        "CREATE TABLE things (id INTEGER)",
        "CREATE TABLE users (id INTEGER)",
    ]
    assert "nn/net.py" not in parses and "app/things.py" in parses


def test_call_sites_of_a_class_or_function_are_looked_for_only_where_it_can_be_named(
    tmp_path: Path,
) -> None:
    """``Table(...)`` and ``make(...)`` of ``src/store`` are instantiated from the call sites
    of files that can name them (its package, or an import naming ``store``): ``src/plot``,
    in the same top folder with a ``Table`` and a ``make`` of its own, is not even parsed."""
    files = write_modules(
        tmp_path,
        **{
            "src.store.__init__": "",
            "src.store.table": """
            class Table:
                def __init__(self, db, name):
                    db.execute(f"CREATE TABLE {name} (id INTEGER)")


            def make(db, name):
                db.execute(f"CREATE TABLE {name}_log (at TEXT)")


            AUDIT = make(None, "audit")
            """,
            "src.app.__init__": "",
            "src.app.models": """
            from store.table import Table, make

            USERS = Table(None, "users")
            EVENTS = make(None, "events")
            """,
            "src.plot.__init__": "",
            "src.plot.chart": """
            class Table:
                def __init__(self, db, name):
                    self.name = name


            def make(db, name):
                return name


            LEGEND = Table(None, "legend")
            AXIS = make(None, "axis")
            """,
        },
    )
    parses, tables = _parses_and_tables(files, _summaries(files, "src/store/table.py"))
    assert tables == [
        "CREATE TABLE audit_log (at TEXT)",
        "CREATE TABLE events_log (at TEXT)",
        "CREATE TABLE users (id INTEGER)",
    ]
    assert "src/app/models.py" in parses and "src/plot/chart.py" not in parses


def test_an_expression_is_evaluated_again_only_for_subclasses_that_redefine_what_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``self.name`` in a method of ``Base`` means another table for ``Users`` and
    ``Audit``, which redefine ``name``; eight subclasses that redefine only ``colour`` agree
    with ``Base`` and are not evaluated again."""
    others = _colour_subclasses(8)
    source = textwrap.dedent(
        """
        class Base:
            name = "base"
            colour = "none"

            def create(self, db):
                db.execute(f"CREATE TABLE {self.name} (id INTEGER)")


        class Users(Base):
            name = "users"


        class Audit(Users):
            name = "audit"
        """
    )
    files = write_modules(tmp_path, models=source + others)
    evaluated = _evaluations(monkeypatch, _f_string_classes)
    fragments, _ = extracted(files, {"models.py": files["models.py"].read_text()})
    assert sorted(f.value.text for f in fragments) == [
        "CREATE TABLE audit (id INTEGER)",
        "CREATE TABLE base (id INTEGER)",
        "CREATE TABLE users (id INTEGER)",
    ]
    assert sorted(evaluated) == ["Audit", "Base", "Users"]


def test_an_expression_that_reads_variables_is_not_evaluated_again_for_subclasses_that_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``self.name`` comes from the constructor and ``kind`` from the caller: the text reads
    variables. Only ``Users`` redefines a name the method was consulted for (``suffix``);
    the four subclasses that redefine ``colour`` take the class's evaluation, and their
    constructor calls still give their tables."""
    others = _colour_subclasses(4)
    source = textwrap.dedent(
        """
        class Base:
            colour = "none"
            suffix = ""

            def __init__(self, name):
                self.name = name

            def create(self, db, kind):
                db.execute(f"CREATE TABLE {self.name}{self.suffix}_{kind} (id INTEGER)")


        class Users(Base):
            suffix = "_u"
        """
    )
    calls = textwrap.dedent(
        """


        def setup(db):
            Users("users").create(db, "main")
            Other0("zero").create(db, "side")
            Other1("one").create(db, "third")
            Base("base").create(db, "plain")
        """
    )
    files = write_modules(tmp_path, models=source + others + calls)
    evaluated = _evaluations(monkeypatch, _f_string_classes)
    fragments, _ = extracted(files, {"models.py": files["models.py"].read_text()})
    assert sorted(f.value.text for f in fragments) == [
        f"CREATE TABLE {name}{suffix}_{{kind}} (id INTEGER)"
        for name in ("base", "one", "users", "zero")
        for suffix in ("_u", "")
    ]
    assert {str(f.start) for f in fragments} == {"models.py:10:21"}
    assert sorted(evaluated) == ["Base", "Users"]


def test_a_literal_in_which_no_statement_starts_is_not_evaluated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Literals alone: the four in which a DDL statement starts (after ``;``, in lower case,
    or spelled with an escape) are evaluated and found; the plain ones, and prose that only
    names a verb, are not evaluated at all."""
    source = textwrap.dedent(
        r"""
        def setup(conn):
            label = "plain"
            conn.comment("we create tables for you", label)
            conn.execute("SELECT 1")
            conn.execute("CREATE TABLE t (a)")
            conn.execute("SELECT 1; CREATE TABLE u (b)")
            conn.execute("drop table old")
            conn.execute("CREATE\x20TABLE v (c)")
        """
    )
    files = write_modules(tmp_path, models=source)
    evaluated = _evaluations(
        monkeypatch, lambda node, _: node.value if isinstance(node, cst.SimpleString) else None
    )
    fragments, _ = extracted(files, {"models.py": files["models.py"].read_text()})
    assert [f.value.text for f in fragments] == [
        "CREATE TABLE t (a)",
        "SELECT 1; CREATE TABLE u (b)",
        "drop table old",
        "CREATE TABLE v (c)",
    ]
    assert evaluated == [
        '"CREATE TABLE t (a)"',
        '"SELECT 1; CREATE TABLE u (b)"',
        '"drop table old"',
        '"CREATE\\x20TABLE v (c)"',
    ]


def test_a_file_parsed_for_another_is_processed_before_it_can_be_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``a`` needs ``z``'s class, so processing ``a`` parses ``z``. ``z`` is processed next,
    while it is still held, not after ``big``, whose parse goes over the budget and drops
    every parsed module: ``z`` is parsed once."""
    monkeypatch.setattr(extractor_module, "resident", lambda: 4096)
    columns = ", ".join(f"c{i} INTEGER" for i in range(300))
    files = write_modules(
        tmp_path,
        a="""
        from z import ZBase


        class A(ZBase):
            TABLE = "a_items"
        """,
        big=f'SQL = "CREATE TABLE big ({columns})"\n',
        z="""
        class ZBase:
            TABLE = "z_items"

            def create(self, db):
                db.execute(f"CREATE TABLE {self.TABLE} (id INTEGER)")
        """,
    )
    summaries = _summaries(files, "a.py", "big.py", "z.py")
    parses, texts = _parses_and_tables(files, summaries, budget=2000)
    assert sorted(parses) == ["a.py", "big.py", "z.py"]
    assert "CREATE TABLE a_items (id INTEGER)" in texts
    assert "CREATE TABLE z_items (id INTEGER)" in texts
    assert any(t.startswith("CREATE TABLE big (c0 INTEGER") for t in texts)


def test_the_file_about_to_be_processed_is_kept_when_parsed_modules_are_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Processing ``a`` (large) parses ``z`` for its base class and leaves more parsed than
    the budget: every parsed module is dropped before ``z`` is processed, but ``z`` itself,
    which would be parsed again at once, is kept (``a`` is parsed again, for the subclass
    of ``ZBase`` it holds)."""
    monkeypatch.setattr(extractor_module, "resident", lambda: 4096)
    columns = ", ".join(f"c{i} INTEGER" for i in range(300))
    files = write_modules(
        tmp_path,
        a=f"""
        from z import ZBase


        class A(ZBase):
            TABLE = "a_items"


        SQL = "CREATE TABLE big ({columns})"
        """,
        z="""
        class ZBase:
            TABLE = "z_items"

            def create(self, db):
                db.execute(f"CREATE TABLE {self.TABLE} (id INTEGER)")
        """,
    )
    summaries = _summaries(files, "a.py", "z.py")
    parses, texts = _parses_and_tables(files, summaries, budget=2000)
    assert parses == ["a.py", "z.py", "a.py"]
    assert "CREATE TABLE a_items (id INTEGER)" in texts
    assert "CREATE TABLE z_items (id INTEGER)" in texts
    assert any(t.startswith("CREATE TABLE big (c0 INTEGER") for t in texts)


def _assert_only_naming_is_parsed_for_app(files: dict[str, Path]) -> None:
    """Extracting ``app.py`` parses ``naming.py`` besides it, never ``helpers.py``, and finds
    the table ``app.py`` names and the one ``naming.py`` builds for it."""
    parses, texts = _parses_and_tables(files, _summaries(files, "app.py"))
    assert parses == ["app.py", "naming.py"]
    assert texts == ["CREATE TABLE notes (id INTEGER)", "CREATE TABLE users (id INTEGER)"]


def test_a_module_whose_function_returns_no_string_is_not_parsed_to_learn_that(
    tmp_path: Path,
) -> None:
    """``open_db(path)`` in a DDL file might build SQL, and ``helpers.open_db`` returns a
    name: Python's own parser tells that no string is built there, and ``helpers`` is not
    parsed. ``naming.table_sql`` returns an f-string: ``naming`` is parsed and its table
    found."""
    files = write_modules(
        tmp_path,
        app="""
        from helpers import open_db
        from naming import table_sql


        def setup(path):
            db = open_db(path)
            db.execute(table_sql("users"))
            db.execute("CREATE TABLE notes (id INTEGER)")
        """,
        helpers="""
        import sqlite3


        def open_db(path):
            connection = sqlite3.connect(path)
            connection.row_factory = sqlite3.Row
            return connection
        """,
        naming="""
        def table_sql(name):
            return f"CREATE TABLE {name} (id INTEGER)"
        """,
    )
    _assert_only_naming_is_parsed_for_app(files)


def test_a_module_is_not_parsed_to_learn_that_a_name_it_gives_is_no_class(
    tmp_path: Path,
) -> None:
    """``settings.statement()`` runs a method if ``settings`` is a class; ``helpers`` binds
    it to an object, and Python's own parser tells that it holds no class so named:
    ``helpers`` is not parsed. ``Names`` is a class of ``naming``, which is parsed."""
    files = write_modules(
        tmp_path,
        app="""
        from helpers import settings
        from naming import Names


        def setup(db):
            db.execute(settings.statement())
            db.execute(Names.table_sql("users"))
            db.execute("CREATE TABLE notes (id INTEGER)")
        """,
        helpers="""
        class Settings:
            def statement(self):
                return "SELECT 1"


        settings = Settings()
        """,
        naming="""
        class Names:
            @staticmethod
            def table_sql(name):
                return f"CREATE TABLE {name} (id INTEGER)"
        """,
    )
    _assert_only_naming_is_parsed_for_app(files)


def test_call_sites_of_a_method_are_looked_for_only_where_its_package_can_be_named(
    tmp_path: Path,
) -> None:
    """``Store.create(name)`` of ``src/store`` is instantiated from its subclass in
    ``src/app``, which imports ``store``. ``src/plot`` calls a ``create`` of its own objects
    and never names ``store``: no call there can run ``Store.create``, and the file is not
    even parsed."""
    files = write_modules(
        tmp_path,
        **{
            "src.store.__init__": "",
            "src.store.tables": """
            class Store:
                def create(self, db, name):
                    db.execute(f"CREATE TABLE {name} (id INTEGER)")
            """,
            "src.app.__init__": "",
            "src.app.models": """
            from store.tables import Store


            class Users(Store):
                def setup(self, db):
                    self.create(db, "users")
            """,
            "src.plot.__init__": "",
            "src.plot.chart": """
            def draw(canvas, db):
                canvas.create(db, "legend")
            """,
        },
    )
    parses, tables = _parses_and_tables(files, _summaries(files, "src/store/tables.py"))
    assert tables == ["CREATE TABLE users (id INTEGER)"]
    assert "src/app/models.py" in parses and "src/plot/chart.py" not in parses


_PARTS = st.sampled_from(["app", "db", "models", "__init__", "x.y", ".", "..", "", "a.", "m"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(_PARTS, max_size=3), _PARTS, st.sampled_from([".py", ".pyi", ".sql"])),
        max_size=8,
    )
)
def test_an_import_reaches_the_first_file_in_path_order_whose_names_hold_it(
    shapes: list[tuple[list[str], str, str]],
) -> None:
    """Whatever the paths (dots in names, ``__init__``, empty and relative parts), the module
    an import names is the first file, in path order, among whose ``module_names`` it is."""
    from types import SimpleNamespace

    from schemadoc.pyeval.dependencies import module_names
    from schemadoc.pyeval.modules import ModuleIndex

    displays = sorted({"/".join([*folders, stem + suffix]) for folders, stem, suffix in shapes})
    files = {d: Path(d) for d in displays}
    index = ModuleIndex(files, lambda d, text, layout: SimpleNamespace(display=d, size=0))  # type: ignore[arg-type,return-value]
    asked = {n for d in displays for n in module_names(d)} | {"missing", "app.missing", ""}
    for dotted in sorted(asked):
        expected = next((d for d in displays if dotted in module_names(d)), None)
        found = index.module(dotted)
        assert (found.display if found else None) == expected, dotted


def test_a_ddl_file_is_parsed_by_python_once_in_a_cold_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layout Python's parse gave the summary narrows the file for libcst: the DDL files
    are parsed by ``ast`` once each, a module they only import from once too; a file that
    changed since its summary is parsed again, as it now reads."""
    write_modules(
        tmp_path,
        naming='PREFIX = "app"\n',
        a="from naming import PREFIX\n\n\ndef create(db):\n"
        '    db.execute(f"CREATE TABLE {PREFIX}_a (id INTEGER)")\n',
        b='def create(db):\n    db.execute("CREATE TABLE b (id INTEGER)")\n',
    )
    parsed: list[str] = []
    parse = ast.parse

    def counted(source: str | bytes, *args: Any, **kwargs: Any) -> ast.AST:
        parsed.append(Path(kwargs.get("filename", args[0] if args else "<unknown>")).name)
        return parse(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counted)
    result = pipeline.scan([tmp_path], Settings(root=str(tmp_path), cache=False))
    assert [t.name for t in result.schema.tables] == ["app_a", "b"]
    assert sorted(parsed) == ["a.py", "b.py", "naming.py"]

    text = (tmp_path / "b.py").read_text()
    summary, _ = summarize(text, "b.py")
    assert summary is not None and summary.layout is not None
    parse_b = parse_file(
        {"b.py": tmp_path / "b.py"}, Focus(set(), set(), set()), {"b.py": summary.layout}
    )
    parsed.clear()
    assert parse_b("b.py", None, None) is not None and parsed == []
    assert parse_b("b.py", "\n" + text, None) is not None and parsed == ["b.py"]


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.text(alphabet="ab é\t", max_size=90), min_size=1, max_size=120),
    offsets=st.lists(st.integers(min_value=0, max_value=12_000), min_size=1, max_size=20),
)
def test_a_place_in_a_long_piece_is_its_line_and_column(
    lines: list[str], offsets: list[int]
) -> None:
    """Past ``_LONG_TEXT`` characters a piece finds its line breaks once; every place is
    the line and column that counting the text up to it gives."""
    text = "\n".join(lines) * (1 + values_module._LONG_TEXT // (len("\n".join(lines)) + 1))
    piece = values_module.Piece(text, ("db.py", 3, 8), exact=True)
    for offset in offsets:
        offset = min(offset, len(text))
        before = text[:offset]
        newlines = before.count("\n")
        column = 8 + offset if newlines == 0 else offset - before.rfind("\n") - 1
        assert piece.position_at(offset) == ("db.py", 3 + newlines, column)


def test_the_line_breaks_of_a_script_are_found_once_for_all_its_statements() -> None:
    script = "".join(f"CREATE TABLE t{i} (\n    id INTEGER\n);\n" for i in range(400))
    piece = values_module.Piece(script, ("db.py", 10, 4), exact=True)
    values_module._line_breaks.cache_clear()
    starts = [i for i in range(len(script)) if script.startswith("CREATE", i)]
    places = [piece.position_at(offset) for offset in starts]
    assert places[:2] == [("db.py", 10, 4), ("db.py", 13, 0)]
    assert places[-1] == ("db.py", 10 + 3 * 399, 0)
    assert values_module._line_breaks.cache_info().misses == 1
