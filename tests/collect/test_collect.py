"""`mlmeta collect model` from the Hub or a snapshot and `mlmeta collect scores` from leaderboard result files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from mlmeta.cli import main

from ..conftest import ROOT
from .configs import EXPECTED, MISTRAL, MIXTRAL, MIXTRAL_TOKENIZER, facts
from .trees import COMMIT, TOKENIZER, hub_cache, model_files

NAME = "OpenMed/OpenMed-PII-Demo-Small-7K"
SCHEMA_ID = "https://mlmeta.dev/schemas/model/v1.json"  # no bundled schemas/ beside: the schema's id


@pytest.fixture
def repo(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return repo


def written(path: Path) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return value


EXPECTED_MODEL = {
    "$schema": SCHEMA_ID,
    "id": NAME,
    "author": "OpenMed",
    "sha": COMMIT,
    "created_at": None,
    "last_modified": None,  # a Hub-cache snapshot does not record its commit date
    "private": None,  # what only the Hub knows is null, not guessed
    "gated": None,
    "disabled": None,
    "library_name": None,
    "tags": ["pii", "arxiv:2508.01630"],
    "pipeline_tag": "token-classification",
    "mask_token": None,
    "card_data": {
        "language": ["en", "de", "multilingual"],
        "license": "apache-2.0",
        "base_model": "google-bert/bert-base-uncased",
        "pipeline_tag": "token-classification",
        "tags": ["pii", "arxiv:2508.01630"],
    },
    "model_index": None,
    "config": {
        "architectures": ["BertForTokenClassification"],
        "model_type": "bert",
        "tokenizer_config": {
            "cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]", "sep_token": "[SEP]",
            "unk_token": "[UNK]",
        },
    },
    "transformers_info": {
        "auto_model": "AutoModelForTokenClassification",
        "custom_class": None,
        "pipeline_tag": "token-classification",
        "processor": "AutoTokenizer",
    },
    "safetensors": {"parameters": {"BF16": 704, "F32": 6464, "I64": 1}, "total": 7169},
    "base_model": "google-bert/bert-base-uncased",
    **facts(
        dimension=64, num_heads=4, num_layers=2, intermediate_size=256, vocab_size=30522, mlp_ratio=4,
        sequence_length=512, layer_norm_type="parametric", positional_embeddings="learned", activation="gelu",
    ),
    "total_params": 7169,
}  # fmt: skip


def test_collect_model_from_a_hub_cache_snapshot(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hub_cache(repo / "cache", NAME, tokenizer=TOKENIZER)
    folder = f"cache/models--{NAME.replace('/', '--')}"
    assert main(["collect", "model", NAME, "--snapshot", folder]) == 0
    path = repo / "model_metadata" / "OpenMed_OpenMed-PII-Demo-Small-7K.json"
    assert capsys.readouterr().out == "wrote model_metadata/OpenMed_OpenMed-PII-Demo-Small-7K.json\n"
    assert written(path) == EXPECTED_MODEL
    assert list(written(path)) == list(EXPECTED_MODEL)  # model_info()'s order, then the facts
    assert path.read_text(encoding="utf-8").startswith('{\n    "$schema"')  # the catalog's 4-space style
    assert main(["check", "model_metadata"]) == 0


def test_in_this_repository_the_schema_is_named_by_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlmeta.collect.output import schema_ref
    from mlmeta.config import Config

    assert schema_ref("model", ROOT / "model_metadata", Config(ROOT)) == "../schemas/model/v1.json"
    assert schema_ref("results", tmp_path, Config(tmp_path)) == "https://mlmeta.dev/schemas/results/v1.json"


def test_a_plain_folder_gives_the_configs_facts_in_the_real_vocabulary(repo: Path) -> None:
    model_files(repo / "snap", config=MIXTRAL, card=None, tokenizer=MIXTRAL_TOKENIZER)
    assert main(["collect", "model", "mistralai/Mixtral-8x7B-v0.1", "--snapshot", "snap", "--output-dir", "out"]) == 0
    found = written(repo / "out" / "mistralai_Mixtral-8x7B-v0.1.json")
    assert {k: found[k] for k in list(found)[list(found).index("base_model") + 1 : -1]} == EXPECTED["mixtral"]
    assert found["sha"] is None  # a plain folder records no commit: null, not invented
    assert found["config"] == {
        "architectures": ["MixtralForCausalLM"],
        "model_type": "mixtral",
        "tokenizer_config": {
            "bos_token": "<s>", "eos_token": "</s>", "pad_token": None, "unk_token": "<unk>",
            "use_default_system_prompt": False,
        },
    }  # fmt: skip
    assert (found["card_data"], found["tags"], found["transformers_info"]["processor"]) == (None, [], "AutoTokenizer")
    assert main(["check", "out"]) == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_git_clone_gives_the_last_commits_moment_in_utc(repo: Path) -> None:
    clone = repo / "clone"
    model_files(clone, config=MISTRAL, card=None, tokenizer=None)
    moment = "2024-03-01T23:30:00-05:00"
    environment = {
        **os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_COMMITTER_DATE": moment, "GIT_AUTHOR_DATE": moment,
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
    }  # fmt: skip
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "weights"]):
        subprocess.run(["git", "-C", str(clone), *args], env=environment, capture_output=True, check=True)
    assert main(["collect", "model", "mistralai/Mistral-7B-v0.1", "--snapshot", "clone"]) == 0
    found = written(repo / "model_metadata" / "mistralai_Mistral-7B-v0.1.json")
    assert found["last_modified"] == "2024-03-02T04:30:00+00:00"  # as model_info() serialises lastModified
    assert found["created_at"] is None


# --- the Hub ---------------------------------------------------------------------------------------------------

MISTRAL_SHA = "26bca36bde8333b5d7f72e9ed20ccda6a618af24"
MISTRAL_TAGS = [
    "transformers", "pytorch", "safetensors", "mistral", "text-generation", "pretrained", "en", "arxiv:2310.06825",
    "license:apache-2.0", "autotrain_compatible", "text-generation-inference", "region:us",
]  # fmt: skip
MISTRAL_SUMMARY = {
    "architectures": ["MistralForCausalLM"],
    "model_type": "mistral",
    "tokenizer_config": {
        "bos_token": "<s>", "eos_token": "</s>", "pad_token": None, "unk_token": "<unk>",
        "use_default_system_prompt": False,
    },
}  # fmt: skip
MISTRAL_CARD = {
    "language": ["en"], "license": "apache-2.0", "tags": ["pretrained"], "pipeline_tag": "text-generation",
    "inference": {"parameters": {"temperature": 0.7}},
}  # fmt: skip
MISTRAL_FILES = [
    ".gitattributes", "README.md", "config.json", "generation_config.json", "model-00001-of-00002.safetensors",
    "model-00002-of-00002.safetensors", "model.safetensors.index.json", "pytorch_model-00001-of-00002.bin",
    "pytorch_model-00002-of-00002.bin", "pytorch_model.bin.index.json", "special_tokens_map.json", "tokenizer.json",
    "tokenizer.model", "tokenizer_config.json",
]  # fmt: skip


def mistral_api_answer() -> dict[str, Any]:
    """What the Hub API answers for `GET /api/models/mistralai/Mistral-7B-v0.1` (the keys model_info() reads)."""
    return {
        "_id": "650aedb6238a644cb93a52c1", "id": "mistralai/Mistral-7B-v0.1", "author": "mistralai",
        "sha": MISTRAL_SHA, "createdAt": "2023-09-20T13:03:50.000Z", "lastModified": "2024-02-19T10:57:45.000Z",
        "private": False, "gated": False, "disabled": False, "downloads": 1482046, "likes": 3581,
        "library_name": "transformers", "tags": MISTRAL_TAGS, "pipeline_tag": "text-generation",
        "cardData": MISTRAL_CARD, "widgetData": [{"text": "My name is Julien and I like to"}],
        "config": MISTRAL_SUMMARY,
        "transformersInfo": {
            "auto_model": "AutoModelForCausalLM", "pipeline_tag": "text-generation", "processor": "AutoTokenizer"
        },
        "safetensors": {"parameters": {"BF16": 7241732096}, "total": 7241732096},
        "siblings": [{"rfilename": name} for name in MISTRAL_FILES],
        "spaces": ["HuggingFaceH4/open_llm_leaderboard"],
    }  # fmt: skip


def test_collect_model_from_the_hub_as_model_info_gives_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hf_api = pytest.importorskip("huggingface_hub.hf_api")
    import huggingface_hub

    from mlmeta.collect import facts as facts_module

    (repo / "downloaded").mkdir()
    (repo / "downloaded" / "config.json").write_text(json.dumps(MISTRAL), encoding="utf-8")
    asked: list[tuple[str, str, str | None]] = []

    def download(repo_id: str, filename: str, revision: str | None = None) -> str:
        asked.append((repo_id, filename, revision))
        return str(repo / "downloaded" / filename)

    api = SimpleNamespace(model_info=lambda repo_id, **_: hf_api.ModelInfo(**mistral_api_answer()))
    monkeypatch.setattr(facts_module, "hub_api", lambda: api)
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", download)
    assert main(["collect", "model", "mistralai/Mistral-7B-v0.1"]) == 0
    assert asked == [("mistralai/Mistral-7B-v0.1", "config.json", MISTRAL_SHA)]  # at the commit the info names
    assert written(repo / "model_metadata" / "mistralai_Mistral-7B-v0.1.json") == {
        "$schema": SCHEMA_ID,
        "id": "mistralai/Mistral-7B-v0.1",
        "author": "mistralai",
        "sha": MISTRAL_SHA,
        "created_at": "2023-09-20T13:03:50+00:00",
        "last_modified": "2024-02-19T10:57:45+00:00",
        "private": False,
        "gated": False,
        "disabled": False,
        "library_name": "transformers",
        "tags": MISTRAL_TAGS,
        "pipeline_tag": "text-generation",
        "mask_token": None,
        "card_data": MISTRAL_CARD,
        "model_index": None,
        "config": MISTRAL_SUMMARY,
        "transformers_info": {
            "auto_model": "AutoModelForCausalLM",
            "custom_class": None,
            "pipeline_tag": "text-generation",
            "processor": "AutoTokenizer",
        },
        "safetensors": {"parameters": {"BF16": 7241732096}, "total": 7241732096},
        "base_model": None,
        **EXPECTED["mistral"],
        "total_params": 7241732096,
    }
    assert capsys.readouterr().out == "wrote model_metadata/mistralai_Mistral-7B-v0.1.json\n"
    assert main(["check", "model_metadata"]) == 0


def test_a_gated_model_and_its_model_index(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hf_api = pytest.importorskip("huggingface_hub.hf_api")
    from mlmeta.collect.facts import from_hub_info
    from mlmeta.collect.model import hub_fields

    index = [{"name": "Mistral-7B-v0.1", "results": [{"task": {"type": "text-generation"}, "dataset": {
        "name": "AI2 Reasoning Challenge (25-Shot)", "type": "ai2_arc"}, "metrics": [
        {"type": "acc_norm", "value": 59.98, "name": "normalized accuracy", "verified": False}]}]}]  # fmt: skip
    info = hf_api.ModelInfo(**{**mistral_api_answer(), "gated": "manual", "model-index": index})
    fields = hub_fields(from_hub_info(info, MISTRAL))
    assert (fields["gated"], fields["model_index"]) == ("manual", index)


def test_collecting_into_a_hand_written_file_keeps_its_fields(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Collected facts update the file; a field the collector does not write, or cannot tell (null), stays."""
    model_files(repo / "snap", config=MIXTRAL, card=None, tokenizer=MIXTRAL_TOKENIZER)
    target = repo / "out" / "mistralai_Mixtral-8x7B-v0.1.json"
    target.parent.mkdir()
    hand = {"name": "Mixtral", "sha": "a" * 40, "num_layers": 1, "notes_by_hand": "kept", "config": {"mine": 1}}
    target.write_text(json.dumps(hand), encoding="utf-8")
    args = ["collect", "model", "mistralai/Mixtral-8x7B-v0.1", "--snapshot", "snap", "--output-dir", "out"]
    assert main(args) == 0
    found = written(target)
    assert list(found)[:5] == ["name", "sha", "num_layers", "notes_by_hand", "config"]  # the file's order first
    assert (found["name"], found["notes_by_hand"], found["sha"]) == ("Mixtral", "kept", "a" * 40)
    assert found["num_layers"] == EXPECTED["mixtral"]["num_layers"]  # a collected fact updates
    assert found["config"]["mine"] == 1 and found["config"]["model_type"] == "mixtral"
    assert main([*args, "--force"]) == 0  # replaced as collected
    assert "notes_by_hand" not in written(target)
    target.write_text("{not json", encoding="utf-8")
    capsys.readouterr()
    assert main(args) == 1
    assert "cannot keep its fields (not JSON); fix it, or --force to replace it" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "{not json"
    target.write_text('{"name": "a\\ud800"}', encoding="utf-8")
    assert main(args) == 1
    assert "cannot keep its fields (a string holds a lone surrogate" in capsys.readouterr().err


def test_a_card_alias_bomb_and_a_deep_config_are_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The card's front matter is read by check's bounded YAML reader; a config nested past any real one is refused."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n + 1}: &a{n + 1} [{', '.join([f'*a{n}'] * 9)}]" for n in range(8)]
    model_files(repo / "snap", config=MIXTRAL, card=None, tokenizer=MIXTRAL_TOKENIZER)
    (repo / "snap" / "README.md").write_text("---\n" + "\n".join(lines) + "\n---\n", encoding="utf-8")
    args = ["collect", "model", "a/b", "--snapshot", "snap", "--output-dir", "out"]
    assert main(args) == 1
    assert "front matter is not YAML: more than 10000 nodes expanded through aliases" in capsys.readouterr().err
    (repo / "snap" / "README.md").unlink()
    (repo / "snap" / "config.json").write_text('{"model_type": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    assert main(args) == 1
    assert "config.json: cannot read: nested too deeply" in capsys.readouterr().err
    (repo / "snap" / "config.json").write_text('{"a": ' + "[" * 150 + "]" * 150 + "}", encoding="utf-8")
    assert main(args) == 1
    assert "config.json: cannot read: nested deeper than 100 levels" in capsys.readouterr().err
    assert not (repo / "out").exists()


def test_a_bad_name_or_a_missing_snapshot(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collect", "model", "gpt2", "--snapshot", "nowhere"]) == 2
    assert capsys.readouterr().err == "mlmeta: error: 'gpt2' is not a Hub id (ORG/NAME)\n"
    assert main(["collect", "model", "a/b", "--snapshot", "nowhere"]) == 1
    assert capsys.readouterr().err == "mlmeta: error: nowhere: not a folder\n"
    assert not (repo / "model_metadata").exists()


def test_what_the_hub_refuses_is_an_error_message_not_a_traceback(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    errors = pytest.importorskip("huggingface_hub.errors")
    from mlmeta.collect import facts as facts_module

    real_api = facts_module.hub_api
    (repo / "local").mkdir()
    assert main(["collect", "model", str(repo / "local")]) == 1  # a path, validated before any request
    assert capsys.readouterr().err == (
        f"mlmeta: error: {str(repo / 'local')!r} is not a Hub id (ORG/NAME: letters, digits, -, _ and .); "
        "a local folder is read with --snapshot DIR\n"
    )

    def refused(error: BaseException) -> SimpleNamespace:
        def raising(*_: Any, **__: Any) -> Any:
            raise error

        return SimpleNamespace(model_info=raising, list_models=raising)

    offline = getattr(errors, "HTTPError", OSError)("[Errno -2] Name or service not known\nmore text")
    monkeypatch.setattr(facts_module, "hub_api", lambda: refused(offline))
    assert main(["collect", "model", "org/model"]) == 1
    said = capsys.readouterr().err
    assert said == "mlmeta: error: org/model: the Hub did not answer: [Errno -2] Name or service not known more text\n"
    assert main(["manifest", "generate", "--org", "org", "--output", "models.jsonl"]) == 1
    assert "mlmeta: error: org: the Hub did not answer: [Errno -2]" in capsys.readouterr().err
    missing = errors.RepositoryNotFoundError.__new__(errors.RepositoryNotFoundError)  # (its __init__ wants a response)
    Exception.__init__(missing, "404 Client Error. Repository Not Found for url: https://huggingface.co/api/models/x")
    monkeypatch.setattr(facts_module, "hub_api", lambda: refused(missing))
    assert main(["collect", "model", "org/model"]) == 1
    assert capsys.readouterr().err.startswith("mlmeta: error: org/model: the Hub did not answer: 404")
    cache = PermissionError(13, "Permission denied", "/cache/models--org--model")  # the download's, not the Hub's
    monkeypatch.setattr(facts_module, "hub_api", lambda: refused(cache))
    assert main(["collect", "model", "org/model"]) == 1
    assert capsys.readouterr().err == "mlmeta: error: /cache/models--org--model: Permission denied\n"
    monkeypatch.setattr(facts_module, "hub_api", lambda: refused(KeyError("siblings")))  # a bug stays a bug
    with pytest.raises(KeyError):
        facts_module.hub_facts("org/model")
    monkeypatch.setattr(facts_module, "hub_api", real_api)
    assert main(["collect", "model", "a/" + "b" * 300]) == 1  # too long a name for a path, and for an id
    assert "is not a Hub id" in capsys.readouterr().err
    assert not (repo / "model_metadata").exists() and not (repo / "models.jsonl").exists()


# --- scores ----------------------------------------------------------------------------------------------------

MODEL = "mistralai/Mistral-7B-v0.1"


def run_file(folder: Path, stamp: str, model: str, results: dict[str, Any], sha: str = MISTRAL_SHA) -> None:
    """One run of the leaderboard's details dataset: `results_<timestamp>.json`, as lighteval writes it."""
    folder.mkdir(parents=True, exist_ok=True)
    general = {
        "lighteval_sha": "0f318ecf002208468154899217b3ba7c6ae09374", "num_few_shot_default": 0,
        "num_fewshot_seeds": 1, "override_batch_size": 1, "max_samples": None, "job_id": "", "model_name": model,
        "model_sha": sha, "model_dtype": "torch.bfloat16", "model_size": "13.99 GB",
    }  # fmt: skip
    tasks = [key for key in results if key != "all"]
    value = {
        "config_general": general,
        "results": results,
        "versions": {"all": 0, **dict.fromkeys(tasks, 0)},
        "config_tasks": {key.rpartition("|")[0]: "LM Harness task" for key in tasks},
        "summary_tasks": {key: {"hashes": {"hash_examples": "a" * 16}, "truncated": 0} for key in tasks},
        "summary_general": {"hashes": {"hash_examples": "b" * 16}, "truncated": 0, "non_truncated": 1000},
    }
    (folder / f"results_{stamp}.json").write_text(json.dumps(value, indent=4), encoding="utf-8")


FIRST, SECOND, THIRD = "2023-09-27T15-30-59.039834", "2023-10-26T01-29-53.089924", "2023-12-02T13-02-14.153054"
RUNS: dict[str, dict[str, Any]] = {  # the first four benchmarks, then drop/gsm8k/winogrande, then gsm8k again
    FIRST: {
        "harness|arc:challenge|25": {"acc": 0.5716723549488054, "acc_stderr": 0.014460496367599019,
                                     "acc_norm": 0.5998293515358362, "acc_norm_stderr": 0.014317197787809172},
        "harness|hellaswag|10": {"acc": 0.6283608842859988, "acc_stderr": 0.004822550638450896,
                                 "acc_norm": float("nan"), "acc_norm_stderr": float("nan")},
        "harness|hendrycksTest-abstract_algebra|5": {"acc": 0.29, "acc_stderr": 0.045604802157206845,
                                                     "acc_norm": 0.29, "acc_norm_stderr": 0.045604802157206845},
        "harness|truthfulqa:mc|0": {"mc1": 0.2802937576499388, "mc1_stderr": 0.015723139524608763,
                                    "mc2": 0.4215317106968115, "mc2_stderr": 0.014138129483133954},
        "all": {"acc": 0.6, "acc_stderr": 0.03},
    },
    SECOND: {
        "harness|drop|3": {"em": 0.001572986577181208, "em_stderr": 0.00040584511324177333,
                           "f1": 0.06143666107382555, "f1_stderr": 0.0013713061256604275},
        "harness|gsm8k|5": {"acc": 0.1728582259287339, "acc_stderr": 0.010415432246200566},
        "harness|winogrande|5": {"acc": 0.7861089187056038, "acc_stderr": 0.011524466954090254},
        "all": {"em": 0.001572986577181208, "f1": 0.06143666107382555, "acc": 0.48},
    },
    THIRD: {"harness|gsm8k|5": {"acc": 0.1607278241091736, "acc_stderr": 0.01011637016512452}, "all": {}},
}  # fmt: skip


def leaderboard(root: Path) -> None:
    """The model's details dataset, one folder per run, and another model's."""
    for stamp, results in RUNS.items():
        run_file(root / "details_mistralai__Mistral-7B-v0.1" / stamp, stamp, MODEL, results)
    run_file(root / "details_other__model", "2024-01-01T00-00-00", "other/model", {"harness|gsm8k|5": {"acc": 0.9}})


def test_collect_scores_in_the_real_shape(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    leaderboard(repo / "details")
    hub_cache(repo / "cache", MODEL, config=MISTRAL)  # the reference rule wants the model's own file first
    assert main(["collect", "model", MODEL, "--snapshot", "cache/models--mistralai--Mistral-7B-v0.1"]) == 0
    assert main(["collect", "scores", MODEL, "--from", "details"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "wrote model_scores/mistralai_Mistral-7B-v0.1.json"
    assert written(repo / "model_scores" / "mistralai_Mistral-7B-v0.1.json") == {
        "$schema": "https://mlmeta.dev/schemas/results/v1.json",
        "model_name": MODEL,
        "last_updated": "2023-12-02",  # the day of the newest scores
        "results": {
            "harness": {
                "arc:challenge": {
                    "25-shot": {
                        "acc": 0.5716723549488054, "acc_stderr": 0.014460496367599019,
                        "acc_norm": 0.5998293515358362, "acc_norm_stderr": 0.014317197787809172, "timestamp": FIRST,
                    }
                },
                "drop": {
                    "3-shot": {
                        "em": 0.001572986577181208, "em_stderr": 0.00040584511324177333,
                        "f1": 0.06143666107382555, "f1_stderr": 0.0013713061256604275, "timestamp": SECOND,
                    }
                },
                "gsm8k": {  # the later run wins the task
                    "5-shot": {"acc": 0.1607278241091736, "acc_stderr": 0.01011637016512452, "timestamp": THIRD}
                },
                "hellaswag": {
                    "10-shot": {
                        "acc": 0.6283608842859988, "acc_stderr": 0.004822550638450896,
                        "acc_norm": None, "acc_norm_stderr": None, "timestamp": FIRST,  # NaN: not measured
                    }
                },
                "hendrycksTest-abstract_algebra": {
                    "5-shot": {
                        "acc": 0.29, "acc_stderr": 0.045604802157206845, "acc_norm": 0.29,
                        "acc_norm_stderr": 0.045604802157206845, "timestamp": FIRST,
                    }
                },
                "truthfulqa:mc": {
                    "0-shot": {
                        "mc1": 0.2802937576499388, "mc1_stderr": 0.015723139524608763,
                        "mc2": 0.4215317106968115, "mc2_stderr": 0.014138129483133954, "timestamp": FIRST,
                    }
                },
                "winogrande": {
                    "5-shot": {"acc": 0.7861089187056038, "acc_stderr": 0.011524466954090254, "timestamp": SECOND}
                },
            }
        },
    }  # fmt: skip
    assert main(["check", "model_scores", "model_metadata"]) == 0


def test_a_source_is_written_only_when_given(repo: Path) -> None:
    leaderboard(repo / "details")
    hub_cache(repo / "cache", MODEL, config=MISTRAL)
    assert main(["collect", "model", MODEL, "--snapshot", "cache/models--mistralai--Mistral-7B-v0.1"]) == 0
    assert main(["collect", "scores", MODEL, "--from", "details", "--source", "open-llm-leaderboard"]) == 0
    found = written(repo / "model_scores" / "mistralai_Mistral-7B-v0.1.json")
    assert (list(found)[-1], found["source"]) == ("source", "open-llm-leaderboard")
    assert main(["check", "model_scores"]) == 0


def test_no_result_file_for_the_model(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    leaderboard(repo / "details")
    assert main(["collect", "scores", "nobody/none", "--from", "details"]) == 1
    assert capsys.readouterr().err == "mlmeta: error: details: no leaderboard result file for nobody/none\n"
    (repo / "details" / "results_2024-02-02T00-00-00.json").write_text("{oops", encoding="utf-8")
    assert main(["collect", "scores", MODEL, "--from", "details"]) == 1
    assert "not a leaderboard result file" in capsys.readouterr().err
    assert not (repo / "model_scores").exists()


def test_result_files_with_numbers_python_cannot_take(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An integer past 4,300 digits is a CollectError; one a float cannot hold, or an odd shot count, is skipped."""
    details = repo / "details"
    run_file(details, "2023-12-02T00-00-00.000000", MODEL, {
        "harness|arc:challenge|25": {"acc": 10**4000, "acc_norm": 0.5},
        "harness|drop|²": {"em": 0.1},
        "harness|gsm8k|" + "9" * 5000: {"acc": 0.2},
    })  # fmt: skip
    assert main(["collect", "scores", MODEL, "--from", "details", "--output-dir", "out"]) == 0, capsys.readouterr()
    results = written(repo / "out" / "mistralai_Mistral-7B-v0.1.json")["results"]["harness"]
    stamp = "2023-12-02T00-00-00.000000"
    assert results == {"arc:challenge": {"25-shot": {"acc": 10**4000, "acc_norm": 0.5, "timestamp": stamp}}}
    big = details / "results_2023-12-03T00-00-00.000000.json"
    big.write_text('{"config_general": {}, "results": {"a|b|1": {"acc": ' + "9" * 5000 + "}}}", encoding="utf-8")
    assert main(["collect", "scores", MODEL, "--from", "details", "--output-dir", "out2"]) == 1
    err = capsys.readouterr().err
    assert "results_2023-12-03T00-00-00.000000.json: not a leaderboard result file: Exceeds the limit" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("config.json", '{"model_type": "bert\\ud800"}', "config.json: cannot read: a string holds a lone surrogate"),
        ("README.md", '---\nlicense: "mit\\ud800"\n---\n', "README.md: cannot read the model card: a string holds"),
    ],
)
def test_a_lone_surrogate_in_a_snapshot_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    """No file can be written with one: the collector says where it is instead of failing to write."""
    model_files(repo / "snap", config=MIXTRAL, card=None, tokenizer=MIXTRAL_TOKENIZER)
    (repo / "snap" / name).write_text(text, encoding="utf-8")
    assert main(["collect", "model", "a/b", "--snapshot", "snap", "--output-dir", "out"]) == 1
    assert message in capsys.readouterr().err
    assert not (repo / "out").exists()


def test_a_lone_surrogate_in_a_result_file_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_file(repo / "details", "2023-12-02T00-00-00.000000", MODEL, {"harness|arc\ud800|25": {"acc": 0.5}})
    text = (repo / "details" / "results_2023-12-02T00-00-00.000000.json").read_text(encoding="utf-8")
    assert "\\ud800" in text  # json.dumps wrote the escape
    assert main(["collect", "scores", MODEL, "--from", "details"]) == 1
    assert "not a leaderboard result file: a key holds a lone surrogate" in capsys.readouterr().err


def test_settings_the_hub_library_refuses_are_an_error_message(repo: Path) -> None:
    """huggingface_hub reads HF_ENDPOINT as it is imported: a bad one is said, in a process of its own."""
    pytest.importorskip("huggingface_hub")
    import sys

    environment = {**os.environ, "HF_ENDPOINT": "http://[::1", "HF_HUB_OFFLINE": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "mlmeta", "collect", "model", "org/model"],
        cwd=repo, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "mlmeta: error: huggingface_hub refuses its settings" in done.stderr
