"""Classes for a ``Resolver``: the class an expression names, a class's project bases (its
``mro``, outlined once per file), the class that defines a name, and the value of an attribute
for an object of a class (properties, and what ``__getattr__`` makes of a name)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from .memo import CLASS_MODULES
from .modules import Context, ModuleIndex, ParsedModule
from .scope import ClassInfo, decorators
from .values import Value

ClassKey = tuple[str, int, str]  # a class: its file, its place among the file's classes, its name


class Classes:
    """The class lookups of ``Resolver`` (the attributes are set, and ``value``,
    ``binding_value`` and ``bound`` defined, by ``Resolver``)."""

    modules: ModuleIndex
    _bases: dict[ClassKey, tuple[tuple[ClassKey, ...], frozenset[str]]]
    _names: dict[ClassKey, tuple[frozenset[str], frozenset[str]]]
    _redefined: dict[tuple[ClassKey, ClassKey], tuple[frozenset[str], frozenset[str]]]

    def find_class(self, expr: cst.BaseExpression, parsed: ParsedModule) -> ClassInfo | None:
        """The class an expression names (``Base``, ``models.Base``), if it is in the project."""
        if isinstance(expr, cst.Name):
            if expr.value in parsed.scope.classes:
                return parsed.scope.classes[expr.value]
            module, attr = parsed.scope.imports.get(expr.value, ("", None))
            if attr and self.modules.may_define_class(module, attr):
                other = self.modules.module(module, attr)
                if other is not None and attr in other.scope.classes:
                    return other.scope.classes[attr]
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            module, sub = parsed.scope.imports.get(expr.value.value, ("", None))
            dotted, name = f"{module}.{sub}" if sub else module, expr.attr.value
            if module and self.modules.may_define_class(dotted, name):
                other = self.modules.module(dotted, name)
                if other is not None and name in other.scope.classes:
                    return other.scope.classes[name]
        return None

    def mro(self, info: ClassInfo) -> list[ClassInfo]:
        """The class and its project bases, nearest first."""
        return [c for c in map(self.class_of, self.ancestors(info)) if c is not None]

    def ancestors(self, info: ClassInfo) -> list[ClassKey]:
        """The classes of ``mro``, without parsing the modules of those already outlined."""
        return list(self._walk(info))

    def owner(self, info: ClassInfo, name: str, methods_only: bool = False) -> ClassInfo | None:
        """The nearest class of ``info``'s ``mro`` that defines ``name`` (a method, or also a
        class or instance attribute). Bases past it are not looked at."""
        for key in self._walk(info):
            methods, attributes = self._names_of(key)
            if name in methods or (not methods_only and name in attributes):
                return self.class_of(key)
        return None

    def redefines(self, sub: ClassInfo, cls: ClassInfo, names: set[str]) -> bool:
        """Whether, for an object of ``sub`` (a subclass of ``cls``), a name in ``names``
        that ``self`` is consulted for can mean other than for one of ``cls``: a class of
        ``sub``'s ``mro`` that is not of ``cls``'s defines it (or ``__getattr__``), or the
        modules of its classes were consulted (``CLASS_MODULES``)."""
        pair = (sub.key, cls.key)
        if pair not in self._redefined:
            self._redefined[pair] = self.modules.tracked(lambda: self._defined_below(sub, cls))
        defined, read = self._redefined[pair]
        self.modules.accessed |= read
        return "__getattr__" in defined or not names.isdisjoint(defined)

    def _defined_below(self, sub: ClassInfo, cls: ClassInfo) -> frozenset[str]:
        """The names the classes of ``sub``'s ``mro`` that are not of ``cls``'s define (with
        ``CLASS_MODULES`` when there are such classes)."""
        inherited = set(self._walk(cls))
        extra = [key for key in self._walk(sub) if key not in inherited]
        defined = {name for key in extra for kind in self._names_of(key) for name in kind}
        return frozenset(defined | ({CLASS_MODULES} if extra else set()))

    def class_of(self, key: ClassKey) -> ClassInfo | None:
        """The class a key names, from its module (parsed again if it was dropped)."""
        parsed = self.modules.parsed(key[0])
        classes = parsed.scope.all_classes if parsed is not None else []
        found = classes[key[1]] if key[1] < len(classes) else None
        return found if found is not None and found.name == key[2] else None

    def _walk(self, info: ClassInfo) -> Iterator[ClassKey]:
        """The class, then its bases breadth first (each once, 20 at most), outlined as the
        walk reaches them."""
        seen: list[ClassKey] = []
        pending = [info.key]
        while pending and len(seen) < 20:
            key = pending.pop(0)
            if key in seen:
                continue
            seen.append(key)
            yield key
            pending.extend(self._bases_of(key))

    def _bases_of(self, key: ClassKey) -> tuple[ClassKey, ...]:
        """The project bases of a class; the files that told count as read again."""
        if key not in self._bases:
            self._bases[key] = self.modules.tracked(lambda: self._find_bases(key))
        bases, read = self._bases[key]
        self.modules.accessed |= read
        return bases

    def _find_bases(self, key: ClassKey) -> tuple[ClassKey, ...]:
        cls, parsed = self.class_of(key), self.modules.parsed(key[0])
        if cls is None or parsed is None:
            return ()
        return tuple(b.key for b in (self.find_class(x, parsed) for x in cls.bases) if b)

    def _names_of(self, key: ClassKey) -> tuple[frozenset[str], frozenset[str]]:
        """The methods and the (class or instance) attributes a class defines."""
        if key not in self._names:
            cls = self.class_of(key)
            self._names[key] = (
                (frozenset(cls.methods), frozenset(cls.attrs) | frozenset(cls.instance_attrs))
                if cls is not None
                else (frozenset(), frozenset())
            )
        self.modules.accessed.add(key[0])
        return self._names[key]

    def class_attr(self, cls: ClassInfo, attr: str) -> Value | None:
        """``self.attr`` for an object of class ``cls`` (properties included, and what its
        ``__getattr__`` makes of the name)."""
        owner = self.owner(cls, attr)
        if owner is None:
            return self._served(cls, attr)
        parsed = self.modules.parsed(owner.display)
        if parsed is None:
            return None
        ctx = Context(parsed, None, cls)
        if attr in owner.attrs:
            return self.binding_value(owner.attrs[attr], ctx, attr)
        if attr in owner.instance_attrs:
            return self.binding_value(owner.instance_attrs[attr], ctx, f"self.{attr}")
        method = owner.methods[attr]
        if decorators(method) & {"property", "cached_property"}:
            scope = parsed.scope.functions.get(method)
            if scope is None or scope.returned is None:
                return None
            return self.value(scope.returned, Context(parsed, scope, cls))
        return None

    def _served(self, cls: ClassInfo, attr: str) -> Value | None:
        """What ``cls.__getattr__`` returns for the name ``attr``, when it returns one
        expression of the name (``return name.lower()``)."""
        owner = self.owner(cls, "__getattr__", methods_only=True)
        parsed = self.modules.parsed(owner.display) if owner is not None else None
        if owner is None or parsed is None:
            return None
        scope = parsed.scope.functions.get(owner.methods["__getattr__"])
        names = list(scope.params) if scope is not None else []
        if scope is None or scope.returned is None or len(names) != 2:
            return None
        with self.bound({("param", id(scope.node), names[1]): Value.of(attr)}):
            return self.value(scope.returned, Context(parsed, scope, cls))

    def _made(self, call: cst.Call, ctx: Context) -> ClassInfo | None:
        """The class ``call`` constructs (``types.String()``), named in the module at hand or,
        for a class attribute's value (``_fields = {"title": types.String()}``), in the
        module of a class of ``ctx``'s."""
        modules = [ctx.parsed]
        if ctx.cls is not None:
            self._consult(CLASS_MODULES)
            modules += [self.modules.parsed(c.display) for c in self.mro(ctx.cls)]
        for parsed in modules:
            found = self.find_class(call.func, parsed) if parsed is not None else None
            if found is not None:
                return found
        return None
