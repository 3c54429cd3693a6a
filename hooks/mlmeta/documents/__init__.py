"""Reading files into values *with positions*.

A reader turns a path into Documents: the parsed value, the problems found while
reading (each at its own line and column), and a locator that maps a JSON
pointer to the line and column of that value or key. Positions are computed
only when something asks for them, so a clean file pays for parsing alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from mlmeta.findings import Finding, Problem

MISSING: Any = object()  # the value of a document that could not be parsed
# the exact types of JSON's scalars as the readers give them: a container of these alone holds no object
# or array, which `SCALARS.issuperset(map(type, values))` tells in C (a YAML reader's subclasses walk on)
SCALARS = frozenset({str, int, float, bool, type(None)})

FORMATS = ("json", "jsonl", "yaml")


class Locator(Protocol):
    def locate(self, pointer: str, on_key: bool = False) -> tuple[int, int]: ...


class Fixed(NamedTuple):
    """A locator for a document that has no positions beyond one place (no dataclass: start-up time)."""

    line: int = 1
    column: int = 1

    def locate(self, pointer: str, on_key: bool = False) -> tuple[int, int]:
        return self.line, self.column


class Document:
    """A parsed value (MISSING when it could not be parsed) and where its parts sit in the file."""

    __slots__ = ("_locator", "line", "path", "prefix", "problems", "text", "value")

    def __init__(
        self,
        path: str,
        value: Any,
        locator: Locator | None,  # None: JSON `text`'s own positions, worked out when first asked for
        # problems met while reading, each with an explicit (line, column)
        problems: list[tuple[Problem, tuple[int, int]]] | None = None,
        line: int = 1,  # the document's first line: a JSONL row's own line
        text: str | None = None,  # source text, for fixers that edit in place
        prefix: str = "",  # a row of a one-file catalog: where the row sits; its pointers are the row's own
    ) -> None:
        self.path = path
        self.value = value
        self._locator = locator
        self.problems = problems if problems is not None else []
        self.line = line
        self.text = text
        self.prefix = prefix

    @property
    def locator(self) -> Locator:
        if self._locator is None:  # a JSON Lines row: most are never asked where anything is
            from mlmeta.documents.positions import LazyPositions

            self._locator = LazyPositions(self.text or "", self.line)
        return self._locator

    @property
    def ok(self) -> bool:
        return self.value is not MISSING


def finding_at(
    document: Document, problem: Problem, kind: str | None, version: int | None, where: tuple[int, int] | None = None
) -> Finding:
    """A problem as a finding of the document, at `where` (a reading problem's own place) or where it points."""
    pointer = document.prefix + problem.pointer
    line, column = where or document.locator.locate(pointer, problem.on_key)
    return Finding(document.path, line, column, pointer, kind, version, problem.rule, problem.severity, problem.message)


def rows(document: Document, pointer: str) -> Iterator[Document]:
    """A one-file catalog's rows, each a document of its own at its own line (`pointer`: the array's)."""
    if not document.ok:
        yield document
        return
    found = resolve(document.value, pointer)
    if document.problems or not isinstance(found, list):  # what reading found is said once, for the whole file
        problems = list(document.problems)
        if not isinstance(found, list):
            message = f"no array of rows at {pointer or 'the top level'} (the kind's `rows`)"
            problems.append((Problem(pointer, "schema", message), document.locator.locate(pointer)))
        yield Document(document.path, MISSING, document.locator, problems, document.line)
        if not isinstance(found, list):
            return
    for number, row in enumerate(found):
        at = join(pointer, number)
        yield Document(document.path, row, document.locator, [], document.locator.locate(at)[0], prefix=at)


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, token: str | int) -> str:
    return f"{pointer}/{escape(str(token))}"


# a pointer not built yet: walks that report little keep (parent, token) pairs and build only what they report
Ptr = str | tuple["Ptr", str | int]


def pointer_of(at: Ptr) -> str:
    """The pointer a (parent, token) chain stands for (no recursion: a chain may be deep)."""
    tokens: list[str | int] = []
    while not isinstance(at, str):
        at, token = at
        tokens.append(token)
    return at + "".join(f"/{escape(str(token))}" for token in reversed(tokens))


def tokens(pointer: str) -> list[str]:
    return [unescape(t) for t in pointer.split("/")[1:]] if pointer else []


def resolve(value: Any, pointer: str) -> Any:
    """The value at a pointer, or MISSING."""
    for token in tokens(pointer):
        if isinstance(value, dict):
            value = value.get(token, MISSING)
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels deep (iteratively: no recursion limit)."""
    level: list[Any] = [value] if isinstance(value, (dict, list)) else []
    for _ in range(limit):
        level = [
            child
            for item in level
            if isinstance(item, (dict, list))
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, (dict, list))
        ]
    return bool(level)


# format -> module; imported on first use so a JSON-only run never loads YAML
READERS = {"json": "mlmeta.documents.json", "jsonl": "mlmeta.documents.jsonl", "yaml": "mlmeta.documents.yaml"}


_loaded: dict[str, Callable[..., Iterator[Document]]] = {}


def read(path: Path, fmt: str, display: str, **options: Any) -> Iterator[Document]:
    """Documents of one file: one for JSON and YAML, one per row for JSONL.

    JSON and YAML readers take `raw`, the file's bytes when the caller has read them already.
    """
    if fmt not in _loaded:
        _loaded[fmt] = import_module(READERS[fmt]).read
    return _loaded[fmt](path, display, **options)
