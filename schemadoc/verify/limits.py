"""The deadline of each statement, kept from outside, and the costly built-in functions
replaced by checked calls of themselves.

A watchdog thread interrupts a statement still running at its deadline, and a statement that
ends past it is stopped all the same. SQLite sees an interrupt only between the steps of its
virtual machine, never inside one call of a function, so the built-in functions one call of
which can take minutes are replaced by checked calls of themselves: ``instr``, ``replace``,
``trim``, ``like``, ``glob`` and ``json_patch`` may compare each character of one argument
with each of another, and ``printf``'s ``%c`` repeats a character as often as its precision
says (up to 2**31 times, past any length limit). A call that would cost more than CALL_COST,
or that comes past the deadline, stops the statement.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import apsw

if TYPE_CHECKING:
    from .sandbox import Sandbox

CALL_COST = 100_000_000  # one checked call: characters compared pairwise, or repeated

# Built-in functions that may compare each character of their first argument with each
# character of their second, by name and number of arguments.
_QUADRATIC = (
    ("instr", 2),
    ("replace", 3),
    ("trim", 2),
    ("ltrim", 2),
    ("rtrim", 2),
    ("like", 2),
    ("like", 3),
    ("glob", 2),
    ("json_patch", 2),
)
_FORMATS = ("printf", "format")  # %c repeats its character as often as its precision says
# A printf conversion as SQLite reads it: flags, width, precision, size, conversion character.
_CONVERSION = re.compile(r"%[-+ #!0,]*(?:[0-9]+|\*)?(?:\.(\*|[0-9]*))?(?:ll?)?(.?)", re.DOTALL)
_LEADING_INTEGER = re.compile(r"\s*[-+]?0*([0-9]{1,11})")
_INT_MAX = 2**31 - 1


class Deadline(Exception):
    """A statement ran past its deadline."""


def _size(value: object) -> int:
    """The length of ``value`` as text (about, for a number)."""
    if value is None:
        return 0
    return len(value if isinstance(value, (str, bytes)) else str(value))


def _pairwise_cost(args: tuple) -> int:
    return _size(args[0]) * _size(args[1])


def _int_bound(value: object) -> int:
    """At least the size of ``value`` read as printf's ``*`` width or precision (a C int)."""
    if isinstance(value, (str, bytes)):
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        found = _LEADING_INTEGER.match(text)
        value = int(found[1]) if found else 0
    if isinstance(value, (int, float)) and value == value:  # NaN reads as 0
        return int(min(abs(value), _INT_MAX))
    return 0


def _format_cost(args: tuple) -> int:
    """How many characters the ``%c`` conversions of ``printf(*args)`` repeat, at most."""
    fmt = args[0] if args else None
    if not isinstance(fmt, (str, bytes)):
        return 0
    text = fmt.decode("latin-1") if isinstance(fmt, bytes) else fmt
    widest = max(map(_int_bound, args[1:]), default=0)
    return sum(
        widest if precision == "*" else int(precision[-31:] or 1) % 2**31
        for precision, conversion in _CONVERSION.findall(text)
        if conversion == "c"
    )


class _Watchdog:
    """One thread for the process that interrupts each statement still running at its
    deadline. It runs while a scratch database is open; each watch has a token of its own, so
    a deadline never reaches a statement it was not set for."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._watched: dict[int, tuple[float, Sandbox]] = {}  # by token: deadline, database
        self._tokens = itertools.count()
        self._open = 0  # scratch databases
        self._wake_at = math.inf
        self._thread: threading.Thread | None = None

    def opened(self) -> None:
        with self._lock:
            self._open += 1

    def closed(self) -> None:
        """One scratch database fewer; with the last one the thread ends."""
        with self._lock:
            self._open -= 1
            thread = None
            if not self._open:
                thread, self._thread = self._thread, None
                self._lock.notify_all()
        if thread is not None:
            thread.join()

    @contextmanager
    def watching(self, box: Sandbox, stop_at: float) -> Iterator[None]:
        """Interrupt ``box`` if the block still runs at ``stop_at``."""
        with self._lock:
            token = next(self._tokens)
            self._watched[token] = (stop_at, box)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="schemadoc-watchdog", daemon=True
                )
                self._thread.start()
            elif stop_at < self._wake_at:
                self._lock.notify_all()
        try:
            yield
        finally:
            with self._lock:
                self._watched.pop(token, None)

    def _watch(self) -> None:
        me = threading.current_thread()
        with self._lock:
            while self._thread is me:
                now = time.monotonic()
                for token, (stop_at, box) in list(self._watched.items()):
                    if stop_at <= now:
                        del self._watched[token]
                        box._interrupt()
                self._wake_at = min((s for s, _box in self._watched.values()), default=math.inf)
                self._lock.wait(None if self._wake_at == math.inf else self._wake_at - now)


_WATCHDOG = _Watchdog()


def check_costly_calls(box: Sandbox) -> None:
    """Replace the costly built-in functions (see above) by checked calls of themselves,
    made in a connection of their own. They are innocuous (pure functions of their
    arguments, as the built-ins are), so schema objects may use them with
    ``trusted_schema`` off."""
    costly = [(name, n, _pairwise_cost) for name, n in _QUADRATIC]
    costly += [(name, -1, _format_cost) for name in _FORMATS]
    for name, arguments, cost in costly:
        try:  # a function this SQLite lacks stays missing
            box._builtins.execute(
                f"EXPLAIN SELECT {name}({', '.join(['NULL'] * abs(arguments))})"
            ).fetchall()
        except apsw.Error:
            continue
        box.conn.create_scalar_function(
            name,
            _checked(box, name, cost),
            arguments,
            deterministic=True,
            flags=apsw.SQLITE_INNOCUOUS,
        )


def _checked(box: Sandbox, name: str, cost: Callable[[tuple], int]) -> Callable[..., Any]:
    """``name`` for scanned SQL: a call stops the statement if it comes past the deadline
    or would cost more than CALL_COST; what the built-in raises is kept for the report."""

    def call(*args: Any) -> Any:
        if box._stop_at < math.inf and box._late():  # within a late statement
            raise Deadline
        if cost(args) > CALL_COST:
            box._costly, box._timed_out = name, True
            raise Deadline
        sql = f"SELECT {name}({', '.join('?' * len(args))})"
        try:
            return box._builtins.execute(sql, args).fetchall()[0][0]
        except (apsw.Error, MemoryError) as exc:
            box._call_failure = exc
            raise

    return call
