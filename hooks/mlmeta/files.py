"""Which files a run looks at: the paths given, or everything the routes match."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from mlmeta.config import Config
from mlmeta.globs import matches
from mlmeta.schemas import Route, configured_route

SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}


def repository_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files (git), or a walk that skips tool folders."""
    import subprocess  # not at start-up: a run that is given its files never lists the repository

    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True,
        ).stdout.decode("utf-8", "surrogateescape")
        top = str(root)  # os.path, not pathlib: a catalog lists thousands of names
        return sorted({name for name in listed.split("\0") if name and os.path.isfile(os.path.join(top, name))})
    except (OSError, subprocess.CalledProcessError):
        found: list[str] = []
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            base = Path(folder).relative_to(root)
            found.extend((base / name).as_posix() for name in names)
        return sorted(found)


def routed(config: Config) -> list[str]:
    """Every repository file a route claims (config or built-in), minus the excluded ones."""
    return [name for name, _ in routes(config)]


def routes(config: Config) -> list[tuple[str, Route]]:
    """`routed`, with the route each file was given (so that no caller has to route it again)."""
    found = []
    for name in repository_files(config.root):
        route = configured_route(name, config)
        if route is not None and not excluded(name, config):
            found.append((name, route))
    return found


def excluded(relative: str, config: Config) -> bool:
    """Exclusions apply to discovery (no paths, or a folder); a file named explicitly is always checked."""
    return any(matches(pattern, relative) for pattern in config.exclude)


def expand(paths: list[str], config: Config) -> Iterator[Path]:
    """Files as given; a folder stands for the routed files inside it, or is an OCI image layout."""
    for given in paths:
        path = Path(given)
        if not path.is_dir():  # the common case, one stat: pre-commit passes files
            yield path
        elif (path / "oci-layout").is_file():
            yield path  # checked as one unit: its blobs are no files of their own
        else:
            for name in sorted(p for p in path.rglob("*") if p.is_file() and not SKIP_DIRS & set(p.parts)):
                shown = relative(name, config.root) or name.as_posix()
                if configured_route(shown, config) is not None and not excluded(shown, config):
                    yield name


def relative(path: Path, root: Path) -> str | None:
    """The path relative to the (resolved) root, as routes and exclusions spell it; None when it lies outside."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None
