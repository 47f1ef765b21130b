"""Where the string literals of a libcst tree start (from a search of the module's text or
from the tokenizer, both far cheaper than libcst's position metadata)."""

from __future__ import annotations

import io
import tokenize

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..pyeval.values import Position, code_of
from ..pyeval.walk import walk


class _StringLeaves(cst.CSTVisitor):
    """String tokens in source order: simple strings and whole f-strings."""

    def __init__(self) -> None:
        self.leaves: list[cst.CSTNode] = []

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        self.leaves.append(node)
        return False

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        self.leaves.append(node)
        return False


Token = tuple[int, int, str]  # start line (1-based), column (0-based), the literal's text


def _string_tokens(text: str) -> list[Token] | None:
    """Every top-level string literal token, in source order (an f-string whole), from one
    pass of the tokenizer; None when it cannot read the text."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    found: list[Token] = []
    depth, start = 0, (0, 0)
    fstart = {getattr(tokenize, n, -1) for n in ("FSTRING_START", "TSTRING_START")}
    fend = {getattr(tokenize, n, -1) for n in ("FSTRING_END", "TSTRING_END")}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in fstart:
                if depth == 0:
                    start = tok.start
                depth += 1
            elif tok.type in fend:
                depth -= 1
                if depth == 0:
                    literal = text[
                        offsets[start[0] - 1] + start[1] : offsets[tok.end[0] - 1] + tok.end[1]
                    ]
                    found.append((start[0], start[1], literal))
            elif tok.type == tokenize.STRING and depth == 0:
                found.append((tok.start[0], tok.start[1], tok.string))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return found


def string_positions(
    module: cst.Module, tokens: list[Token] | None, path: str
) -> dict[cst.CSTNode, Position]:
    """Positions of string nodes from the tokenizer's ``tokens``, which are far cheaper than
    libcst metadata. Falls back to libcst's PositionProvider when the two disagree."""
    leaves = _StringLeaves()
    walk(module, leaves)
    if tokens is not None and len(tokens) == len(leaves.leaves):
        pairs = list(zip(leaves.leaves, tokens, strict=True))
        if all(_same_start(node, tok) for node, (_, _, tok) in pairs):
            return {node: (path, line, col) for node, (line, col, _) in pairs}
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    return {n: (path, positions[n].start.line, positions[n].start.column) for n in leaves.leaves}


# Literals looked for by searching the text before the module is tokenized: past this many
# searches, one pass of the tokenizer costs less than searching on.
SEARCHES = 256


class StringPositions:
    """Where string literals start. A literal whose text occurs once in the module's text is
    found by searching for it (most modules are never tokenized); otherwise it is told apart
    by its text among the tokenizer's strings, and the ordered pass over the whole tree runs
    only for a module where the same literal text occurs more than once and is asked for."""

    def __init__(self, module: cst.Module, text: str, path: str) -> None:
        self.module, self.text, self.path = module, text, path
        self._tokens: list[Token] | None = None
        self._by_text: dict[str, list[tuple[int, int]]] | None = None
        self._ordered: dict[cst.CSTNode, Position] | None = None
        self._known: dict[cst.CSTNode, Position | None] = {}
        self._searches = 0

    def get(self, node: cst.CSTNode) -> Position | None:
        if not isinstance(node, cst.SimpleString | cst.FormattedString):
            return None
        if node not in self._known:
            self._known[node] = self._find(node)
        return self._known[node]

    def _find(self, node: cst.SimpleString | cst.FormattedString) -> Position | None:
        key = node.value if isinstance(node, cst.SimpleString) else code_of(node)
        if self._by_text is None and self._searches < SEARCHES:
            # The node's own text is in the module's: found once, it is that node's place.
            self._searches += 1
            first = self.text.find(key)
            if first >= 0 and self.text.find(key, first + 1) < 0:
                line_start = self.text.rfind("\n", 0, first) + 1
                return (self.path, self.text.count("\n", 0, first) + 1, first - line_start)
        if self._by_text is None:
            self._tokens = _string_tokens(self.text)
            self._by_text = {}
            for line, column, literal in self._tokens or ():
                self._by_text.setdefault(literal, []).append((line, column))
        starts = self._by_text.get(key, [])
        if len(starts) == 1:
            return (self.path, *starts[0])
        if self._ordered is None:
            self._ordered = string_positions(self.module, self._tokens, self.path)
        return self._ordered.get(node)


def _same_start(node: cst.CSTNode, token: str) -> bool:
    head = node.value if isinstance(node, cst.SimpleString) else node.start  # type: ignore[attr-defined]
    return token.startswith(head[:4])
