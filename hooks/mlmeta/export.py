"""Schemas for editors in someone else's repository: `.mlmeta/schemas/<kind>/vN.json`.

Nothing serves `https://mlmeta.dev/schemas/`, and a consumer repository has no `schemas/` folder,
so `mlmeta init` (and `mlmeta schemas export DIR`) writes the draft-07 copies editors read into the
repository itself; editor settings, Kitfile modelines and hand-written `$schema`s name them by
relative path. A copy has no `$id` (its address is where it lies) and names another bundled schema
by a relative path, so an editor resolves every `$ref` on disk and fetches nothing. `mlmeta check`
still validates with the bundled originals: `parse_schema_ref` reads kind and version off the path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from mlmeta.atomic import write_atomic
from mlmeta.config import Config

EXPORT_DIR = ".mlmeta/schemas"  # relative to the repository's root
NOTICE = "A draft-07 copy of mlmeta's {kind}/v{version} schema for editors, by `mlmeta schemas export`: do not edit."


def exported_name(version: int) -> str:
    """A copy's file name: there is no original beside it, so no `.draft7` either."""
    return f"v{version}.json"


def local_ref(ref: str) -> str:
    """A bundled schema's `$ref` as an exported copy spells it: another bundled schema by its copy's relative path."""
    from mlmeta.editors import draft7_ref
    from mlmeta.schemas import parse_schema_ref

    base, hashmark, fragment = draft7_ref(ref).partition("#")
    route = parse_schema_ref(base) if base else None
    if route is not None and route.version is not None:
        base = f"../{route.kind}/{exported_name(route.version)}"  # every copy lies in <folder>/<kind>/
    return base + hashmark + fragment


def unnamed(snippet: Any) -> Any:
    """A snippet without the `$schema` it would insert: that names mlmeta.dev, which editors cannot load
    (and a document's `$schema` wins over the settings that already map the file to its copy)."""
    body = snippet.get("body") if isinstance(snippet, dict) else None
    if not isinstance(body, dict) or "$schema" not in body:
        return snippet
    return {**snippet, "body": {key: value for key, value in body.items() if key != "$schema"}}


def copy_ref(ref: str, folder: Path, root: Path) -> str:
    """A user schema's `$ref` as its draft-07 copy in `folder` spells it: a bundled schema (by its `$id`) by
    the relative path of the copy exported under `root`, which is read by file; anything else as draft7_ref."""
    from mlmeta.editors import draft7_ref
    from mlmeta.schemas import ID_BASE, parse_schema_ref

    spelled = draft7_ref(ref)
    base, hashmark, fragment = spelled.partition("#")
    route = parse_schema_ref(base) if base.startswith(ID_BASE) else None
    if route is None or route.version is None:
        return spelled
    target = root / EXPORT_DIR / route.kind / exported_name(route.version)
    return Path(os.path.relpath(target, folder)).as_posix() + hashmark + fragment


def exported(folder: Path) -> dict[Path, str]:
    """The draft-07 copy of every bundled schema, as it belongs under `folder`, with its text."""
    from mlmeta.editors import DRAFT7, convert, dumps, sources
    from mlmeta.schemas import schema_root

    files = {}
    for kind, version, schema in sources(schema_root()):
        converted: dict[str, Any] = convert(schema, "", local_ref)
        if "defaultSnippets" in converted:
            converted["defaultSnippets"] = [unnamed(snippet) for snippet in converted["defaultSnippets"]]
        copy = {"$schema": DRAFT7, "$comment": NOTICE.format(kind=kind, version=version), **converted}
        files[folder / kind / exported_name(version)] = dumps(copy)
    return files


def export_step(config: Config) -> Iterator[str]:
    """`mlmeta init`'s lines for the copies editors read: the bundled kinds' in EXPORT_DIR, then the user
    kinds' beside their schemas (a Draft7Error there comes after the first line is out)."""

    folder = config.root / EXPORT_DIR
    existed = folder.is_dir()
    files = exported(folder)
    stale = update(files, write=True)
    change = "updated" if existed else "created"
    count = f" ({len(stale)} of {len(files)} schemas)"
    yield f"{change}: {EXPORT_DIR}/{count}" if stale else f"unchanged: {EXPORT_DIR}/"
    own = user_draft7(config)
    new = {path for path in own if not path.is_file()}
    for path in update(own, write=True):
        yield f"{'created' if path in new else 'updated'}: {path.relative_to(config.root).as_posix()}"


def refresh(files: dict[Path, str], check: bool, command: str) -> int:
    """Write the generated `files` that differ from what is on disk; with `check`, only name them (exit 1)."""
    stale = update(files, write=not check)
    for path in stale:
        print(f"{'out of date' if check else 'wrote'}: {path}")
    if stale and check:
        print(f"mlmeta: `{command}` brings them up to date", file=sys.stderr)
    return 1 if stale and check else 0


def update(files: dict[Path, str], write: bool) -> list[Path]:
    """The generated `files` whose text differs from what is on disk; written over it when `write`."""
    stale = [path for path, text in files.items() if not path.is_file() or path.read_text("utf-8") != text]
    for path in stale if write else ():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, [files[path].encode("utf-8")])
    return stale


def user_draft7(config: Config) -> dict[Path, str]:
    """Draft-07 copies of the user kinds' schemas written in a newer draft, which editors read poorly."""
    from mlmeta.editors import DRAFT7, convert, draft7_copy, dumps
    from mlmeta.schemas import kinds

    known = kinds(config)
    if not known.user:
        return {}
    known.verify()
    files = {}
    for name in known.user:
        for version in known.versions(name):
            schema = known.schema(name, version)
            draft = schema.get("$schema", "") if isinstance(schema, dict) else ""
            if isinstance(draft, str) and ("2019-09" in draft or "2020-12" in draft):
                relative = known.schema_file(name, version)
                # a bundled schema by its `$id` is a URL nobody serves: the copy names the exported one
                folder = (config.root / relative).parent
                converted: dict[str, Any] = convert(schema, "", partial(copy_ref, folder=folder, root=config.root))
                own = schema.get("$id")
                copy = {"$schema": DRAFT7, **({"$id": draft7_copy(own)} if isinstance(own, str) else {}), **converted}
                files[config.root / draft7_copy(relative)] = dumps(copy)
    return files
