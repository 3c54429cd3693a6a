"""`misspelled-key`: a key one slip away from a known key, in an object that lets unknown keys through.

The model, dataset and results kinds are open where the real world is open (the Hub adds fields,
lm-evaluation-harness adds keys), so the schema cannot call an unknown key wrong. A key that is a
known key with one letter dropped, added, changed or swapped, or written in another case or with
other separators (`num_head`, `pretraining_data`, `cardData`), is a mistake all the same: the tools
that read the file look for the known key and never see it. Keys far from every known key pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mlmeta.documents import join
from mlmeta.findings import Problem
from mlmeta.rules import Where
from mlmeta.schemas import load_schema

RULE = "misspelled-key"
MIN_LENGTH = 4  # shorter keys are one edit from too many others (`lr`, `eps`)
_SEPARATORS = re.compile(r"[_\-\s.]")


def check(value: Any, where: Where) -> Iterator[Problem]:
    if where.kind is None or where.version is None or not isinstance(value, (dict, list)):
        return
    root = load_schema(where.kind, where.version)
    yield from _walk(value, [root], root, "")


def _walk(value: Any, schemas: list[Any], root: dict[str, Any], pointer: str) -> Iterator[Problem]:
    branches = [b for s in schemas for b in _branches(s, root, value)]
    if isinstance(value, dict):
        known: set[str] = set()
        patterns: list[str] = []
        closed = False
        for branch in branches:
            known.update(branch.get("properties", {}))
            patterns.extend(branch.get("patternProperties", {}))
            closed = closed or branch.get("additionalProperties") is False
        for key, item in value.items():
            if not closed and key not in known and not any(re.search(p, key) for p in patterns):
                near = nearest(key, known)
                if near is not None:
                    message = f"unknown key {key!r}; did you mean {near!r}?"
                    yield Problem(join(pointer, key), RULE, message, on_key=True)
            children = _children(branches, key)
            if children:
                yield from _walk(item, children, root, join(pointer, key))
    elif isinstance(value, list):
        items = [b["items"] for b in branches if isinstance(b.get("items"), dict)]
        if items:
            for index, item in enumerate(value):
                yield from _walk(item, items, root, f"{pointer}/{index}")


def _children(branches: list[dict[str, Any]], key: str) -> list[Any]:
    found = []
    for branch in branches:
        properties = branch.get("properties", {})
        if key in properties:
            found.append(properties[key])
            continue
        matched = [s for p, s in branch.get("patternProperties", {}).items() if re.search(p, key)]
        found.extend(matched)
        extra = branch.get("additionalProperties")
        if not matched and isinstance(extra, dict):
            found.append(extra)
    return found


def _branches(schema: Any, root: dict[str, Any], value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """The schema and every subschema that applies to the same value: `$ref`, `allOf`/`anyOf`/`oneOf`, if/then/else."""
    if not isinstance(schema, dict) or depth > 16:
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        yield from _branches(_resolve(root, ref), root, value, depth + 1)
    yield schema
    for word in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(word, ()):
            yield from _branches(sub, root, value, depth + 1)
    if "if" in schema:
        taken = schema.get("then") if _holds(schema["if"], value) else schema.get("else")
        yield from _branches(taken, root, value, depth + 1)


def _resolve(root: dict[str, Any], ref: str) -> Any:
    node: Any = root
    for token in ref[2:].split("/"):
        node = node.get(token.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
    return node


def _holds(condition: Any, value: Any) -> bool:
    """Whether an `if` holds; each condition compiled once (the schemas are loaded once, so ids are stable)."""
    validator = _CONDITIONS.get(id(condition))
    if validator is None:
        import jsonschema_rs

        validator = _CONDITIONS[id(condition)] = jsonschema_rs.validator_for(condition)
    return bool(validator.is_valid(value))


_CONDITIONS: dict[int, Any] = {}


def nearest(key: str, known: set[str]) -> str | None:
    """The known key this one misspells: the same but for case and separators, or one edit away."""
    folded = _fold(key)
    for name in sorted(known):
        if _fold(name) == folded and name != key:
            return name
    if len(key) < MIN_LENGTH:
        return None
    for name in sorted(known):
        if len(name) >= MIN_LENGTH and _one_edit(key, name):
            return name
    return None


def _fold(key: str) -> str:
    return _SEPARATORS.sub("", key).lower()


def _one_edit(a: str, b: str) -> bool:
    """Whether b is a with one character dropped, added, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):
        return a[start:] == b[start + 1 :]
    if a[start + 1 :] == b[start + 1 :]:
        return True
    swapped = start + 1 < len(a) and a[start] == b[start + 1] and a[start + 1] == b[start]
    return swapped and a[start + 2 :] == b[start + 2 :]
