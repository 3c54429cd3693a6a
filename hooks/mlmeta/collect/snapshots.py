"""Local model snapshots, read offline: the Hub cache, `local_dir` downloads, git clones, plain folders.

What the provenance hash needs from a snapshot is its Hub id, commit and file names; each
layout records a different part of that:

- Hub cache (`huggingface_hub` default): `models--ORG--NAME/snapshots/<commit>/...`, files as
  symlinks into `blobs/`; `refs/main` names the current commit. Id and commit come from the path.
- `local_dir` download: the files, plus `.cache/huggingface/download/<file>.metadata` whose first
  line is the commit. The id comes from the folder (`ORG/NAME`) when found by `find_snapshots`.
- git clone of the Hub repository: commit, file list and last-commit date from git, the id from
  the `huggingface.co` remote.
- anything else: a plain folder of files; id and commit must be given.

Only complete snapshots reproduce a hash: the hash covers every file name of the repository.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mlmeta.openers import read_regular

CACHE_PREFIX = "models--"
SEPARATOR = "--"  # the Hub forbids "--" inside ids, so the folder name splits back unambiguously
COMMIT = re.compile(r"[0-9a-f]{40}\Z")
HUB_REMOTE = re.compile(r"huggingface\.co/(?!datasets/|spaces/)([\w.-]+(?:/[\w.-]+)??)(?:\.git)?/?\Z")
LOCAL_DIR_CACHE = (".cache", "huggingface")
TOOL_FOLDERS = {(".git",), LOCAL_DIR_CACHE}  # what git and huggingface_hub keep beside the files


class SnapshotError(ValueError):
    """A folder that is not a snapshot, or one whose revision cannot be told."""


@dataclass(frozen=True)
class Snapshot:
    path: Path  # the folder that holds the model's files
    repo_id: str | None
    sha: str | None  # the Hub commit
    layout: str  # hub-cache | local-dir | git | plain

    def files(self) -> list[str]:
        """The repository's file names, `/`-separated and sorted, as the Hub lists its siblings."""
        if self.layout == "git":
            listed = _git(self.path, "ls-files", "-z")
            if listed is not None:
                return sorted(name for name in listed.split("\0") if name)
        found: list[str] = []
        for folder, dirs, names in os.walk(self.path):
            base = Path(folder).relative_to(self.path)
            dirs[:] = sorted(d for d in dirs if (base / d).parts not in TOOL_FOLDERS)
            found.extend((base / name).as_posix() for name in names)
        return sorted(found)

    def committed(self) -> str | None:
        """When the last commit was made, in UTC (`2023-09-20T13:03:50+00:00`, the Hub's `lastModified`): git only."""
        if self.layout != "git":
            return None
        stamp = _git(self.path, "log", "-1", "--format=%cI", "HEAD")
        if not stamp or not stamp.strip():
            return None
        return datetime.fromisoformat(stamp.strip()).astimezone(timezone.utc).isoformat()

    def released(self) -> str | None:
        """The day of the last commit (UTC), when the layout records it: git only."""
        committed = self.committed()
        return committed[:10] if committed else None


def snapshot_at(path: Path, revision: str | None = None) -> Snapshot:
    """The snapshot a folder holds: a Hub-cache snapshot or repository folder, a `local_dir`, a clone, or plain."""
    path = Path(path)
    if not path.is_dir():
        raise SnapshotError(f"{path}: not a folder")
    if path.parent.name == "snapshots" and path.parent.parent.name.startswith(CACHE_PREFIX):
        return Snapshot(path, _cache_repo_id(path.parent.parent.name), path.name, "hub-cache")
    if path.name.startswith(CACHE_PREFIX) and (path / "snapshots").is_dir():
        return _cache_revision(path, revision)
    if (path / ".git").exists():
        remote = _git(path, "config", "--get", "remote.origin.url") or ""
        match = HUB_REMOTE.search(remote.strip())
        sha = (_git(path, "rev-parse", "HEAD") or "").strip() or None
        return Snapshot(path, match.group(1) if match else None, sha, "git")
    metadata = path.joinpath(*LOCAL_DIR_CACHE, "download")
    if metadata.is_dir():
        return Snapshot(path, None, _local_dir_commit(metadata), "local-dir")
    return Snapshot(path, None, None, "plain")


def find_snapshots(root: Path) -> Iterator[Snapshot]:
    """Every snapshot under a folder: each cached revision of each `models--*` repository (in the folder,
    in its `hub/`, or the folder itself), and `ORG/NAME` folders that are clones or `local_dir` downloads."""
    root = Path(root)
    if root.name.startswith(CACHE_PREFIX):
        yield from _all_revisions(root)
        return
    if root.parent.name == "snapshots":
        yield snapshot_at(root)
        return
    for cache in (root, root / "hub"):
        for repository in sorted(cache.glob(CACHE_PREFIX + "*")):
            yield from _all_revisions(repository)
    for owner in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", CACHE_PREFIX))):
        for folder in sorted(p for p in owner.iterdir() if p.is_dir() and not p.name.startswith(".")):
            found = snapshot_at(folder)
            if found.layout in ("git", "local-dir"):
                yield Snapshot(found.path, found.repo_id or f"{owner.name}/{folder.name}", found.sha, found.layout)


def default_cache() -> Path:
    """The Hub cache folder `huggingface_hub` uses, from the same environment variables."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]) / "hub"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "huggingface" / "hub"


def _cache_repo_id(folder_name: str) -> str:
    return folder_name[len(CACHE_PREFIX) :].replace(SEPARATOR, "/", 1)


def _all_revisions(repository: Path) -> Iterator[Snapshot]:
    repo_id = _cache_repo_id(repository.name)
    for revision in sorted(p for p in (repository / "snapshots").glob("*") if p.is_dir()):
        yield Snapshot(revision, repo_id, revision.name, "hub-cache")


def _cache_revision(repository: Path, revision: str | None) -> Snapshot:
    """One revision of a cached repository: the one asked for, the one `refs/main` names, or the only one."""
    revisions = sorted(p.name for p in (repository / "snapshots").iterdir() if p.is_dir())
    if revision is None and (repository / "refs" / "main").is_file():
        revision = read_regular(repository / "refs" / "main", 4096).decode("utf-8", "replace").strip()
    if revision is None and len(revisions) == 1:
        revision = revisions[0]
    if revision is None or revision not in revisions:
        held = ", ".join(r[:7] for r in revisions) or "none"
        raise SnapshotError(f"{repository}: name one revision of the cached snapshots ({held})")
    return Snapshot(repository / "snapshots" / revision, _cache_repo_id(repository.name), revision, "hub-cache")


def _local_dir_commit(metadata: Path) -> str | None:
    """The commit `huggingface_hub` recorded for the files of a `local_dir` download, if they all agree."""
    commits = set()
    for record in metadata.rglob("*.metadata"):
        first = read_regular(record, 64 * 1024).decode("utf-8", "replace").partition("\n")[0].strip()
        if COMMIT.match(first):
            commits.add(first)
    return commits.pop() if len(commits) == 1 else None


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.decode("utf-8", "surrogateescape")
