"""The three shapes of a measurements file, read as (pointer, record) pairs.

A list of records, `{"results": [...]}`, or an object keyed by `repo_id`
(whose records then carry no `repo_id` of their own; it is filled in here).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmeta.documents import join


def records(value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        value, base = value["results"], "/results"
    else:
        base = ""
    if isinstance(value, list):
        for index, record in enumerate(value):
            if isinstance(record, dict):
                yield f"{base}/{index}", record
    elif isinstance(value, dict):
        for repo_id, record in value.items():
            if repo_id != "$schema" and isinstance(record, dict):
                yield join("", repo_id), {"repo_id": repo_id, **record}
