"""The layers a Kitfile declares, and its paths read the way KitOps reads them.

KitOps packs layers in a fixed order -- model, model parts, code, datasets,
docs, prompts (prompts as `code` layers) -- and compares paths after Go's
`filepath.Clean(strings.TrimSpace(path))`, so `test-path/`, `./test-path` and
`a/../test-path` are one path. A `model.path` may instead name another
ModelKit (`registry/repository:tag`), whose model this one builds on; such a
model packs no layer of its own.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlmeta.documents import join

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_ABSOLUTE = re.compile(r"(?:[A-Za-z]:)?[\\/]")  # POSIX, UNC and Windows drive paths


@dataclass(frozen=True)
class Layer:
    pointer: str  # JSON pointer of the layer's object in the Kitfile
    base: str  # the media type's base: model, modelpart, code, dataset, docs
    path: Any  # as written (a string when the Kitfile is valid)
    subtype: str | None = None  # "prompt" for prompts, packed as code layers


def clean(path: str) -> str:
    """Go's filepath.Clean of the trimmed path (on POSIX): `""` is `.`, `a/./b/../c/` is `a/c`."""
    cleaned = posixpath.normpath(path.strip())
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def is_url(path: str) -> bool:
    return _URL.match(path) is not None


def is_absolute(path: str) -> bool:
    return _ABSOLUTE.match(path.strip()) is not None


def escapes(path: str) -> bool:
    cleaned = clean(path)
    return cleaned == ".." or cleaned.startswith("../")


def is_modelkit_reference(path: str) -> bool:
    """KitOps' test: a path with `:` or `@` that parses as a reference names a ModelKit."""
    if ":" not in path and "@" not in path:
        return False
    from mlmeta.modelkit.reference import ReferenceError, parse

    try:
        parse(path)
    except ReferenceError:
        return False
    return True


def layers(kitfile: Any) -> Iterator[Layer]:
    """Every layer the Kitfile declares, in the order KitOps packs them."""
    if not isinstance(kitfile, dict):
        return
    model = kitfile.get("model")
    if isinstance(model, dict):
        path = model.get("path")
        if path is not None and not (isinstance(path, str) and is_modelkit_reference(path)):
            yield Layer("/model", "model", path)
        for index, part in enumerate(_items(model.get("parts"))):
            yield Layer(join("/model/parts", index), "modelpart", part.get("path"))
    for section, base, subtype in (
        ("code", "code", None),
        ("datasets", "dataset", None),
        ("docs", "docs", None),
        ("prompts", "code", "prompt"),
    ):
        for index, item in enumerate(_items(kitfile.get(section))):
            yield Layer(join(f"/{section}", index), base, item.get("path"), subtype)


def _items(value: Any) -> list[dict[str, Any]]:
    # a non-object item keeps its index (the schema reports it), but declares no path
    return [item if isinstance(item, dict) else {} for item in value] if isinstance(value, list) else []
