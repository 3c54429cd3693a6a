"""Checks against history: each checked file beside its version at a base revision (`--base REF`).

What the seeds say about change over time, which no single version of a file can show:
- `history-immutable`: a committed ModelKit manifest is never edited in place (its ModelKitID is
  the digest of its bytes); nor is a released schema of a user kind (one its lock does not cover);
- `history-append-only`: a model record's earlier `training`, `evaluations` and `training_stages`
  entries stay as they were, and new ones come with a new `version` (when the record has one);
- `history-stable-hash`: a manifest row that keeps its `repo_id` and `released` keeps its
  `reproducibility_hash`; `released` does not move; a row that disappears is a warning;
- `history-schema-version`: a file's declared schema version does not go down.
Git itself says which files changed and which were renamed (`git diff -M`); each changed file's
base version is read with one `git show`. A file new at the base has no history to break.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mlmeta.config import ConfigError
from mlmeta.documents import MISSING, Document, Fixed, finding_at, join, read
from mlmeta.files import git as _git
from mlmeta.findings import Finding, Problem
from mlmeta.schemas import FORMAT_BY_SUFFIX, Kinds, Route

RULES = ("history-immutable", "history-append-only", "history-stable-hash", "history-schema-version")
APPEND_ONLY = ("training", "evaluations", "training_stages")
APPEND = "history-append-only"
PEEK = 4096


class Base:
    """A revision of the repository, read with git: which files changed since, and their content there."""

    def __init__(self, root: Path, ref: str) -> None:
        self.root = root
        self.ref = ref
        commit = _git(root, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}")
        if commit is None and ref != "HEAD":
            raise ConfigError(f"--base {ref}: not a revision of this repository")
        self.commit = commit.decode().strip() if commit else None  # None: HEAD of a repository with no commit
        self._changed: dict[str, str] | None = None

    def changed(self) -> dict[str, str]:
        """Each file that differs from the base -> its path there (another one when git sees a rename)."""
        if self._changed is None:
            self._changed = {}
            listed = _git(self.root, "diff", "--name-status", "-M", "-z", "--no-ext-diff", self.commit or "", "--")
            fields = listed.decode("utf-8", "surrogateescape").split("\0") if listed else []
            at = 0
            while at < len(fields) - 1:
                status = fields[at]
                if status.startswith(("R", "C")):
                    old, new = fields[at + 1], fields[at + 2]
                    at += 3
                else:
                    old = new = fields[at + 1]
                    at += 2
                if status[:1] in ("M", "R", "T"):
                    self._changed[new] = old
        return self._changed

    def show(self, path: str) -> bytes | None:
        return _git(self.root, "show", f"{self.commit}:{path}") if self.commit else None


def findings(base: Base, shown: list[str], kinds: Kinds, wants: Any) -> Iterator[Finding]:
    """The history findings of the checked files (repository-relative names) against `base`."""
    if base.commit is None:
        return
    changed = base.changed()
    for name in shown:
        old_name = changed.get(name)
        if old_name is None:
            continue
        old = base.show(old_name)
        path = base.root / name
        try:
            new = path.read_bytes()
        except OSError:
            continue  # the check says why
        if old is None or old == new:
            continue
        yield from _file(base, name, path, old, new, kinds, wants)


def _file(base: Base, name: str, path: Path, old: bytes, new: bytes, kinds: Kinds, wants: Any) -> Iterator[Finding]:
    ref = base.ref
    owner = kinds.schema_owner(name)
    if owner is not None:  # a user kind's schema: released unless its lock leaves it out
        if wants("history-immutable") and _released_unlocked(kinds, owner):
            message = f"a released schema of {owner} changed since {ref}: publish the change as a new version"
            yield Finding(name, 1, 1, "", owner, None, "history-immutable", "error", message)
        return
    fmt = FORMAT_BY_SUFFIX.get(path.suffix.lower()) or "json"
    route = _route(kinds, name, new, fmt) or Route("")
    family = kinds[route.kind].family if route.kind in kinds else None
    family_kind = family.kind if family else None
    label = (route.kind or None, route.version)
    if family_kind == "modelkit-manifest" and wants("history-immutable"):
        import hashlib

        message = (
            f"this ModelKit manifest changed in place since {ref} (its ModelKitID was "
            f"sha256:{hashlib.sha256(old).hexdigest()}): "
            "a change makes a new, derived ModelKit; add a new manifest instead"
        )
        yield Finding(name, 1, 1, "", *label, "history-immutable", "error", message)
        return
    before = _route(kinds, name, old, fmt)
    if (
        wants("history-schema-version")
        and before is not None
        and route.kind == before.kind
        and route.version is not None
        and before.version is not None
        and route.version < before.version
    ):
        document = _document(path, name, new, fmt)
        problem = Problem("/$schema", "history-schema-version", f"schema version went down from v{before.version} "
                          f"at {ref} to v{route.version}")
        yield finding_at(document, problem, *label)
    if family_kind == "model" and wants("history-append-only"):
        document = _document(path, name, new, fmt)
        earlier = _document(path, name, old, fmt)
        if document.ok and earlier.ok:
            for problem in append_only(earlier.value, document.value, ref):
                yield finding_at(document, problem, *label)
    elif family_kind == "manifest" and wants("history-stable-hash"):
        yield from _stable_hashes(path, name, old, label, ref)


def append_only(old: Any, new: Any, ref: str) -> Iterator[Problem]:
    """Earlier entries of the append-only lists as they were; more of them only with a new `version`."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return
    appended = False
    for key in APPEND_ONLY:
        before, after = old.get(key), new.get(key)
        if not isinstance(before, list) or not before:
            continue
        after = after if isinstance(after, list) else []
        changed = next((n for n, entry in enumerate(before) if n >= len(after) or after[n] != entry), None)
        if changed is not None and changed < len(after):
            why = f"an earlier `{key}` entry changed since {ref}: earlier entries stay as they were; append a new one"
            yield Problem(join(f"/{key}", changed), APPEND, why)
        elif changed is not None:
            why = f"`{key}` lost entries it held at {ref}: entries are appended, never removed"
            yield Problem(f"/{key}" if key in new else "", APPEND, why)
        appended = appended or len(after) > len(before)
    if appended and ("version" in old or "version" in new) and old.get("version") == new.get("version"):
        why = f"entries were appended since {ref} without a new `version`: new training or evaluation, new version"
        yield Problem("/version" if "version" in new else "", APPEND, why)


def _stable_hashes(
    path: Path, name: str, old: bytes, label: tuple[str | None, int | None], ref: str
) -> Iterator[Finding]:
    before: dict[str, tuple[Any, Any, int]] = {}  # repo_id -> (released, hash, line) at the base
    from mlmeta.documents.jsonl import rows

    for row in rows(old.splitlines(keepends=True), name):
        value = row.value
        if row.ok and isinstance(value, dict) and isinstance(value.get("repo_id"), str):
            before.setdefault(value["repo_id"], (value.get("released"), value.get("reproducibility_hash"), row.line))
    kept: set[str] = set()
    for row in read(path, "jsonl", name):
        value = row.value
        if not (row.ok and isinstance(value, dict) and isinstance(value.get("repo_id"), str)):
            continue
        repo_id = value["repo_id"]
        if repo_id not in before:
            continue
        kept.add(repo_id)
        released, digest, line = before[repo_id]
        if value.get("released") != released:
            message = f"`released` moved since {ref} (the row's line there: {line}): a release date is history"
            yield finding_at(row, Problem("/released", "history-stable-hash", message), *label)
        elif value.get("reproducibility_hash") != digest:
            message = (
                f"reproducibility_hash changed since {ref} while repo_id and released stayed (line {line} there): "
                "the provenance of a release is stable; release anew with a new date"
            )
            yield finding_at(row, Problem("/reproducibility_hash", "history-stable-hash", message), *label)
    for repo_id, (_, _, line) in before.items():
        if repo_id not in kept:
            message = f"the row on line {line} at {ref} is gone: a released model leaves the manifest"
            yield Finding(name, 1, 1, "", *label, "history-stable-hash", "warning", message)


def path_case(names: list[str], listed: list[str]) -> Iterator[Finding]:
    """`path-case`: a checked file whose path differs only in case from another file of the repository."""
    by_fold: dict[str, list[str]] = {}
    for name in listed:
        by_fold.setdefault(name.casefold(), []).append(name)
    for name in names:
        others = [other for other in by_fold.get(name.casefold(), ()) if other != name]
        if others:
            message = (
                f"path differs only in case from {others[0]}: on macOS and Windows checkouts the two are one file, "
                "and one silently replaces the other"
            )
            yield Finding(name, 1, 1, "", None, None, "path-case", "error", message)


def _released_unlocked(kinds: Kinds, name: str) -> bool:
    """A user kind's schema file at the base is released, unless a lock says which are (`schema-lock` judges those)."""
    from mlmeta.user_kinds import read_lock

    folder = kinds.lock_folder(name)
    return folder is None or read_lock(folder) is None


def _route(kinds: Kinds, name: str, raw: bytes, fmt: str) -> Route | None:
    configured = kinds.configured(name)
    try:
        declared = kinds.peek(raw[:PEEK], fmt == "yaml", name)
    except ValueError:
        declared = None
    if declared is not None:
        return declared
    if configured is not None:
        return Route(configured.kind, configured.version or 1)
    return None


def _document(path: Path, name: str, raw: bytes, fmt: str) -> Document:
    if fmt not in ("json", "yaml"):
        return Document(name, MISSING, Fixed())
    return next(iter(read(path, fmt, name, raw=raw)))
