"""The revision `mlmeta init` pins: one the hook repository has, never a tag it lacks.

In order: the installed version's tag (`v0.1.0`) when the repository has it; else the commit the
installed package was built from, when the repository has that; else the repository's HEAD.
`pre-commit autoupdate` moves the pin later. The repository is asked with `git ls-remote`.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from mlmeta import __version__

PROJECT = "https://github.com/mlmeta/mlmeta"  # the project's repository, as README and pyproject name it
TIMEOUT = 30  # seconds for `git ls-remote`


class PinError(Exception):
    """No revision that the repository has could be found: a usage error (give --rev)."""


def installed_source() -> tuple[str | None, str | None]:
    """(repository URL, commit) the installed package came from, where that is known.

    pip records both for `pip install git+URL@REV` (PEP 610's direct_url.json); a package run
    from a git checkout (an editable install, this repository's tests) is at that checkout's HEAD.
    """
    from importlib import metadata

    try:
        recorded = metadata.distribution("mlmeta").read_text("direct_url.json")
        direct = json.loads(recorded) if recorded else {}
    except (metadata.PackageNotFoundError, ValueError):
        direct = {}
    vcs = direct.get("vcs_info") if isinstance(direct, dict) else None
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and isinstance(vcs.get("commit_id"), str):
        url = direct.get("url")
        return (url.removeprefix("git+") if isinstance(url, str) else None), vcs["commit_id"]
    checkout = Path(__file__).resolve().parent.parent.parent
    head = _git("-C", str(checkout), "rev-parse", "--verify", "-q", "HEAD") if (checkout / ".git").exists() else None
    return None, head.strip() if head else None


def choose(repo: str | None) -> tuple[str, str, str | None]:
    """(repository, revision, a note on why that revision) for `init`'s pre-commit entry."""
    url, commit = installed_source()
    repo = repo or url or PROJECT
    refs = remote_refs(repo)
    if refs is None:
        raise PinError(f"cannot read the revisions of {repo} (git ls-remote failed); give --rev")
    tag = f"v{__version__}"
    if f"refs/tags/{tag}" in refs:
        return repo, tag, None
    if commit and (repo == url or commit in refs.values() or _has_commit(repo, commit)):
        return repo, commit, f"{repo} has no tag {tag}: pinned the commit mlmeta {__version__} was installed from"
    head = refs.get("HEAD")
    if head:
        return repo, head, f"{repo} has no tag {tag}: pinned its HEAD; `pre-commit autoupdate` moves it"
    raise PinError(f"{repo} has no tag {tag} and no HEAD; give --rev")


def remote_refs(repo: str) -> dict[str, str] | None:
    """Ref name -> commit, as `git ls-remote` lists them; None when the repository cannot be read."""
    listed = _git("ls-remote", "--", repo)
    if listed is None:
        return None
    refs = {}
    for line in listed.splitlines():
        commit, _, name = line.partition("\t")
        if name.endswith("^{}"):  # an annotated tag, peeled: the commit it names
            name = name[:-3]
        refs[name] = commit
    return refs


def _has_commit(repo: str, commit: str) -> bool:
    """Whether a repository on this machine has the commit (a remote one cannot be asked for a bare commit)."""
    folder = Path(repo.removeprefix("file://"))
    return folder.is_dir() and _git("-C", str(folder), "cat-file", "-e", f"{commit}^{{commit}}") is not None


def _git(*args: str) -> str | None:
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}  # never wait for a password
    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, timeout=TIMEOUT, env=environment, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
