"""Writing a collected JSON file: judged like `mlmeta check` would judge it, then written atomically."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from mlmeta.config import Config


def schema_ref(kind: str, folder: Path, config: Config) -> str:
    """`$schema` for a file in `folder`: the relative path to the repository's bundled copy, else the schema's id."""
    from mlmeta.schemas import schema_id

    local = config.root / "schemas" / kind / "v1.json"
    if local.is_file():
        return Path(os.path.relpath(local, folder.resolve())).as_posix()
    return schema_id(kind, 1)


def merged(path: Path, collected: dict[str, Any]) -> dict[str, Any]:
    """The collected value over the file already at `path`: collected facts update it, its other fields stay.

    A fact the collector could not tell (null) leaves the written value alone. A file that cannot be
    read as a JSON object is a CollectError: `--force` replaces it.
    """
    from mlmeta.collect.facts import CollectError, unicode_only
    from mlmeta.openers import read_regular

    try:
        text = read_regular(path).decode("utf-8-sig")
        old = unicode_only(json.loads(text), text)
    except FileNotFoundError:
        return collected
    except (OSError, ValueError, RecursionError) as error:
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
        else:  # a plain ValueError says what (a lone surrogate, an integer too long); its subclasses: not JSON
            reason = str(error) if type(error) is ValueError else "not JSON"
        raise CollectError(f"{path}: cannot keep its fields ({reason}); fix it, or --force to replace it") from error
    if not isinstance(old, dict):
        raise CollectError(f"{path}: cannot keep its fields (not a JSON object); fix it, or --force to replace it")
    return _merge(old, collected)


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    result = dict(old)  # the file's key order; new keys go last
    for key, value in new.items():
        if value is None and key in old:
            continue
        mine = old.get(key)
        result[key] = _merge(mine, value) if isinstance(mine, dict) and isinstance(value, dict) else value
    return result


def write(value: dict[str, Any], path: Path, kind: str, config: Config) -> int:
    """Print the findings and write nothing when the value breaks its schema or rules; else write it. Exit code."""
    from mlmeta.atomic import write_atomic
    from mlmeta.documents.json import parse_text
    from mlmeta.engine import Engine
    from mlmeta.manifest.rows import judged
    from mlmeta.reporters import writer
    from mlmeta.rules import Run

    text = json.dumps(value, indent=4, ensure_ascii=False) + "\n"
    document = parse_text(text, Engine(config).display(path))
    findings = judged(value, document, path, 1, Run(config), {}, kind)
    writer("text")(findings, sys.stdout)
    if any(f.severity == "error" for f in findings):
        print(f"mlmeta: nothing written to {document.path}: the collected file above is not valid", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, [text.encode("utf-8")])
    print(f"wrote {document.path}")
    return 0
