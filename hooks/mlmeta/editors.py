"""What editors read: draft-07 copies of the schemas, the SchemaStore catalog, VS Code settings.

The schemas are JSON Schema 2020-12. Editors understand draft-07 best (yaml-language-server
knows nothing newer; VS Code's 2020-12 support is partial), so every `vN.json` has a generated
`vN.draft7.json` beside it that accepts and rejects exactly what the original does: `$defs`
become `definitions`, `$ref`s follow, and a `$ref` that has validation keywords beside it
(ignored beside `$ref` in draft-07) moves into an `allOf`. A keyword with no draft-07
equivalent stops the generator rather than being dropped. A description written in Markdown
(code, bold, links) is also given as `markdownDescription`, which VS Code renders. `mlmeta schemas --draft7` writes
the copies and `catalog.json`; `--check` (and a test) fails when a committed one is out of date.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mlmeta.config import Config
from mlmeta.schemas import ID_BASE, KINDS, parse_schema_ref

DRAFT7 = "http://json-schema.org/draft-07/schema#"
CATALOG_SCHEMA = "https://json.schemastore.org/schema-catalog.json"

# keywords whose value is one schema, a list of schemas, or a map of name -> schema
ONE_SCHEMA = {
    "items", "additionalProperties", "additionalItems", "not", "if", "then", "else", "contains", "propertyNames",
}
SCHEMA_LIST = {"allOf", "anyOf", "oneOf"}
SCHEMA_MAP = {"properties", "patternProperties"}
# keywords that say nothing about validity: they may stay beside a `$ref`
ANNOTATIONS = {
    "title", "description", "markdownDescription", "examples", "default", "defaultSnippets", "deprecated",
    "deprecationMessage", "readOnly", "writeOnly", "$comment", "enumDescriptions", "markdownEnumDescriptions",
    "doNotSuggest", "suggestSortText", "errorMessage",
}
NO_DRAFT7_EQUIVALENT = {
    "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$dynamicAnchor", "$recursiveRef",
    "$recursiveAnchor", "$anchor", "minContains", "maxContains", "$vocabulary",
}


# what makes a description Markdown worth rendering: `code`, **bold**, [links](...)
MARKDOWN = re.compile(r"`[^`]+`|\*\*[^*]+\*\*|\[[^\]]+\]\([^)]+\)")


class Draft7Error(ValueError):
    """A schema uses a keyword draft-07 cannot say; the copy would not be equivalent."""


def draft7_name(version: int) -> str:
    return f"v{version}.draft7.json"


def draft7_ref(ref: str) -> str:
    """A 2020-12 `$ref` as the draft-07 copies spell it: other bundled schemas by their copies."""
    base, hashmark, fragment = ref.partition("#")
    route = parse_schema_ref(base) if base else None
    if route is not None and route.version is not None and ".draft7." not in base:
        base = base[: base.rindex("/") + 1] + draft7_name(route.version)
    tokens = ["definitions" if token == "$defs" else token for token in fragment.split("/")]
    return base + hashmark + "/".join(tokens)


def convert(node: Any, pointer: str, ref: Callable[[str], str] = draft7_ref) -> Any:
    """`node` in draft-07; `ref` spells each `$ref` (by default: other bundled schemas by their published copies)."""
    if isinstance(node, bool):
        return node
    if not isinstance(node, dict):
        raise Draft7Error(f"{pointer or '/'}: a schema must be an object or a boolean")
    out: dict[str, Any] = {}
    dependencies: dict[str, Any] = {}
    for key, value in node.items():
        at = f"{pointer}/{key}"
        if key in NO_DRAFT7_EQUIVALENT:
            raise Draft7Error(f"{at}: '{key}' has no draft-07 equivalent")
        if key in ("$schema", "$id"):
            if pointer:
                raise Draft7Error(f"{at}: only the root may carry '{key}'")
        elif key in ("$defs", "definitions"):
            out.setdefault("definitions", {}).update(
                {name: convert(sub, f"{at}/{name}", ref) for name, sub in value.items()}
            )
        elif key == "$ref":
            out["$ref"] = ref(value)
        elif key == "prefixItems":
            out["items"] = [convert(sub, f"{at}/{n}", ref) for n, sub in enumerate(value)]
        elif key == "items" and "prefixItems" in node:
            out["additionalItems"] = convert(value, at, ref)  # 2020-12 `items` after a prefix
        elif key in ONE_SCHEMA:
            out[key] = convert(value, at, ref)
        elif key in SCHEMA_LIST:
            out[key] = [convert(sub, f"{at}/{n}", ref) for n, sub in enumerate(value)]
        elif key in SCHEMA_MAP:
            out[key] = {name: convert(sub, f"{at}/{name}", ref) for name, sub in value.items()}
        elif key == "dependentRequired":
            dependencies.update(value)
        elif key == "dependentSchemas":
            dependencies.update({name: convert(sub, f"{at}/{name}", ref) for name, sub in value.items()})
        else:  # a value keyword, an annotation, or data (enum, const, examples, snippets)
            out[key] = value
    if dependencies:
        out["dependencies"] = dependencies
    description = out.get("description")
    if isinstance(description, str) and "markdownDescription" not in out and MARKDOWN.search(description):
        out["markdownDescription"] = description  # VS Code renders this one; `description` shows raw
    validating = [k for k in out if k != "$ref" and k not in ANNOTATIONS and not k.startswith("x-")]
    if "$ref" in out and validating:
        # draft-07 ignores everything beside a $ref; an allOf keeps both in force
        out["allOf"] = [{"$ref": out.pop("$ref")}, *out.get("allOf", [])]
    return out


def to_draft7(schema: dict[str, Any], kind: str, version: int) -> dict[str, Any]:
    converted: dict[str, Any] = convert(schema, "")
    return {"$schema": DRAFT7, "$id": f"{ID_BASE}{kind}/{draft7_name(version)}", **converted}


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def sources(root: Path) -> list[tuple[str, int, dict[str, Any]]]:
    """(kind, version, schema) of every 2020-12 schema under `root`, oldest version first."""
    found = []
    for kind in KINDS:
        numbered = (re.fullmatch(r"v(\d+)\.json", path.name) for path in (root / kind).glob("v*.json"))
        for version in sorted(int(match.group(1)) for match in numbered if match):
            found.append((kind, version, json.loads((root / kind / f"v{version}.json").read_text(encoding="utf-8"))))
    return found


def editor_globs(pattern: str) -> str:
    """A route pattern (.gitignore style) as an editor's workspace glob."""
    anchored = "/" in pattern.rstrip("/")  # as globs.compile_glob reads it
    return pattern.lstrip("/") if anchored else f"**/{pattern}"


def editor_routes(config: Config | None) -> dict[tuple[str, int], list[str]]:
    """(kind, version) -> file globs, from the configured routes then the built-in ones.

    JSON Lines files are left out: editors validate a whole file as one JSON document; so are
    one-file catalogs of a user kind, whose schema describes a row, not the file.
    """
    from mlmeta.schemas import Route, kinds

    known = kinds(config) if config else KINDS
    routes: dict[tuple[str, int], list[str]] = {}
    configured = config.routes.items() if config else ()
    builtin = ((pattern, kind.name) for kind in KINDS.values() for pattern in kind.patterns)
    for pattern, target in [*configured, *builtin]:
        route = Route.parse(target, known)
        if known[route.kind].format == "jsonl" or known[route.kind].rows is not None:
            continue
        globs = routes.setdefault((route.kind, route.version or 1), [])
        glob = editor_globs(pattern)
        if glob not in globs:
            globs.append(glob)
    return routes


def is_url(base: str) -> bool:
    return len(urlsplit(base).scheme) > 1  # not a Windows drive letter


def schema_location(base: str, kind: str, version: int, name: Callable[[int], str] = draft7_name) -> str:
    """The draft-07 copy of a schema under `base`: a URL, or a folder relative to the workspace.

    `name` is the copy's file name: `vN.draft7.json` where the originals sit beside the copies (the
    published layout), `vN.json` in a folder of copies only (what `mlmeta schemas export` writes).
    """
    folder = base.rstrip("/")
    if not is_url(base) and folder.split("/")[0] not in (".", "..", ""):  # `.mlmeta/...` is relative too
        folder = f"./{folder}"
    return f"{folder}/{kind}/{name(version)}"


def modeline_target(
    base: str, kitfile: Path, root: Path, version: int = 1, name: Callable[[int], str] = draft7_name
) -> str:
    """What a Kitfile's modeline names: the URL, or the local copy relative to the Kitfile's folder."""
    if is_url(base):
        return schema_location(base, "kitfile", version, name)
    target = root / base.strip("/") / "kitfile" / name(version)
    return Path(os.path.relpath(target, kitfile.parent)).as_posix()


def user_schema_location(config: Config, kind: str, version: int) -> str:
    """A user kind's schema as editors should read it: its draft-07 copy when it has one, by relative path."""
    from mlmeta.schemas import kinds

    relative = kinds(config).schema_file(kind, version)
    copy = draft7_copy(relative)
    fragment = kinds(config)[kind].schema or ""
    chosen = copy if (config.root / copy).is_file() else relative
    return f"./{chosen}{fragment[fragment.index('#'):] if '#' in fragment else ''}"


def draft7_copy(relative: str) -> str:
    """Where the draft-07 copy of a user schema lives: beside it, `.draft7` before the suffix."""
    stem, dot, suffix = relative.rpartition(".")
    return f"{stem}.draft7.{suffix}" if dot else f"{relative}.draft7"


def vscode_settings(config: Config | None, base: str, name: Callable[[int], str] = draft7_name) -> dict[str, Any]:
    """The settings that map this repository's metadata files to their schemas in VS Code.

    `name` is the copies' file name, as in schema_location.
    """
    json_schemas: list[dict[str, Any]] = []
    yaml_schemas: dict[str, list[str]] = {}
    associations: dict[str, str] = {}
    for (kind, version), globs in editor_routes(config).items():
        if kind not in KINDS and config is not None:  # a user kind: read as each file's suffix says
            url = user_schema_location(config, kind, version)
            yaml_globs = [glob for glob in globs if glob.endswith((".yaml", ".yml"))]
            if yaml_globs:
                yaml_schemas.setdefault(url, []).extend(yaml_globs)
            if len(yaml_globs) < len(globs):
                json_schemas.append({"fileMatch": [g for g in globs if g not in yaml_globs], "url": url})
            continue
        url = schema_location(base, kind, version, name)
        if KINDS[kind].format == "yaml":
            yaml_schemas.setdefault(url, []).extend(globs)
            # a Kitfile has no extension: without this VS Code opens it as plain text
            associations.update({glob: "yaml" for glob in globs if not glob.endswith((".yaml", ".yml"))})
        else:
            json_schemas.append({"fileMatch": globs, "url": url})
    settings: dict[str, Any] = {"json.schemas": json_schemas}
    if yaml_schemas:
        settings["yaml.schemas"] = yaml_schemas
    if associations:
        settings["files.associations"] = associations
    return settings


def merge_settings(existing: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    """`existing` plus whatever of `wanted` it lacks; a mapping the user already made is kept."""
    merged = dict(existing)
    for key, value in wanted.items():
        have = merged.get(key)
        if have is None:
            merged[key] = value
        elif isinstance(have, list) and isinstance(value, list):  # json.schemas: one entry per url
            urls = {entry.get("url") for entry in have if isinstance(entry, dict)}
            merged[key] = have + [entry for entry in value if entry["url"] not in urls]
        elif isinstance(have, dict) and isinstance(value, dict):
            merged[key] = {**value, **have} if not set(value) <= set(have) else have
    return merged


def catalog(root: Path) -> dict[str, Any]:
    """Every kind in the SchemaStore catalog shape; URLs name the draft-07 copies editors read."""
    routes = editor_routes(None)
    released: dict[str, list[int]] = {}
    titles: dict[str, str] = {}
    for kind, version, schema in sources(root):
        released.setdefault(kind, []).append(version)
        titles[kind] = schema.get("title", kind)  # the latest version's
    entries = []
    for kind, numbers in released.items():
        entry: dict[str, Any] = {"name": f"mlmeta {kind}", "description": titles[kind]}
        # a catalog does not know where a repository starts: root-anchored routes match at any depth
        found = [glob for (named, _), globs in routes.items() if named == kind for glob in globs]
        globs = [glob if glob.startswith("**/") else f"**/{glob}" for glob in found]
        if globs:
            entry["fileMatch"] = globs
        # an undeclared file is checked against v1, so that is what an editor should show too
        entry["url"] = schema_location(ID_BASE, kind, 1 if 1 in numbers else numbers[0])
        entry["versions"] = {f"v{v}": schema_location(ID_BASE, kind, v) for v in numbers}
        entries.append(entry)
    return {"$schema": CATALOG_SCHEMA, "version": 1, "schemas": entries}


def generated(root: Path) -> dict[Path, str]:
    """Every file generated under the schemas folder `root`, with its text."""
    files = {
        root / kind / draft7_name(version): dumps(to_draft7(schema, kind, version))
        for kind, version, schema in sources(root)
    }
    files[root / "catalog.json"] = dumps(catalog(root))
    return files
