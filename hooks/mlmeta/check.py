"""`mlmeta check`: route, read, validate and report every file; exit 0, 1 or 2."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from mlmeta import config as configuration
from mlmeta.engine import SPLIT_FILES, Engine, Options
from mlmeta.findings import Finding, printable
from mlmeta.reporters import writer
from mlmeta.rules import select_rules
from mlmeta.schemas import KINDS, kinds

if TYPE_CHECKING:
    from argparse import Namespace

    from mlmeta.history import Base


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
    if args.disable_formats:
        known.disabled_formats = frozenset(name.strip() for name in args.disable_formats.split(",") if name.strip())
    known.verify()
    route = known.parse(forced) if forced else None
    if route is not None:
        known.decide(route, None, None)  # a version the kind lacks is a usage error, not a finding per file
    options = Options(
        kind=route,
        select=select_rules(args.select.split(",")) if args.select else None,
        strict=args.strict,
        fix=args.fix,
        jobs=1 if args.fix else args.jobs or os.cpu_count() or 1,  # fixes are written by one process
    )
    engine = Engine(config, options)
    base = _base(args.base, root, engine)  # a revision that does not exist is a usage error, before any file
    given = _given(args.paths)
    if args.paths:  # `-` with nothing on stdin is no file, not the whole repository
        from mlmeta.files import expand

        paths = list(expand(given, config, engine.inside, force_exclude=not args.no_force_exclude))
    else:
        from mlmeta.files import routed

        paths = [root / name for name in routed(config)]
    across = _across(engine, paths, base, not args.paths)  # started here: git lists while the files are checked
    if options.jobs > 1 and len(paths) >= SPLIT_FILES:
        from mlmeta.jobs import files  # only here: a small check never imports multiprocessing

        every: Iterable[Iterable[Finding]] = [files(engine, paths, Engine.check)]
    else:
        every = (engine.check(path) for path in paths)
    locks = () if args.paths else (engine.locks(known.user),)  # the whole repository: every lock too
    # sorted by file and place: a JSONL file's last rows and a file's closing findings come in order
    found = sorted(chain(*locks, *every, across()), key=Finding.sort_key)
    if args.format == "text":
        from mlmeta.reporters.text import write

        write(found, sys.stdout, color=_color(args.color, sys.stdout))
    else:
        writer(args.format)(found, sys.stdout)
    if args.verbose and not args.quiet:
        for shown, why in engine.skipped:
            print(printable(f"{shown}: skipped: {why}"), file=sys.stderr)
    for finding in engine.fixed:  # a fixer that changed a file fails the hook, as pre-commit's fixers do
        print(finding.format(), file=sys.stdout if args.format == "text" else sys.stderr)
    if args.format == "text" and not args.quiet:
        print(summary(found, len(paths) - len(engine.skipped), len(engine.fixed)), file=sys.stderr)
    failed = any(f.severity == "error" or (args.strict and f.severity == "warning") for f in found)
    return 1 if (failed or engine.fixed) and not args.exit_zero else 0


def _base(ref: str | None, root: Path, engine: Engine) -> Base | None:
    """The revision history rules compare with: --base, or HEAD (the staged change) under pre-commit."""
    ref = ref or ("HEAD" if os.environ.get("PRE_COMMIT") else None)
    if not ref:
        return None  # no history module, no git: a check without a base pays nothing for it
    from mlmeta.history import RULES, Base

    return Base(root, ref) if any(engine.wants(rule) for rule in RULES) else None


def _across(engine: Engine, paths: list[Path], base: Base | None, everything: bool) -> Callable[[], Iterator[Finding]]:
    """What needs the repository or its history beside the checked files: path-case, then --base.

    For a few files git is started at once and read when the findings are asked for (a hook's
    run: git lists on one core while the files are checked on the other).
    """
    names = [name for name in (engine.display(path) for path in paths) if not name.startswith(("/", "../"))]
    listing: Callable[[], list[str]] | None = None
    if names and engine.wants("path-case"):
        from mlmeta.files import repository_files, same_names_started

        root = engine.config.root
        # the whole listing when the whole repository is checked; else only names like the checked ones
        listing = (lambda: repository_files(root)) if everything else same_names_started(root, names)

    def across() -> Iterator[Finding]:
        if listing is not None:
            from mlmeta.files import path_case

            yield from path_case(names, listing())
        if names and base is not None:
            from mlmeta.history import findings

            yield from findings(base, names, engine.kinds, engine.wants)

    return across


def summary(found: list[Finding], checked: int, fixed: int) -> str:
    """One line for the end of a text run, so that "all good" and "nothing was checked" read differently."""
    files = f"{checked} file{'s' if checked != 1 else ''}"
    if not checked and not found:
        return "mlmeta: no files checked: no route or $schema claims them (-v says why)"
    counts = {severity: sum(1 for f in found if f.severity == severity) for severity in ("error", "warning", "note")}
    said = [f"{n} {severity}{'s' if n != 1 else ''}" for severity, n in counts.items() if n]
    if fixed:
        said.append(f"{fixed} fixed")
    if not said:
        return f"mlmeta: {files} checked, no problems"
    with_problems = len({f.path for f in found})
    return f"mlmeta: {files} checked: {', '.join(said)} in {with_problems} file{'s' if with_problems != 1 else ''}"


def _given(paths: list[str]) -> list[str]:
    """The paths as given; `-` stands for names read from standard input, one a line or NUL-separated."""
    if "-" not in paths:
        return paths
    text = sys.stdin.read()
    names = text.split("\0") if "\0" in text else text.splitlines()
    read = [name for name in names if name.strip()]
    return [name for path in paths for name in (read if path == "-" else [path])]


def _color(choice: str, out: TextIO) -> bool:
    """--color auto: on a terminal, unless NO_COLOR is set (no-color.org)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False
