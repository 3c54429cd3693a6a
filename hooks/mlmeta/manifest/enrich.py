"""`mlmeta manifest enrich`: merge benchmark and device measurements into manifest rows.

A row with no measurement is written byte for byte as read. A measured row keeps its key order:
measured keys replace the old values where they stand, new keys go last, and the merged row must
pass its schema and rules. Nothing is written when anything is wrong (a measurements file that
fails its own check, the no-PHI rules included; a measurement for a row the manifest lacks; two
rows for one measured `repo_id`; a merged row that breaks the schema): every problem is reported
at its file and line instead. The output is replaced atomically, so it may be the manifest itself.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlmeta.config import Config
from mlmeta.documents import finding_at
from mlmeta.findings import Finding, Problem
from mlmeta.manifest.rows import Line, forced_manifest, judged, manifest_version, read_manifest, serialise
from mlmeta.schemas import Route, configured_route

MEASUREMENTS = Route("measurements")  # the version comes from the file's `$schema`, else v1


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    enriched: int = 0  # rows whose bytes changed
    unchanged: int = 0  # measured rows that already held the measured values
    passed: int = 0  # rows with no measurement, written as read

    @property
    def failed(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


@dataclass
class Measurement:
    pointer: str
    record: dict[str, Any]
    keyed: bool  # the object-keyed-by-repo_id shape: the repo_id is a key, not a value


def enrich(manifest: Path, results: Path, output: Path, config: Config, forced: Route | None = None) -> Outcome:
    from mlmeta.engine import Engine, Options

    engine = Engine(config, Options(kind=MEASUREMENTS))
    outcome = Outcome(list(engine.check(results)))
    measured, document = _measurements(results, engine.display(results))
    shown = engine.display(manifest)
    version = manifest_version(configured_route(shown, config), forced)
    lines, found = read_manifest(manifest, shown, version)
    outcome.findings.extend(found)
    if lines is None:
        return outcome
    # rows are merged only from a sound measurements file: its own findings already say what is wrong
    sound = not outcome.failed
    replacements = dict(_merge(lines, measured, manifest, version, config, outcome, sound))
    if document is not None:
        outcome.findings.extend(_unmatched(measured, lines, document))
    outcome.findings.sort(key=Finding.sort_key)
    if not outcome.failed:
        from mlmeta.atomic import write_atomic

        write_atomic(output, (replacements.get(line.number, line.raw) for line in lines))
    return outcome


def _measurements(path: Path, shown: str) -> tuple[dict[str, Measurement], Any]:
    """Measurements by repo_id (the first of duplicates: the check reports the rest), and the document."""
    from mlmeta.documents import read
    from mlmeta.manifest.measurements import records

    document = next(iter(read(path, "json", shown)))
    if not document.ok:
        return {}, None
    keyed = isinstance(document.value, dict) and "results" not in document.value
    found: dict[str, Measurement] = {}
    for pointer, record in records(document.value):
        repo_id = record.get("repo_id")
        if isinstance(repo_id, str) and repo_id not in found:
            found[repo_id] = Measurement(pointer, record, keyed)
    return found, document


def _merge(
    lines: list[Line],
    measured: dict[str, Measurement],
    path: Path,
    version: int,
    config: Config,
    outcome: Outcome,
    sound: bool,
) -> Iterator[tuple[int, bytes]]:
    """(line number, new bytes) for each row a measurement changes; counts and findings into `outcome`."""
    from mlmeta.documents.json import parse_text
    from mlmeta.rules import Run

    run = Run(config)
    state: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for line in lines:
        document = line.document
        row = document.value if document is not None and document.ok else None
        repo_id = row.get("repo_id") if isinstance(row, dict) else None
        if document is None or not isinstance(repo_id, str) or repo_id not in measured:
            outcome.passed += document is not None
            continue
        if repo_id in seen:
            message = f"a measured repo_id must name one row; the row on line {seen[repo_id]} has it too"
            outcome.findings.append(
                finding_at(document, Problem("/repo_id", "duplicate-row", message), "manifest", version)
            )
            continue
        seen[repo_id] = line.number
        if not sound:
            continue
        assert isinstance(row, dict)
        merged = dict(row)
        merged.update((key, value) for key, value in measured[repo_id].record.items() if key != "repo_id")
        if merged == row:
            outcome.unchanged += 1
            continue
        new = serialise(merged, document, line.ending)
        located = parse_text(new.decode("utf-8"), document.path, line.number)
        outcome.findings.extend(judged(merged, located, path, version, run, state))
        outcome.enriched += 1
        yield line.number, new


def _unmatched(measured: dict[str, Measurement], lines: list[Line], document: Any) -> Iterator[Finding]:
    """A measurement for a repo_id no row of the manifest has."""
    present = {
        line.document.value.get("repo_id")
        for line in lines
        if line.document is not None and line.document.ok and isinstance(line.document.value, dict)
    }
    for repo_id, measurement in measured.items():
        if repo_id in present:
            continue
        pointer = measurement.pointer if measurement.keyed else f"{measurement.pointer}/repo_id"
        message = "no row of the manifest has this repo_id"
        yield finding_at(
            document, Problem(pointer, "unmatched-measurement", message, on_key=measurement.keyed), "measurements", 1
        )


def run(args: argparse.Namespace) -> int:
    from mlmeta.config import discover
    from mlmeta.reporters import writer

    config = discover(args.config)
    forced = forced_manifest(args.kind)
    outcome = enrich(Path(args.manifest), Path(args.results), Path(args.output), config, forced)
    writer("text")(outcome.findings, sys.stdout)
    if outcome.failed:
        print(f"mlmeta: nothing written to {args.output}: fix the problems above", file=sys.stderr)
        return 1
    print(
        f"{args.output}: {outcome.enriched} row(s) enriched, {outcome.unchanged} already up to date, "
        f"{outcome.passed} passed through unchanged"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m mlmeta.manifest.enrich`: `mlmeta manifest enrich` itself, same flags, same exit codes."""
    from mlmeta.cli import main as mlmeta

    return mlmeta(["manifest", "enrich", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(main())
