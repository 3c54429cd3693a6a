"""`mlmeta manifest generate`: rows from snapshot trees, deterministic bytes, the Hub mapping (never the network)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from mlmeta.cli import main
from mlmeta.collect.facts import from_hub_info
from mlmeta.manifest.generate import family, row, tier
from mlmeta.schemas import load_schema

from ..collect.trees import COMMIT, hub_cache, model_files

FILES = ["README.md", "config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]


def oracle_hash(repo_id: str, sha: str | None, released: str | None, files: list[str]) -> str:
    """The catalog's formula, written out independently of mlmeta.manifest.provenance."""
    payload = {"released": released, "repo_id": repo_id, "sha": sha, "siblings": sorted(files)}
    return "sha256:" + hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def expected_row(repo_id: str, sha: str | None = COMMIT, released: str | None = None) -> dict[str, object]:
    return {
        "repo_id": repo_id,
        "family": "PII",
        "task": "token-classification",
        "languages": ["en", "de"],  # `multilingual` is not a language code
        "tier": tier(repo_id),
        "param_count": 100 * 64 + 64 + 64 * 11 + 1,  # both shards; a scalar holds one parameter
        "architecture": "bert",
        "base_model": "google-bert/bert-base-uncased",
        "formats": ["pytorch"],
        "canonical_labels": ["EMAIL", "PHONE", "STREET_ADDRESS"],
        "benchmark": {"dataset": None, "micro_f1": None, "recall": None},
        "arxiv": "2508.01630",
        "license": "apache-2.0",
        "reproducibility_hash": oracle_hash(repo_id, sha, released, FILES),
        "released": released,
    }


@pytest.fixture
def repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return repo


def rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_rows_from_the_hub_cache_layout(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hub_cache(repo / "cache", "OpenMed/OpenMed-PII-Demo-Small-7K")
    assert main(["manifest", "generate", "--output", "models.jsonl", "--snapshots", "cache"]) == 0
    assert capsys.readouterr().out == "models.jsonl: 1 row(s)\n"
    (generated,) = rows(repo / "models.jsonl")
    assert generated == expected_row("OpenMed/OpenMed-PII-Demo-Small-7K")
    assert list(generated) == load_schema("manifest", 1)["required"]  # keys in the schema's order
    assert main(["check", "--kind", "manifest", "models.jsonl"]) == 0


def test_plain_folders_with_and_without_org(repo: Path) -> None:
    model_files(repo / "plain" / "OpenMed" / "Tiny-Model")
    model_files(repo / "flat" / "Base-Model")
    assert main(["manifest", "generate", "--output", "a.jsonl", "--snapshots", "plain"]) == 0
    assert rows(repo / "a.jsonl") == [expected_row("OpenMed/Tiny-Model", sha=None)]
    assert main(["manifest", "generate", "--output", "b.jsonl", "--snapshots", "flat", "--org", "Acme"]) == 0
    assert rows(repo / "b.jsonl") == [expected_row("Acme/Base-Model", sha=None)]


def test_output_is_sorted_compact_and_the_same_bytes_every_time(repo: Path) -> None:
    for name in ("OpenMed/zeta", "OpenMed/Alpha", "Other/mid", "OpenMed/beta"):
        hub_cache(repo / "cache", name)
    assert main(["manifest", "generate", "--output", "one.jsonl", "--snapshots", "cache"]) == 0
    assert main(["manifest", "generate", "--output", "two.jsonl", "--snapshots", "cache"]) == 0
    data = (repo / "one.jsonl").read_bytes()
    assert data == (repo / "two.jsonl").read_bytes()
    assert [r["repo_id"] for r in rows(repo / "one.jsonl")] == [
        "OpenMed/Alpha",
        "OpenMed/beta",
        "OpenMed/zeta",
        "Other/mid",
    ]
    assert b", " not in data and b": " not in data and data.endswith(b"}\n")
    assert main(["manifest", "generate", "--output", "org.jsonl", "--snapshots", "cache", "--org", "Other"]) == 0
    assert [r["repo_id"] for r in rows(repo / "org.jsonl")] == ["Other/mid"]


def test_mlx_and_onnx_formats_come_from_the_files_and_the_config(repo: Path) -> None:
    config = {"model_type": "bert", "quantization": {"group_size": 64, "bits": 4}}
    snapshot = hub_cache(repo / "cache", "OpenMed/m-mlx", config=config, card="---\ntags: [mlx]\n---\n")
    (snapshot / "model.onnx").write_bytes(b"onnx")
    assert main(["manifest", "generate", "--output", "models.jsonl", "--snapshots", "cache"]) == 0
    (generated,) = rows(repo / "models.jsonl")
    assert generated["formats"] == ["mlx-4bit", "onnx", "pytorch"]
    assert (generated["family"], generated["task"], generated["languages"], generated["license"]) == (
        "General",
        "unknown",
        [],
        None,
    )


def test_a_row_that_breaks_the_schema_is_reported_and_nothing_written(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = "---\npipeline_tag: Token Classification\n---\n"
    hub_cache(repo / "cache", "OpenMed/bad", card=card)
    assert main(["manifest", "generate", "--output", "models.jsonl", "--snapshots", "cache"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("models.jsonl:1:52: error manifest/v1 schema: ") and out.endswith(" (at /task)\n")
    assert out.count("\n") == 1
    assert not (repo / "models.jsonl").exists()


def test_hf_hub_offline_reads_the_local_cache(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub_cache(repo / "hf-cache", "OpenMed/cached")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(repo / "hf-cache"))
    assert main(["manifest", "generate", "--output", "models.jsonl"]) == 0
    assert [r["repo_id"] for r in rows(repo / "models.jsonl")] == ["OpenMed/cached"]


def test_without_org_or_snapshots_there_is_nothing_to_read(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "generate", "--output", "models.jsonl"]) == 1
    assert "--org ORG" in capsys.readouterr().err


def test_two_snapshots_of_one_model_are_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hub_cache(repo / "cache", "OpenMed/twice")
    model_files(repo / "cache" / "OpenMed" / "twice")
    (repo / "cache" / "OpenMed" / "twice" / ".git").mkdir()  # an unusable clone still names the model
    assert main(["manifest", "generate", "--output", "models.jsonl", "--snapshots", "cache"]) == 1
    assert "more than one snapshot of OpenMed/twice" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("task", "tags", "expected"),
    [
        ("token-classification", ["pii", "transformers"], "PII"),
        ("token-classification", ["PHI"], "PII"),
        ("token-classification", ["gliner"], "ZeroShot"),
        ("zero-shot-classification", [], "ZeroShot"),
        ("token-classification", [], "NER"),
        ("image-text-to-text", [], "Vision"),
        ("text-generation", [], "General"),
    ],
)
def test_family_comes_from_tags_then_task(task: str, tags: list[str], expected: str) -> None:
    assert family(task, tags) == expected


def hub_info(**overrides: object) -> SimpleNamespace:
    """The attributes of huggingface_hub's ModelInfo that generate reads."""
    fields: dict[str, object] = {
        "id": "OpenMed/OpenMed-PII-Hub-Large-434M",
        "sha": COMMIT,
        "created_at": None,
        "last_modified": "2026-04-15T10:20:30.000Z",
        "tags": ["transformers", "pii", "arxiv:2508.01630", "license:mit"],
        "pipeline_tag": "token-classification",
        "library_name": "transformers",
        "card_data": {"language": ["fr"], "base_model": ["microsoft/deberta-v3-large"]},
        "config": {"model_type": "deberta-v2", "id2label": {"0": "O", "1": "B-EMAIL"}},
        "siblings": [SimpleNamespace(rfilename=name) for name in ("config.json", "model.safetensors", "model.onnx")],
        "safetensors": SimpleNamespace(parameters={"F32": 434_000_000}, total=434_000_000),
    }
    return SimpleNamespace(**{**fields, **overrides})


HUB_ROW = {
    "repo_id": "OpenMed/OpenMed-PII-Hub-Large-434M",
    "family": "PII",
    "task": "token-classification",
    "languages": ["fr"],
    "tier": "Large",
    "param_count": 434_000_000,
    "architecture": "deberta-v2",
    "base_model": "microsoft/deberta-v3-large",
    "formats": ["onnx", "pytorch"],
    "canonical_labels": ["EMAIL"],
    "benchmark": {"dataset": None, "micro_f1": None, "recall": None},
    "arxiv": "2508.01630",
    "license": "mit",  # no license in the card: the Hub's license tag
    "reproducibility_hash": oracle_hash(
        "OpenMed/OpenMed-PII-Hub-Large-434M", COMMIT, "2026-04-15", ["config.json", "model.safetensors", "model.onnx"]
    ),
    "released": "2026-04-15",
}


def test_a_hub_model_info_maps_to_a_row() -> None:
    assert row(from_hub_info(hub_info())) == HUB_ROW


def test_the_real_model_info_class_maps_the_same_way() -> None:
    hf_api = pytest.importorskip("huggingface_hub.hf_api")
    info = hf_api.ModelInfo(  # the Hub API's own JSON keys, as model_info() receives them
        id="OpenMed/OpenMed-PII-Hub-Large-434M",
        sha=COMMIT,
        lastModified="2026-04-15T10:20:30.000Z",
        tags=["transformers", "pii", "arxiv:2508.01630", "license:mit"],
        pipeline_tag="token-classification",
        library_name="transformers",
        cardData={"language": ["fr"], "base_model": ["microsoft/deberta-v3-large"]},
        config={"model_type": "deberta-v2", "id2label": {"0": "O", "1": "B-EMAIL"}},
        siblings=[{"rfilename": name} for name in ("config.json", "model.safetensors", "model.onnx")],
        safetensors={"parameters": {"F32": 434_000_000}, "total": 434_000_000},
    )
    assert row(from_hub_info(info)) == HUB_ROW
