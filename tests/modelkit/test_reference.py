"""`mlmeta modelkit ref`: KitOps' whole reference table, and a finding naming the component that is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlmeta.cli import main
from mlmeta.modelkit.reference import ReferenceError, parse

from ..conftest import REALWORLD

DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
TABLE = REALWORLD / "kitops" / "references.json"
CASES: list[dict[str, Any]] = json.loads(TABLE.read_text(encoding="utf-8"))["cases"] if TABLE.is_file() else []


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_the_kitops_table_is_there() -> None:
    if not TABLE.is_file():
        pytest.skip(f"{TABLE} is absent")
    assert len(CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[repr(case["input"]) for case in CASES])
def test_agrees_with_kitops(case: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "modelkit", "ref", "--format", "json", case["input"])
    if not case["valid"]:
        assert code == 1
        assert json.loads(out)[0]["rule"] == "modelkit-ref"
        return
    assert code == 0
    parsed = json.loads(out)
    assert {key: parsed[key] for key in ("registry", "repository", "reference", "extra_tags")} == {
        key: case[key] for key in ("registry", "repository", "reference", "extra_tags")
    }
    # the reference used is the digest when there is one, else the tag
    assert parsed["reference"] == (parsed["digest"] or parsed["tag"])


def test_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "modelkit", "ref", "localhost:5000/org/repo:v1,stable,2024.1")
    assert code == 0
    assert out == (
        "registry:   localhost:5000\n"
        "repository: org/repo\n"
        "reference:  v1\n"
        "tag:        v1\n"
        "digest:     -\n"
        "extra tags: stable, 2024.1\n"
    )


def test_defaults() -> None:
    assert parse("my-model").as_dict() == {
        "registry": "localhost", "repository": "my-model", "reference": "latest", "tag": "latest", "digest": None,
        "extra_tags": [],
    }
    assert parse(DIGEST).as_dict() == {
        "registry": "localhost", "repository": "_", "reference": DIGEST, "tag": None, "digest": DIGEST,
        "extra_tags": [],
    }


def test_a_digest_wins_over_a_tag_which_is_then_ignored() -> None:
    parsed = parse(f"jozu.ml/org/repo:old@{DIGEST}")
    assert (parsed.registry, parsed.repository, parsed.reference, parsed.tag) == ("jozu.ml", "org/repo", DIGEST, None)


@pytest.mark.parametrize(
    "text",
    [
        "org/a.b-c_d__e---f/g",  # every separator the spec allows (a first part with a dot would be a registry)
        "registry.example.com:8443/team/model:" + "v" * 128,
        "[::1]:5000/repo:tag",
        "sha256:abc",  # not a digest, so KitOps reads repository `sha256` and tag `abc`
        "repo@sha512:" + "0" * 128,
    ],
)
def test_valid_references(text: str) -> None:
    parse(text)


@pytest.mark.parametrize(
    ("text", "component", "column", "message"),
    [
        ("", "repository", 1, "repository is empty"),
        ("Org/Repo:v1", "repository", 1, "repository 'Org/Repo' must be lowercase"),
        ("reg.io/org/-repo", "repository", 8, "repository 'org/-repo' must be '/'-separated components"),
        ("org//repo", "repository", 1, "repository 'org//repo' must be '/'-separated components"),
        ("a...b", "repository", 1, "repository 'a...b' must be '/'-separated components"),
        ("my_registry.io/repo", "registry", 1, "registry 'my_registry.io' is not a host name"),
        ("localhost:99999/repo", "registry", 1, "registry 'localhost:99999' is not a host name"),
        ("repo:.hidden", "tag", 6, "tag '.hidden' must be 1 to 128 of"),
        ("repo:" + "v" * 129, "tag", 6, "tag 'vvvv"),
        ("repo:", "tag", 6, "tag '' must be 1 to 128 of"),
        ("reg.io/repo@sha256:ABC", "digest", 13, "digest 'sha256:ABC' is not sha256: followed by 64"),
        ("repo@md5:" + "0" * 32, "digest", 6, "digest 'md5:"),
        ("repo:v1,ok,-bad", "extra_tags/1", 12, "extra tag '-bad' must be 1 to 128 of"),
    ],
)
def test_invalid_references_name_the_component(text: str, component: str, column: int, message: str) -> None:
    with pytest.raises(ReferenceError) as raised:
        parse(text)
    assert (raised.value.component, raised.value.column) == (component, column)
    assert str(raised.value).startswith(message)


def test_a_bad_reference_is_a_finding_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "modelkit", "ref", "reg.io/Org/repo:v1")
    assert code == 1
    message = "repository 'Org/repo' must be lowercase (at /repository)"
    assert out == f"reg.io/Org/repo:v1:1:8: error - modelkit-ref: {message}\n"
    code, out = run(capsys, "modelkit", "ref", "--format", "json", "repo:-x")
    assert code == 1
    assert json.loads(out) == [{
        "path": "repo:-x", "line": 1, "column": 6, "pointer": "/tag", "kind": None, "schema_version": None,
        "rule": "modelkit-ref", "severity": "error",
        "message": "tag '-x' must be 1 to 128 of A-Z a-z 0-9 _ . - and not start with '.' or '-'",
    }]


def test_modelkit_id_is_the_sha256_of_the_bytes_as_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    monkeypatch.chdir(tmp_path)
    compact = b'{"schemaVersion":2,"config":{},"layers":[]}'
    spaced = b'{\n  "schemaVersion": 2,\n  "config": {},\n  "layers": []\n}\n'
    for name, data in (("compact.json", compact), ("spaced.json", spaced)):
        Path(name).write_bytes(data)
        assert run(capsys, "modelkit", "id", name) == (0, f"sha256:{hashlib.sha256(data).hexdigest()}\n")
    # the same JSON, other bytes: another ModelKit
    assert run(capsys, "modelkit", "id", "compact.json") != run(capsys, "modelkit", "id", "spaced.json")
    code, out = run(capsys, "modelkit", "id", "--format", "json", "compact.json")
    expected = {"path": "compact.json", "modelkit_id": f"sha256:{hashlib.sha256(compact).hexdigest()}"}
    assert (code, json.loads(out)) == (0, expected)


def test_modelkit_id_of_what_is_no_manifest_is_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.json").write_text('{"schemaVersion": 2,', encoding="utf-8")
    Path("list.json").write_text("[]", encoding="utf-8")
    code, out = run(capsys, "modelkit", "id", "broken.json")
    assert code == 1
    assert out.startswith("broken.json:1:") and " error - parse: " in out
    expected = "list.json:1:1: error - parse: a manifest is a JSON object\n"
    assert run(capsys, "modelkit", "id", "list.json") == (1, expected)
    code, out = run(capsys, "modelkit", "id", "missing.json")
    assert code == 1
    assert out.startswith("missing.json:1:1: error - read: ")
