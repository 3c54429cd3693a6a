"""`mlmeta collect model NAME`: a model metadata file (`model_metadata/<org>_<name>.json`) from the Hub or a snapshot.

The Hub's facts (id, author, commit, dates, tags, pipeline tag, library, `config.json`'s
architectures and model type, safetensors parameters, card data, base model), plus the architecture
facts `config.json` states outright under its many spellings (`hidden_size`/`n_embd`/`d_model`, ...).
A fact the config does not state is left out, never guessed.
"""

from __future__ import annotations

from typing import Any

from mlmeta.collect.facts import ModelFacts

# model metadata key -> config.json keys that state it, in order of preference
INTEGERS: dict[str, tuple[str, ...]] = {
    "dimension": ("hidden_size", "n_embd", "d_model", "dim"),
    "num_heads": ("num_attention_heads", "n_head", "n_heads", "encoder_attention_heads"),
    "num_layers": ("num_hidden_layers", "n_layer", "n_layers", "num_layers"),
    "sequence_length": ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx"),
    "num_experts": ("num_local_experts", "num_experts", "moe_num_experts"),
    "top_k": ("num_experts_per_tok", "moe_top_k"),
}
ACTIVATIONS = ("hidden_act", "activation_function", "hidden_activation")


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def _first(config: dict[str, Any], keys: tuple[str, ...]) -> int | None:
    return next((v for v in (_integer(config.get(key)) for key in keys) if v is not None), None)


def architecture_facts(config: dict[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name, keys in INTEGERS.items():
        value = _first(config, keys)
        if value is not None:
            facts[name] = value
    hidden, inner = facts.get("dimension"), _first(config, ("intermediate_size", "n_inner", "ffn_dim"))
    if hidden and inner:
        facts["mlp_ratio"] = inner / hidden if inner % hidden else inner // hidden
    heads, kv_heads = facts.get("num_heads"), _integer(config.get("num_key_value_heads"))
    if heads and kv_heads:
        facts["attention_variant"] = (
            "full" if kv_heads == heads else "multi_query" if kv_heads == 1 else "grouped_query"
        )
    if "rms_norm_eps" in config:
        facts["layer_norm_type"] = "rms_norm"
    elif "layer_norm_eps" in config or "layer_norm_epsilon" in config:
        facts["layer_norm_type"] = "layer_norm"
    if "rope_theta" in config or config.get("position_embedding_type") == "rotary":
        facts["positional_embeddings"] = "rotary"
    elif config.get("position_embedding_type") == "absolute":
        facts["positional_embeddings"] = "learned"
    if "sliding_window" in config:
        window = config["sliding_window"]
        facts["attention_window"] = _integer(window)
    activation = next((config[k] for k in ACTIVATIONS if isinstance(config.get(k), str)), None)
    if activation and activation.lower().replace("-", "_").isidentifier():
        facts["activation"] = activation.lower().replace("-", "_")
    if isinstance(config.get("tie_word_embeddings"), bool):
        facts["weight_tying"] = config["tie_word_embeddings"]
    return facts


def document(facts: ModelFacts, schema_ref: str) -> dict[str, Any]:
    """The model metadata file's content, in the order the repository's own files use."""
    config = facts.config or {}
    architectures = [a for a in config.get("architectures") or [] if isinstance(a, str) and a]
    model_type = config.get("model_type") if isinstance(config.get("model_type"), str) else None
    summary: dict[str, Any] = {}
    if architectures:
        summary["architectures"] = architectures
    if model_type:
        summary["model_type"] = model_type
    parameters = facts.parameters
    base_model = facts.card.get("base_model")
    result: dict[str, Any] = {
        "$schema": schema_ref,
        "id": facts.repo_id,
        "author": facts.author,
        "sha": facts.sha,
        "created_at": facts.created_at,
        "last_modified": facts.last_modified,
        "tags": facts.tags,
        "pipeline_tag": facts.pipeline_tag,
        "library_name": facts.library_name,
        "config": summary or None,
        "safetensors": {"parameters": parameters, "total": sum(parameters.values())} if parameters else None,
        "card_data": facts.card or None,
        "base_model": base_model if isinstance(base_model, (str, list)) and base_model else None,
    }
    if result["sha"] is None:
        del result["sha"]  # the schema's commit is 40 hex digits: an unknown one is left out
    result.update(architecture_facts(config))
    if parameters and sum(parameters.values()):
        result["total_params"] = sum(parameters.values())
    return result


def file_name(repo_id: str) -> str:
    """`org/name` -> `org_name.json`, as collect_model_metadata.py names its files."""
    return repo_id.replace("/", "_") + ".json"
