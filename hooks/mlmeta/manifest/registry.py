"""The offline registry: `models.jsonl` loaded into memory, keyed by `repo_id`, no network.

    registry = Registry.load("models.jsonl")
    registry.get("OpenMed/...")              # the row (a plain dict), or None
    registry.filter(family="PII", language="de")
    len(registry); list(registry)            # rows in file order

Loading parses every row (orjson when installed, else the standard library) and refuses a file
that is not a manifest at all: a row that is not a JSON object, or two rows with one `repo_id`.
It keeps each row's bytes and parses a row again when it is asked for, so every `get` returns a
fresh dict (changing it changes nothing in the registry) and a loaded registry holds no
containers for the garbage collector to walk.
Schema validation is `mlmeta check`'s job, not the loader's: a registry is read far more often
than it is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Row = dict[str, Any]


class ManifestError(ValueError):
    """A file the registry cannot hold: each problem as `path:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _decoder() -> Callable[[bytes], Any]:
    try:
        import orjson

        return orjson.loads
    except ImportError:  # pragma: no cover - orjson is a dependency; the fallback keeps the loader working
        return lambda raw: json.loads(raw, parse_constant=_refuse_constant)


def _refuse_constant(token: str) -> float:
    raise ValueError(f"{token} is not JSON")  # NaN and Infinity, as orjson refuses them


class Registry:
    __slots__ = ("_index", "_lines", "path")

    def __init__(self, lines: list[bytes], index: dict[str, int], path: Path | None = None) -> None:
        self.path = path
        self._lines = lines  # one compact row each, in file order
        self._index = index  # repo_id -> its row's place in `_lines`

    @classmethod
    def load(cls, path: str | Path) -> Registry:
        from mlmeta.openers import read_regular

        path = Path(path)
        lines = read_regular(path).split(b"\n")
        if lines and not lines[-1]:
            lines.pop()  # the final newline
        index = _well_formed(lines)
        if index is None:  # something is wrong: read again, row by row, to say what and where
            lines, index = _rows_or_problems(path, lines)
        return cls(lines, index, path)

    def get(self, repo_id: str) -> Row | None:
        place = self._index.get(repo_id)
        return None if place is None else _decoder()(self._lines[place])

    def filter(
        self,
        *,
        family: str | None = None,
        task: str | None = None,
        language: str | None = None,
        tier: str | None = None,
        format: str | None = None,  # the manifest's own word (`formats`)
    ) -> list[Row]:
        """Rows, in file order, that meet every filter given; languages compare as BCP 47 does (any case, `_` = `-`)."""
        tests: list[Callable[[Row], bool]] = []
        for key, wanted in (("family", family), ("task", task), ("tier", tier)):
            if wanted is not None:
                tests.append(_equals(key, wanted))
        if language is not None:
            code = _language(language)
            tests.append(lambda row: any(_language(x) == code for x in _strings(row.get("languages"))))
        if format is not None:
            tests.append(lambda row: format in _strings(row.get("formats")))
        return [row for row in self if all(test(row) for test in tests)]

    def __len__(self) -> int:
        return len(self._lines)

    def __iter__(self) -> Iterator[Row]:
        return map(_decoder(), self._lines)

    def __contains__(self, repo_id: object) -> bool:
        return repo_id in self._index

    def __repr__(self) -> str:
        return f"Registry({str(self.path)!r}, {len(self)} rows)"


def _well_formed(lines: list[bytes]) -> dict[str, int] | None:
    """Each row's place by repo_id when nothing is wrong, in C loops only; None at the first doubt.

    Every row is parsed, so a broken one is found now, but none is kept: parsed rows would be
    millions of containers for the garbage collector to walk, and a row is cheap to parse again.
    """
    loads = _decoder()
    try:  # a blank line is a decode error here: the careful pass skips it
        index = {loads(raw)["repo_id"]: place for place, raw in enumerate(lines)}  # TypeError: not an object
    except (ValueError, KeyError, TypeError):
        return None
    if len(index) != len(lines) or not all(type(repo_id) is str for repo_id in index):
        return None
    return index


def _rows_or_problems(path: Path, lines: list[bytes]) -> tuple[list[bytes], dict[str, int]]:
    loads = _decoder()
    kept: list[bytes] = []
    index: dict[str, int] = {}
    problems: list[str] = []
    numbers: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw or raw.isspace():  # a blank line (isspace: no copy of every row)
            continue
        try:
            row = loads(raw)
        except ValueError as error:  # JSONDecodeError, orjson.JSONDecodeError, UnicodeDecodeError
            problems.append(f"{path}:{number}: not a JSON row ({type(error).__name__})")
            continue
        repo_id = row.get("repo_id") if isinstance(row, dict) else None
        if not isinstance(repo_id, str):
            problems.append(f"{path}:{number}: not a manifest row: a JSON object with a string repo_id")
        elif repo_id in numbers:
            problems.append(f"{path}:{number}: repo_id already used by the row on line {numbers[repo_id]}")
        else:
            numbers[repo_id] = number
            index[repo_id] = len(kept)
            kept.append(raw)
    if problems:
        raise ManifestError(problems)
    return kept, index


def _equals(key: str, wanted: str) -> Callable[[Row], bool]:
    return lambda row: row.get(key) == wanted


def _language(code: str) -> str:
    return code.lower().replace("_", "-")


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _load(args: argparse.Namespace) -> Registry | None:
    try:
        return Registry.load(args.manifest)
    except OSError as error:
        print(f"mlmeta: error: cannot read {args.manifest}: {error.strerror or error}", file=sys.stderr)
    except ManifestError as error:
        print(error, file=sys.stderr)
    return None


def show(args: argparse.Namespace) -> int:
    """`mlmeta manifest show REPO_ID`: the row, pretty-printed; exit 1 when the manifest has no such row."""
    registry = _load(args)
    if registry is None:
        return 2
    row = registry.get(args.repo_id)
    if row is None:
        print(f"mlmeta: {args.manifest} has no row for {args.repo_id}", file=sys.stderr)
        return 1
    print(json.dumps(row, indent=2, ensure_ascii=False))
    return 0


def list_rows(args: argparse.Namespace) -> int:
    """`mlmeta manifest list --family PII --language de`: matching repo ids (or rows), in file order."""
    registry = _load(args)
    if registry is None:
        return 2
    filters = {name: getattr(args, name) for name in ("family", "task", "language", "tier")}
    filters["format"] = args.artifact_format
    for row in registry.filter(**filters):
        print(json.dumps(row, ensure_ascii=False, separators=(",", ":")) if args.rows else row["repo_id"])
    return 0
