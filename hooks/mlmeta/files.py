"""Which files a run looks at: the paths given, or everything the routes match."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from itertools import takewhile
from pathlib import Path
from stat import S_ISDIR, S_ISLNK

from mlmeta.config import Config
from mlmeta.findings import Finding
from mlmeta.globs import ignored
from mlmeta.schemas import FORMAT_BY_SUFFIX, KINDS, PEEK_BYTES, Kinds, Route, kinds

SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}


def repository_files(root: Path, folders: Sequence[str] | None = None) -> list[str]:
    """Tracked and untracked-but-not-ignored files (git), or a walk that skips tool folders.

    With `folders` (repository-relative, `/`-separated), only the files below them: the same names
    the whole listing has there. A folder that is missing, or lies behind a symbolic link (neither
    git nor the walk goes through one), holds none of them.
    """
    if folders is not None:
        folders = sorted({folder for folder in folders if _real_folder(root, folder)})
        if not folders:
            return []  # nothing to list: no git process
    output = git(root, "--literal-pathspecs", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                  *(folders or ()))
    if output is not None:
        listed = output.decode("utf-8", "surrogateescape")
        top = str(root)  # os.path, not pathlib: a catalog lists thousands of names
        return sorted({name for name in listed.split("\0") if name and os.path.isfile(os.path.join(top, name))})
    found: set[str] = set()  # no git, or no repository git can read: walk
    for start in ("",) if folders is None else folders:
        if SKIP_DIRS.intersection(start.split("/")):
            continue  # the whole walk never enters it
        for folder, dirs, names in os.walk(root / start):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            base = Path(folder).relative_to(root)
            found.update((base / name).as_posix() for name in names)
    return sorted(found)


def same_names(root: Path, names: list[str]) -> list[str]:
    """The tracked and untracked files whose paths equal one of `names` but for case (git's `icase` pathspecs).

    What `path-case` needs when a hook checks a few files: not a listing of the whole repository.
    """
    return same_names_started(root, names)()


def path_case(names: list[str], listed: list[str]) -> Iterator[Finding]:
    """`path-case`: a checked file whose path differs only in case (or Unicode normal form) from another file.

    macOS and Windows compare names case-insensitively (simple case folding, not `ß` = `ss`), and
    macOS also regardless of normal form (`é` composed or not).
    """
    by_fold: dict[str, list[str]] = {}
    for name in listed:
        by_fold.setdefault(_folded(name), []).append(name)
    for name in names:
        others = [other for other in by_fold.get(_folded(name), ()) if other != name]
        if others:
            message = (
                f"path differs only in case from {others[0]}: on macOS and Windows checkouts the two are one file, "
                "and one silently replaces the other"
            )
            yield Finding(name, 1, 1, "", None, None, "path-case", "error", message)


def _folded(name: str) -> str:
    if name.isascii():
        return name.lower()  # NFC leaves ASCII as it is: unicodedata is loaded for another name only
    from unicodedata import normalize

    return normalize("NFC", name).lower()


FOLDER_SPEC = 16  # names of one folder from which git is asked for the folder's files, with one pathspec


def same_names_started(root: Path, names: list[str]) -> Callable[[], list[str]]:
    """`same_names`, with git started now and its answer read when called: git lists while the files are checked.

    git matches every pathspec against every file: for many names in one folder (a catalog's
    models) one pathspec for the folder's files costs it a fraction (1,000 names: 1.8 ms, not
    6.6), and what it lists is narrowed here as `icase` compares, ASCII letters only.
    """
    by_folder: dict[str, list[str]] = {}
    for name in names:
        by_folder.setdefault(name.rpartition("/")[0], []).append(name)
    specs: list[str] = []
    for folder, inside in by_folder.items():
        if folder and len(inside) >= FOLDER_SPEC:
            specs.append(":(icase,glob)" + _GLOB_SPECIAL.sub(r"\\\g<0>", folder) + "/*")
        else:
            specs.extend(f":(icase,literal){name}" for name in inside)
    wanted = {_ascii_folded(name) for name in names}
    listing = git_started(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *specs)

    def listed() -> list[str]:
        output = listing()
        found = set(output.decode("utf-8", "surrogateescape").split("\0")) - {""} if output else set()
        return sorted(name for name in found if _ascii_folded(name) in wanted)

    return listed


_GLOB_SPECIAL = re.compile(r"[*?\[\\]")  # escaped with a backslash in a `glob` pathspec


def _ascii_folded(name: str) -> bytes:
    """The name as git's `icase` compares it: bytes, ASCII letters in lower case."""
    return name.encode("utf-8", "surrogateescape").lower()


def git(root: Path, *args: str) -> bytes | None:
    """What `git -C root ARGS...` writes to stdout, or None when git is missing or fails."""
    return git_started(root, *args)()


def git_started(root: Path, *args: str) -> Callable[[], bytes | None]:
    """`git`, started now; calling the result waits for what it wrote.

    Started with os.posix_spawnp where there is one: the subprocess module (with threading,
    signal and selectors) would cost a hook's start-up about 3 ms, as much as git itself. git
    writes into a pipe: past the pipe's buffer it waits for the reader, which reads it whole.
    """
    argv = ["git", "-C", str(root), *args]
    if not hasattr(os, "posix_spawnp"):  # Windows
        import subprocess

        try:
            output: bytes | None = subprocess.run(argv, capture_output=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            output = None
        return lambda: output
    reader, writer = os.pipe()  # not inheritable: git gets only its stdout
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            actions = [(os.POSIX_SPAWN_DUP2, writer, 1), (os.POSIX_SPAWN_DUP2, null, 2)]
            pid = os.posix_spawnp("git", argv, os.environ, file_actions=actions)
        finally:
            os.close(null)
    except OSError:  # git is not installed
        os.close(reader)
        return lambda: None
    finally:
        os.close(writer)

    def written() -> bytes | None:
        with open(reader, "rb") as pipe:
            output = pipe.read()
        return output if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0 else None

    return written


def _real_folder(root: Path, folder: str) -> bool:
    """Whether each step from the root to `folder` is a directory and not a symbolic link."""
    path = root
    for part in folder.split("/"):
        path = path / part
        if path.is_symlink() or not path.is_dir():
            return False
    return True


def route_folders(kind: str, config: Config) -> list[str] | None:
    """The folders below which every file a route (config or built-in) gives `kind` lies; None: anywhere.

    A route's pattern names such a folder when it is anchored (holds a `/`) and starts with parts
    that have no wildcard: `dataset_metadata/**/*.json` -> `dataset_metadata`.
    """
    known = kinds(config)
    patterns = [pattern for pattern, to in config.routes.items() if _family(known, to.partition("@")[0]) == kind]
    patterns.extend(KINDS[kind].patterns if kind in KINDS else ())
    folders = []
    for pattern in patterns:
        if "/" not in pattern.rstrip("/"):
            return None  # matches at any depth
        parts = pattern.lstrip("/").split("/")[:-1]  # the last part names files
        literal = list(takewhile(lambda part: part and not any(c in part for c in "*?[\\"), parts))
        if not literal:
            return None
        if "." in literal or ".." in literal:
            continue  # no listed name has such a part: the pattern matches none
        folders.append("/".join(literal))
    return folders


def routed(config: Config) -> list[str]:
    """Every repository file a route (config or built-in) or its own `$schema` claims, minus the excluded ones.

    A file the hook would check because of its `$schema` is checked by a whole-repository run too:
    the two give one verdict. Only JSON and YAML files no route claims are peeked at, their head only.
    """
    known = kinds(config)
    found = []
    for name in repository_files(config.root):
        if excluded(name, config):
            continue
        if _claims(config.root / name, name, known) or (known.user and _versioned_schema(known, name)):
            found.append(name)  # a schema of your own is checked too: its lock, and its history under --base
    if config.option("phi", "paths"):  # a folder put under the no-PHI rule is checked in CI too, not only by the hook
        from mlmeta.rules.phi import claimed

        found.extend(name for name in repository_files(config.root) if claimed(name, config) and name not in found
                     and not excluded(name, config))
    return sorted(set(found))


def _versioned_schema(known: Kinds, name: str) -> bool:
    """A schema (or the lock) of a versioned user kind: what `schema-lock` and the history rules judge."""
    owner = known.schema_owner(name)
    return owner is not None and known.lock_folder(owner) is not None


def _claims(path: Path, name: str, known: Kinds) -> bool:
    """Whether a route claims the file, or (a JSON or YAML file) its own `$schema` does."""
    if known.configured(name) is not None:
        return True
    fmt = FORMAT_BY_SUFFIX.get(os.path.splitext(name)[1].lower())
    return fmt in ("json", "yaml") and _declares(path, fmt == "yaml", name, known)


def _declares(path: Path, yaml: bool, name: str, known: Kinds) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(PEEK_BYTES)
        return known.peek(head, yaml, name) is not None
    except OSError:
        return False
    except ValueError:  # a `$schema` that names mlmeta wrongly: the check says so
        return True


def routes(config: Config, kind: str | None = None) -> list[tuple[str, Route]]:
    """`routed`, with the route each file was given (so that no caller has to route it again).

    With `kind`, only the files routed to that kind (or to a user kind that extends it), listed only
    in the folders its routes can match: a model's `pretraining_data` needs the dataset files, not
    the whole repository.
    """
    found = []
    known = kinds(config)
    for name in repository_files(config.root, None if kind is None else route_folders(kind, config)):
        route = known.configured(name)
        if route is not None and (kind is None or _family(known, route.kind) == kind) and not excluded(name, config):
            found.append((name, route))
    return found


def _family(known: Kinds, name: str) -> str | None:
    """The bundled kind whose rules a kind's files meet: its own name, or the kind a user kind extends."""
    family = known[name].family if name in known else None
    return family.kind if family else None


def excluded(relative: str, config: Config) -> bool:
    return ignored(config.exclude, relative)


def expand(
    paths: list[str],
    config: Config,
    inside: Callable[[Path, os.stat_result | None], str | None],
    force_exclude: bool = True,
) -> Iterator[Path]:
    """Files as given; a folder stands for the routed files inside it, or is an OCI image layout.

    Exclusions apply to a file named explicitly too (pre-commit names every file it checks), unless
    `force_exclude` is off: the hook and a whole-repository check give one verdict. `inside` names
    a file given relative to the root, None outside it (Engine.inside), given the file's lstat: one
    system call a file tells whether it is a folder, a symbolic link, and how large it is.
    """
    for given in paths:
        path = Path(given)
        try:
            status: os.stat_result | None = os.lstat(path)  # (the Path: `link.json/` names the link, as read)
        except (OSError, ValueError):
            status = None  # the check says why it cannot be read
        mode = status.st_mode if status is not None else 0
        if not (S_ISDIR(mode) or (S_ISLNK(mode) and os.path.isdir(given))):
            shown = inside(path, status)  # (named now, when the lstat is at hand: check.run asks next)
            if force_exclude and config.exclude and shown is not None and excluded(shown, config):
                continue
            yield path
        elif (path / "oci-layout").is_file():
            yield path  # checked as one unit: its blobs are no files of their own
        else:
            known = kinds(config)
            for name in sorted(p for p in path.rglob("*") if p.is_file() and not SKIP_DIRS & set(p.parts)):
                shown = relative(name, config.root) or name.as_posix()
                if not excluded(shown, config) and (_claims(name, shown, known) or _phi_claimed(shown, config)):
                    yield name


def _phi_claimed(relative: str, config: Config) -> bool:
    if not config.option("phi", "paths"):
        return False
    from mlmeta.rules.phi import claimed

    return claimed(relative, config)


def relative(path: Path, root: Path) -> str | None:
    """The path relative to the (resolved) root, as routes and exclusions spell it; None when it lies outside."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None
