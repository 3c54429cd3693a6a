"""References between files resolve (`reference`).

- a model's `training_stages[].data` -> a dataset file of the catalog: `dataset_metadata/<data>.json`
  (any dataset file of that name, or whose `name` it is); its `pre_training_data` path -> a file,
  relative to the model file's folder or to the catalog folder above it (both forms are written);
- a dataset's `file_pointer` -> the file exists, relative to the pointing file's folder, and
  following pointers from a file never comes back to it (the cycle is named);
- a results file's `model_name` -> a model file of the catalog: `model_metadata/<org>_<name>.json`
  (as the collector names it) or any model file whose `id` or `name` is it. Score files outnumber
  model files in real catalogs, so a missing one is only a note, and only when a close model id
  suggests a misspelling;
- a manifest row's `base_model` in the manifest's own namespace -> a row with that `repo_id`.

pre-commit passes only the changed files, so the rest of the repository is read here: the
catalog's files are listed once per run, and each file is parsed at most once, only when a check
needs it (read, never written). Files the configuration excludes (`[tool.mlmeta] exclude`, such as
test fixtures) are outside the catalog: their names are not looked up in it, though their own
file pointers and manifest rows are still checked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from mlmeta import rules
from mlmeta.documents import join, resolve
from mlmeta.findings import Problem
from mlmeta.rules import Run, Where

if TYPE_CHECKING:
    from mlmeta.rules.seen import Seen

RULE = "reference"


def check(value: Any, where: Where) -> list[Problem]:
    if not isinstance(value, dict):
        return []
    if where.kind == "manifest":  # every row of a manifest comes here: the catalog index only when needed
        return _base_model(value, where)  # a list: no generator made for each of 100k rows
    return list(_document(value, where))


def _document(value: dict[str, Any], where: Where) -> Iterator[Problem]:
    index = _index(where.run)
    if where.kind in ("dataset", "model", "results"):  # one JSON document per file (not a JSONL row)
        index.remember(where.file, value, where.path)
    if "in_catalog" not in where.state:  # once per file, not per JSONL row
        where.state["in_catalog"] = not index.excluded(where.path)
    in_catalog: bool = where.state["in_catalog"]
    if where.kind == "model" and in_catalog:
        yield from _training_data(value, index)
        yield from _pre_training_data(value, where)
    elif where.kind == "dataset":
        yield from _pointers(value, where, index)
        if in_catalog:
            yield from _same_name(value, where, index)
    elif where.kind == "results" and in_catalog:
        yield from _model_name(value, index)


class Index:
    """The repository as references see it, filled lazily: file lists, parsed values, names.

    (A plain class: a dataclass costs a hook's start-up a millisecond.)
    """

    def __init__(self, run: Run) -> None:
        self.run = run
        # resolved path (a string, not a Path: the engine remembers every file it checks) -> what the index
        # reads of its parsed value (_kept; None: unreadable, or not an object)
        self.values: dict[str, Any] = {}
        self._root = str(run.root)
        self._by_kind: dict[str, list[str]] = {}  # kind -> repository-relative names
        self._datasets: dict[str, list[Path]] | None = None
        self._named: dict[str, list[Path]] | None = None
        self._models: dict[str, Path] | None = None
        self._manifests: dict[Path, tuple[Seen[None], set[str]]] = {}
        self._targets: dict[Path, list[Path]] = {}

    def excluded(self, shown: str) -> bool:
        if not self.run.config.exclude:
            return False  # (no import statement to run for each file)
        from mlmeta.files import excluded

        return excluded(shown, self.run.config)

    def remember(self, path: Path, value: Any, shown: str = "") -> None:
        """A file the engine has parsed already need not be read again.

        `shown` (the engine's name for it) is the resolved path relative to the root when it lies
        inside: joining it costs nothing, resolving costs a system call per folder, for every file.
        (A file outside is shown as given; a name that is not its resolved path is never looked up.)
        """
        inside = shown and not os.path.isabs(shown) and ".." not in shown.split("/")
        self.values.setdefault(os.path.join(self._root, shown) if inside else os.path.realpath(path), _kept(value))

    def value(self, path: Path) -> Any:
        """What the index reads of a file's value (_kept), as the engine reads it whether or not this process
        checked it (JSON, or YAML by its suffix); None when it cannot be read or parsed (its own check reports
        why) or is no object."""
        key = os.path.realpath(path)
        if key not in self.values:
            self.values[key] = _kept(_parsed(Path(key)))
        return self.values[key]

    def targets(self, path: Path) -> list[Path]:
        """The files a (resolved) dataset file's pointers name, resolved; worked out once per run."""
        if path not in self._targets:
            pointed = (target for _, target in _file_pointers(self.value(path), path))
            self._targets[path] = [target.resolve() for target in pointed if _is_file(target)]
        return self._targets[path]

    def files(self, kind: str) -> list[Path]:
        """The catalog's files of a kind: every repository file a route gives that kind, minus exclusions."""
        if kind not in self._by_kind:
            from mlmeta.files import routes

            # listed once per kind, only in the folders that kind's routes can match (not the whole repository)
            self._by_kind[kind] = [name for name, _ in routes(self.run.config, kind)]
        root = self.run.config.root
        return [root / name for name in self._by_kind[kind]]

    def datasets(self) -> dict[str, list[Path]]:
        """Dataset file stem -> its files: how a model names a dataset, found without reading any file."""
        if self._datasets is None:
            self._datasets = {}
            for path in self.files("dataset"):
                self._datasets.setdefault(path.stem, []).append(path)
        return self._datasets

    def named(self) -> dict[str, list[Path]]:
        """Dataset `name` -> the files whose `name` it is (a name only the file stem gives is not a claim)."""
        if self._named is None:
            self._named = {}
            for path in self.files("dataset"):
                value = self.value(path)
                if isinstance(value, dict) and isinstance(value.get("name"), str):
                    self._named.setdefault(value["name"], []).append(path)
        return self._named

    def models(self) -> dict[str, Path]:
        """What names a model file: its `id`, its `name`, and the Hub id its file name spells (`org_name.json`)."""
        if self._models is None:
            self._models = {}
            for path in self.files("model"):
                self._models.setdefault(f"file:{path.name}", path)
                value = self.value(path)
                for key in ("id", "name"):
                    if isinstance(value, dict) and isinstance(value.get(key), str):
                        self._models.setdefault(value[key], path)
        return self._models

    def manifest(self, path: Path) -> tuple[Seen[None], set[str]]:
        """The `repo_id`s of a manifest's rows and their namespaces, read once (in bounded memory: rules.seen)."""
        path = path.resolve()
        if path not in self._manifests:
            from mlmeta.openers import open_regular
            from mlmeta.rules.seen import Seen

            ids: Seen[None] = Seen()
            namespaces: set[str] = set()
            try:
                with open_regular(path) as handle:
                    for raw in handle:
                        try:
                            row = _loads(raw)
                        except ValueError:
                            continue
                        if isinstance(row, dict) and isinstance(row.get("repo_id"), str):
                            ids.add(row["repo_id"])
                            if "/" in row["repo_id"]:
                                namespaces.add(row["repo_id"].partition("/")[0])
            except OSError:
                pass
            self._manifests[path] = (ids, namespaces)
        return self._manifests[path]

    def shown(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.run.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def _kept(value: Any) -> dict[str, Any] | None:
    """What the index reads of a file's value (a model's `id` and `name`, a dataset's `name` and `domains`):
    a run that checks 1,000 files keeps these, not 1,000 documents, and its memory is reused file after file."""
    if not isinstance(value, dict):
        return None
    return {key: value[key] for key in KEPT if key in value}


KEPT = ("id", "name", "domains")


def _loads(raw: bytes) -> Any:
    """orjson when it can (3x faster on a large manifest), json for what only json reads (NaN, huge ints)."""
    import orjson

    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def _index(run: Run) -> Index:
    if "references" not in run.cache:
        run.cache["references"] = Index(run)
    index: Index = run.cache["references"]
    return index


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = closest(name, (k for k in known if not k.startswith("file:")))
    return f"; did you mean '{close}'?" if close is not None else ""


CUTOFF = 0.75
CHUNK = 65_536  # names scored at a time: a manifest's ids on disk are never all in memory at once


def closest(name: str, known: Iterable[str]) -> str | None:
    """`difflib.get_close_matches(name, known, n=1, cutoff=0.75)`, fast over a list of a million names.

    rapidfuzz (C++, imported for a broken reference only) scores every name by its Indel ratio,
    which is never below difflib's: a longest common subsequence is at least as long as the
    matching blocks difflib finds. So its cut keeps every name difflib would accept, and difflib's
    own ratio is worked out best bound first, only until no bound left can reach the best ratio:
    the same name as difflib's over the whole list (the larger name on a tie, as there).
    """
    from itertools import islice

    from rapidfuzz import fuzz, process

    scored: list[tuple[float, str]] = []
    names = iter(known)
    while chunk := list(islice(names, CHUNK)):
        found = process.extract(name, chunk, scorer=fuzz.ratio, score_cutoff=CUTOFF * 100 - 0.01, limit=None)
        scored.extend((bound, choice) for choice, bound, _ in found)
    scored.sort(reverse=True)
    import difflib

    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(name)  # as get_close_matches sets them: the ratio is not symmetric
    best: tuple[float, str] | None = None
    for bound, choice in scored:
        if best is not None and bound / 100 + 1e-6 < best[0]:
            break  # no name left can reach the best ratio, nor tie it
        matcher.set_seq1(choice)
        ratio = matcher.ratio()
        if ratio >= CUTOFF and (best is None or (ratio, choice) > best):
            best = (ratio, choice)
    return best[1] if best is not None else None


def _training_data(value: dict[str, Any], index: Index) -> Iterator[Problem]:
    stages = value.get("training_stages")
    if not isinstance(stages, list) or not stages:
        return
    stems = index.datasets()
    names = [(at, stage.get("data")) for at, stage in enumerate(stages) if isinstance(stage, dict)]
    # a dataset file's stem names it, found without reading any file; only a name no stem has reads them
    unknown = [(at, name) for at, name in names if isinstance(name, str) and name and name not in stems]
    if not unknown or (not index.datasets() and not index.named()):
        return  # (no dataset file is routed as one: there is no catalog to find a name in)
    for position, name in unknown:
        if name not in index.named():
            known = [*index.datasets(), *index.named()]
            message = f"no dataset file has this name (dataset_metadata/<data>.json){_did_you_mean(name, known)}"
            yield Problem(f"/training_stages/{position}/data", RULE, message)


def _pre_training_data(value: dict[str, Any], where: Where) -> Iterator[Problem]:
    target = value.get("pre_training_data")
    if not isinstance(target, str) or not target:
        return
    if _absolute(target):
        yield Problem("/pre_training_data", RULE, "pre_training_data is a relative path, not an absolute one")
        return
    folder = where.file.parent
    if not any(_in_repository(base / target, where.run.root) for base in (folder, folder.parent, where.run.root)):
        message = "pre_training_data names no file of the repository (from this file's folder or the one above it)"
        yield Problem("/pre_training_data", RULE, message)


def _same_name(value: dict[str, Any], where: Where, index: Index) -> Iterator[Problem]:
    name = value.get("name")
    if not isinstance(name, str):
        return
    others = [p for p in index.named().get(name, []) if p.resolve() != where.file.resolve()]
    if others:
        message = f"{index.shown(others[0])} has the same name, so a model naming it is ambiguous"
        yield Problem("/name", RULE, message, "warning")


def _model_name(value: dict[str, Any], index: Index) -> Iterator[Problem]:
    name = value.get("model_name")
    if not isinstance(name, str):
        return
    models = index.models()
    if name in models or f"file:{name.replace('/', '_')}.json" in models:
        return
    near = _did_you_mean(name, models)
    if near:
        message = "no model file has this id or name (the collector writes model_metadata/<org>_<name>.json)"
        yield Problem("/model_name", RULE, message + near, "note")


def _pointers(value: dict[str, Any], where: Where, index: Index) -> Iterator[Problem]:
    for pointer, target in _file_pointers(value, where.file):
        if _absolute(resolve(value, pointer)):
            message = "file_pointer is a path relative to this file's folder, not an absolute path"
            yield Problem(pointer, RULE, message, replaces="schema")
            continue
        if not _in_repository(target, where.run.root):
            message = "file_pointer names no file of the repository (it is relative to this file's folder)"
            yield Problem(pointer, RULE, message)
            continue
        cycle = _cycle(target, where.file.resolve(), index)
        if cycle is not None:
            chain = " -> ".join(index.shown(p) for p in cycle)
            yield Problem(pointer, RULE, f"file_pointer chain comes back to this file: {chain}")


def _file_pointers(value: Any, file: Path) -> Iterator[tuple[str, Path]]:
    domains = value.get("domains") if isinstance(value, dict) else None
    for position, domain in enumerate(domains if isinstance(domains, list) else []):
        if isinstance(domain, dict) and isinstance(domain.get("file_pointer"), str) and domain["file_pointer"]:
            yield join(f"/domains/{position}", "file_pointer"), file.parent / domain["file_pointer"]


def _is_file(path: Path) -> bool:
    """`Path.is_file`, with a name too long or otherwise unusable for the system taken as no file."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _in_repository(path: Path, root: Path) -> bool:
    """A file inside the repository: a pointer out of it (`../../../etc/passwd`) names nothing of the catalog."""
    if not _is_file(path):
        return False
    try:
        path.resolve().relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return False
    return True


def _absolute(text: str) -> bool:
    return PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute() or text.startswith("\\")


def _parsed(path: Path) -> Any:
    from mlmeta.schemas import FORMAT_BY_SUFFIX

    if FORMAT_BY_SUFFIX.get(path.suffix.lower()) == "yaml":
        from mlmeta.documents import MISSING, read

        document = next(iter(read(path, "yaml", path.as_posix())), None)
        return None if document is None or document.value is MISSING else document.value
    from mlmeta.openers import read_regular_text

    try:
        return json.loads(read_regular_text(path, encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None


def _cycle(first: Path, start: Path, index: Index) -> list[Path] | None:
    """The pointer chain from `start` through `first` back to `start`, if there is one.

    Depth first with a stack of its own, not recursion: a chain may pass through every file of the catalog.
    """
    parents: dict[Path, Path] = {}  # each file reached -> the file whose pointer reached it
    stack = [(first.resolve(), start)]
    while stack:
        current, parent = stack.pop()
        if current == start:
            chain = [current]
            while parent != start:
                chain.append(parent)
                parent = parents[parent]
            return [start, *reversed(chain)]
        if current in parents:
            continue  # explored already; a cycle not through `start` is reported at its own files
        parents[current] = parent
        stack.extend((target, current) for target in reversed(index.targets(current)))
    return None


_STORES_ROWS = "repo_ids.stores_rows"  # rules.repo_ids.STORES_ROWS (that module loads for manifests only)


def _base_model(row: dict[str, Any], where: Where) -> list[Problem]:
    ids = where.state.get("repo_ids")
    if ids is None:  # the file's first row (an import statement per row would cost 2 µs)
        from mlmeta.rules.repo_ids import first_lines

        ids = first_lines(where)
    if _STORES_ROWS not in where.state and isinstance(row.get("repo_id"), str):
        if ids.setdefault(row["repo_id"], where.line) != where.line:  # every row: a later row may name it
            rules.repeated(where.state, "repo_ids", row["repo_id"], where.line)
        if type(ids) is dict and len(ids) > rules.SPILL:  # bounded memory (inline: see rules.seen.spilled)
            ids = where.state["repo_ids"] = rules.spilled(ids)
    base = row.get("base_model")
    if not isinstance(base, str) or "/" not in base:
        return []
    configured = where.run.namespace
    if configured and base.partition("/")[0] != configured:
        return []  # an external base model: nothing to look up, no need to read the file
    if base in ids:
        return []  # a row above has it: no need to read the file
    unseen = where.state.get("unseen_base_models")
    if unseen is not None:  # a `--jobs` worker: a row of another part may have it, the parent asks (mlmeta.jobs)
        unseen.append((base, where.line))
        return []
    index = _index(where.run)
    if "manifest" not in where.state:
        where.state["manifest"] = index.manifest(where.file)
    ids, namespaces = where.state["manifest"]
    # the manifest's own namespace: the configured one, or the one every row shares; a manifest of
    # several organisations cannot tell its own base models from external ones, so it is not checked
    own = {configured} if configured else namespaces if len(namespaces) == 1 else set()
    namespace = base.partition("/")[0]
    if namespace in own and base not in ids:
        message = f"base_model is in this manifest's namespace '{namespace}' but no row has it as repo_id"
        others = (repo_id for repo_id in ids if repo_id != row.get("repo_id"))
        return [Problem("/base_model", RULE, message + _did_you_mean(base, others))]
    return []
