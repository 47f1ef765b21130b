"""Find the SQL DDL held in the string literals of Python sources (libcst), with locations.

Scanned code is parsed, never imported or run. Every string-building expression (literals,
implicit and ``+`` concatenation, f-strings, ``.format``/``%`` templates, ``textwrap.dedent``)
is evaluated statically; names are resolved to module and class constants, instance
attributes and parameter defaults, also across modules of the scanned project. What cannot be
known stays a visible placeholder such as ``{table}``.
"""

from __future__ import annotations

import ast
import io
import re
import sqlite3
import sys
import tokenize
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..discover.source import class_lines, decode_source, outline, python_tree
from ..model.diagnostics import SD101, SD103, SD106
from ..model.schema import Diagnostic, Source
from ..pyeval.dependencies import SUBCLASSES_OF, module_name
from ..pyeval.evaluate import Position, Value, code_of, mark_templates
from ..pyeval.narrow import base_names, defined_names, mentioned, narrow
from ..pyeval.resolve import (
    Choice,
    ClassKey,
    Context,
    ModuleIndex,
    ParsedModule,
    Recording,
    Resolver,
    Var,
    VarInfo,
    identity,
)
from ..pyeval.scope import ClassInfo, FunctionScope, build_scope
from ..sql.engines import is_other, module_engine
from ..sql.statements import Templated, split_templated
from .appends import Appends
from .heap import fewer_collections, give_back
from .scratch import Scratch

# A string holds DDL when a statement starts with one of these (after comments and ``;``).
# Between two words of a statement: spaces or SQL comments (``CREATE TABLE version -- v1``).
_SPACE = r"(?:\s|--[^\n]*+|/\*(?:[^*]|\*(?!/))*+\*/)"
_GAP = rf"{_SPACE}++"
_GAP0 = rf"{_SPACE}*+"
DDL_START = re.compile(
    rf"(?:CREATE{_GAP}(?:(?:TEMP|TEMPORARY){_GAP})?(?:UNIQUE{_GAP})?(?:VIRTUAL{_GAP})?"
    rf"(?:TABLE|INDEX|VIEW|TRIGGER)|ALTER{_GAP}TABLE|DROP{_GAP}(?:TABLE|INDEX|VIEW|TRIGGER))\b",
    re.IGNORECASE,
)
_NAME = r"""(?:"(?:[^"]|"")*"|'(?:[^']|'')*'|`[^`]*`|\[[^\]]*\]|[^\s(;,'"`\[]+)"""
_QUALIFIED = rf"(?:IF{_GAP}(?:NOT{_GAP})?EXISTS{_GAP})?{_NAME}(?:{_GAP0}\.{_GAP0}{_NAME})?"
_FOLLOWS = re.compile(
    rf"CREATE{_GAP}(?:(?:TEMP|TEMPORARY){_GAP})?(?:"
    rf"VIRTUAL{_GAP}TABLE{_GAP}{_QUALIFIED}{_GAP0}USING\b"
    rf"|TABLE{_GAP}{_QUALIFIED}{_GAP0}(?:\(|AS\b|$|;)"
    rf"|(?:UNIQUE{_GAP})?INDEX{_GAP}{_QUALIFIED}{_GAP0}ON\b"
    rf"|VIEW{_GAP}{_QUALIFIED}{_GAP0}(?:\(|AS\b)"
    rf"|TRIGGER{_GAP}{_QUALIFIED}{_GAP0}(?:BEFORE|AFTER|INSTEAD|INSERT|UPDATE|DELETE|ON)\b)"
    rf"|ALTER{_GAP}TABLE{_GAP}{_QUALIFIED}{_GAP0}(?:ADD|RENAME|DROP|ALTER)\b"
    rf"|DROP{_GAP}(?:TABLE|INDEX|VIEW|TRIGGER){_GAP}{_QUALIFIED}"
    rf"(?:{_GAP0}(?:$|;)|\s*(?:--|/\*))",
    re.IGNORECASE,
)
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|;)*", re.DOTALL)
_STATEMENT_BREAK = re.compile(r";(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
_MESSAGE_CALLS = frozenset(
    {
        "debug",
        "info",
        "warning",
        "warn",
        "error",
        "exception",
        "critical",
        "log",
        "print",
        "echo",
        "secho",
        "fail",
        "skip",
        "gettext",
        "_",
    }
)

# Keyword arguments that take prose: ``click.option(help="Alter table to add columns")``.
_PROSE_KEYWORDS = frozenset(
    {"help", "short_help", "description", "epilog", "usage", "summary", "msg", "message"}
)


def _shaped(text: str, start: int) -> bool:
    """Whether a statement that starts at ``start`` is DDL, not prose that begins like it."""
    m = DDL_START.match(text, start)
    return m is not None and _FOLLOWS.match(text, m.start()) is not None


def _begins_ddl(text: str) -> bool:
    """Whether ``text`` begins with the keywords of a DDL statement (the rest may be in the
    strings that follow it)."""
    lead = _LEADING.match(text)
    return DDL_START.match(text, lead.end() if lead else 0) is not None


def holds_ddl(text: str) -> bool:
    """Whether a statement of ``text`` is DDL: keywords first, then a name and what follows
    a name in that statement ("Create table backups now?" is not)."""
    lead = _LEADING.match(text)
    if lead and _shaped(text, lead.end()):
        return True
    return any(_shaped(text, m.end()) for m in _STATEMENT_BREAK.finditer(text))


@dataclass(frozen=True)
class Fragment:
    """A DDL-bearing string found in a file."""

    value: Value
    path: str
    function: str | None  # qualified name of the enclosing function, if any

    def source_at(self, offset: int) -> Source:
        pos = self.value.position_at(offset) or (self.path, 1, 0)
        return Source(pos[0] or self.path, pos[1], pos[2])

    @cached_property
    def split(self) -> tuple[Templated, ...]:
        """The statements of the fragment's text, its placeholders made identifiers."""
        spans, offset = [], 0
        for piece in self.value.pieces:
            if piece.placeholder:
                spans.append((offset, offset + len(piece.text)))
            offset += len(piece.text)
        return tuple(split_templated(self.value.text, spans))

    def with_split(self, split: tuple[Templated, ...]) -> Fragment:
        """The fragment, its statements already known (as a cache kept them)."""
        self.__dict__["split"] = split
        return self

    @property
    def start(self) -> Source:
        return self.source_at(0)


class _FieldOrder(cst.CSTVisitor):
    """Records the fields a node visits its children from, without going below them."""

    def __init__(self) -> None:
        self.fields: list[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        pass

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.fields.append(attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass


_FIELDS: dict[type, tuple[str, ...]] = {}
_HOOKS: dict[tuple[type, type], tuple[Callable | None, Callable | None]] = {}


def _fields(node: cst.CSTNode) -> tuple[str, ...]:
    """The fields of a node's class in the order libcst visits them (its source order).

    Learnt once per class from libcst itself; a field that class visits only when it is set
    (an f-string field's format spec) comes last, as libcst visits it.
    """
    kind = type(node)
    order = _FIELDS.get(kind)
    if order is None:
        recorder = _FieldOrder()
        node._visit_and_replace_children(recorder)
        seen = list(dict.fromkeys(recorder.fields))
        rest = [f.name for f in fields(node) if f.name not in seen]
        order = _FIELDS[kind] = (*seen, *rest)
    return order


def _hooks(visitor: type, kind: type) -> tuple[Callable | None, Callable | None]:
    """The ``visit_X``/``leave_X`` methods a visitor class defines for a node class."""
    key = (visitor, kind)
    if key not in _HOOKS:
        found = []
        for prefix in ("visit_", "leave_"):
            name = prefix + kind.__name__
            method = getattr(visitor, name, None)
            found.append(None if method is getattr(cst.CSTVisitor, name, None) else method)
        _HOOKS[key] = (found[0], found[1])
    return _HOOKS[key]


def walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a visitor of ``visit_X``/``leave_X`` methods, without
    libcst's rebuilding of every node it passes: the same calls, in the same order."""
    visit, leave = _hooks(type(visitor), type(node))
    if visit is None or visit(visitor, node) is not False:
        for name in _fields(node):
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                walk(value, visitor)
            elif isinstance(value, tuple | list):
                for item in value:
                    if isinstance(item, cst.CSTNode):
                        walk(item, visitor)
    if leave is not None:
        leave(visitor, node)


class _StringLeaves(cst.CSTVisitor):
    """String tokens in source order: simple strings and whole f-strings."""

    def __init__(self) -> None:
        self.leaves: list[cst.CSTNode] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        self.leaves.append(node)
        return False

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        self.leaves.append(node)
        return False


def _token_starts(text: str) -> list[tuple[int, int, str]] | None:
    """Start of every top-level string token (1-based line, 0-based column, text prefix)."""
    starts: list[tuple[int, int, str]] = []
    depth = 0
    fstart = getattr(tokenize, "FSTRING_START", -1)
    fend = getattr(tokenize, "FSTRING_END", -1)
    tstart = getattr(tokenize, "TSTRING_START", -2)
    tend = getattr(tokenize, "TSTRING_END", -2)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (fstart, tstart):
                if depth == 0:
                    starts.append((tok.start[0], tok.start[1], tok.string))
                depth += 1
            elif tok.type in (fend, tend):
                depth -= 1
            elif tok.type == tokenize.STRING and depth == 0:
                starts.append((tok.start[0], tok.start[1], tok.string))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return starts


def string_positions(module: cst.Module, text: str, path: str) -> dict[cst.CSTNode, Position]:
    """Positions of string nodes from the tokenizer, which is far cheaper than libcst metadata.

    Falls back to libcst's PositionProvider when the two disagree.
    """
    leaves = _StringLeaves()
    walk(module, leaves)
    starts = _token_starts(text)
    if starts is not None and len(starts) == len(leaves.leaves):
        pairs = list(zip(leaves.leaves, starts, strict=True))
        if all(_same_start(node, tok) for node, (_, _, tok) in pairs):
            return {node: (path, line, col) for node, (line, col, _) in pairs}
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return {n: (path, positions[n].start.line, positions[n].start.column) for n in leaves.leaves}


class StringPositions:
    """Where string literals start. Most literals are told apart by their text among the
    tokenizer's strings; the ordered pass over the whole tree runs only for a module where
    the same literal text occurs more than once and is asked for."""

    def __init__(self, module: cst.Module, text: str, path: str) -> None:
        self.module, self.text, self.path = module, text, path
        self._by_text: dict[str, list[tuple[int, int]]] | None = None
        self._ordered: dict[cst.CSTNode, Position] | None = None
        self._known: dict[cst.CSTNode, Position | None] = {}

    def get(self, node: cst.CSTNode) -> Position | None:
        if not isinstance(node, cst.SimpleString | cst.FormattedString):
            return None
        if node not in self._known:
            self._known[node] = self._find(node)
        return self._known[node]

    def _find(self, node: cst.SimpleString | cst.FormattedString) -> Position | None:
        if self._by_text is None:
            self._by_text = _strings_by_text(self.text)
        key = node.value if isinstance(node, cst.SimpleString) else code_of(node)
        starts = self._by_text.get(key, [])
        if len(starts) == 1:
            return (self.path, *starts[0])
        if self._ordered is None:
            self._ordered = string_positions(self.module, self.text, self.path)
        return self._ordered.get(node)


def _strings_by_text(text: str) -> dict[str, list[tuple[int, int]]]:
    """Start of each top-level string literal, by its source text."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    found: dict[str, list[tuple[int, int]]] = {}
    depth, start = 0, (0, 0)
    fstart = {getattr(tokenize, n, -1) for n in ("FSTRING_START", "TSTRING_START")}
    fend = {getattr(tokenize, n, -1) for n in ("FSTRING_END", "TSTRING_END")}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in fstart:
                if depth == 0:
                    start = tok.start
                depth += 1
            elif tok.type in fend:
                depth -= 1
                if depth == 0:
                    literal = text[
                        offsets[start[0] - 1] + start[1] : offsets[tok.end[0] - 1] + tok.end[1]
                    ]
                    found.setdefault(literal, []).append(start)
            elif tok.type == tokenize.STRING and depth == 0:
                found.setdefault(tok.string, []).append(tok.start)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}
    return found


def _same_start(node: cst.CSTNode, token: str) -> bool:
    head = node.value if isinstance(node, cst.SimpleString) else node.start  # type: ignore[attr-defined]
    return token.startswith(head[:4])


@dataclass
class Focus:
    """What libcst must see of every module: names DDL code mentions, what holds DDL, and
    the classes holding DDL with the classes deriving from them."""

    words: set[str]
    callables: set[str]
    derived: set[str]


def parse_file(
    files: dict[str, Path], focus: Focus
) -> Callable[[str, str | None], ParsedModule | None]:
    """A parser for the module index: reads (unless given the text), checks, narrows to the
    focus, parses, indexes."""

    def parse(display: str, text: str | None) -> ParsedModule | None:
        if text is None:
            try:
                data = files[display].read_bytes()
            except (OSError, KeyError):
                return None
            text, problem = decode_source(data, display)
            if text is None or problem:
                return None
        tree, problem = python_tree(text, display)
        if tree is None or problem:
            return None
        try:
            if isinstance(tree, ast.Module):
                text = narrow(text, tree, focus.words, focus.callables, focus.derived, focus.words)
                del tree  # not held while libcst parses: the parse is the run's peak of memory
                module = cst.parse_module(text)
            else:
                module = tree  # syntax newer than this Python's: libcst's tree, not narrowed
            if len(text) > _LARGE_PARSE:
                give_back()  # what the parse took besides the tree
            name, is_package = module_name(display)
            return ParsedModule(
                display,
                module,
                build_scope(module, name, is_package, display),
                StringPositions(module, text, display),
                len(text),
            )
        except (cst.ParserSyntaxError, RecursionError, MemoryError):
            return None

    return parse


@dataclass
class _Found:
    fragment: Fragment
    node: cst.BaseExpression
    context: Context
    reads: tuple[Var, ...]  # the variables read, in the order first read
    raw: tuple  # identity of the text before template markers became placeholders


class _Walker(cst.CSTVisitor):
    """Visits a module keeping track of the enclosing function and class."""

    def __init__(self, parsed: ParsedModule) -> None:
        self.parsed = parsed
        self._functions: list[FunctionScope | None] = []
        self._classes: list[ClassInfo | None] = []
        self._names: list[str] = []
        self._loops: list[cst.For] = []

    def context(self, cls: ClassInfo | None = None) -> Context:
        fn = self._functions[-1] if self._functions else None
        own = self._classes[-1] if self._classes else None
        return Context(self.parsed, fn, cls or own, tuple(self._loops))

    def visit_For(self, node: cst.For) -> None:
        self._loops.append(node)

    def leave_For(self, original_node: cst.For) -> None:
        self._loops.pop()

    @property
    def function_name(self) -> str | None:
        return ".".join(self._names) if self._functions and self._functions[-1] else None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._classes.append(self.parsed.scope.classes.get(node.name.value))
        self._functions.append(None)
        self._names.append(node.name.value)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._classes.pop()
        self._functions.pop()
        self._names.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = self.parsed.scope.functions.get(node)
        self._functions.append(scope)
        outer = self._classes[-1] if self._classes else None
        self._classes.append(scope.owner if scope and scope.owner else outer)
        self._names.append(node.name.value)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()
        self._classes.pop()
        self._names.pop()


def _docstring_of(body: cst.BaseSuite | cst.Module) -> cst.BaseExpression | None:
    statements = body.body if isinstance(body, cst.Module | cst.IndentedBlock) else ()
    if statements and isinstance(statements[0], cst.SimpleStatementLine):
        first = statements[0].body[0] if statements[0].body else None
        if isinstance(first, cst.Expr) and isinstance(
            first.value, cst.SimpleString | cst.ConcatenatedString
        ):
            return first.value
    return None


def _incomplete(text: str) -> bool:
    """Whether DDL text cannot stand alone (open parenthesis, trigger without END)."""
    return text.count("(") > text.count(")") or not sqlite3.complete_statement(text + ";")


class _Finder(_Walker):
    """Evaluates every maximal string-building expression; keeps those that hold DDL."""

    def __init__(self, parsed: ParsedModule, resolver: Resolver, subclasses: Subclasses) -> None:
        super().__init__(parsed)
        self.resolver = resolver
        self.subclasses = subclasses
        self.found: list[_Found] = []
        self._docstrings: set[int] = set()
        self._roles: list[str | None] = []  # see ``place``
        self._rollbacks: set[int] = set()  # arguments that undo a call's first argument
        self._lines: list[cst.CSTNode] = []  # the simple statement lines being visited
        self.choices: set[Choice] = set()  # made in evaluating the DDL found
        self._split_texts: set[tuple] = set()  # identities of texts the code splits, see ``_split``
        self._scratch: dict[int, frozenset[str]] = {}  # see ``_on_scratch``, by function
        imported = (module for module, _ in parsed.scope.imports.values())
        self._module_engine = module_engine(imported)

    @property
    def place(self) -> str | None:
        """Where a fragment is: its function, or outside functions the constant it is
        assigned to; the other engine its branch runs on (``if isinstance(engine,
        PostgresEngine):``); then the keyword of the argument it is passed as, or
        ``rollback`` for an argument after one that holds DDL (``step("CREATE ...",
        "DROP ...")``)."""
        engine = self._engine()
        branch = [engine] if is_other(engine) else []
        return ".".join([*self._names, *branch, *(r for r in self._roles if r)]) or None

    def _engine(self) -> str | None:
        """The engine the ``if`` tests around the statement at hand say it runs on, else the
        one the module's imports name (see ``module_engine``)."""
        if not self._lines:
            return self._module_engine
        fn = self._functions[-1] if self._functions else None
        labels = self.resolver.engine_labels(fn.node if fn is not None else self.parsed.module)
        return labels.get(id(self._lines[-1])) or self._module_engine

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self._lines.append(node)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self._lines.pop()

    def visit_SimpleStatementSuite(self, node: cst.SimpleStatementSuite) -> None:
        self._lines.append(node)

    def leave_SimpleStatementSuite(self, original_node: cst.SimpleStatementSuite) -> None:
        self._lines.pop()

    def _assigned(self, target: cst.BaseExpression | None) -> None:
        if self.function_name:
            self._roles.append(None)  # a local: the function names the place
        elif isinstance(target, cst.Name | cst.Attribute):
            self._roles.append(target.value if isinstance(target, cst.Name) else target.attr.value)
        else:
            self._roles.append(None)

    def visit_Assign(self, node: cst.Assign) -> bool:
        self._assigned(node.targets[0].target if node.targets else None)
        return not self._built_by_appends(node)

    def _built_by_appends(self, node: cst.Assign) -> bool:
        """``stmt = "CREATE TABLE t (a T"``, then ``stmt += ", b T"`` (perhaps under an
        ``if``), then ``stmt += ")"``: the statement is what the appends make of it, each
        conditional part noted as such in a comment its column's description reads. Whether
        it was kept as that."""
        fn = self._functions[-1] if self._functions else None
        target = node.targets[0].target if len(node.targets) == 1 else None
        if fn is None or not isinstance(target, cst.Name):
            return False
        ctx = self.context()
        evaluator = self.resolver.evaluator(ctx)
        if not evaluator.is_stringy(node.value):
            return False
        first = evaluator.value(node.value)
        if first is None or not holds_ddl(first.text) or not _incomplete(first.text):
            return False
        appends = Appends(target.value, node)
        fn.node.body.visit(appends)
        if appends.looped or not appends.parts:
            return False
        built = first
        for part, conditions in appends.parts:
            value = evaluator.value(part) if evaluator.is_stringy(part) else None
            if value is None:
                return False
            built = built + value
            if conditions and "," in value.text:
                said = " and ".join(conditions).replace("*/", "* /")
                built = built + Value.of(f" /* only when {said} */")
        return self._keep(built, node.value, ctx, ())

    def leave_Assign(self, original_node: cst.Assign) -> None:
        self._roles.pop()

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._assigned(node.target)

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        self._roles.pop()

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._assigned(node.target)

    def leave_AugAssign(self, original_node: cst.AugAssign) -> None:
        self._roles.pop()

    def visit_Module(self, node: cst.Module) -> None:
        doc = _docstring_of(node)
        if doc is not None:
            self._docstrings.add(id(doc))

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        super().visit_ClassDef(node)
        doc = _docstring_of(node.body)
        if doc is not None:
            self._docstrings.add(id(doc))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        super().visit_FunctionDef(node)
        doc = _docstring_of(node.body)
        if doc is not None:
            self._docstrings.add(id(doc))

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if name in _MESSAGE_CALLS or self._on_scratch(node):
            return False
        self._mark_rollbacks(node)
        self._split(node)
        return self._visit_expression(node)

    def _on_scratch(self, node: cst.Call) -> bool:
        """Whether ``node`` runs SQL on a scratch connection: one the function opens on
        ``":memory:"`` and keeps to itself (a probe of what SQLite supports), whose tables
        are no database's."""
        func = node.func
        fn = self._functions[-1] if self._functions else None
        if (
            fn is None
            or not isinstance(func, cst.Attribute)
            or func.attr.value not in ("execute", "executescript", "executemany")
            or not isinstance(func.value, cst.Name)
        ):
            return False
        if id(fn.node) not in self._scratch:
            probes = Scratch()
            fn.node.body.visit(probes)
            self._scratch[id(fn.node)] = probes.kept()
        return func.value.value in self._scratch[id(fn.node)]

    def _split(self, node: cst.Call) -> None:
        """``SQL.strip().split("\\n")`` (or ``.split(";")``, ``.splitlines()``): the code runs
        each part of the text as a statement of its own, so each part is one."""
        split = _split_call(node)
        if split is None:
            return
        base, separator = split
        trims: list[str] = []
        while (
            isinstance(base, cst.Call)
            and isinstance(base.func, cst.Attribute)
            and base.func.attr.value in _TRIMS
            and not base.args
        ):
            trims.insert(0, base.func.attr.value)
            base = base.func.value
        ctx = self.context()
        whole = self.resolver.evaluator(ctx).value(self._reaching(base, node, ctx))
        if whole is None or not holds_ddl(whole.text):
            return
        self._split_texts.add(identity(whole))
        text = whole
        for trim in trims:
            text = text.transformed(_TRIMS[trim])
        for part in text.parts(separator):
            self._keep(part, node, ctx, ())

    def _reaching(
        self, name: cst.BaseExpression, use: cst.Call, ctx: Context
    ) -> cst.BaseExpression:
        """What a local name assigned several strings holds where ``use`` reads it: the last
        of them written before it (``SQL = ...`` run, then ``SQL = ...`` again)."""
        fn = ctx.function
        if not isinstance(name, cst.Name) or fn is None or name.value not in fn.locals:
            return name
        binding = fn.locals[name.value]
        where = ctx.parsed.positions.get(use.args[0].value) if use.args else None
        if binding.loop or len(binding.exprs) < 2 or where is None:
            return name
        before = [e for e in binding.exprs if (p := ctx.parsed.positions.get(e)) and p < where]
        return before[-1] if before else name

    def leave_Module(self, original_node: cst.Module) -> None:
        """A text the code splits into statements is documented as those statements only."""
        self.found = [f for f in self.found if f.raw not in self._split_texts]

    def _mark_rollbacks(self, node: cst.Call) -> None:
        """When a call's first two arguments build strings and the first holds DDL, the
        later ones undo it: ``step(apply, rollback)``."""
        positional = [a for a in node.args if a.keyword is None and not a.star]
        if len(positional) < 2:
            return
        evaluator = self.resolver.evaluator(self.context())
        if not (
            evaluator.is_stringy(positional[0].value) and evaluator.is_stringy(positional[1].value)
        ):
            return
        first = evaluator.value(positional[0].value)
        if first is not None and holds_ddl(first.text):
            self._rollbacks.update(id(a) for a in positional[1:])

    def visit_Arg(self, node: cst.Arg) -> bool:
        keyword = node.keyword.value if node.keyword else None
        self._roles.append(keyword or ("rollback" if id(node) in self._rollbacks else None))
        return keyword not in _PROSE_KEYWORDS

    def leave_Arg(self, original_node: cst.Arg) -> None:
        self._roles.pop()

    def visit_Raise(self, node: cst.Raise) -> bool:
        return False

    def visit_Assert(self, node: cst.Assert) -> bool:
        return False

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        return self._visit_expression(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        return self._visit_expression(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        return self._visit_expression(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> bool:
        return self._visit_expression(node)

    def visit_List(self, node: cst.List) -> bool:
        return self._visit_sequence(node)

    def visit_Tuple(self, node: cst.Tuple) -> bool:
        return self._visit_sequence(node)

    def _contexts(self) -> Iterator[Context]:
        """The class context, then one per project subclass (``self.X`` dispatches), but
        only when evaluating in the class context consulted the class: else they agree."""
        base = self.context()
        before = self.resolver.dispatched
        yield base
        if base.cls is None or base.function is None or self.resolver.dispatched == before:
            return
        yield from (self.context(sub) for sub in self.subclasses(base.cls))

    def _visit_sequence(self, node: cst.List | cst.Tuple) -> bool:
        """A list of string pieces that only together make a statement (joined at run time)."""
        items = [e.value for e in node.elements if isinstance(e, cst.Element)]
        if len(items) < 2:
            return True
        ctx = self.context()
        evaluator = self.resolver.evaluator(ctx)
        if not all(evaluator.is_stringy(item) for item in items):
            return True
        first = evaluator.value(items[0])
        if first is None or not _begins_ddl(first.text):
            return True
        if holds_ddl(first.text) and not _incomplete(first.text):
            return True  # a list of statements
        values = [evaluator.value(item) for item in items]
        if any(v is None for v in values):
            return True
        joined = values[0]
        for v in values[1:]:
            joined = joined + Value.of("\n") + v
        return not self._keep(joined, node, ctx, ())

    def _visit_expression(self, node: cst.BaseExpression) -> bool:
        if id(node) in self._docstrings:
            return False
        stringy = False
        results: list[tuple[Value, Context, Recording]] = []
        for ctx in self._contexts():
            evaluator = self.resolver.evaluator(ctx)
            if not evaluator.is_stringy(node):
                continue
            stringy = True
            with self.resolver.recording() as recording:
                value = evaluator.value(node)
            if value is not None:
                results.append((value, ctx, recording))
        # A base class that leaves a name to its subclasses documents nothing of its own.
        if any(not v.placeholders for v, _, _ in results):
            results = [r for r in results if not r[0].placeholders or r[2].reads]
        elif len(results) > 1 and results[0][0].placeholders:
            base = set(results[0][0].placeholders)
            if any(set(v.placeholders) != base for v, _, _ in results[1:]):
                results = results[1:]  # the subclasses say more of it than the base does
        for value, ctx, recording in results:
            if self._keep(value, node, ctx, tuple(recording.reads)):
                self.choices |= recording.choices
        return not stringy

    def _keep(
        self, value: Value, node: cst.BaseExpression, ctx: Context, reads: tuple[Var, ...]
    ) -> bool:
        """Keep ``value`` if it holds DDL; whether it did."""
        marked = mark_templates(value)
        if not holds_ddl(marked.text):
            return False
        fragment = Fragment(marked, self.parsed.display, self.place)
        self.found.append(_Found(fragment, node, ctx, reads, identity(value)))
        return True


class _Calls(_Walker):
    """Every call in a module, by the name called (``f(...)`` or ``x.f(...)``)."""

    def __init__(self, parsed: ParsedModule) -> None:
        super().__init__(parsed)
        self.calls: dict[str, list[tuple[cst.Call, Context]]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if isinstance(name, str):
            self.calls.setdefault(name, []).append((node, self.context()))


_CALLED = re.compile(rb"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def _package(display: str) -> str:
    """The top folder of a file: call sites are looked for in the file's own package."""
    return display.split("/", 1)[0] + "/" if "/" in display else ""


_MAX_INSTANCES = 16
_SELF: Var = ("self", 0, "")  # the class of the object a call works on (see ``_instance``)
_CHAIN = 4  # calls that pass on what they were given, followed up to their callers
_RECURSION_LIMIT = 20_000
ClassLines = Callable[[str], list[list[Any]]]  # a file's ``source.class_lines``
Subclasses = Callable[[ClassInfo], list[ClassInfo]]
Assignment = dict[Var, Value]  # values of variables that go together


class _Instantiator:
    """Re-evaluates DDL built from parameters and loop variables, once per value they take."""

    def __init__(
        self,
        resolver: Resolver,
        modules: ModuleIndex,
        subclasses: Subclasses,
        tests: frozenset[str] = frozenset(),
    ) -> None:
        self.resolver = resolver
        self.modules = modules
        self.subclasses = subclasses
        self.tests = tests  # test code: its calls pass values to test code only
        self._call_index: dict[str, dict[str, list[str]]] = {}
        self._module_calls: dict[str, dict[str, list[tuple[cst.Call, Context]]]] = {}
        self._choices: dict[Var, tuple[list[Assignment], frozenset[str]]] = {}
        self._passing: set[Var] = set()  # callers whose arguments are being followed
        self._lineage: dict[str, frozenset[str]] = {}  # a class: its ancestors (see ``_agree``)

    def forget(self) -> None:
        """Drop what was learnt from parsed trees: their calls and the values they pass."""
        self._module_calls.clear()
        self._choices.clear()

    def _called(self, package: str) -> dict[str, list[str]]:
        """Files of ``package`` by the names they call, from one pass over their bytes."""
        if package not in self._call_index:
            index: dict[str, list[str]] = {}
            for display in sorted(self.modules.files):
                in_package = display.startswith(package) if package else "/" not in display
                if not in_package or not display.endswith((".py", ".pyi")):
                    continue
                try:
                    data = self.modules.files[display].read_bytes()
                except OSError:
                    continue
                for called in {m.decode() for m in _CALLED.findall(data)}:
                    index.setdefault(called, []).append(display)
            self._call_index[package] = index
        return self._call_index[package]

    def _calls_named(self, name: str, near: str) -> list[tuple[cst.Call, Context]]:
        """Calls of ``name`` in the package of the file ``near`` (not in test code, unless
        ``near`` is test code: what a test passes never replaces what production does)."""
        calls: list[tuple[cst.Call, Context]] = []
        for display in self._called(_package(near)).get(name, []):
            if display in self.tests and near not in self.tests:
                continue
            if display not in self._module_calls:
                parsed = self.modules.parsed(display)
                walker = _Calls(parsed) if parsed is not None else None
                if walker is not None:
                    walk(parsed.module, walker)  # type: ignore[union-attr]
                self._module_calls[display] = walker.calls if walker else {}
            self.modules.accessed.add(display)
            calls.extend(self._module_calls[display].get(name, []))
        return calls

    def _param_choices(self, var: Var, info: VarInfo) -> list[Assignment]:
        """What each call site passes for the parameters of ``var``'s function (their
        defaults where omitted): the parameters of one call go together."""
        fn = info.function
        if fn is None:
            return []
        constructed = fn.owner if fn.node.name.value == "__init__" else None
        if constructed is not None:
            classes = [constructed, *self.subclasses(constructed)]
            calls = [c for cls in classes for c in self._calls_named(cls.name, cls.display)]
            # ``super().__init__(...)`` and ``Base.__init__(self, ...)`` in subclasses
            inits = [c for cls in classes for c in self._calls_named("__init__", cls.display)]
            calls += {id(c[0]): c for c in inits}.values()
        else:
            calls = self._calls_named(fn.node.name.value, info.context.parsed.display)
        outer = Context(info.context.parsed, None, info.context.cls)
        defaults: dict[Var, Value] = {}
        for name, default in fn.params.items():
            got = self.resolver.value(default, outer) if default is not None else None
            if got is not None:
                defaults[("param", var[1], name)] = got
        rows: list[Assignment] = []
        for call, ctx in calls:
            skips = self._matches(call, ctx, fn.node, constructed)
            if skips is None:
                continue
            instance = self._instance(call, ctx, constructed)
            for bound in self._bound(call, fn, skips, ctx, _axis(var)):
                row = {**defaults, **{k: v for k, v in bound.items() if k[0] in ("param", "self")}}
                if instance is not None:
                    row.setdefault(_SELF, instance)  # one passed on from a subclass is nearer
                rows.append(row)
        return rows

    def _instance(
        self, call: cst.Call, ctx: Context, constructed: ClassInfo | None
    ) -> Value | None:
        """The class of the object a call works on, where the code says: the class
        constructed (``History(...)``; ``super().__init__(...)`` in it), or that of the method
        calling ``self.method(...)``. Values of different calls go together only where their
        objects can be one (see ``_agree``)."""
        func = call.func
        cls: ClassInfo | None = None
        by_self = isinstance(func, cst.Attribute) and getattr(func.value, "value", "") in (
            "self",
            "cls",
        )
        if constructed is not None:
            if isinstance(func, cst.Attribute) and func.attr.value == "__init__":
                cls = ctx.cls
            else:
                cls = self.resolver.find_class(func, ctx.parsed)
        elif by_self:
            cls = ctx.cls
        if cls is None:
            return None
        self._lineage[repr(cls.key)] = frozenset(repr(k) for k in self.resolver.ancestors(cls))
        return Value.of(repr(cls.key))

    def _bound(
        self, call: cst.Call, fn: FunctionScope, skips: bool, ctx: Context, axis: Var
    ) -> list[dict[Var, Value]]:
        """The arguments of ``call``; once per call site of the caller when they pass on
        what the caller was given (``self._create(fields)`` in an ``__init__`` that
        subclasses call with ``super().__init__(db, "History", [...])``)."""
        with self.resolver.recording() as recording:
            bound = self.resolver.bind(call, fn, skips, ctx)
        passed = [v for v in recording.reads if v[0] == "param" and _axis(v) != axis]
        outer = _axis(passed[0]) if passed else None
        if outer is None or outer in self._passing or len(self._passing) >= _CHAIN:
            return [bound]
        self._passing.add(outer)
        try:
            rows = self.choices(passed[0])
        finally:
            self._passing.discard(outer)
        out = []
        for row in rows:
            with self.resolver.bound(row):
                out.append({**row, **self.resolver.bind(call, fn, skips, ctx)})
        return out or [bound]

    def _matches(
        self, call: cst.Call, ctx: Context, node: cst.FunctionDef, constructed: ClassInfo | None
    ) -> bool | None:
        """Whether ``call`` runs ``node``; then whether it skips ``self``. None if it does not."""
        if constructed is not None:
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value == "__init__":
                return self._runs_init(func.value, ctx, constructed)
            cls = self.resolver.find_class(func, ctx.parsed)
            if cls is None or constructed.key not in self.resolver.ancestors(cls):
                return None
            return True if self._init_of(cls) in (None, constructed.key) else None
        target = self.resolver.callee(call.func, ctx)
        if target is not None and target[0] is node:
            return target[3]
        return None

    def _runs_init(
        self, owner: cst.BaseExpression, ctx: Context, constructed: ClassInfo
    ) -> bool | None:
        """Whether ``owner.__init__(...)`` in ``ctx`` runs ``constructed``'s ``__init__``:
        ``super().__init__(...)`` (skipping ``self``: True) in a subclass whose nearest base
        with an ``__init__`` is it, or ``Base.__init__(self, ...)`` (False); else None."""
        if isinstance(owner, cst.Call) and getattr(owner.func, "value", None) == "super":
            if ctx.cls is None:
                return None
            return True if self._init_of(ctx.cls, 1) == constructed.key else None
        cls = self.resolver.find_class(owner, ctx.parsed)
        return False if cls is not None and cls.key == constructed.key else None

    def _init_of(self, cls: ClassInfo, skip: int = 0) -> ClassKey | None:
        """The class whose ``__init__`` constructing ``cls`` runs (past its first ``skip``
        classes: ``super()``), if the project defines one."""
        bases = self.resolver.mro(cls)[skip:]
        return next((c.key for c in bases if "__init__" in c.methods), None)

    def _star_choices(self, info: VarInfo) -> list[Value]:
        """Every extra positional argument that call sites pass to ``*args``."""
        fn = info.function
        if fn is None:
            return []
        values: list[Value] = []
        for call, ctx in self._calls_named(fn.node.name.value, info.context.parsed.display):
            skips = self._matches(call, ctx, fn.node, None)
            if skips is None:
                continue
            bound = self.resolver.bind(call, fn, skips, ctx)
            values.extend(v for k, v in bound.items() if k[0] == "star")
        return values

    def _loop_choices(self, var: Var, info: VarInfo) -> list[Assignment]:
        """The values the variables of a ``for`` loop take, item by item: the items of a
        literal, a constant or ``*args``; with ``for a, b in``, the parts of each item (a
        literal tuple, or a key and its value in ``.items()`` of a literal dict)."""
        iterable, fn = info.iterable, info.function
        if iterable is None:
            return []
        if fn is not None and isinstance(iterable, cst.Name) and iterable.value == fn.star:
            return [{var: v} for v in self._star_choices(info)]
        where = Context(info.context.parsed, fn, info.context.cls)
        if not info.unpacked:
            items = self.resolver.sequence(iterable, where, ordered=False) or []
            values = (self.resolver.value(i, info.context) for i in items)
            return [{var: v} for v in values if v]
        parts: list[list[cst.BaseExpression]] = []
        if (
            isinstance(iterable, cst.Call)
            and isinstance(iterable.func, cst.Attribute)
            and iterable.func.attr.value == "items"
            and not iterable.args
        ):
            pairs = self.resolver.mapping(iterable.func.value, where) or []
            parts = [[key, value] for key, value in pairs]
        else:
            for item in self.resolver.sequence(iterable, where, ordered=False) or []:
                elements = self.resolver.sequence(item, where)
                if elements is not None:
                    parts.append(elements)
        rows: list[Assignment] = []
        for row in parts:
            if len(row) != len(info.unpacked):
                continue
            values = [self.resolver.value(e, info.context) for e in row]
            rows.append(
                {(var[0], var[1], n): v for n, v in zip(info.unpacked, values, strict=True) if v}
            )
        return rows

    def choices(self, var: Var) -> list[Assignment]:
        """The values a variable takes, each with those that go with it (the other arguments
        of the same call, the other parts of the same loop item); the files that tells on
        count as read again."""
        axis = _axis(var)
        if axis not in self._choices:
            self._choices[axis] = self.modules.tracked(lambda: self._assignments(var))
        rows, read = self._choices[axis]
        self.modules.accessed |= read
        return rows

    def _assignments(self, var: Var) -> list[Assignment]:
        info = self.resolver.variables.get(var)
        if info is not None and var[0] == "loop":
            return self._loop_choices(var, info)
        if info is not None:
            return self._param_choices(var, info)
        return []

    def _agree(self, one: Assignment, other: Assignment) -> bool:
        """Whether two assignments give the variables they share the same values, and work
        on objects that can be one (one's class is the other's or a subclass of it)."""
        mine, theirs = one.get(_SELF), other.get(_SELF)
        if mine is not None and theirs is not None:
            a, b = mine.text, theirs.text
            if a not in self._lineage.get(b, ()) and b not in self._lineage.get(a, ()):
                return False
        shared = (one.keys() & other.keys()) - {_SELF}
        return all(one[v].text == other[v].text for v in shared)

    def expand(self, found: _Found) -> list[Fragment]:
        """The fragment once per combination of its variables' values (or as it is). The
        parameters of one function take their values together, call site by call site, and
        the variables of one loop item by item."""
        groups: dict[Var, list[Var]] = {}
        for var in found.reads:  # in the order read: not by ``id``, which differs run to run
            groups.setdefault(_axis(var), []).append(var)
        axes: list[list[Assignment]] = []
        for reads in groups.values():
            unique: dict[tuple[tuple[Var, str], ...], Assignment] = {}
            for row in self.choices(reads[0]):
                # every argument of the call (one is read only once another is known), and
                # the values of other axes the arguments were passed on from
                taken = {v: row[v] for v in row if _axis(v) in groups or v == _SELF}
                if taken:
                    unique.setdefault(tuple((v, taken[v].text) for v in taken), taken)
            if unique:
                axes.append(list(unique.values()))
        if not axes:
            return [found.fragment]
        combos: list[Assignment] = [{}]
        for rows in axes:
            combos = [{**c, **row} for c in combos for row in rows if self._agree(c, row)]
            combos = combos[:_MAX_INSTANCES]
        out: list[Fragment] = []
        for combo in combos:
            with self.resolver.bound(combo):
                value = self.resolver.value(found.node, found.context)
            if value is None:
                continue
            value = mark_templates(value)
            if holds_ddl(value.text):
                out.append(Fragment(value, found.fragment.path, found.fragment.function))
        # Where some calls tell every value, a call that leaves one unknown adds nothing.
        if any(not f.value.placeholders for f in out):
            out = [f for f in out if not f.value.placeholders]
        return out or [found.fragment]


def _axis(var: Var) -> Var:
    """What ``var`` takes its values with: the other parameters of its function, or the
    other variables of its loop."""
    return (var[0], var[1], "")


def _last_name(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    return expr.attr.value if isinstance(expr, cst.Attribute) else ""


def class_lines_reader(files: dict[str, Path]) -> ClassLines:
    """``class_lines`` of the files, read from disk."""

    def read(display: str) -> list[list[Any]]:
        try:
            return class_lines(files[display].read_bytes())
        except (OSError, KeyError):
            return []

    return read


def _closure(start: set[str], step: Callable[[str], Iterable[str] | None]) -> set[str]:
    """``start`` and every name reached from it by ``step``, repeatedly."""
    found = set(start)
    pending = sorted(found)
    while pending:
        for reached in step(pending.pop()) or ():
            if reached not in found:
                found.add(reached)
                pending.append(reached)
    return found


def _too_complex(path: str, exc: BaseException) -> Diagnostic:
    what = "nested too deeply" if isinstance(exc, RecursionError) else "too large"
    return SD101(f"cannot analyse Python: expressions {what}", path, 1, 0)


@dataclass(frozen=True)
class Summary:
    """What Python's own parser tells of a module (cheap, cached with the file)."""

    mentions: frozenset[str]  # names DDL-bearing statements mention
    holders: frozenset[str]  # classes and functions that hold DDL
    defines: frozenset[str]  # top-level names the module binds
    bases: tuple[tuple[str, tuple[str, ...]], ...]  # (class, names of its bases)

    @property
    def holds_ddl(self) -> bool:
        """Whether the shape of a DDL statement reaches into a string literal (one in a
        comment or a docstring does not count): only then is the module extracted."""
        return bool(self.mentions)


def summarize(text: str, display: str) -> tuple[Summary | None, Diagnostic | None]:
    """The module's summary, or the diagnostic of why Python cannot parse it."""
    tree, problem = python_tree(text, display)
    if tree is None:
        return None, problem
    if not isinstance(tree, ast.Module):  # syntax newer than this Python's, read by libcst
        return Summary(*outline(tree)), None
    mentions, holders = mentioned(text, tree)
    defines = {n for node in tree.body for n in defined_names(node)}
    bases = tuple(
        (node.name, tuple(sorted(base_names(node))))
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
    )
    return Summary(frozenset(mentions), frozenset(holders), frozenset(defines), bases), None


@dataclass
class UnitResult:
    """What processing one file found, with what it depended on (for the cache)."""

    display: str
    fragments: list[Fragment]
    raws: list[tuple]  # identity of each fragment's text before templates became placeholders
    templates: list[tuple]  # templates this file formats (their definitions are not DDL)
    diagnostics: list[Diagnostic]
    deps: list[str]  # other files the results depend on, and what was looked for (see
    # ``dependencies``)
    bases: list[str]  # files of base classes, processed as units too


# A libcst tree takes about 30 bytes of memory per character of source (its parse, for a
# moment, about 400). Once the parsed modules hold more source than this, they are dropped
# before the next file and parsed again as it needs them: on the benchmark tree, about 10%
# more time for a third less peak memory.
PARSED_BUDGET = 500_000
_LARGE_PARSE = 100_000  # characters: the memory such a parse took is given back at once


class Hierarchy:
    """Subclasses of the project's classes, found from the files and parsed on demand."""

    def __init__(
        self,
        modules: ModuleIndex,
        resolver: Resolver,
        summaries: dict[str, Summary],
        class_lines: ClassLines,
        named: set[str],
    ) -> None:
        self.modules = modules
        self.resolver = resolver
        self._subclasses: dict[int, tuple[list[ClassInfo], set[str]]] = {}
        self._by_base, self.descendants, self.ancestors = self._index(summaries, class_lines, named)

    def forget(self) -> None:
        """Drop the subclasses found in parsed trees (not the index built from the files)."""
        self._subclasses.clear()

    def subclasses(self, cls: ClassInfo) -> list[ClassInfo]:
        """Project subclasses of ``cls`` (transitively). The classes searched count among
        what the current file depends on (``SUBCLASSES_OF``)."""
        if id(cls) not in self._subclasses:
            self._subclasses[id(cls)] = ([], set())
            found: list[ClassInfo] = []
            searched: set[str] = set()
            frontier = [cls]
            while frontier:
                current = frontier.pop(0)
                searched.add(SUBCLASSES_OF + current.name)
                for display, name in self._classes_naming(current):
                    parsed = self.modules.parsed(display)
                    sub = parsed.scope.classes.get(name) if parsed else None
                    if parsed is None or sub is None or any(sub is f for f in found):
                        continue
                    if self._derives(sub, parsed, current):
                        found.append(sub)
                        frontier.append(sub)
            self._subclasses[id(cls)] = (found, searched)
        found, searched = self._subclasses[id(cls)]
        self.modules.accessed |= searched
        return found

    def _derives(self, sub: ClassInfo, parsed: ParsedModule, cls: ClassInfo) -> bool:
        """Whether a base of ``sub`` (in ``parsed``) that is named like ``cls`` is ``cls`` or
        derives from it. Its other bases are left unresolved: resolving a class with many
        mixins would parse the module of every one."""
        for expr in sub.bases:
            if _last_name(expr) != cls.name:
                continue
            base = self.resolver.find_class(expr, parsed)
            if base is not None and cls.key in self.resolver.ancestors(base):
                return True
        return False

    def _classes_naming(self, cls: ClassInfo) -> list[tuple[str, str]]:
        """(file, class) of the classes whose bases name ``cls``: in its own module, in the
        DDL files, and in other modules when they derive from a class holding DDL. Found
        from the files alone, not from whichever modules happen to be parsed already."""
        found = set(self._by_base.get(cls.name, ()))
        parsed = self.modules.parsed(cls.display)
        for other in parsed.scope.classes.values() if parsed else ():
            if cls.name in {_last_name(b) for b in other.bases}:
                found.add((cls.display, other.name))
        return sorted(found)

    def _index(
        self, summaries: dict[str, Summary], class_lines: ClassLines, named: set[str]
    ) -> tuple[dict[str, set[tuple[str, str]]], set[str], set[str]]:
        """(file, class) of classes by the names in their bases: every class of the DDL files
        (from their summaries), and the classes of other modules that derive, directly or
        not, from a class holding DDL (from their class statements, ``class_lines``); the
        names of those classes holding DDL or deriving from one; and ``named`` with the names
        in the bases, repeatedly, of the project's classes so named (by name alone: any
        class of that name counts)."""
        by_base: dict[str, set[tuple[str, str]]] = {}
        bases_of: dict[str, list[str]] = {}  # every class's, read once: not kept
        for display, summary in summaries.items():
            for name, bases in summary.bases:
                bases_of.setdefault(name, []).extend(bases)
                for base in bases:
                    by_base.setdefault(base, set()).add((display, name))
        elsewhere: dict[str, set[tuple[str, str]]] = {}
        for display in sorted(self.modules.files):
            if display in summaries or not display.endswith((".py", ".pyi")):
                continue
            for name, bases in class_lines(display):
                bases_of.setdefault(name, []).extend(bases)
                for base in bases:
                    elsewhere.setdefault(base, set()).add((display, name))

        def subclasses(name: str) -> set[str]:
            return {c for _, c in elsewhere.get(name, set()) | by_base.get(name, set())}

        holders = {name for summary in summaries.values() for name in summary.holders}
        descendants = _closure(holders, subclasses)
        for base in sorted(descendants & elsewhere.keys()):
            by_base.setdefault(base, set()).update(elsewhere[base])
        return by_base, descendants, _closure(named, bases_of.get)


class Extractor:
    """Processes files one at a time over a shared, lazily parsed project."""

    def __init__(
        self,
        files: dict[str, Path],
        summaries: dict[str, Summary],
        budget: int = PARSED_BUDGET,
        class_lines: ClassLines | None = None,
        tests: frozenset[str] = frozenset(),
    ) -> None:
        """``tests``: the files that are test code (see ``_Instantiator``)."""
        self.budget = budget
        focus = Focus(set(), set(), set())
        for summary in summaries.values():
            focus.words |= summary.mentions
            focus.callables |= summary.holders
        self.modules = ModuleIndex(files, parse_file(files, focus), lambda n: n in focus.words)
        self.resolver = Resolver(self.modules)
        # What DDL code inherits can be defined in any base, named in modules it never names.
        self.hierarchy = Hierarchy(
            self.modules,
            self.resolver,
            summaries,
            class_lines or class_lines_reader(files),
            focus.words,
        )
        focus.derived = self.hierarchy.descendants
        focus.words = self.hierarchy.ancestors
        self.instantiator = _Instantiator(
            self.resolver, self.modules, self.hierarchy.subclasses, tests
        )

    def _forget_parsed(self) -> None:
        """Drop the parsed modules and all that refers to their trees; what is known from
        the files' text (module names, who calls what, class bases) stays."""
        self.modules.forget()
        self.resolver.forget()
        self.instantiator.forget()
        self.hierarchy.forget()
        code_of.cache_clear()
        give_back()

    def process_all(
        self,
        displays: list[str],
        text_of: Callable[[str], str | None] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> list[UnitResult]:
        """Process ``displays`` and the base-class files they lead to, each once, in order;
        a file's text is ``text_of`` it, else read from the file."""
        out: list[UnitResult] = []
        done: set[str] = set()
        pending = list(displays)
        with fewer_collections():
            while pending:
                display = pending.pop(0)
                if display in done:
                    continue
                done.add(display)
                unit = self.process(display, text_of(display) if text_of else None)
                out.append(unit)
                pending.extend(b for b in unit.bases if b not in done)
                if progress:
                    progress("extracted", len(done), len(done) + len(pending))
        return out

    def process(self, display: str, text: str | None = None) -> UnitResult:
        """The DDL of one file, with every name resolved across the project."""
        if self.modules.size > self.budget:
            self._forget_parsed()
        # Long concatenations nest deeply in libcst's tree; Python frames are cheap here.
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))
        try:
            return self._process(display, text)
        finally:
            sys.setrecursionlimit(limit)

    def _process(self, display: str, text: str | None) -> UnitResult:
        self.modules.accessed.clear()
        self.resolver.templates = set()
        result = UnitResult(display, [], [], [], [], [], [])
        parsed = self.modules.parsed(display, text)
        if parsed is None:
            result.diagnostics.append(SD101("cannot parse Python", display, 1, 0))
            return result
        finder = _Finder(parsed, self.resolver, self.hierarchy.subclasses)
        try:
            walk(parsed.module, finder)
            bases = {
                key[0]
                for cls in parsed.scope.classes.values()
                for key in self.resolver.ancestors(cls)[1:]
            }
        except (RecursionError, MemoryError) as exc:
            result.diagnostics.append(_too_complex(display, exc))
            return result
        for item in finder.found:
            try:
                expanded = self.instantiator.expand(item)
            except (RecursionError, MemoryError) as exc:
                result.diagnostics.append(_too_complex(item.fragment.path, exc))
                expanded = [item.fragment]
            for fragment in expanded:
                result.fragments.append(fragment)
                result.raws.append(item.raw)
        result.diagnostics.extend(_chosen(choice, display) for choice in sorted(finder.choices))
        result.templates = sorted(self.resolver.templates, key=repr)
        result.deps = sorted(self.modules.accessed - {display})
        result.bases = sorted(bases - {display})
        return result


def _chosen(choice: Choice, display: str) -> Diagnostic:
    """The warning for a name assigned different values, the first standing for them."""
    name, values = choice
    path, line, column = values[0][1] or (display, 1, 0)
    texts = ", ".join(repr(text) for text, _ in values)
    return SD106(
        f"{name} is assigned different values ({texts}); the first is documented",
        path,
        line,
        column,
    )


def merge(results: list[UnitResult]) -> tuple[list[Fragment], list[Diagnostic]]:
    """Fragments of all files, each once, without templates that are formatted elsewhere."""
    templates = {tuple(t) for r in results for t in r.templates}
    fragments: dict[tuple, Fragment] = {}
    diagnostics: list[Diagnostic] = []
    for result in sorted(results, key=lambda r: r.display):
        diagnostics.extend(result.diagnostics)
        for fragment, raw in zip(result.fragments, result.raws, strict=True):
            if tuple(raw) not in templates:
                fragments.setdefault(identity(fragment.value), fragment)
    kept = list(fragments.values())
    diagnostics += placeholder_warnings(kept)
    return kept, list(dict.fromkeys(diagnostics))


def placeholder_warnings(fragments: Iterable[Fragment]) -> list[Diagnostic]:
    """A warning for each placeholder of ``fragments``: a value only known at run time."""
    out = []
    for frag in fragments:
        for piece in frag.value.pieces:
            if piece.placeholder:
                where = frag.source_at(0)
                pos = piece.pos or (where.path, where.line, where.column)
                out.append(
                    SD103(
                        f"cannot resolve {piece.text} statically; a placeholder stands for it",
                        pos[0],
                        pos[1],
                        pos[2],
                    )
                )
    return out


__all__ = ["Fragment", "holds_ddl"]


_TRIMS: dict[str, Callable[[str], str]] = {
    "strip": str.strip,
    "lstrip": str.lstrip,
    "rstrip": str.rstrip,
}


def _split_call(node: cst.BaseExpression) -> tuple[cst.BaseExpression, str | None] | None:
    """``text.split(";")``, ``text.split("\\n")`` or ``text.splitlines()``: the text and the
    separator (None for line ends); else None."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return None
    method, owner = node.func.attr.value, node.func.value
    if method == "splitlines" and not node.args:
        return owner, None
    if method != "split" or len(node.args) != 1 or node.args[0].keyword is not None:
        return None
    separator = node.args[0].value
    if not isinstance(separator, cst.SimpleString):
        return None
    text = separator.evaluated_value
    return (owner, text) if isinstance(text, str) and text else None
