"""What a file's extraction depends on besides its own text, kept with its cached result:
the other files it read, the modules it looked for in vain and the classes whose subclasses it
looked for; and whether changed files affect that. Nothing here imports libcst."""

from __future__ import annotations

from collections.abc import Iterable

MISSING_MODULE = "?"  # before a dotted module name: looked for, not found (a file added may be it)
SUBCLASSES_OF = "^"  # before a class name: its subclasses were looked for (one may be added)


def module_name(display: str) -> tuple[str, bool]:
    """Dotted module name for a display path, and whether it is a package ``__init__``."""
    parts = display.removesuffix(".py").removesuffix(".pyi").split("/")
    parts = [p for p in parts if p not in ("", ".", "..")]
    if parts and parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def module_names(display: str) -> list[str]:
    """The dotted names an import may reach a file by: its module name and every ending of it
    (``app/db/models.py``: ``app.db.models``, ``db.models``, ``models``)."""
    if not display.endswith((".py", ".pyi")):
        return []
    parts = module_name(display)[0].split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def reached(changed: set[str]) -> set[str]:
    """What changed files (display paths) stand for among ``deps``: themselves, and the
    modules they are, which a result may have looked for in vain."""
    return changed | {MISSING_MODULE + m for display in changed for m in module_names(display)}


def affected(
    deps: Iterable[str], holders: Iterable[str], changed: set[str], changed_words: set[bytes]
) -> bool:
    """Whether changed files (``changed``, as ``reached`` gives them; ``changed_words``, the
    names their code uses) may change a result with these ``deps``, holding DDL in the classes
    and functions ``holders``: it read one of them or looked for a module one of them is, or
    one of them uses a holder (a new call site, a new subclass) or a class it looked for
    subclasses of."""
    deps = set(deps)
    if deps & changed:
        return True
    names = {d[1:] for d in deps if d.startswith(SUBCLASSES_OF)} | set(holders)
    return any(name.encode() in changed_words for name in names)
