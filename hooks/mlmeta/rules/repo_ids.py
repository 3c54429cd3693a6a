"""A manifest is keyed by `repo_id`: one row per id, and ids inside the configured namespace.

A kind's `unique` pointers say what identifies one of its rows (`/repo_id` for the manifest); a
kind whose file is one document is identified per file, across the files of the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from mlmeta import rules
from mlmeta.findings import Problem
from mlmeta.rules import Where

if TYPE_CHECKING:
    from mlmeta.rules.seen import Seen


def check(value: Any, where: Where) -> list[Problem]:
    plan: _Plan | None = where.state.get(_PLAN)  # worked out on a file's first document (a manifest has 100k)
    if plan is None:
        plan = where.state[_PLAN] = _plan(where)
    found = []
    unique, member, scope, namespace = plan
    identity = None
    if unique and type(value) is dict:
        identity = value.get(member) if member is not None else None
        if type(identity) is not str:
            identity = _identity(value, unique)
    if identity is not None:
        if scope == "run":  # one row per file: across the files of the run
            seen: dict[str, str] = where.run.cache.setdefault(f"unique:{where.own.name}", {})  # type: ignore[union-attr]
            first_path = seen.setdefault(identity, where.path)
            if first_path != where.path:
                found.append(Problem(unique[0], "duplicate-row", f"{_names(unique)} already used by {first_path}"))
        elif scope == "catalog":  # a one-file catalog: rows may share a line (minified JSON)
            number = where.state["row"] = where.state.get("row", 0) + 1
            first_row, first_line = where.state.setdefault("unique_rows", {}).setdefault(identity, (number, where.line))
            if first_row != number:
                message = f"{_names(unique)} already used by row {first_row} (line {first_line})"
                found.append(Problem(unique[0], "duplicate-row", message))
        else:
            ids = where.state.get("repo_ids")  # (first_lines, without its call for each row)
            if ids is None:
                ids = first_lines(where)
            first = ids.setdefault(identity, where.line)
            if type(ids) is dict and len(ids) > rules.SPILL:  # bounded memory (inline: see rules.seen.spilled)
                where.state["repo_ids"] = rules.spilled(ids)
            if first != where.line:
                rules.repeated(where.state, "repo_ids", identity, where.line)
                message = f"{_names(unique)} already used by the row on line {first}"
                found.append(Problem(unique[0], "duplicate-row", message))
    if namespace:
        if where.kind == "manifest":  # a row's own repo_id (inline, no pairs: once per row)
            repo_id = value.get("repo_id") if isinstance(value, dict) else None
            if isinstance(repo_id, str) and repo_id.partition("/")[0] != namespace:
                found.append(_outside("/repo_id", namespace))
        else:
            found.extend(
                _outside(pointer, namespace)
                for pointer, repo_id in _repo_ids(value, where.kind)
                if repo_id.partition("/")[0] != namespace
            )
    return found


def _outside(pointer: str, namespace: str) -> Problem:
    return Problem(pointer, "repo-namespace", f"repo_id must be in the namespace '{namespace}/'")


def _names(unique: tuple[str, ...]) -> str:
    return ", ".join(pointer[1:] for pointer in unique)


_PLAN = "repo_ids.plan"  # where.state: the file's _Plan
STORES_ROWS = "repo_ids.stores_rows"  # where.state: this rule stores every row's repo_id in first_lines


class _Plan(NamedTuple):
    unique: tuple[str, ...]  # what identifies a row
    member: str | None  # the one top-level key that does, when it is one
    scope: str  # where an identity must be unique: "run" (one row per file), "catalog" (a file's rows), "file"
    namespace: str | None


def _plan(where: Where) -> _Plan:
    own = where.own
    unique = own.unique if own is not None else ("/repo_id",) if where.kind == "manifest" else ()
    scope = "file"
    if own is not None and own.format != "jsonl" and own.rows is None:
        scope = "run"
    elif own is not None and own.rows is not None:
        scope = "catalog"
    if unique and scope == "file" and unique == ("/repo_id",):
        where.state[STORES_ROWS] = True  # rules.references need not store them too
    return _Plan(unique, _member(unique) if unique else None, scope, where.run.namespace)


def first_lines(where: Where) -> dict[str, int] | Seen[int]:
    """Each `repo_id` of the manifest so far -> the line of its first row.

    One table per file for every rule that asks (duplicate rows, base models that name a row), in
    bounded memory: a dict, moved to disk past SPILL keys by the rule that stores (see rules.seen).
    Each stores the current row the same way, so the rule that comes second for a row finds its own
    line there, not a duplicate.
    """
    ids: dict[str, int] | Seen[int] | None = where.state.get("repo_ids")
    if ids is None:
        ids = where.state["repo_ids"] = {}
    return ids


def _identity(row: dict[str, Any], unique: tuple[str, ...]) -> str | None:
    """What identifies a row: its one string key as it is (the manifest's repo_id), else the keys as JSON.

    None when a key is missing or not a scalar: the schema says what is wrong with such a row.
    """
    member = _member(unique)
    if member is not None:  # one top-level key (every manifest row): a lookup, not a pointer resolved
        found = row.get(member)
        if isinstance(found, str):
            return found
    from mlmeta.documents import MISSING, resolve

    values = [resolve(row, pointer) for pointer in unique]
    if any(value is MISSING or isinstance(value, (dict, list)) for value in values):
        return None
    if len(values) == 1 and isinstance(values[0], str):
        return values[0]
    import json

    return json.dumps(values)


@cache
def _member(unique: tuple[str, ...]) -> str | None:
    """The key itself when `unique` is one pointer to a top-level key that needs no unescaping."""
    if len(unique) == 1 and unique[0].count("/") == 1 and unique[0].startswith("/") and "~" not in unique[0]:
        return unique[0][1:]
    return None


def _repo_ids(value: Any, kind: str | None) -> Iterator[tuple[str, str]]:
    if kind == "measurements":
        from mlmeta.manifest.measurements import records

        for pointer, record in records(value):
            if isinstance(record.get("repo_id"), str):
                yield f"{pointer}/repo_id", record["repo_id"]
