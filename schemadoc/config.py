"""Settings: ``[tool.schemadoc]`` in pyproject.toml, merged once with command-line options."""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .discover.project import TooLarge, read_bounded
from .model.errors import UserError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FORMATS = ("markdown", "mermaid", "json", "sql", "tbls")
DEFAULT_COMMAND = "schemadoc generate"


class ConfigError(UserError):
    """A bad configuration file or value; the message names the file and key."""


@dataclass(frozen=True)
class Database:
    """``[tool.schemadoc.databases.NAME]``: a database of its own, made by the DDL of the
    files its ``paths`` name (folders, files or globs, relative to the project root)."""

    name: str
    paths: tuple[str, ...]
    title: str | None = None
    output: str | None = None  # its own document; else a section of the main one

    def holds(self, path: str) -> bool:
        """Whether the file ``path`` (relative to the project root) is this database's."""
        return any(
            path == p or path.startswith(p.rstrip("/") + "/") or fnmatch.fnmatchcase(path, p)
            for p in (os.path.normpath(p).replace(os.sep, "/") for p in self.paths)
        )


def database_of(path: str, databases: tuple[Database, ...]) -> str | None:
    """The configured database the file ``path`` belongs to (the first that holds it)."""
    return next((d.name for d in databases if d.holds(path)), None)


@dataclass(frozen=True)
class Settings:
    paths: tuple[str, ...] = (".",)
    include: tuple[str, ...] = ()
    include_tests: bool = False  # also scan tests, fixtures, docs, examples and benchmarks
    exclude: tuple[str, ...] = ()
    output: str | None = None
    format: str = "markdown"
    title: str = "Database Schema Documentation"
    intro: str | None = None
    database_location: str | None = None
    infer_relations: bool = True
    strict: bool = False
    command: str = DEFAULT_COMMAND  # how to regenerate the docs (see cli.document.regenerate)
    templates: str | None = None  # folder of templates that replace built-in ones by name
    inject: str | None = None  # Markdown file whose marked block receives the doc
    inject_start: str = "<!-- schemadoc:start -->"
    inject_end: str = "<!-- schemadoc:end -->"
    split: str | None = None  # folder for one document per table plus an index
    cache: bool = True
    cache_dir: str | None = None  # default: .schemadoc_cache/ in the project root
    max_file_size: int = 1_048_576  # bytes: larger files are not analysed
    root: str = "."  # the project folder: the settings file's, else the working directory
    outputs: tuple[str, ...] = ()  # the files this run writes: never scanned
    ignore: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (path glob, codes) not reported
    diagram_max_tables: int = 12  # more tables: an overview plus a diagram per group
    groups: tuple[tuple[str, tuple[str, ...], str | None], ...] = ()  # (name, globs, description)
    databases: tuple[Database, ...] = ()  # documented apart from the main one, in this order

    def merged(self, **overrides: Any) -> Settings:
        """These settings with every override that is not None."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


_KEYS = {f.name: f for f in fields(Settings) if f.name not in ("root", "outputs", "ignore")} | {
    "lint": None,
    "ignore": None,
}
_SEQUENCES = {"paths", "include", "exclude"}
_TYPES: dict[str, type] = {
    "include_tests": bool,
    "infer_relations": bool,
    "strict": bool,
    "cache": bool,
    "max_file_size": int,
    "diagram_max_tables": int,
}
MAX_SETTINGS_BYTES = 1_048_576  # a settings file larger than this is refused


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start``."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if os.path.lexists(candidate):
            return candidate
    return None


def _check_type(path: Path, key: str, value: Any) -> Any:
    if key in _SEQUENCES:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: [tool.schemadoc] {key} must be a list of strings")
        if key == "paths" and not value:
            raise ConfigError(f"{path}: [tool.schemadoc] paths is empty: nothing to scan")
        return tuple(value)
    expected = _TYPES.get(key, str)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(
            f"{path}: [tool.schemadoc] {key} must be a {expected.__name__}, "
            f"not {type(value).__name__}"
        )
    if key == "format" and value not in FORMATS:
        raise ConfigError(f"{path}: [tool.schemadoc] format must be one of {', '.join(FORMATS)}")
    if key == "max_file_size" and value <= 0:
        raise ConfigError(f"{path}: [tool.schemadoc] max_file_size must be a positive number")
    if key == "diagram_max_tables" and value <= 0:
        raise ConfigError(f"{path}: [tool.schemadoc] diagram_max_tables must be a positive number")
    return value


def _ignore_rules(path: Path, table: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``[tool.schemadoc.ignore]``: path globs, each with the codes not reported there."""
    from .model.diagnostics import CODES

    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.schemadoc.ignore] must be a table of path globs")
    rules = []
    for glob, codes in table.items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{path}: [tool.schemadoc.ignore] {glob!r} must be a list of codes")
        unknown = sorted(set(codes) - set(CODES))
        if unknown:
            raise ConfigError(
                f"{path}: [tool.schemadoc.ignore] {glob!r}: unknown code(s) {', '.join(unknown)}"
            )
        rules.append((glob, tuple(codes)))
    return tuple(rules)


def _groups(path: Path, table: Any) -> tuple[tuple[str, tuple[str, ...], str | None], ...]:
    """``[tool.schemadoc.groups]``: named groups of tables for the diagrams, in the order
    written, each ``NAME = { tables = ["globs"], description = "..." }``."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.schemadoc.groups] must be a table of named groups")
    groups = []
    for name, group in table.items():
        where = f"{path}: [tool.schemadoc.groups] {name!r}"
        if not name.strip():
            raise ConfigError(f"{path}: [tool.schemadoc.groups] a group name is empty")
        if not isinstance(group, dict):
            raise ConfigError(
                f'{where} must be a table: {{ tables = ["..."], description = "..." }}'
            )
        unknown = sorted(set(group) - {"tables", "description"})
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
        tables = group.get("tables")
        if isinstance(tables, str):
            tables = [tables]
        if (
            not isinstance(tables, list)
            or not tables
            or not all(isinstance(t, str) for t in tables)
        ):
            raise ConfigError(f"{where}: tables must be a non-empty list of table names or globs")
        description = group.get("description")
        if description is not None and not isinstance(description, str):
            raise ConfigError(
                f"{where}: description must be a str, not {type(description).__name__}"
            )
        groups.append((name, tuple(tables), description))
    return tuple(groups)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _databases(path: Path, table: Any) -> tuple[Database, ...]:
    """``[tool.schemadoc.databases.NAME]`` tables: ``paths`` (required), ``title``,
    ``output``."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.schemadoc.databases] must be a table of databases")
    out = []
    for name, entry in table.items():
        where = f"{path}: [tool.schemadoc.databases.{name}]"
        if not _NAME.fullmatch(name) or name.lower() in ("main", "temp"):
            raise ConfigError(f"{where}: a database name is a plain word other than main or temp")
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a table with paths")
        unknown = sorted(set(entry) - {"paths", "title", "output"})
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
        paths = entry.get("paths")
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise ConfigError(f"{where}: paths must be a non-empty list of paths or globs")
        for key in ("title", "output"):
            if key in entry and not isinstance(entry[key], str):
                raise ConfigError(f"{where}: {key} must be a str")
        out.append(Database(name, tuple(paths), entry.get("title"), entry.get("output")))
    return tuple(out)


def _table_at(path: Path, data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """The table at ``keys`` in ``data`` (empty when absent); any other value is an error."""
    table: Any = data
    for depth, key in enumerate(keys, 1):
        table = table.get(key, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{'.'.join(keys[:depth])}] must be a table")
    return table


def load(config: Path | None = None, cwd: Path | None = None) -> tuple[Settings, dict[str, Any]]:
    """Settings from ``config`` or the nearest pyproject.toml, and the raw ``lint`` table."""
    cwd = cwd or Path.cwd()
    path = config or find_pyproject(cwd)
    if path is None:
        return Settings(), {}
    try:
        raw = read_bounded(path, MAX_SETTINGS_BYTES)
        if raw is None:
            raise ConfigError(f"{path}: settings file not found")
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, TooLarge) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if path.name == "pyproject.toml" or "tool" in data:
        table = _table_at(path, data, "tool", "schemadoc")
    else:
        table = data
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [tool.schemadoc]: {', '.join(unknown)}")
    values = {
        k: _check_type(path, k, v)
        for k, v in table.items()
        if k not in ("lint", "ignore", "groups", "databases")
    }
    values["ignore"] = _ignore_rules(path, table.get("ignore", {}))
    values["groups"] = _groups(path, table.get("groups", {}))
    values["databases"] = _databases(path, table.get("databases", {}))
    lint = table.get("lint", {})
    if not isinstance(lint, dict):
        raise ConfigError(f"{path}: [tool.schemadoc.lint] must be a table")
    return Settings(**values, root=str(path.parent)), lint


__all__ = ["FORMATS", "ConfigError", "Settings", "find_pyproject", "load"]
