"""Start-up is a feature of a pre-commit hook: checking one JSON file loads only what it needs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import FIXTURES

NOT_FOR_ONE_JSON_FILE = ["ruamel", "huggingface_hub", "jsonschema", "mlmeta.reporters.json", "mlmeta.reporters.sarif",
                         "mlmeta.reporters.github", "mlmeta.rules.kitfile", "stdnum", "phonenumbers",
                         "rapidfuzz", "dask"]


def loaded_after(args: list[str], cwd: Path, before: str = "") -> set[str]:
    script = (
        f"import sys, json\n{before}from mlmeta.cli import main\ncode = main(json.loads(sys.argv[1]))\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, json.dumps(args)], cwd=cwd, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_one_manifest_file_loads_no_yaml_reporters_or_hub_code(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    rows = (FIXTURES / "manifest" / "valid" / "seed-rows.jsonl").read_text(encoding="utf-8")
    (tmp_path / "models.jsonl").write_text(rows, encoding="utf-8")
    modules = loaded_after(["check", "--jobs", "2", "models.jsonl"], tmp_path)
    assert "mlmeta.engine" in modules  # the check really ran
    unwanted = sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in NOT_FOR_ONE_JSON_FILE))
    assert unwanted == []
    assert not {"mlmeta.jobs", "multiprocessing", "concurrent.futures"} & modules  # a small file is not split


def test_a_split_manifest_loads_no_dask(tmp_path: Path) -> None:
    """mlmeta.partitions is the map and reduce a Dask graph runs, but `--jobs` drives it with a process pool."""
    (tmp_path / ".git").mkdir()
    rows = (FIXTURES / "manifest" / "valid" / "seed-rows.jsonl").read_text(encoding="utf-8")
    (tmp_path / "models.jsonl").write_text(rows, encoding="utf-8")
    split_any_size = "import mlmeta.engine\nmlmeta.engine.SPLIT_BYTES = 1\n"
    modules = loaded_after(["check", "--jobs", "2", "models.jsonl"], tmp_path, split_any_size)
    assert {"mlmeta.jobs", "mlmeta.partitions"} <= modules  # the file really was split
    assert not any(m == "dask" or m.startswith("dask.") for m in modules)


def test_a_kitfile_loads_yaml(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "data.yaml").write_text("a: 1\n", encoding="utf-8")
    modules = loaded_after(["check", "--kind", "kitfile", "data.yaml"], tmp_path)
    assert "ruamel.yaml" in modules


# what `mlmeta check` on a model file does not need: other commands' modules, tomllib when pyproject.toml
# has no [tool.mlmeta] table, shutil (argparse asks it for the terminal width), difflib and rapidfuzz
# (suggestions only), subprocess (git, which lists the dataset files a model's pretraining_data names, is
# started with posix_spawn), dataclasses (with inspect and ast, ~10 ms), the rows-seen tables and SQLite
# (manifests only), the PHI allowlist's code when there is no allowlist file, argparse (`check FILE...`,
# the umbrella hook's call, builds no parser), orjson (a JSON file is read by the standard library's),
# the history rules (no --base) and unicodedata (path-case folds ASCII names without it)
NOT_FOR_ONE_MODEL_FILE = ["tomllib", "shutil", "difflib", "rapidfuzz", "subprocess", "mlmeta.collect",
                          "mlmeta.manifest", "dataclasses", "mlmeta.rules.seen", "sqlite3",
                          "mlmeta.rules.phi.allowlist", "argparse", "gettext", "orjson",
                          "mlmeta.history", "unicodedata"]


def test_one_model_file_loads_no_toml_shutil_difflib_git_or_other_commands(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "catalog"\n', encoding="utf-8")
    (tmp_path / "model_metadata").mkdir()
    (tmp_path / "model_metadata" / "a.json").write_text('{"name": "a", "pretraining_data": ["c4"]}\n', encoding="utf-8")
    (tmp_path / "dataset_metadata").mkdir()
    (tmp_path / "dataset_metadata" / "c4.json").write_text('{"name": "c4"}\n', encoding="utf-8")
    if shutil.which("git") is not None:
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    modules = loaded_after(["check", "model_metadata/a.json"], tmp_path)  # the dataset files are listed
    assert "mlmeta.rules.references" in modules  # the model's rules really ran
    unwanted = sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in NOT_FOR_ONE_MODEL_FILE))
    assert unwanted == []


def test_a_mlmeta_table_is_read_however_its_key_is_spelled(tmp_path: Path) -> None:
    # the text is searched for `mlmeta` before tomllib is loaded: an escaped key must still be found
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool."\\u006dlmeta"]\nunknown = 1\n', encoding="utf-8")
    (tmp_path / "a.json").write_text("{}\n", encoding="utf-8")
    script = "import sys\nfrom mlmeta.cli import main\nsys.exit(main(['check', 'a.json']))\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (2, f"mlmeta: error: {tmp_path / 'pyproject.toml'}: unknown key(s) in "
                                                 "[tool.mlmeta]: unknown\n")
