"""Arguments of `mlmeta manifest ...` and `mlmeta migrate` (argparse only; the work lives elsewhere).

`python -m mlmeta.manifest.enrich` builds its parser from the same `enrich_arguments`, so the two
spellings of the command cannot drift apart.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib import import_module

Arguments = Callable[[argparse.ArgumentParser], None]


def _config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="PYPROJECT", help="read [tool.mlmeta] from this file")


def enrich_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--manifest", required=True, metavar="JSONL", help="the manifest to enrich (models.jsonl)")
    parser.add_argument(
        "--results", required=True, metavar="JSON", help="measurements: a list, {'results': [...]}, or keyed by repo_id"
    )
    parser.add_argument("--output", required=True, metavar="JSONL", help="where to write (may be --manifest itself)")
    parser.add_argument(
        "--kind", metavar="manifest@N", help="validate merged rows as this manifest version (default: the file's route)"
    )
    _config(parser)


def generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", required=True, metavar="JSONL", help="the manifest to write (models.jsonl)")
    parser.add_argument(
        "--org", metavar="ORG", help="the Hub organisation (or, offline, the namespace of plain folders)"
    )
    parser.add_argument(
        "--snapshots", metavar="DIR", help="build offline from model snapshots here (Hub cache layout or plain folders)"
    )


def _manifest_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--manifest", default="models.jsonl", metavar="JSONL", help="the manifest to read (default: models.jsonl)"
    )


def show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo_id", metavar="REPO_ID", help="the row to print, e.g. OpenMed/OpenMed-PII-...")
    _manifest_file(parser)


def list_arguments(parser: argparse.ArgumentParser) -> None:
    for name, example in (("family", "PII"), ("task", "token-classification"), ("language", "de"), ("tier", "Small")):
        parser.add_argument(f"--{name}", metavar=name.upper(), help=f"only rows whose {name} is this (e.g. {example})")
    # not --format, which everywhere else chooses the output format
    parser.add_argument(
        "--artifact-format", metavar="FORMAT", help="only rows available in this artifact format (e.g. onnx)"
    )
    parser.add_argument("--rows", action="store_true", help="print whole rows as JSON Lines, not only repo ids")
    _manifest_file(parser)


# action -> (its arguments, "module:function" that does the work, help)
ACTIONS: dict[str, tuple[Arguments, str, str]] = {
    "enrich": (enrich_arguments, "mlmeta.manifest.enrich:run", "merge benchmark and device measurements into rows"),
    "generate": (generate_arguments, "mlmeta.manifest.generate:run", "build manifest rows from the Hub or snapshots"),
    "show": (show_arguments, "mlmeta.manifest.registry:show", "print one row of the manifest"),
    "list": (list_arguments, "mlmeta.manifest.registry:list_rows", "list the rows that match every filter given"),
}


def manifest_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, (arguments, _, help_text) in ACTIONS.items():
        arguments(actions.add_parser(name, help=help_text, description=help_text))


def run(args: argparse.Namespace) -> int:
    module, _, function = ACTIONS[args.action][1].partition(":")
    result: int = getattr(import_module(module), function)(args)
    return result


def migrate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="JSONL", help="manifests to upgrade in place")
    parser.add_argument("--to", required=True, type=int, metavar="N", help="the schema version to upgrade to")
    parser.add_argument(
        "--kind", metavar="manifest@N", help="the version the files follow now (default: their route, else v1)"
    )
    _config(parser)
