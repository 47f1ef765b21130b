"""Names of database engines in code: which engine a file, a function or a branch is for."""

from __future__ import annotations

import re
from collections.abc import Iterable

SQLITE = "sqlite"
NOT_SQLITE = "non-sqlite"  # code that runs on any engine but SQLite
# Another engine named in a path or a function's name, or a branch's label (SQLite is ours).
OTHER_ENGINE = re.compile(
    r"postgres\w*|psycopg\w*|\bpg_\w*|\w*_pg\b|mysql\w*|mariadb|mssql|sqlserver|oracle|"
    rf"redshift|snowflake|duckdb|clickhouse|cockroach\w*|cassandra|scylla|\b{NOT_SQLITE}\b",
    re.IGNORECASE,
)

_ENGINES = (
    r"(sqlite3?|postgres(?:ql)?|mysql|mariadb|mssql|sqlserver|oracle|redshift|snowflake|duckdb|"
    r"clickhouse|cockroach(?:db)?)"
)
# An identifier that names an engine: ``SQLITE``, ``is_postgres``, ``PostgresEngine``,
# ``SqliteDatabase``; not one that only mentions it (``sqlite_columns``, ``XH_SQLITE_TABLE``).
_IDENTIFIER = re.compile(
    rf"(?:is|use|using)?_?{_ENGINES}_?(?:engine|dialect|database|db|backend|adapter|"
    r"connection|scheme)?",
    re.IGNORECASE,
)
_STRING = re.compile(rf"{_ENGINES}(?![a-z0-9])", re.IGNORECASE)  # "sqlite", "postgresql+psycopg"


def identifier_engine(name: str) -> str | None:
    """``SQLITE`` or the name itself when an identifier names an engine, else None."""
    found = _IDENTIFIER.fullmatch(name)
    return None if found is None else _ours(found.group(1), name)


def string_engine(text: str) -> str | None:
    """``SQLITE`` or the text itself when a string names an engine, else None."""
    found = _STRING.match(text)
    return None if found is None else _ours(found.group(1), text)


def _ours(engine: str, name: str) -> str:
    return SQLITE if engine.lower().startswith("sqlite") else name


def branch_engines(named: list[str], negated: bool) -> tuple[str | None, str | None]:
    """The engine of a branch and of its alternative, from the engines its test compares
    with (see ``identifier_engine``) and whether the test is negated: another engine's name,
    ``SQLITE``, ``NOT_SQLITE``, or None when the test does not tell (it names no engine, or
    both SQLite and another)."""
    other = sorted({n for n in named if n != SQLITE})
    sqlite = SQLITE in named
    if bool(other) == sqlite:
        return None, None
    chosen: tuple[str | None, str | None] = (SQLITE, NOT_SQLITE) if sqlite else (other[0], None)
    return (chosen[1], chosen[0]) if negated else chosen


def is_other(engine: str | None) -> bool:
    """Whether code labelled ``engine`` runs on another engine than SQLite."""
    return engine is not None and engine != SQLITE


# Client libraries of other stores that speak SQL or SQL's words, by top-level module.
_CLIENTS = {
    "duckdb": "duckdb",
    "cassandra": "cassandra",
    "scylla": "scylla",
    "clickhouse_driver": "clickhouse",
    "clickhouse_connect": "clickhouse",
    "aiochclient": "clickhouse",
    "psycopg": "postgres",
    "psycopg2": "postgres",
    "asyncpg": "postgres",
    "pg8000": "postgres",
    "pymysql": "mysql",
    "MySQLdb": "mysql",
    "aiomysql": "mysql",
    "mysql": "mysql",
    "pymssql": "mssql",
    "cx_Oracle": "oracle",
    "oracledb": "oracle",
    "snowflake": "snowflake",
}
# Modules that reach SQLite (or any engine, as an ORM's core does).
_OURS = frozenset(
    {
        "sqlite3",
        "aiosqlite",
        "apsw",
        "sqlite_utils",
        "pysqlite2",
        "sqlcipher3",
        "sqlalchemy",
        "peewee",
        "pony",
        "databases",
        "records",
        "dataset",
        "playhouse",
        "django",
        "sqlmodel",
    }
)


def module_engine(imported: Iterable[str]) -> str | None:
    """The one other engine a module's imports name when none of them reaches SQLite
    (``import duckdb``, ``from cassandra.cluster import Cluster``), else None."""
    tops = {name.split(".")[0] for name in imported}
    if tops & _OURS:
        return None
    engines = sorted({_CLIENTS[top] for top in tops if top in _CLIENTS})
    return engines[0] if len(engines) == 1 else None
