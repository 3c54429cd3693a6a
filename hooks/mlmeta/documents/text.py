"""Bytes to text: a byte-order mark and invalid UTF-8 are findings, never tracebacks."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mlmeta.documents import MISSING, Document, Fixed, join
from mlmeta.findings import Problem

BOM = b"\xef\xbb\xbf"


def line_column_of_byte(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset in (possibly invalid) UTF-8."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column


def decode(raw: bytes) -> tuple[str | None, list[tuple[Problem, tuple[int, int]]]]:
    """The text of a file, or None when it is not UTF-8; and what was wrong with its encoding."""
    problems: list[tuple[Problem, tuple[int, int]]] = []
    if raw.startswith(BOM):
        problems.append((Problem("", "encoding", "file starts with a UTF-8 byte-order mark; remove it"), (1, 1)))
        raw = raw[len(BOM) :]
    try:
        return raw.decode("utf-8"), problems
    except UnicodeDecodeError as error:
        where = line_column_of_byte(raw, error.start)
        problems.append((Problem("", "encoding", f"invalid UTF-8 (byte 0x{raw[error.start]:02x})"), where))
        return None, problems


def read_bytes(path: Path) -> tuple[bytes | None, list[tuple[Problem, tuple[int, int]]]]:
    from mlmeta.openers import read_regular

    try:
        return read_regular(path), []
    except OSError as error:
        return None, [(Problem("", "read", f"cannot read file: {error.strerror or error}"), (1, 1))]


def syntax_problem(error: json.JSONDecodeError, first_line: int = 1) -> tuple[Problem, tuple[int, int]]:
    message = f"not valid JSON: {error.msg}"
    return Problem("", "parse", message), (first_line + error.lineno - 1, error.colno)


_SURROGATE = re.compile("[\ud800-\udfff]")
# only an escape writes one (`"\\ud800"`, YAML's `"\\U0000d800"` too); a text without one is not walked
SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")  # high (d800-dbff) and low (dc00-dfff)


def replace_surrogates(
    value: Any, problems: list[tuple[Problem, tuple[int, int]]], locate: Callable[[str, bool], tuple[int, int]]
) -> Any:
    """The value with each lone surrogate (`"\\ud800"`: no Unicode text, no validator takes it) as U+FFFD.

    Each key or string that held one is an `encoding` problem at its place. Iterative: any depth.
    """
    root = [value]
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        container, pointer = stack.pop()
        items = list(container.items()) if isinstance(container, dict) else list(enumerate(container))
        if isinstance(container, dict):
            container.clear()  # rebuilt in order, with repaired keys
        for key, item in items:
            at = pointer if container is root else join(pointer, key)
            if isinstance(key, str) and _SURROGATE.search(key):
                message = "a key holds a lone surrogate (an escape such as \\ud800), which is no Unicode text"
                problems.append((Problem(at, "encoding", message, on_key=True), locate(at, True)))
                key = _SURROGATE.sub("\ufffd", key)
                at = join(pointer, key)
            if isinstance(item, str) and _SURROGATE.search(item):
                message = "a string holds a lone surrogate (an escape such as \\ud800), which is no Unicode text"
                problems.append((Problem(at, "encoding", message), locate(at, False)))
                item = _SURROGATE.sub("\ufffd", item)
            elif isinstance(item, (dict, list)):
                stack.append((item, at))
            container[key] = item
    return root[0]


class Flags:
    """What the fast parse noticed and the position scanner must locate."""

    __slots__ = ("constants", "duplicates")

    def __init__(self) -> None:
        self.duplicates = False
        self.constants = False

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            self.duplicates = True
        return result

    def constant(self, token: str) -> float:
        self.constants = True
        return float(token)


def read_whole(
    path: Path, display: str, parse: Callable[[str, str], Document], raw: bytes | None = None
) -> Iterator[Document]:
    """One document from a whole file: read (unless the caller did: `raw`), decode, then `parse(text, display)`."""
    raw, problems = (raw, []) if raw is not None else read_bytes(path)
    text = None
    if raw is not None:
        text, problems = decode(raw)
    if text is None:
        yield Document(display, MISSING, Fixed(), problems)
        return
    document = parse(text, display)
    document.problems[:0] = problems
    yield document
