"""Resolve names in string-building code to the values they hold, without running anything.

Looks through function locals and parameters, class attributes (with subclass dispatch:
``self.X`` read in a base-class method means the X of the class the object really is),
instance attributes set in methods, properties and small functions that ``return`` a string,
module constants and names imported from other scanned modules.

Parameters and ``for`` loop variables are *variables*: reading one records it, so a DDL string
built from them can later be re-evaluated once per value they take (each call site's
argument, each loop item).

Scanned code may name a value twice in each of forty constants: each value is worked out once
(then reused while what it depends on is unchanged, see ``Resolver._memoized``), and what an
expression may cost is capped (see ``EXPRESSION_BUDGET``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import libcst as cst

from ..sql.engines import SQLITE, is_other
from .branches import Labels, engine_labels
from .calls import Calls
from .classes import Classes, ClassKey
from .evaluate import Evaluator
from .inplace import _Appends, _InPlace
from .lookups import InContext
from .memo import Key, Memo, Recording, Var, _Frame
from .modules import Context, ModuleIndex, ParsedModule
from .scope import (
    Binding,
    FunctionScope,
    loop_binding,
    loop_names,
)
from .values import Budget, Position, Structure, Value, overflow, placeholder
from .walk import walk

_T = TypeVar("_T")


# What evaluating one expression may cost, and all those of a module with their instances (see
# ``Resolver.bound``): (steps, weight), see ``Budget``. A value reused costs what working it out
# did. On the benchmark tree the costliest expression takes 160 steps and a weight of 1,100;
# the costliest module (sqlglot's generator) 290,000 steps and 580,000.
EXPRESSION_BUDGET = (100_000, 2_000_000)
MODULE_BUDGET = (2_000_000, 10_000_000)
# A literal, or what another name stands for (kept where that is worked out).
_UNBUILT = (cst.SimpleString, cst.Integer, cst.Float, cst.Name, cst.Attribute, cst.Subscript)


# Words that decide which statement a text is (its verb, or the kind of object it makes).
_SHAPING = re.compile(
    r"\b(?:CREATE|ALTER|DROP|TABLE|INDEX|VIEW|TRIGGER|TEMP|TEMPORARY|UNIQUE|VIRTUAL)\b",
    re.IGNORECASE,
)


@dataclass
class VarInfo:
    """What is known of a variable: where it lives, and the values it can take."""

    context: Context
    function: FunctionScope | None = None
    name: str = ""
    iterable: cst.BaseExpression | None = None  # what a loop variable iterates
    unpacked: tuple[str, ...] = ()  # the names a ``for a, b in ...`` loop unpacks each item to


class Resolver(Classes, Calls, Memo):
    """Name resolution over a project of parsed modules (see the module docstring)."""

    def __init__(self, modules: ModuleIndex) -> None:
        self.modules = modules
        self.templates: set[tuple[Position | None, str]] = set()
        self.overrides: dict[Var, Value] = {}
        self.variables: dict[Var, VarInfo] = {}
        self._recordings: list[Recording] = []
        self._frames: list[_Frame] = []  # the values being worked out
        self._memo: dict[tuple[Any, ...], tuple[Any, _Frame]] = {}
        self._costly: set[tuple[Any, ...]] = set()  # keys of values worth keeping
        self._active: set[Key] = set()
        self._assigning: set[Key] = set()
        self._budget: Budget | None = None  # that of the expression being evaluated
        self._instances = 0  # ``bound`` from outside an evaluation (see there)
        self._budgets: dict[str, Budget] = {}  # what is left of each module's budget
        self.dispatched = False  # whether the class ``self`` is was consulted (see ``_dispatch``)
        self.consulted: set[str] = set()  # the names it was consulted for, ``named``'s too
        # The outline of each class looked at: its project bases (with the files read to find
        # them) and the names it defines. Keyed by file, not by object, it outlives dropped
        # modules: the bases of a deep hierarchy are not parsed again for every file using it.
        self._bases: dict[ClassKey, tuple[tuple[ClassKey, ...], frozenset[str]]] = {}
        self._names: dict[ClassKey, tuple[frozenset[str], frozenset[str]]] = {}
        # (subclass, class): what only the subclass's classes define, and the files that told
        self._redefined: dict[tuple[ClassKey, ClassKey], tuple[frozenset[str], frozenset[str]]] = {}
        self._mutated: dict[int, frozenset[str]] = {}  # names changed in place, by scope node
        self._built: dict[tuple[int, str], cst.ListComp | None] = {}  # see ``_appended``
        self._labels: dict[int, Labels] = {}  # engines of branches, by scope node

    def forget(self) -> None:
        """Drop what refers to parsed trees (the modules are dropped, see ``ModuleIndex``)."""
        self.variables.clear()
        self._memo.clear()
        self._costly.clear()
        self._mutated.clear()
        self._built.clear()
        self._labels.clear()

    # -- evaluation ------------------------------------------------------------------

    def evaluator(self, ctx: Context) -> Evaluator:
        """An evaluator of one expression in ``ctx``, whose cost counts against its module's
        budget."""
        return self._evaluator(ctx, self._begin(ctx, counted=True))

    def _evaluator(self, ctx: Context, budget: Budget) -> Evaluator:
        """An evaluator in ``ctx``; what it looks up is part of the evaluation under way, else
        of one spending ``budget``."""
        return Evaluator(InContext(self, ctx, budget), budget=budget)

    def _begin(self, ctx: Context, counted: bool) -> Budget:
        """The budget of an expression in ``ctx``, ``counted`` against its module's."""
        module = self._budgets.get(ctx.parsed.display) if counted else None
        if counted and module is None:
            module = self._budgets[ctx.parsed.display] = Budget(*MODULE_BUDGET)
        return Budget(*EXPRESSION_BUDGET, module)

    def within(self, budget: Budget, work: Callable[..., _T], *args: Any) -> _T:
        """``work(*args)`` as part of the evaluation whose budget is ``budget`` (unless part
        of one already)."""
        if self._budget is not None:
            return work(*args)
        self._budget = budget
        try:
            return work(*args)
        finally:
            self._budget = None

    def note_template(self, template: Value) -> None:
        """``template`` is held by a name and formatted: a template, not DDL."""
        self.templates.add(identity(template))
        if self._frames:
            self._frames[-1].templates.add(identity(template))

    def named(self, node: cst.BaseExpression, ctx: Context) -> cst.BaseExpression:
        """The one expression assigned to what ``node`` names (a local or module constant, or
        a class attribute read through ``self`` or ``cls``), else ``node`` itself."""
        binding = None
        passed = self._passed(node, ctx)
        if passed is not None:
            return passed
        if isinstance(node, cst.Name):
            local = ctx.function.locals.get(node.value) if ctx.function else None
            binding = local or ctx.parsed.scope.constants.get(node.value)
            scope: cst.CSTNode = ctx.function.node if local and ctx.function else ctx.parsed.module
            if binding is not None and node.value in self._changed_in_place(scope):
                # ``cols = []`` then ``cols.append(...)``: not the literal, but perhaps
                # what a loop appends, as a comprehension would make it
                return self._appended(node.value, scope, binding) or node
        elif (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value in ("self", "cls")
            and ctx.cls is not None
        ):
            attr = node.attr.value
            self._consult(attr)
            binding = next(
                (
                    b
                    for c in self.mro(ctx.cls)
                    if (b := c.attrs.get(attr) or c.instance_attrs.get(attr))
                ),
                None,
            )
        if binding is not None and not binding.loop and len(binding.exprs) == 1:
            expr = binding.exprs[0]
            # ``fields = fields or {}``: what the parameter is given, else the literal
            if (
                isinstance(expr, cst.BooleanOperation)
                and isinstance(expr.operator, cst.Or)
                and isinstance(expr.left, cst.Name)
                and expr.left.value == getattr(node, "value", None)
            ):
                return self._passed(expr.left, ctx) or expr.right
            return expr
        return node

    def _passed(self, node: cst.BaseExpression, ctx: Context) -> cst.BaseExpression | None:
        """The literal list, tuple, set or dict a parameter named by ``node`` is given at the
        call site at hand (see ``Structure``), else None."""
        fn = ctx.function
        if not isinstance(node, cst.Name) or fn is None or node.value not in fn.params:
            return None
        if node.value in fn.locals and not isinstance(
            fn.locals[node.value].exprs[0] if fn.locals[node.value].exprs else None,
            cst.BooleanOperation,
        ):
            return None
        got = self._read(("param", id(fn.node), node.value), VarInfo(ctx, fn, node.value))
        return got.node if isinstance(got, Structure) else None

    def _appended(self, name: str, scope: cst.CSTNode, binding: Binding) -> cst.ListComp | None:
        """``cols = []`` and, in one ``for`` loop and nowhere else, ``cols.append(item)``:
        the list as the comprehension ``[item for target in iterable]`` (one node for each,
        kept: values are remembered by node). None for any other shape."""
        key = (id(scope), name)
        if key not in self._built:
            empty = (
                len(binding.exprs) == 1
                and isinstance(binding.exprs[0], cst.List)
                and not binding.exprs[0].elements
            )
            finder = _Appends(name)
            walk(scope, finder)
            self._built[key] = finder.comprehension() if empty else None
        return self._built[key]

    def _changed_in_place(self, scope: cst.CSTNode) -> frozenset[str]:
        """Names whose value ``scope`` changes in place (``x.append(...)``, ``x[k] = ...``)."""
        if id(scope) not in self._mutated:
            finder = _InPlace()
            walk(scope, finder)
            self._mutated[id(scope)] = frozenset(finder.names)
        return self._mutated[id(scope)]

    def sequence(
        self, node: cst.BaseExpression, ctx: Context, ordered: bool = True
    ) -> list[cst.BaseExpression] | None:
        """The items of the literal list or tuple (or, unless ``ordered``, set) that ``node``
        is or names (see ``named``). Unpacked items (``*rest``) make it unknown when
        ``ordered``, and are left out otherwise."""
        node = self.named(node, ctx)
        kinds = (cst.List, cst.Tuple) if ordered else (cst.List, cst.Tuple, cst.Set)
        if not isinstance(node, kinds):
            return None
        if ordered and not all(isinstance(e, cst.Element) for e in node.elements):
            return None
        return [e.value for e in node.elements if isinstance(e, cst.Element)]

    def mapping(
        self, node: cst.BaseExpression, ctx: Context
    ) -> list[tuple[cst.BaseExpression, cst.BaseExpression]] | None:
        """The keys and values of the literal dict that ``node`` is or names (see ``named``),
        in order; None when it is not one or unpacks another (``**more``)."""
        node = self.named(node, ctx)
        if not isinstance(node, cst.Dict):
            return None
        if not all(isinstance(e, cst.DictElement) for e in node.elements):
            return None
        return [(e.key, e.value) for e in node.elements if isinstance(e, cst.DictElement)]

    def value(self, node: cst.BaseExpression, ctx: Context) -> Value | None:
        """The value of ``node`` in ``ctx``. Asked from outside an evaluation, it is one of
        its own (counted against its module's budget if it is an instance, see ``bound``)."""
        key = (id(node), id(ctx.cls))
        if (key in self._active and self._met(key)) or self._too_deep():
            return None
        budget = self._budget
        if budget is None:
            outside = self._begin(ctx, counted=self._instances > 0)
            return self.within(outside, self._evaluated, node, ctx, key)
        if isinstance(node, _UNBUILT):
            return self._evaluated(node, ctx, key)  # not built here: nothing to keep
        return self._memoized(
            "value",
            node,
            ctx,
            lambda: self._evaluated(node, ctx, key),
            lambda: overflow(node, ctx.parsed.positions.get(node), budget.reason),
        )

    def _evaluated(self, node: cst.BaseExpression, ctx: Context, key: Key) -> Value | None:
        assert self._budget is not None
        self._enter(key, self._active)
        try:
            return self._evaluator(ctx, self._budget).value(node)
        finally:
            self._active.discard(key)

    @contextmanager
    def recording(self) -> Iterator[Recording]:
        """Collect the variables read, and the choices made, while evaluating."""
        recording = Recording()
        self._recordings.append(recording)
        try:
            yield recording
        finally:
            self._recordings.pop()

    @contextmanager
    def bound(self, values: dict[Var, Value]) -> Iterator[None]:
        """Variables bound to values. Bound from outside an evaluation, they make what is
        evaluated an instance of a statement found in a module: it counts against the
        module's budget."""
        saved = {k: self.overrides[k] for k in values if k in self.overrides}
        self.overrides.update(values)
        instance = self._budget is None
        self._instances += instance
        try:
            yield
        finally:
            self._instances -= instance
            for k in values:
                self.overrides.pop(k, None)
            self.overrides.update(saved)

    def _read(self, var: Var, info: VarInfo) -> Value | None:
        self.variables.setdefault(var, info)
        if self._frames:
            self._frames[-1].look(var)
        if var in self.overrides:
            return self.overrides[var]
        for recording in self._recordings:
            recording.reads.setdefault(var)
        return None

    def binding_value(self, binding: Binding, ctx: Context, name: str) -> Value | None:
        """The value of a name from its assignments: the one they agree on, or the one fully
        known, or else (different known strings, on different paths, none of them shaping the
        statement: ``"WITHOUT ROWID"`` or ``""``, not ``" TEMPORARY"``) the first."""
        fn_scope = ctx.parsed.scope.functions.get(binding.function) if binding.function else None
        inner = Context(ctx.parsed, fn_scope, ctx.cls)
        exprs = self._on_sqlite(binding, ctx) if len(binding.exprs) > 1 else binding.exprs
        values = [self.value(expr, inner) for expr in exprs]
        if not values or any(v is None for v in values):
            return None
        if len(values) == 1:
            return values[0]
        texts = {v.text for v in values if v is not None}
        if len(texts) == 1:
            return values[0]
        known = [v for v in values if v is not None and not v.placeholders]
        if len({v.text for v in known}) == 1:
            return known[0]
        if len(known) < len(values) or any(_SHAPING.search(v.text) for v in known):
            return None  # unknown, or which statement it is would be a guess
        choice = (name, tuple((v.text, v.position_at(0)) for v in known))
        for recording in self._recordings:
            recording.choices.add(choice)
        return known[0]

    def engine_labels(self, scope: cst.FunctionDef | cst.Module) -> Labels:
        """The engines the ``if`` tests of a function (or of a module's top level) tell
        (see ``branches``), worked out once per scope."""
        labels = self._labels.get(id(scope))
        if labels is None:
            body = scope.body if isinstance(scope, cst.FunctionDef) else scope
            labels = self._labels[id(scope)] = engine_labels(body)
        return labels

    def _on_sqlite(self, binding: Binding, ctx: Context) -> list[cst.BaseExpression]:
        """The values a name is assigned where the code runs on SQLite: not those in
        branches for other engines, and only those in SQLite's branches if there are any."""
        labels = self.engine_labels(binding.function or ctx.parsed.module)
        engines = [labels.get(id(expr)) for expr in binding.exprs]
        ours = [e for e, engine in zip(binding.exprs, engines, strict=True) if engine == SQLITE]
        return ours or [
            e for e, engine in zip(binding.exprs, engines, strict=True) if not is_other(engine)
        ]

    # -- names -----------------------------------------------------------------------

    def resolve(self, node: cst.BaseExpression, ctx: Context) -> Value | None:
        if isinstance(node, cst.Name):
            return self._name(node.value, ctx)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, ctx)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, ctx)
        return None

    def _name(self, name: str, ctx: Context) -> Value | None:
        fn = ctx.function
        if fn is not None:
            assigning = (id(fn.node), name)
            if name in fn.locals and not (assigning in self._assigning and self._met(assigning)):
                binding = fn.locals[name]
                if binding.loop:
                    return self._loop_variable(binding, name, ctx)
                # ``table = table or "x"``: inside its own value the name is the parameter.
                self._enter(assigning, self._assigning)
                try:
                    return self.binding_value(binding, ctx, name)
                finally:
                    self._assigning.discard(assigning)
            if name in fn.params:
                var = ("param", id(fn.node), name)
                got = self._read(var, VarInfo(ctx, fn, name))
                if got is not None:
                    return got
                default = fn.params[name]
                if default is None:
                    return placeholder(name, None)
                return self.value(default, Context(ctx.parsed, None, ctx.cls))
        if fn is None and ctx.cls is not None:
            self._dispatch(name)
            if name in ctx.cls.attrs:
                return self.binding_value(ctx.cls.attrs[name], ctx, name)
        loop = ctx.parsed.scope.loops.get(name)
        if fn is None and ctx.cls is None and loop is not None:
            return self._loop_variable(loop, name, ctx)
        return self.global_value(name, ctx.parsed)

    def _loop_variable(self, binding: Binding, name: str, ctx: Context) -> Value:
        """A ``for`` target read: its value in the item at hand of the innermost loop around
        the read that binds it (of the first loop binding it, read outside), else a
        placeholder."""
        loop = next((f for f in reversed(ctx.loops) if name in loop_names(f)), None)
        if loop is not None:
            binding = loop_binding(loop, binding.function)
        var = ("loop", id(binding.exprs[0]), name)
        info = VarInfo(ctx, ctx.function, name, binding.exprs[0], binding.unpacked)
        got = self._read(var, info)
        return got if got is not None else placeholder(name, None)

    def global_value(self, name: str, parsed: ParsedModule) -> Value | None:
        scope = parsed.scope
        if name in scope.constants:
            return self.binding_value(scope.constants[name], Context(parsed), name)
        if name in scope.imports:
            module, attr = scope.imports[name]
            other = self.modules.module(module, attr) if attr else None
            if other is not None and attr is not None:
                return self.global_value(attr, other)
        return None

    def _attribute(self, node: cst.Attribute, ctx: Context) -> Value | None:
        attr = node.attr.value
        owner = node.value
        if isinstance(owner, cst.Name) and owner.value in ("self", "cls") and ctx.cls is not None:
            self._dispatch(attr)
            return self.class_attr(ctx.cls, attr)
        found = self.find_class(owner, ctx.parsed)
        made = owner
        if isinstance(owner, cst.Name) and not (
            ctx.function and owner.value in ctx.function.params
        ):
            made = self.named(owner, ctx)
        if isinstance(made, cst.Call):  # ``types.String().sql``, ``N.users`` of ``N = Names()``
            found = self._made(made, ctx)
        if found is not None:
            return self.class_attr(found, attr)
        if isinstance(owner, cst.Name) and owner.value in ctx.parsed.scope.imports:
            module, sub = ctx.parsed.scope.imports[owner.value]
            other = self.modules.module(f"{module}.{sub}" if sub else module, attr)
            if other is not None:
                return self.global_value(attr, other)
        return None

    def _subscript(self, node: cst.Subscript, ctx: Context) -> Value | None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        key = self.value(node.slice[0].slice.value, ctx)
        container = node.value
        if key is None or key.placeholders or not isinstance(container, cst.Name):
            return None
        binding = (ctx.function.locals.get(container.value) if ctx.function else None) or (
            ctx.parsed.scope.constants.get(container.value)
        )
        if binding is None or len(binding.exprs) != 1 or not isinstance(binding.exprs[0], cst.Dict):
            return None
        for element in binding.exprs[0].elements:
            if isinstance(element, cst.DictElement):
                k = self.value(element.key, ctx)
                if k is not None and k.text == key.text:
                    return self.value(element.value, ctx)
        return None


def identity(value: Value) -> tuple[Position | None, str]:
    """What makes two found strings the same: where they start and what they say."""
    return (value.pieces[0].pos if value.pieces else None, value.text)
