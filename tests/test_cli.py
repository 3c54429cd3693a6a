"""`mlmeta check` end to end: routing, output formats, exit codes, and bad input as findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import FIXTURES, ROOT, realworld
from .helpers import run

ROW = (FIXTURES / "manifest" / "valid" / "seed-rows.jsonl").read_text(encoding="utf-8").splitlines()[0]

GPT2_BROKEN = """{
  "$schema": "../schemas/model/v1.json",
  "id": "openai-community/gpt2",
  "num_heads": "twelve",
  "num_layers": 12,
  "dimension": 768
}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_hand_broken_model_file_text_and_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "model_metadata" / "gpt2.json", GPT2_BROKEN)
    code, out, _ = run(capsys, "check", "model_metadata/gpt2.json")
    assert code == 1
    assert out == (
        "model_metadata/gpt2.json:4:16: error model/v1 schema: expected integer or null, got string (at /num_heads)\n"
    )
    code, out, _ = run(capsys, "check", "--format", "json", "model_metadata/gpt2.json")
    assert code == 1
    assert json.loads(out) == [
        {
            "path": "model_metadata/gpt2.json",
            "line": 4,
            "column": 16,
            "pointer": "/num_heads",
            "kind": "model",
            "schema_version": 1,
            "rule": "schema",
            "severity": "error",
            "message": "expected integer or null, got string",
        }
    ]


def test_a_file_that_is_not_json_is_a_parse_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "model_metadata" / "notes.json", "this is not JSON\n")
    code, out, err = run(capsys, "check", "model_metadata/notes.json")
    assert (code, err) == (1, "mlmeta: 1 file checked: 1 error in 1 file\n")
    assert out == "model_metadata/notes.json:1:1: error model/v1 parse: not valid JSON: Expecting value\n"


def test_every_file_is_checked_after_a_bad_one(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "a" / "models.jsonl", "{oops\n")
    write(repo / "b" / "models.jsonl", ROW.replace('"tier":"Tiny"', '"tier":7') + "\n")
    write(repo / "c" / "models.jsonl", ROW + "\n")
    code, out, _ = run(capsys, "check", "a/models.jsonl", "missing.jsonl", "b/models.jsonl", "c/models.jsonl")
    assert code == 1
    lines = out.splitlines()
    assert [line.split(": ")[0] for line in lines] == [  # sorted by file
        "a/models.jsonl:1:2",
        "b/models.jsonl:1:122",
        "missing.jsonl:1:1",
    ]
    assert "read: cannot read file" in lines[2]


def test_no_paths_checks_what_the_routes_claim(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "models.jsonl", ROW + "\n")
    write(repo / "notes" / "other.json", "not json, but no route claims it")
    write(repo / "tests" / "fixtures" / "models.jsonl", "{broken")
    write(repo / "pyproject.toml", '[tool.mlmeta]\nexclude = ["tests/fixtures/**"]\n')
    assert run(capsys, "check") == (0, "", "mlmeta: 1 file checked, no problems\n")
    code, _, err = run(capsys, "check", "-v", "notes/other.json")
    assert code == 0 and err.startswith("notes/other.json: skipped: no route claims it\nmlmeta: no files checked")


def test_schema_routes_by_relative_path_or_id_and_unknown_versions(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = '{"repo_id": "OpenMed/x", "recommended_tier": "tablet"}'
    for name, ref in (
        ("rel.json", "../schemas/measurements/v1.json"),
        ("id.json", "https://mlmeta.dev/schemas/measurements/v1.json"),
    ):
        write(repo / "results" / name, f'{{"$schema": "{ref}", "results": [{record}]}}')
    write(repo / "results" / "v9.json", '{"$schema": "../schemas/measurements/v9.json", "results": []}')
    code, out, _ = run(capsys, "check", "results/id.json", "results/rel.json", "results/v9.json")
    assert code == 1
    assert out.splitlines() == [
        "results/id.json:1:121: error measurements/v1 schema: must be one of: 'phone', 'laptop', 'workstation', "
        "'server' (at /results/0/recommended_tier)",
        "results/rel.json:1:105: error measurements/v1 schema: must be one of: 'phone', 'laptop', 'workstation', "
        "'server' (at /results/0/recommended_tier)",
        "results/v9.json:1:13: error - schema-ref: measurements has no schema v9 (bundled: v1) (at /$schema)",
    ]


def test_config_routes_and_kind_override(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "pyproject.toml", '[tool.mlmeta.routes]\n"catalog/*.jsonl" = "manifest@1"\n')
    write(repo / "catalog" / "rows.jsonl", ROW.replace('"family":"PII"', '"family":""') + "\n")
    code, out, _ = run(capsys, "check")
    assert code == 1 and out.startswith("catalog/rows.jsonl:1:60: error manifest/v1 schema: must be at least 1")
    write(repo / "elsewhere.txt", ROW + "\n")
    assert run(capsys, "check", "-q", "--kind", "manifest", "elsewhere.txt") == (0, "", "")


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["check", "--kind", "modle", "x.json"], None, "unknown kind 'modle'"),
        (["check", "--kind", "manifest@two", "x.json"], None, "bad version"),
        (["check"], "[tool.mlmeta]\nroutez = {}\n", "unknown key(s) in [tool.mlmeta]: routez"),
        (["check"], '[tool.mlmeta.routes]\n"*.json" = "nothing"\n', "unknown kind 'nothing'"),
        (["check"], "[tool.mlmeta\n", "pyproject.toml"),
        (["check", "--format", "xml"], None, ""),
    ],
)
def test_usage_errors_exit_2(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], config: str | None, message: str
) -> None:
    if config:
        write(repo / "pyproject.toml", config)
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert message in err and "Traceback" not in err


def test_namespace_option(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "pyproject.toml", '[tool.mlmeta]\nnamespace = "Acme"\n')
    write(repo / "models.jsonl", ROW + "\n")
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert out == (
        "models.jsonl:1:12: error manifest/v1 repo-namespace: repo_id must be in the namespace 'Acme/' (at /repo_id)\n"
    )


def test_real_seed_era_catalog_is_valid_and_an_upper_case_hash_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = realworld("openmed/models.seed-era.jsonl")
    assert run(capsys, "check", "-q", "--kind", "manifest", str(seed)) == (0, "", "")
    lines = seed.read_bytes().splitlines(keepends=True)
    head, _, tail = lines[41].partition(b'"reproducibility_hash":"sha256:')
    lines[41] = head + b'"reproducibility_hash":"sha256:' + tail[:64].upper() + tail[64:]
    broken = tmp_path / "models.jsonl"
    broken.write_bytes(b"".join(lines))
    code, out, _ = run(capsys, "check", "--kind", "manifest", str(broken))
    assert code == 1
    assert [line.split(":")[1] for line in out.splitlines()] == ["42"]
    assert "/reproducibility_hash" in out


# -- the process around the run ---------------------------------------------------------------------


def mlmeta_process(
    cwd: Path, *args: str, env: dict[str, str] | None = None, **options: Any
) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "hooks"), **(env or {})}
    done: subprocess.CompletedProcess[bytes] = subprocess.run(
        [sys.executable, "-m", "mlmeta", *args], cwd=cwd, env=environment, check=False, **options
    )
    return done


def test_a_closed_stdout_still_gives_the_exit_code(repo: Path) -> None:
    write(repo / "a.json", '{"num_heads": "twelve"}')
    closed = {"stdout": subprocess.DEVNULL, "preexec_fn": lambda: os.close(1)}  # as `mlmeta check a.json >&-`
    done = mlmeta_process(repo, "check", "-q", "--kind", "model", "a.json", stderr=subprocess.PIPE, **closed)
    assert (done.returncode, done.stderr) == (1, b"")


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_symlink_loop_is_a_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "loop.json").symlink_to("loop.json")
    expected = "loop.json:1:1: error - read: cannot read file: a symbolic link to nothing (or a loop)\n"
    assert run(capsys, "check", "loop.json")[:2] == (1, expected)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="a file name that is not UTF-8")
def test_a_command_names_a_file_that_is_not_utf8_on_a_strict_stdout(repo: Path) -> None:
    name = os.fsdecode(b"m\xe9.jsonl")
    (repo / name).write_text(json.dumps({**json.loads(ROW), "family": "NER"}) + "\n", encoding="utf-8")
    done = mlmeta_process(repo, "migrate", "--to", "2", name, capture_output=True, env={"PYTHONIOENCODING": "utf-8"})
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.startswith(b"m\\udce9.jsonl: manifest/v1 -> v2: 0 row(s) rewritten, 1 unchanged\n")


@pytest.mark.parametrize(
    "argv",
    [["check"], ["check", "a.json"], ["check", "-"], ["check", "", "b c.json", "x=y", "-", "a.json"],
     ["check", *(f"model_metadata/m{n}.json" for n in range(300))]],
)  # fmt: skip
def test_a_plain_check_gets_the_arguments_argparse_gives(argv: list[str]) -> None:
    """`mlmeta check FILE...` skips argparse: the same arguments, without importing it and building the parser."""
    from mlmeta.cli import _plain_check, build_parser

    plain = _plain_check(argv)
    assert plain is not None and vars(plain) == vars(build_parser("check").parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [[], ["--version"], ["check", "-v", "a.json"], ["check", "a.json", "--jobs=2"], ["check", "--", "-a.json"],
     ["check", "-1"], ["schemas"], ["chec", "a.json"], ["taxonomy", "a.json"]],
)  # fmt: skip
def test_any_other_command_line_goes_to_argparse(argv: list[str]) -> None:
    from mlmeta.cli import _plain_check

    assert _plain_check(argv) is None

