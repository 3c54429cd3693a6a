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
from contextlib import suppress
from pathlib import Path
from typing import Any

from mlmeta.config import ConfigError
from mlmeta.documents import MISSING, Document, Fixed, finding_at, join, read
from mlmeta.files import git as _git
from mlmeta.findings import Finding, Problem
from mlmeta.schemas import FORMAT_BY_SUFFIX, PEEK_BYTES, Kinds, Route

RULES = ("history-immutable", "history-append-only", "history-stable-hash", "history-schema-version")
APPEND_ONLY = ("training", "evaluations", "training_stages")
APPEND = "history-append-only"


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
            # --relative: names as the checked files spell them, when the root is a folder of the git repository
            args = ("diff", "--relative", "--name-status", "-M", "-z", "--no-ext-diff", self.commit or "", "--")
            listed = _git(self.root, *args)
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
        return _git(self.root, "show", f"{self.commit}:./{path}") if self.commit else None  # ./: from the root


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
    if owner is not None:
        if wants("history-immutable"):
            yield from _released_schema(kinds, owner, name, old, ref)
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
        changed = next((n for n, entry in enumerate(before) if n >= len(after) or not _same(after[n], entry)), None)
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


def _same(one: Any, other: Any) -> bool:
    """Equal as JSON text: NaN (which is never equal to itself) stays the NaN it was."""
    import json

    return one == other or json.dumps(one, sort_keys=True) == json.dumps(other, sort_keys=True)


def _stable_hashes(
    path: Path, name: str, old: bytes, label: tuple[str | None, int | None], ref: str
) -> Iterator[Finding]:
    """Released rows keep their release date and provenance; a row not yet released (`released` null) is open."""
    from mlmeta.documents.jsonl import rows

    before: dict[str, tuple[Any, Any, int]] = {}  # repo_id -> (released, hash, line) at the base, released rows only
    for row in rows(old.splitlines(keepends=True), name):
        value = row.value
        if row.ok and isinstance(value, dict) and isinstance(value.get("repo_id"), str) and value.get("released"):
            before.setdefault(value["repo_id"], (value["released"], value.get("reproducibility_hash"), row.line))
    kept: set[str] = set()
    unread = False
    for row in read(path, "jsonl", name):
        value = row.value
        if not (row.ok and isinstance(value, dict)):
            unread = True  # a row the check reports: whether it held a released id is unknown
            continue
        repo_id = value.get("repo_id")
        if not isinstance(repo_id, str) or repo_id not in before:
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
    for repo_id, (_, _, line) in () if unread else before.items():
        if repo_id not in kept:
            message = f"the released row on line {line} at {ref} is gone: a released model leaves the manifest"
            yield Finding(name, 1, 1, "", *label, "history-stable-hash", "warning", message)


def _released_schema(kinds: Kinds, owner: str, name: str, old: bytes, ref: str) -> Iterator[Finding]:
    """A versioned user kind's schema (or its lock) changed in place since the base.

    Without a lock, every version at the base is released. With one, `schema-lock` judges the locked
    versions, the unlocked ones are still open, and the lock itself may only grow: an entry it held at
    the base that changed or went is a released version rewritten. A one-file kind has no versions to
    publish a change in: its schema is the team's to edit.
    """
    from mlmeta.user_kinds import LOCK, parse_lock

    folder = kinds.lock_folder(owner)
    if folder is None:
        return
    version = kinds.version_of(owner, name)
    if version is None:  # the lock
        try:
            before = parse_lock(old.decode("utf-8"), name)
            now = parse_lock((kinds.root / name).read_text("utf-8"), name)
        except (UnicodeDecodeError, OSError, ValueError):
            return  # `schema-lock` says what is wrong with the lock now
        for entry, digest in sorted(before.items()):
            if now.get(entry) != digest:
                what = "went" if entry not in now else "changed"
                message = f"the lock's entry for released {entry} {what} since {ref}: a released version stays"
                yield Finding(name, 1, 1, "", owner, None, "history-immutable", "error", message)
        return
    if (folder / LOCK).is_file():
        return  # locked: `schema-lock` judges the released versions, the others are still open
    message = f"released schema {owner}/v{version} changed since {ref}: publish the change as v{version + 1} or later"
    yield Finding(name, 1, 1, "", owner, version, "history-immutable", "error", message)


def _route(kinds: Kinds, name: str, raw: bytes, fmt: str) -> Route | None:
    """What one version of a file is checked as: its top-level `$schema` (or modeline), else its route."""
    declared = None
    head = raw[:PEEK_BYTES]
    if fmt == "yaml" and b"yaml-language-server" in head:
        with suppress(ValueError):
            declared = kinds.peek(head, True, name)
    elif fmt in ("json", "yaml", "jsonl"):
        first = raw.split(b"\n", 1)[0] if fmt == "jsonl" else raw
        document = _document(kinds.root / name, name, first, "json" if fmt == "jsonl" else fmt)
        ref = document.value.get("$schema") if document.ok and isinstance(document.value, dict) else None
        with suppress(ValueError):
            declared = kinds.declared(ref, name) if isinstance(ref, str) else None
    if declared is not None:
        return declared
    configured = kinds.configured(name)
    return Route(configured.kind, configured.version or 1) if configured is not None else None


def _document(path: Path, name: str, raw: bytes, fmt: str) -> Document:
    if fmt not in ("json", "yaml"):
        return Document(name, MISSING, Fixed())
    return next(iter(read(path, fmt, name, raw=raw)))
