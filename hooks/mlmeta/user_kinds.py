"""A repository's own kinds: `[tool.mlmeta.kinds.<name>]`, their schema files, `$ref`s and lock.

A user kind names its schema by a path relative to the repository root, either one file
(`metadata/model_schema.json`, its only version v1) or a versioned template
(`schemas/lab-model/v{N}.json`). A fragment (`catalog.json#/items`) validates against that
subschema. The schema may be written in any draft its own `$schema` names. Its `$ref`s
resolve to bundled schemas by their `$id` and to files of the repository, never the network.
A schema that is not valid JSON Schema is a usage error that names the file.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from mlmeta.config import Config, ConfigError

VERSION = "{N}"
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
OPTIONS = {"schema", "extends", "formats", "rows", "unique"}
LOCK = "SHA256SUMS"  # released versions are immutable: this lock proves it, as ours does
MAX_SCHEMA_BYTES = 16 << 20  # a schema larger than this is not one a person wrote


def options(name: str, table: Any, source: str) -> dict[str, Any]:
    """One `[tool.mlmeta.kinds.<name>]` table, checked: a mistake here is a usage error."""
    where = f"{source}: [tool.mlmeta.kinds.{name}]"
    if not NAME.match(name):
        raise ConfigError(f"{where}: a kind's name is a letter, then letters, digits, '-' or '_'")
    if not isinstance(table, dict):
        raise ConfigError(f"{where} is a table with a `schema` key")
    unknown = sorted(set(table) - OPTIONS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(OPTIONS))}")
    schema = table.get("schema")
    if not isinstance(schema, str) or not schema.partition("#")[0]:
        raise ConfigError(f"{where}: `schema` is the path of its schema file, such as 'schemas/{name}/v{{N}}.json'")
    if schema.count(VERSION) > 1 or "{" in schema.replace(VERSION, ""):
        raise ConfigError(f"{where}: `schema` holds {VERSION} at most once, for the version number")
    for key, kind in (("extends", str), ("formats", bool), ("rows", str)):
        if key in table and not isinstance(table[key], kind):
            raise ConfigError(f"{where}: `{key}` is a {'string' if kind is str else 'boolean'}")
    rows = table.get("rows")
    unique = table.get("unique", [])
    if rows is not None and rows and not rows.startswith("/"):
        raise ConfigError(f"{where}: `rows` is a JSON pointer: '' for a top-level array, or such as '/models'")
    if not isinstance(unique, list) or not all(isinstance(p, str) and p.startswith("/") for p in unique):
        raise ConfigError(f"{where}: `unique` is a list of JSON pointers, such as ['/name']")
    return table


def add_schemafile(config: Config, given: str, taken: Collection[str]) -> str:
    """`--schemafile PATH[#fragment]`: a user kind of that one file, `schemafile`; returns its name.

    `taken`: the bundled kinds' names, which a user kind may not have. The schema's own folder may
    hold what it `$ref`s, even outside the repository (as check-jsonschema reads it).
    """
    path, mark, fragment = given.partition("#")
    try:
        resolved = Path(path).resolve()
        relative = resolved.relative_to(config.root).as_posix()
    except (OSError, ValueError):
        relative = str(Path(path).resolve())
    kinds = config.table.setdefault("kinds", {})
    name = "schemafile"
    while name in kinds or name in taken:
        name = f"{name}-given"
    kinds[name] = options(name, {"schema": relative + mark + fragment}, "--schemafile")
    config.derived["schemafile"] = (name, Path(path).resolve().parent)
    return name


class Versions:
    """Where a user kind's versions live: one file (v1), or a template with {N}."""

    def __init__(self, root: Path, template: str) -> None:
        self.root = root
        self.template, _, fragment = template.partition("#")
        self.fragment = f"#{fragment}" if fragment else ""
        self.numbered = VERSION in self.template
        before, _, after = self.template.partition(VERSION)
        self._pattern = re.compile(re.escape(before) + r"([1-9][0-9]{0,5})" + re.escape(after) + r"\Z")

    def path(self, version: int) -> Path:
        return self.root / self.template.replace(VERSION, str(version))

    def relative(self, version: int) -> str:
        return self.template.replace(VERSION, str(version))

    def version_of(self, relative: str) -> int | None:
        """The version a repository path names, when it is one of this kind's schema files."""
        if not self.numbered:
            return 1 if relative == self.template.lstrip("./") else None
        match = self._pattern.match(relative)
        return int(match.group(1)) if match else None

    def found(self) -> tuple[int, ...]:
        if not self.numbered:
            return (1,) if self.path(1).is_file() else ()
        import glob

        before, _, after = self.template.partition(VERSION)
        pattern = os.path.join(glob.escape(str(self.root)), glob.escape(before) + "*" + glob.escape(after))
        numbers = set()
        for found in glob.glob(pattern):
            path = Path(found)
            number = self.version_of(path.as_posix() if path.is_absolute() and os.path.isabs(self.template)
                                     else path.relative_to(self.root).as_posix())
            if number is not None and os.path.isfile(found):
                numbers.add(number)
        return tuple(sorted(numbers))

    def lock_folder(self) -> Path | None:
        """The folder whose SHA256SUMS locks the versions: the one above the part that holds {N}."""
        if not self.numbered:
            return None
        parts = self.template.split("/")
        at = next(n for n, part in enumerate(parts) if VERSION in part)
        return self.root / "/".join(parts[:at])  # an absolute template's folder stays absolute


def read_schema(path: Path, shown: str) -> Any:
    """A schema file's value (JSON, or YAML by suffix), read as strictly as data is and checked against its draft."""
    from mlmeta.openers import read_regular

    try:
        text = read_regular(path, MAX_SCHEMA_BYTES).decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no such schema file") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ConfigError(f"{shown}: cannot read the schema: {reason}") from None
    if path.suffix.lower() in (".yaml", ".yml"):  # mlmeta's own readers: bounded aliases, JSON's values only
        from mlmeta.documents.yaml import parse_text as parse_yaml

        document = parse_yaml(text, shown)
    else:
        from mlmeta.documents.json import parse_text as parse_json

        document = parse_json(text, shown)
    if document.problems or not document.ok:  # NaN, a duplicate key, a tag: not a schema to trust
        problem, (line, column) = document.problems[0]
        raise ConfigError(f"{shown}: not a schema: {problem.message} (line {line}, column {column})")
    schema = document.value
    if not isinstance(schema, (dict, bool)):
        raise ConfigError(f"{shown}: a schema is an object or a boolean")
    _check_metaschema(schema, shown)
    return schema


# the drafts jsonschema-rs knows without fetching anything; any other `$schema` would be fetched
DRAFTS = frozenset(
    f"{scheme}://json-schema.org/{name}/schema{mark}"
    for scheme in ("http", "https")
    for name in ("draft-04", "draft-06", "draft-07", "draft/2019-09", "draft/2020-12")
    for mark in ("", "#")
)


def _check_metaschema(schema: Any, shown: str) -> None:
    import jsonschema_rs

    draft = schema.get("$schema") if isinstance(schema, dict) else None
    if draft is not None and draft not in DRAFTS:
        raise ConfigError(f"{shown}: $schema names no JSON Schema draft mlmeta knows (04, 06, 07, 2019-09, 2020-12)")
    try:
        jsonschema_rs.meta.validate(schema)
    except jsonschema_rs.ValidationError as error:
        where = "/" + "/".join(str(p) for p in error.instance_path)
        raise ConfigError(f"{shown}: not a valid JSON Schema: {error.message} (at {where})") from None
    except (jsonschema_rs.ReferencingError, ValueError, RecursionError) as error:
        raise ConfigError(f"{shown}: not a valid JSON Schema: {error}") from None


def file_uri(path: Path) -> str:
    return path.resolve().as_uri()


class Retriever:
    """Resolves the `$ref`s of user schemas: bundled schemas by `$id`, repository files, nothing else.

    A repository schema with an `$id` of its own is known by that `$id` as well, so that a
    relative `$ref` beside it (`defs.json` against `https://lab.example/s/v1.json`) names the
    file beside it in the repository.
    """

    def __init__(self, root: Path, bundled: Any, also: Path | None = None) -> None:
        self.root = root.resolve()
        self.also = also.resolve() if also is not None else None  # --schemafile's own folder
        self.bundled = bundled  # uri -> schema, or None when the uri names no bundled schema
        self.aliases: dict[str, Path] = {}  # the folder part of a schema's own $id -> its folder on disk
        self.failed: str | None = None

    def alias(self, schema: Any, path: Path) -> None:
        own = schema.get("$id") if isinstance(schema, dict) else None
        if isinstance(own, str) and "/" in own:
            self.aliases[own.rsplit("/", 1)[0] + "/"] = path.resolve().parent

    def __call__(self, uri: str) -> Any:
        found = self.bundled(uri)
        if found is not None:
            return found
        path = self._path(uri)
        if path is None:
            self.failed = uri
            raise ValueError(f"{uri}: not a bundled schema or a file of the repository; mlmeta never fetches")
        try:
            shown = path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)
            schema = read_schema(path, shown)
        except ConfigError as error:
            self.failed = uri
            raise ValueError(str(error)) from None
        self.alias(schema, path)  # its own relative $refs, against its own $id, name files beside it
        return schema

    def _path(self, uri: str) -> Path | None:
        base = uri.partition("#")[0]
        if base.startswith("file:"):
            return self._inside(Path(unquote(urlsplit(base).path)))
        # a URL on the host of a schema read already: the file at the same relative place on disk
        # (`../common/defs.json` against `https://lab.example/lab/v1.json` is `schemas/common/defs.json`)
        wanted = urlsplit(base)
        for prefix, folder in self.aliases.items():
            known = urlsplit(prefix)
            if (known.scheme, known.netloc) == (wanted.scheme, wanted.netloc):
                relative = posixpath.relpath(unquote(wanted.path), unquote(known.path) or "/")
                found = self._inside(folder / relative)
                if found is not None:
                    return found
        return None

    def _inside(self, path: Path) -> Path | None:
        """The file, resolved, when it lies in the repository (or beside --schemafile's schema); else None."""
        try:
            resolved = path.resolve()
        except (OSError, ValueError):
            return None
        inside = resolved.is_relative_to(self.root) or (self.also is not None and resolved.is_relative_to(self.also))
        return resolved if inside and resolved.is_file() else None


def digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_lock(folder: Path) -> dict[str, str] | None:
    """`SHA256SUMS` in `folder` as name -> hex digest (sha256sum's format); None when there is none."""
    from mlmeta.openers import read_regular

    try:
        text = read_regular(folder / LOCK, MAX_SCHEMA_BYTES).decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{folder / LOCK}: cannot read: {error}") from error
    try:
        return parse_lock(text, str(folder / LOCK))
    except ValueError as error:
        raise ConfigError(str(error)) from None


def parse_lock(text: str, shown: str) -> dict[str, str]:
    """sha256sum's lines (`<hex>  <file>`) as file -> hex digest; ValueError naming the line that is not one."""
    locked = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        hexdigest, _, name = line.partition("  ")
        if not re.fullmatch(r"[0-9a-f]{64}", hexdigest) or not name:
            raise ValueError(f"{shown}:{number}: not '<sha256>  <file>' as sha256sum writes it")
        locked[name.lstrip("*")] = hexdigest
    return locked
