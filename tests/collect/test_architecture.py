"""Architecture facts from real `config.json` files, in the catalog's vocabularies."""

from __future__ import annotations

from typing import Any

import pytest

from mlmeta.collect import architecture, hub_summary

from .configs import CONFIGS, EXPECTED, FALCON, MISTRAL, OLMO


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_facts_of_real_configs(name: str) -> None:
    assert architecture.facts(CONFIGS[name]) == EXPECTED[name]


def test_an_empty_config_states_nothing() -> None:
    found = architecture.facts({})
    assert set(found.values()) == {None}
    assert "mlp_experts" not in found  # a dense model has no expert counts, not null ones


@pytest.mark.parametrize(
    ("changes", "variant"),
    [
        ({"num_key_value_heads": 1}, "mqa"),
        ({"num_key_value_heads": 32}, "full"),
        ({"num_key_value_heads": 4}, "gqa"),
        ({"num_key_value_heads": 4, "num_attention_heads": None}, None),  # fewer than what? not known
    ],
)
def test_attention_variant_compares_key_value_heads_with_query_heads(
    changes: dict[str, Any], variant: str | None
) -> None:
    assert architecture.facts({**MISTRAL, **changes})["attention_variant"] == variant


@pytest.mark.parametrize(
    ("changes", "window"),
    [
        ({"sliding_window": 4096}, "sliding"),
        ({"sliding_window": None}, "standard"),
        ({"sliding_window": 32768, "use_sliding_window": False}, "standard"),  # Qwen2: a window switched off
        ({"sliding_window": False}, "standard"),
    ],
)
def test_attention_window(changes: dict[str, Any], window: str) -> None:
    assert architecture.facts({**MISTRAL, **changes})["attention_window"] == window


def test_t5_norm_and_positions_come_from_its_model_type() -> None:
    t5 = {"model_type": "t5", "d_model": 512, "num_heads": 8, "num_layers": 6, "layer_norm_epsilon": 1e-06,
          "relative_attention_num_buckets": 32, "feed_forward_proj": "relu", "d_ff": 2048}  # fmt: skip
    found = architecture.facts(t5)
    assert (found["layer_norm_type"], found["positional_embeddings"]) == ("rmsnorm", "relative")
    assert (found["dimension"], found["num_heads"], found["num_layers"]) == (512, 8, 6)


def test_attention_only_biases() -> None:
    config = {**MISTRAL, "attention_bias": True, "mlp_bias": False}
    assert architecture.facts(config)["biases"] == "attn_only"
    assert architecture.facts({**config, "mlp_bias": True})["biases"] is None  # `all` is not a collector fact


def test_offline_config_summary_keeps_what_the_hub_keeps() -> None:
    bitsandbytes = {
        "load_in_4bit": True,
        "load_in_8bit": False,
        "bnb_4bit_quant_type": "nf4",
        "quant_method": "bitsandbytes",
    }
    quantized = {**FALCON, "quantization_config": bitsandbytes}
    eos = {"__type": "AddedToken", "content": "</s>", "lstrip": False}
    tokenizer = {"bos_token": "<s>", "eos_token": eos, "model_max_length": 2048, "chat_template": "{{ messages }}"}
    assert hub_summary.config_summary(quantized, tokenizer) == {
        "architectures": ["FalconForCausalLM"],
        "model_type": "falcon",
        "auto_map": FALCON["auto_map"],
        "quantization_config": {"quant_method": "bitsandbytes", "load_in_4bit": True, "load_in_8bit": False},
        "tokenizer_config": {
            "bos_token": "<s>",
            "eos_token": eos,
            "chat_template": "{{ messages }}",
        },
    }
    assert hub_summary.config_summary(None, None) is None


@pytest.mark.parametrize(
    ("config", "files", "expected"),
    [
        (FALCON, ["tokenizer.json"], ("AutoModelForCausalLM", "modeling_falcon.FalconForCausalLM", "AutoTokenizer")),
        (OLMO, [], ("AutoModelForCausalLM", "modeling_olmo.OLMoForCausalLM", None)),
        (MISTRAL, ["tokenizer.model"], ("AutoModelForCausalLM", None, "AutoTokenizer")),
    ],
)
def test_offline_transformers_info(config: dict[str, Any], files: list[str], expected: tuple[Any, ...]) -> None:
    info = hub_summary.transformers_info(config, files)
    assert info is not None
    assert (info["auto_model"], info["custom_class"], info["processor"]) == expected
    assert info["pipeline_tag"] == "text-generation"


def test_no_transformers_info_for_an_ambiguous_class() -> None:
    assert hub_summary.transformers_info({"architectures": ["T5ForConditionalGeneration"]}, []) is None
    assert hub_summary.transformers_info({}, ["tokenizer.json"]) is None
