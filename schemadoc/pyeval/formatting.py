"""Templates filled in with values: ``str.format``, ``%`` formatting, ``string.Template``
(``$name``), joining, and template markers left in text made placeholders."""

from __future__ import annotations

import re
import string
from dataclasses import replace

from .values import MAX_WEIGHT, TooLarge, Value, _substitute, placeholder


def _joined(sep: Value, values: list[Value]) -> Value:
    """``sep.join(values)``; an empty string when there are none."""
    if not values:
        return Value.of("")
    if sum(value.weight for value in values) + sep.weight * (len(values) - 1) > MAX_WEIGHT:
        raise TooLarge
    pieces = list(values[0].pieces)
    for value in values[1:]:
        pieces += sep.pieces
        pieces += value.pieces
    return Value(tuple(pieces))


def _filled(template: Value, spans: list[tuple[int, int, Value]]) -> Value:
    """``_substitute`` for a template filled in with values (a value may fill many spans)."""
    if template.weight + sum(value.weight for _, _, value in spans) > MAX_WEIGHT:
        raise TooLarge
    return _substitute(template, spans)


def _apply_format(template: Value, positional: list[Value], named: dict[str, Value]) -> Value:
    text = template.text
    spans: list[tuple[int, int, Value]] = []
    auto = 0
    offset = 0
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return template
    for literal, field_name, spec, conversion in parsed:
        offset += len(literal.replace("{", "{{").replace("}", "}}"))
        if field_name is None:
            continue
        raw = "{" + field_name + ("!" + conversion if conversion else "")
        raw += (":" + spec if spec else "") + "}"
        start = text.find(raw, offset)
        if start < 0:
            return template
        key = field_name.split(".")[0].split("[")[0]
        if key == "":
            key = str(auto)
            auto += 1
        if key.isdigit():
            idx = int(key)
            value = positional[idx] if idx < len(positional) else None
        else:
            value = named.get(key)
        if value is None:
            value = placeholder(field_name or key, template.position_at(start))
        spans.append((start, start + len(raw), value))
        offset = start + len(raw)
    # Escaped braces in the literal parts collapse to single braces.
    return Value(
        tuple(
            replace(p, text=p.text.replace("{{", "{").replace("}}", "}"))
            if not p.placeholder and ("{{" in p.text or "}}" in p.text)
            else p
            for p in _filled(template, spans).pieces
        )
    )


_PERCENT = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")
_DOLLAR = re.compile(r"\$(?:(\$)|([_a-zA-Z]\w*)|\{([_a-zA-Z]\w*)\})")


def _apply_dollar(template: Value, named: dict[str, Value]) -> Value:
    """``string.Template`` substitution: ``$name`` and ``${name}``; ``$$`` is a dollar."""
    spans: list[tuple[int, int, Value]] = []
    for m in _DOLLAR.finditer(template.text):
        key = m.group(2) or m.group(3)
        if key is None:
            value = Value.of("$")
        else:
            value = named.get(key) or placeholder(key, template.position_at(m.start()))
        spans.append((m.start(), m.end(), value))
    return _filled(template, spans)


def _apply_percent(template: Value, args: list[Value], named: dict[str, Value]) -> Value:
    spans: list[tuple[int, int, Value]] = []
    index = 0
    for m in _PERCENT.finditer(template.text):
        if m.group() == "%%":
            spans.append((m.start(), m.end(), Value.of("%")))
            continue
        key = m.group("key")
        if key is not None:
            value = named.get(key) or placeholder(key, template.position_at(m.start()))
        else:
            value = (
                args[index]
                if index < len(args)
                else placeholder(m.group(), template.position_at(m.start()))
            )
            index += 1
        spans.append((m.start(), m.end(), value))
    return _filled(template, spans)


_MARKER = re.compile(
    r"(?<![\w$])\$(?:\{[A-Za-z_]\w*\}|[A-Za-z_]\w*)"  # not within a name: x$y is one
    r"|\{(?:[A-Za-z_][\w.]*(?:\[[^\]{}]*\])?(?:![rsa])?(?::[^{}]*)?|\d*)\}"
    r"|%\((?P<key>[^)]+)\)[sd]|%[sd]"
)


def mark_templates(value: Value) -> Value:
    """Template markers left in the text (``{name}``, ``{}``, ``%s``, ``$name``) become
    placeholders.

    SQL has no braces outside strings, so such text is a template whose values are filled in
    at run time. Markers inside single-quoted SQL strings (``DEFAULT '{}'``) are data.
    """
    from ..sql.statements import tokens

    text = value.text
    if "{" not in text and "%" not in text and "$" not in text:
        return value
    quoted = [(t.start, t.end) for t in tokens(text) if t.kind == "quoted" and t.text[0] == "'"]
    spans: list[tuple[int, int, Value]] = []
    offset = 0
    for piece in value.pieces:
        if not piece.placeholder:
            for m in _MARKER.finditer(piece.text):
                start, end = offset + m.start(), offset + m.end()
                if any(s <= start < e for s, e in quoted):
                    continue
                marker = m.group()
                if marker.startswith("$"):
                    label = marker.strip("${}")
                elif marker.startswith("{"):
                    label = marker[1:-1]
                else:
                    label = m.group("key") or marker
                spans.append((start, end, placeholder(label, piece.position_at(m.start()))))
        offset += len(piece.text)
    return _substitute(value, spans) if spans else value
