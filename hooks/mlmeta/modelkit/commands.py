"""`mlmeta modelkit ref REF` and `mlmeta modelkit id MANIFEST`."""

from __future__ import annotations

import hashlib
import json
import sys
from argparse import Namespace
from pathlib import Path

from mlmeta.documents import finding_at
from mlmeta.findings import Finding


def run(args: Namespace) -> int:
    return reference(args) if args.action == "ref" else modelkit_id(args)


def reference(args: Namespace) -> int:
    """The parts of a reference, or a finding that names the component KitOps would refuse (exit 1)."""
    from mlmeta.modelkit.reference import ReferenceError, parse

    try:
        parsed = parse(args.reference)
    except ReferenceError as error:
        shown = args.reference or '""'
        pointer = f"/{error.component}"
        finding = Finding(shown, 1, error.column, pointer, None, None, "modelkit-ref", "error", str(error))
        _report([finding], args.format)
        return 1
    if args.format == "json":
        json.dump(parsed.as_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for name, value in (
            ("registry", parsed.registry),
            ("repository", parsed.repository),
            ("reference", parsed.reference),
            ("tag", parsed.tag),
            ("digest", parsed.digest),
            ("extra tags", ", ".join(parsed.extra_tags) or None),
        ):
            print(f"{name + ':':<12}{value if value is not None else '-'}")
    return 0


def modelkit_id(args: Namespace) -> int:
    """`sha256:` + the SHA-256 of the manifest's bytes exactly as stored; a file that is no JSON object is a finding."""
    from mlmeta.documents import read
    from mlmeta.openers import read_regular

    path = Path(args.manifest)
    try:
        raw = read_regular(path)  # hashed as read, and parsed from the same bytes
    except OSError as error:
        message = f"cannot read file: {error.strerror or error}"
        _report([Finding(args.manifest, 1, 1, "", None, None, "read", "error", message)], args.format)
        return 1
    document = next(iter(read(path, "json", args.manifest, raw=raw)))
    problems = [finding_at(document, problem, None, None, where) for problem, where in document.problems]
    if not problems and not isinstance(document.value, dict):
        problems.append(Finding(args.manifest, 1, 1, "", None, None, "parse", "error", "a manifest is a JSON object"))
    if problems:
        _report(problems, args.format)
        return 1
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    if args.format == "json":
        print(json.dumps({"path": args.manifest, "modelkit_id": digest}))
    else:
        print(digest)
    return 0


def _report(findings: list[Finding], fmt: str) -> None:
    from mlmeta.reporters import writer

    writer(fmt)(findings, sys.stdout)
