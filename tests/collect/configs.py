"""`config.json` files of real Hub models (a few keys no fact reads left out), and the facts read from each."""

from __future__ import annotations

from typing import Any

MIXTRAL = {  # mistralai/Mixtral-8x7B-v0.1
    "architectures": ["MixtralForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 1, "eos_token_id": 2,
    "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
    "max_position_embeddings": 32768, "model_type": "mixtral", "num_attention_heads": 32, "num_experts_per_tok": 2,
    "num_hidden_layers": 32, "num_key_value_heads": 8, "num_local_experts": 8, "output_router_logits": False,
    "rms_norm_eps": 1e-05, "rope_theta": 1000000.0, "router_aux_loss_coef": 0.02, "sliding_window": None,
    "tie_word_embeddings": False, "torch_dtype": "bfloat16", "transformers_version": "4.36.0.dev0",
    "use_cache": True, "vocab_size": 32000,
}  # fmt: skip
MIXTRAL_TOKENIZER = {  # its tokenizer_config.json, without added_tokens_decoder
    "add_bos_token": True, "add_eos_token": False, "additional_special_tokens": [], "bos_token": "<s>",
    "clean_up_tokenization_spaces": False, "eos_token": "</s>", "legacy": True, "pad_token": None,
    "sp_model_kwargs": {}, "spaces_between_special_tokens": False, "tokenizer_class": "LlamaTokenizer",
    "unk_token": "<unk>", "use_default_system_prompt": False,
}  # fmt: skip
MISTRAL = {  # mistralai/Mistral-7B-v0.1
    "architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
    "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 32768,
    "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
    "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096, "tie_word_embeddings": False,
    "torch_dtype": "bfloat16", "transformers_version": "4.34.0.dev0", "use_cache": True, "vocab_size": 32000,
}  # fmt: skip
FALCON = {  # tiiuae/falcon-7b
    "alibi": False, "apply_residual_connection_post_layernorm": False, "architectures": ["FalconForCausalLM"],
    "attention_dropout": 0.0,
    "auto_map": {
        "AutoConfig": "configuration_falcon.FalconConfig", "AutoModel": "modeling_falcon.FalconModel",
        "AutoModelForSequenceClassification": "modeling_falcon.FalconForSequenceClassification",
        "AutoModelForTokenClassification": "modeling_falcon.FalconForTokenClassification",
        "AutoModelForQuestionAnswering": "modeling_falcon.FalconForQuestionAnswering",
        "AutoModelForCausalLM": "modeling_falcon.FalconForCausalLM",
    },
    "bias": False, "bos_token_id": 11, "eos_token_id": 11, "hidden_dropout": 0.0, "hidden_size": 4544,
    "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "model_type": "falcon", "multi_query": True,
    "new_decoder_architecture": False, "num_attention_heads": 71, "num_hidden_layers": 32, "parallel_attn": True,
    "torch_dtype": "bfloat16", "transformers_version": "4.27.4", "use_cache": True, "vocab_size": 65024,
}  # fmt: skip
OLMO = {  # allenai/OLMo-7B (its own hf_olmo config)
    "activation_type": "swiglu", "alibi": False, "alibi_bias_max": 8.0, "architectures": ["OLMoForCausalLM"],
    "attention_layer_norm": False, "attention_layer_norm_with_affine": False,
    "auto_map": {
        "AutoConfig": "configuration_olmo.OLMoConfig", "AutoModelForCausalLM": "modeling_olmo.OLMoForCausalLM",
        "AutoTokenizer": ["tokenization_olmo_fast.OLMoTokenizerFast", "tokenization_olmo_fast.OLMoTokenizerFast"],
    },
    "bias_for_layer_norm": False, "block_group_size": 1, "block_type": "sequential", "d_model": 4096,
    "embedding_size": 50304, "include_bias": False, "layer_norm_type": "default", "layer_norm_with_affine": False,
    "max_sequence_length": 2048, "mlp_hidden_size": 22016, "mlp_ratio": 4, "model_type": "olmo",
    "multi_query_attention": False, "n_heads": 32, "n_kv_heads": None, "n_layers": 32, "rope": True,
    "vocab_size": 50280, "weight_tying": False,
}  # fmt: skip
PYTHIA = {  # EleutherAI/pythia-160m
    "architectures": ["GPTNeoXForCausalLM"], "bos_token_id": 0, "eos_token_id": 0, "hidden_act": "gelu",
    "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072, "layer_norm_eps": 1e-05,
    "max_position_embeddings": 2048, "model_type": "gpt_neox", "num_attention_heads": 12, "num_hidden_layers": 12,
    "rotary_emb_base": 10000, "rotary_pct": 0.25, "tie_word_embeddings": False, "torch_dtype": "float16",
    "transformers_version": "4.24.0", "use_cache": True, "use_parallel_residual": True, "vocab_size": 50304,
}  # fmt: skip
GPT2 = {  # openai-community/gpt2
    "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1, "bos_token_id": 50256,
    "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02, "layer_norm_epsilon": 1e-05,
    "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024,
    "resid_pdrop": 0.1, "summary_activation": None, "summary_first_dropout": 0.1, "summary_proj_to_labels": True,
    "summary_type": "cls_index", "summary_use_proj": True, "vocab_size": 50257,
}  # fmt: skip
LLAMA31 = {  # meta-llama/Llama-3.1-8B: both bias switches
    "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": 128000,
    "eos_token_id": 128001, "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02,
    "intermediate_size": 14336, "max_position_embeddings": 131072, "mlp_bias": False, "model_type": "llama",
    "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "pretraining_tp": 1,
    "rms_norm_eps": 1e-05,
    "rope_scaling": {
        "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192,
        "rope_type": "llama3",
    },
    "rope_theta": 500000.0, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
    "transformers_version": "4.43.0.dev0", "use_cache": True, "vocab_size": 128256,
}  # fmt: skip
LLAMA2 = {  # meta-llama/Llama-2-7b-hf: no bias switches, so its biases are not stated
    "architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
    "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 11008, "max_position_embeddings": 4096,
    "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32,
    "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": None, "tie_word_embeddings": False,
    "torch_dtype": "float16", "transformers_version": "4.31.0.dev0", "use_cache": True, "vocab_size": 32000,
}  # fmt: skip


def facts(**stated: Any) -> dict[str, Any]:
    """The architecture facts of a model file: null unless stated (MoE counts only when stated)."""
    keys = (
        "dimension", "num_heads", "num_layers", "intermediate_size", "vocab_size", "mlp_ratio", "sequence_length",
        "layer_norm_type", "positional_embeddings", "attention_variant", "attention_window", "weight_tying",
        "biases", "block_type", "activation",
    )  # fmt: skip
    found = dict.fromkeys(keys, None)
    found.update(stated)
    order = [*keys[:7], "mlp_experts", "mlp_experts_top_k", *keys[7:]]
    return {key: found[key] for key in order if key in found}


LLAMA_LIKE = {"layer_norm_type": "rmsnorm", "positional_embeddings": "rope", "activation": "silu"}
# Mixtral writes `"sliding_window": null` (no window); Falcon's config has no sequence length or MLP width
EXPECTED: dict[str, dict[str, Any]] = {
    "mixtral": facts(
        dimension=4096, num_heads=32, num_layers=32, intermediate_size=14336, vocab_size=32000, mlp_ratio=3.5,
        sequence_length=32768, mlp_experts=8, mlp_experts_top_k=2, **LLAMA_LIKE, attention_variant="gqa",
        attention_window="standard", weight_tying=False,
    ),
    "mistral": facts(
        dimension=4096, num_heads=32, num_layers=32, intermediate_size=14336, vocab_size=32000, mlp_ratio=3.5,
        sequence_length=32768, **LLAMA_LIKE, attention_variant="gqa", attention_window="sliding", weight_tying=False,
    ),
    "falcon": facts(
        dimension=4544, num_heads=71, num_layers=32, vocab_size=65024, layer_norm_type="parametric",
        positional_embeddings="rope", attention_variant="mqa", biases="ln_only", block_type="parallel",
    ),
    "olmo": facts(
        dimension=4096, num_heads=32, num_layers=32, vocab_size=50280, sequence_length=2048,
        layer_norm_type="non-parametric", positional_embeddings="rope", attention_variant="full", weight_tying=False,
        biases="none", block_type="sequential", activation="swiglu",
    ),
    "pythia": facts(
        dimension=768, num_heads=12, num_layers=12, intermediate_size=3072, vocab_size=50304, mlp_ratio=4,
        sequence_length=2048, layer_norm_type="parametric", positional_embeddings="rope", weight_tying=False,
        block_type="parallel", activation="gelu",
    ),
    "gpt2": facts(
        dimension=768, num_heads=12, num_layers=12, vocab_size=50257, sequence_length=1024,
        layer_norm_type="parametric", positional_embeddings="learned", activation="gelu_new",
    ),
    "llama3.1": facts(
        dimension=4096, num_heads=32, num_layers=32, intermediate_size=14336, vocab_size=128256, mlp_ratio=3.5,
        sequence_length=131072, **LLAMA_LIKE, attention_variant="gqa", weight_tying=False, biases="none",
    ),
    "llama2": facts(
        dimension=4096, num_heads=32, num_layers=32, intermediate_size=11008, vocab_size=32000, mlp_ratio=2.6875,
        sequence_length=4096, **LLAMA_LIKE, attention_variant="full", weight_tying=False,
    ),
}  # fmt: skip

CONFIGS: dict[str, dict[str, Any]] = {
    "mixtral": MIXTRAL, "mistral": MISTRAL, "falcon": FALCON, "olmo": OLMO, "pythia": PYTHIA, "gpt2": GPT2,
    "llama3.1": LLAMA31, "llama2": LLAMA2,
}  # fmt: skip
