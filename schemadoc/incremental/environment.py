"""What makes cached results comparable: the versions of everything that shapes them."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys

from .. import __version__

FORMAT = 12  # of the cache files

_LIBRARIES = ("libcst", "sqlglot", "jinja2", "apsw")  # apsw: the SQLite that verifies


def _metadata_version(package: str) -> str:
    from importlib import metadata  # costly to import: only when the folder names do not tell

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _folder_version(package: str, names: list[str]) -> str | None:
    """The version in the one ``<package>-<version>.dist-info`` among ``names``; None when
    the package is not there; "" when its metadata is in another form (egg-info, several)."""
    mine = [n for n in names if n.lower().startswith((f"{package}-", f"{package}.egg-info"))]
    if not mine:
        return None
    if len(mine) == 1 and mine[0].endswith(".dist-info"):
        return mine[0][len(package) + 1 : -len(".dist-info")]
    return ""


def _version(package: str) -> str:
    """The installed version, as ``importlib.metadata`` finds it (first on ``sys.path``), read
    from the name of its ``.dist-info`` folder when it has one."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found = _folder_version(package, names)
        if found is not None:
            return found or _metadata_version(package)
    return _metadata_version(package)


@functools.cache
def environment_key() -> str:
    """What makes cached results comparable: the versions of everything that shapes them."""
    parts = [FORMAT, __version__, sys.version_info[:2]]
    parts += [_version(p) for p in _LIBRARIES]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]
