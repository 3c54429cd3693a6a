"""One document's PHI problems: walk its scope, scan its strings, drop what the allowlist excuses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlmeta.findings import Problem
from mlmeta.rules.phi.settings import Settings
from mlmeta.rules.phi.walk import Walker, walk

if TYPE_CHECKING:
    from mlmeta.rules import Where

STRUCTURE = "phi-structure"
# kinds whose schema types every metric: a string metric is the schema's finding, not a second one
TYPED_BY_SCHEMA = frozenset({"results", "measurements", "manifest"})


def problems(value: Any, where: Where, settings: Settings) -> list[Problem]:
    """Called for every row of a manifest: a row with nothing in scope costs the walk alone."""
    select = where.run.select
    typed = where.kind in TYPED_BY_SCHEMA and where.version is not None and (select is None or "schema" in select)
    walker = walk(value, where.kind, Walker(settings.max_string, settings.max_items, types=not typed))
    if not walker.problems and not walker.hits:
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

