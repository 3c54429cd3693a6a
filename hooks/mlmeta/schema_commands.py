"""`mlmeta schemas`: list the schemas, lock your own kinds' versions, write the copies editors read."""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path

from mlmeta.config import Config


def lock(config: Config, force: bool = False) -> int:
    """`mlmeta schemas lock`: SHA256SUMS beside each versioned user kind's schemas, every version released."""
    from mlmeta.schemas import kinds

    known = kinds(config)
    if not known.user:
        print("mlmeta: error: no kinds of your own to lock ([tool.mlmeta.kinds.<name>])", file=sys.stderr)
        return 2
    known.verify()
    for name in known.user:
        written = known.write_lock(name, force)
        versions = ", ".join(f"v{v}" for v in known.versions(name))
        print(f"{name}: locked {versions} in {written}" if written else f"{name}: one schema file, no versions to lock")
    return 0


def run(args: Namespace) -> int:
    """`mlmeta schemas`: list the schemas; `lock` locks the user kinds'; `export` writes copies for editors;
    `--draft7` writes the generated files."""
    from mlmeta.config import discover
    from mlmeta.editors import Draft7Error, generated, sources
    from mlmeta.export import EXPORT_DIR, exported, refresh, user_draft7
    from mlmeta.schemas import kinds, schema_root

    config = discover()
    if args.folder is not None and args.action != "export":
        print("mlmeta: error: only `mlmeta schemas export` takes a folder", file=sys.stderr)
        return 2
    if args.action == "lock":
        return lock(config, args.force)
    if args.action == "export":
        folder = Path(args.folder) if args.folder else config.root / EXPORT_DIR
        return refresh(exported(folder), args.check, f"mlmeta schemas export {args.folder or EXPORT_DIR}")
    if not (args.draft7 or args.check):
        for kind, version, schema in sources(schema_root()):
            print(f"{kind}/v{version}: {schema.get('title', '')}")
        known = kinds(config)
        for name in known.user:
            for version in known.versions(name):
                print(f"{name}/v{version}: {known.schema_file(name, version)}")
        return 0
    root = Path(args.root) if args.root else config.root / "schemas"
    bundled = root.is_dir() and bool(sources(root))  # mlmeta's own schemas folder (ours, or a fork's)
    try:
        files = generated(root) if bundled else {}
        own = user_draft7(config)
        files.update(own)
        # a consumer repository's copies (`mlmeta init`): checked when there, written when a copy above names one
        if (config.root / EXPORT_DIR).is_dir() or any(EXPORT_DIR in text for text in own.values()):
            files.update(exported(config.root / EXPORT_DIR))
        if not files:
            print(f"mlmeta: error: {root}: no mlmeta schemas, and no kinds of your own (give --root)", file=sys.stderr)
            return 2
    except Draft7Error as error:
        print(f"mlmeta: error: {error}", file=sys.stderr)
        return 2
    return refresh(files, args.check, "mlmeta schemas --draft7")
