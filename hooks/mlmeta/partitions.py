"""A large JSON Lines manifest checked as a map and a reduce: partitions of rows, then their cross-row keys merged.

    parts = partitions(path, 64)                                  # byte ranges at line starts
    results = [check_partition(path, part) for part in parts]     # the map: anywhere, in any process
    findings = merge(path, results)                               # the reduce: in partition order

`mlmeta check --jobs N` (mlmeta.jobs) is this split on one machine, with forked workers; a Dask
graph (README, "Past one machine") is the same three calls spread over a cluster. The findings
are those `mlmeta check --jobs 1 path` reports, in its order.

The map validates a partition's rows with tables of its own, which keep every cross-row key it
meets: `repo_id` -> its row's line (`duplicate-row`, and the rows base models name),
`reproducibility_hash` -> (line, repo_id) (`duplicate-hash`); a base model that no row of the
partition has is set aside, not looked up in the whole file. The reduce merges the tables in
file order, so a key's first row is the file's first. The only rows whose cross-row findings a
partition may have got wrong are then judged again with the merged tables: a row whose key first
appeared in an earlier partition, and one whose base model is in no row at all (rules.references
reads the whole manifest for it, as one process would). Their findings of those rules replace the
partition's; findings of the other rules depend on the row alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any, NamedTuple

from mlmeta.documents import Document
from mlmeta.engine import PHI_MODULE, Engine, Options
from mlmeta.findings import Finding
from mlmeta.rules import REPEATS
from mlmeta.rules.seen import Seen
from mlmeta.schemas import FORMAT_BY_SUFFIX, Route, RouteError, SchemaRefError

IDS, HASHES = "repo_ids", "hashes"  # the where.state tables of rules.repo_ids.first_lines and rules.hashes
RULE_OF = {IDS: "duplicate-row", HASHES: "duplicate-hash"}
UNSEEN = "unseen_base_models"  # where.state: (base model, line) a partition has no row for (rules.references)
AGAIN = (*RULE_OF.values(), "reference")  # the rules whose findings on some rows the reduce judges again


class Partition(NamedTuple):
    """Whole lines of a file: bytes [start, end), the first of them on line `line`."""

    start: int
    end: int
    line: int


class PartResult(NamedTuple):
    """What the map gives the reduce (picklable: it crosses processes and machines)."""

    findings: list[Finding]
    tables: dict[str, tuple[dict[str, Any], list[tuple[str, Any]]]]  # name -> (key -> first value, repeats)
    unseen: list[tuple[str, int]]  # base models no row of the partition has, and their lines
    used: set[Any]  # phi allowlist entries that excused a finding
    partition: Partition  # what was checked: the reduce makes sure the partitions cover the file, in order
    whole: bool = False  # the file is no manifest to split: the reduce checks it whole, as `mlmeta check` would


def partitions(path: str | os.PathLike[str], count: int) -> list[Partition]:
    """`count` partitions of whole lines (fewer when lines are longer than a share), in file order."""
    return list(cuts(path, count))


def cuts(path: str | os.PathLike[str], count: int) -> Iterator[Partition]:
    """`partitions`, each given as soon as its first line is counted (mlmeta.jobs starts on the first at once)."""
    path = Path(path)
    size = os.path.getsize(path)
    start, line = 0, 1
    buffer = bytearray(1 << 20)
    with path.open("rb") as handle:
        for index in range(1, count + 1):
            end = size
            if index < count:
                handle.seek(max(size * index // count, start))
                handle.readline()  # to the end of the line the cut falls in
                end = min(handle.tell(), size)
            if end > start:
                yield Partition(start, end, line)
                line += _newlines(handle, start, end, buffer)
                start = end


def _newlines(handle: Any, start: int, end: int, buffer: bytearray) -> int:
    """Newlines in [start, end), counted through one reused buffer: reading a part whole would allocate
    (and fault in) megabytes for each part, twice the time of the count itself."""
    handle.seek(start)
    count, left = 0, end - start
    view = memoryview(buffer)
    while left > 0:
        got = handle.readinto(view[: min(left, len(buffer))])
        if not got:
            break
        count += buffer.count(b"\n", 0, got)
        left -= got
    return count


def check_partition(
    path: str | os.PathLike[str],
    partition: Partition,
    root: str | os.PathLike[str] | None = None,
    kind: str | None = None,
    select: Iterable[str] | None = None,
    strict: bool = False,
    config: str | os.PathLike[str] | None = None,
) -> PartResult:
    """The map: the findings of a partition's rows and its cross-row keys, in whatever process runs it.

    `root`: the repository whose `[tool.mlmeta]` applies (by default the one around the file); a
    relative `path` is relative to it. `kind`, `select`, `strict`, `config`: as `mlmeta check`'s
    --kind, --select, --strict and --config. The engine is built once per process (and thread) and options.
    """
    engine, file = _engine(path, root, kind, select, strict, config)
    route = _route(engine, file)
    if route is None:
        return PartResult([], {}, [], set(), partition, whole=True)
    return judge(engine, file, route, partition)


def merge(
    path: str | os.PathLike[str],
    results: Iterable[PartResult],
    root: str | os.PathLike[str] | None = None,
    kind: str | None = None,
    select: Iterable[str] | None = None,
    strict: bool = False,
    config: str | os.PathLike[str] | None = None,
) -> list[Finding]:
    """The reduce: every finding of the file, sorted, from the results of all its partitions in file order.

    The options must be those the partitions were checked with. The findings are those of `mlmeta
    check --jobs 1 path` run in `root` (without `--base`). ValueError: the results do not cover the
    file in order (a partition missing or out of place, or a file that changed since).
    """
    engine, file = _engine(path, root, kind, select, strict, config, fresh=True)
    results = list(results)
    _covered(file, [result.partition for result in results])
    route = None if any(result.whole for result in results) else _route(engine, file)
    if route is None:  # an error, a file of another format, a file no route claims: the engine says what
        found = list(engine.check(file))
    else:
        reduction = Reduction()
        for result in results:
            reduction.add(result)
        state: dict[str, Any] = {}
        own = engine.kinds[route.kind]
        found = [
            *(engine.locks([own.name]) if own.schema is not None else ()),
            *reduction.findings(engine, file, route, state),
            *engine.finish(file, route, state),
        ]
    found.extend(_path_case(engine, file))
    return sorted(found, key=Finding.sort_key)


class Table(dict[str, Any]):
    """A partition's rows-seen table: a dict the rules never move to disk (a partition is small; they move
    only a plain dict, rules.spilled)."""

    __slots__ = ()


def judge(engine: Engine, path: Path, route: Route | None, partition: Partition) -> PartResult:
    """The map with an engine at hand (mlmeta.jobs: a worker's, built from the parent's configuration)."""
    from mlmeta.rules.phi.allowlist import used_entries

    used_entries(engine.run).clear()  # this partition's uses only: an engine lives on from call to call
    tables = {IDS: Table(), HASHES: Table()}
    repeats: dict[str, list[tuple[str, Any]]] = {IDS: [], HASHES: []}  # (key, value) of each later row of a key
    unseen: list[tuple[str, int]] = []
    findings = engine.part(path, route, *partition, {**tables, UNSEEN: unseen, REPEATS: repeats})
    seen = {name: (dict(table), repeats[name]) for name, table in tables.items()}
    return PartResult(findings, seen, unseen, set(used_entries(engine.run)), partition)


class Reduction:
    """The partitions' results added in file order, each let go once added: memory for the keys, not the rows."""

    def __init__(self) -> None:
        self.first: dict[str, Seen[Any]] = {IDS: Seen(), HASHES: Seen()}  # each key's value at its first row
        self.again: dict[str, set[int]] = {rule: set() for rule in AGAIN}  # rule -> lines judged again
        self.unseen: list[tuple[str, int]] = []
        self.found: list[Finding] = []
        self.used: set[Any] = set()

    def add(self, result: PartResult) -> None:
        for name, (firsts, repeats) in result.tables.items():
            known = self.first[name].merge(firsts)  # keys whose first row is in an earlier partition
            if known:
                lines_again = self.again[RULE_OF[name]]
                lines_again.update(_line(firsts[key]) for key in known)
                lines_again.update(_line(value) for key, value in repeats if key in known)
        self.found.extend(result.findings)
        self.unseen.extend(result.unseen)
        self.used |= result.used

    def findings(self, engine: Engine, path: Path, route: Route | None, state: dict[str, Any]) -> Iterator[Finding]:
        """The partitions' findings, those of the rows judged again replaced; `state` gets the merged tables."""
        again = self.again
        again["reference"].update(line for base, line in self.unseen if base not in self.first[IDS])
        yield from (f for f in self.found if not _again(f, again))
        judged = set().union(*again.values())
        if judged:
            state.update(self.first)  # every first row known: a row's own key leads to the file's first row with it
            for document in _rows(path, engine.display(path), judged):
                yield from (f for f in engine.judge(document, route, path, state, "jsonl") if _again(f, again))
        if self.used:  # before the file's finish: an entry used in any partition is not stale
            from mlmeta.rules.phi.allowlist import mark_used
            from mlmeta.rules.phi.settings import settings

            mark_used(engine.run, settings(engine.config, engine.run.cache), self.used)


_engines: dict[tuple[Any, ...], tuple[int | None, Engine]] = {}  # a process's: options -> (config mtime, engine)


def _engine(
    path: str | os.PathLike[str],
    root: str | os.PathLike[str] | None,
    kind: str | None,
    select: Iterable[str] | None,
    strict: bool,
    config: str | os.PathLike[str] | None,
    fresh: bool = False,
) -> tuple[Engine, Path]:
    """The engine for these options in this process and thread, and the file's absolute path.

    The map keeps one per thread (a threaded scheduler's tasks share no run state) and options,
    rebuilt when the configuration file changed. `fresh`: one of its own, for the reduce: an engine
    remembers what it reported in a run (schema locks, rows of other files), and the reduce is a run.
    """
    from mlmeta import config as configuration

    file = Path(path)
    if root is not None:
        top = Path(root).resolve()
        file = top / file  # an absolute path stays as it is
    else:
        file = file.absolute()
        top = configuration.find_root(file.parent)
    chosen = tuple(sorted(select)) if select is not None else None
    source = Path(config) if config is not None else top / "pyproject.toml"
    try:
        changed: int | None = source.stat().st_mtime_ns
    except OSError:
        changed = None
    key = (threading.get_ident(), top, config, kind, chosen, strict)
    kept = None if fresh else _engines.get(key)
    if kept is not None and kept[0] == changed:
        return kept[1], file
    from mlmeta.rules import select_rules
    from mlmeta.schemas import kinds

    loaded = configuration.load(top, Path(config) if config is not None else None)
    known = kinds(loaded)
    route = known.parse(kind) if kind else None
    if route is not None:
        known.decide(route, None, None)  # a version the kind lacks: an error now, as `mlmeta check` says
    rules = select_rules(chosen) if chosen is not None else None
    engine = Engine(loaded, Options(kind=route, select=rules, strict=strict))
    if not fresh:
        _engines[key] = (changed, engine)
    return engine, file


def _route(engine: Engine, path: Path) -> Route | None:
    """The route `Engine.check` gives a JSON Lines file of a kind; None: a file to check whole.

    Conservative: a file this cannot route as `check` would (no route, another format, a routing
    error, the repository's own schema, only no-PHI rules selected) is left to `Engine.check`
    itself, in the reduce. Such a file has no rows to split, or its check stops at once.
    """
    from mlmeta.documents.jsonl import read

    kinds, forced, shown = engine.kinds, engine.options.kind, engine.display(path)
    select = engine.options.select
    if select is not None and all(_module(rule) == PHI_MODULE for rule in select):
        return None
    try:
        if not path.is_file() or (kinds.user and kinds.schema_owner(shown) is not None):
            return None
        configured = kinds.configured(shown)
        chosen = forced or configured
        if chosen is None:
            return None
        kind = kinds[chosen.kind]
        if (kind.format or FORMAT_BY_SUFFIX.get(path.suffix.lower()) or "json") != "jsonl" or kind.rows is not None:
            return None
        first = next(read(path, shown), None)  # the first row's `$schema` may name the version
        value = first.value if first is not None and first.ok else None
        ref = value.get("$schema") if isinstance(value, dict) else None
        declared = kinds.declared(ref, shown) if isinstance(ref, str) else None
        return kinds.decide(forced, declared, configured)
    except (OSError, RouteError, SchemaRefError):
        return None


def _covered(path: Path, parts: list[Partition]) -> None:
    """Whether the partitions are the whole file in file order: a merge of others would find other things."""
    ends = [0, *(part.end for part in parts)]
    if any(part.start != end for part, end in zip(parts, ends, strict=False)) or ends[-1] != _size(path):
        raise ValueError(f"{path}: the results are not of partitions that cover the file in order")


def _size(path: Path) -> int | None:
    try:
        return os.path.getsize(path)
    except OSError:
        return None


def _path_case(engine: Engine, path: Path) -> Iterator[Finding]:
    """`path-case`, which `mlmeta check path` adds for a file of the repository (check.run's `_across`)."""
    shown = engine.display(path)
    if not engine.wants("path-case") or shown.startswith(("/", "../")):
        return iter(())
    from mlmeta.files import path_case, same_names

    return path_case([shown], same_names(engine.config.root, [shown]))


def _module(rule: str) -> str | None:
    from mlmeta.rules import RULES

    return RULES[rule].module if rule in RULES else None


def _again(finding: Finding, again: dict[str, set[int]]) -> bool:
    return finding.rule in again and finding.line in again[finding.rule]


def _line(value: Any) -> int:
    """The line a table's value names: the value itself (repo_ids), or its first item (hashes)."""
    return value if isinstance(value, int) else int(value[0])


def _rows(path: Path, display: str, lines: set[int]) -> Iterator[Document]:
    """The rows on these lines, read again."""
    from mlmeta.documents.jsonl import rows

    last = max(lines)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number in lines:
                yield from rows(BytesIO(raw), display, number)
            if number == last:
                return
