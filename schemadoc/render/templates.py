"""Markdown and Mermaid output through Jinja2 templates.

Templates are looked up by name, first in an optional user folder (a template there replaces
the built-in one of the same name), then in the built-in ``templates`` folder.

Entry templates: ``markdown.md.j2`` (``--format markdown``) and ``mermaid.mmd.j2``
(``--format mermaid``). ``markdown.md.j2`` includes ``table.md.j2`` (once per table),
``view.md.j2``, ``trigger.md.j2`` and ``diagrams.md.j2``.

Context of every template:

``schema``
    the :class:`~schemadoc.model.schema.Schema` as scanned.
``settings``
    the :class:`~schemadoc.config.Settings` (``title``, ``intro``, ``command``,
    ``database_location`` ...).
``tables``
    :class:`~.context.TableDoc` per table, sorted by ASCII-folded name, then name.
``views``, ``triggers``
    the schema's views and triggers, sorted the same way.
``diagrams``
    :class:`~schemadoc.render.mermaid.DiagramSet`: ``diagrams.diagrams`` (each a
    :class:`~schemadoc.render.mermaid.Diagram` with ``text``, ``tables``, ``stubs``, ``group``,
    ``part``, ``parts``, ``unrelated``), ``split``, ``has_parts``, ``has_unrelated``,
    ``limit``, ``full_size``.
``mermaid``
    the whole schema as one Mermaid ER diagram (no fences), however large.
``max_text_size``
    Mermaid's default ``maxTextSize`` (50000).
``heading_level``
    the level of a table's heading in ``table.md.j2`` (3; 1 in a ``--split`` table document).
``not_documented``
    the diagnostics of what the code holds and the document lacks (a statement SQLite
    rejected, one built at run time, a file that could not be read...), by place.

``--split`` renders ``split-index.md.j2`` (also sees ``files``: table name -> file name, and
``index``: the index file's name) and ``split-table.md.j2`` per table (also ``table``,
``related``: (table name, file name) pairs, ``files``, ``index``; ``diagrams`` and ``mermaid``
draw the table and its direct neighbours only).

``table.md.j2`` also sees ``table`` (the current :class:`~.context.TableDoc`: ``name``,
``description``, ``sources``, ``primary_key``, ``columns`` (:class:`~.context.ColumnDoc`:
``name``, ``type``, ``constraints`` ("" when none), ``references`` ((table, column) pairs),
``description``, ``column``), ``indexes`` (no ``sqlite_autoindex_*``),
``unique_constraints``, ``foreign_keys``, ``checks``, ``triggers``, ``references`` and
``referenced_by`` (relations), ``has_descriptions``, ``has_references``, ``options``,
``table``); ``view.md.j2`` sees ``view`` and ``trigger.md.j2`` sees ``trigger`` (model
objects).

``settings.title`` and ``settings.intro`` are the project's own Markdown and are not escaped.

Filters (the environment does not autoescape; escape every user-controlled value):

``md``          prose as Markdown: one line, HTML and Markdown syntax neutralised, ``|``
                escaped; safe at the start of a paragraph.
``md_sql``      SQL text or a name inline (readable ``_`` and brackets); not at a
                paragraph start.
``code``        an inline code span that survives backticks in the value.
``cell_code``   ``code`` for a table cell (``|`` escaped as GFM tables require).
``code_list``   values as code spans joined by ``, `` (``cell=true`` for a table cell).
``fence``       a fenced code block: ``{{ sql | fence("sql") }}``.
``sql_block``   statement text re-indented for a code block.
``thousands``   ``50000`` -> ``50,000``.
``source``      a :class:`~schemadoc.model.schema.Source` as ``path:line`` (plain text).
``reference``   a ``(table, column)`` pair as code spans (``cell=true`` in a table).
``fk_target``   a foreign key's parent as ```table` (`a`, `b`)``.
``relation``    a relation as Markdown: child columns -> parent columns, kind, cardinality.

A template error (syntax, undefined name, an exception while rendering) is raised by
``render_template`` and ``render_named`` as :class:`TemplateFailure`, whose message names the
template file and line.

Globals: ``source_text(source)``; ``relation_text(relation)`` -> ``many-to-one, optional``
and the like; ``mermaid_max_text_size``.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

import schemadoc

from ..config import Settings
from ..discover.project import MAX_TEMPLATE_BYTES, confine, read_inside, shown
from ..model.errors import UserError
from ..model.schema import (
    ForeignKey,
    Relation,
    Schema,
    Source,
)
from .context import context
from .mermaid import MAX_TEXT_SIZE

ENTRY_TEMPLATES = {"markdown": "markdown.md.j2", "mermaid": "mermaid.mmd.j2"}


# --- Markdown escaping -------------------------------------------------------------------

_MD_ESCAPES = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "|": "\\|",
    "~": "\\~",
    "$": "\\$",
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
}
# In SQL text ">" stays as is: with "<" escaped it cannot form HTML, and mid-line it
# cannot start a quote.
_SQL_ESCAPES = {k: v for k, v in _MD_ESCAPES.items() if k not in "_[]>"}
_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_LINK_BRACKET = re.compile(r"\](?=[(\[:])|\[(?=\^)|^\[")
_BLOCK_START = re.compile(r"([#+=-]|\d+[.)])")
_LINE_SPACE = re.compile(r"[\t\n\r\v\f]")


def one_line(text: str) -> str:
    """Whitespace runs (newlines too) as one space; control characters dropped."""
    text = str(text)
    if not text.isprintable():  # the common cases first: all printable, or but line breaks
        text = _LINE_SPACE.sub(" ", text)
        if not text.isprintable():
            text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def md(text: object) -> str:
    """Prose (descriptions) as Markdown that shows as written and formats nothing.

    One line; HTML, emphasis, links, code and ``|`` neutralised; safe at the start of a
    paragraph (no heading or list), in a list item and in a table cell.
    """
    value = "".join(_MD_ESCAPES.get(ch, ch) for ch in one_line(str(text)))
    match = _BLOCK_START.match(value)
    if match:  # would start a heading, a list or a setext underline
        token = match.group(1)
        value = value[: len(token) - 1] + "\\" + value[len(token) - 1 :]
    return value


def md_sql(text: object) -> str:
    """SQL text or a name inline (constraints, index definitions, CHECKs).

    Like ``md`` but keeps SQL readable in the Markdown source: ``_`` is escaped only where
    it could start or end emphasis, brackets only where they could form a link. Not for the
    start of a paragraph.
    """
    value = "".join(_SQL_ESCAPES.get(ch, ch) for ch in one_line(str(text)))
    value = _LONE_UNDERSCORE.sub(r"\\_", value)
    return _LINK_BRACKET.sub(lambda m: "\\" + m.group(0), value)


def code(text: object, cell: bool = False) -> str:
    """An inline code span showing ``text`` literally (on one line)."""
    value = one_line(str(text))
    if cell:
        value = value.replace("|", "\\|")
    if not value:
        return '`""`'
    runs = [len(r) for r in re.findall(r"`+", value)]
    fence = "`" * (max(runs, default=0) + 1)
    if value[0] == "`" or value[-1] == "`":
        value = f" {value} "
    return f"{fence}{value}{fence}"


def cell_code(text: object) -> str:
    return code(text, cell=True)


def code_list(values: Iterable[object], cell: bool = False) -> str:
    return ", ".join(code(v, cell) for v in values)


def fence(text: str, lang: str = "") -> str:
    """A fenced code block holding ``text`` verbatim."""
    runs = [len(r) for r in re.findall(r"^[ ]{0,3}(`{3,})", text, flags=re.M)]
    marker = "`" * max(3, max(runs, default=0) + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{marker}{lang}\n{body}{marker}"


def sql_block(sql: str) -> str:
    """A statement as stored by SQLite, its continuation lines dedented."""
    first, _, rest = sql.strip("\n").partition("\n")
    lines = [first.rstrip(), *textwrap.dedent(rest).rstrip().splitlines()] if rest else [first]
    return "\n".join(line.rstrip() for line in lines)


def thousands(n: int) -> str:
    return f"{n:,}"


def source_text(source: Source | None) -> str:
    return f"{source.path}:{source.line}" if source else "-"


def reference(target: tuple[str, str | None], cell: bool = False) -> str:
    """A referenced column ``(table, column)`` as ```table`.`column```."""
    table, column = target
    text = code(table, cell)
    return text if column is None else f"{text}.{code(column, cell)}"


def fk_target(fk: ForeignKey) -> str:
    """The parent side of a foreign key: ```table` (`a`, `b`)``; columns left out when the
    key refers to the parent's primary key implicitly."""
    text = code(fk.ref_table)
    if any(c is None for c in fk.ref_columns):
        return text
    return f"{text} ({code_list(fk.ref_columns)})"


def relation_md(relation: Relation) -> str:
    """A relation as a list item: child columns, parent columns, kind and cardinality."""
    kind = "foreign key" if relation.kind == "declared" else "inferred from the column name"
    return (
        f"{code(relation.from_table)} ({code_list(relation.from_columns)}) → "
        f"{code(relation.to_table)} ({code_list(relation.to_columns)}): "
        f"{kind}, {relation_text(relation)}"
    )


def relation_text(relation: Relation) -> str:
    """``many-to-one`` / ``one-to-one``, plus ``optional`` when the child column is nullable."""
    op = relation.cardinality
    shape = "one-to-one" if op.endswith("|") else "many-to-one"
    return f"{shape}, optional" if op.startswith("|o") else shape


# --- Rendering ---------------------------------------------------------------------------


class TemplateFailure(UserError):
    """A template that cannot be loaded or rendered; the message names its file and line."""


def builtin_templates_dir() -> Path:
    """The shipped templates: inside the installed package, else the repository's folder."""
    package = Path(schemadoc.__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"schemadoc templates not found next to {package}")


class ProjectLoader(jinja2.BaseLoader):
    """Templates from a folder of the scanned project, which its author controls: each must
    be a regular file whose real path lies inside the project (a symbolic link to a file
    elsewhere is refused), and is read up to ``MAX_TEMPLATE_BYTES``."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder, self.root = folder, root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*split_template_path(template))
        try:
            data = read_inside(path, self.root, MAX_TEMPLATE_BYTES)
        except (OSError, UserError) as exc:
            raise TemplateFailure(f"{shown(path)}: template not read: {exc}") from exc
        if data is None:
            raise jinja2.TemplateNotFound(template)
        try:
            return data.decode("utf-8"), str(path), lambda: True
        except UnicodeDecodeError as exc:
            raise TemplateFailure(f"{shown(path)}: template is not UTF-8: {exc}") from exc


def environment(templates_dir: Path | None = None, root: Path | None = None) -> jinja2.Environment:
    """The Jinja environment, sandboxed (a template may be the scanned project's, and must
    not reach Python): the project's templates (if any, read from inside ``root``) shadow
    the built-in ones by name."""
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        if not Path(templates_dir).is_dir():
            raise TemplateFailure(f"{shown(templates_dir)}: templates folder not found")
        loaders.append(ProjectLoader(Path(templates_dir), root or Path(templates_dir)))
    loaders.append(jinja2.FileSystemLoader(str(builtin_templates_dir())))
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        md=md,
        md_sql=md_sql,
        code=code,
        cell_code=cell_code,
        code_list=code_list,
        fence=fence,
        sql_block=sql_block,
        thousands=thousands,
        source=source_text,
        reference=reference,
        fk_target=fk_target,
        relation=relation_md,
    )
    env.globals.update(
        source_text=source_text,
        relation_text=relation_text,
        mermaid_max_text_size=MAX_TEXT_SIZE,
    )
    return env


def _where(exc: BaseException) -> str:
    """``file:line`` of the innermost template frame of ``exc``'s traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{shown(exc.filename or exc.name or '<template>')}:{exc.lineno}"
    where = "<template>"
    tb = exc.__traceback__
    while tb is not None:
        # Jinja rewrites template frames to point at the template file and line.
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            where = f"{shown(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _failure(exc: Exception) -> TemplateFailure:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        kind = "template syntax error"
    elif isinstance(exc, jinja2.UndefinedError):
        kind = "undefined in template"
    elif isinstance(exc, jinja2.TemplateNotFound):
        kind = "template not found"
    else:
        kind = f"template failed: {type(exc).__name__}"
    message = exc.message if isinstance(exc, jinja2.TemplateError) else str(exc)
    return TemplateFailure(f"{_where(exc)}: {kind}: {message}")


def render_named(
    name: str,
    values: dict[str, object],
    templates_dir: Path | None = None,
    root: Path | None = None,
) -> str:
    """Template ``name`` rendered with ``values``; ends in exactly one newline.

    Raises :class:`TemplateFailure` (file and line in the message) for any template error.
    """
    env = environment(templates_dir, root)
    try:
        text = env.get_template(name).render(values)
    except Exception as exc:  # a user template may fail in any way; say where
        raise _failure(exc) from exc
    return text.rstrip("\n") + "\n"


def templates_dir_of(settings: Settings) -> Path | None:
    """The project's templates folder of ``settings`` (relative to its root), if any: it must
    lie inside the project."""
    if not settings.templates:
        return None
    return confine(
        "templates", Path(settings.root) / settings.templates, settings.root, kind="folder"
    )


def render_with(
    schema: Schema,
    settings: Settings,
    *,
    templates_dir: Path | None = None,
    template: str | None = None,
    root: Path | None = None,
) -> str:
    """Render ``template`` (default: the entry template of ``settings.format``); templates
    in ``templates_dir`` are read from inside ``root`` (default: that folder).

    Template errors propagate as Jinja raises them (``render_template`` locates them).
    """
    name = template or ENTRY_TEMPLATES.get(settings.format)
    if name is None:
        raise ValueError(f"no template for format {settings.format!r}")
    env = environment(templates_dir, root)
    text = env.get_template(name).render(context(schema, settings))
    return text.rstrip("\n") + "\n"


def render_many(jobs: list[tuple[str, dict[str, object]]], settings: Settings) -> list[str]:
    """Each ``(template name, values)`` rendered; with the project's templates (those of
    ``settings.templates``), in a process of their own (see ``template_process``).

    Raises :class:`TemplateFailure` (file and line in the message) for any template error.
    """
    templates_dir = templates_dir_of(settings)
    if templates_dir is None:
        return [render_named(name, values) for name, values in jobs]
    from .isolated import render_isolated

    return render_isolated(jobs, templates_dir, Path(settings.root))


def render_template(schema: Schema, settings: Settings) -> str:
    """The Markdown or Mermaid document for ``settings.format``; templates in
    ``settings.templates`` replace the built-in ones of the same name.

    Raises :class:`TemplateFailure` (file and line in the message) for any template error.
    """
    name = ENTRY_TEMPLATES.get(settings.format)
    if name is None:
        raise ValueError(f"no template for format {settings.format!r}")
    return render_many([(name, context(schema, settings))], settings)[0]


__all__ = [
    "ENTRY_TEMPLATES",
    "TemplateFailure",
    "builtin_templates_dir",
    "code",
    "environment",
    "fence",
    "md",
    "render_many",
    "render_named",
    "render_template",
    "render_with",
    "shown",
    "templates_dir_of",
]
