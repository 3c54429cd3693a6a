"""The offline registry: `Registry.load`, `get`, `filter`, file order; `mlmeta manifest show` and `list`."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from mlmeta.cli import main
from mlmeta.manifest import ManifestError, Registry

from ..conftest import realworld


def row(repo_id: str, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "repo_id": repo_id,
        "family": "NER",
        "task": "token-classification",
        "languages": ["en"],
        "tier": None,
        "formats": ["pytorch"],
    }
    return {**base, **fields}


ROWS = [
    row("OpenMed/PII-De-Small", family="PII", languages=["de"], tier="Small", formats=["pytorch", "onnx"]),
    row("OpenMed/NER-En"),
    row("OpenMed/PII-En-Small", family="PII", tier="Small"),
    row("OpenMed/PII-PtBr", family="PII", languages=["pt_BR"], formats=["mlx-4bit"]),
]


@pytest.fixture
def manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "models.jsonl"
    text = "\n".join(json.dumps(r) for r in ROWS[:2]) + "\r\n\n" + "\n".join(json.dumps(r) for r in ROWS[2:])
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_are_plain_dicts_in_file_order(manifest: Path) -> None:
    registry = Registry.load(manifest)
    assert len(registry) == 4
    assert list(registry) == ROWS
    assert type(registry.get("OpenMed/NER-En")) is dict
    assert registry.get("OpenMed/NER-En") == ROWS[1]
    assert registry.get("OpenMed/absent") is None
    assert "OpenMed/PII-PtBr" in registry and "OpenMed/absent" not in registry


def test_filters_must_all_hold(manifest: Path) -> None:
    registry = Registry.load(str(manifest))
    ids = lambda rows: [r["repo_id"] for r in rows]  # noqa: E731
    assert ids(registry.filter(family="PII")) == ["OpenMed/PII-De-Small", "OpenMed/PII-En-Small", "OpenMed/PII-PtBr"]
    assert ids(registry.filter(family="PII", language="de")) == ["OpenMed/PII-De-Small"]
    assert ids(registry.filter(language="pt-br")) == ["OpenMed/PII-PtBr"]  # BCP 47: any case, `_` is `-`
    assert ids(registry.filter(tier="Small", format="onnx")) == ["OpenMed/PII-De-Small"]
    assert ids(registry.filter(task="token-classification", family="Vision")) == []
    assert ids(registry.filter()) == ids(ROWS)


def test_a_file_that_is_not_a_manifest_is_refused_with_every_line(tmp_path: Path) -> None:
    path = tmp_path / "models.jsonl"
    path.write_text('{"repo_id": "A/a"}\n[1]\n{"repo_id": "A/a"}\n{broken\n{"repo_id": NaN}\n', encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        Registry.load(path)
    assert caught.value.problems == [
        f"{path}:2: not a manifest row: a JSON object with a string repo_id",
        f"{path}:3: repo_id already used by the row on line 1",
        f"{path}:4: not a JSON row (JSONDecodeError)",
        f"{path}:5: not a JSON row (JSONDecodeError)",
    ]


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ('{"repo_id": "A/a"}', "repo_id already used by the row on line 1"),
        ('{"repo_id": 5}', "not a manifest row: a JSON object with a string repo_id"),
        ('{"id": "A/b"}', "not a manifest row: a JSON object with a string repo_id"),
        ('"A/b"', "not a manifest row: a JSON object with a string repo_id"),
        ("[1]", "not a manifest row: a JSON object with a string repo_id"),
        ('{"repo_id": "A/b"', "not a JSON row (JSONDecodeError)"),
    ],
)
def test_one_fault_alone_is_refused(tmp_path: Path, second: str, message: str) -> None:
    path = tmp_path / "models.jsonl"
    path.write_text(f'{{"repo_id": "A/a"}}\n{second}\n{{"repo_id": "A/c"}}\n', encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        Registry.load(path)
    assert caught.value.problems == [f"{path}:2: {message}"]


def test_a_row_given_out_is_the_callers_own(manifest: Path) -> None:
    registry = Registry.load(manifest)
    registry.get("OpenMed/NER-En")["family"] = "changed"  # type: ignore[index]
    next(iter(registry))["languages"].append("xx")
    assert list(registry) == ROWS


def test_loading_never_touches_the_network(manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the registry opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert len(Registry.load(manifest)) == 4


def test_the_real_catalogs_load(tmp_path: Path) -> None:
    for name in ("openmed/models.seed-era.jsonl", "openmed/models.later.jsonl"):
        path = realworld(name)
        registry = Registry.load(path)
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert list(registry) == lines
        german_pii = registry.filter(family="PII", language="de")
        assert german_pii and all(r["family"] == "PII" and "de" in r["languages"] for r in german_pii)


def test_show_prints_one_row(manifest: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "show", "OpenMed/NER-En"]) == 0
    assert json.loads(capsys.readouterr().out) == ROWS[1]
    assert main(["manifest", "show", "OpenMed/absent"]) == 1
    assert capsys.readouterr().err == "mlmeta: models.jsonl has no row for OpenMed/absent\n"


def test_list_prints_matching_ids_or_rows(manifest: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "list", "--family", "PII", "--language", "de"]) == 0
    assert capsys.readouterr().out == "OpenMed/PII-De-Small\n"
    assert main(["manifest", "list", "--artifact-format", "mlx-4bit", "--rows"]) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == [ROWS[3]]


def test_a_broken_or_missing_manifest_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["manifest", "list"]) == 2
    assert capsys.readouterr().err == "mlmeta: error: cannot read models.jsonl: No such file or directory\n"
    (tmp_path / "other.jsonl").write_text("[]\n", encoding="utf-8")
    assert main(["manifest", "show", "A/b", "--manifest", "other.jsonl"]) == 2
    assert capsys.readouterr().err == "other.jsonl:1: not a manifest row: a JSON object with a string repo_id\n"
