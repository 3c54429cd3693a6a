"""Where each value and key of a JSON text sits, found by a small scanner.

Run only when a finding needs a position: the fast parse gives values, this gives places.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from json import decoder
from typing import TypeVar

from mlmeta.documents import join

# the C string scanner json itself uses; typeshed does not declare it, so it is typed here
scanstring: Callable[[str, int], tuple[str, int]] = decoder.scanstring  # type: ignore[attr-defined]
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")
CONSTANTS = frozenset({"NaN", "Infinity", "-Infinity"})


T = TypeVar("T")


def nearest(values: dict[str, T], keys: dict[str, T], pointer: str, on_key: bool) -> T:
    """The place of a key or value; for a pointer that does not exist (a missing key), its nearest ancestor."""
    table = keys if on_key else values
    while pointer not in table and pointer not in values:
        pointer = pointer.rpartition("/")[0]
    return table[pointer] if pointer in table else values[pointer]


class JsonPositions:
    """Offsets of values and keys by JSON pointer, plus duplicate keys and non-finite constants."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.text = text
        self.first_line = first_line
        self.values: dict[str, int] = {}
        self.keys: dict[str, int] = {}
        self.duplicates: list[tuple[str, int, int]] = []  # pointer, offset, first offset
        self.constants: list[tuple[str, int, str]] = []  # pointer, offset, token
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._scan(_WS.match(text, 0).end())  # type: ignore[union-attr]

    def _scan(self, i: int) -> None:
        """Every value from offset i, with a stack of open containers: any depth, no recursion limit."""
        text, values, keys, skip = self.text, self.values, self.keys, _WS.match
        # (pointer, state) per open container: an object's keys seen so far, or an array's last index
        stack: list[tuple[str, dict[str, int] | list[int]]] = []
        pointer = ""
        while True:
            values[pointer] = i
            char = text[i : i + 1]
            if char == '"':  # the common value first
                i = scanstring(text, i + 1)[1]
            elif char == "{" or char == "[":
                start = i
                i = skip(text, i + 1).end()  # type: ignore[union-attr]
                if text[i] == "}" or text[i] == "]":
                    i += 1
                else:  # its first member is next: read on from the bracket as from a comma
                    stack.append((pointer, {} if char == "{" else [-1]))
                    i = start
            else:
                i = self._scalar(i, pointer)
            while stack:  # the value is done: close what ends here, or move to the next member
                i = skip(text, i).end()  # type: ignore[union-attr]
                if text[i] == "}" or text[i] == "]":
                    stack.pop()
                    i += 1
                    continue
                i = skip(text, i + 1).end()  # type: ignore[union-attr]  # past the comma (or the bracket)
                parent, state = stack[-1]
                if isinstance(state, dict):
                    key, end = scanstring(text, i + 1)
                    pointer = join(parent, key)
                    if key in state:
                        self.duplicates.append((pointer, i, state[key]))
                    state[key] = keys[pointer] = i
                    i = skip(text, skip(text, end).end() + 1).end()  # type: ignore[union-attr]  # past the colon
                else:
                    state[0] += 1
                    pointer = f"{parent}/{state[0]}"
                break
            else:
                return

    def _scalar(self, i: int, pointer: str) -> int:
        """Where a literal or number (no string: _scan reads those) starting at i ends."""
        text = self.text
        for literal in _LITERALS:
            if text.startswith(literal, i):
                if literal in CONSTANTS:
                    self.constants.append((pointer, i, literal))
                return i + len(literal)
        match = _NUMBER.match(text, i)
        if match is None:
            raise ValueError(f"unexpected character at offset {i}")
        return match.end()

    def line_column(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._newlines, offset - 1)
        start = self._newlines[line - 1] + 1 if line else 0
        return self.first_line + line, offset - start + 1

    def locate(self, pointer: str, on_key: bool = False) -> tuple[int, int]:
        return self.line_column(nearest(self.values, self.keys, pointer, on_key))


class LazyPositions:
    """A locator that scans the text the first time a position is asked for."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self._text = text
        self._first_line = first_line
        self._positions: JsonPositions | None = None

    @property
    def positions(self) -> JsonPositions:
        if self._positions is None:
            self._positions = JsonPositions(self._text, self._first_line)
        return self._positions

    def locate(self, pointer: str, on_key: bool = False) -> tuple[int, int]:
        return self.positions.locate(pointer, on_key)
