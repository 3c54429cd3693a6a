"""Hostile documents are findings: huge integers, tags that cannot convert, alias loops, deep nesting, surrogates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..helpers import run

MANY_DIGITS = "9" * 5000  # past Python's 4,300-digit limit on int("...")


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code, out, err = run(capsys, "check", *args)
    assert "Traceback" not in err
    return code, out


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.json", '{"name": "m",\n "num_heads": ' + MANY_DIGITS + "}",
         "a.json:2:15: error model/v1 parse: an integer has more digits than Python reads (4,300)\n"),
        ("a.jsonl", '{"repo_id": "a/b"}\n{"repo_id": "a/b", "param_count": ' + MANY_DIGITS + "}\n",
         "a.jsonl:2:35: error manifest/v1 parse: an integer has more digits than Python reads (4,300)\n"),
        ("a.yaml", "name: m\nnum_heads: " + MANY_DIGITS + "\n",
         "a.yaml:2:12: error model/v1 parse: cannot be read as !!int (not an integer, or over Python's 4,300 digits)"
         " (at /num_heads)\n"),
    ],
)  # fmt: skip
def test_an_integer_too_long_for_python_is_a_finding(
    repo: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, expected: str
) -> None:
    (repo / name).write_text(text, encoding="utf-8")
    kind = "manifest" if name.endswith(".jsonl") else "model"
    assert check(capsys, "--kind", kind, "--select", "parse", name) == (1, expected)


def test_kitfile_parameters_with_an_integer_too_long(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "Kitfile").write_text(
        f'manifestVersion: "1.0"\nmodel:\n  path: .\n  parameters:\n    n: {MANY_DIGITS}\n', encoding="utf-8"
    )
    code, out = check(capsys, "--select", "parse", "Kitfile")
    assert (code, out) == (
        1,
        "Kitfile:5:8: error kitfile/v1 parse: cannot be read as !!int (not an integer, or over Python's 4,300 digits)"
        " (at /model/parameters/n)\n",
    )


def test_tags_that_cannot_convert(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "a.yaml").write_text('name: m\nnum_heads: !!int three\nmlp_ratio: !!float "demo"\n', encoding="utf-8")
    code, out = check(capsys, "--kind", "model", "--select", "parse", "a.yaml")
    assert (code, out) == (
        1,
        "a.yaml:2:12: error model/v1 parse: cannot be read as !!int (not an integer, or over Python's 4,300 digits)"
        " (at /num_heads)\n"
        "a.yaml:3:12: error model/v1 parse: cannot be read as !!float (not a number)"
        " (at /mlp_ratio)\n",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &a [*a]\n", "an alias inside the node it names: its value would never end"),
        ("a: &a {b: *a}\n", "an alias inside the node it names: its value would never end"),
        ("a: " + "[" * 600 + "]" * 600 + "\n", "not valid YAML: nesting too deep"),
    ],
)
def test_yaml_that_would_never_end_or_nests_too_deep(
    repo: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    (repo / "a.yaml").write_text(text, encoding="utf-8")
    assert check(capsys, "--kind", "model", "a.yaml") == (1, f"a.yaml:1:1: error model/v1 parse: {message}\n")


@pytest.mark.parametrize("depth", [300, 600, 900])
def test_deep_json_beside_a_schema_error(repo: Path, capsys: pytest.CaptureFixture[str], depth: int) -> None:
    """The schema error is found at its place however deep the rest of the file nests (the locator has no limit)."""
    text = '{"name": "m", "num_heads": "twelve", "x": ' + "[" * depth + "]" * depth + "}"
    (repo / "a.json").write_text(text, encoding="utf-8")
    assert check(capsys, "--kind", "model", "--select", "schema", "a.json") == (
        1,
        "a.json:1:28: error model/v1 schema: expected integer or null, got string (at /num_heads)\n",
    )


def test_a_value_too_deep_for_the_validator_is_a_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "a.json").write_text('{"name": "m", "tags": ' + "[" * 300 + "]" * 300 + "}", encoding="utf-8")
    assert check(capsys, "--kind", "model", "--select", "schema", "a.json") == (
        1,
        "a.json:1:1: error model/v1 schema: nested too deeply to validate\n",
    )


@pytest.mark.parametrize("name", ["a.json", "a.jsonl", "a.yaml"])
def test_lone_surrogates_are_findings_and_reach_no_validator(
    repo: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    value = '{"name": "a\\ud800", "\\udc00k": 1}'
    (repo / name).write_text(value if name != "a.yaml" else 'name: "a\\ud800"\n"\\udc00k": 1\n', encoding="utf-8")
    kind = "manifest" if name.endswith(".jsonl") else "model"
    code, out = check(capsys, "--kind", kind, "--select", "encoding", name)
    assert code == 1
    lines = out.splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == [f"error {kind}/v1 encoding"] * 2
    assert lines[0].endswith("a string holds a lone surrogate (an escape such as \\ud800), which is no Unicode text"
                             " (at /name)")
    assert lines[1].endswith("a key holds a lone surrogate (an escape such as \\ud800), which is no Unicode text"
                             " (at /\\udc00k)")
    code, out = check(capsys, "--kind", kind, "--select", "encoding", "--format", "json", name)
    assert [finding["pointer"] for finding in json.loads(out)] == ["/name", "/\\udc00k"]


@pytest.mark.parametrize("name", ["a.json", "a.jsonl", "a.yaml"])
def test_a_lone_low_surrogate_alone_is_a_finding_too(repo: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    """Only a low surrogate (dc00-dfff) in the text, under a schema pattern: no traceback from the validator."""
    digest = "sha256:\\udc80" + "a" * 63
    text = f'{{"id": "a/b", "reproducibility_hash": "{digest}"}}\n'
    (repo / name).write_text(text if name != "a.yaml" else f'id: a/b\nreproducibility_hash: "{digest}"\n', "utf-8")
    code, out = check(capsys, "--kind", "manifest" if name.endswith(".jsonl") else "model", name)
    assert code == 1
    assert "a string holds a lone surrogate" in out and "(at /reproducibility_hash)" in out


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("package: !custom\n  name: x\n", "!custom"),
        ("package:\n  name: !custom x\n", "!custom"),
        ("model: !!python/object/apply:os.system [ls]\n", "tag:yaml.org,2002:python/object/apply:os.system"),
    ],
)
def test_a_kitfile_refuses_tags_as_every_yaml_file_does(
    repo: Path, capsys: pytest.CaptureFixture[str], text: str, tag: str
) -> None:
    (repo / "Kitfile").write_text('manifestVersion: "1.0"\n' + text, encoding="utf-8")
    (repo / "a.yaml").write_text(text, encoding="utf-8")
    for name, kind in (("Kitfile", "kitfile"), ("a.yaml", "model")):
        code, out = check(capsys, "--kind", kind, "--select", "parse", name)
        assert code == 1
        # a local tag is text of the file, which a message never prints: only its length
        assert f"error {kind}/v1 parse: tag of {len(tag)} characters is not allowed here" in out


def test_warnings_as_errors_change_nothing(repo: Path) -> None:
    """PYTHONWARNINGS=error: a library's warning (ruamel's reused anchor) must not become a traceback."""
    (repo / "a.yaml").write_text("name: &x m\nlibrary_name: &x other\npipeline_tag: *x\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "hooks"), "PYTHONWARNINGS": "error"}
    done = subprocess.run(
        [sys.executable, "-m", "mlmeta", "check", "-q", "--kind", "model", "a.yaml"],
        cwd=repo,
        env=env,
        capture_output=True,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")


def test_a_number_too_large_for_a_float_is_a_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """JSON's grammar allows `1e400`; every reader turns it into infinity, which JSON cannot hold."""
    (repo / "a.json").write_text('{"id": "a/b", "num_heads": 1e400, "x": [-2E+999, 1e300], "y": Infinity}', "utf-8")
    code, out = check(capsys, "--kind", "model", "--select", "parse", "a.json")
    assert code == 1
    assert [line.split(" (at ")[1] for line in out.splitlines()] == ["/num_heads)", "/x/0)", "/y)"]
    assert out.count("too large for a 64-bit float") == 2


def test_a_number_too_large_for_a_float_without_a_large_exponent_is_a_finding() -> None:
    """210 digits before the point are enough with a 2-digit exponent (10^309), 309 without one."""
    from mlmeta.documents.json import parse_text

    huge = {"/a": "1" + "0" * 400 + ".0", "/b": "1" + "0" * 310 + "e10", "/c": "9" * 300 + "e99"}
    huge["/d"] = "2" + "0" * 209 + "e99"
    text = "{" + ",".join(f'"{at[1:]}": {number}' for at, number in huge.items()) + ', "e": ' + "9" * 250 + "}"
    document = parse_text(text, "a.json")
    assert sorted((p.pointer, p.message) for p, _ in document.problems) == [
        (pointer, "a number too large for a 64-bit float (read as infinity)") for pointer in huge
    ]
    assert document.value["e"] == int("9" * 250)  # an integer is read exactly, however long
    almost = parse_text('{"a": ' + "1" * 200 + "e99, " + '"b": 1' + "0" * 300 + ".5}", "a.json")
    assert almost.problems == [] and almost.value["a"] < float("inf")
