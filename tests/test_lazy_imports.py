"""Start-up is a feature of a pre-commit hook: checking one JSON file loads only what it needs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import FIXTURES

NOT_FOR_ONE_JSON_FILE = ["ruamel", "huggingface_hub", "jsonschema", "mlmeta.reporters.json", "mlmeta.reporters.sarif",
                         "mlmeta.reporters.github", "mlmeta.rules.kitfile", "stdnum", "phonenumbers"]


def loaded_after(args: list[str], cwd: Path) -> set[str]:
    script = (
        "import sys, json\nfrom mlmeta.cli import main\ncode = main(json.loads(sys.argv[1]))\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, json.dumps(args)], cwd=cwd, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_one_manifest_file_loads_no_yaml_reporters_or_hub_code(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    rows = (FIXTURES / "manifest" / "valid" / "seed-rows.jsonl").read_text(encoding="utf-8")
    (tmp_path / "models.jsonl").write_text(rows, encoding="utf-8")
    modules = loaded_after(["check", "models.jsonl"], tmp_path)
    assert "mlmeta.engine" in modules  # the check really ran
    unwanted = sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in NOT_FOR_ONE_JSON_FILE))
    assert unwanted == []


def test_a_kitfile_loads_yaml(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "data.yaml").write_text("a: 1\n", encoding="utf-8")
    modules = loaded_after(["check", "--kind", "kitfile", "data.yaml"], tmp_path)
    assert "ruamel.yaml" in modules
