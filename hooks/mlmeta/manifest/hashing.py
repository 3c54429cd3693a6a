"""`mlmeta hash`: compute a provenance hash, or verify a manifest's hashes against local snapshots.

    mlmeta hash --repo-id ORG/NAME --sha COMMIT --released YYYY-MM-DD --files a.json b.bin ...
    mlmeta hash SNAPSHOT_DIR [--released YYYY-MM-DD]
    mlmeta hash --verify models.jsonl [--snapshots DIR]

Only argument parsing happens at import; the work is imported when the command runs.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from mlmeta.collect.snapshots import Snapshot
    from mlmeta.findings import Finding

NULL = "null"  # --sha null / --released null: hash the JSON null, as OpenMed does when the Hub gives none
DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class UsageError(Exception):
    """Arguments that cannot give a hash: exit 2."""


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "snapshot", nargs="?", metavar="SNAPSHOT_DIR", help="a local model snapshot (Hub cache, local_dir or clone)"
    )
    parser.add_argument("--repo-id", metavar="ORG/NAME", help="the Hub model id (default: from the snapshot's layout)")
    parser.add_argument("--sha", metavar="COMMIT", help="the Hub commit (default: from the snapshot), or null")
    parser.add_argument("--released", metavar="YYYY-MM-DD", help="the day of the last commit, or null (default: git's)")
    parser.add_argument("--files", nargs="+", metavar="NAME", help="the repository's file names, instead of a snapshot")
    parser.add_argument("--revision", metavar="COMMIT", help="which cached revision of a `models--ORG--NAME` folder")
    parser.add_argument("--verify", metavar="MANIFEST", help="recompute every row's hash whose snapshot is present")
    parser.add_argument(
        "--snapshots", metavar="DIR", help="where --verify looks for snapshots (default: the Hub cache)"
    )
    parser.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text", help="--verify output")


def run(args: argparse.Namespace) -> int:
    try:
        if args.verify:
            return verify(args)
        print(compute(args))
        return 0
    except UsageError as error:
        print(f"mlmeta hash: error: {error}", file=sys.stderr)
        return 2


def compute(args: argparse.Namespace) -> str:
    from mlmeta.manifest.provenance import provenance_hash

    if args.snapshots:
        raise UsageError("--snapshots goes with --verify")
    if args.snapshot and args.files:
        raise UsageError("give a snapshot folder or --files, not both")
    if not args.snapshot and not args.files:
        raise UsageError("give a snapshot folder, or --repo-id, --sha, --released and --files")
    repo_id, sha, released = args.repo_id, _nullable(args.sha), _nullable(args.released)
    files: list[str] = list(args.files or [])
    if args.snapshot:
        snapshot = _snapshot(args.snapshot, args.revision)
        repo_id = repo_id or snapshot.repo_id
        sha = sha if args.sha else snapshot.sha
        released = released if args.released else snapshot.released()
        files = snapshot.files()
        if sha is None and not args.sha:
            raise UsageError(f"{args.snapshot}: the commit is not recorded in this folder: give --sha")
        if released is None and not args.released:
            raise UsageError(
                f"{args.snapshot}: the release date is not recorded in a {snapshot.layout} snapshot: "
                "give --released YYYY-MM-DD (the Hub's lastModified day) or --released null"
            )
    else:
        for option, value in (("--repo-id", args.repo_id), ("--sha", args.sha), ("--released", args.released)):
            if value is None:
                raise UsageError(f"{option} is required with --files")
    if not repo_id:
        raise UsageError(f"{args.snapshot}: the Hub id is not recorded in this folder: give --repo-id")
    if released is not None and not DATE.match(released):
        raise UsageError("--released is a day, YYYY-MM-DD, or null")
    return provenance_hash(repo_id, sha, released, files)


def verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from mlmeta.collect.snapshots import default_cache, find_snapshots
    from mlmeta.reporters import writer

    if args.snapshot or args.files:
        raise UsageError("--verify reads the manifest's rows: give no snapshot folder or --files")
    folder = Path(args.snapshots) if args.snapshots else default_cache()
    manifest = Path(args.verify)
    if not manifest.is_file():
        raise UsageError(f"{manifest}: no such file")
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder of snapshots")
    index: dict[str, list[Snapshot]] = {}
    for snapshot in find_snapshots(folder):
        if snapshot.repo_id and snapshot.sha:
            index.setdefault(snapshot.repo_id, []).append(snapshot)
    if not index:
        raise UsageError(f"{folder}: no model snapshot with a known id and commit here")
    counts = {"verified": 0, "disagree": 0, "absent": 0}
    findings = list(_disagreements(manifest, index, counts))
    writer(args.format)(findings, sys.stdout)
    print(
        f"mlmeta hash: {counts['verified']} row(s) match their snapshot, {counts['disagree']} disagree, "
        f"{counts['absent']} have no snapshot under {folder}",
        file=sys.stderr,
    )
    return 1 if findings else 0


def _disagreements(manifest: Path, index: dict[str, list[Snapshot]], counts: dict[str, int]) -> Iterator[Finding]:
    from mlmeta.documents import read
    from mlmeta.findings import Finding
    from mlmeta.manifest.provenance import provenance_hash
    from mlmeta.schemas import parse_schema_ref

    listings: dict[Path, list[str]] = {}  # a snapshot's files, listed once even if two rows name it
    for row in read(manifest, "jsonl", manifest.as_posix()):
        value = row.value
        if not row.ok or not isinstance(value, dict) or not isinstance(value.get("repo_id"), str):
            continue  # `mlmeta check` reports rows that are not rows
        stated, released = value.get("reproducibility_hash"), value.get("released")
        snapshots = index.get(value["repo_id"], [])
        if not snapshots or not isinstance(stated, str) or not (released is None or isinstance(released, str)):
            counts["absent"] += 1
            continue
        computed = {}
        for snapshot in snapshots:
            if snapshot.path not in listings:
                listings[snapshot.path] = snapshot.files()
            computed[snapshot.sha] = provenance_hash(value["repo_id"], snapshot.sha, released, listings[snapshot.path])
        if stated in computed.values():
            counts["verified"] += 1
            continue
        counts["disagree"] += 1
        revisions = ", ".join(str(sha)[:12] for sha in computed)
        message = (
            f"reproducibility_hash does not match the snapshot{'s' if len(computed) > 1 else ''} at {revisions}: "
            "the row was made from another commit, other files or another release day"
        )
        line, column = row.locator.locate("/reproducibility_hash")
        declared = parse_schema_ref(value["$schema"]) if isinstance(value.get("$schema"), str) else None
        version = declared.version if declared and declared.kind == "manifest" else 1
        yield Finding(
            row.path, line, column, "/reproducibility_hash", "manifest", version, "hash-verify", "error", message
        )


def _snapshot(folder: str, revision: str | None) -> Snapshot:
    from pathlib import Path

    from mlmeta.collect.snapshots import SnapshotError, snapshot_at

    try:
        return snapshot_at(Path(folder), revision)
    except SnapshotError as error:
        raise UsageError(str(error)) from error


def _nullable(value: str | None) -> str | None:
    return None if value is None or value == NULL else value
