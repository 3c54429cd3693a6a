"""KitOps' own Kitfile rules, beyond what the schema can say.

`kit pack` refuses a Kitfile whose paths are absolute, leave the Kitfile's
folder, are URLs, or name a ModelKit anywhere but `model.path`; it refuses two
layers on the same path (after cleaning) and a model part `type` outside
`^[\\w][\\w.-]*$` or longer than 64 characters. Nested paths are fine: KitOps
packs a nested path's files into the inner layer only (its own generated
Kitfiles put `code: .` around everything else). A Kitfile without `manifestVersion` is only a
warning, as KitOps only warns. Two datasets may share a name,
which is allowed but worth a warning, and a path missing on disk is a warning
(an error under --strict): the files may simply not be fetched yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlmeta.findings import Problem
from mlmeta.modelkit.kitfile import clean, escapes, is_absolute, is_modelkit_reference, is_url, layers
from mlmeta.rules import Where

PART_TYPE = re.compile(r"\w[\w.-]*", re.ASCII)  # Go's \w is ASCII too
PART_TYPE_MAX = 64


def check(value: Any, where: Where) -> Iterator[Problem]:
    # a Kitfile read from a ModelKit's config blob has no folder to look in
    folder = None if where.state.get("in_modelkit") else where.file.parent
    return problems(value, folder, where.run.strict)


def problems(kitfile: Any, folder: Path | None, strict: bool = False) -> Iterator[Problem]:
    if not isinstance(kitfile, dict):
        return
    if not kitfile.get("manifestVersion"):  # missing, null or empty: KitOps warns, reads it as the current version
        yield Problem("", "kitfile-manifest-version", "no manifestVersion: KitOps warns and assumes 1.0.0", "warning")
    yield from _paths(kitfile, folder, strict)
    yield from _part_types(kitfile)
    yield from _dataset_names(kitfile)


def _paths(kitfile: dict[str, Any], folder: Path | None, strict: bool) -> Iterator[Problem]:
    first_user: dict[str, str] = {}
    for layer in layers(kitfile):
        pointer = f"{layer.pointer}/path"
        if not isinstance(layer.path, str):
            continue
        if is_url(layer.path):
            instead = "a ModelKit reference or a local path" if layer.base == "model" else "a local path"
            yield Problem(pointer, "kitfile-path", f"a URL is not a path: write {instead}")
            continue
        if is_modelkit_reference(layer.path):
            yield Problem(pointer, "kitfile-path", "a ModelKit reference can stand only in /model/path")
            continue
        if is_absolute(layer.path):
            yield Problem(pointer, "kitfile-path", "absolute paths are not supported: write it relative to the Kitfile")
            continue
        if escapes(layer.path):
            yield Problem(pointer, "kitfile-path", "the path leaves the Kitfile's folder through '..'")
            continue
        cleaned = clean(layer.path)
        if cleaned in first_user:
            message = f"the same path as {first_user[cleaned]}: two layers cannot share a path"
            yield Problem(pointer, "kitfile-duplicate-path", message)
            continue
        first_user[cleaned] = pointer
        if folder is not None and not _exists(folder / cleaned):
            severity = "error" if strict else "warning"
            message = "no such file or folder beside the Kitfile; `kit pack` would fail"
            yield Problem(pointer, "kitfile-missing-path", message, severity)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long for the file system, or holding a NUL: nothing is there
        return False


def _part_types(kitfile: dict[str, Any]) -> Iterator[Problem]:
    model = kitfile.get("model")
    parts = model.get("parts") if isinstance(model, dict) else None
    for index, part in enumerate(parts if isinstance(parts, list) else []):
        kind = part.get("type") if isinstance(part, dict) else None
        if not isinstance(kind, str):
            continue
        pointer = f"/model/parts/{index}/type"
        if PART_TYPE.fullmatch(kind) is None:
            message = "a part type starts with a letter, digit or '_' and holds only those, '.' and '-'"
            yield Problem(pointer, "kitfile-part-type", message)
        if len(kind) > PART_TYPE_MAX:
            yield Problem(pointer, "kitfile-part-type", f"a part type is at most {PART_TYPE_MAX} characters long")


def _dataset_names(kitfile: dict[str, Any]) -> Iterator[Problem]:
    datasets = kitfile.get("datasets")
    seen: dict[str, int] = {}
    for index, dataset in enumerate(datasets if isinstance(datasets, list) else []):
        name = dataset.get("name") if isinstance(dataset, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            message = f"/datasets/{seen[name]} has the same name: allowed, but the names no longer tell them apart"
            yield Problem(f"/datasets/{index}/name", "kitfile-duplicate-dataset", message, "warning")
        else:
            seen[name] = index
