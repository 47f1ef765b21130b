"""Reading scanned files: the cheap DDL test on raw bytes, decoding, Python's own parse.

Nothing here imports libcst or sqlglot at load time, so a run that finds nothing changed stays
cheap; libcst is loaded only for source written for a newer Python than the running one.
"""

from __future__ import annotations

import ast
import functools
import io
import keyword
import re
import tokenize
from typing import TYPE_CHECKING, Any

from ..model.diagnostics import SD101, SD102
from ..model.schema import Diagnostic

if TYPE_CHECKING:
    import libcst as cst


# The shape of a DDL statement in source text: the verb, then the object kind, with only
# quotes, concatenation, line breaks, comments or a template field between them. No false
# negatives for literals split across adjacent strings (even inside a keyword:
# ``"CR" "EATE TABLE"``), ``"CREATE TABLE " + name`` or lower case.
# Besides single characters, what may stand between keywords: a comment (Python's, or SQL's
# ``-- ...`` and short ``/* ... */``), a string prefix, a ``%s`` or a template field.
_ITEMS = r"""#[^\n]*+|--[^\n]*+|/\*[^*]{0,80}\*/|\b[rRbBuUfF]{1,2}(?=["'])|%s|\{[^{}\n]{0,40}\}"""
# At least one space or quote: ``df.drop(index=...)`` is code, not SQL. The first of them
# ends what comes before, so that a long gap is read once, not once per space in it.
_GAP = rf"""(?:[+\\(),]|{_ITEMS})*[\s"'](?:[\s"'+\\(),]|{_ITEMS})*"""
# Where Python joins two literals: closing quotes, spaces, comments, ``+`` or a line
# continuation, an opening prefix and quotes.
_JOIN = r"""(?:["']+(?:[\s+\\]|#[^\n]*+)*(?:[rRbBuUfF]{1,2})?["']+)?"""


def _keyword(*words: str) -> str:
    """Any of ``words``, each possibly split where Python joins two literals."""
    return "(?:" + "|".join(_JOIN.join(word) for word in words) + ")"


SHAPE = (
    rf"{_keyword('create', 'alter', 'drop')}{_GAP}"
    rf"(?:{_keyword('temp', 'temporary', 'unique', 'virtual')}\b{_GAP})*"
    rf"{_keyword('table', 'index', 'view', 'trigger')}\b"
)


@functools.cache
def shape_text() -> re.Pattern[str]:
    """``SHAPE`` for text in any case; compiled when first used (12 ms: a run that reads
    no file does without it)."""
    return re.compile(SHAPE, re.IGNORECASE)


@functools.cache
def _shape_lower_bytes() -> re.Pattern[bytes]:
    """``SHAPE`` for bytes already in lower case."""
    return re.compile(SHAPE.encode())


_NAME_BYTES = rb"[A-Za-z0-9_\x80-\xff]+"  # a name, in UTF-8
# A class statement from its keyword on; only one at the start of a line, after spaces and
# tabs, counts. Starting at the keyword lets the search skip to each ``class`` (6x faster
# than trying every line start).
_CLASS_LINE = re.compile(rb"class[ \t]+(" + _NAME_BYTES + rb")[ \t]*\(([^)]*)\)")
_BASE_WORD = re.compile(_NAME_BYTES)


def may_hold_ddl(data: bytes) -> bool:
    """Cheap test on raw bytes: False only when no DDL statement can be in the file.

    UTF-16 files pass, so that the decoder can report them.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return _shape_lower_bytes().search(data.lower()) is not None


# What separates Python's tokens: a file with few of them per byte parses cheaply. The
# single bytes are counted together, as what is left when every other byte is deleted.
_SEPARATOR_BYTES = b",;:.=([{+-*/%@|&^~<>\n"
_NOT_SEPARATOR_BYTES = bytes(sorted(set(range(256)) - set(_SEPARATOR_BYTES)))
_SEPARATORS = (
    *(b" or ", b" and ", b"not ", b" if ", b" else ", b" in ", b" is "),
    *(b'""', b"''", b'" "', b"' '"),
)


def token_estimate(data: bytes) -> int:
    """About how many tokens Python source holds, from its bytes: what a parse costs."""
    single = len(data.translate(None, _NOT_SEPARATOR_BYTES))
    return single + sum(map(data.count, _SEPARATORS))


def decode_source(data: bytes, path: str) -> tuple[str | None, Diagnostic | None]:
    """Decode Python source as the interpreter would (BOM, PEP 263 cookie, UTF-8)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, SD102(
            "file is UTF-16 encoded; Python source must be UTF-8 or declare an 8-bit encoding",
            path,
            1,
            0,
        )
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), None
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        line = 1
        if isinstance(exc, UnicodeDecodeError):
            line = data[: exc.start].count(b"\n") + 1
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        return None, SD102(f"cannot decode file: {reason}", path, line, 0)


def python_tree(text: str, path: str) -> tuple[ast.Module | cst.Module | None, Diagnostic | None]:
    """Python's own parse of a file; it also finds the right line of a syntax error (libcst's
    parser does not) and refuses nesting that would crash libcst's native parser.

    Source that the running Python refuses but libcst reads (syntax of a newer Python:
    ``type`` statements, generics, 3.12's f-strings) gives libcst's tree of the whole file
    instead, when its nesting is within the limits of ``shallow``. A file neither parser
    accepts gives SD101 at the error Python found."""
    try:
        return ast.parse(text, filename=path), None
    except SyntaxError as exc:
        line, col = exc.lineno or 1, max((exc.offset or 1) - 1, 0)
        problem = SD101(f"cannot parse Python: {exc.msg}", path, line, col)
    except (RecursionError, MemoryError, ValueError) as exc:
        kind = str(exc) if isinstance(exc, ValueError) else "too large or nested too deeply"
        return None, SD101(f"cannot parse Python: {kind}", path, 1, 0)
    module = newer_tree(text)
    return (module, None) if module is not None else (None, problem)


def newer_tree(text: str) -> cst.Module | None:
    """libcst's tree of source the running Python cannot parse, if libcst reads it and its
    nesting is safe for libcst's native parser (``shallow``); else None."""
    if not shallow(text):
        return None
    import libcst as cst

    try:
        return cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, MemoryError):
        return None


# How deeply libcst's native parser may be made to recurse, told from Python's tokens:
# brackets open at once (CPython's own tokenizer allows 200), and the chain of operators,
# keywords and brackets that one item of an expression can nest, weighted so that the
# deepest file let through takes a small part of what overflows the parser's stack (on an
# 8 MB stack, 1,000 to 1,500 brackets, 3,000 to 4,000 lambdas, 5,000 to 10,000 operators).
_MAX_BRACKETS = 200
_MAX_CHAIN = 1000
_BRACKET_WEIGHT = 3
_OPENING, _CLOSING, _ITEM_ENDS = frozenset("([{"), frozenset(")]}"), frozenset({",", ";"})


def shallow(text: str) -> bool:
    """Whether source that Python cannot parse nests little enough for libcst: Python's own
    parser guards against deep nesting everywhere else, but stops at the first syntax it does
    not know, before nesting further down. Python's tokenizer reads what its parser cannot
    (a 3.12 f-string that nests the same quotes comes out as several strings, its nesting
    about halved); source it cannot tokenize is not shallow."""
    bases: list[int] = []  # the chain's length where each open bracket opened
    chain = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.OP:
                if tok.string in _OPENING:
                    bases.append(chain)
                    chain += _BRACKET_WEIGHT
                    if len(bases) > _MAX_BRACKETS:
                        return False
                elif tok.string in _CLOSING:
                    chain = bases.pop() if bases else 0
                elif tok.string in _ITEM_ENDS:
                    chain = bases[-1] + _BRACKET_WEIGHT if bases else 0
                else:
                    chain += 1
            elif tok.type == tokenize.NAME and keyword.iskeyword(tok.string):
                chain += 1
            elif tok.type == tokenize.NEWLINE:
                bases.clear()
                chain = 0
            if chain > _MAX_CHAIN:
                return False
    except (tokenize.TokenError, SyntaxError, RecursionError, MemoryError):
        return False
    return True


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
Outline = tuple[
    frozenset[str], frozenset[str], frozenset[str], tuple[tuple[str, tuple[str, ...]], ...]
]


def outline(module: cst.Module) -> Outline:
    """What Python's tree tells of a module (see ``narrow.mentioned``, ``defined_names``,
    ``base_names``), from libcst's tree of source the running Python cannot parse: the names
    its DDL-bearing top-level statements mention, the classes, functions and constants
    holding DDL, the top-level names it binds, and each class with the last names of its
    bases. A statement holds DDL when its string literals, docstrings left out, joined in
    order, have the shape of a DDL statement. The tree is walked without recursion."""
    import libcst as cst

    skip = {id(_docstring(module))}
    mentions: set[str] = set()
    holders: set[str] = set()
    defines: set[str] = set()
    bases: list[tuple[str, tuple[str, ...]]] = []
    for statement in module.body:
        defines |= _targets(statement, (cst.Assign, cst.AnnAssign, cst.AugAssign))
        words, literals = _walk_statement(statement, skip, bases)
        if not shape_text().search(" ".join(literals[id(statement)][1])):
            continue
        mentions |= words
        if isinstance(statement, cst.SimpleStatementLine):
            holders |= _targets(statement, (cst.Assign, cst.AnnAssign))  # a template
        holders.update(
            name
            for name, texts in literals.values()
            if name is not None and shape_text().search(" ".join(texts))
        )
    return frozenset(mentions), frozenset(holders), frozenset(defines), tuple(bases)


def _walk_statement(
    statement: cst.CSTNode, skip: set[int], bases: list[tuple[str, tuple[str, ...]]]
) -> tuple[set[str], dict[int, tuple[str | None, list[str]]]]:
    """The words of a top-level statement (of its names, comments and literals), and each
    definition in it (and the statement itself, under None) with the literals in it; the
    docstrings of its definitions are added to ``skip``, its classes to ``bases``."""
    import libcst as cst

    words: set[str] = set()
    literals: dict[int, tuple[str | None, list[str]]] = {id(statement): (None, [])}
    stack: list[tuple[cst.CSTNode, tuple[int, ...]]] = [(statement, (id(statement),))]
    while stack:
        node, owners = stack.pop()
        if id(node) in skip:
            owners = ()  # a docstring: its words count, not as DDL
        if isinstance(node, cst.Name | cst.Comment):
            words.update(_WORD.findall(node.value))
        elif isinstance(node, cst.SimpleString | cst.FormattedString):
            text = _literal(node)
            words.update(_WORD.findall(text))
            for owner in owners:
                literals[owner][1].append(text)
            if isinstance(node, cst.SimpleString):
                continue
        elif isinstance(node, cst.ClassDef | cst.FunctionDef):
            skip.add(id(_docstring(node.body)))
            literals[id(node)] = (node.name.value, [])
            owners = (*owners, id(node))
            if isinstance(node, cst.ClassDef):
                names = tuple(sorted({_last_name(arg.value) for arg in node.bases}))
                bases.append((node.name.value, names))
        stack.extend((child, owners) for child in reversed(node.children))
    return words, literals


def _docstring(body: Any) -> cst.CSTNode | None:
    import libcst as cst

    statements = body.body if isinstance(body, cst.Module | cst.IndentedBlock) else ()
    first = statements[0] if statements else None
    if isinstance(first, cst.SimpleStatementLine) and first.body:
        expr = first.body[0]
        if isinstance(expr, cst.Expr) and isinstance(
            expr.value, cst.SimpleString | cst.ConcatenatedString
        ):
            return expr.value
    return None


def _targets(statement: cst.CSTNode, kinds: tuple[type, ...]) -> set[str]:
    """Names a top-level statement binds: a class, a function, or a name assigned by
    one of its small statements of ``kinds``."""
    import libcst as cst

    if isinstance(statement, cst.ClassDef | cst.FunctionDef):
        return {statement.name.value}
    small = statement.body if isinstance(statement, cst.SimpleStatementLine) else ()
    assigned = [
        target
        for s in small
        if isinstance(s, kinds)
        for target in ([t.target for t in s.targets] if isinstance(s, cst.Assign) else [s.target])
    ]
    return {t.value for t in assigned if isinstance(t, cst.Name)}


def _last_name(expr: cst.BaseExpression) -> str:
    import libcst as cst

    if isinstance(expr, cst.Name):
        return expr.value
    return expr.attr.value if isinstance(expr, cst.Attribute) else ""


def _literal(node: cst.SimpleString | cst.FormattedString) -> str:
    """A literal's source, each field of an f-string as ``{}``: rendering the field's
    expression could recurse as deeply as it nests."""
    import libcst as cst

    if isinstance(node, cst.SimpleString):
        return node.value
    parts = (p.value if isinstance(p, cst.FormattedStringText) else "{}" for p in node.parts)
    return node.start + "".join(parts) + node.end


def class_lines(data: bytes) -> list[list[Any]]:
    """Each class statement of Python source, from its bytes: ``[name, [names in its
    bases]]`` (cheap, for finding subclasses without parsing; kept in the cache as is)."""
    out: list[list[Any]] = []
    m = _CLASS_LINE.search(data)
    while m is not None:
        start = m.start()
        if data[data.rfind(b"\n", 0, start) + 1 : start].strip(b" \t"):
            m = _CLASS_LINE.search(data, start + 1)  # not at a line's start: look on
            continue
        bases = {word.decode("utf-8", "replace") for word in _BASE_WORD.findall(m.group(2))}
        out.append([m.group(1).decode("utf-8", "replace"), sorted(bases)])
        m = _CLASS_LINE.search(data, m.end())
    return out
