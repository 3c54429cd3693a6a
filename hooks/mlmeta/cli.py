"""Argument parsing only; each command's work lives in its own module, imported when chosen."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from mlmeta import __version__

if TYPE_CHECKING:
    import argparse  # imported when a parser is built: `mlmeta check FILE...` needs none (_plain_check)

FORMATS = ("text", "json", "github", "sarif")


def _check(parser: argparse.ArgumentParser) -> None:
    from mlmeta.rules import BUILTIN, RULES
    from mlmeta.schemas import KINDS

    parser.add_argument(
        "paths", nargs="*", help="files or folders (default: every file a route claims); - reads names from stdin"
    )
    parser.add_argument(
        "--kind",
        metavar="KIND[@N]",
        help=f"validate every file as this kind (and version): {', '.join(KINDS)}, or a kind of your own",
    )
    parser.add_argument(
        "--schemafile", metavar="PATH", help="validate the files against this JSON Schema (PATH#/pointer: a part)"
    )
    parser.add_argument(
        "--disable-formats",
        metavar="FORMATS",
        help="in your own schemas, these `format`s only annotate (comma-separated, or '*' for every one)",
    )
    families = sorted({rule.split("-")[0] for rule in RULES if rule.startswith("phi-")})
    parser.add_argument(
        "--select",
        metavar="RULES",
        help=f"only these rule ids, comma-separated: {', '.join([*BUILTIN, *RULES, *families])}",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--config", metavar="PYPROJECT", help="read [tool.mlmeta] from this file")
    parser.add_argument(
        "--base",
        metavar="REF",
        help="compare each file with its version at this git revision (history rules; under pre-commit: HEAD)",
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.add_argument(
        "--fix", action="store_true", help="lower-case upper-case hex in hashes, in place (exit 1 when a file changed)"
    )
    parser.add_argument(
        "--jobs",
        type=_positive,
        metavar="N",
        help="share the work among N processes: 200 files or more, a large JSON Lines file's rows "
        "(default: the CPU count; --fix: 1)",
    )
    parser.add_argument(
        "--no-force-exclude",
        action="store_true",
        help="check files named on the command line even when [tool.mlmeta] exclude matches them",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="say which files were skipped and why")
    parser.add_argument("-q", "--quiet", action="store_true", help="print findings only: no summary line")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings (2 stays 2)")
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour severities (auto: on a terminal, unless NO_COLOR is set)",
    )


def _positive(text: str) -> int:
    import argparse

    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}")
    return number


def _modelkit(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    ref = actions.add_parser("ref", help="parse a ModelKit reference the way KitOps does (exit 1 if it is invalid)")
    ref.add_argument("reference", metavar="REF", help="[registry/]repository[:tag[,tag...]][@digest], or a digest")
    ref.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    id_ = actions.add_parser("id", help="print the ModelKitID: sha256 of the manifest's bytes as stored")
    id_.add_argument("manifest", metavar="MANIFEST", help="a ModelKit manifest JSON file")
    id_.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


def _phi(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    allow = actions.add_parser("allow", help="record that the value at PATH:POINTER is not PHI (after a person looked)")
    allow.add_argument("targets", nargs="+", metavar="PATH:POINTER", help="a file and the pointer a finding printed")
    allow.add_argument("--rule", help="only this rule's finding at that place (default: every phi rule there)")
    allow.add_argument("--line", type=int, help="in a JSON Lines file, the row on this line")
    allow.add_argument("--kind", metavar="KIND[@N]", help="read the file as this kind (and version)")
    allow.add_argument("--config", metavar="PYPROJECT", help="read [tool.mlmeta] from this file")


def _init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repo", help="the hook repository to pin (default: mlmeta's own)")
    parser.add_argument("--rev", help="the revision to pin (default: the installed version's tag)")
    parser.add_argument("--hook", action="append", metavar="ID", help="a hook to add, repeatable (default: mlmeta)")
    parser.add_argument("--pyproject", action="store_true", help="also write [tool.mlmeta] defaults to pyproject.toml")
    parser.add_argument("--no-vscode", action="store_true", help="leave .vscode/settings.json alone")
    parser.add_argument("--no-modeline", action="store_true", help="add no schema modeline to Kitfiles")
    parser.add_argument(
        "--schema-url",
        metavar="BASE",
        help="where editors find the schemas' <kind>/vN.draft7.json copies: a URL you host, or a folder "
        "(default: write copies to .mlmeta/schemas and point there)",
    )


def _schemas(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        nargs="?",
        choices=("lock", "export"),
        help="lock: write SHA256SUMS beside each versioned kind of your own; "
        "export: write draft-07 copies for editors into FOLDER (default: .mlmeta/schemas)",
    )
    parser.add_argument("folder", nargs="?", metavar="FOLDER", help="where `export` writes (or, with --check, checks)")
    parser.add_argument("--draft7", action="store_true", help="write the draft-07 copies and catalog.json")
    parser.add_argument("--force", action="store_true", help="lock: accept a changed released version")
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is out of date")
    parser.add_argument("--root", metavar="DIR", help="the schemas folder (default: ./schemas of this repository)")


def _taxonomy(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--paths", action="store_true", help="one path per line instead of the tree")
    parser.add_argument("--config", metavar="PYPROJECT", help="read [tool.mlmeta] from this file")


Arguments = Callable[["argparse.ArgumentParser"], None]

# command -> (how to parse its arguments, "module:function" that does the work, help); the arguments of
# a command whose module is big are "module:function" too, imported only when that command is chosen
COMMANDS: dict[str, tuple[Arguments | str, str, str]] = {
    "check": (_check, "mlmeta.check:run", "validate metadata files (the pre-commit hooks run this)"),
    "init": (_init, "mlmeta.init:run", "set up a repository: pre-commit hooks, editor schemas, Kitfile modelines"),
    "schemas": (_schemas, "mlmeta.schema_commands:run", "list the bundled schemas; generate their draft-07 copies"),
    "phi": (_phi, "mlmeta.rules.phi.command:run", "allow a reviewed false positive of the no-PHI rule"),
    "hash": (
        "mlmeta.manifest.hashing:arguments",
        "mlmeta.manifest.hashing:run",
        "compute provenance hashes; verify a manifest's",
    ),
    "taxonomy": (_taxonomy, "mlmeta.taxonomy:run", "print the dataset taxonomy, with this repository's extensions"),
    "modelkit": (_modelkit, "mlmeta.modelkit.commands:run", "parse ModelKit references, print ModelKitIDs"),
    "manifest": (
        "mlmeta.manifest.commands:manifest_arguments",
        "mlmeta.manifest.commands:run",
        "enrich, generate, show or list manifest rows",
    ),
    "migrate": (
        "mlmeta.manifest.commands:migrate_arguments",
        "mlmeta.manifest.migrate:run",
        "upgrade a manifest to a newer row schema, in place",
    ),
    "collect": (
        "mlmeta.collect.commands:collect_arguments",
        "mlmeta.collect.commands:run",
        "collect model metadata or leaderboard scores",
    ),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with a known `command`, only that command's (start-up time: a hook runs `check`)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="mlmeta", description="Validate ML model and dataset metadata.", formatter_class=_formatter
    )
    parser.add_argument("--version", action="version", version=f"mlmeta {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (arguments, _, help_text) in COMMANDS.items():
        if command not in COMMANDS or name == command:
            chosen = commands.add_parser(name, help=help_text, description=help_text, formatter_class=_formatter)
            _function(arguments)(chosen)
    return parser


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's own formatter, at the width shutil.get_terminal_size would give.

    argparse makes a formatter at every add_argument, and its default one imports shutil (with
    bz2, lzma and zlib) to ask the width: 3 ms of a hook's start-up for help that is rarely printed.
    """
    import argparse

    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (ValueError, OSError):  # closed, detached or not a terminal
            columns = 0
    return argparse.HelpFormatter(prog, width=(columns or 80) - 2)


def _plain_check(given: Sequence[str]) -> Any:
    """What argparse makes of `mlmeta check FILE...` (the umbrella hook's call: names, no option), without
    importing it and building the parser (~3 ms of a hook's start-up); None for any other command line.

    A name that starts with `-` (an option, `--`, `-1`) goes to argparse; a lone `-` (names on stdin)
    is a name there too. tests/test_cli.py holds the two to the same arguments.
    """
    if not given or given[0] != "check" or any(arg.startswith("-") and arg != "-" for arg in given[1:]):
        return None
    return SimpleNamespace(command="check", paths=list(given[1:]), **CHECK_DEFAULTS)


CHECK_DEFAULTS: dict[str, Any] = {
    "kind": None, "schemafile": None, "disable_formats": None, "select": None, "format": "text", "config": None,
    "base": None, "strict": False, "fix": False, "jobs": None, "no_force_exclude": False, "verbose": False,
    "quiet": False, "exit_zero": False, "color": "auto",
}  # fmt: skip


def _function(spec: Arguments | str) -> Any:
    if not isinstance(spec, str):
        return spec
    module, _, function = spec.partition(":")
    return getattr(import_module(module), function)


def main(argv: Sequence[str] | None = None) -> int:
    from mlmeta.config import ConfigError
    from mlmeta.schemas import RouteError

    given = sys.argv[1:] if argv is None else argv
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:  # started with it closed (`>&-`): what it would show goes nowhere
            setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115 - open for the rest of the process
        elif getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")  # a file name that is not UTF-8: \udce9, no traceback
    args = _plain_check(given)
    if args is None:
        parser = build_parser(next((arg for arg in given if not arg.startswith("-")), None))
        try:
            args = parser.parse_args(given)
        except SystemExit as exit_:
            return int(exit_.code or 0)
    try:
        result: int = _function(COMMANDS[args.command][1])(args)
        return result
    except (ConfigError, RouteError) as error:
        print(f"mlmeta: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:  # the system refused (a missing folder, a full disk, no permission): no bug to report
        where = f"{os.fsdecode(error.filename)}: " if error.filename else ""
        print(f"mlmeta: error: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    except Exception:  # a bug, not a finding: say so, exit 2
        import traceback  # not at start-up: only a bug needs it

        traceback.print_exc()
        print("mlmeta: internal error; please report it with the traceback above", file=sys.stderr)
        return 2


def run() -> None:
    """The `mlmeta` command: `main`, then out of the process without tearing the interpreter down.

    The console script only: `python -m mlmeta` may run under a profiler or a debugger, whose own
    end must still come.

    Once the report is written nothing is left to do, yet freeing every module, compiled schema
    and table one by one cost a one-file check ~6 ms (13 % of it) and a 100k-row one ~16 ms. What
    an exit owes is still done: atexit handlers run, standard output and error are flushed (a
    report that cannot be written is exit 2, as any write error). With another thread alive (a
    library's), or no way to run the handlers, the interpreter ends as usual.
    """
    import atexit

    code = main()
    threading = sys.modules.get("threading")  # not imported: no thread was started with it
    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_handlers is None or (threading is not None and threading.active_count() > 1):
        raise SystemExit(code)
    run_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader went away (`| head`) before the report: as main, exit 1, quietly
            code = code or 1
        except ValueError:  # closed
            pass
        except OSError as error:  # a full disk under a redirected report
            with contextlib.suppress(OSError, ValueError):
                os.write(2, f"mlmeta: error: cannot write the report: {error.strerror or error}\n".encode())
            code = 2
    os._exit(code)


if __name__ == "__main__":
    raise SystemExit(main())
