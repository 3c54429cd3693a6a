"""One document's PHI problems: walk its scope, scan its strings, drop what the allowlist excuses."""

from __future__ import annotations

import marshal
from typing import TYPE_CHECKING, Any

from mlmeta.findings import Problem
from mlmeta.rules.phi.settings import Settings
from mlmeta.rules.phi.walk import MANIFEST_SCOPE, Walker, walk

if TYPE_CHECKING:
    from mlmeta.rules import Where

STRUCTURE = "phi-structure"
# kinds whose schema types every metric: a string metric is the schema's finding, not a second one
TYPED_BY_SCHEMA = frozenset({"results", "measurements", "manifest"})
MEMO = 4_096  # clean manifest scopes remembered (each a few hundred bytes): the common ones come early
_ONE, _TWO, _THREE = MANIFEST_SCOPE  # the benchmark and device maps: three lookups written out cost half a map


def problems(value: Any, where: Where, settings: Settings, facts: Facts) -> list[Problem]:
    """Called for every row of a manifest: a row with nothing in scope costs the walk alone.

    A manifest row's scope is a few small members that repeat from row to row (the same empty
    benchmark, the same devices): a scope found clean once is not walked again.
    """
    typed, clean, manifest = facts
    key = None
    if manifest and type(value) is dict:  # (a YAML reader's subclass is not marshalled)
        # the row's scope as exact bytes: equal bytes, equal values of equal types, so an equal verdict.
        # marshal, not JSON: it keeps True from 1 and NaN from null; version 2 writes no back-references,
        # so a value's bytes do not depend on which of its strings are one object; `...` is an absent member
        try:
            get = value.get
            key = marshal.dumps((typed, get(_ONE, ...), get(_TWO, ...), get(_THREE, ...)), 2)
        except ValueError:
            key = None
        if key in clean:
            return []
    walker = walk(value, where.kind, Walker(settings.max_string, settings.max_items, types=not typed))
    if not walker.problems and not walker.hits:
        if key is not None and len(clean) < MEMO:
            clean.add(key)
        return []
    found: list[tuple[Problem, str]] = [
        (Problem(pointer, STRUCTURE, message, on_key=on_key), subject)
        for pointer, message, subject, on_key in walker.problems
    ]
    for item in walker.hits:
        from mlmeta.rules.phi.detectors import LABELS  # loaded already: the walker's scan found this hit

        what = "key" if item.on_key else "value"
        for rule, count in item.rules.items():
            times = f"{count} times: " if count > 1 else ""
            message = f"{times}{LABELS[rule]} in a {what} of {len(item.text)} characters"
            found.append((Problem(item.pointer, rule, message, on_key=item.on_key), item.text))
    from mlmeta.rules.phi.allowlist import excuse

    return list(excuse(found, where, settings))


Facts = tuple[bool, set[bytes | None], bool]


def facts(where: Where) -> Facts:
    """What every document of a file shares: whether its schema types every metric, the run's clean
    scopes, and whether it is a manifest (worked out on its first row, not on each)."""
    select = where.run.select
    typed = where.kind in TYPED_BY_SCHEMA and where.version is not None and (select is None or "schema" in select)
    return typed, _clean_scopes(where.run.cache), where.kind == "manifest"


def _clean_scopes(cache: dict[str, Any]) -> set[bytes | None]:
    """The run's clean manifest scopes (looked up, not `setdefault`: no new set for every row)."""
    found: set[bytes | None] | None = cache.get("phi.clean")
    if found is None:
        found = cache["phi.clean"] = set()
    return found
