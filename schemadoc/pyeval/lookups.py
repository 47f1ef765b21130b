"""What an evaluator asks of name resolution (``Lookups``), and the resolver's answers in the
context of one expression (``InContext``), each lookup spending that expression's budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import libcst as cst

from .modules import Context
from .values import Budget, Position, Value

if TYPE_CHECKING:
    from .resolve import Resolver


class Lookups(Protocol):
    """What an evaluator asks of name resolution, in the context of the expression at hand
    (see ``Resolver.evaluator``)."""

    def resolve(self, node: cst.BaseExpression) -> Value | None:
        """The value of a name, an attribute or a subscript."""

    def position(self, node: cst.CSTNode) -> Position | None: ...

    def template(self, value: Value) -> None:
        """``value`` is a template that a name holds and code formats."""

    def call(self, node: cst.Call) -> Value | None:
        """The string a call to a small project function returns."""

    def returns_string(self, node: cst.Call) -> bool: ...

    def sequence(self, node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
        """The items of the literal list or tuple an expression is or names, if it is one."""

    def named(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """The one expression assigned to what an expression names, else the expression."""

    def mapping(
        self, node: cst.BaseExpression
    ) -> list[tuple[cst.BaseExpression, cst.BaseExpression]] | None:
        """The keys and values of the literal dict an expression is or names, if it is one."""


@dataclass(frozen=True)
class InContext:
    """``Lookups`` for an expression in ``ctx`` (what it looks up is part of the
    evaluation under way, else of one spending ``budget``)."""

    resolver: Resolver
    ctx: Context
    budget: Budget

    def resolve(self, node: cst.BaseExpression) -> Value | None:
        return self.resolver.within(self.budget, self.resolver.resolve, node, self.ctx)

    def position(self, node: cst.CSTNode) -> Position | None:
        return self.ctx.parsed.positions.get(node)

    def template(self, value: Value) -> None:
        self.resolver.note_template(value)

    def call(self, node: cst.Call) -> Value | None:
        return self.resolver.within(self.budget, self.resolver.call, node, self.ctx)

    def returns_string(self, node: cst.Call) -> bool:
        return self.resolver.within(self.budget, self.resolver.returns_string, node, self.ctx)

    def sequence(self, node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
        return self.resolver.sequence(node, self.ctx)

    def named(self, node: cst.BaseExpression) -> cst.BaseExpression:
        return self.resolver.named(node, self.ctx)

    def mapping(
        self, node: cst.BaseExpression
    ) -> list[tuple[cst.BaseExpression, cst.BaseExpression]] | None:
        return self.resolver.mapping(node, self.ctx)
