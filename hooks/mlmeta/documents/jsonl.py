"""JSON Lines files, streamed: one document per row, a bad row is a finding for its line only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from mlmeta.documents import MISSING, Document, Fixed
from mlmeta.documents.json import parse_text
from mlmeta.documents.text import BOM, line_column_of_byte
from mlmeta.findings import Problem


def read(path: Path, display: str, **_: Any) -> Iterator[Document]:
    from mlmeta.openers import open_regular

    try:
        handle = open_regular(path, buffering=1 << 16)  # a manifest's lines in 64 KiB reads, not 8 KiB
    except OSError as error:
        problem = Problem("", "read", f"cannot read file: {error.strerror or error}")
        yield Document(display, MISSING, Fixed(), [(problem, (1, 1))])
        return
    with handle:
        yield from rows(handle, display)


def part(path: Path, display: str, start: int, end: int, line: int) -> Iterator[Document]:
    """The rows between two byte offsets at line starts (`line`: the first one's number), for mlmeta.jobs."""
    from io import BytesIO

    from mlmeta.openers import open_regular

    with open_regular(path) as handle:
        handle.seek(start)
        data = handle.read(end - start)
    yield from rows(BytesIO(data), display, line)  # BytesIO: lines split as a file's are


def rows(lines: Any, display: str, start: int = 1) -> Iterator[Document]:
    """Documents from an iterable of raw lines (bytes), the first on line `start`; blank lines are skipped.

    The fast path, for a row as catalogs write it (compact, no escapes), is orjson's value when
    orjson writes the very same bytes back: such bytes hold no duplicate key (the value written
    back would be shorter) and no NaN (orjson refuses it), so the exact reader would find no
    problem and the same value. Every other row (spaces, escapes, `1e3`, an error, a BOM, a blank
    line) goes to `_exact`. Called for every row of a manifest: the fast path is inline.
    """
    loads, dumps, decode_error = orjson.loads, orjson.dumps, orjson.JSONDecodeError
    for number, raw in enumerate(lines, start=start):
        try:
            value = loads(raw)  # (the line's end is whitespace to orjson)
            body = dumps(value)
            if raw.startswith(body) and raw[len(body) :] in _LINE_ENDS:  # the very same bytes, no copy made
                yield Document(display, value, None, [], number, body.decode("utf-8"))  # positions: when asked for
                continue
        except (decode_error, orjson.JSONEncodeError):  # not JSON, or nested deeper than orjson writes
            pass
        document = _exact(raw, raw.rstrip(b"\r\n"), display, number)
        if document is not None:
            yield document


_LINE_ENDS = (b"\n", b"\r\n", b"")


def _exact(raw: bytes, body: bytes, display: str, number: int) -> Document | None:
    """A row the fast path would not vouch for, read by the exact reader; None for a blank line."""
    problems = []
    if number == 1 and raw.startswith(BOM):
        problems.append((Problem("", "encoding", "file starts with a UTF-8 byte-order mark; remove it"), (1, 1)))
        raw, body = raw[len(BOM) :], body[len(BOM) :]
    if not raw or raw.isspace():  # a blank line (isspace: no copy of the row)
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        column = line_column_of_byte(raw, error.start)[1]
        problem = Problem("", "encoding", f"invalid UTF-8 (byte 0x{raw[error.start]:02x})")
        return Document(display, MISSING, Fixed(number, column), [*problems, (problem, (number, column))], number)
    document = parse_text(text, display, number)
    if problems:
        document.problems[:0] = problems
    return document
