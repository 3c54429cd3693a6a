"""`mlmeta collect model` from a snapshot and `mlmeta collect scores` from leaderboard result files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlmeta.cli import main

from ..conftest import ROOT
from .trees import COMMIT, hub_cache, model_files

NAME = "OpenMed/OpenMed-PII-Demo-Small-7K"


@pytest.fixture
def repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return repo


EXPECTED_MODEL = {
    "$schema": "https://mlmeta.dev/schemas/model/v1.json",  # no bundled schemas/ beside: the schema's id
    "id": NAME,
    "author": "OpenMed",
    "sha": COMMIT,
    "created_at": None,
    "last_modified": None,  # a Hub-cache snapshot does not record its commit date
    "tags": ["pii", "arxiv:2508.01630"],
    "pipeline_tag": "token-classification",
    "library_name": None,
    "config": {"architectures": ["BertForTokenClassification"], "model_type": "bert"},
    "safetensors": {"parameters": {"BF16": 704, "F32": 6464, "I64": 1}, "total": 7169},
    "card_data": {
        "language": ["en", "de", "multilingual"],
        "license": "apache-2.0",
        "base_model": "google-bert/bert-base-uncased",
        "pipeline_tag": "token-classification",
        "tags": ["pii", "arxiv:2508.01630"],
    },
    "base_model": "google-bert/bert-base-uncased",
    "dimension": 64,
    "num_heads": 4,
    "num_layers": 2,
    "sequence_length": 512,
    "mlp_ratio": 4,
    "layer_norm_type": "layer_norm",
    "positional_embeddings": "learned",
    "activation": "gelu",
    "total_params": 7169,
}


def test_collect_model_from_a_hub_cache_snapshot(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hub_cache(repo / "cache", NAME)
    folder = f"cache/models--{NAME.replace('/', '--')}"
    assert main(["collect", "model", NAME, "--snapshot", folder]) == 0
    written = repo / "model_metadata" / "OpenMed_OpenMed-PII-Demo-Small-7K.json"
    assert capsys.readouterr().out == "wrote model_metadata/OpenMed_OpenMed-PII-Demo-Small-7K.json\n"
    assert json.loads(written.read_text(encoding="utf-8")) == EXPECTED_MODEL
    assert written.read_text(encoding="utf-8").startswith('{\n    "$schema"')  # the catalog's 4-space style
    assert main(["check", "model_metadata"]) == 0


def test_in_this_repository_the_schema_is_named_by_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlmeta.collect.output import schema_ref
    from mlmeta.config import Config

    assert schema_ref("model", ROOT / "model_metadata", Config(ROOT)) == "../schemas/model/v1.json"
    assert schema_ref("results", tmp_path, Config(tmp_path)) == "https://mlmeta.dev/schemas/results/v1.json"


def test_architecture_facts_follow_the_configs_spelling(repo: Path) -> None:
    config = {
        "architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 4096,
        "num_attention_heads": 32, "num_key_value_heads": 8, "num_hidden_layers": 32, "intermediate_size": 14336,
        "max_position_embeddings": 32768, "hidden_act": "silu", "rms_norm_eps": 1e-5, "rope_theta": 1e6,
        "sliding_window": None, "num_local_experts": 8, "num_experts_per_tok": 2, "tie_word_embeddings": False,
    }  # fmt: skip
    model_files(repo / "snap", config=config, card=None)
    assert main(["collect", "model", "mistralai/Mixtral-8x7B-v0.1", "--snapshot", "snap", "--output-dir", "out"]) == 0
    written = json.loads((repo / "out" / "mistralai_Mixtral-8x7B-v0.1.json").read_text(encoding="utf-8"))
    facts = {k: written[k] for k in list(written)[list(written).index("base_model") + 1 :]}
    assert facts == {
        "dimension": 4096, "num_heads": 32, "num_layers": 32, "sequence_length": 32768, "num_experts": 8, "top_k": 2,
        "mlp_ratio": 3.5, "attention_variant": "grouped_query", "layer_norm_type": "rms_norm",
        "positional_embeddings": "rotary", "attention_window": None, "activation": "silu", "weight_tying": False,
        "total_params": 7169,
    }  # fmt: skip
    assert "sha" not in written  # a plain folder records no commit: left out, not invented


def test_a_bad_name_or_a_missing_snapshot(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collect", "model", "gpt2", "--snapshot", "nowhere"]) == 2
    assert capsys.readouterr().err == "mlmeta: error: 'gpt2' is not a Hub id (ORG/NAME)\n"
    assert main(["collect", "model", "a/b", "--snapshot", "nowhere"]) == 1
    assert capsys.readouterr().err == "mlmeta: error: nowhere: not a folder\n"
    assert not (repo / "model_metadata").exists()


# --- scores ----------------------------------------------------------------------------------------------------


def run_file(folder: Path, stamp: str, model: str, results: dict[str, object], sha: str = COMMIT) -> None:
    """One run of the leaderboard's details dataset: `results_<timestamp>.json`."""
    folder.mkdir(parents=True, exist_ok=True)
    general = {"model_name": model, "model_sha": sha, "model_dtype": "torch.float16", "model_size": "13.5 GB"}
    value = {"config_general": general, "results": results, "versions": {"all": 0}}
    (folder / f"results_{stamp}.json").write_text(json.dumps(value), encoding="utf-8")


def leaderboard(root: Path) -> None:
    runs = root / "org" / "model"
    run_file(
        runs,
        "2023-10-26T01-29-53.089924",
        "org/model",
        {
            "harness|arc:challenge|25": {"acc": 0.5, "acc_stderr": 0.01, "acc_norm": 0.55},
            "harness|hellaswag|10": {"acc": 0.6, "acc_norm": float("nan")},
            "harness|hendrycksTest-abstract_algebra|5": {"acc": 0.3},
            "all": {"acc": 0.5},
        },
        sha="1" * 40,
    )
    run_file(
        runs,
        "2023-12-01T10-00-00",
        "org/model",
        {"harness|arc:challenge|25": {"acc": 0.52, "acc_norm": 0.57}, "harness|gsm8k|5": {"acc": 0.1}, "all": {}},
        sha="2" * 40,
    )
    run_file(root / "other", "2024-01-01T00-00-00", "other/model", {"harness|gsm8k|5": {"acc": 0.9}})


def test_collect_scores_merges_runs_latest_first(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    leaderboard(repo / "details")
    hub_cache(repo / "cache", "org/model")  # the reference rule wants the model's own file first
    assert main(["collect", "model", "org/model", "--snapshot", "cache/models--org--model"]) == 0
    assert main(["collect", "scores", "org/model", "--from", "details"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "wrote model_scores/org_model.json"
    written = json.loads((repo / "model_scores" / "org_model.json").read_text(encoding="utf-8"))
    assert written == {
        "$schema": "https://mlmeta.dev/schemas/results/v1.json",
        "model_name": "org/model",
        "last_updated": "2023-12-01T10-00-00",
        "results": {
            "harness": {
                "arc:challenge": {"25": {"acc": 0.52, "acc_norm": 0.57}},  # the later run wins the task
                "gsm8k": {"5": {"acc": 0.1}},
                "hellaswag": {"10": {"acc": 0.6, "acc_norm": None}},  # NaN: not measured
                "hendrycksTest-abstract_algebra": {"5": {"acc": 0.3}},
            }
        },
        "source": "open-llm-leaderboard",
        "revision": "2" * 40,
    }
    assert main(["check", "model_scores"]) == 0


def test_no_result_file_for_the_model(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    leaderboard(repo / "details")
    assert main(["collect", "scores", "nobody/none", "--from", "details"]) == 1
    assert capsys.readouterr().err == "mlmeta: error: details: no leaderboard result file for nobody/none\n"
    (repo / "details" / "results_2024-02-02T00-00-00.json").write_text("{oops", encoding="utf-8")
    assert main(["collect", "scores", "org/model", "--from", "details"]) == 1
    assert "not a leaderboard result file" in capsys.readouterr().err
    assert not (repo / "model_scores").exists()
