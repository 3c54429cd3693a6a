"""Kitfile rules: every Kitfile of KitOps' own test data gets the verdict KitOps gives it, and each rule fires alone.

The fixtures (tests/fixtures/kitfile/) show each rule's exact finding; these tests cover the
real-world cases, files on disk, `--strict`, and the edges of KitOps' path reading.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from mlmeta.cli import main
from mlmeta.documents.yaml import parse_text
from mlmeta.modelkit.kitfile import clean
from mlmeta.schemas import KINDS

from ..conftest import REALWORLD

KITOPS = REALWORLD / "kitops"
VALID = "valid"

# Our reading of each case, from its folder and description. KitOps' functional tests
# (pack-unpack, modelkit-refs) pack the Kitfile with its `files:` present: it is valid.
# kitfile-generation holds the Kitfile `kit init` writes (`expectedKitfile`): valid by making.
# parameters/ are KitOps' parser round-trip tests; their model path is absolute, which
# `kit pack` refuses ("absolute paths are not supported"): one kitfile-path finding.
CASES: dict[str, tuple[str, str]] = {
    "testdata/pack-unpack/test_empty-kitfile.yaml": (VALID, "no layers: KitOps packs an empty ModelKit"),
    "testdata/pack-unpack/test_pack-basic-model.yaml": (VALID, "one model, dataset and code folder"),
    "testdata/pack-unpack/test_pack-ignores-basic.yaml": (VALID, "model path `.`, the Kitfile's own folder"),
    "testdata/pack-unpack/test_pack-ignores-intersecting.yaml": (
        VALID, "model main-dir holds dataset main-dir/subdir, code `.` holds both: nested paths are allowed",
    ),
    "testdata/pack-unpack/test_pack-intersecting-paths.yaml": (
        VALID, "paths intersect (main-dir, main-dir/subdir, .): KitOps packs a nested path into the inner layer",
    ),
    "testdata/pack-unpack/test_pack-modelkit-parts-kitignore.yaml": (VALID, "parts nested in the model's folder"),
    "testdata/pack-unpack/test_pack-modelkit-parts.yaml": (VALID, "parts ./model/part1 and model/part2 inside ./model"),
    "testdata/pack-unpack/test_pack-path-formats.yaml": (VALID, "./x, x, x/ and x/y/ are all relative paths"),
    "testdata/pack-unpack/test_pack-path-is-context-dir.yaml": (VALID, "model path `.`"),
    "testdata/pack-unpack/test_path-formats.yaml": (VALID, "docs with ./ and trailing-slash paths, all distinct"),
    "testdata/modelkit-refs/test_reference-basic.yaml#0": (VALID, "a model with parts in folders"),
    "testdata/modelkit-refs/test_reference-basic.yaml#1": (VALID, "model.path is a ModelKit reference"),
    "testdata/modelkit-refs/test_reference-basic.yaml#2": (VALID, "model.path refers to a ModelKit that refers on"),
    **{
        f"testdata/modelkit-refs/test_reference-long-chain.yaml#{n}": (
            VALID, "each Kitfile alone is valid; the chain of 11 references fails only when packed from storage",
        )
        for n in range(12)
    },
    **{
        f"testdata/modelkit-refs/test_reference-loop.yaml#{n}": (
            VALID, "each Kitfile alone is valid; the loop exists only among stored ModelKits",
        )
        for n in range(4)
    },
    "testdata/kitfile-generation/test_directory-handling.yaml": (VALID, "kit init: folders as layers"),
    "testdata/kitfile-generation/test_empty-directory.yaml": (VALID, "kit init: no layers"),
    "testdata/kitfile-generation/test_existing-Kitfile.yaml": (VALID, "kit init: one model file"),
    "testdata/kitfile-generation/test_metadata-files-dataset.yaml": (VALID, "kit init: six datasets"),
    "testdata/kitfile-generation/test_metadata-files-model.yaml": (VALID, "kit init: model parts and datasets"),
    "testdata/kitfile-generation/test_model-and-adaptor.yaml": (VALID, "kit init: a model and two adaptor parts"),
    "testdata/kitfile-generation/test_multi-part-models.yaml": (VALID, "kit init: a sharded model as parts"),
    "testdata/kitfile-generation/test_type-detect.yaml": (VALID, "kit init: code `.` around every other layer"),
    **{
        f"parameters/{name}": ("absolute /model/path", "a parser round-trip; `kit pack` refuses the absolute path")
        for name in (
            "test-basic-parameters.yaml",
            "test-data-types.yaml",
            "test-list-parameters.yaml",
            "test-nested-parameters.yaml",
            "test-single-value.yaml",
        )
    },
}


def _load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def realworld_cases() -> list[tuple[str, str, list[str]]]:
    """(case id, Kitfile text, files the case puts beside it) for every Kitfile in ../shared/realworld/kitops."""
    found: list[tuple[str, str, list[str]]] = []
    for path in sorted(KITOPS.glob("testdata/*/*.yaml")) + sorted(KITOPS.glob("parameters/*.yaml")):
        case, name = _load(path), path.relative_to(KITOPS).as_posix()
        files = [*case.get("files", []), *case.get("ignored", [])]
        if "kitfile" in case:
            found.append((name, case["kitfile"], files))
        elif "kitfileYaml" in case:
            found.append((name, case["kitfileYaml"], files))
        elif "expectedKitfile" in case:
            found.append((name, json.dumps(case["expectedKitfile"]), files))  # JSON is YAML, and keeps "1.0.0" a string
        for number, modelkit in enumerate(case.get("modelkits", [])):
            found.append((f"{name}#{number}", modelkit["kitfile"], [*modelkit.get("files", [])]))
    return found


CORPUS = realworld_cases() if KITOPS.is_dir() else []


def test_every_realworld_case_has_a_reading() -> None:
    if not KITOPS.is_dir():
        pytest.skip(f"{KITOPS} is absent")
    assert sorted(name for name, _, _ in CORPUS) == sorted(CASES)


@pytest.mark.parametrize(("name", "text", "files"), CORPUS, ids=[name for name, _, _ in CORPUS])
def test_realworld_kitfile_gets_the_kitops_verdict(
    name: str, text: str, files: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    verdict, _reading = CASES[name]
    for relative in files:  # the case's files, so that paths that exist in KitOps' test exist here
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(relative, encoding="utf-8")
    (tmp_path / "under-test.kitfile").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--kind", "kitfile", "--strict", "under-test.kitfile"])
    out = capsys.readouterr().out
    if verdict == VALID:
        assert (code, out) == (0, "")
    else:
        assert code == 1
        assert out == (
            "under-test.kitfile:6:9: error kitfile/v1 kitfile-path: absolute paths are not supported: "
            "write it relative to the Kitfile (at /model/path)\n"
        )


@pytest.mark.parametrize("path", sorted(KITOPS.glob("parameters/*.yaml")), ids=lambda p: p.name)
def test_parameters_read_as_kitops_stores_them(path: Path) -> None:
    """KitOps' own expected JSON for each Kitfile: text everywhere, YAML types kept under `parameters`."""
    case = _load(path)
    document = parse_text(case["kitfileYaml"], path.name, **KINDS["kitfile"].reader_options())
    assert document.problems == []
    assert document.value == json.loads(case["kitfileJson"])


# -- each rule on its own


def check(capsys: pytest.CaptureFixture[str], text: str, *options: str) -> tuple[int, list[str]]:
    Path("Kitfile").write_text(text, encoding="utf-8")
    code = main(["check", *options, "Kitfile"])
    return code, capsys.readouterr().out.splitlines()


def test_kitfile_is_routed_by_name_and_a_clean_one_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "model").mkdir()
    (repo / "model" / "weights.safetensors").write_bytes(b"")
    (repo / "README.md").write_text("# model\n", encoding="utf-8")
    text = "manifestVersion: 1.0.0\nmodel:\n  path: model/\ndocs:\n  - path: README.md\n"
    assert check(capsys, text) == (0, [])


def test_missing_path_is_a_warning_and_an_error_under_strict(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "manifestVersion: 1.0.0\ndatasets:\n  - name: train\n    path: data/train.csv\n"
    message = "no such file or folder beside the Kitfile; `kit pack` would fail (at /datasets/0/path)"
    assert check(capsys, text) == (0, [f"Kitfile:4:11: warning kitfile/v1 kitfile-missing-path: {message}"])
    assert check(capsys, text, "--strict") == (1, [f"Kitfile:4:11: error kitfile/v1 kitfile-missing-path: {message}"])


def test_paths_are_relative_to_the_kitfile_not_the_working_folder(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "kit" / "data").mkdir(parents=True)
    (repo / "kit" / "Kitfile").write_text("manifestVersion: 1.0.0\ndatasets:\n  - path: data\n", encoding="utf-8")
    assert main(["check", "kit/Kitfile"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/srv/model", "absolute paths are not supported: write it relative to the Kitfile"),
        ("C:\\models\\m.bin", "absolute paths are not supported: write it relative to the Kitfile"),
        ("\\\\server\\share\\m.bin", "absolute paths are not supported: write it relative to the Kitfile"),
        ("..", "the path leaves the Kitfile's folder through '..'"),
        ("a/../../b", "the path leaves the Kitfile's folder through '..'"),
        ("s3://bucket/model.bin", "a URL is not a path: write a ModelKit reference or a local path"),
    ],
)
def test_model_paths_kitops_refuses(path: str, message: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = check(capsys, f"manifestVersion: 1.0.0\nmodel:\n  path: '{path}'\n")
    assert (code, out) == (1, [f"Kitfile:3:9: error kitfile/v1 kitfile-path: {message} (at /model/path)"])


def test_a_path_no_file_system_can_hold_is_missing_not_a_crash(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f'manifestVersion: 1.0.0\ndocs:\n  - path: "a\\0b"\n  - path: {"x" * 5000}\n'
    code, out = check(capsys, text)
    assert code == 0
    assert [line.split(" ")[3] for line in out] == ["kitfile-missing-path:"] * 2


def test_a_path_that_returns_inside_the_folder_is_fine(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "lib").mkdir()
    assert check(capsys, "manifestVersion: 1.0.0\ncode:\n  - path: src/../lib\n") == (0, [])


@pytest.mark.parametrize(
    ("first", "second"),
    [("test-path", "test-path"), ("test-path/", "test-path"), ("test-path/", "./some/meandering/../../test-path")],
)
def test_two_layers_on_one_path(first: str, second: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "test-path").mkdir()
    code, out = check(capsys, f"manifestVersion: 1.0.0\nmodel:\n  path: {first}\ncode:\n  - path: {second}\n")
    message = "the same path as /model/path: two layers cannot share a path (at /code/0/path)"
    assert (code, out) == (1, [f"Kitfile:5:11: error kitfile/v1 kitfile-duplicate-path: {message}"])


def test_a_modelkit_reference_is_no_path_on_disk(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "manifestVersion: 1.0.0\nmodel:\n  path: jozu.ml/org/base:v1\ncode:\n  - path: registry.io/org/code:v2\n"
    message = "a ModelKit reference can stand only in /model/path (at /code/0/path)"
    assert check(capsys, text, "--strict") == (1, [f"Kitfile:5:11: error kitfile/v1 kitfile-path: {message}"])


@pytest.mark.parametrize(
    ("part_type", "finds"),
    [
        ("lora-adapter", []),
        ("_weights.v2", []),
        ("x" * 64, []),
        ("x" * 65, ["a part type is at most 64 characters long"]),
        ("-starts-with-dash", ["a part type starts with a letter, digit or '_' and holds only those, '.' and '-'"]),
        ("ünïcode", ["a part type starts with a letter, digit or '_' and holds only those, '.' and '-'"]),
    ],
)
def test_part_type(part_type: str, finds: list[str], repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "adapter").mkdir()
    text = f"manifestVersion: 1.0.0\nmodel:\n  parts:\n    - path: adapter\n      type: '{part_type}'\n"
    code, out = check(capsys, text)
    assert out == [f"Kitfile:5:13: error kitfile/v1 kitfile-part-type: {m} (at /model/parts/0/type)" for m in finds]
    assert code == (1 if finds else 0)


def test_rules_can_be_selected(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "manifestVersion: 1.0.0\ndataset: []\nmodel:\n  path: /abs\n"
    code, out = check(capsys, text, "--select", "schema")
    assert (code, out) == (1, [
        "Kitfile:2:1: error kitfile/v1 schema: unknown key 'dataset'; did you mean 'datasets'? (at /dataset)"
    ])


@pytest.mark.parametrize(
    ("written", "cleaned"),
    [("", "."), (" ./a/ ", "a"), ("a//b/./c/..", "a/b"), ("//x", "/x"), ("../a", "../a"), ("a/../..", "..")],
)
def test_clean_is_gos_filepath_clean(written: str, cleaned: str) -> None:
    assert clean(written) == cleaned
