"""Calls for a ``Resolver``: the project function a call runs, whether it returns a string
it builds, the string it returns with its arguments bound, and the binding of a call's
arguments to the callee's parameter variables."""

from __future__ import annotations

import libcst as cst

from .memo import Key, Var
from .modules import Context, ParsedModule
from .scope import ClassInfo, FunctionScope, decorators
from .values import Structure, Value, placeholder


class Calls:
    """The call handling of ``Resolver`` (which defines the methods used here besides
    these)."""

    def callee(
        self, func: cst.BaseExpression, ctx: Context
    ) -> tuple[cst.FunctionDef, ParsedModule, ClassInfo | None, bool] | None:
        """The project function a call runs: (def, its module, self's class, skips self)."""
        if isinstance(func, cst.Name):
            parsed = ctx.parsed
            fn = parsed.scope.module_functions.get(func.value)
            imported = _imported(func, ctx)
            if imported is not None:
                other = self.modules.module(*imported)
                if other is not None:
                    parsed, fn = other, other.scope.module_functions.get(imported[1])
            return (fn, parsed, None, False) if fn is not None else None
        if not isinstance(func, cst.Attribute):
            return None
        name = func.attr.value
        owner = func.value
        if isinstance(owner, cst.Name) and owner.value in ("self", "cls") and ctx.cls is not None:
            self._dispatch(name)
            cls, via_instance = ctx.cls, True
        else:
            cls, via_instance = self.find_class(owner, ctx.parsed), False
        base = self.owner(cls, name, methods_only=True) if cls is not None else None
        parsed = self.modules.parsed(base.display) if base is not None else None
        if base is None or parsed is None:
            return None
        method = base.methods[name]
        kinds = decorators(method)
        skips = "staticmethod" not in kinds and (via_instance or "classmethod" in kinds)
        return method, parsed, cls, skips

    def _returning(
        self, node: cst.Call, ctx: Context
    ) -> tuple[FunctionScope, Context, bool] | None:
        """The project function a call runs, if it returns one expression."""
        target = self.callee(node.func, ctx)
        if target is None:
            return None
        fn, parsed, cls, skips = target
        scope = parsed.scope.functions.get(fn)
        if scope is None or scope.returned is None:
            return None
        return scope, Context(parsed, scope, cls), skips

    def returns_string(self, node: cst.Call, ctx: Context) -> bool:
        """Whether a call runs a project function that returns a string it builds."""
        if not self._may_return_string(node.func, ctx):
            return False
        found = self._returning(node, ctx)
        if found is None:
            return False
        scope, inner, _ = found
        returned = scope.returned
        key = (id(returned), -1)
        if returned is None or (key in self._active and self._met(key)):
            return False
        return self._memoized(
            "stringy", returned, inner, lambda: self._stringy(returned, inner, key), lambda: False
        )

    def _may_return_string(self, func: cst.BaseExpression, ctx: Context) -> bool:
        """False when the function a call imports by name returns no string it builds, as
        Python's own parser tells (its module is then not parsed); see ``callee``."""
        imported = _imported(func, ctx) if isinstance(func, cst.Name) else None
        return imported is None or self.modules.may_return_string(*imported)

    def _stringy(self, node: cst.BaseExpression, ctx: Context, key: Key) -> bool:
        assert self._budget is not None
        self._enter(key, self._active)
        try:
            return self._evaluator(ctx, self._budget).is_stringy(node)
        finally:
            self._active.discard(key)

    def call(self, node: cst.Call, ctx: Context) -> Value | None:
        """The string a call to a small project function returns, with its arguments bound."""
        found = self._returning(node, ctx)
        if found is None:
            return None
        scope, inner, skips = found
        with self.bound(self.bind(node, scope, skips, ctx)):
            return self.value(scope.returned, inner)  # type: ignore[arg-type]

    def bind(
        self, node: cst.Call, scope: FunctionScope, skips: bool, ctx: Context
    ) -> dict[Var, Value]:
        """Argument values of a call, by the callee's parameter variables.

        Extra positional arguments are bound to ``("star", id(def), index)``.
        """
        names = [n for n in scope.params if n not in _keyword_only(scope)]
        if skips and names:
            names = names[1:]
        bound: dict[Var, Value] = {}
        position = 0
        for arg in node.args:
            if arg.star == "**":
                continue
            if arg.star == "*":
                position = len(names) + 1_000  # later positions are unknowable
                continue
            given = self.named(arg.value, ctx)
            if isinstance(given, cst.List | cst.Tuple | cst.Set | cst.Dict):
                value: Value | None = Structure.of_node(given)
            else:
                value = self.value(arg.value, ctx)
            if value is None:
                value = placeholder(arg.keyword.value if arg.keyword else "arg", None)
            if arg.keyword is not None:
                bound[("param", id(scope.node), arg.keyword.value)] = value
            elif position < len(names):
                bound[("param", id(scope.node), names[position])] = value
                position += 1
            elif position < len(names) + 1_000:
                bound[("star", id(scope.node), str(position - len(names)))] = value
                position += 1
        return bound


def _imported(func: cst.Name, ctx: Context) -> tuple[str, str] | None:
    """The module and name a called name is imported as, when its own module defines no
    function of that name."""
    scope = ctx.parsed.scope
    if func.value in scope.module_functions or func.value not in scope.imports:
        return None
    module, attr = scope.imports[func.value]
    return (module, attr) if attr else None


def _keyword_only(scope: FunctionScope) -> set[str]:
    return {p.name.value for p in scope.node.params.kwonly_params}
