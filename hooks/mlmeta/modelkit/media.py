"""ModelKit media types: today's `application/vnd.kitops.modelkit.*` and the legacy `application/vnd.jozu.model.*`."""

from __future__ import annotations

import re

CONFIG = "application/vnd.kitops.modelkit.config.v1+json"
LEGACY_CONFIG = "application/vnd.jozu.model.config.v1+json"
CONFIGS = frozenset({CONFIG, LEGACY_CONFIG})
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
INDEX = "application/vnd.oci.image.index.v1+json"
MODELKIT_ARTIFACT = "application/vnd.kitops.modelkit.manifest.v1+json"
PROMPT_ANNOTATION = ("ml.kitops.modelkit.layer-subtype", "prompt")  # prompts are code layers marked so

_LAYER = re.compile(
    r"application/vnd\.kitops\.modelkit\.(?P<base>\w+)\.v1\.(?P<format>tar|raw)(?:\+(?P<compression>\w+))?"
)


def layer_base(media_type: str) -> str | None:
    """model, modelpart, dataset, code or docs; None for the legacy `content` layer, which names no kind."""
    match = _LAYER.fullmatch(media_type)
    return match.group("base") if match else None


def compression(media_type: str) -> str | None:
    """gzip, zstd or None (uncompressed) for a ModelKit layer; legacy layers are gzip."""
    if media_type.startswith("application/vnd.jozu.model."):
        return "gzip" if media_type.endswith("+gzip") else None
    match = _LAYER.fullmatch(media_type)
    return match.group("compression") if match else None


def family(media_type: str) -> str | None:
    if media_type.startswith("application/vnd.kitops.modelkit."):
        return "application/vnd.kitops.modelkit.*"
    if media_type.startswith("application/vnd.jozu.model."):
        return "legacy application/vnd.jozu.model.*"
    return None
