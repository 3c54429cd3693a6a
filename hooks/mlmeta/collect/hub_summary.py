"""Offline replicas of two summaries the Hub computes for `model_info()`: `config` and `transformers_info`.

Online these come from the Hub as they are. For a local snapshot they are rebuilt from the same
files, keeping only what the Hub's summary keeps (huggingface.js `ModelData.config`,
`TokenizerConfig`, `QuantizationConfig`, `TransformersInfo`), so both sources write one shape.
"""

from __future__ import annotations

from typing import Any

# what the Hub keeps of tokenizer_config.json: the special tokens, the chat template, the system-prompt switch
TOKENIZER_KEYS = (
    "bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token",
    "chat_template", "use_default_system_prompt",
)  # fmt: skip
QUANTIZATION_KEYS = ("quant_method", "bits", "load_in_4bit", "load_in_8bit", "modules_to_not_convert")
TOKENIZER_FILES = frozenset(
    {"tokenizer_config.json", "tokenizer.json", "vocab.txt", "vocab.json", "tokenizer.model", "spiece.model"}
)
# architecture class suffix -> (transformers auto class, the pipeline it serves); longest suffix first
AUTO_CLASSES = (
    ("ForTokenClassification", "AutoModelForTokenClassification", "token-classification"),
    ("ForSequenceClassification", "AutoModelForSequenceClassification", "text-classification"),
    ("ForQuestionAnswering", "AutoModelForQuestionAnswering", "question-answering"),
    ("ForMaskedLM", "AutoModelForMaskedLM", "fill-mask"),
    ("ForCausalLM", "AutoModelForCausalLM", "text-generation"),
    ("LMHeadModel", "AutoModelForCausalLM", "text-generation"),
)


def config_summary(config: dict[str, Any] | None, tokenizer: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Hub's `config`: architectures, model type, auto map, quantisation, tokenizer config (what is there)."""
    if config is None and tokenizer is None:
        return None
    config = config or {}
    summary: dict[str, Any] = {}
    if isinstance(config.get("architectures"), list):
        summary["architectures"] = [a for a in config["architectures"] if isinstance(a, str)]
    if isinstance(config.get("model_type"), str):
        summary["model_type"] = config["model_type"]
    if isinstance(config.get("auto_map"), dict):
        summary["auto_map"] = config["auto_map"]
    quantization = config.get("quantization_config")
    if isinstance(quantization, dict):
        summary["quantization_config"] = {k: quantization[k] for k in QUANTIZATION_KEYS if k in quantization}
    if tokenizer is not None:
        summary["tokenizer_config"] = {k: tokenizer[k] for k in TOKENIZER_KEYS if k in tokenizer}
    return summary


def transformers_info(config: dict[str, Any] | None, files: list[str]) -> dict[str, Any] | None:
    """`transformers_info` from the first architecture's class name; null when its auto class is not plain."""
    architectures = (config or {}).get("architectures")
    first = architectures[0] if isinstance(architectures, list) and architectures else None
    if not isinstance(first, str):
        return None
    found = next(((auto, task) for suffix, auto, task in AUTO_CLASSES if first.endswith(suffix)), None)
    if found is None:
        return None  # ForConditionalGeneration and the like serve several auto classes: not guessed
    auto_model, pipeline_tag = found
    auto_map = (config or {}).get("auto_map")
    custom = auto_map.get(auto_model) if isinstance(auto_map, dict) else None
    return {
        "auto_model": auto_model,
        "custom_class": custom if isinstance(custom, str) else None,
        "pipeline_tag": pipeline_tag,
        "processor": "AutoTokenizer" if TOKENIZER_FILES & set(files) else None,
    }
