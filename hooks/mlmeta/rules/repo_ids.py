"""A manifest is keyed by `repo_id`: one row per id, and ids inside the configured namespace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmeta.findings import Problem
from mlmeta.rules import Where
from mlmeta.rules.seen import Seen


def check(value: Any, where: Where) -> list[Problem]:
    found = []
    if where.kind == "manifest" and isinstance(value, dict) and isinstance(value.get("repo_id"), str):
        first = first_lines(where).setdefault(value["repo_id"], where.line)
        if first != where.line:
            found.append(Problem("/repo_id", "duplicate-row", f"repo_id already used by the row on line {first}"))
    namespace = where.run.config.namespace
    if namespace:
        for pointer, repo_id in _repo_ids(value, where.kind):
            if repo_id.partition("/")[0] != namespace:
                found.append(Problem(pointer, "repo-namespace", f"repo_id must be in the namespace '{namespace}/'"))
    return found


def first_lines(where: Where) -> Seen[int]:
    """Each `repo_id` of the manifest so far -> the line of its first row.

    One table per file for every rule that asks (duplicate rows, base models that name a row),
    in bounded memory (see rules.seen). Each stores the current row the same way, so the rule
    that comes second for a row finds its own line there, not a duplicate.
    """
    ids: Seen[int] | None = where.state.get("repo_ids")
    if ids is None:
        ids = where.state["repo_ids"] = Seen()
    return ids


def _repo_ids(value: Any, kind: str | None) -> Iterator[tuple[str, str]]:
    if kind == "manifest" and isinstance(value, dict) and isinstance(value.get("repo_id"), str):
        yield "/repo_id", value["repo_id"]
    elif kind == "measurements":
        from mlmeta.manifest.measurements import records

        for pointer, record in records(value):
            if isinstance(record.get("repo_id"), str):
                yield f"{pointer}/repo_id", record["repo_id"]
