"""The visitor that finds the DDL-bearing strings of a module: every maximal
string-building expression evaluated, in the context of its function and class (and of the
subclasses that dispatch to it), with what the code does with it (statements split apart,
rollbacks, statements built by appends, probes on a scratch connection)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from ..model.schema import Origin
from ..pyeval.formatting import mark_templates
from ..pyeval.memo import Choice, Recording, Var
from ..pyeval.modules import Context, ParsedModule
from ..pyeval.resolve import Resolver, identity
from ..pyeval.scope import ClassInfo, FunctionScope
from ..pyeval.values import Value, simple_string_value
from ..pyeval.walk import walk
from ..sql.engines import is_other, module_engine
from .appends import Appends
from .fragments import DDL_START, Fragment, begins_ddl, holds_ddl
from .scratch import Scratch

_Result = tuple[Value, Context, Recording]  # a value, where it was built, what it read
_Evaluated = tuple[bool, "_Result | None"]  # whether a string is built, and its value

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


Subclasses = Callable[[ClassInfo], list[ClassInfo]]


@dataclass
class Found:
    fragment: Fragment
    node: cst.BaseExpression
    context: Context
    reads: tuple[Var, ...]  # the variables read, in the order first read
    raw: tuple  # identity of the text before template markers became placeholders


class Walker(cst.CSTVisitor):
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


class Finder(Walker):
    """Evaluates every maximal string-building expression; keeps those that hold DDL."""

    def __init__(self, parsed: ParsedModule, resolver: Resolver, subclasses: Subclasses) -> None:
        super().__init__(parsed)
        self.resolver = resolver
        self.subclasses = subclasses
        self.found: list[Found] = []
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
    def origin(self) -> Origin:
        """Where a fragment is (see ``Origin``): its function, or outside functions the
        constant it is assigned to; the other engine it runs on; the keywords of the
        arguments it is passed as."""
        engine = self._engine()
        return Origin(
            ".".join(self._names) or None,
            engine if is_other(engine) else None,
            tuple(r for r in self._roles if r),
        )

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
        walk(fn.node.body, appends)
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
            walk(fn.node.body, probes)
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
        if DDL_START.search(simple_string_value(node, None).text) is None:
            return False  # no statement starts in it: it holds no DDL, alone
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

    def _evaluated(self, node: cst.BaseExpression, ctx: Context) -> _Evaluated:
        """Whether ``node`` builds a string in ``ctx``, and its value there if known."""
        evaluator = self.resolver.evaluator(ctx)
        if not evaluator.is_stringy(node):
            return False, None
        with self.resolver.recording() as recording:
            value = evaluator.value(node)
        return True, (value, ctx, recording) if value is not None else None

    def _in_contexts(self, node: cst.BaseExpression) -> tuple[bool, list[_Result]]:
        """``_evaluated`` in the class context, then in that of each project subclass
        (``self.X`` dispatches), but only when evaluating in the class context consulted the
        class for a name. A subclass that redefines none of the names consulted agrees with
        the class: its result is the class's, in the subclass's context (the variables it
        reads take their values from that subclass's call sites when it is instantiated)."""
        base = self.context()
        self.resolver.dispatched, self.resolver.consulted = False, set()
        stringy, result = self._evaluated(node, base)
        results = [result] if result else []
        consulted = self.resolver.consulted
        if base.cls is None or base.function is None or not self.resolver.dispatched:
            return stringy, results
        for sub in self.subclasses(base.cls):
            ctx = self.context(sub)
            if not self.resolver.redefines(sub, base.cls, consulted):
                results += [(result[0], ctx, result[2])] if result else []
                continue
            sub_stringy, sub_result = self._evaluated(node, ctx)
            stringy |= sub_stringy
            results += [sub_result] if sub_result else []
        return stringy, results

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
        if first is None or not begins_ddl(first.text):
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
        stringy, results = self._in_contexts(node)
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
        fragment = Fragment(marked, self.parsed.display, self.origin)
        self.found.append(Found(fragment, node, ctx, reads, identity(value)))
        return True


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
