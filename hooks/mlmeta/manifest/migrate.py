"""`mlmeta migrate --to N FILE...`: upgrade manifests to a newer row schema, in place and atomically.

What a v1 row needs to become a v2 row: nothing it can be given. v2 keeps every v1 key with the
same meaning and only adds optional keys, so a row is rewritten only when it names its schema
(`"$schema": ".../manifest/v1.json"` becomes `.../v2.json`); every other row stays byte for byte.
Then each row is judged as `mlmeta check` would judge it under v1 and under v2: what v2 finds that
v1 did not blocks the migration (a problem the row already had is `mlmeta check`'s to report). v2's
one new obligation, `script_coverage` on a PII row, is a measurement of the tokenizer: it cannot
be derived from the row, so such rows are reported (rule `script-coverage`) and nothing is written.
A migrated file declares its new version through `[tool.mlmeta.routes]` (`"models.jsonl" =
"manifest@2"`); the command says so when the route does not.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlmeta.config import Config
from mlmeta.documents import finding_at
from mlmeta.findings import Finding
from mlmeta.schemas import Route, RouteError, parse_schema_ref

_VERSION_TAIL = re.compile(r"v(\d+)(\.json(?:#.*)?)\Z")


def _renamed_schema(row: dict[str, Any], kind: str, version: int) -> dict[str, Any]:
    """The row with a `$schema` that names `kind/v<version>` pointed at the next version; else the row itself."""
    ref = row.get("$schema")
    route = parse_schema_ref(ref) if isinstance(ref, str) else None
    if ref is None or route != Route(kind, version):
        return row
    assert isinstance(ref, str)
    return {**row, "$schema": _VERSION_TAIL.sub(lambda m: f"v{version + 1}{m.group(2)}", ref)}


def manifest_1_to_2(row: dict[str, Any]) -> dict[str, Any]:
    """v2 adds optional keys only: a v1 row is a v2 row once its own `$schema`, if any, says so."""
    return _renamed_schema(row, "manifest", 1)


# (kind, from version) -> the row upgrade to the next version
STEPS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {
    ("manifest", 1): manifest_1_to_2,
}


@dataclass
class Outcome:
    path: str
    source: int
    target: int
    findings: list[Finding] = field(default_factory=list)
    changed: int = 0
    unchanged: int = 0
    written: bool = False

    @property
    def failed(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


def migrate(path: Path, shown: str, source: int, target: int, config: Config) -> Outcome:
    from mlmeta.atomic import write_atomic
    from mlmeta.documents.json import parse_text
    from mlmeta.manifest.rows import judge, read_manifest, serialise
    from mlmeta.rules import Run

    outcome = Outcome(shown, source, target)
    lines, found = read_manifest(path, shown, source)
    outcome.findings.extend(found)
    if lines is None:
        return outcome
    run, before, after = Run(config), dict[str, dict[str, Any]](), dict[str, dict[str, Any]]()
    replacements: dict[int, bytes] = {}
    for line in lines:
        document = line.document
        if document is None or not document.ok:
            continue
        row = document.value
        for version in range(source, target):
            row = STEPS["manifest", version](row) if isinstance(row, dict) else row
        if row == document.value:
            outcome.unchanged += 1
            located = document
        else:
            outcome.changed += 1
            replacements[line.number] = serialise(row, document, line.ending)
            located = parse_text(replacements[line.number].decode("utf-8"), shown, line.number)
        # what the new version demands that the old did not: a problem the row already had is `check`'s
        had = {(p.pointer, p.rule, p.message) for p in judge(document.value, document, path, source, run, before)}
        problems = judge(row, located, path, target, run, after)
        new = (p for p in problems if (p.pointer, p.rule, p.message) not in had)
        outcome.findings.extend(finding_at(located, problem, "manifest", target) for problem in new)
    outcome.findings.sort(key=Finding.sort_key)
    if not outcome.failed and replacements:
        write_atomic(path, (replacements.get(line.number, line.raw) for line in lines))
        outcome.written = True
    return outcome


def run(args: argparse.Namespace) -> int:
    from mlmeta.config import discover
    from mlmeta.engine import Engine
    from mlmeta.manifest.rows import forced_manifest, manifest_version
    from mlmeta.reporters import writer
    from mlmeta.schemas import configured_route, versions

    config = discover(args.config)
    forced = forced_manifest(args.kind)
    if args.to not in versions("manifest"):
        have = ", ".join(str(v) for v in versions("manifest"))
        raise RouteError(f"manifest has no schema v{args.to} to migrate to (bundled: {have})")
    display = Engine(config).display
    failed = False
    for name in args.paths:
        path = Path(name)
        shown = display(path)
        configured = configured_route(shown, config)
        version = manifest_version(configured, forced)
        if version > args.to:
            raise RouteError(f"{shown} follows manifest v{version}; migrate only upgrades (--to {args.to})")
        if version == args.to:
            print(f"{shown}: already manifest/v{args.to}; nothing to do")
            continue
        outcome = migrate(path, shown, version, args.to, config)
        writer("text")(outcome.findings, sys.stdout)
        if outcome.failed:
            failed = True
            print(f"mlmeta: {shown} not migrated: fix the rows above, then migrate again", file=sys.stderr)
            continue
        print(
            f"{shown}: manifest/v{version} -> v{args.to}: {outcome.changed} row(s) rewritten, "
            f"{outcome.unchanged} unchanged"
        )
        if configured is None or configured.version != args.to:
            print(f'{shown}: declare it: [tool.mlmeta.routes] "{shown}" = "manifest@{args.to}" in pyproject.toml')
    return 1 if failed else 0
