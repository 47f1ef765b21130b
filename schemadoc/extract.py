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
import tokenize
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .evaluate import Evaluator, Position, Value, placeholder
from .model import Diagnostic, Source
from .scope import Binding, ClassInfo, FunctionScope, ModuleScope, build_scope

# A file can only hold DDL if both halves of a statement keyword appear somewhere in it.
_VERB = re.compile(rb"create|alter|drop", re.IGNORECASE)
_NOUN = re.compile(rb"table|index|view|trigger", re.IGNORECASE)
# A string holds DDL when a statement starts with one of these (after comments and ``;``).
DDL_START = re.compile(
    r"(?:CREATE\s+(?:(?:TEMP|TEMPORARY)\s+)?(?:UNIQUE\s+)?(?:VIRTUAL\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)"
    r"|ALTER\s+TABLE|DROP\s+(?:TABLE|INDEX|VIEW|TRIGGER))\b",
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


def may_hold_ddl(data: bytes) -> bool:
    """Cheap test on raw bytes: False only when no DDL statement can be in the file."""
    return _VERB.search(data) is not None and _NOUN.search(data) is not None


def holds_ddl(text: str) -> bool:
    """Whether a statement of ``text`` starts with a DDL keyword (not prose that mentions one)."""
    lead = _LEADING.match(text)
    if lead and DDL_START.match(text, lead.end()):
        return True
    return any(DDL_START.match(text, m.end()) for m in _STATEMENT_BREAK.finditer(text))


@dataclass(frozen=True)
class Fragment:
    """A DDL-bearing string found in a file."""

    value: Value
    path: str
    function: str | None  # qualified name of the enclosing function, if any

    def source_at(self, offset: int) -> Source:
        pos = self.value.position_at(offset) or (1, 0)
        return Source(self.path, pos[0], pos[1])


@dataclass(frozen=True)
class FileResult:
    fragments: tuple[Fragment, ...]
    diagnostics: tuple[Diagnostic, ...]


def decode_source(data: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    """Decode Python source as the interpreter would (BOM, PEP 263 cookie, UTF-8)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, Diagnostic(
            "error",
            "SD102",
            "file is UTF-16 encoded; Python source must be UTF-8 or declare an 8-bit encoding",
            path,
            1,
            0,
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), None
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        line = 1
        if isinstance(exc, UnicodeDecodeError):
            line = data[: exc.start].count(b"\n") + 1
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        return None, Diagnostic("error", "SD102", f"cannot decode file: {reason}", path, line, 0)


def syntax_check(text: str, path: str) -> Diagnostic | None:
    """Python's own parser finds the right line of a syntax error (libcst's does not)."""
    try:
        ast.parse(text, filename=path)
    except SyntaxError as exc:
        line, col = exc.lineno or 1, max((exc.offset or 1) - 1, 0)
        return Diagnostic("error", "SD101", f"cannot parse Python: {exc.msg}", path, line, col)
    except (RecursionError, MemoryError, ValueError) as exc:
        kind = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return Diagnostic("error", "SD101", f"cannot parse Python: {kind}", path, 1, 0)
    return None


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


def string_positions(module: cst.Module, text: str) -> dict[cst.CSTNode, Position]:
    """Positions of string nodes from the tokenizer, which is far cheaper than libcst metadata.

    Falls back to libcst's PositionProvider when the two disagree.
    """
    leaves = _StringLeaves()
    module.visit(leaves)
    starts = _token_starts(text)
    if starts is not None and len(starts) == len(leaves.leaves):
        pairs = list(zip(leaves.leaves, starts, strict=True))
        if all(_same_start(node, tok) for node, (_, _, tok) in pairs):
            return {node: (line, col) for node, (line, col, _) in pairs}
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return {n: (positions[n].start.line, positions[n].start.column) for n in leaves.leaves}


def _same_start(node: cst.CSTNode, token: str) -> bool:
    head = node.value if isinstance(node, cst.SimpleString) else node.start  # type: ignore[attr-defined]
    return token.startswith(head[:4])


def module_name(display: str) -> tuple[str, bool]:
    """Dotted module name for a display path, and whether it is a package ``__init__``."""
    parts = display.removesuffix(".py").removesuffix(".pyi").split("/")
    parts = [p for p in parts if p not in ("", ".", "..")]
    if parts and parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


@dataclass
class ParsedModule:
    display: str
    module: cst.Module
    scope: ModuleScope
    positions: dict[cst.CSTNode, Position]


class Project:
    """The scanned files, parsed lazily, so names imported from another module resolve."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files
        self._by_module: dict[str, str] = {}
        for display in sorted(files):
            if not display.endswith((".py", ".pyi")):
                continue
            name, _ = module_name(display)
            parts = name.split(".")
            for i in range(len(parts)):
                self._by_module.setdefault(".".join(parts[i:]), display)
        self._parsed: dict[str, ParsedModule | None] = {}

    def parsed(self, display: str, text: str | None = None) -> ParsedModule | None:
        if display not in self._parsed:
            self._parsed[display] = None  # guards against import cycles
            if text is None:
                try:
                    data = self.files[display].read_bytes()
                except OSError:
                    return None
                text, problem = decode_source(data, display)
                if text is None or problem or syntax_check(text, display):
                    return None
            try:
                module = cst.parse_module(text)
            except (cst.ParserSyntaxError, RecursionError, MemoryError):
                return None
            name, is_package = module_name(display)
            self._parsed[display] = ParsedModule(
                display,
                module,
                build_scope(module, name, is_package),
                string_positions(module, text),
            )
        return self._parsed[display]

    def module(self, dotted: str) -> ParsedModule | None:
        display = self._by_module.get(dotted)
        return self.parsed(display) if display else None


@dataclass
class _Context:
    parsed: ParsedModule
    function: FunctionScope | None
    cls: ClassInfo | None


class _Resolver:
    """Resolves names and attributes to string values, in a module of the project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.templates: set[tuple[Position | None, str]] = set()
        self._active: set[int] = set()

    def evaluator(self, ctx: _Context) -> Evaluator:
        return Evaluator(
            lambda node: self.resolve(node, ctx),
            lambda n: ctx.parsed.positions.get(n),
            on_template=self._template_used,
        )

    def _template_used(self, template: Value) -> None:
        self.templates.add(_identity(template))

    def value(self, node: cst.BaseExpression, ctx: _Context) -> Value | None:
        key = id(node)
        if key in self._active:
            return None
        self._active.add(key)
        try:
            return self.evaluator(ctx).value(node)
        finally:
            self._active.discard(key)

    def binding_value(self, binding: Binding, ctx: _Context) -> Value | None:
        values = []
        fn_scope = ctx.parsed.scope.functions.get(binding.function) if binding.function else None
        inner = _Context(ctx.parsed, fn_scope, binding.owner or ctx.cls)
        for expr in binding.exprs:
            value = self.value(expr, inner)
            if value is None:
                return None
            values.append(value)
        if not values:
            return None
        if len({v.text for v in values}) == 1:
            return values[0]
        # Assigned different strings: prefer the one that is fully known, when only one is.
        known = [v for v in values if not v.placeholders]
        return known[0] if len({v.text for v in known}) == 1 else None

    def resolve(self, node: cst.BaseExpression, ctx: _Context) -> Value | None:
        if isinstance(node, cst.Name):
            return self._name(node.value, ctx)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, ctx)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, ctx)
        return None

    def _name(self, name: str, ctx: _Context) -> Value | None:
        fn = ctx.function
        if fn is not None:
            if name in fn.locals:
                return self.binding_value(fn.locals[name], ctx)
            if name in fn.params:
                default = fn.params[name]
                if default is None:
                    return None
                return self.value(default, _Context(ctx.parsed, None, ctx.cls))
        if fn is None and ctx.cls is not None and name in ctx.cls.attrs:
            return self.binding_value(ctx.cls.attrs[name], ctx)
        return self._global(name, ctx.parsed)

    def _global(self, name: str, parsed: ParsedModule) -> Value | None:
        scope = parsed.scope
        if name in scope.constants:
            return self.binding_value(scope.constants[name], _Context(parsed, None, None))
        if name in scope.imports:
            module, attr = scope.imports[name]
            if attr is None:
                return None
            other = self.project.module(module)
            if other is None:
                other = self.project.module(f"{module}.{attr}")
                return None if other is None else None
            return self._global(attr, other)
        return None

    def _class(
        self, expr: cst.BaseExpression, parsed: ParsedModule
    ) -> tuple[ClassInfo, ParsedModule] | None:
        if isinstance(expr, cst.Name):
            if expr.value in parsed.scope.classes:
                return parsed.scope.classes[expr.value], parsed
            if expr.value in parsed.scope.imports:
                module, attr = parsed.scope.imports[expr.value]
                other = self.project.module(module) if attr else None
                if other is not None and attr in other.scope.classes:
                    return other.scope.classes[attr], other
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            module, _ = parsed.scope.imports.get(expr.value.value, ("", None))
            other = self.project.module(module) if module else None
            if other is not None and expr.attr.value in other.scope.classes:
                return other.scope.classes[expr.attr.value], other
        return None

    def class_attr(
        self, info: ClassInfo, parsed: ParsedModule, attr: str, seen: int = 0
    ) -> Value | None:
        if seen > 10:
            return None
        ctx = _Context(parsed, None, info)
        if attr in info.attrs:
            return self.binding_value(info.attrs[attr], ctx)
        if attr in info.instance_attrs:
            return self.binding_value(info.instance_attrs[attr], ctx)
        for base in info.bases:
            found = self._class(base, parsed)
            if found is not None:
                value = self.class_attr(found[0], found[1], attr, seen + 1)
                if value is not None:
                    return value
        return None

    def _attribute(self, node: cst.Attribute, ctx: _Context) -> Value | None:
        attr = node.attr.value
        owner = node.value
        if isinstance(owner, cst.Name) and owner.value in ("self", "cls") and ctx.cls is not None:
            return self.class_attr(ctx.cls, ctx.parsed, attr)
        found = self._class(owner, ctx.parsed)
        if found is not None:
            return self.class_attr(found[0], found[1], attr)
        if isinstance(owner, cst.Name) and owner.value in ctx.parsed.scope.imports:
            module, sub = ctx.parsed.scope.imports[owner.value]
            other = self.project.module(f"{module}.{sub}" if sub else module)
            if other is not None:
                return self._global(attr, other)
        return None

    def _subscript(self, node: cst.Subscript, ctx: _Context) -> Value | None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        key = self.value(node.slice[0].slice.value, ctx)
        container = node.value
        if key is None or key.placeholders or not isinstance(container, cst.Name):
            return None
        binding = (
            ctx.function.locals.get(container.value) if ctx.function else None
        ) or ctx.parsed.scope.constants.get(container.value)
        if binding is None or binding.single is None or not isinstance(binding.single, cst.Dict):
            return None
        for element in binding.single.elements:
            if isinstance(element, cst.DictElement):
                k = self.value(element.key, ctx)
                if k is not None and k.text == key.text:
                    return self.value(element.value, ctx)
        return None


def _identity(value: Value) -> tuple[Position | None, str]:
    return (value.pieces[0].pos if value.pieces else None, value.text)


class _Finder(cst.CSTVisitor):
    """Walks a module and evaluates every maximal string-building expression."""

    def __init__(self, parsed: ParsedModule, resolver: _Resolver) -> None:
        self.parsed = parsed
        self.resolver = resolver
        self.found: list[Fragment] = []
        self._functions: list[FunctionScope | None] = []
        self._classes: list[ClassInfo | None] = []
        self._names: list[str] = []

    def _ctx(self) -> _Context:
        fn = self._functions[-1] if self._functions else None
        cls = self._classes[-1] if self._classes else None
        return _Context(self.parsed, fn, cls)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._classes.append(self.parsed.scope.classes.get(node.name.value))
        self._functions.append(None)
        self._names.append(node.name.value)
        self._skip_docstring(node.body)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._classes.pop()
        self._functions.pop()
        self._names.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = self.parsed.scope.functions.get(node)
        self._functions.append(scope)
        self._classes.append(
            scope.owner if scope else (self._classes[-1] if self._classes else None)
        )
        self._names.append(node.name.value)
        self._skip_docstring(node.body)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()
        self._classes.pop()
        self._names.pop()

    def visit_Module(self, node: cst.Module) -> None:
        self._docstring = None
        if node.body and isinstance(node.body[0], cst.SimpleStatementLine):
            first = node.body[0].body[0] if node.body[0].body else None
            if isinstance(first, cst.Expr):
                self._docstring = first.value

    _docstring: cst.BaseExpression | None = None
    _docstrings: set[cst.CSTNode] = set()

    def _skip_docstring(self, body: cst.BaseSuite) -> None:
        if isinstance(body, cst.IndentedBlock) and body.body:
            first = body.body[0]
            if (
                isinstance(first, cst.SimpleStatementLine)
                and isinstance(first.body[0], cst.Expr)
                and isinstance(first.body[0].value, cst.SimpleString | cst.ConcatenatedString)
            ):
                self._docstrings = self._docstrings | {first.body[0].value}

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if name in _MESSAGE_CALLS:
            return False
        return self._visit_expression(node)

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

    def _visit_expression(self, node: cst.BaseExpression) -> bool:
        if node is self._docstring or node in self._docstrings:
            return False
        evaluator = self.resolver.evaluator(self._ctx())
        if not evaluator.is_stringy(node):
            return True
        value = evaluator.value(node)
        if value is not None and holds_ddl(value.text):
            function = ".".join(self._names) if self._functions and self._functions[-1] else None
            self.found.append(Fragment(value, self.parsed.display, function))
        return False


def extract_project(
    files: dict[str, Path], texts: dict[str, str], on_file: Callable[[str], None] | None = None
) -> tuple[list[Fragment], list[Diagnostic]]:
    """DDL fragments of the candidate files ``texts`` (display path to source text).

    ``files`` maps every scanned display path to its file, so that constants imported from
    modules without DDL still resolve.
    """
    project = Project(files)
    resolver = _Resolver(project)
    found: list[Fragment] = []
    diagnostics: list[Diagnostic] = []
    for display in sorted(texts):
        if on_file:
            on_file(display)
        problem = syntax_check(texts[display], display)
        if problem:
            diagnostics.append(problem)
            continue
        parsed = project.parsed(display, texts[display])
        if parsed is None:
            diagnostics.append(Diagnostic("error", "SD101", "cannot parse Python", display, 1, 0))
            continue
        finder = _Finder(parsed, resolver)
        parsed.module.visit(finder)
        found.extend(finder.found)
    # A template defined once and formatted where it is used is documented at its use.
    fragments = [frag for frag in found if _identity(frag.value) not in resolver.templates]
    for frag in fragments:
        for label in dict.fromkeys(frag.value.placeholders):
            where = next(p.pos for p in frag.value.pieces if p.placeholder and p.text == label) or (
                frag.value.position_at(0) or (1, 0)
            )
            diagnostics.append(
                Diagnostic(
                    "warning",
                    "SD103",
                    f"cannot resolve {label} statically; documented with a placeholder name",
                    frag.path,
                    where[0],
                    where[1],
                )
            )
    return fragments, diagnostics


__all__ = ["FileResult", "Fragment", "extract_project", "holds_ddl", "may_hold_ddl", "placeholder"]
