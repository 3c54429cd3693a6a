"""YAML files through ruamel.yaml: composed to nodes (no object construction), then built here.

Building from nodes keeps every value's position, turns duplicate keys into
findings, bounds alias expansion, and can keep plain scalars as the text that
was written -- which is how Go's KitOps reads a Kitfile (`manifestVersion: 1.10`
is the string "1.10", not the float 1.1).
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlmeta.documents import MISSING, Document, Fixed, join
from mlmeta.documents.positions import nearest
from mlmeta.documents.text import SURROGATE_ESCAPE, read_whole, replace_surrogates
from mlmeta.findings import Problem

MAX_ALIAS_EXPANSIONS = 10_000
TAG = "tag:yaml.org,2002:"
# the tags JSON values can come from; any other (`!custom`, `!!python/...`, `!!binary`) is refused
SCALAR_TAGS = frozenset(TAG + name for name in ("str", "null", "bool", "int", "float", "timestamp"))
COLLECTION_TAGS = frozenset({TAG + "map", TAG + "seq"})
# what messages may print of a file's own text (CI logs are public): YAML's spellings of infinity and
# NaN, a standard tag's name, a quoted piece of a parser message that names YAML syntax (`'<block end>'`)
_INFINITY = re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)")
_KNOWN_TAG = re.compile(r"tag:yaml\.org,2002:[a-z]{1,16}(?:/[a-z]{1,16}){0,2}")
_QUOTED = re.compile(r"'(?!<)[^'\n]{2,}'|\"[^\"\n]{2,}\"")
Located = tuple[Problem, tuple[int, int]]


class YamlPositions:
    def __init__(self) -> None:
        self.values: dict[str, tuple[int, int]] = {}
        self.keys: dict[str, tuple[int, int]] = {}

    def locate(self, pointer: str, on_key: bool = False) -> tuple[int, int]:
        return nearest(self.values, self.keys, pointer, on_key)


class TooManyAliases(Exception):
    pass


class SelfAlias(Exception):
    """An alias inside the node it names (`&a [*a]`): expanding it would never end."""


def _place(node: Any) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class Builder:
    """Plain values from a composed node tree, recording positions and problems."""

    def __init__(self, text_scalars: bool, keep_types_under: frozenset[str]) -> None:
        self.text_scalars = text_scalars
        self.keep_types_under = keep_types_under
        self.positions = YamlPositions()
        self.problems: list[Located] = []
        self._seen: set[int] = set()
        self._open: set[int] = set()  # the collections being built, from the root down to this node
        self._expansions = 0

    def build(self, node: Any, pointer: str, as_text: bool) -> Any:
        if id(node) in self._seen:
            self._expansions += 1
            if self._expansions > MAX_ALIAS_EXPANSIONS:
                raise TooManyAliases
        self._seen.add(id(node))
        self.positions.values.setdefault(pointer, _place(node))
        kind = type(node).__name__
        if kind == "ScalarNode":
            return self._scalar(node, pointer, as_text)
        if id(node) in self._open:
            raise SelfAlias
        if node.tag not in COLLECTION_TAGS:
            self._refuse_tag(node, pointer)
        self._open.add(id(node))
        try:
            if kind == "MappingNode":
                return self._mapping(node, pointer, as_text)
            return [self.build(item, join(pointer, index), as_text) for index, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: Any, pointer: str, as_text: bool) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == TAG + "merge":
                merged.update(self._merge_source(value_node, pointer, as_text))
                continue
            key = self._key(key_node, pointer)
            child = join(pointer, key)
            if key in first_seen:
                line, column = first_seen[key]
                message = f"duplicate key (first at line {line}, column {column}); the last value would silently win"
                self.problems.append((Problem(child, "duplicate-key", message, on_key=True), _place(key_node)))
            first_seen[key] = _place(key_node)
            self.positions.keys[child] = _place(key_node)
            self.positions.values[child] = _place(value_node)
            result[key] = self.build(value_node, child, as_text and key not in self.keep_types_under)
        return {**merged, **result}

    def _merge_source(self, node: Any, pointer: str, as_text: bool) -> dict[str, Any]:
        sources = node.value if type(node).__name__ == "SequenceNode" else [node]
        merged: dict[str, Any] = {}
        for source in reversed(sources):  # earlier sources win, as YAML's merge key says
            value = self.build(source, pointer, as_text)
            if isinstance(value, dict):
                merged.update(value)
        return merged

    def _key(self, node: Any, pointer: str) -> str:
        if type(node).__name__ != "ScalarNode":
            self.problems.append((Problem(pointer, "parse", "a mapping key must be a plain value"), _place(node)))
            return f"<complex key at line {_place(node)[0]}>"
        value = self._scalar(node, pointer, as_text=True)
        return "" if value is None else str(value)

    def _refuse_tag(self, node: Any, pointer: str) -> None:
        """A tag JSON has no value for; a standard one is named, a local one (any text of the file) only measured."""
        shown = node.tag if _KNOWN_TAG.fullmatch(node.tag) else f"of {len(node.tag)} characters"
        self.problems.append((Problem(pointer, "parse", f"tag {shown} is not allowed here"), _place(node)))

    def _scalar(self, node: Any, pointer: str, as_text: bool) -> Any:
        tag, text = node.tag, node.value
        plain = node.style is None
        if tag not in SCALAR_TAGS:
            self._refuse_tag(node, pointer)
            return text
        if tag == TAG + "str" or (as_text and plain and tag != TAG + "null"):
            return text
        if tag == TAG + "null":
            return None
        if tag == TAG + "bool":
            return text.lower() == "true"
        if tag == TAG + "timestamp":
            return text  # JSON has no dates: keep what was written, a format check reads it
        try:
            number = _int(text) if tag == TAG + "int" else _float(text)
        except ValueError:  # an explicit `!!int three`, or past Python's 4,300 digits (the value is not echoed)
            message = _UNREADABLE[tag]
            self.problems.append((Problem(pointer, "parse", message), _place(node)))
            return text
        if not math.isfinite(number):
            shown = text if _INFINITY.fullmatch(text) else "a number"  # `1e999`'s digits may be anything
            message = f"{shown} is not a finite number; JSON cannot hold it"
            self.problems.append((Problem(pointer, "parse", message), _place(node)))
        return number


def _int(text: str) -> int:
    cleaned = text.replace("_", "")
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-")
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if digits.lower().startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits, 10)


def _float(text: str) -> float:
    lowered = text.lower().replace("_", "")
    if lowered.lstrip("+-") == ".inf":
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(lowered)


_UNREADABLE = {
    TAG + "int": "cannot be read as !!int (not an integer, or over Python's 4,300 digits)",
    TAG + "float": "cannot be read as !!float (not a number)",
}
_UNBUILT = {
    TooManyAliases: f"more than {MAX_ALIAS_EXPANSIONS} nodes expanded through aliases",
    SelfAlias: "an alias inside the node it names: its value would never end",
    RecursionError: "not valid YAML: nesting too deep",
}


def parse_text(
    text: str, path: str, text_scalars: bool = False, keep_types_under: frozenset[str] = frozenset()
) -> Document:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    loader = YAML(typ="rt")
    loader.composer.warn_double_anchors = False  # legal YAML; PYTHONWARNINGS=error would make it a traceback
    try:
        with warnings.catch_warnings():  # ruamel warns of a reused anchor by its name, on stderr
            warnings.simplefilter("ignore")
            node = loader.compose(io.StringIO(text))
    except RecursionError:
        return Document(path, MISSING, Fixed(), [(Problem("", "parse", "not valid YAML: nesting too deep"), (1, 1))])
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = _unquoted(" ".join(part for part in (error.context, error.problem) if part))
        return Document(path, MISSING, Fixed(*where), [(Problem("", "parse", f"not valid YAML: {message}"), where)])
    except YAMLError as error:
        problem = Problem("", "parse", f"not valid YAML: {_unquoted(str(error))}")
        return Document(path, MISSING, Fixed(), [(problem, (1, 1))])
    if node is None:
        return Document(path, None, Fixed(), [], text=text)
    builder = Builder(text_scalars, keep_types_under)
    try:
        value = builder.build(node, "", text_scalars)
    except (TooManyAliases, SelfAlias, RecursionError) as error:
        problem = Problem("", "parse", _UNBUILT[type(error)])
        return Document(path, MISSING, Fixed(), [(problem, (1, 1))])
    problems = builder.problems
    if SURROGATE_ESCAPE.search(text):
        value = replace_surrogates(value, problems, builder.positions.locate)
    return Document(path, value, builder.positions, problems, text=text)


def _unquoted(message: str) -> str:
    """A parser message without the file's text it quotes (an alias or anchor name, a scalar)."""
    return _QUOTED.sub(lambda quoted: f"<{len(quoted.group()) - 2} characters>", message)


def read(path: Path, display: str, raw: bytes | None = None, **options: Any) -> Iterator[Document]:
    return read_whole(path, display, lambda text, shown: parse_text(text, shown, **options), raw)
