"""`mlmeta check`: route, read, validate and report every file; exit 0, 1 or 2."""

from __future__ import annotations

import sys
from argparse import Namespace
from collections.abc import Iterator
from pathlib import Path

from mlmeta import config as configuration
from mlmeta.engine import Engine, Options
from mlmeta.findings import Finding, printable
from mlmeta.reporters import writer
from mlmeta.rules import select_rules
from mlmeta.schemas import Route


def run(args: Namespace) -> int:
    root = configuration.find_root(Path.cwd())
    config = configuration.load(root, Path(args.config) if args.config else None)
    for target in config.routes.values():
        Route.parse(target)  # a bad route is a usage error before any file is read
    options = Options(
        kind=Route.parse(args.kind) if args.kind else None,
        select=select_rules(args.select.split(",")) if args.select else None,
        strict=args.strict,
        fix=args.fix,
    )
    engine = Engine(config, options)
    if args.paths:
        from mlmeta.files import expand

        paths = list(expand(args.paths, config))
    else:
        from mlmeta.files import routed

        paths = [root / name for name in routed(config)]
    failed = False

    def findings() -> Iterator[Finding]:
        nonlocal failed
        for path in paths:
            for finding in engine.check(path):
                failed = failed or finding.severity == "error" or (args.strict and finding.severity == "warning")
                yield finding

    writer(args.format)(findings(), sys.stdout)
    if args.verbose:
        for shown, why in engine.skipped:
            print(printable(f"{shown}: skipped: {why}"), file=sys.stderr)
    for finding in engine.fixed:  # a fixer that changed a file fails the hook, as pre-commit's fixers do
        print(finding.format(), file=sys.stdout if args.format == "text" else sys.stderr)
    return 1 if failed or engine.fixed else 0
