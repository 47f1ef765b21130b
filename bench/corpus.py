"""The benchmark corpora: real code plus generated DDL-bearing modules.

A corpus is a tree of parts copied from this machine (the standard library of the running
Python, or some of its packages; the site-packages of the project venv; a large site-packages
installed once from PyPI, see ``large_site``) and a deterministic (seeded) set of generated
Python modules and ``.sql`` files holding tables with indexes, foreign keys (also across
files), migrations, views and triggers, written the ways real projects write them.

Only files schemadoc scans are copied (``.py``, ``.pyi``, ``.sql``), and folders schemadoc
skips are left out, so that ``grep``, the floor and schemadoc see exactly the same tree.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from schemadoc.discover.files import SKIP_DIRS, SUFFIXES

SEED = 20240611
GENERATED = "generated"  # folder of the generated modules below the corpus root
PACKAGE = "benchapp"  # their top-level package
MARK = ".schemadoc-bench-corpus"  # a folder holding this file may be removed and rebuilt

DOMAINS = (
    "billing",
    "inventory",
    "shipping",
    "crm",
    "auth",
    "analytics",
    "catalog",
    "payments",
    "support",
    "staffing",
    "ledger",
    "media",
    "search",
    "messaging",
    "scheduling",
    "reporting",
    "audit",
    "geo",
    "pricing",
    "tenancy",
)
NOUNS = (
    "account",
    "customer",
    "order",
    "invoice",
    "item",
    "product",
    "shipment",
    "parcel",
    "address",
    "session",
    "token",
    "event",
    "metric",
    "category",
    "price",
    "discount",
    "payment",
    "refund",
    "ticket",
    "comment",
    "employee",
    "team",
    "entry",
    "journal",
    "asset",
    "upload",
    "document",
    "query",
    "message",
    "thread",
    "slot",
    "booking",
    "report",
    "export",
    "change",
    "region",
    "zone",
    "tariff",
    "plan",
    "tenant",
    "quota",
    "webhook",
    "job",
    "attachment",
    "review",
    "rating",
    "coupon",
    "warehouse",
    "supplier",
    "contract",
)
# (name, declaration); none of these names is ever a table name.
COLUMNS = (
    ("name", "TEXT NOT NULL"),
    ("title", "TEXT NOT NULL DEFAULT ''"),
    ("email", "TEXT UNIQUE"),
    ("status", "TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'active', 'closed'))"),
    ("amount_cents", "INTEGER NOT NULL DEFAULT 0"),
    ("quantity", "INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 0)"),
    ("currency", "TEXT NOT NULL DEFAULT 'EUR'"),
    ("score", "REAL"),
    ("is_active", "INTEGER NOT NULL DEFAULT 1"),
    ("payload", "BLOB"),
    ("notes", "TEXT"),
    ("external_ref", "TEXT COLLATE NOCASE"),
    ("position", "INTEGER"),
    ("metadata", "TEXT NOT NULL DEFAULT '[]'"),
    ("version", "INTEGER NOT NULL DEFAULT 1"),
    ("starts_on", "TEXT"),
    ("created_at", "TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP"),
    ("updated_at", "TEXT"),
)
ACTIONS = ("CASCADE", "SET NULL", "RESTRICT", "NO ACTION")
STYLES = ("store", "migrations", "records", "tables", "sql")
# Share of files per style (weights for STYLES).
WEIGHTS = (40, 25, 10, 20, 5)

# Every generated object name holds its table's number as ``_NNNN``: renaming copies of the
# schema (for the stage timings at 2x and 4x) only has to rewrite these numbers.
NUMBER = re.compile(r"(?<=_)(\d{4})(?![0-9])")


@dataclass
class Table:
    name: str
    number: int
    noun: str
    module: str  # dotted module that defines it
    constant: str | None  # module constant holding the name (store modules)
    columns: list[tuple[str, str]] = field(default_factory=list)
    foreign: list[tuple[str, Table, str]] = field(default_factory=list)  # column, parent, action
    link: bool = False  # a link table: primary key over its two foreign keys
    indexes: list[str] = field(default_factory=list)  # CREATE INDEX statements
    extra: list[str] = field(default_factory=list)  # views, triggers, ALTERs after it


@dataclass
class Generated:
    """What was generated: files (path relative to the corpus root -> text) and counts."""

    files: dict[str, str]
    tables: int
    indexes: int
    foreign_keys: int
    changeable: str  # a store module that the "one file changed" runs edit
    order: list[tuple[str, int]]  # DDL files in the order generated, with their table counts


def _column_lines(table: Table, ref: dict[str, str]) -> list[str]:
    """Column and constraint lines of ``CREATE TABLE``; ``ref`` maps parent names to how the
    module writes them (literal or ``{CONSTANT}``)."""
    lines = [] if table.link else ["id INTEGER PRIMARY KEY"]
    for column, parent, action in table.foreign:
        null = "NOT NULL " if table.link or action == "CASCADE" else ""
        lines.append(
            f"{column} INTEGER {null}REFERENCES {ref.get(parent.name, parent.name)} (id) "
            f"ON DELETE {action}"
        )
    lines += [f"{name} {decl}" for name, decl in table.columns]
    if table.link:
        lines.append(f"PRIMARY KEY ({', '.join(c for c, _, _ in table.foreign)})")
    return lines


def _table_sql(table: Table, ref: dict[str, str], indent: str, head: str = "") -> str:
    name = ref.get(table.name, table.name)
    body = f",\n{indent}    ".join(_column_lines(table, ref))
    return f"{indent}CREATE TABLE {head}{name} (\n{indent}    {body}\n{indent})"


def _plan_tables(
    rng: random.Random, count: int, first: int, module: str, style: str, earlier: list[Table]
) -> list[Table]:
    tables: list[Table] = []
    for k in range(count):
        number = first + k
        noun = rng.choice(NOUNS)
        domain = module.split(".")[1]
        candidates = tables + earlier[-400:]
        link = style != "records" and len(candidates) >= 2 and rng.random() < 0.08
        name = f"{domain}_{noun}_{'link_' if link else ''}{number:04d}"
        constant = f"T_{name.upper()}" if style == "store" else None
        table = Table(name, number, noun, module, constant)
        table.link = link
        if link:
            parents = rng.sample(candidates, 2)
        else:
            picks = rng.choices((0, 1, 1, 2, 2, 3), k=1)[0] if candidates else 0
            parents = rng.sample(candidates, min(picks, len(candidates)))
        seen: set[str] = set()
        for parent in parents:
            column = f"{parent.noun}_id"
            while column in seen:
                column = f"{parent.noun}_{len(seen) + 1}_id"
            seen.add(column)
            action = "CASCADE" if link else rng.choice(ACTIONS)
            table.foreign.append((column, parent, action))
        width = rng.randint(1, 4) if link else rng.randint(3, 9)
        picked = sorted(rng.sample(range(len(COLUMNS)), width))
        table.columns = [COLUMNS[i] for i in picked]
        table.indexes = _indexes(rng, table)
        tables.append(table)
    return tables


def _indexes(rng: random.Random, table: Table) -> list[str]:
    """CREATE INDEX statements with ``{table}`` for the table's name as the module writes it."""
    names = [c for c, _ in table.columns]
    out: list[tuple[str, str, str]] = []  # (kind, columns, where)
    for column, _, _ in table.foreign[(1 if table.link else 0) :]:
        out.append(("ix", column, ""))
    if "status" in names:
        out.append(("ix", "status, created_at" if "created_at" in names else "status", ""))
    if "external_ref" in names and rng.random() < 0.7:
        out.append(("ux", "external_ref", ""))
    if "is_active" in names and "name" in names and rng.random() < 0.5:
        out.append(("ix", "name", " WHERE is_active = 1"))
    if "position" in names and rng.random() < 0.4:
        out.append(("ix", "position DESC", ""))
    if not out and names:
        out.append(("ix", names[0], ""))
    statements = []
    for kind, columns, where in out:
        tag = re.sub(r"\W+", "_", columns.replace(" DESC", "_desc"))
        unique = "UNIQUE " if kind == "ux" else ""
        statements.append(
            f"CREATE {unique}INDEX IF NOT EXISTS {kind}_{table.name}_{tag} "
            f"ON {{table}} ({columns}){where}"
        )
    return statements


def _extras(rng: random.Random, table: Table, migrations: bool) -> list[str]:
    """Views, triggers and (in migrations) ALTERs that follow a table; ``{table}`` as above."""
    names = [c for c, _ in table.columns]
    extra = []
    if migrations and rng.random() < 0.3:
        extra.append("ALTER TABLE {table} ADD COLUMN archived_at TEXT")
    if "is_active" in names and rng.random() < 0.3:
        shown = ", ".join(["id", *names[:3]]) if not table.link else ", ".join(names[:3])
        extra.append(
            f"CREATE VIEW IF NOT EXISTS v_{table.name}_active AS "
            f"SELECT {shown} FROM {{table}} WHERE is_active = 1"
        )
    if "updated_at" in names and not table.link and rng.random() < 0.3:
        extra.append(
            f"CREATE TRIGGER IF NOT EXISTS tr_{table.name}_touch AFTER UPDATE ON {{table}}\n"
            "BEGIN\n"
            "    UPDATE {table} SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;\n"
            "END"
        )
    return extra


def _pascal(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_"))


def _store_module(domain: str, tables: list[Table], imports: dict[str, Table]) -> str:
    ref = {t.name: f"{{{t.constant}}}" for t in tables}
    ref.update({name: f"{{{t.constant}}}" for name, t in imports.items()})
    lines = [
        f'"""Storage of the {domain} {tables[0].noun}s and what hangs off them."""',
        "",
        "from __future__ import annotations",
        "",
        "import sqlite3",
        "",
    ]
    by_module: dict[str, list[str]] = {}
    for t in imports.values():
        by_module.setdefault(t.module, []).append(t.constant or "")
    for module in sorted(by_module):
        lines.append(f"from {module} import {', '.join(sorted(by_module[module]))}")
    if by_module:
        lines.append("")
    lines += [f'{t.constant} = "{t.name}"' for t in tables]
    script = []
    for t in tables:
        script.append(_table_sql(t, ref, " " * 12, "IF NOT EXISTS ") + ";")
        script += [
            textwrap.indent(s.format(table=ref[t.name]), " " * 12) + ";"
            for s in [*t.indexes, *t.extra]
        ]
    first = tables[0]
    lines += [
        "",
        "",
        f"class {_pascal(first.name.rsplit('_', 1)[0])}Store:",
        f'    """Creates the {domain} tables and runs the queries that need them."""',
        "",
        "    def __init__(self, conn: sqlite3.Connection) -> None:",
        "        self.conn = conn",
        "",
        "    def create_schema(self) -> None:",
        "        self.conn.executescript(",
        '            f"""',
        *script,
        '            """',
        "        )",
        "",
        "    def count(self) -> int:",
        f'        sql = f"SELECT COUNT(*) FROM {{{first.constant}}}"',
        "        return self.conn.execute(sql).fetchone()[0]",
        "",
        "    def delete(self, row_id: int) -> None:",
        f'        self.conn.execute(f"DELETE FROM {{{first.constant}}} WHERE id = ?", (row_id,))',
        "",
    ]
    return "\n".join(lines)


def _migrations_module(domain: str, tables: list[Table]) -> str:
    steps = []
    for t in tables:
        steps.append(_table_sql(t, {}, ""))
        steps += [s.format(table=t.name) for s in [*t.indexes, *t.extra]]
    lines = [
        f'"""Schema migrations of the {domain} service, applied in order."""',
        "",
        "import sqlite3",
        "",
        "MIGRATIONS: list[tuple[int, str]] = [",
    ]
    for number, step in enumerate(steps, 1):
        if "\n" in step:
            lines.append(f'    ({number}, """\n{step}\n"""),')
        else:
            lines.append(f'    ({number}, "{step}"),')
    lines += [
        "]",
        "",
        "",
        "def migrate(conn: sqlite3.Connection) -> int:",
        '    """Apply the migrations newer than the database; the new version."""',
        '    current = conn.execute("PRAGMA user_version").fetchone()[0]',
        "    for number, sql in MIGRATIONS:",
        "        if number > current:",
        "            conn.execute(sql)",
        '            conn.execute(f"PRAGMA user_version = {number}")',
        "            current = number",
        "    return current",
        "",
    ]
    return "\n".join(lines)


RECORDS_BASE = '''

class {base}:
    """Append-only records: each subclass names its table, the base creates it."""

    TABLE: str  # set by each subclass

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def create(self) -> None:
        self.conn.execute(
            f"CREATE TABLE IF NOT EXISTS {{self.TABLE}} ("
            "id INTEGER PRIMARY KEY, "
            "recorded_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, "
            "kind TEXT NOT NULL, "
            "body TEXT NOT NULL)"
        )
        self.conn.execute(
            f"CREATE INDEX IF NOT EXISTS ix_{{self.TABLE}}_recorded ON {{self.TABLE}} (recorded_at)"
        )

    def append(self, kind: str, body: str) -> None:
        self.conn.execute(f"INSERT INTO {{self.TABLE}} (kind, body) VALUES (?, ?)", (kind, body))
'''


def _records_module(domain: str, tables: list[Table]) -> str:
    """A base class that creates its subclasses' tables (schemadoc follows subclasses of a
    DDL-bearing class within a module; those in other modules hold no DDL text of their own
    and are not candidates)."""
    base = f"{domain.capitalize()}Record"
    lines = [
        f'"""Record tables of the {domain} service."""',
        "",
        "import sqlite3",
        RECORDS_BASE.format(base=base),
    ]
    for t in tables:
        lines += ["", f"class {_pascal(t.name)}({base}):", f'    TABLE = "{t.name}"', ""]
    return "\n".join(lines)


def _tables_module(domain: str, tables: list[Table]) -> str:
    lines = [
        f'"""Tables of the {domain} service, created at start-up."""',
        "",
        "import sqlite3",
        "",
        "",
        "def create_tables(conn: sqlite3.Connection) -> None:",
    ]
    for t in tables:
        columns = _column_lines(t, {})
        lines += ["    conn.execute(", f'        "CREATE TABLE IF NOT EXISTS {t.name} ("']
        for i, column in enumerate(columns):
            end = ", " if i < len(columns) - 1 else ""
            lines.append(f'        "{column}{end}"')
        lines += ['        ")"', "    )"]
        for s in [*t.indexes, *t.extra]:
            step = s.format(table=t.name)
            if "\n" in step:
                lines.append(f'    conn.execute("""\n{step}\n""")')
            else:
                lines.append(f'    conn.execute("{step}")')
    lines += [
        "",
        "",
        "def drop_rows(conn: sqlite3.Connection, table: str) -> None:",
        '    conn.execute(f"DELETE FROM {table}")',
        "",
    ]
    return "\n".join(lines)


def _sql_file(domain: str, tables: list[Table]) -> str:
    parts = [f"-- Schema of the {domain} reporting database.\n"]
    for t in tables:
        parts.append(f"\n-- {t.noun.capitalize()} rows of the {domain} service.\n")
        parts.append(_table_sql(t, {}, "") + ";\n")
        parts += [s.format(table=t.name) + ";\n" for s in [*t.indexes, *t.extra]]
    return "".join(parts)


def generate(files: int, seed: int = SEED) -> Generated:
    """``files`` DDL-bearing files (plus package ``__init__`` files), deterministically."""
    rng = random.Random(seed)
    out: dict[str, str] = {}
    base = f"{GENERATED}/{PACKAGE}"
    out[f"{base}/__init__.py"] = '"""Generated by bench/corpus.py for the benchmark."""\n'
    tables: list[Table] = []
    counts = {"indexes": 0, "foreign_keys": 0}
    changeable = ""
    order: list[tuple[str, int]] = []
    for i in range(files):
        style = rng.choices(STYLES, WEIGHTS)[0]
        domain = rng.choice(DOMAINS)
        folder = f"{base}/{domain}"
        out.setdefault(f"{folder}/__init__.py", "")
        stem = f"{style}_{i:04d}"
        module = f"{PACKAGE}.{domain}.{stem}"
        count = rng.randint(3, 11)
        planned = _plan_tables(rng, count, len(tables) + 1, module, style, tables)
        if style == "records":  # the columns and the index come from the base class
            for t in planned:
                t.columns, t.foreign, t.indexes = [], [], []
        else:
            for t in planned:
                t.extra = _extras(rng, t, style == "migrations")
        if style == "store":
            local = {t.name for t in planned}
            imports = {
                p.name: p
                for t in planned
                for _, p, _ in t.foreign
                if p.name not in local and p.constant and rng.random() < 0.5
            }
            out[f"{folder}/{stem}.py"] = _store_module(domain, planned, imports)
            if not changeable and i >= files // 2:
                changeable = f"{folder}/{stem}.py"
        elif style == "migrations":
            out[f"{folder}/{stem}.py"] = _migrations_module(domain, planned)
        elif style == "records":
            out[f"{folder}/{stem}.py"] = _records_module(domain, planned)
        elif style == "tables":
            out[f"{folder}/{stem}.py"] = _tables_module(domain, planned)
        else:
            out[f"{folder}/sql/{stem}.sql"] = _sql_file(domain, planned)
        order.append((next(reversed(out)), len(planned)))
        tables += planned
        counts["indexes"] += sum(len(t.indexes) for t in planned)
        counts["indexes"] += len(planned) if style == "records" else 0  # the base's index
        counts["foreign_keys"] += sum(len(t.foreign) for t in planned)
    if not changeable:  # tiny corpora: any store module
        changeable = next(p for p in sorted(out) if "/store_" in p)
    return Generated(out, len(tables), counts["indexes"], counts["foreign_keys"], changeable, order)


def changed_variant(text: str, column: str) -> str:
    """``text`` of a store module with one more column, ``column``, in its first table."""
    return text.replace(
        "id INTEGER PRIMARY KEY,", f"id INTEGER PRIMARY KEY,\n                {column} INTEGER,", 1
    )


# -- the copied trees -------------------------------------------------------------------------

# The standard-library packages of the repository-sized tree: about 130 modules, as many as a
# real application repository has besides its DDL.
REPOSITORY_PACKAGES = (
    "concurrent",
    "dbm",
    "email",
    "html",
    "http",
    "importlib",
    "json",
    "logging",
    "sqlite3",
    "tomllib",
    "urllib",
    "wsgiref",
    "xml",
    "xmlrpc",
    "zoneinfo",
)
# The large site-packages, installed once from PyPI (wheels for CPython 3.11 on Linux x86_64;
# no dependencies): about 27,600 .py and .pyi files (ansible's collections are 15,500 of them),
# of which schemadoc leaves some 3,800 out as test code.
LARGE_SITE = (
    "Django==5.2.4",
    "SQLAlchemy==2.0.41",
    "Twisted==25.5.0",
    "ansible==10.7.0",
    "ansible-core==2.17.14",
    "boto3==1.38.46",
    "botocore==1.38.46",
    "kubernetes==33.1.0",
    "matplotlib==3.10.3",
    "mypy==1.16.1",
    "networkx==3.4.2",
    "numpy==2.2.6",
    "pandas==2.2.3",
    "scipy==1.15.3",
    "sympy==1.14.0",
    "transformers==4.52.4",
)
PINNED = "bench-pinned.txt"  # in the large site-packages: the list it was installed from


def stdlib_folder() -> Path:
    return Path(sysconfig.get_paths()["stdlib"]).resolve()


def venv_site_packages(venv: Path) -> list[Path]:
    """Every site-packages folder of the venv, each once (lib64 is often a link to lib)."""
    found = {p.resolve() for p in venv.glob("lib*/python*/site-packages") if p.is_dir()}
    return sorted(found)


def large_site(folder: Path, python: Path) -> str | None:
    """Install LARGE_SITE in ``folder`` with ``python``'s pip, unless it holds that list
    already: None when it does, else why it could not be installed (pip's last words)."""
    wanted = "".join(f"{requirement}\n" for requirement in LARGE_SITE)
    pinned = folder / PINNED
    if pinned.is_file() and pinned.read_text(encoding="utf-8") == wanted:
        return None
    if folder.exists():
        if any(folder.iterdir()) and not (folder / MARK).exists():
            return f"{folder} exists and was not installed by the benchmark: not replacing it"
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARK).write_text(
        "Installed by bench/corpus.py; reinstalled when LARGE_SITE changes.\n"
    )
    command = [str(python), "-m", "pip", "install", "--target", str(folder), "--no-deps"]
    command += ["--no-compile", "--only-binary=:all:", "--quiet", *LARGE_SITE]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return f"pip could not run: {error}"
    if proc.returncode:
        said = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
        return f"pip install failed (exit {proc.returncode}): {' / '.join(said[-3:]) or '-'}"
    pinned.write_text(wanted, encoding="utf-8")
    return None


@dataclass(frozen=True)
class Part:
    """Real files of a corpus: those of ``origin`` (or of its entries ``only``), copied to the
    folder ``name`` below the corpus root. ``link``: hard links instead of copies, for a
    folder the benchmark owns and never edits (the large site-packages)."""

    name: str
    origin: Path
    only: tuple[str, ...] = ()
    link: bool = False

    def describe(self) -> str:
        return f"{self.origin} ({', '.join(self.only)})" if self.only else str(self.origin)


def repository_parts() -> list[Part]:
    """The real files of the repository-sized tree: some standard-library packages."""
    return [Part("stdlib", stdlib_folder(), REPOSITORY_PACKAGES)]


def bench_parts(venv: Path) -> list[Part]:
    """The real files of the bench tree: the standard library and the venv's packages."""
    parts = [Part("stdlib", stdlib_folder())]
    for i, folder in enumerate(venv_site_packages(venv)):
        parts.append(Part(f"venv-packages/{i}", folder))
    return parts


def large_parts(venv: Path, site: Path) -> list[Part]:
    """The real files of the large tree: the bench tree's and the large site-packages."""
    return [*bench_parts(venv), Part("large-packages", site, link=True)]


def _sources(folder: Path) -> Iterator[Path]:
    """Files below ``folder`` that schemadoc scans, in folders it does not skip; no links."""
    for path in sorted(folder.iterdir()):
        if path.is_symlink():
            continue
        if path.is_dir():
            if (
                path.name in SKIP_DIRS
                or path.name.endswith(".egg-info")
                or path.name == "dist-packages"
            ):
                continue
            yield from _sources(path)
        elif path.name.endswith(SUFFIXES) and path.is_file():
            yield path


def _part_files(part: Part) -> Iterator[Path]:
    if not part.only:
        yield from _sources(part.origin)
        return
    for name in part.only:
        path = part.origin / name
        if path.is_dir() and not path.is_symlink():
            yield from _sources(path)
        elif path.name.endswith(SUFFIXES) and path.is_file():
            yield path


def _place(source: Path, target: Path, link: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if link:
        try:
            os.link(source, target)
            return
        except OSError:  # another file system: a copy
            pass
    shutil.copyfile(source, target)


@dataclass
class Corpus:
    root: Path
    files: int
    bytes: int
    generated: Generated
    sources: dict[str, str]  # corpus part -> where it was copied from


def build(root: Path, parts: list[Part], generated_files: int, sample: int = 1) -> Corpus:
    """A fresh corpus in ``root``: a pyproject.toml, the ``parts`` and ``generated_files``
    generated files. ``sample`` > 1 copies only every sample-th real file (smoke tests)."""
    if root.exists():
        if any(root.iterdir()) and not (root / MARK).exists():
            raise SystemExit(f"{root} exists and is not a benchmark corpus: not removing it")
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / MARK).write_text("Built by bench/corpus.py; removed and rebuilt on each run.\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "schemadoc-bench-corpus"\nversion = "0"\n\n'
        '[tool.schemadoc]\npaths = ["."]\ntitle = "Benchmark corpus"\n',
        encoding="utf-8",
    )
    files = size = 0
    for part in parts:
        for n, path in enumerate(_part_files(part)):
            if n % sample:
                continue
            target = root / part.name / path.relative_to(part.origin)
            _place(path, target, part.link)
            files += 1
            size += target.stat().st_size
    generated = generate(generated_files)
    for relative, text in generated.files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        files += 1
        size += target.stat().st_size
    return Corpus(root, files, size, generated, {p.name: p.describe() for p in parts})


if __name__ == "__main__":  # print one generated module of each style
    sample_files = generate(40).files
    for style in STYLES:
        path = next((p for p in sorted(sample_files) if f"/{style}_" in p), None)
        if path:
            sys.stdout.write(f"# ---- {path}\n{sample_files[path]}\n")
