"""Arguments of `mlmeta collect model|scores` (argparse only), and the hand-over to the work."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlmeta.collect.facts import ModelFacts


def _model(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the Hub model id, e.g. openai-community/gpt2")
    parser.add_argument(
        "--snapshot", metavar="DIR", help="read a local snapshot instead of the Hub (Hub cache, local_dir, clone)"
    )
    parser.add_argument("--output-dir", default="model_metadata", metavar="DIR", help="default: model_metadata")
    parser.add_argument(
        "--force", action="store_true", help="replace an existing file (default: merge, keeping fields not collected)"
    )


def _scores(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the Hub model id the result files name")
    parser.add_argument(
        "--from", dest="source_dir", required=True, metavar="DIR", help="a folder of leaderboard results_*.json files"
    )
    parser.add_argument("--output-dir", default="model_scores", metavar="DIR", help="default: model_scores")
    parser.add_argument(
        "--source", metavar="TEXT", help="also record where the scores come from (a label or URL); default: not written"
    )


def collect_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="WHAT")
    _model(actions.add_parser("model", help="model metadata from the Hub or a snapshot"))
    _scores(actions.add_parser("scores", help="leaderboard scores from result files, into a results file"))


def run(args: argparse.Namespace) -> int:
    from mlmeta.collect.facts import CollectError
    from mlmeta.collect.model import file_name
    from mlmeta.collect.output import merged, schema_ref, write
    from mlmeta.config import discover

    config = discover()
    folder = Path(args.output_dir)
    if "/" not in args.name:
        print(f"mlmeta: error: {args.name!r} is not a Hub id (ORG/NAME)", file=sys.stderr)
        return 2
    target = folder / file_name(args.name)
    try:
        if args.action == "model":
            from mlmeta.collect import model

            facts = _model_facts(args)
            value = model.document(facts, schema_ref("model", folder, config))
            return write(value if args.force else merged(target, value), target, "model", config)
        from mlmeta.collect import scores

        value = scores.collect(args.name, Path(args.source_dir), args.source, schema_ref("results", folder, config))
        return write(value, target, "results", config)
    except CollectError as error:
        print(f"mlmeta: error: {error}", file=sys.stderr)
        return 1


def _model_facts(args: argparse.Namespace) -> ModelFacts:
    from mlmeta.collect.facts import CollectError, from_snapshot, hub_facts, offline
    from mlmeta.collect.snapshots import CACHE_PREFIX, SEPARATOR, SnapshotError, default_cache, snapshot_at

    folder = Path(args.snapshot) if args.snapshot else None
    if folder is None and offline():  # HF_HUB_OFFLINE: the model's folder in the local Hub cache
        folder = default_cache() / (CACHE_PREFIX + args.name.replace("/", SEPARATOR))
    if folder is None:
        return hub_facts(args.name)
    try:
        return from_snapshot(snapshot_at(folder), args.name)
    except SnapshotError as error:
        raise CollectError(str(error)) from error
