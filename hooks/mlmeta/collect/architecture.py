"""Architecture facts from `config.json`, in the catalog's vocabularies; null where the config does not say.

Each fact is read under the config's many spellings (`hidden_size`/`n_embd`/`d_model`, ...). A
fact is stated only when the config states it, or when the model type fixes it (T5's norm is an
RMSNorm whatever its key is called); transformers' defaults for absent keys are not assumed.
"""

from __future__ import annotations

from typing import Any

# fact -> config.json keys that state it, in order of preference
INTEGERS: dict[str, tuple[str, ...]] = {
    "dimension": ("hidden_size", "n_embd", "d_model", "dim"),
    "num_heads": ("num_attention_heads", "n_head", "n_heads", "num_heads", "encoder_attention_heads"),
    "num_layers": ("num_hidden_layers", "n_layer", "n_layers", "num_layers"),
    "intermediate_size": ("intermediate_size", "n_inner", "ffn_dim"),
    "vocab_size": ("vocab_size", "padded_vocab_size", "n_vocab"),
}
SEQUENCE = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx")
EXPERTS = ("num_local_experts", "num_experts", "moe_num_experts")
EXPERTS_TOP_K = ("num_experts_per_tok", "moe_top_k")
KV_HEADS = ("num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num")
ACTIVATIONS = ("hidden_act", "activation_function", "hidden_activation", "activation_type")
TYING = ("tie_word_embeddings", "weight_tying")
MULTI_QUERY = ("multi_query", "multi_query_attention")
PARALLEL = ("parallel_attn", "use_parallel_residual", "parallel_residual")
ROTARY = ("rope_theta", "rotary_emb_base", "rotary_pct", "rotary_dim", "rope_scaling")
# model types whose norm or positions the config's keys misstate or leave out
NORM_BY_TYPE = {"t5": "rmsnorm", "mt5": "rmsnorm", "umt5": "rmsnorm", "qwen": "rmsnorm", "olmo": "non-parametric"}
POSITIONS_BY_TYPE = {"gpt2": "learned", "opt": "learned", "bloom": "alibi", "t5": "relative", "mt5": "relative"}


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def _first(config: dict[str, Any], keys: tuple[str, ...]) -> int | None:
    return next((v for v in (_integer(config.get(key)) for key in keys) if v is not None), None)


def _flag(config: dict[str, Any], *keys: str) -> bool | None:
    """The first of these keys that holds a boolean."""
    return next((config[key] for key in keys if isinstance(config.get(key), bool)), None)


def facts(config: dict[str, Any]) -> dict[str, Any]:
    """Every architecture fact of the model file, in the catalog's order (MoE counts only for MoE models)."""
    found: dict[str, Any] = {name: _first(config, keys) for name, keys in INTEGERS.items()}
    found["mlp_ratio"] = _ratio(found["intermediate_size"], found["dimension"])
    found["sequence_length"] = _first(config, SEQUENCE)
    experts = _first(config, EXPERTS)
    if experts is not None and experts > 1:
        found["mlp_experts"] = experts
        found["mlp_experts_top_k"] = _first(config, EXPERTS_TOP_K)
    norm = layer_norm_type(config)
    found["layer_norm_type"] = norm
    found["positional_embeddings"] = positional_embeddings(config)
    found["attention_variant"] = attention_variant(config, found["num_heads"])
    found["attention_window"] = attention_window(config)
    found["weight_tying"] = _flag(config, *TYING)
    found["biases"] = biases(config, norm)
    found["block_type"] = block_type(config)
    found["activation"] = activation(config)
    return found


def _ratio(inner: int | None, hidden: int | None) -> int | float | None:
    if not inner or not hidden:
        return None
    return inner // hidden if inner % hidden == 0 else round(inner / hidden, 6)


def layer_norm_type(config: dict[str, Any]) -> str | None:
    by_type = NORM_BY_TYPE.get(str(config.get("model_type")))
    if by_type:
        return by_type
    if "rms_norm_eps" in config or config.get("rmsnorm") is True or config.get("layer_norm_type") == "rms":
        return "rmsnorm"
    if config.get("layer_norm_with_affine") is False:  # OLMo's own config: LayerNorm without weight or bias
        return "non-parametric"
    if any(key in config for key in ("layer_norm_eps", "layer_norm_epsilon", "layernorm_epsilon")):
        return "parametric"
    return None


def positional_embeddings(config: dict[str, Any]) -> str | None:
    kind = config.get("position_embedding_type")
    if config.get("alibi") is True:
        return "alibi"
    if kind == "rotary" or any(key in config for key in ROTARY) or config.get("rope") is True:
        return "rope"
    if kind == "absolute":
        return "learned"
    if kind in ("relative_key", "relative_key_query") or "relative_attention_num_buckets" in config:
        return "relative"
    if config.get("model_type") == "falcon" and config.get("alibi") is False:
        return "rope"  # Falcon uses rotary embeddings unless `alibi` is set
    return POSITIONS_BY_TYPE.get(str(config.get("model_type")))


def attention_variant(config: dict[str, Any], heads: int | None) -> str | None:
    """`gqa` when keys and values have fewer heads than queries, `mqa` when one, `full` when as many."""
    kv_heads = _first(config, KV_HEADS)
    if kv_heads is None:
        multi_query = _flag(config, *MULTI_QUERY)
        return None if multi_query is None else "mqa" if multi_query else "full"
    if kv_heads == 1:
        return "mqa"
    if heads is None:
        return None
    return "gqa" if kv_heads < heads else "full"


def attention_window(config: dict[str, Any]) -> str | None:
    """`sliding` when the config sets a window it uses; `standard` when it names none; null when silent."""
    if "sliding_window" not in config:
        return None
    if config.get("use_sliding_window") is False or _integer(config["sliding_window"]) is None:
        return "standard"  # Mixtral writes `"sliding_window": null`; Qwen2 a window it switches off
    return "sliding"


def biases(config: dict[str, Any], norm: str | None) -> str | None:
    """Which layers carry biases, when the config says whether the linear layers do."""
    linear = _linear_biases(config)
    if linear is None or norm is None:
        return None
    norm_bias = norm == "parametric"  # a LayerNorm has a bias; an RMSNorm or a non-parametric one has none
    if linear == "none":
        return "ln_only" if norm_bias else "none"
    return "attn_only" if linear == "attn" and not norm_bias else None


def _linear_biases(config: dict[str, Any]) -> str | None:
    """`none`, `attn` (attention projections only) or `all` linear layers, or null when not stated."""
    every = _flag(config, "include_bias", "bias")  # OLMo's and Falcon's switch for every linear layer
    if every is not None:
        return "all" if every else "none"
    attention, mlp = _flag(config, "attention_bias"), _flag(config, "mlp_bias")
    if attention is None or mlp is None:
        return None  # without both switches the MLP's biases are not stated
    return "all" if mlp else "attn" if attention else "none"


def block_type(config: dict[str, Any]) -> str | None:
    if config.get("block_type") in ("sequential", "parallel"):  # OLMo's own config names it
        return str(config["block_type"])
    parallel = _flag(config, *PARALLEL)
    if parallel is None and config.get("new_decoder_architecture") is True:
        parallel = True  # Falcon's 40B/180B layout: attention and MLP side by side
    return None if parallel is None else "parallel" if parallel else "sequential"


def activation(config: dict[str, Any]) -> str | None:
    value = next((config[k] for k in ACTIVATIONS if isinstance(config.get(k), str)), None)
    name = value.lower().replace("-", "_") if value else None
    return name if name and name.isidentifier() else None
