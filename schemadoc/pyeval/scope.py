"""What a module binds statically: constants, classes, imports and function locals.

Built from a libcst module without executing it. Used to resolve the names that string
building refers to (``f"CREATE TABLE {TABLE}"``, ``self.table``, ``Base.SCHEMA``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from .walk import children


@dataclass
class Binding:
    """The expressions a name was assigned, and the function whose locals they read."""

    exprs: list[cst.BaseExpression] = field(default_factory=list)
    function: cst.FunctionDef | None = None
    loop: bool = False  # a ``for`` target: ``exprs`` holds the iterable
    unpacked: tuple[str, ...] = ()  # a ``for a, b in ...`` target: all its names, in order


@dataclass
class ClassInfo:
    name: str
    node: cst.ClassDef
    bases: list[cst.BaseExpression]
    display: str = ""  # file the class is defined in
    attrs: dict[str, Binding] = field(default_factory=dict)
    instance_attrs: dict[str, Binding] = field(default_factory=dict)
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)
    index: int = 0  # its place among the classes of its module (``ModuleScope.all_classes``)

    @property
    def key(self) -> tuple[str, int, str]:
        """The class, whichever parse of its module this object comes from."""
        return (self.display, self.index, self.name)


@dataclass
class FunctionScope:
    node: cst.FunctionDef
    params: dict[str, cst.BaseExpression | None]
    locals: dict[str, Binding]
    owner: ClassInfo | None
    star: str | None = None  # name of the ``*args`` parameter
    returned: cst.BaseExpression | None = None  # what it returns, when it has one ``return``


@dataclass
class ModuleScope:
    name: str  # dotted module name
    constants: dict[str, Binding] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    all_classes: list[ClassInfo] = field(default_factory=list)  # nested ones too, in order
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    functions: dict[cst.FunctionDef, FunctionScope] = field(default_factory=dict)
    module_functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    loops: dict[str, Binding] = field(default_factory=dict)  # module-level ``for`` targets


def _targets(
    node: cst.BaseSmallStatement,
) -> Iterator[tuple[cst.BaseExpression, cst.BaseExpression]]:
    if isinstance(node, cst.Assign):
        for target in node.targets:
            yield target.target, node.value
    elif isinstance(node, cst.AnnAssign) and node.value is not None:
        yield node.target, node.value


def _statements(body: cst.BaseSuite) -> Iterator[cst.CSTNode]:
    """Statements of a block and of its nested control flow, in source order; not those of
    nested defs."""
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop(0)
        if isinstance(node, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            yield node
        elif isinstance(node, cst.IndentedBlock):
            stack[:0] = list(node.body)
        elif isinstance(node, cst.FunctionDef | cst.ClassDef):
            continue
        elif isinstance(node, cst.BaseCompoundStatement):
            yield node
            stack[:0] = [
                c
                for c in children(node)
                if isinstance(
                    c,
                    cst.BaseSuite
                    | cst.BaseCompoundStatement
                    | cst.Else
                    | cst.ExceptHandler
                    | cst.Finally,
                )
            ]
        elif isinstance(node, cst.Else | cst.ExceptHandler | cst.Finally):
            stack[:0] = [node.body]


def _simple_statements(body: cst.BaseSuite) -> Iterator[cst.BaseSmallStatement]:
    """Small statements of a block and its nested control flow, not of nested defs."""
    for node in _statements(body):
        if isinstance(node, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            yield from node.body


def _dotted(node: cst.BaseExpression | None) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _import_base(module: str, node: cst.ImportFrom) -> str:
    name = _dotted(node.module) if node.module else ""
    if not node.relative:
        return name
    parts = module.split(".")
    base = parts[: len(parts) - len(node.relative)]
    return ".".join([*base, name] if name else base)


def decorators(fn: cst.FunctionDef) -> set[str]:
    """Names of a function's decorators (``property``, ``staticmethod``, ...)."""
    names = set()
    for dec in fn.decorators:
        node = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        names.add(node.attr.value if isinstance(node, cst.Attribute) else _dotted(node))
    return names


def loop_names(node: cst.For) -> tuple[str, ...]:
    """The names a ``for`` loop binds (``for name in`` or ``for a, b in``); none for other
    targets."""
    if isinstance(node.target, cst.Name):
        return (node.target.value,)
    if isinstance(node.target, cst.Tuple | cst.List):
        names = [
            e.value.value
            for e in node.target.elements
            if isinstance(e, cst.Element) and isinstance(e.value, cst.Name)
        ]
        if len(names) == len(node.target.elements):
            return tuple(names)
    return ()


def loop_binding(node: cst.For, fn: cst.FunctionDef | None = None) -> Binding:
    """What a name of a ``for`` loop's target is bound to: the loop's iterable."""
    names = loop_names(node)
    return Binding([node.iter], fn, loop=True, unpacked=names if len(names) > 1 else ())


def _loops(body: cst.BaseSuite) -> Iterator[cst.For]:
    """The ``for`` loops of a function's block, in source order."""
    return (node for node in _statements(body) if isinstance(node, cst.For))


def build_scope(
    module: cst.Module, name: str, is_package: bool = False, display: str = ""
) -> ModuleScope:
    """Index what ``module`` binds: constants, classes with attributes, imports, functions."""
    builder = _ScopeBuilder(name, is_package, display)
    builder.visit_block(module.body, True)
    return builder.scope


class _ScopeBuilder:
    """Fills a ModuleScope, statement by statement (methods, not closures: a recursive
    closure is a reference cycle that would keep the module's tree alive until the garbage
    collector runs)."""

    def __init__(self, name: str, is_package: bool, display: str) -> None:
        self.scope = ModuleScope(name)
        self.display = display
        package_name = name if is_package else name.rpartition(".")[0]
        self.relative_anchor = f"{package_name}.__init__" if package_name else "__init__"

    def collect_function(self, fn: cst.FunctionDef, owner: ClassInfo | None) -> None:
        params: dict[str, cst.BaseExpression | None] = {}
        p = fn.params
        for param in [*p.posonly_params, *p.params, *p.kwonly_params]:
            params[param.name.value] = param.default
        locals_: dict[str, Binding] = {}
        returns: list[cst.BaseExpression] = []
        for small in _simple_statements(fn.body):
            if isinstance(small, cst.Return) and small.value is not None:
                returns.append(small.value)
            for target, value in _targets(small):
                if isinstance(target, cst.Name):
                    locals_.setdefault(target.value, Binding(function=fn)).exprs.append(value)
                elif (
                    owner is not None
                    and isinstance(target, cst.Attribute)
                    and isinstance(target.value, cst.Name)
                    and target.value.value == "self"
                ):
                    owner.instance_attrs.setdefault(
                        target.attr.value, Binding(function=fn)
                    ).exprs.append(value)
        for loop in _loops(fn.body):
            for loop_name in loop_names(loop):
                if loop_name not in locals_:
                    locals_[loop_name] = loop_binding(loop, fn)
        star = p.star_arg.name.value if isinstance(p.star_arg, cst.Param) else None
        self.scope.functions[fn] = FunctionScope(
            fn, params, locals_, owner, star, returns[0] if len(returns) == 1 else None
        )

    def collect_class(self, cls: cst.ClassDef) -> ClassInfo:
        info = ClassInfo(cls.name.value, cls, [a.value for a in cls.bases], self.display)
        info.index = len(self.scope.all_classes)
        self.scope.all_classes.append(info)
        for stmt in cls.body.body:
            if isinstance(stmt, cst.FunctionDef):
                info.methods.setdefault(stmt.name.value, stmt)
                self.collect_function(stmt, info)
            elif isinstance(stmt, cst.ClassDef):
                self.collect_class(stmt)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    for target, value in _targets(small):
                        if isinstance(target, cst.Name):
                            info.attrs.setdefault(target.value, Binding()).exprs.append(value)
        self.scope.classes.setdefault(info.name, info)
        return info

    def visit_block(self, stmts: list[cst.CSTNode] | tuple[cst.CSTNode, ...], top: bool) -> None:
        for stmt in stmts:
            if isinstance(stmt, cst.ClassDef):
                self.collect_class(stmt)
            elif isinstance(stmt, cst.FunctionDef):
                self.collect_function(stmt, None)
                if top:
                    self.scope.module_functions.setdefault(stmt.name.value, stmt)
                self.visit_nested(stmt.body)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._visit_small(small, top)
            elif isinstance(stmt, cst.BaseCompoundStatement):
                self._visit_compound(stmt, top)

    def _visit_small(self, small: cst.BaseSmallStatement, top: bool) -> None:
        """An import, or at the top level an assignment to a module constant."""
        scope = self.scope
        if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            base = (
                _import_base(self.relative_anchor, small)
                if small.relative
                else _dotted(small.module)
            )
            for alias in small.names:
                local = alias.evaluated_alias or alias.evaluated_name
                scope.imports[local] = (base, alias.evaluated_name)
        elif isinstance(small, cst.Import):
            for alias in small.names:
                local = alias.evaluated_alias or alias.evaluated_name.split(".")[0]
                target = alias.evaluated_name if alias.asname else local
                scope.imports[local] = (target, None)
        elif top:
            for target, value in _targets(small):
                if isinstance(target, cst.Name):
                    scope.constants.setdefault(target.value, Binding()).exprs.append(value)

    def _visit_compound(self, stmt: cst.BaseCompoundStatement, top: bool) -> None:
        """The blocks of an ``if``, ``for``, ``try``, ``with``...; at the top level, the
        variables of a ``for`` loop."""
        if top and isinstance(stmt, cst.For):
            for loop_name in loop_names(stmt):
                self.scope.loops.setdefault(loop_name, loop_binding(stmt))
        for child in children(stmt):
            if isinstance(child, cst.IndentedBlock):
                self.visit_block(child.body, top)
            elif isinstance(child, cst.Else | cst.ExceptHandler | cst.Finally):
                self.visit_block(getattr(child.body, "body", ()), top)
            elif isinstance(child, cst.If):
                self.visit_block([child], top)

    def visit_nested(self, body: cst.BaseSuite) -> None:
        """Functions and classes defined inside functions."""
        for node in _walk_defs(body):
            if isinstance(node, cst.FunctionDef):
                self.collect_function(node, None)
            else:
                self.collect_class(node)


def _walk_defs(body: cst.CSTNode) -> Iterator[cst.FunctionDef | cst.ClassDef]:
    for child in children(body):
        if isinstance(child, cst.FunctionDef):
            yield child
            yield from _walk_defs(child.body)
        elif isinstance(child, cst.ClassDef):
            yield child
        elif isinstance(
            child,
            cst.BaseSuite | cst.BaseCompoundStatement | cst.Else | cst.ExceptHandler | cst.Finally,
        ):
            yield from _walk_defs(child)
