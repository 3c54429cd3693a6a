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
