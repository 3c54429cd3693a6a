"""Kinds, versions, routing and the offline schema registry.

A file's kind and version come from, in order: `--kind KIND[@N]`, its
`$schema` (a relative path, the schema's `$id`, or a yaml-language-server
modeline), `[tool.mlmeta.routes]`, then the built-in routes below. A file no
route claims is skipped. An undeclared version is v1, so publishing v2 never
changes the verdict on a file that did not ask for it.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from mlmeta.config import Config
from mlmeta.globs import matches

ID_BASE = "https://mlmeta.dev/schemas/"
_PACKAGE = Path(__file__).resolve().parent


class Kind(NamedTuple):  # named tuples, not dataclasses: each dataclass costs a millisecond of start-up
    name: str
    format: str  # json | jsonl | yaml
    patterns: tuple[str, ...] = ()  # built-in routes
    # YAML only: plain scalars stay the text written, except under these keys (Go's reading)
    text_scalars: bool = False
    typed_keys: frozenset[str] = frozenset()

    def reader_options(self) -> dict[str, Any]:
        if self.format != "yaml":
            return {}
        return {"text_scalars": self.text_scalars, "keep_types_under": self.typed_keys}


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("model", "json", ("model_metadata/**/*.json",)),
        Kind("dataset", "json", ("dataset_metadata/**/*.json",)),
        Kind("results", "json", ("model_scores/**/*.json",)),
        Kind("manifest", "jsonl", ("models.jsonl",)),
        Kind("measurements", "json", ("benchmark-results*.json", "measurements*.json")),
        Kind("kitfile", "yaml", ("Kitfile", "kitfile", ".kitfile"), True, frozenset({"parameters"})),
        Kind("modelkit-manifest", "json"),
    )
}

FORMAT_BY_SUFFIX = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml"}

# the tail of a $schema that names a bundled schema: ".../<kind>/v<N>.json"
_SCHEMA_REF = re.compile(r"(?:^|/)(?P<kind>[a-z][a-z0-9-]*)/v(?P<version>\d+)(?:\.draft7)?\.json(?:#.*)?\Z")
_MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)", re.MULTILINE)


def schema_root() -> Path:
    """Bundled schemas: inside the installed package, or the checkout's `schemas/` folder."""
    bundled = _PACKAGE / "_schemas"
    return bundled if bundled.is_dir() else _PACKAGE.parent.parent / "schemas"


@cache
def versions(kind: str) -> tuple[int, ...]:
    folder = schema_root() / kind
    found = (re.fullmatch(r"v(\d+)\.json", p.name) for p in folder.glob("v*.json"))
    return tuple(sorted(int(m.group(1)) for m in found if m))


@cache
def load_schema(kind: str, version: int) -> dict[str, Any]:
    with (schema_root() / kind / f"v{version}.json").open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def schema_id(kind: str, version: int) -> str:
    return f"{ID_BASE}{kind}/v{version}.json"


class RouteError(ValueError):
    """A declared kind or version this installation does not have."""


class Route(NamedTuple):
    kind: str
    version: int | None = None  # None: not declared here

    @classmethod
    def parse(cls, text: str) -> Route:
        """`kind` or `kind@N`, as --kind and config routes write it."""
        name, _, number = text.partition("@")
        if name not in KINDS:
            raise RouteError(f"unknown kind {name!r}; kinds: {', '.join(KINDS)}")
        if number and not number.isdigit():
            raise RouteError(f"bad version in {text!r}: write kind@N, such as manifest@2")
        return cls(name, int(number) if number else None)


@lru_cache(maxsize=64)  # a catalog's files name a few schemas, each file twice (peeked and parsed)
def parse_schema_ref(ref: str) -> Route | None:
    """The kind and version a `$schema` names, or None when it names no bundled kind."""
    match = _SCHEMA_REF.search(ref)
    if match is None or match.group("kind") not in KINDS:
        return None
    return Route(match.group("kind"), int(match.group("version")))


def modeline_ref(text: str) -> str | None:
    match = _MODELINE.search(text, 0, 4096)
    return match.group(1) if match else None


def configured_route(relative: str, config: Config) -> Route | None:
    for pattern, target in config.routes.items():
        if matches(pattern, relative):
            return Route.parse(target)
    for kind in KINDS.values():
        for pattern in kind.patterns:  # no generator per kind: discovery routes every file of the repository
            if matches(pattern, relative):
                return Route(kind.name)
    return None


def decide(forced: Route | None, declared: Route | None, configured: Route | None) -> Route | None:
    """The kind and version to validate with, from the most to the least explicit source."""
    chosen = forced or declared or configured
    if chosen is None:
        return None
    version = chosen.version
    for other in (declared, configured):
        if version is None and other is not None and other.kind == chosen.kind:
            version = other.version
    version = version or 1
    if version not in versions(chosen.kind):
        have = ", ".join(f"v{v}" for v in versions(chosen.kind))
        raise RouteError(f"{chosen.kind} has no schema v{version} (bundled: {have})")
    return Route(chosen.kind, version)


class Validators:
    """Each schema compiled once per run; `$ref` resolves only among bundled schemas."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, int], Any] = {}

    def get(self, kind: str, version: int) -> Any:
        key = (kind, version)
        if key not in self._compiled:
            import jsonschema_rs

            self._compiled[key] = jsonschema_rs.validator_for(
                load_schema(kind, version), validate_formats=True, retriever=bundled_only
            )
        return self._compiled[key]


def bundled_only(uri: str) -> dict[str, Any]:
    """Resolve a `$ref` to a bundled schema by its `$id`; anything else is refused, never fetched."""
    route = parse_schema_ref(uri) if uri.startswith(ID_BASE) else None
    if route is None or route.version not in versions(route.kind):
        raise ValueError(f"$ref {uri} is not a bundled schema; mlmeta never fetches schemas")
    return load_schema(route.kind, route.version or 1)
