"""Deterministic benchmark data: model metadata files and `models.jsonl` rows, from a seed.

The shapes follow the repository's own `model_metadata/*.json` and the OpenMed manifest rows
(`tests/fixtures/manifest/valid/`): the same keys, value kinds and proportions (most rows carry
`null` for unknown facts, PII rows carry ~50 label names, a few rows carry enrichment fields).
Nothing is copied: every value is drawn from small vocabularies with `random.Random(seed)`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

try:  # the fastest writer when the benchmark's requirements are installed
    import orjson

    def _dumps(value: Any) -> bytes:
        return orjson.dumps(value)

except ImportError:  # pragma: no cover - orjson is in benchmarks/requirements.txt

    def _dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


# bumped whenever the generated data changes, so a kept --workdir is regenerated
GENERATOR_VERSION = 2

ORGS = ("EleutherAI", "allenai", "mistralai", "google", "meta-llama", "Qwen", "microsoft", "bigscience", "tiiuae")
BACKBONES = (  # (model_type, architecture class, norm, positions, activation, block)
    ("gpt_neox", "GPTNeoXForCausalLM", "parametric", "rope", "gelu", "parallel"),
    ("llama", "LlamaForCausalLM", "rmsnorm", "rope", "swiglu", "sequential"),
    ("mistral", "MistralForCausalLM", "rmsnorm", "rope", "swiglu", "sequential"),
    ("olmo", "OLMoForCausalLM", "non-parametric", "rope", "swiglu", "sequential"),
    ("gpt2", "GPT2LMHeadModel", "parametric", "learned", "gelu", "sequential"),
    ("bert", "BertForMaskedLM", "parametric", "learned", "gelu", "sequential"),
    ("bloom", "BloomForCausalLM", "parametric", "alibi", "gelu", "sequential"),
)
SIZES = (  # (label, dimension, heads, layers, params)
    ("160m", 768, 12, 12, 162_322_944),
    ("410m", 1024, 16, 24, 405_334_016),
    ("1b", 2048, 16, 16, 1_176_764_416),
    ("1.4b", 2048, 16, 24, 1_414_647_808),
    ("7b", 4096, 32, 32, 6_738_415_616),
    ("13b", 5120, 40, 40, 13_015_864_320),
)
# names of the repository's own dataset_metadata/ files, which the benchmark catalog carries beside the models
DATASETS = ("the_pile", "dolma", "c4", "webtext", "the_stack", "wikipedia_en", "bookcorpus")
PIPELINES = ("text-generation", "fill-mask", "text-classification")

FAMILIES = (("PII", 64), ("NER", 25), ("ZeroShot", 10), ("Vision", 1))
PII_LABELS = [  # label names, not personal data: a no-PHI check stays silent on them
    "PERSON", "FIRST_NAME", "LAST_NAME", "MIDDLE_NAME", "PREFIX", "USERNAME", "EMAIL", "PHONE", "URL", "LOCATION",
    "STREET_ADDRESS", "BUILDING_NUMBER", "ZIPCODE", "GPS_COORDINATES", "ORDINAL_DIRECTION", "DATE", "DATE_OF_BIRTH",
    "TIME", "AGE", "ID_NUM", "SSN", "ACCOUNT_NUMBER", "PASSWORD", "PIN", "API_KEY", "CREDIT_CARD",
    "CREDIT_CARD_ISSUER", "CVV", "IBAN", "BIC", "AMOUNT", "CURRENCY", "BITCOIN_ADDRESS", "ETHEREUM_ADDRESS",
    "MASKED_NUMBER", "GENDER", "EYE_COLOR", "HEIGHT", "ORGANIZATION", "JOB_TITLE", "JOB_DEPARTMENT", "OCCUPATION",
    "IP_ADDRESS", "MAC_ADDRESS", "USER_AGENT", "VIN", "VEHICLE_REGISTRATION", "IMEI", "OTHER",
]
NER_LABELS = (
    ("CHEM",), ("DISEASE",), ("GENE_OR_GENE_PRODUCT",), ("PROTEIN", "DNA", "RNA", "CELL"),
    ("ORGANISM", "SPECIES"), ("DRUG", "MEDICATION"), ("ORGAN", "TISSUE", "ANATOMY"), ("CANCER",),
)
NER_DOMAINS = ("ChemicalDetect", "DiseaseDetect", "GenomeDetect", "ProteinDetect", "OrganismDetect", "PharmaDetect")
PII_LANGUAGES = ("English", "German", "French", "Italian", "Spanish", "Dutch", "Hindi", "Portuguese")
LANGUAGE_CODES = {"English": "en", "German": "de", "French": "fr", "Italian": "it", "Spanish": "es",
                  "Dutch": "nl", "Hindi": "hi", "Portuguese": "pt"}
ARCHITECTURES = (  # (model_type, base model id, tier, parameters in millions)
    ("bert", "google-bert/bert-base-uncased", "Base", 110),
    ("xlm-roberta", "FacebookAI/xlm-roberta-large", "Large", 560),
    ("deberta-v2", "microsoft/deberta-v3-base", "Base", 184),
    ("roberta", "FacebookAI/roberta-base", "Base", 125),
    ("distilbert", "distilbert/distilbert-base-cased", "Small", 66),
    ("modernbert", "answerdotai/ModernBERT-large", "Large", 395),
    ("gliner", "urchade/gliner_multi_pii-v1", None, 209),
)
RELEASES = ("2025-08-05", "2025-10-21", "2026-01-12", "2026-04-14", "2026-06-03")
DEVICES = ("iphone_15_pro", "m2_air", "pixel_8", "rtx_4090")


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


def _timestamp(rng: random.Random) -> str:
    day = f"202{rng.randint(2, 5)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return f"{day}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.000Z"


def model_file(rng: random.Random, index: int) -> dict[str, Any]:
    """One `model_metadata/*.json` document: Hub facts, architecture facts, the AIND description."""
    org = rng.choice(ORGS)
    model_type, cls, norm, positions, activation, block = rng.choice(BACKBONES)
    size, dimension, heads, layers, params = rng.choice(SIZES)
    name = f"{model_type.replace('_', '-')}-{size}-r{index:05d}"
    repo_id = f"{org}/{name}"
    license_ = rng.choice(("apache-2.0", "mit", "llama2", "openrail"))
    pipeline = PIPELINES[1] if model_type == "bert" else rng.choice(PIPELINES)
    created, modified = sorted(_timestamp(rng) for _ in range(2))
    document: dict[str, Any] = {
        "$schema": "../schemas/model/v1.json",
        "id": repo_id,
        "author": org,
        "sha": _hex(rng, 40),
        "created_at": created,
        "last_modified": modified,
        "tags": ["transformers", "pytorch", "safetensors", model_type, pipeline, f"license:{license_}", "en"],
        "pipeline_tag": pipeline,
        "library_name": "transformers",
        "config": {"architectures": [cls], "model_type": model_type},
        "safetensors": {"parameters": {rng.choice(("BF16", "F16", "F32")): params}, "total": params},
        "dimension": dimension,
        "num_heads": heads,
        "num_layers": layers,
        "mlp_ratio": rng.choice((4, 2.6875, 3.5)),
        "layer_norm_type": norm,
        "positional_embeddings": positions,
        "attention_variant": rng.choice(("full", "full", "gqa", "mqa")),
        "attention_window": rng.choice(("standard", "standard", "sliding")),
        "biases": "all" if norm == "parametric" else "none",
        "block_type": block,
        "activation": activation,
        "sequence_length": rng.choice((512, 2048, 4096, 8192)),
        "batch_instances": rng.choice((256, 1024, 2048)),
        "total_params": params,
        "total_tokens_billions": rng.choice((300, 1000, 2000, 3000)),
        "weight_tying": rng.random() < 0.3,
        "optimizer": {"type": rng.choice(("adam", "adamw", "adafactor"))},
        "training_stages": [{"name": "pretraining", "data": d} for d in rng.sample(DATASETS, rng.randint(1, 3))],
        "reproducibility_hash": f"sha256:{_hex(rng, 64)}",
    }
    if rng.random() < 0.3:
        metrics = [{"name": metric, "value": round(rng.random(), 4)} for metric in ("accuracy", "perplexity")]
        evaluation = {"object_type": "Model evaluation", "name": "lm-eval-harness", "performance": metrics}
        document["evaluations"] = [evaluation]
    if model_type == "gpt2":  # some files use the version field, some do not
        document["software_framework"] = {"name": "transformers", "version": f"4.{rng.randint(30, 45)}.0"}
    return document


def _family(rng: random.Random) -> str:
    pick = rng.randrange(100)
    for family, share in FAMILIES:
        if pick < share:
            return family
        pick -= share
    return FAMILIES[-1][0]


def manifest_row(rng: random.Random, index: int) -> dict[str, Any]:
    """One `models.jsonl` row in the shape OpenMed's catalog has: 15 core fields, sometimes enrichment."""
    family = _family(rng)
    model_type, base, tier, millions = rng.choice(ARCHITECTURES)
    language = "English" if rng.random() < 0.6 else rng.choice(PII_LANGUAGES)
    formats = ["pytorch"] if rng.random() < 0.57 else ["mlx-fp", "pytorch"]
    suffix = "-mlx" if formats[0] == "mlx-fp" else ""
    benchmark: Any = {"dataset": None, "micro_f1": None, "recall": None}
    if family == "PII":
        labels = PII_LABELS[: rng.randint(40, len(PII_LABELS))]
        name = f"OpenMed-PII-{language}-{model_type}-{tier or 'Base'}-{millions}M-v{index}"
        task = "token-classification"
        if rng.random() < 0.05:
            benchmark = {"dataset": "nvidia/Nemotron-PII", "micro_f1": round(rng.uniform(0.8, 1), 4),
                         "recall": round(rng.uniform(0.8, 1), 4), "leakage": round(rng.uniform(0, 0.05), 4)}
    elif family == "NER":
        labels = list(rng.choice(NER_LABELS))
        name = f"OpenMed-NER-{rng.choice(NER_DOMAINS)}-{model_type}-{millions}M-v{index}"
        task = "token-classification"
        language = "English"
    elif family == "ZeroShot":
        labels, task = [], "zero-shot-classification"
        name = f"gliclass-{model_type}-{millions}m-v{index}"
    else:
        labels, task = [], "image-text-to-text"
        name = f"falcon-ocr-{rng.choice(('bf16', 'q6', 'q8'))}-v{index}"
        model_type, base, tier = "falcon-ocr", "tiiuae/Falcon-OCR", None
    row: dict[str, Any] = {
        "repo_id": f"OpenMed/{name}{suffix}",
        "family": family,
        "task": task,
        "languages": [LANGUAGE_CODES[language]],
        "tier": tier if rng.random() < 0.6 else None,
        "param_count": millions * 1_000_000 + rng.randrange(1_000_000) if rng.random() < 0.99 else None,
        "architecture": model_type,
        "base_model": base if rng.random() < 0.7 else None,
        "formats": formats,
        "canonical_labels": labels,
        "benchmark": benchmark,
        "arxiv": "2508.01630" if rng.random() < 0.31 else None,
        "license": "apache-2.0",
        "reproducibility_hash": f"sha256:{_hex(rng, 64)}",
        "released": rng.choice(RELEASES),
    }
    if rng.random() < 0.1:  # enriched rows: on-device measurements
        devices = rng.sample(DEVICES, 2)
        row["latency_ms"] = {device: round(rng.uniform(2, 60), 1) for device in devices}
        row["peak_ram_mb"] = {device: rng.choice((256, 384, 512, 1024)) for device in devices}
        row["recommended_tier"] = rng.choice(("phone", "laptop", "workstation", "server"))
    return row


def write_model_files(folder: Path, count: int, seed: int) -> list[Path]:
    """`count` model files in `folder`, named as the Hub collector names them (`org_name.json`)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        document = model_file(rng, index)
        path = folder / (document["id"].replace("/", "_") + ".json")
        path.write_text(json.dumps(document, indent=4) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def manifest_rows(seed: int) -> Iterator[dict[str, Any]]:
    """Rows as the catalog grows: about 4 in 10 PyTorch models are followed by their MLX conversion,
    whose `base_model` names the row above (in the namespace: the reference rule looks it up)."""
    rng = random.Random(seed)
    index = 0
    while True:
        row = manifest_row(rng, index)
        index += 1
        yield row
        if row["formats"] == ["pytorch"] and rng.random() < 0.4:
            converted = dict(row, repo_id=row["repo_id"] + "-mlx", base_model=row["repo_id"], formats=["mlx-fp"])
            converted["reproducibility_hash"] = f"sha256:{_hex(rng, 64)}"
            yield converted


def write_manifest(path: Path, rows: int, seed: int) -> Path:
    """A `models.jsonl` of `rows` compact rows, one a line, streamed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.writelines(_dumps(row) + b"\n" for row in islice(manifest_rows(seed), rows))
    return path


def sample(factory: Callable[[random.Random, int], dict[str, Any]], count: int, seed: int) -> Iterator[dict[str, Any]]:
    """The first documents a writer would produce, for checking the generator against the schema."""
    rng = random.Random(seed)
    return (factory(rng, index) for index in range(count))
