"""Static evaluation of string-building expressions in libcst trees.

A value is a sequence of :class:`Piece`: literal text that remembers where it came from in the
source, or a placeholder for a part whose value cannot be known without running the code.
Nothing is ever imported or executed.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import libcst as cst

from .formatting import _apply_dollar, _apply_format, _apply_percent, _joined
from .lookups import Lookups
from .values import (
    MAX_WEIGHT,
    TOO_LARGE,
    Budget,
    Overflow,
    Piece,
    Structure,
    TooLarge,
    Value,
    _label,
    _member,
    code_of,
    literal_pieces,
    overflow,
    placeholder,
    simple_string_value,
)


@dataclass
class Evaluator:
    """Evaluates string expressions; ``lookups`` resolves names and calls in scope."""

    lookups: Lookups
    depth: int = field(default=0)
    bound: dict[str, Value] = field(default_factory=dict)  # a comprehension's variables
    # A step for each name or call looked up; once spent, they are no longer looked up.
    budget: Budget = field(default_factory=Budget)

    def is_stringy(self, node: cst.BaseExpression) -> bool:
        """Whether ``node`` builds a string out of at least one literal."""
        if isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString):
            return True
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Add):
                return self.is_stringy(node.left) or self.is_stringy(node.right)
            if isinstance(node.operator, cst.Modulo):
                return self.is_stringy(node.left) or self._named_template(node.left)
            return False
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in ("format", "format_map"):
                return self.is_stringy(func.value) or self._named_template(func.value)
            made = self._template_made(node)
            if made is not None:
                return self.is_stringy(made[0]) or self._named_template(made[0])
            if isinstance(func, cst.Attribute) and func.attr.value in _STR_METHODS:
                return self.is_stringy(func.value)
            if _call_name(func) in _TEXT_FUNCTIONS and node.args:
                return self.is_stringy(node.args[0].value)
            return self.budget.spend() and self.lookups.returns_string(node)
        return False

    def _named_template(self, node: cst.BaseExpression) -> bool:
        return isinstance(node, cst.Name | cst.Attribute) and self.lookups.resolve(node) is not None

    def _template(self, node: cst.BaseExpression) -> Value | None:
        """A ``%``/``.format`` template; one taken from a name is reported as used."""
        template = self.value(node)
        if template is not None and not self.is_stringy(node):
            self.lookups.template(template)
        return template

    def value(self, node: cst.BaseExpression) -> Value | None:
        """The string ``node`` builds, with placeholders for unknown parts; None if none.
        One that formatting or joining would make weigh more than ``MAX_WEIGHT`` is a
        placeholder (so is a name or call that stands for one, see ``_looked_up``)."""
        if self.depth > 1_000:  # a chain of 1,000 concatenated pieces, or a cycle
            return None
        self.depth += 1
        try:
            return self._value(node)
        except TooLarge:
            return self._overflow(node, TOO_LARGE)
        finally:
            self.depth -= 1

    def _overflow(self, node: cst.BaseExpression, reason: str) -> Value:
        return overflow(node, self.lookups.position(node), reason)

    def _looked_up(
        self, node: cst.BaseExpression, find: Callable[[cst.BaseExpression], Value | None]
    ) -> Value | None:
        """What ``find`` says a name or call stands for, a step and its weight spent from the
        budget (a placeholder once that is spent, or when it weighs too much). When it could
        not be worked out, the placeholder says it of ``node``."""
        if not self.budget.spend():
            return self._overflow(node, self.budget.reason)
        got = find(node)
        if got is None:
            return None
        weight = got.weight
        self.budget.spend(0, weight)
        if len(got.pieces) == 1 and isinstance(got.pieces[0], Overflow):
            return self._overflow(node, got.pieces[0].reason)
        return self._overflow(node, TOO_LARGE) if weight > MAX_WEIGHT else got

    def _sequence(self, node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
        return None if self.budget.spent else self.lookups.sequence(node)

    def _mapping(
        self, node: cst.BaseExpression
    ) -> list[tuple[cst.BaseExpression, cst.BaseExpression]] | None:
        return None if self.budget.spent else self.lookups.mapping(node)

    def text_or_placeholder(self, node: cst.BaseExpression) -> Value:
        got = self.value(node)
        return got if got is not None else placeholder(_label(node), self.lookups.position(node))

    def _value(self, node: cst.BaseExpression) -> Value | None:
        if isinstance(node, cst.SimpleString):
            return simple_string_value(node, self.lookups.position(node))
        if isinstance(node, cst.ConcatenatedString):
            left, right = self.value(node.left), self.value(node.right)
            return None if left is None or right is None else left + right
        if isinstance(node, cst.FormattedString):
            return self._fstring(node)
        if isinstance(node, cst.Integer | cst.Float):
            return Value.of(node.value)
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node)
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.Name) and node.value in self.bound:
            bound = self.bound[node.value]
            return self._looked_up(node, lambda _: bound)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            made = self.bound.get(node.value.value)
            if isinstance(made, Structure) and isinstance(made.node, cst.Call):
                # ``field.sql`` where ``field`` is ``types.String()``: the class's attribute
                return self.lookups.resolve(_member(made.node, node.attr))
        if isinstance(node, cst.Name | cst.Attribute | cst.Subscript):
            return self._looked_up(node, self.lookups.resolve)
        if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
            # ``name or "default"``: the left side is usually an optional parameter.
            left = self.value(node.left)
            return left if left is not None and not left.placeholders else self.value(node.right)
        if isinstance(node, cst.IfExp):
            # Which branch runs depends on run-time state: take the one that is fully known,
            # preferring the ``if`` branch (usually the default configuration).
            for branch in (node.body, node.orelse):
                got = self.value(branch)
                if got is not None and not got.placeholders:
                    return got
            return None
        return None

    def _binary(self, node: cst.BinaryOperation) -> Value | None:
        """``a + b`` (an unknown side a placeholder, unless both are) and ``template % args``."""
        if isinstance(node.operator, cst.Add):
            left, right = self.value(node.left), self.value(node.right)
            if left is None and right is None:
                return None
            if left is None:
                left = placeholder(_label(node.left), self.lookups.position(node.left))
            if right is None:
                right = placeholder(_label(node.right), self.lookups.position(node.right))
            return left + right
        if isinstance(node.operator, cst.Modulo):
            template = self._template(node.left)
            return None if template is None else self._percent(template, node.right)
        return None

    def _fstring(self, node: cst.FormattedString) -> Value:
        pos = self.lookups.position(node)
        prefix = node.start[: -len(node.end)]
        quote = node.end
        pieces: list[Piece] = []
        weight = 0  # of the values in braces
        path, line, col = (pos[0], pos[1], pos[2] + len(node.start)) if pos else ("", 0, 0)
        for part in node.parts:
            here = (path, line, col) if pos else None
            if isinstance(part, cst.FormattedStringText):
                pieces.extend(literal_pieces(prefix, quote, part.value, here, fstring=True))
            else:
                inner = self.text_or_placeholder(part.expression)
                if part.conversion == "r" and not inner.placeholders:
                    inner = Value.of(repr(inner.text), here)
                weight += inner.weight
                if weight > MAX_WEIGHT:
                    raise TooLarge
                # An unknown part is reported where its braces are.
                pieces.extend(
                    replace(p, pos=here) if p.placeholder and p.pos is None else p
                    for p in inner.pieces
                )
            if pos:
                raw = part.value if isinstance(part, cst.FormattedStringText) else code_of(part)
                newlines = raw.count("\n")
                if newlines:
                    line, col = line + newlines, len(raw) - raw.rfind("\n") - 1
                else:
                    col += len(raw)
        return Value(tuple(pieces))

    def _percent(self, template: Value, right: cst.BaseExpression) -> Value:
        if isinstance(right, cst.Tuple):
            args = [self.text_or_placeholder(e.value) for e in right.elements]
            return _apply_percent(template, args, {})
        pairs = self._mapping(right)
        if pairs is not None:
            return _apply_percent(template, [], self._pairs(pairs))
        return _apply_percent(template, [self.text_or_placeholder(right)], {})

    def _call(self, node: cst.Call) -> Value | None:
        func = node.func
        name = _call_name(func)
        if name in _TEXT_FUNCTIONS and node.args:
            inner = self.value(node.args[0].value)
            return None if inner is None else inner.transformed(_TEXT_FUNCTIONS[name])
        if isinstance(func, cst.Attribute):
            method = self._method(node, func.attr.value)
            if method is not None:
                return method(node, func)
        if name == "str" and len(node.args) == 1:
            return self.value(node.args[0].value)
        return self._looked_up(node, self.lookups.call)

    def _method(self, node: cst.Call, method: str) -> _Method | None:
        """What evaluates ``node``, a call of ``method`` on a string (``"...".format(...)``,
        ``sep.join(...)``) or on a template object; None if it is no such call."""
        if method == "format":
            return self._format_call
        if method == "format_map" and node.args:
            return self._format_map_call
        made = self._template_made(node)
        if made is not None:
            return lambda node, func: self._substitute_call(node, made)
        if method == "replace" and len(node.args) >= 2:
            return self._replace_call
        if method == "join":
            return self._join_call
        if method == "get" and node.args and len(node.args) <= 2:
            return lambda node, func: self._got(func.value, node.args)
        if method in _STR_METHODS:
            return self._str_method_call
        return None

    def _format_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        template = self._template(func.value)
        return None if template is None else self._format(template, node.args)

    def _format_map_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        template = self._template(func.value)
        named = self._keys(node.args[0].value)
        return None if template is None else _apply_format(template, [], named)

    def _substitute_call(
        self, node: cst.Call, made: tuple[cst.BaseExpression, bool]
    ) -> Value | None:
        """``Template(text).substitute(...)`` and the like (see ``_template_made``)."""
        template = self.value(made[0])
        if template is None:
            return None
        if made[1]:
            self.lookups.template(template)  # its definition is a template, not DDL
        named = self._keywords(node.args)
        for arg in node.args:
            if arg.keyword is None and not arg.star:
                named = {**self._keys(arg.value), **named}
        return _apply_dollar(template, named)

    def _replace_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        inner = self.value(func.value)
        old, new = self.value(node.args[0].value), self.value(node.args[1].value)
        if inner is None or old is None or new is None or old.placeholders or new.placeholders:
            return inner
        text, gone = inner.text, old.text
        if len(text) + text.count(gone) * (len(new.text) - len(gone)) > MAX_WEIGHT:
            raise TooLarge
        return inner.transformed(lambda s: s.replace(gone, new.text))

    def _join_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        sep = self.value(func.value)
        if sep is None or not node.args:
            return None
        items = self._sequence(node.args[0].value)
        values = (
            [self.value(item) for item in items]
            if items is not None
            else self._comprehension(self.lookups.named(node.args[0].value))
        )
        known = [v for v in values if v is not None]
        return None if len(known) < len(values) else _joined(sep, known)

    def _str_method_call(self, node: cst.Call, func: cst.Attribute) -> Value | None:
        """``text.strip()``, ``text.upper()``...; ``text.strip(chars)`` when ``chars`` is known."""
        inner = self.value(func.value)
        if inner is None or any(a.value for a in node.args if a.keyword):
            return inner
        method = func.attr.value
        fn = _STR_METHODS[method]
        if node.args:
            chars = self.value(node.args[0].value)
            if chars is None or chars.placeholders:
                return inner
            return inner.transformed(lambda s: getattr(s, method)(chars.text))
        return inner.transformed(fn)

    def _got(self, mapping: cst.BaseExpression, args: Sequence[cst.Arg]) -> Value | None:
        """``mapping.get(key, default)`` of a literal dict (``default`` is None if not
        given: then the value is unknown)."""
        pairs = self._mapping(mapping)
        key = self.value(args[0].value)
        if pairs is None or key is None or key.placeholders:
            return None
        for k, v in pairs:
            known = self.value(k)
            if known is None:
                return None
            if known.text == key.text:
                return self.value(v)
        return self.value(args[1].value) if len(args) == 2 else None

    def _comprehension(self, node: cst.BaseExpression) -> list[Value | None]:
        """The items of a comprehension over a literal sequence or dict, one value each
        (``f"{name} {kind}" for name, kind in COLUMNS.items()``); ``[None]`` when that is not
        what ``node`` is, or an item is not known."""
        if not isinstance(node, cst.GeneratorExp | cst.ListComp) or self.budget.spent:
            return [None]
        clause = node.for_in
        names = _target_names(clause.target)
        if clause.ifs or clause.inner_for_in or clause.asynchronous or not names:
            return [None]
        rows = self._rows(clause.iter)
        if rows is None:
            return [None]
        out: list[Value | None] = []
        saved = self.bound
        try:
            for row in rows:
                values = [v for v in map(self._item, row) if v is not None]
                if len(values) != len(row) or len(row) != len(names):
                    return [None]
                self.bound = {**saved, **dict(zip(names, values, strict=True))}
                out.append(self.value(node.elt))
        finally:
            self.bound = saved
        return out

    def _item(self, node: cst.BaseExpression) -> Value | None:
        """An item a comprehension iterates: its value, or an object made by a call
        (``types.String()``) whose attributes are read (see ``value``)."""
        got = self.value(node)
        if (got is None or got.placeholders) and isinstance(node, cst.Call) and not node.args:
            return Structure.of_node(node)
        return got

    def _rows(self, node: cst.BaseExpression) -> list[list[cst.BaseExpression]] | None:
        """What each item of a literal sequence or dict unpacks to: ``X.items()`` gives
        key and value, ``X.keys()`` (or ``X``, a dict) the key, ``X.values()`` the value; an
        item of a sequence that is a literal tuple gives its elements."""
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and not node.args:
            part = node.func.attr.value
            pairs = self._mapping(node.func.value) if part in _DICT_VIEWS else None
            if pairs is not None:
                return [
                    [k, v] if part == "items" else [k if part == "keys" else v] for k, v in pairs
                ]
        items = self._sequence(node)
        if items is None:
            pairs = self._mapping(node)
            return None if pairs is None else [[k] for k, _ in pairs]
        return [[e.value for e in i.elements] if isinstance(i, cst.Tuple) else [i] for i in items]

    def _format(self, template: Value, args: Sequence[cst.Arg]) -> Value:
        positional = [
            self.text_or_placeholder(a.value) for a in args if not a.keyword and not a.star
        ]
        return _apply_format(template, positional, self._keywords(args))

    def _template_made(self, node: cst.Call) -> tuple[cst.BaseExpression, bool] | None:
        """For ``Template(text).substitute(...)`` (or ``safe_substitute``), the text, and
        whether the template was taken from a name."""
        func = node.func
        if not isinstance(func, cst.Attribute):
            return None
        if func.attr.value not in ("substitute", "safe_substitute"):
            return None
        made = self.lookups.named(func.value)
        if not isinstance(made, cst.Call) or not made.args or made.args[0].keyword:
            return None
        if _call_name(made.func) not in ("Template", "string.Template"):
            return None
        return made.args[0].value, made is not func.value

    def _keywords(self, args: Sequence[cst.Arg]) -> dict[str, Value]:
        """The values of keyword arguments, those unpacked from a literal dict included."""
        named: dict[str, Value] = {}
        for arg in args:
            if arg.keyword is not None:
                named[arg.keyword.value] = self.text_or_placeholder(arg.value)
            elif arg.star == "**":
                named.update(self._keys(arg.value))
        return named

    def _keys(self, node: cst.BaseExpression) -> dict[str, Value]:
        """The values of the literal dict that ``node`` is or names, by their string keys."""
        return self._pairs(self._mapping(node) or [])

    def _pairs(
        self, pairs: list[tuple[cst.BaseExpression, cst.BaseExpression]]
    ) -> dict[str, Value]:
        """The values of a dict's keys and values, by their string keys."""
        named: dict[str, Value] = {}
        for key, value in pairs:
            got = self.value(key)
            if got is not None and not got.placeholders:
                named[got.text] = self.text_or_placeholder(value)
        return named


_DICT_VIEWS = ("items", "keys", "values")


def _target_names(target: cst.BaseAssignTargetExpression) -> list[str] | None:
    """The names a ``for`` target binds (``name`` or ``name, kind``), if only names."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple):
        names = [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
        return names if len(names) == len(target.elements) else None
    return None


def _call_name(func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return f"{func.value.value}.{func.attr.value}"
    return None


_TEXT_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "textwrap.dedent": textwrap.dedent,
    "dedent": textwrap.dedent,
    "inspect.cleandoc": inspect.cleandoc,
    "cleandoc": inspect.cleandoc,
    "str": str,
}
_STR_METHODS: dict[str, Callable[[str], str]] = {
    "strip": str.strip,
    "lstrip": str.lstrip,
    "rstrip": str.rstrip,
    "upper": str.upper,
    "lower": str.lower,
    "format": str,
    "join": str,
    "replace": str,
}
# Evaluates a call of a method, given the call and its ``owner.method``.
_Method = Callable[[cst.Call, cst.Attribute], Value | None]
