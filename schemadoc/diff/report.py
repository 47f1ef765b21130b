"""Two schemas compared shown as text, Markdown (with a Mermaid diagram of the touched tables)
or JSON."""

from __future__ import annotations

import json

from ..model.schema import Column, Source, Table, ascii_fold, sql_name
from .changes import (
    ACTIONS,
    ADDED,
    ARROW,
    CHANGED,
    DIAGRAM_TABLES,
    REMOVED,
    RENAMED,
    SIGNS,
    Change,
    SchemaDiff,
)
from .compare import column_definition

_PLURALS = {"index": "indexes", "primary key": "primary keys"}

FORMATS = ("text", "markdown", "json")


def _counted(number: int, kind: str) -> str:
    return f"{number} {kind if number == 1 else _PLURALS.get(kind, kind + 's')}"


def _where(source: Source | None) -> str:
    return f"{source.path}:{source.line}" if source is not None else ""


def _place(change: Change) -> str:
    """Where a change is, on the side that has it: the new side's, else the base's."""
    if change.head is not None:
        return _where(change.head)
    return f"base {_where(change.base)}" if change.base is not None else ""


def _summary(diff: SchemaDiff) -> tuple[str, str]:
    """``N changes in M objects (a added, ...)`` and ``K may lose data ...`` (or "")."""
    counts = diff.counts()
    objects = len(diff.groups())
    parts = ", ".join(f"{counts[a]} {a}" for a in ACTIONS if counts[a])
    text = f"{_counted(len(diff.changes), 'change')} in {_counted(objects, 'object')} ({parts})"
    lost = ""
    if diff.destructive:
        lost = f"{len(diff.destructive)} may lose data on an existing database"
    return text, lost


def _headline(change: Change) -> str:
    """A change in a few words: ``column email TEXT NOT NULL``, ``index ix: UNIQUE added``."""
    if change.kind == "column":
        definition = change.after if change.action != REMOVED else change.before
        if change.action in (ADDED, REMOVED):
            return f"column {definition}"
        return f"column {sql_name(change.name)}: {'; '.join(change.details)}"
    if change.kind == "primary key":
        return f"primary key: {'; '.join(change.details)}"
    if change.kind in ("index",) and change.action in (ADDED, REMOVED):
        definition = change.after if change.action == ADDED else change.before
        return definition or f"index {change.name}"
    if change.kind in ("unique constraint", "check"):
        return change.name
    text = f"{change.kind} {change.name}"
    return f"{text}: {'; '.join(change.details)}" if change.details else text


def _group_head(diff: SchemaDiff, subject: tuple[str, str], changes: list[Change]) -> Change:
    """The change that heads a group: the object's own, else a ``changed`` one made up (only
    a table's parts change without the table changing itself)."""
    kind, name = subject
    own = next((c for c in changes if c.table is None and c.kind == kind), None)
    if own is not None:
        return own
    table = diff.head.table(name)
    return Change(CHANGED, kind, name, head=table.source if table else None)


def render_text(diff: SchemaDiff) -> str:
    """The changes for a terminal: one line each, grouped by object, reasons marked ``!``."""
    lines = [f"Schema changes from {diff.base_label} to {diff.head_label}:"]
    if not diff.changes:
        return f"No schema changes from {diff.base_label} to {diff.head_label}.\n"
    lines.append("")
    for subject, changes in diff.groups():
        head = _group_head(diff, subject, changes)
        where = _place(head)
        title = f"{SIGNS[head.action]} {subject[0]} {subject[1]}"
        if head.details:
            title += f": {'; '.join(head.details)}"
        lines.append(f"{title}  ({where})" if where else title)
        if head.destructive:
            lines.append(f"    ! may lose data: {head.destructive}")
        for change in changes:
            if change is head:
                continue
            line = f"    {SIGNS[change.action]} {_headline(change)}"
            where = _place(change)
            if where and where != _place(head):
                line += f"  ({where})"
            lines.append(line)
            if change.destructive:
                lines.append(f"      ! may lose data: {change.destructive}")
    text, lost = _summary(diff)
    lines += ["", f"{text}; {lost}." if lost else f"{text}."]
    return "\n".join(lines) + "\n"


def _md_code(text: object, cell: bool = False) -> str:
    from ..render.templates import code

    return code(text, cell=cell)


def _md_place(change: Change, cell: bool = False) -> str:
    if change.head is not None:
        return _md_code(_where(change.head), cell)
    return f"base {_md_code(_where(change.base), cell)}" if change.base is not None else ""


def _group_summary(head: Change, changes: list[Change]) -> str:
    """What happened to an object, for the short table: ``added``, or ``2 columns added, 1
    index removed``."""
    from ..render.templates import md

    counts: dict[tuple[str, str], int] = {}
    for change in changes:
        if change is not head:
            counts[(change.kind, change.action)] = counts.get((change.kind, change.action), 0) + 1
    parts = []
    if head.action != CHANGED or head.details:
        own = head.action
        if head.action == RENAMED:
            own = f"renamed from {_md_code(head.before, cell=True)}"
        elif head.details:
            own = "; ".join(md(d) for d in head.details)
        parts.append(own)
    parts += [f"{_counted(n, kind)} {action}" for (kind, action), n in counts.items()]
    text = ", ".join(parts) or head.action
    return text + " ⚠️" if any(c.destructive for c in changes) else text


def render_markdown(diff: SchemaDiff) -> str:
    """The changes for a pull-request comment: a short table, the details, and a Mermaid ER
    diagram of the tables touched (their changed parts marked)."""
    from ..render.templates import fence, md

    out = ["## Schema changes", ""]
    base, head = md(diff.base_label), md(diff.head_label)
    if not diff.changes:
        out.append(f"No schema changes from {base} to {head}.")
        return "\n".join(out) + "\n"
    text, lost = _summary(diff)
    line = f"From {base} to {head}: {text}" + (f"; **⚠️ {lost}**." if lost else ".")
    out += [line, "", "| Object | Change | Where |", "| --- | --- | --- |"]
    groups = diff.groups()
    for subject, changes in groups:
        lead = _group_head(diff, subject, changes)
        out.append(
            f"| {subject[0]} {_md_code(subject[1], cell=True)} | "
            f"{_group_summary(lead, changes)} | {_md_place(lead, cell=True)} |"
        )
    out += ["", "### Details", ""]
    for subject, changes in groups:
        lead = _group_head(diff, subject, changes)
        where = _md_place(lead)
        out.append(
            f"**{subject[0]} {_md_code(subject[1])}** ({lead.action}{', ' if where else ''}{where})"
        )
        out.append("")
        items = []
        if lead.details:
            items.append("; ".join(md(d) for d in lead.details))
        if lead.destructive:
            items.append(f"⚠️ may lose data: {md(lead.destructive)}")
        items += _definitions(diff, subject, lead)
        for change in changes:
            if change is lead:
                continue
            text = f"{change.action} {_md_headline(change)}"
            where = _md_place(change)
            if where and where != _md_place(lead):
                text += f" ({where})"
            if change.destructive:
                text += f" ⚠️ may lose data: {md(change.destructive)}"
            items.append(text)
        out += [f"- {item}" for item in items] or ["- (no details)"]
        out.append("")
    diagram = mermaid_diagram(diff)
    if diagram:
        out += ["### Diagram", "", fence(diagram, "mermaid").rstrip("\n"), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _definitions(diff: SchemaDiff, subject: tuple[str, str], lead: Change) -> list[str]:
    """The definition of an object added or removed whole (a table's columns, a view's or
    trigger's SQL), or both definitions of a changed view or trigger."""
    kind, name = subject
    if kind == "table" and lead.action in (ADDED, REMOVED):
        table = (diff.head if lead.action == ADDED else diff.base).table(name)
        if table is not None:
            columns = ", ".join(_md_code(column_definition(c, table)) for c in table.columns)
            return [f"columns: {columns}"]
    elif kind != "table" and lead.action in (ADDED, REMOVED):
        return [f"definition: {_md_code(lead.after or lead.before)}"]
    elif kind != "table":
        return [f"before: {_md_code(lead.before)}", f"after: {_md_code(lead.after)}"]
    return []


def _md_headline(change: Change) -> str:
    from ..render.templates import md

    if change.kind == "column":
        if change.action in (ADDED, REMOVED):
            return f"column {_md_code(change.after if change.action == ADDED else change.before)}"
        return f"column {_md_code(change.name)}: " + "; ".join(md(d) for d in change.details)
    if change.kind == "primary key":
        return f"primary key {_md_code(change.before)} {ARROW} {_md_code(change.after)}"
    if change.kind == "index" and change.action in (ADDED, REMOVED):
        return f"index {_md_code(change.after if change.action == ADDED else change.before)}"
    text = f"{change.kind} {_md_code(change.name)}"
    return f"{text}: " + "; ".join(md(d) for d in change.details) if change.details else text


def mermaid_diagram(diff: SchemaDiff) -> str:
    """An ER diagram of the tables the changes touch: each labelled with what happened to it,
    each changed column with a comment (``added``, ``removed``, ``changed: ...``)."""
    from ..render.mermaid import attribute_name, attribute_type, entity_ids, escape_text, quoted

    touched: dict[str, tuple[Change, Table]] = {}  # name: (its change, the table drawn)
    for subject, changes in diff.groups():
        if subject[0] != "table":
            continue
        lead = _group_head(diff, subject, changes)
        table = (diff.base if lead.action == REMOVED else diff.head).table(subject[1])
        if table is not None:
            touched[table.name] = (lead, table)
    if not touched:
        return ""
    names = sorted(touched, key=ascii_fold)
    drawn, left = names[:DIAGRAM_TABLES], names[DIAGRAM_TABLES:]
    ids = entity_ids(drawn)
    lines = ["erDiagram"]
    marks = _column_marks(diff)
    for name in drawn:
        lead, table = touched[name]
        action = lead.action
        lines.append(f'    {ids[name]}["{escape_text(f"{name} ({action})")}"] {{')
        fks = {ascii_fold(c) for fk in table.foreign_keys for c in fk.columns}
        rows = [(c, marks.get((ascii_fold(name), ascii_fold(c.name)))) for c in table.columns]
        if action in (CHANGED, RENAMED):
            rows += [(c, REMOVED) for c in _removed_columns(diff, lead, name)]
        for column, mark in rows:
            line = f"        {attribute_type(column.type)} {attribute_name(column.name)}"
            keys = [
                k for k, on in (("PK", column.pk), ("FK", ascii_fold(column.name) in fks)) if on
            ]
            if keys:
                line += " " + ", ".join(keys)
            if mark and action in (CHANGED, RENAMED):
                line += f" {quoted(mark)}"
            lines.append(line)
        lines.append("    }")
    relations = [
        r
        for r in diff.head.relations
        if r.from_table in touched
        and r.to_table in touched
        and r.from_table in drawn
        and r.to_table in drawn
        and REMOVED not in (touched[r.from_table][0].action, touched[r.to_table][0].action)
    ]
    from ..render.mermaid import relation_line

    lines += [relation_line(r, ids).rstrip("\n") for r in relations]
    if left:
        lines.append(f"    %% {len(left)} more tables changed; see the details")
    return "\n".join(lines) + "\n"


def _column_marks(diff: SchemaDiff) -> dict[tuple[str, str], str]:
    """The comment of each added, changed or renamed column, by (table, column) folded."""
    marks = {}
    for change in diff.changes:
        if change.kind != "column" or change.table is None or change.action == REMOVED:
            continue
        text = change.action
        if change.details:
            text += ": " + "; ".join(change.details)
        marks[(ascii_fold(change.table), ascii_fold(change.name))] = text
    return marks


def _removed_columns(diff: SchemaDiff, lead: Change, name: str) -> list[Column]:
    """The base's columns of table ``name`` (``lead`` its change) that the head lacks."""
    before = diff.base.table(lead.before if lead.action == RENAMED and lead.before else name)
    gone = {
        ascii_fold(c.name)
        for c in diff.changes
        if c.kind == "column" and c.action == REMOVED and c.table == name
    }
    return [c for c in before.columns if ascii_fold(c.name) in gone] if before else []


def _source_json(source: Source | None) -> dict[str, object] | None:
    if source is None:
        return None
    return {"path": source.path, "line": source.line, "column": source.column}


def to_json(diff: SchemaDiff) -> dict[str, object]:
    """The changes as plain data (see ``render_json``)."""
    counts = diff.counts()
    return {
        "base": {"commit": diff.base_commit, "label": diff.base_label},
        "head": {"commit": diff.head_commit, "label": diff.head_label},
        "changed": bool(diff.changes),
        "destructive": bool(diff.destructive),
        "summary": {**counts, "changes": len(diff.changes), "destructive": len(diff.destructive)},
        "changes": [
            {
                "action": c.action,
                "kind": c.kind,
                "name": c.name,
                "table": c.table,
                "details": list(c.details),
                "before": c.before,
                "after": c.after,
                "base": _source_json(c.base),
                "head": _source_json(c.head),
                "destructive": c.destructive,
            }
            for c in diff.changes
        ],
    }


def render_json(diff: SchemaDiff) -> str:
    """JSON with sorted keys; changes in the order of the other formats."""
    return json.dumps(to_json(diff), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render(diff: SchemaDiff, fmt: str = "text") -> str:
    if fmt == "markdown":
        return render_markdown(diff)
    if fmt == "json":
        return render_json(diff)
    return render_text(diff)
