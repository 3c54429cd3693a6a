"""A manifest as raw lines, for tools that rewrite some rows and must leave every other byte alone.

Each line keeps its exact bytes (line ending, non-ASCII text, key order, blank lines); a row that
must change is re-serialised in the style its own line was written in, so a rewritten file differs
from the old one only where a value changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmeta.documents import Document, finding_at
from mlmeta.findings import Finding, Problem
from mlmeta.schemas import Route, RouteError, decide

if TYPE_CHECKING:
    from mlmeta.rules import Run

# (item separator, key separator, ensure_ascii); the first is the catalog's own style
STYLES: tuple[tuple[str, str, bool], ...] = (
    (",", ":", False),
    (", ", ": ", False),
    (",", ":", True),
    (", ", ": ", True),
)


@dataclass
class Line:
    number: int  # 1-based
    raw: bytes  # exactly as read, line ending included
    document: Document | None  # None for a blank line

    @property
    def ending(self) -> bytes:
        return ending(self.raw)


def ending(raw: bytes) -> bytes:
    if raw.endswith(b"\r\n"):
        return b"\r\n"
    return b"\n" if raw.endswith(b"\n") else b""


def forced_manifest(kind: str | None) -> Route | None:
    """A manifest tool's `--kind`: it may only name a manifest version (manifest@N)."""
    forced = Route.parse(kind) if kind else None
    if forced is not None and forced.kind != "manifest":
        raise RouteError(f"--kind must name a manifest version (manifest@N), not {kind!r}")
    return forced


def manifest_version(configured: Route | None, forced: Route | None = None) -> int:
    """The version a manifest follows: `--kind`, else its configured route when that is a manifest route, else v1."""
    route = decide(forced, None, configured if configured and configured.kind == "manifest" else Route("manifest"))
    assert route is not None and route.version is not None
    return route.version


def read_manifest(path: Path, shown: str, version: int) -> tuple[list[Line] | None, list[Finding]]:
    """Every line of a manifest, and what went wrong reading its rows; no lines when the file cannot be read."""
    try:
        lines = read_lines(path, shown)
    except OSError as error:
        message = f"cannot read file: {error.strerror or error}"
        return None, [Finding(shown, 1, 1, "", "manifest", version, "read", "error", message)]
    return lines, list(reading_findings(lines, "manifest", version))


def read_lines(path: Path, display: str) -> list[Line]:
    """Every line of a JSONL file with its document; raises OSError when the file cannot be read."""
    from mlmeta.documents.jsonl import rows
    from mlmeta.openers import read_regular

    raw_lines = split_lines(read_regular(path))
    lines = [Line(number, raw, None) for number, raw in enumerate(raw_lines, start=1)]
    for document in rows(raw_lines, display):
        lines[document.line - 1].document = document
    return lines


def split_lines(data: bytes) -> list[bytes]:
    """Lines ending at `\\n` only, as JSON Lines and a binary file's iterator read them (not `bytes.splitlines`)."""
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def style_of(value: Any, text: str) -> tuple[str, str, bool]:
    """The serialisation style that reproduces a row's own text, or the catalog's compact style."""
    stripped = text.rstrip("\r\n")
    for style in STYLES:
        if dumps(value, style) == stripped:
            return style
    return STYLES[0]


def dumps(value: Any, style: tuple[str, str, bool] = STYLES[0]) -> str:
    items, keys, ascii_only = style
    return json.dumps(value, ensure_ascii=ascii_only, separators=(items, keys), allow_nan=False)


def serialise(value: Any, old: Document, line_ending: bytes) -> bytes:
    """A changed row in the style of the line it replaces, with that line's ending."""
    return dumps(value, style_of(old.value, old.text or "")).encode("utf-8") + line_ending


def reading_findings(lines: list[Line], kind: str, version: int | None) -> Iterator[Finding]:
    """What went wrong while reading the rows (parse, encoding, duplicate keys), as findings."""
    for line in lines:
        if line.document is not None:
            for problem, where in line.document.problems:
                yield finding_at(line.document, problem, kind, version, where)


def judge(
    row: Any, document: Document, path: Path, version: int, run: Run, state: dict[str, Any], kind: str = "manifest"
) -> Iterator[Problem]:
    """A value about to be written, against its schema and its kind's rules, as `mlmeta check` would judge it.

    `document` is the value as it will be written (for its path and line); `state` carries the rules'
    per-file memory (rows seen so far) from one row to the next.
    """
    from mlmeta.rules import Where, checks_for
    from mlmeta.schema_errors import problems
    from mlmeta.schemas import Validators, load_schema

    validators: Validators = run.cache.setdefault("writer-validators", Validators())
    schema = load_schema(kind, version)
    try:
        errors = list(validators.get(kind, version).iter_errors(row))
    except ValueError:  # jsonschema-rs: "Recursion limit reached", as the engine reports it
        errors = []
        yield Problem("", "schema", "nested too deeply to validate")
    for error in errors:
        yield from problems(error, schema)
    where = Where(document.path, path, kind, version, document.line, run, state)
    for _, check in checks_for(kind, None):
        yield from check(row, where)


def judged(
    row: Any, document: Document, path: Path, version: int, run: Run, state: dict[str, Any], kind: str = "manifest"
) -> list[Finding]:
    """`judge`'s problems as findings, at their places in `document`."""
    problems = judge(row, document, path, version, run, state, kind)
    return [finding_at(document, problem, kind, version) for problem in problems]
