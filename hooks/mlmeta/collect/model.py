"""`mlmeta collect model NAME`: a model metadata file (`model_metadata/<org>_<name>.json`) from the Hub or a snapshot.

The file holds what `HfApi.model_info()` gives, serialised as the catalog's collector writes it
(dates as `2023-09-20T13:03:50+00:00`; null where a local snapshot cannot tell, such as `private`),
the card's base model, then the architecture facts `config.json` states (`architecture.py`) and the
parameter total of the safetensors files.
"""

from __future__ import annotations

from typing import Any

from mlmeta.collect.facts import ModelFacts


def hub_fields(facts: ModelFacts) -> dict[str, Any]:
    """The `model_info()` fields, in its order."""
    parameters = facts.parameters
    return {
        "id": facts.repo_id,
        "author": facts.author,
        "sha": facts.sha,
        "created_at": facts.created_at,
        "last_modified": facts.last_modified,
        "private": facts.private,
        "gated": facts.gated,
        "disabled": facts.disabled,
        "library_name": facts.library_name,
        "tags": facts.tags,
        "pipeline_tag": facts.pipeline_tag,
        "mask_token": facts.mask_token,
        "card_data": facts.card or None,
        "model_index": facts.model_index,
        "config": facts.hub_config,
        "transformers_info": facts.transformers_info,
        "safetensors": {"parameters": parameters, "total": sum(parameters.values())} if parameters else None,
    }


def document(facts: ModelFacts, schema_ref: str) -> dict[str, Any]:
    """The model metadata file's content, in the order the catalog's own files use."""
    from mlmeta.collect import architecture

    base_model = facts.card.get("base_model")
    total = sum(facts.parameters.values()) if facts.parameters else 0
    return {
        "$schema": schema_ref,
        **hub_fields(facts),
        "base_model": base_model if isinstance(base_model, (str, list)) and base_model else None,
        **architecture.facts(facts.config or {}),
        "total_params": total or None,
    }


def file_name(repo_id: str) -> str:
    """`org/name` -> `org_name.json`, as collect_model_metadata.py names its files."""
    return repo_id.replace("/", "_") + ".json"
