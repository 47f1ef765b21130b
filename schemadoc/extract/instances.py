"""DDL built from parameters and loop variables, instantiated once per value they take:
the call sites that pass them (followed up the callers that pass them on), the items of
the loops, combined where they can go together."""

from __future__ import annotations

import re

import libcst as cst

from ..pyeval.classes import ClassKey
from ..pyeval.formatting import mark_templates
from ..pyeval.memo import Var
from ..pyeval.modules import Context, ModuleIndex, ParsedModule
from ..pyeval.resolve import Resolver, VarInfo
from ..pyeval.scope import ClassInfo, FunctionScope
from ..pyeval.values import Value
from ..pyeval.walk import walk
from .finder import Found, Subclasses, Walker
from .fragments import Fragment, holds_ddl
from .reach import Reach


class Calls(Walker):
    """Every call in a module, by the name called (``f(...)`` or ``x.f(...)``)."""

    def __init__(self, parsed: ParsedModule) -> None:
        super().__init__(parsed)
        self.calls: dict[str, list[tuple[cst.Call, Context]]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if isinstance(name, str):
            self.calls.setdefault(name, []).append((node, self.context()))


# A word called (``name(``, ``name (``; not starting with a digit), matched in the text
# reversed: the search then starts only at each ``(``, not at every letter (4x faster).
_CALLED_REVERSED = re.compile(rb"\(\s*([A-Za-z0-9_]*[A-Za-z_])(?![A-Za-z0-9_])")


def called_names(data: bytes) -> set[str]:
    """The names that Python source ``data`` calls: each whole word, not starting with a
    digit, followed by ``(`` (spaces between allowed)."""
    return {name[::-1].decode() for name in set(_CALLED_REVERSED.findall(data[::-1]))}


def _package(display: str) -> str:
    """The top folder of a file: call sites are looked for in the file's own package."""
    return display.split("/", 1)[0] + "/" if "/" in display else ""


_MAX_INSTANCES = 16
_SELF: Var = ("self", 0, "")  # the class of the object a call works on (see ``_instance``)
_CHAIN = 4  # calls that pass on what they were given, followed up to their callers
Assignment = dict[Var, Value]  # values of variables that go together


class Instantiator:
    """Re-evaluates DDL built from parameters and loop variables, once per value they take."""

    def __init__(
        self,
        resolver: Resolver,
        modules: ModuleIndex,
        subclasses: Subclasses,
        reach: Reach,
        tests: frozenset[str] = frozenset(),
    ) -> None:
        self.resolver = resolver
        self.modules = modules
        self.subclasses = subclasses
        self.reach = reach
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
                for called in called_names(data):
                    index.setdefault(called, []).append(display)
            self._call_index[package] = index
        return self._call_index[package]

    def _calls_named(self, name: str, near: str) -> list[tuple[cst.Call, Context]]:
        """Calls of ``name`` in the package of the file ``near`` (not in test code, unless
        ``near`` is test code: what a test passes never replaces what production does), in
        files that can name what ``near`` defines (see ``Reach``). A call runs one of
        ``near``'s classes, functions or methods only where it resolves to it: by its name,
        or through ``self`` in a subclass, both named by an import in another package."""
        calls: list[tuple[cst.Call, Context]] = []
        for display in self._called(_package(near)).get(name, []):
            if display in self.tests and near not in self.tests:
                continue
            if not self.reach.can_name(display, near):
                continue
            calls.extend(self._calls_in(name, display))
        return calls

    def _calls_in(self, name: str, display: str) -> list[tuple[cst.Call, Context]]:
        """Calls of ``name`` in the file ``display``."""
        if display not in self._module_calls:
            parsed = self.modules.parsed(display)
            walker = Calls(parsed) if parsed is not None else None
            if walker is not None:
                walk(parsed.module, walker)  # type: ignore[union-attr]
            self._module_calls[display] = walker.calls if walker else {}
        self.modules.accessed.add(display)
        return self._module_calls[display].get(name, [])

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
            # ``super().__init__(...)`` and ``Base.__init__(self, ...)`` in the subclasses
            inits = [c for cls in classes[1:] for c in self._calls_in("__init__", cls.display)]
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

    def expand(self, found: Found) -> list[Fragment]:
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
                out.append(Fragment(value, found.fragment.path, found.fragment.origin))
        # Where some calls tell every value, a call that leaves one unknown adds nothing.
        if any(not f.value.placeholders for f in out):
            out = [f for f in out if not f.value.placeholders]
        return out or [found.fragment]


def _axis(var: Var) -> Var:
    """What ``var`` takes its values with: the other parameters of its function, or the
    other variables of its loop."""
    return (var[0], var[1], "")
