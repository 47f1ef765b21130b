"""Which engine each statement of a block runs on, from the ``if`` tests around it.

``if isinstance(engine, PostgresEngine):`` guards code for another engine, and so does
``if scheme != Scheme.SQLITE:``; after ``if scheme == Scheme.SQLITE: return``, the rest of the
block is for other engines.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ..sql.engines import branch_engines, identifier_engine, string_engine
from .walk import children

Labels = dict[int, str]  # engine, by id of statement, small statement and assigned value


def engine_labels(body: cst.BaseSuite | cst.Module) -> Labels:
    """The engine of every statement of ``body`` (not of nested defs) that a test tells."""
    out: Labels = {}
    _block(_statements_of(body), None, out)
    return out


def _statements_of(node: cst.CSTNode) -> Sequence[cst.CSTNode]:
    """The statements of a module, a block, or the block of a clause (``if``, ``else``...)."""
    if isinstance(node, cst.SimpleStatementSuite):
        return (node,)
    if isinstance(node, cst.Module | cst.IndentedBlock):
        return node.body
    body = getattr(node, "body", None)
    return _statements_of(body) if isinstance(body, cst.BaseSuite) else ()


def _block(statements: Sequence[cst.CSTNode], engine: str | None, out: Labels) -> None:
    for stmt in statements:
        if isinstance(stmt, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            _label(stmt, engine, out)
        elif isinstance(stmt, cst.If):
            engine = _if(stmt, engine, out) or engine
        elif isinstance(stmt, cst.BaseCompoundStatement) and not isinstance(
            stmt, cst.FunctionDef | cst.ClassDef
        ):
            for child in children(stmt):
                if isinstance(child, cst.BaseSuite | cst.Else | cst.ExceptHandler | cst.Finally):
                    _block(_statements_of(child), engine, out)


def _label(
    line: cst.SimpleStatementLine | cst.SimpleStatementSuite, engine: str | None, out: Labels
) -> None:
    if engine is None:
        return
    out[id(line)] = engine
    for small in line.body:
        out[id(small)] = engine
        if isinstance(small, cst.Assign | cst.AnnAssign) and small.value is not None:
            out[id(small.value)] = engine


def _if(node: cst.If, engine: str | None, out: Labels) -> str | None:
    """Label an ``if`` chain's branches (``engine``: what the code around them runs on);
    the engine of what follows, when the body leaves the block (a guard clause)."""
    body, orelse = _test_engines(node.test)
    _block(_statements_of(node), engine or body, out)
    if isinstance(node.orelse, cst.If):  # ``elif``: its own test, within the alternative
        _if(node.orelse, engine or orelse, out)
    elif isinstance(node.orelse, cst.Else):
        _block(_statements_of(node.orelse), engine or orelse, out)
    elif engine is None and _leaves(node.body):
        return orelse
    return None


def _leaves(body: cst.BaseSuite) -> bool:
    """Whether a block ends by leaving (``return``, ``raise``, ``continue``, ``break``)."""
    last = body if isinstance(body, cst.SimpleStatementSuite) else (body.body or [None])[-1]
    if not isinstance(last, cst.SimpleStatementLine | cst.SimpleStatementSuite) or not last.body:
        return False
    return isinstance(last.body[-1], cst.Return | cst.Raise | cst.Continue | cst.Break)


def _test_engines(test: cst.BaseExpression) -> tuple[str | None, str | None]:
    """The engines of the two branches of an ``if``: told only by tests that compare with
    engines (``isinstance(e, PostgresEngine)``, ``scheme != Scheme.SQLITE``, ``"mysql" in
    url``) or name one (``if is_sqlite:``)."""
    negated = False
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test, negated = test.expression, not negated
    named: list[str | None] = []
    if isinstance(test, cst.Call) and _name(test.func) == "isinstance" and len(test.args) == 2:
        named = _engines(test.args[1].value)
    elif isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        operator = test.comparisons[0].operator
        negated ^= isinstance(operator, cst.NotEqual | cst.IsNot | cst.NotIn)
        sides = [_engines(test.left), _engines(test.comparisons[0].comparator)]
        named = next((side for side in sides if side and None not in side), [])
    elif isinstance(test, cst.Name | cst.Attribute):
        named = _engines(test)
    if not named or None in named:
        return None, None
    return branch_engines([n for n in named if n is not None], negated)


def _name(node: cst.BaseExpression) -> str | None:
    """The last name of ``a.b.c`` or ``c``."""
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return node.value if isinstance(node, cst.Name) else None


def _engines(node: cst.BaseExpression) -> list[str | None]:
    """The engine each item of an expression names (a name, a string or a tuple of them);
    None for an item that names none."""
    if isinstance(node, cst.Tuple | cst.List | cst.Set):
        return [e for element in node.elements for e in _engines(element.value)]
    if isinstance(node, cst.SimpleString):
        return [string_engine(node.raw_value)]
    name = _name(node)
    return [identifier_engine(name) if name else None]
