"""Kinds, versions, routing and the offline schema registry.

A file's kind and version come from, in order: `--kind KIND[@N]`, its
`$schema` (a relative path, the schema's `$id`, or a yaml-language-server
modeline), `[tool.mlmeta.routes]`, then the built-in routes below. A file no
route claims is skipped. An undeclared version is v1, so publishing v2 never
changes the verdict on a file that did not ask for it.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from mlmeta.config import Config, ConfigError
from mlmeta.globs import matches_file

if TYPE_CHECKING:
    from mlmeta.user_kinds import Versions

ID_BASE = "https://mlmeta.dev/schemas/"
_PACKAGE = Path(__file__).resolve().parent


class Kind(NamedTuple):  # named tuples, not dataclasses: each dataclass costs a millisecond of start-up
    """A kind of metadata file as data: bundled or the repository's own, routed and reported alike."""

    name: str
    format: str  # json | jsonl | yaml; "" (a user kind): as the file's suffix says
    patterns: tuple[str, ...] = ()  # built-in routes
    # YAML only: plain scalars stay the text written, except under these keys (Go's reading)
    text_scalars: bool = False
    typed_keys: frozenset[str] = frozenset()
    unique: tuple[str, ...] = ()  # pointers that identify a row (or a one-row file): `duplicate-row`
    rows: str | None = None  # a one-file catalog: the pointer to the array whose items are the rows
    # a user kind: its schema's path (relative to the root, `{N}` for the version), None for a bundled one
    schema: str | None = None
    extends: Route | None = None  # the bundled kind whose rules also run on a user kind
    formats: bool = True  # `format` asserts (check-jsonschema's default) or only annotates

    @property
    def family(self) -> Route | None:
        """The bundled kind (and version) whose rules run on this kind's files; None: only the any-kind rules."""
        if self.schema is None:
            return Route(self.name)
        return self.extends

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
        Kind("manifest", "jsonl", ("models.jsonl",), unique=("/repo_id",)),
        Kind("measurements", "json", ("benchmark-results*.json", "measurements*.json")),
        Kind("kitfile", "yaml", ("Kitfile", "kitfile", ".kitfile"), True, frozenset({"parameters"})),
        Kind("modelkit-manifest", "json"),
    )
}

PEEK_BYTES = 4096  # how much of a file's head is read for a `$schema` or a modeline, to route it before parsing
FORMAT_BY_SUFFIX = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml"}

# the tail of a $schema that names a bundled schema: ".../<kind>/v<N>.json"
_SCHEMA_REF = re.compile(r"(?:^|/)(?P<kind>[a-z][a-z0-9-]*)/v(?P<version>\d+)(?:\.draft7)?\.json(?:#.*)?\Z")
_SCHEMA_KEY = re.compile(r'"?\$schema"?\s*:\s*"?([^"\s,}]+)')
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


class SchemaRefError(ValueError):
    """A `$ref` of a user schema that names nothing mlmeta may read: a finding on the files of that kind."""


class Route(NamedTuple):
    kind: str
    version: int | None = None  # None: not declared here

    @classmethod
    def parse(cls, text: str, known: Mapping[str, Kind] = KINDS) -> Route:
        """`kind` or `kind@N`, as --kind and config routes write it."""
        name, _, number = text.partition("@")
        if name not in known:
            raise RouteError(f"unknown kind {name!r}; kinds: {', '.join(known)}")
        if number and not re.fullmatch(r"0*[1-9][0-9]{0,5}", number):  # from 1; ASCII digits int() reads
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
    return kinds(config).configured(relative)


def decide(forced: Route | None, declared: Route | None, configured: Route | None) -> Route | None:
    """The kind and version to validate with (bundled kinds), from the most to the least explicit source."""
    return _decide(forced, declared, configured, versions, "bundled")


def _decide(
    forced: Route | None,
    declared: Route | None,
    configured: Route | None,
    have: Callable[[str], tuple[int, ...]],
    where: str,
) -> Route | None:
    chosen = forced or declared or configured
    if chosen is None:
        return None
    version = chosen.version
    for other in (declared, configured):
        if version is None and other is not None and other.kind == chosen.kind:
            version = other.version
    version = version or 1
    if version not in have(chosen.kind):
        listed = ", ".join(f"v{v}" for v in have(chosen.kind)) or "none"
        raise RouteError(f"{chosen.kind} has no schema v{version} ({where}: {listed})")
    return Route(chosen.kind, version)


def kinds(config: Config) -> Kinds:
    """The kinds of a run: the bundled ones and the repository's own, worked out once per configuration."""
    table: Kinds | None = config.derived.get("kinds")
    if table is None:
        table = config.derived["kinds"] = Kinds(config)
    return table


class Kinds(Mapping[str, Kind]):
    """Every kind a run knows, by name; each schema read, checked and compiled at most once per run."""

    def __init__(self, config: Config) -> None:
        self.config = config
        declared = config.table.get("kinds") or {}
        self._kinds = dict(KINDS)
        self.user: dict[str, Kind] = {}
        self._spec: dict[str, Versions] = {}
        if declared:
            from mlmeta.user_kinds import Versions, options

            for name, table in declared.items():
                kind = self._user_kind(name, options(name, table, str(config.source or "pyproject.toml")))
                self._kinds[name] = self.user[name] = kind
                assert kind.schema is not None
                self._spec[name] = Versions(config.root, kind.schema)
        self._routes = [(pattern, Route.parse(target, self)) for pattern, target in config.routes.items()]
        self._schemas: dict[tuple[str, int], Any] = {}
        self._validators: dict[tuple[str, int], Any] = {}
        self._ids: dict[str, Route] | None = None
        self._retriever: Any = None
        self.disabled_formats: frozenset[str] = frozenset()  # --disable-formats, for user kinds ("*": every one)

    def _user_kind(self, name: str, table: dict[str, Any]) -> Kind:
        where = f"[tool.mlmeta.kinds.{name}]"
        if name in KINDS:
            raise ConfigError(f"{where}: {name!r} is a bundled kind; give yours another name")
        extends = None
        if "extends" in table:
            try:
                extends = decide(Route.parse(table["extends"]), None, None)
            except RouteError as error:
                raise ConfigError(f"{where} extends: {error}") from None
        # what identifies a row: the kind's own `unique`, else the one of the kind it extends (a manifest's repo_id)
        unique = tuple(table["unique"]) if "unique" in table else KINDS[extends.kind].unique if extends else ()
        return Kind(
            name,
            "",
            unique=unique,
            rows=table.get("rows"),
            schema=posixpath.normpath(table["schema"].partition("#")[0]) + _fragment(table["schema"]),
            extends=extends,
            formats=table.get("formats", True),
        )

    def __getitem__(self, name: str) -> Kind:
        return self._kinds[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def parse(self, text: str) -> Route:
        return Route.parse(text, self)

    def versions(self, name: str) -> tuple[int, ...]:
        return self._spec[name].found() if name in self.user else versions(name)

    def decide(self, forced: Route | None, declared: Route | None, configured: Route | None) -> Route | None:
        chosen = forced or declared or configured
        where = "in the repository" if chosen is not None and chosen.kind in self.user else "bundled"
        return _decide(forced, declared, configured, self.versions, where)

    def configured(self, relative: str) -> Route | None:
        """The route `[tool.mlmeta.routes]` or a built-in pattern gives a repository path."""
        for pattern, route in self._routes:
            if matches_file(pattern, relative):
                return route
        for kind in KINDS.values():
            for pattern in kind.patterns:  # no generator per kind: discovery routes every file of the repository
                if matches_file(pattern, relative):
                    return Route(kind.name)
        return None

    def declared(self, ref: str, shown: str) -> Route | None:
        """The kind a `$schema` names: a bundled schema, or a user kind's schema by relative path or `$id`."""
        base = ref.partition("#")[0].rstrip("/")
        route = self._user_ref(base, shown) if self.user else None  # the repository's own schemas first
        # a URL names a bundled schema by its $id (or a draft-07 copy's name), not by any tail that looks alike
        if route is None and ("://" not in base or base.startswith(ID_BASE) or base.endswith(".draft7.json")):
            route = parse_schema_ref(ref)
        if route is None and "mlmeta" in ref:
            raise RouteError("$schema names no bundled mlmeta schema")  # its text is the file's: never printed
        return route

    def peek(self, head: bytes, yaml: bool, shown: str) -> Route | None:
        """The kind a file's first bytes declare: a YAML modeline or a top-level `$schema` (RouteError: a bad one)."""
        text = head.decode("utf-8", "replace")
        ref = modeline_ref(text) if yaml else None
        if ref is None:
            match = _SCHEMA_KEY.search(text)
            ref = match.group(1) if match else None
        return self.declared(ref, shown) if ref else None

    def _user_ref(self, ref: str, shown: str) -> Route | None:
        if "://" in ref and not ref.startswith("file:"):
            return self.ids().get(ref)
        if ref.startswith("file:"):
            from urllib.parse import unquote, urlsplit

            target = Path(unquote(urlsplit(ref).path))
            try:
                relative = target.resolve().relative_to(self.config.root).as_posix()
            except (OSError, ValueError):
                return None
        elif ref.startswith("/"):
            return None
        else:
            relative = posixpath.normpath(posixpath.join(posixpath.dirname(shown), ref))
        for name, spec in self._spec.items():
            version = spec.version_of(relative)
            if version is not None:
                return Route(name, version)
        return None

    def ids(self) -> dict[str, Route]:
        """Each user schema's own `$id` -> its kind and version (every user schema read, once)."""
        if self._ids is None:
            self._ids = {}
            for name in self.user:
                for version in self.versions(name):
                    own = self.schema(name, version)
                    own = own.get("$id") if isinstance(own, dict) else None
                    if isinstance(own, str):
                        self._ids[own.partition("#")[0].rstrip("/")] = Route(name, version)
        return self._ids

    def schema(self, name: str, version: int) -> Any:
        """A schema document: bundled, or a user kind's file read and checked against its metaschema."""
        if name not in self.user:
            return load_schema(name, version)
        key = (name, version)
        if key not in self._schemas:
            from mlmeta.user_kinds import read_schema

            spec = self._spec[name]
            self._schemas[key] = read_schema(spec.path(version), spec.relative(version))
        return self._schemas[key]

    def verify(self) -> None:
        """Every user schema read and checked now: a broken one is a usage error before any file is read."""
        for name in self.user:
            found = self.versions(name)
            if not found:
                spec = self._spec[name]
                what = "no schema file matches this" if spec.numbered else "no such schema file"
                given = self.config.derived.get("schemafile")
                origin = "--schemafile" if given and given[0] == name else f"[tool.mlmeta.kinds.{name}]"
                raise ConfigError(f"{spec.template}: {what} ({origin})")
            for version in found:
                self._check_fragment(name, version)
                # compiled now: a schema jsonschema-rs refuses (a bad regex) is a usage error too; a $ref that
                # resolves to nothing is a finding on each file of the kind
                with suppress(SchemaRefError):
                    self.validator(name, version)

    def _check_fragment(self, name: str, version: int) -> None:
        from mlmeta.documents import MISSING, resolve

        spec = self._spec[name]
        schema = self.schema(name, version)
        if spec.fragment and resolve(schema, spec.fragment[1:]) is MISSING:
            raise ConfigError(f"{spec.relative(version)}: no part {spec.fragment[1:]!r} to validate against")

    @property
    def root(self) -> Path:
        return self.config.root

    def version_of(self, name: str, relative: str) -> int | None:
        """The version of a user kind whose schema file this repository path is (None: not one of them)."""
        return self._spec[name].version_of(relative)

    def lock_folder(self, name: str) -> Path | None:
        """Where a versioned user kind's SHA256SUMS lives (None: one schema file, nothing to lock)."""
        return self._spec[name].lock_folder()

    def schema_file(self, name: str, version: int) -> str:
        """A user kind's schema file, relative to the root (without its fragment)."""
        return self._spec[name].relative(version)

    def schema_owner(self, relative: str) -> str | None:
        """The user kind whose schema file (or lock) this repository path is."""
        from mlmeta.user_kinds import LOCK

        for name, spec in self._spec.items():
            folder = spec.lock_folder()
            lock = folder is not None and relative == _relative_to(folder, self.config.root, LOCK)
            if lock or spec.version_of(relative) is not None:
                return name
        return None

    def lock_problems(self, name: str) -> list[tuple[str, int | None, str]]:
        """(schema file, version, why) for each released version of a user kind whose bytes differ from its lock."""
        from mlmeta.user_kinds import LOCK, digest, read_lock

        spec = self._spec[name]
        folder = spec.lock_folder()
        locked = read_lock(folder) if folder is not None else None
        if not locked or folder is None:
            return []
        found: list[tuple[str, int | None, str]] = []
        for version in self.versions(name):
            path = spec.path(version)
            entry = path.relative_to(folder).as_posix()
            if entry in locked and digest(path) != locked[entry]:
                message = (
                    f"released schema {name}/v{version} changed since it was locked in "
                    f"{_relative_to(folder, self.config.root, LOCK)}: publish the change as "
                    f"v{max(self.versions(name)) + 1} and relock (`mlmeta schemas lock`)"
                )
                found.append((spec.relative(version), version, message))
        for entry in sorted(set(locked) - {spec.path(v).relative_to(folder).as_posix() for v in self.versions(name)}):
            if spec.version_of(_relative_to(folder, self.config.root, entry)) is not None:
                shown = _relative_to(folder, self.config.root, entry)
                found.append((shown, spec.version_of(shown), "a locked, released schema was removed"))
        return found

    def write_lock(self, name: str, force: bool = False) -> Path | None:
        """Lock every version of a versioned user kind: SHA256SUMS beside its schemas (None: not versioned).

        A version the lock holds already keeps its digest: relocking never approves a changed release,
        unless `force` says a person means it.
        """
        from mlmeta.atomic import write_atomic
        from mlmeta.user_kinds import LOCK, digest, read_lock

        spec = self._spec[name]
        folder = spec.lock_folder()
        if folder is None:
            return None
        if not folder.resolve().is_relative_to(self.config.root.resolve()):
            raise ConfigError(f"{folder}: outside the repository; mlmeta writes no lock there")
        paths = [spec.path(version) for version in self.versions(name)]
        entries = sorted((path.relative_to(folder).as_posix(), digest(path)) for path in paths)
        locked = read_lock(folder) or {}
        changed = [entry for entry, hexdigest in entries if locked.get(entry, hexdigest) != hexdigest]
        if changed and not force:
            raise ConfigError(
                f"{name}: released {', '.join(changed)} changed since they were locked; publish the change as a new "
                "version (or `mlmeta schemas lock --force` to accept it)"
            )
        write_atomic(folder / LOCK, ["".join(f"{hexdigest}  {entry}\n" for entry, hexdigest in entries).encode()])
        return folder / LOCK

    def validator(self, name: str, version: int) -> Any:
        """The compiled schema; a `$ref` that resolves to nothing raises SchemaRefError (each time it is asked)."""
        key = (name, version)
        if key not in self._validators:
            try:
                compiled = self._compile_user(name, version) if name in self.user else compile_bundled(name, version)
            except SchemaRefError as error:
                compiled = error
            self._validators[key] = compiled
        found = self._validators[key]
        if isinstance(found, SchemaRefError):
            raise found
        return found

    def _compile_user(self, name: str, version: int) -> Any:
        import jsonschema_rs

        from mlmeta.user_kinds import Retriever, file_uri

        spec = self._spec[name]
        schema = self.schema(name, version)
        if self._retriever is None:
            given = self.config.derived.get("schemafile")
            self._retriever = Retriever(self.config.root, _bundled_or_none, given[1] if given else None)
        retriever = self._retriever
        for other, number in self._schemas:  # a relative $ref against a user schema's own $id names a file
            retriever.alias(self._schemas[(other, number)], self._spec[other].path(number))
        uri = file_uri(spec.path(version))
        disabled = self.disabled_formats
        formats = self._kinds[name].formats and "*" not in disabled
        options: dict[str, Any] = {"retriever": retriever, "validate_formats": formats}
        if formats and disabled:
            options["formats"] = dict.fromkeys(disabled, _anything)  # these formats annotate only
        try:
            if spec.fragment:
                registry = jsonschema_rs.Registry([(uri, schema)], retriever=retriever)
                return jsonschema_rs.validator_for({"$ref": uri + spec.fragment}, registry=registry, **options)
            return jsonschema_rs.validator_for(schema, base_uri=uri, **options)
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as error:
            failed, retriever.failed = retriever.failed, None
            shown = f"{spec.relative(version)}{spec.fragment}"
            if failed is not None or isinstance(error, jsonschema_rs.ReferencingError):
                what = f"$ref {failed!r}" if failed else str(error).splitlines()[0]
                raise SchemaRefError(f"{shown}: cannot resolve {what}") from None
            reason = str(error).splitlines()[0]
            raise ConfigError(f"{shown}: not a schema jsonschema-rs can compile: {reason}") from None


def _anything(text: str) -> bool:
    return True


def _relative_to(folder: Path, root: Path, name: str) -> str:
    try:
        return (folder / name).relative_to(root).as_posix()
    except ValueError:
        return (folder / name).as_posix()


def _fragment(text: str) -> str:
    _, mark, fragment = text.partition("#")
    return mark + fragment


def compile_bundled(kind: str, version: int) -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for(load_schema(kind, version), validate_formats=True, retriever=bundled_only)


class Validators:
    """Each bundled schema compiled once per run; `$ref` resolves only among bundled schemas."""

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, int], Any] = {}

    def get(self, kind: str, version: int) -> Any:
        key = (kind, version)
        if key not in self._compiled:
            self._compiled[key] = compile_bundled(kind, version)
        return self._compiled[key]


def _bundled_or_none(uri: str) -> dict[str, Any] | None:
    route = parse_schema_ref(uri) if uri.startswith(ID_BASE) else None
    if route is None or route.version not in versions(route.kind):
        return None
    return load_schema(route.kind, route.version or 1)


def bundled_only(uri: str) -> dict[str, Any]:
    """Resolve a `$ref` to a bundled schema by its `$id`; anything else is refused, never fetched."""
    found = _bundled_or_none(uri)
    if found is None:
        raise ValueError(f"$ref {uri} is not a bundled schema; mlmeta never fetches schemas")
    return found
