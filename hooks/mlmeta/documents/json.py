"""JSON files: one document, with duplicate keys, NaN/Infinity and encoding problems as findings."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmeta.documents import MISSING, Document, Fixed, escape
from mlmeta.documents.text import SURROGATE_ESCAPE, Flags, read_whole, replace_surrogates, syntax_problem
from mlmeta.findings import Problem

if TYPE_CHECKING:
    from mlmeta.documents.positions import JsonPositions

Located = tuple[Problem, tuple[int, int]]


def parse_text(text: str, path: str, first_line: int = 1) -> Document:
    """A document from JSON text; a syntax error becomes a `parse` problem with its place."""
    value = fast_value(text)
    if value is not MISSING:
        return Document(path, value, None, [], first_line, text)  # positions: when asked for
    return parse_exact(text, path, first_line)


def parse_exact(text: str, path: str, first_line: int = 1) -> Document:
    """The exact reader: every duplicate key, NaN, overflow and lone surrogate found and placed."""
    flags = Flags()
    try:
        value = json.loads(text, object_pairs_hook=flags.pairs, parse_constant=flags.constant)
    except json.JSONDecodeError as error:
        return Document(path, MISSING, Fixed(first_line), [syntax_problem(error, first_line)], first_line)
    except RecursionError:
        problem = Problem("", "parse", "not valid JSON: nesting too deep")
        return Document(path, MISSING, Fixed(first_line), [(problem, (first_line, 1))], first_line)
    except ValueError:  # an integer past Python's limit on digits (sys.get_int_max_str_digits)
        where = _long_integer(text, first_line)
        problem = Problem("", "parse", "an integer has more digits than Python reads (4,300)")
        return Document(path, MISSING, Fixed(*where), [(problem, where)], first_line)
    from mlmeta.documents.positions import LazyPositions  # (a file the fast path reads needs no positions yet)

    locator = LazyPositions(text, first_line)
    problems = scan_flags(locator.positions, flags) if flags.duplicates or flags.constants else []
    if _HUGE_NUMBER.search(text):  # `1e999` parses, as infinity, which JSON cannot hold
        said = {problem.pointer for problem, _ in problems}  # an `Infinity` literal is reported as such
        message = "a number too large for a 64-bit float (read as infinity)"
        problems.extend(
            (Problem(pointer, "parse", message), locator.locate(pointer))
            for pointer in _infinities(value, "")
            if pointer not in said
        )
    if SURROGATE_ESCAPE.search(text):
        value = replace_surrogates(value, problems, locator.locate)
    return Document(path, value, locator, problems, first_line, text)


def fast_value(text: str) -> Any:
    """The value when the exact reader below would give the same value and no problem; MISSING otherwise.

    The same parser without the exact reader's hooks (a Python call per object): the standard
    library's, not orjson, whose import costs a run of 1,000 small files more than it saves. It
    refuses NaN and Infinity here, but keeps the last of duplicate keys, reads `1e999` as infinity
    and a lone surrogate escape as it stands. So: with no whitespace between a key and its colon,
    every key writes one `":` and a string may add more, never fewer; the text holds no more `":`
    than the value has keys only when no key was dropped. Past _DEEPEST levels (the exact reader
    reports "nesting too deep" near 1,000, where the stack decides), and whatever else is not sure
    (a `"key" : value` style too), the exact reader decides.
    """
    try:
        value = _PLAIN(text)
    except (ValueError, RecursionError):  # (JSONDecodeError is a ValueError, and so is a refused constant)
        return MISSING
    # (most files hold no backslash, and a search for one character takes a tenth of one for two)
    if _SPACED_KEY.search(text) or ("\\" in text and SURROGATE_ESCAPE.search(text)):
        return MISSING
    keys = 0
    level: list[Any] = [value]
    for _ in range(_DEEPEST):  # level by level: the depth comes free
        deeper: list[Any] = []
        for node in level:  # type(), not isinstance: the parser makes no subclasses, and this runs for every file
            kind = type(node)
            if kind is dict:
                keys += len(node)
                deeper.extend(node.values())
            elif kind is list:
                deeper.extend(node)
            elif kind is float and (node == _INF or node == -_INF):
                return MISSING
        if not deeper:
            break
        level = deeper
    else:
        return MISSING
    return value if text.count('":') == keys else MISSING


def _refused(constant: str) -> Any:
    raise ValueError(constant)


_PLAIN = json.JSONDecoder(parse_constant=_refused).decode
_INF = math.inf
_DEEPEST = 400  # levels the fast value is taken with; deeper documents go to the exact reader, which decides
_SPACED_KEY = re.compile(r'"\s+:')
# what a number needs to reach 2^1024 (infinity): 210 digits or more before its exponent (which, without
# this, has at most 2), or an exponent of 3 digits or more
_HUGE_NUMBER = re.compile(r"\d{210}|\d[eE]\+?\d{3}")


def _infinities(value: Any, pointer: str) -> Iterator[str]:
    """Pointers of the values that overflowed to infinity while parsing (NaN and Infinity are flagged apart)."""
    stack = [(value, pointer)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, float) and node in (math.inf, -math.inf):
            yield at
        elif isinstance(node, dict):
            stack.extend((item, f"{at}/{escape(key)}") for key, item in node.items())
        elif isinstance(node, list):
            stack.extend((item, f"{at}/{index}") for index, item in enumerate(node))


def _long_integer(text: str, first_line: int) -> tuple[int, int]:
    match = re.search(r"\d{4301,}", text)
    if match is None:
        return first_line, 1
    start = match.start()
    return first_line + text.count("\n", 0, start), start - text.rfind("\n", 0, start)


def scan_flags(positions: JsonPositions, flags: Flags) -> list[Located]:
    problems: list[Located] = []
    for pointer, offset, first in positions.duplicates:
        first_line, first_column = positions.line_column(first)
        message = (
            f"duplicate key (first at line {first_line}, column {first_column}); "
            "the last value would silently win"
        )
        problems.append((Problem(pointer, "duplicate-key", message, on_key=True), positions.line_column(offset)))
    for pointer, offset, token in positions.constants:
        message = f"{token} is not valid JSON; use null or a finite number"
        problems.append((Problem(pointer, "parse", message), positions.line_column(offset)))
    return problems


def read(path: Path, display: str, raw: bytes | None = None, **_: Any) -> Iterator[Document]:
    return read_whole(path, display, parse_text, raw)
