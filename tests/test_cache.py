"""The extraction cache: hits, misses after edits, invalidation, corruption, same output."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest

from schemadoc import pipeline
from schemadoc.config import Settings
from schemadoc.extract.extractor import Extractor, UnitResult
from schemadoc.extract.fragments import Fragment
from schemadoc.incremental import units
from schemadoc.incremental.cache import Invalid, environment_key
from schemadoc.model.schema import Origin
from schemadoc.pyeval.values import Piece, Value
from schemadoc.render.formats import to_json
from schemadoc.sql.statements import Templated
from schemadoc.verify import apply, verify

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "rich_project", tmp_path / "app")
    return tmp_path / "app"


@pytest.fixture
def processed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files that extraction actually processes, run after run."""
    seen: list[str] = []
    original = Extractor.process

    def spy(self: Extractor, display: str, text: str | None = None):  # type: ignore[no-untyped-def]
        seen.append(display)
        return original(self, display, text)

    monkeypatch.setattr(Extractor, "process", spy)
    return seen


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files written atomically from now on, by name without the environment key (the
    cache's files: ``json``, ``analysis.json``, ...)."""
    from schemadoc.output import files

    names: list[str] = []
    original = files.write_atomic

    def spy(path: Path, *args: object, **kw: object) -> None:
        names.append(Path(path).name.removeprefix(f"{environment_key()}."))
        original(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "write_atomic", spy)
    return names


def settings(project: Path, folder: Path, **kw: object) -> Settings:
    return Settings(root=str(project.parent), cache_dir=str(folder), **kw)  # type: ignore[arg-type]


def run(project: Path, folder: Path, **kw: object) -> str:
    return to_json(pipeline.scan([project], settings(project, folder, **kw)).schema)


def write_document(project: Path, cache: Path) -> tuple[Settings, Path, pipeline.Document]:
    """Generate the Markdown document into ``schema.md`` as the command line does: the
    settings, the target, and the document (remembered as written there)."""
    s, target = settings(project, cache, format="markdown"), project / "schema.md"
    doc = pipeline.document([project], s, target=target)
    assert doc.content is not None
    target.write_text(doc.content, encoding="utf-8")
    doc.written(target)
    return s, target, doc


def test_second_run_reads_nothing_and_gives_the_same_output(
    project: Path, tmp_path: Path, processed: list[str]
) -> None:
    cache = tmp_path / "cache"
    first = run(project, cache)
    assert processed  # the cold run extracted
    processed.clear()
    assert run(project, cache) == first
    assert processed == []
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"


def test_an_edit_reprocesses_only_what_it_touches(
    project: Path, tmp_path: Path, processed: list[str]
) -> None:
    cache = tmp_path / "cache"
    run(project, cache)
    processed.clear()
    legacy = project / "shop" / "legacy" / "todo.py"
    legacy.write_text(legacy.read_text().replace("title TEXT", "title TEXT, note TEXT"))
    warm = run(project, cache)
    assert processed == ["app/shop/legacy/todo.py"]
    assert warm == run(project, tmp_path / "cold", cache=False)
    assert '"name": "note"' in warm


def test_with_and_without_cache_outputs_are_identical(project: Path, tmp_path: Path) -> None:
    cold = run(project, tmp_path / "c", cache=False)
    assert run(project, tmp_path / "c") == cold  # writes the cache
    assert run(project, tmp_path / "c") == cold  # reads it


def test_a_new_tool_version_starts_afresh(
    project: Path, tmp_path: Path, processed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    run(project, cache)
    processed.clear()
    monkeypatch.setattr("schemadoc.incremental.cache.environment_key", lambda: "another-version")
    run(project, cache)
    assert "app/shop/legacy/todo.py" in processed


DAMAGES = [
    lambda text: text[: len(text) // 2],  # truncated
    lambda text: "not json at all",
    lambda text: json.dumps({"format": 1, "files": [], "outputs": {}}),
    lambda text: text.replace('"fragments":[', '"fragments":[7,'),  # a foreign shape
    lambda text: text.replace('"parts":{"', '"parts":{"0":[],"', 1),  # a foreign part
    lambda text: re.sub(r'\[\["([^"]*)",\[\[', r'[["\1",[["?",', text),  # a column too many
    lambda text: text.replace('"targets":{', '"targets":7,"x":{'),  # outputs of a foreign shape
    lambda text: re.sub(r'"files":\{', '"files":[],"x":{', text),  # tables of a foreign shape
]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_cache_is_ignored(project: Path, tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "cache"
    cold = run(project, cache)
    stored = sorted(cache.glob("*.json"))
    assert len(stored) == 4  # file states; class lines; what extraction and verification found
    for path in stored:
        path.write_text(damage(path.read_text()))
    assert run(project, cache) == cold


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_cache_and_an_edit_give_the_cold_schema(
    project: Path, tmp_path: Path, damage: Callable[[str], str]
) -> None:
    """The file table intact, what extraction found damaged: each is read on its own."""
    cache = tmp_path / "cache"
    run(project, cache)
    for path in [*cache.glob("*.analysis.json"), *cache.glob("*.classes.json")]:
        path.write_text(damage(path.read_text()))
    legacy = project / "shop" / "legacy" / "todo.py"
    legacy.write_text(legacy.read_text().replace("title TEXT", "title TEXT, note TEXT"))
    assert run(project, cache) == run(project, tmp_path / "cold", cache=False)


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_cache_gives_the_document_again(project: Path, tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "cache"
    s, target, first = write_document(project, cache)
    stored = sorted(cache.glob("*.json"))
    kinds = {p.name.removeprefix(f"{environment_key()}.") for p in stored}
    assert kinds >= {"json", "outputs.json", "analysis.json", "classes.json", "verified.json"}
    for path in stored:
        path.write_text(damage(path.read_text()))
    for document in cache.glob("*.document"):
        document.unlink()
    target.write_text("stale", encoding="utf-8")  # the document must come from the code
    again = pipeline.document([project], s, target=target)
    assert again.content == first.content


def test_no_cache_writes_nothing(project: Path, tmp_path: Path) -> None:
    run(project, tmp_path / "cache", cache=False)
    assert not (tmp_path / "cache").exists()


def test_a_run_without_a_cache_does_not_encode_what_extraction_found(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing would read them: the files' summaries and units are not made cache entries."""
    encoded: list[str] = []
    for name in ("unit_to_json", "summary_to_json"):
        encode = getattr(units, name)
        monkeypatch.setattr(units, name, lambda v, e=encode, n=name: encoded.append(n) or e(v))
    run(project, tmp_path / "off", cache=False)
    assert encoded == []
    run(project, tmp_path / "on")
    assert {"unit_to_json", "summary_to_json"} <= set(encoded)


def test_a_read_only_cache_folder_is_not_an_error(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cold = run(project, cache)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only file system")

    monkeypatch.setattr("schemadoc.output.files.write_atomic", refuse)
    (project / "shop" / "extra.py").write_text('DDL = "CREATE TABLE extra (id INTEGER)"\n')
    assert '"name": "extra"' in run(project, cache)
    assert cold != ""


def test_document_comes_from_the_cache_without_analysis(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = settings(project, tmp_path / "cache", format="markdown")
    first = pipeline.document([project], s)

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("analysis should not run")

    monkeypatch.setattr(pipeline, "analyse", fail)
    second = pipeline.document([project], s)
    assert second.content == first.content
    assert second.diagnostics == first.diagnostics


def test_parallel_and_serial_runs_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shapes = FIXTURES / "shapes"
    serial = to_json(pipeline.scan([shapes], Settings(root=str(shapes), cache=False)).schema)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_FILES", 1)
    parallel = to_json(pipeline.scan([shapes], Settings(root=str(shapes), cache=False)).schema)
    assert parallel == serial
    assert '"name": "notebooks"' in parallel


def test_a_crashing_worker_costs_one_file_a_diagnostic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from schemadoc.extract.workers import process_parallel

    for name in ("a", "b", "crash", "d"):
        (tmp_path / f"{name}.py").write_text(f'DDL = "CREATE TABLE {name} (id INTEGER)"\n')
    original = Extractor.process

    def process(self: Extractor, display: str, text: str | None = None):  # type: ignore[no-untyped-def]
        if display == "crash.py":
            os._exit(139)  # as a segfault in the native parser would
        return original(self, display, text)

    monkeypatch.setattr(Extractor, "process", process)
    files = {p.name: p for p in tmp_path.glob("*.py")}
    units = process_parallel(files, {}, sorted(files), frozenset())
    by_file = {u.display: u for u in units}
    assert sorted(by_file) == ["a.py", "b.py", "crash.py", "d.py"]
    assert [d.code for d in by_file["crash.py"].diagnostics] == ["SD101"]
    assert "crashed" in by_file["crash.py"].diagnostics[0].message
    assert [f.value.text for f in by_file["d.py"].fragments] == ["CREATE TABLE d (id INTEGER)"]


def test_a_current_document_is_checked_without_reading_the_stored_copy(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = settings(project, tmp_path / "cache", format="markdown")
    first = pipeline.document([project], s)
    stored = list((tmp_path / "cache").glob("*.document"))
    assert len(stored) == 1
    stored[0].unlink()  # only the document on disk can answer now
    again = pipeline.document([project], s, known=first.content)
    assert again.content == first.content
    assert not list((tmp_path / "cache").glob("*.document"))


def test_a_stored_document_is_taken_only_with_the_hash_it_was_stored_under(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = settings(project, tmp_path / "cache", format="markdown")
    first = pipeline.document([project], s)
    assert first.content is not None
    [stored] = (tmp_path / "cache").glob("*.document")
    assert stored.read_text(encoding="utf-8") == first.content
    stored.write_text(first.content.replace("|", "!"), encoding="utf-8")
    analysed: list[object] = []
    original = pipeline.analyse
    monkeypatch.setattr(
        pipeline, "analyse", lambda *a, **k: analysed.append(a) or original(*a, **k)
    )
    again = pipeline.document([project], s)
    assert again.content == first.content
    assert analysed  # the damaged copy was not taken: the document was rendered again
    assert stored.read_text(encoding="utf-8") == first.content  # and stored again


@pytest.mark.parametrize("formats", [("markdown", "json", "sql"), ("sql", "json", "markdown")])
def test_only_the_documents_of_the_last_two_outputs_are_kept(
    project: Path, tmp_path: Path, formats: tuple[str, ...]
) -> None:
    """Each run saves and reloads the cache: the outputs kept are the two rendered last,
    whatever their keys."""
    cache = tmp_path / "cache"
    contents = [
        pipeline.document([project], settings(project, cache, format=f)).content for f in formats
    ]
    kept = {p.read_text(encoding="utf-8") for p in cache.glob("*.document")}
    assert len(set(contents)) == 3
    assert kept == set(contents[1:])


def test_a_foreign_document_hash_names_no_file(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    s = settings(project, cache, format="markdown")
    first = pipeline.document([project], s)
    victim = cache / "victim.document"
    victim.write_text("keep me")
    (cache / f"{environment_key()}.").mkdir()  # so that the path below would reach it
    [state] = cache.glob("*.outputs.json")
    data = json.loads(state.read_text())
    for output in data["outputs"].values():
        output["sha"] = "/../victim"
    state.write_text(json.dumps(data))
    assert pipeline.document([project], s).content == first.content
    assert victim.read_text() == "keep me"


@pytest.mark.parametrize("package", ["libcst", "sqlglot", "jinja2", "no-such-package"])
def test_library_versions_agree_with_importlib_metadata(package: str) -> None:
    from importlib import metadata

    from schemadoc.incremental.environment import _version

    try:
        expected = metadata.version(package)
    except metadata.PackageNotFoundError:
        expected = "?"
    assert _version(package) == expected


def test_the_first_dist_info_folder_on_the_path_gives_the_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemadoc.incremental.environment import _version

    (tmp_path / "libcst-9.8.7.dist-info").mkdir()
    (tmp_path / "libcstx-1.0.dist-info").mkdir()  # another package whose name starts alike
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _version("libcst") == "9.8.7"


def test_metadata_in_another_form_is_read_by_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemadoc.incremental.environment import _version

    egg = tmp_path / "libcst.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: libcst\nVersion: 5.4.3\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _version("libcst") == "5.4.3"


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements that verification applies to a scratch database, run after run."""
    seen: list[str] = []
    original = apply._apply

    def spy(sandbox, state, stmt, *args, **kw):  # type: ignore[no-untyped-def]
        seen.append(stmt.sql)
        return original(sandbox, state, stmt, *args, **kw)

    monkeypatch.setattr(verify, "_apply", spy)  # each statement
    monkeypatch.setattr(apply, "_apply", spy)  # those retried once their table exists
    return seen


def test_verification_is_redone_only_for_the_statements_an_edit_touches(
    project: Path, tmp_path: Path, applied: list[str]
) -> None:
    cache = tmp_path / "cache"
    run(project, cache)
    everything = list(applied)
    applied.clear()
    assert run(project, cache) and applied == []
    legacy = project / "shop" / "legacy" / "todo.py"
    legacy.write_text(legacy.read_text().replace("title TEXT", "title TEXT, note TEXT"))
    warm = run(project, cache)
    assert applied and all('"to-do"' in sql for sql in applied)
    assert len(applied) < len(everything) / 2
    assert warm == run(project, tmp_path / "cold", cache=False)


def test_a_damaged_verification_entry_is_redone(
    project: Path, tmp_path: Path, applied: list[str]
) -> None:
    cache = tmp_path / "cache"
    cold = run(project, cache)
    (stored,) = cache.glob("*.verified.json")
    data = json.loads(stored.read_text())
    damaged = sorted(data["parts"])[0]
    data["parts"][damaged] = [["not", "a", "part"]]
    stored.write_text(json.dumps(data))
    applied.clear()
    assert run(project, cache) == cold
    assert applied  # the damaged group, and only it, was applied again
    applied.clear()
    assert run(project, cache) == cold
    assert applied == []  # and kept right this time


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "app" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


HELPERS = {
    "__init__.py": "",
    "tables.py": (
        "USERS = 'users'\n"
        "def make(conn, table):\n"
        "    conn.execute(f'CREATE TABLE {table} (id INTEGER PRIMARY KEY)')\n"
        "class Store:\n"
        "    TABLE = None\n"
        "    def create(self, conn):\n"
        "        conn.execute(f'CREATE TABLE {self.TABLE} (id INTEGER, note TEXT)')\n"
    ),
    "setup.py": "from app.tables import make\ndef run(conn):\n    make(conn, 'alpha')\n",
}


@pytest.mark.parametrize(
    ("new_file", "table"),
    [
        ("from app.tables import make\ndef more(conn):\n    make(conn, 'beta')\n", "beta"),
        ("from app.tables import Store\nclass Orders(Store):\n    TABLE = 'orders'\n", "orders"),
    ],
    ids=["new call site", "new subclass"],
)
def test_a_new_use_of_a_ddl_function_elsewhere_redoes_its_file(
    tmp_path: Path, processed: list[str], new_file: str, table: str
) -> None:
    project = _package(tmp_path / "p", HELPERS)
    cache = tmp_path / "cache"
    assert '"name": "alpha"' in run(project, cache)
    (project / "app" / "more.py").write_text(new_file)
    processed.clear()
    warm = run(project, cache)
    assert f'"name": "{table}"' in warm
    assert "p/app/tables.py" in processed
    assert warm == run(project, tmp_path / "cold", cache=False)


def test_using_only_a_constant_of_a_file_does_not_redo_it(
    tmp_path: Path, processed: list[str]
) -> None:
    project = _package(tmp_path / "p", HELPERS)
    cache = tmp_path / "cache"
    run(project, cache)
    (project / "app" / "more.py").write_text(
        "from app.tables import USERS\n"
        "def more(conn):\n"
        "    conn.execute(f'CREATE TABLE {USERS}_log (id INTEGER)')\n"
    )
    processed.clear()
    warm = run(project, cache)
    assert '"name": "users_log"' in warm
    assert processed == ["p/app/more.py"]
    assert warm == run(project, tmp_path / "cold", cache=False)


def test_a_function_that_turns_out_to_be_for_another_engine_is_verified_again(
    tmp_path: Path,
) -> None:
    """Whether a statement is applied depends on its function's other statements, which may
    be in other groups: the cached verification of an unchanged group must not be reused."""
    project = tmp_path / "p"
    project.mkdir()
    module = project / "db.py"
    head = "def setup(conn):\n    conn.execute('CREATE TABLE alpha (id INTEGER)')\n"
    module.write_text(head)
    cache = tmp_path / "cache"
    assert '"name": "alpha"' in run(project, cache)
    module.write_text(head + "    conn.execute('CREATE TABLE beta (id SERIAL PRIMARY KEY)')\n")
    warm = run(project, cache)
    assert '"name": "alpha"' not in warm  # the whole function is written for another engine
    assert warm == run(project, tmp_path / "cold", cache=False)


ADDED = {
    "module added": (
        {"db.py": "from app.consts import PREFIX\nSQL = f'CREATE TABLE {PREFIX}_users (x)'\n"},
        {"consts.py": "PREFIX = 'shop'\n"},
        "shop_users",
    ),
    "name added to a module": (
        {
            "db.py": "from app.consts import PREFIX\nSQL = f'CREATE TABLE {PREFIX}_users (x)'\n",
            "consts.py": "OTHER = 1\n",
        },
        {"consts.py": "OTHER = 1\nPREFIX = 'shop'\n"},
        "shop_users",
    ),
    "subclass of a subclass added": (
        {
            **HELPERS,
            "mid.py": "from app.tables import Store\nclass Mid(Store):\n    TABLE = 'mid'\n",
            "use.py": "from app.leaf import Leaf\nSQL = 'CREATE TABLE ' + Leaf.TABLE + 's (x)'\n",
        },
        {"leaf.py": "from app.mid import Mid\nclass Leaf(Mid):\n    TABLE = 'leaf'\n"},
        "leaf",
    ),
}


def _edited(
    tmp_path: Path,
    before: dict[str, str],
    after: dict[str, str],
    output: Callable[..., str],
) -> tuple[str, str, str]:
    """``output`` of the package ``before``, then after the edit ``after`` with the cache
    kept, and after it without a cache."""
    project = _package(tmp_path / "p", {"__init__.py": "", **before})
    cache = tmp_path / "cache"
    first = output(project, cache)
    _package(project, after)
    return first, output(project, cache), output(project, tmp_path / "cold", cache=False)


@pytest.mark.parametrize(("before", "after", "table"), ADDED.values(), ids=ADDED.keys())
def test_what_was_looked_for_in_vain_and_is_added_later_redoes_the_file(
    tmp_path: Path, before: dict[str, str], after: dict[str, str], table: str
) -> None:
    """A cached result that found nothing (a module, a name, a subclass) is not kept once
    what it looked for appears."""
    first, warm, cold = _edited(tmp_path, before, after, run)
    assert f'"name": "{table}"' not in first
    assert f'"name": "{table}"' in warm
    assert warm == cold


def document(project: Path, folder: Path, **kw: object) -> str:
    content = pipeline.document([project], settings(project, folder, **kw)).content
    assert content is not None
    return content


def test_an_edit_that_cannot_change_the_schema_takes_the_last_document(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new module and an edited one that hold no DDL, are not read for any and use
    nothing that holds DDL: the schema is not worked out again."""
    cache = tmp_path / "cache"
    first = document(project, cache)
    (project / "shop" / "util.py").write_text("def total(prices):\n    return sum(prices)\n")
    (project / "shop" / "__init__.py").write_text('"""The shop."""\n')

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("analysed again")

    monkeypatch.setattr(pipeline, "analyse", fail)
    assert document(project, cache) == first
    assert document(project, cache) == first  # and now under this state's own key


EDITS = {
    **ADDED,
    "new call site": (
        HELPERS,
        {"more.py": "from app.tables import make\ndef more(conn):\n    make(conn, 'beta')\n"},
        "beta",
    ),
    "new subclass": (
        HELPERS,
        {"more.py": "from app.tables import Store\nclass Orders(Store):\n    TABLE = 'orders'\n"},
        "orders",
    ),
    "DDL file emptied": (
        {"db.py": "SQL = 'CREATE TABLE gone (x)'\n", "keep.py": "K = 'CREATE TABLE kept (x)'\n"},
        {"db.py": "SQL = None\n"},
        "kept",
    ),
}


@pytest.mark.parametrize(("before", "after", "table"), EDITS.values(), ids=EDITS.keys())
def test_a_document_after_an_edit_of_files_without_ddl_is_the_uncached_one(
    tmp_path: Path, before: dict[str, str], after: dict[str, str], table: str
) -> None:
    _, warm, cold = _edited(tmp_path, before, after, partial(document, format="json"))
    assert f'"name": "{table}"' in warm
    assert warm == cold


def test_a_run_writes_each_cache_file_once_and_a_new_stamp_only_the_small_one(
    project: Path, tmp_path: Path, written: list[str]
) -> None:
    """The file states are the large file of the cache: a run that renders and writes a
    document writes them once, and remembering where the document went writes only the
    small file of outputs."""
    s, target, doc = write_document(project, tmp_path / "cache")
    cache_files = Counter(name for name in written if name.endswith("json"))
    # the outputs twice: with the rendered document, then with the file that holds it (the
    # fixture's files keep their times when copied: old enough for a snapshot of the tree)
    assert cache_files == {
        "json": 1,
        "analysis.json": 1,
        "classes.json": 1,
        "verified.json": 1,
        "outputs.json": 2,
        "snapshot.json": 1,
    }
    written.clear()
    target.write_text(doc.content, encoding="utf-8")  # type: ignore[arg-type]  # same text, new stamp
    again = pipeline.document([project], s, target=target)
    again.written(target)
    assert written == ["outputs.json"]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_neither_runs_over_nor_looks_again_at_a_loaded_cache(
    project: Path, tmp_path: Path, enabled: bool
) -> None:
    """The file table holds no cycles and lives as long as the run: once read, its entries are
    in no generation the garbage collector scans; the collector is left as it was found."""
    import gc

    from schemadoc.incremental.cache import Cache

    cache = tmp_path / "cache"
    run(project, cache)
    was = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        loaded = Cache.open(cache)
        assert gc.isenabled() == enabled
        scanned = {id(o) for generation in (0, 1, 2) for o in gc.get_objects(generation)}
        assert loaded.files
        assert not any(id(entry) in scanned for entry in loaded.files.values())
    finally:
        gc.unfreeze()
        if was:
            gc.enable()


def test_an_edit_that_changes_no_class_statement_leaves_the_class_lines_file_alone(
    project: Path, tmp_path: Path, written: list[str]
) -> None:
    """Every file's class lines are read from the cache to find subclasses, and on a large
    tree they are most of what extraction keeps: an edit rewrites them only when a class
    statement changed."""
    cache = tmp_path / "cache"
    run(project, cache)
    assert "classes.json" in written
    legacy = project / "shop" / "legacy" / "todo.py"
    written.clear()
    legacy.write_text(legacy.read_text().replace("title TEXT", "title TEXT, note TEXT"))
    run(project, cache)
    assert "analysis.json" in written and "classes.json" not in written
    written.clear()
    legacy.write_text(legacy.read_text() + "\n\nclass Later(dict):\n    pass\n")
    run(project, cache)
    assert "classes.json" in written


def _unit() -> UnitResult:
    piece = Piece("CREATE TABLE t (a INT)", ("app/db.py", 3, 8), True, False)
    fragment = Fragment(Value((piece,)), "app/db.py", Origin("make", None, ("setup",)))
    fragment = fragment.with_split((Templated("CREATE TABLE t (a INT)", 0, "the t", ("p",)),))
    return UnitResult("app/db.py", [fragment], [(("app/db.py", 3, 8), "x")], [], [], [], [])


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        (("fragments", 0, 0, 0, 2), 1),  # a piece's exactness an int
        (("fragments", 0, 0, 0, 1, 1), True),  # a position's line a bool
        (("fragments", 0, 3, 0, 3), "p"),  # a statement's placeholders not a list
        (("fragments", 0, 3, 0, 1), "0"),  # a statement's offset a string
        (("fragments", 0, 2, 2), [None]),  # an origin's roles not strings
    ],
    ids=["exact", "line", "placeholders", "offset", "roles"],
)
def test_an_extraction_entry_of_another_shape_is_invalid(path: tuple, bad: object) -> None:
    raw = json.loads(json.dumps(units.unit_to_json(_unit())))
    assert units.unit_to_json(units.unit_from_json("app/db.py", raw)) == raw
    *parents, last = path
    holder = raw
    for key in parents:
        holder = holder[key]
    holder[last] = bad
    with pytest.raises(Invalid):
        units.unit_from_json("app/db.py", raw)


def test_a_file_name_that_is_not_utf8_is_cached_and_read_back(
    tmp_path: Path, processed: list[str]
) -> None:
    """Its display name holds a lone surrogate, which orjson refuses to write and to read:
    json does both, and the second run reads the cache it wrote."""
    project = tmp_path / "app"
    project.mkdir()
    name = os.fsdecode(b"db_\xff.py")
    (project / name).write_text('conn.execute("CREATE TABLE t (a INT)")\n')
    cache = tmp_path / "cache"
    first = run(project, cache)
    assert '"name": "t"' in first and f'"path": "app/{name}"' in first
    assert processed == [f"app/{name}"]
    processed.clear()
    assert run(project, cache) == first
    assert processed == []
