"""Values worked out once: a ``Resolver`` keeps a value that was costly to work out and
reuses it while what it depends on is unchanged (see ``Memo._memoized``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import libcst as cst

from .modules import Context, ModuleIndex
from .values import Budget, Position, Value

_T = TypeVar("_T")

Var = tuple[str, int, str]  # ("param", id(function node), name) or ("loop", id(iterable), name)
Key = tuple[int, Any]  # what is being worked out: in ``Resolver._active`` or ``_assigning``
# A name assigned different known strings: the name, then each value and where it is
# assigned, the one documented first.
Choice = tuple[str, tuple[tuple[str, Position | None], ...]]

CLASS_MODULES = "()"  # consulted: the modules of the classes of ``self`` (see ``_consult``)
_MAX_DEPTH = 40  # values worked out within one another
_WORTH_KEEPING = 32  # steps: a value that takes fewer is worked out again


@dataclass
class Recording:
    """What evaluating an expression read: its variables, and the names whose value
    depends on the path the code takes (the first value stands for them)."""

    reads: dict[Var, None] = field(default_factory=dict)  # in the order first read
    choices: set[Choice] = field(default_factory=set)


@dataclass
class _Frame(Recording):
    """Working out one value: what it recorded and did, to be done again when the value is
    reused, and what the value depends on besides its expression and context: the values
    bound to the variables it looked up when it began, the keys it put in ``_active`` or
    ``_assigning`` (none may be there when it is reused) and the others it found there (all
    must be), and how deep it nested values (see ``Resolver._too_deep``)."""

    bound: dict[Var, Value] = field(default_factory=dict)
    depth: int = 0  # values being worked out when it began
    looked: dict[Var, Value | None] = field(default_factory=dict)
    held: set[Key] = field(default_factory=set)
    met: set[Key] = field(default_factory=set)
    reach: int = 0  # values it nested below its own
    limited: bool = False  # whether it nested them too deeply
    dispatched: bool = False  # whether it consulted the class ``self`` is
    consulted: set[str] = field(default_factory=set)  # the names it consulted it for
    templates: set[tuple[Position | None, str]] = field(default_factory=set)
    accessed: set[str] = field(default_factory=set)
    steps: int = 0  # what it cost
    weight: int = 0

    def look(self, var: Var) -> None:
        self.looked.setdefault(var, self.bound.get(var))

    def meet(self, key: Key) -> None:
        if key not in self.held:
            self.met.add(key)

    def absorb(self, inner: _Frame, depth: int) -> None:
        """What ``inner`` depends on and did, worked out within this one from ``depth``."""
        for var in inner.looked:
            self.look(var)
        self.held |= inner.held
        for key in inner.met:
            self.meet(key)
        self.reach = max(self.reach, depth + inner.reach - self.depth)
        self.limited |= inner.limited
        self.dispatched |= inner.dispatched
        self.consulted |= inner.consulted
        self.templates |= inner.templates


class Memo:
    """The memoisation of ``Resolver``: what it keeps, and the frames of the values being
    worked out (the attributes are set by ``Resolver``)."""

    modules: ModuleIndex
    templates: set[tuple[Position | None, str]]
    overrides: dict[Var, Value]
    dispatched: bool
    consulted: set[str]
    _recordings: list[Recording]
    _frames: list[_Frame]
    _memo: dict[tuple[Any, ...], tuple[Any, _Frame]]
    _costly: set[tuple[Any, ...]]
    _active: set[Key]
    _assigning: set[Key]
    _budget: Budget | None

    def _memoized(
        self,
        kind: str,
        node: cst.BaseExpression,
        ctx: Context,
        work: Callable[[], _T],
        ran_out: Callable[[], _T],
    ) -> _T:
        """``work()``, the ``kind`` of value of ``node`` in ``ctx``, reused when what it
        depends on is unchanged (see ``_Frame``) and the budget affords what working it out
        cost: results, and what is recorded, do not depend on what was worked out before.
        ``ran_out()`` when the budget is spent in working it out.

        Only a value that cost ``_WORTH_KEEPING`` steps is kept, once worked out again: what
        it depends on is followed from then on."""
        budget = self._budget
        assert budget is not None
        loops = ctx.loops and tuple(map(id, ctx.loops))
        key = (kind, id(node), id(ctx.parsed), id(ctx.function), id(ctx.cls), loops)
        known = self._memo.get(key)
        if known is not None and self._reusable(known[1], budget):
            budget.spend(known[1].steps, known[1].weight)
            self._replay(known[1])
            return known[0]
        steps, weight = budget.steps, budget.weight
        if key not in self._costly:
            got = work()
            if budget.spent:
                return ran_out()
            if steps - budget.steps >= _WORTH_KEEPING:
                self._costly.add(key)
            return got
        frame = _Frame(bound=dict(self.overrides), depth=len(self._active))
        self._frames.append(frame)
        self._recordings.append(frame)
        outer, self.modules.accessed = self.modules.accessed, frame.accessed
        try:
            got = work()
        finally:
            self.modules.accessed = outer
            outer |= frame.accessed
            self._recordings.pop()
            self._frames.pop()
        if self._frames:
            self._frames[-1].absorb(frame, frame.depth)
        if budget.spent:
            return ran_out()
        frame.steps, frame.weight = steps - budget.steps, weight - budget.weight
        self._memo[key] = (got, frame)
        return got

    def _reusable(self, frame: _Frame, budget: Budget) -> bool:
        working = (self._active, self._assigning)
        depth = len(self._active)
        return (
            budget.affords(frame.steps, frame.weight)
            and (depth == frame.depth if frame.limited else depth + frame.reach <= _MAX_DEPTH)
            and all(self.overrides.get(var) == was for var, was in frame.looked.items())
            and all(keys.isdisjoint(frame.held) for keys in working)
            and all(any(key in keys for keys in working) for key in frame.met)
        )

    def _replay(self, frame: _Frame) -> None:
        """Record and do again what working out ``frame``'s value recorded and did."""
        for recording in self._recordings:
            for var in frame.reads:
                recording.reads.setdefault(var)
            recording.choices |= frame.choices
        if self._frames:
            self._frames[-1].absorb(frame, len(self._active))
        self.dispatched |= frame.dispatched
        self.consulted |= frame.consulted
        self.templates |= frame.templates
        self.modules.accessed |= frame.accessed

    def _too_deep(self) -> bool:
        """Whether values are nested too deeply to work out one more."""
        depth = len(self._active)
        if self._frames:
            frame = self._frames[-1]
            frame.reach = max(frame.reach, depth - frame.depth)
            frame.limited |= depth > _MAX_DEPTH
        return depth > _MAX_DEPTH

    def _met(self, key: Key) -> bool:
        """``key`` was found being worked out (in ``_active`` or ``_assigning``)."""
        if self._frames:
            self._frames[-1].meet(key)
        return True

    def _enter(self, key: Key, keys: set[Key]) -> None:
        """``key`` is being worked out (in ``keys``, until discarded)."""
        if self._frames:
            self._frames[-1].held.add(key)
        keys.add(key)

    def _dispatch(self, name: str) -> None:
        """The class ``self`` is was consulted for ``name`` (its value can differ)."""
        self.dispatched = True
        if self._frames:
            self._frames[-1].dispatched = True
        self._consult(name)

    def _consult(self, name: str) -> None:
        """What ``self`` is named ``name`` was looked at (``CLASS_MODULES``: the modules of
        its classes were)."""
        self.consulted.add(name)
        if self._frames:
            self._frames[-1].consulted.add(name)
