"""`mlmeta check`: route, read, validate and report every file; exit 0, 1 or 2."""

from __future__ import annotations

import sys
from argparse import Namespace
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from mlmeta import config as configuration
from mlmeta.engine import Engine, Options
from mlmeta.findings import Finding
from mlmeta.reporters import writer
from mlmeta.rules import select_rules
from mlmeta.schemas import KINDS, kinds


def run(args: Namespace) -> int:
    root = configuration.find_root(Path.cwd())
    config = configuration.load(root, Path(args.config) if args.config else None)
    forced = args.kind
    if args.schemafile:
        from mlmeta.user_kinds import add_schemafile

        if forced or not args.paths:
            raise configuration.ConfigError("--schemafile takes the files to check, and no --kind")
        forced = add_schemafile(config, args.schemafile, KINDS)
    known = kinds(config)  # a bad route or user kind is a usage error before any file is read
    known.verify()
    if args.disable_formats:
        known.disabled_formats = frozenset(name.strip() for name in args.disable_formats.split(",") if name.strip())
    options = Options(
        kind=known.parse(forced) if forced else None,
        select=select_rules(args.select.split(",")) if args.select else None,
        strict=args.strict,
        fix=args.fix,
    )
    engine = Engine(config, options)
    if args.paths:
        from mlmeta.files import expand

        paths = list(expand(args.paths, config, force_exclude=not args.no_force_exclude))
    else:
        from mlmeta.files import routed

        paths = [root / name for name in routed(config)]
    failed = False

    def findings() -> Iterator[Finding]:
        nonlocal failed
        every = (_findings(engine, path) for path in paths)
        locks = () if args.paths else (engine.locks(known.user),)  # the whole repository: every lock too
        for finding in chain(*locks, *every):
            failed = failed or finding.severity == "error" or (args.strict and finding.severity == "warning")
            yield finding

    writer(args.format)(findings(), sys.stdout)
    if args.verbose:
        for shown, why in engine.skipped:
            print(f"{shown}: skipped: {why}", file=sys.stderr)
    for finding in engine.fixed:  # a fixer that changed a file fails the hook, as pre-commit's fixers do
        print(finding.format(), file=sys.stdout if args.format == "text" else sys.stderr)
    return 1 if failed or engine.fixed else 0


def _findings(engine: Engine, path: Path) -> Iterator[Finding]:
    """A file's findings; a folder here is an OCI image layout (`files.expand` gives no other), checked blob by blob."""
    if path.is_dir():
        from mlmeta.modelkit.layout import check_layout

        return check_layout(path, engine)
    return engine.check(path)
