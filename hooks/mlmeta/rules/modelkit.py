"""What a ModelKit manifest's layers must say beyond their schema.

A ModelKit has one model layer -- the model's other files are `modelpart`
layers -- and KitOps never mixes the legacy `application/vnd.jozu.model.*`
media types with today's `application/vnd.kitops.modelkit.*` in one manifest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmeta.findings import Problem
from mlmeta.modelkit.media import family, layer_base
from mlmeta.rules import Where


def check(value: Any, where: Where) -> Iterator[Problem]:
    if not isinstance(value, dict) or not isinstance(value.get("layers"), list):
        return
    config = value.get("config")
    config_type = config.get("mediaType") if isinstance(config, dict) else None
    expected_family = family(config_type) if isinstance(config_type, str) else None
    model_layer: int | None = None
    for index, layer in enumerate(value["layers"]):
        media_type = layer.get("mediaType") if isinstance(layer, dict) else None
        if not isinstance(media_type, str):
            continue
        pointer = f"/layers/{index}/mediaType"
        layer_family = family(media_type)
        if expected_family and layer_family and layer_family != expected_family:
            message = f"a {layer_family} media type under a config of {expected_family}: KitOps never mixes them"
            yield Problem(pointer, "modelkit-layers", message)
        if layer_base(media_type) == "model":
            if model_layer is not None:
                message = f"a ModelKit has one model layer, /layers/{model_layer}; the model's other files are parts"
                yield Problem(pointer, "modelkit-layers", message)
            else:
                model_layer = index
