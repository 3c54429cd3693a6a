"""A measurements file holds at most one record per `repo_id`: a second one would silently win on enrich."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmeta.findings import Problem
from mlmeta.rules import Where


def check(value: Any, where: Where) -> Iterator[Problem]:
    from mlmeta.manifest.measurements import records

    first: dict[str, str] = {}
    for pointer, record in records(value):
        repo_id = record.get("repo_id")
        if not isinstance(repo_id, str):
            continue
        if repo_id in first:
            message = f"a second measurement for this repo_id (the first is at {first[repo_id]})"
            yield Problem(f"{pointer}/repo_id", "duplicate-measurement", message)
        else:
            first[repo_id] = pointer
