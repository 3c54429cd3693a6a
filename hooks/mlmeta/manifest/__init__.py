"""The model manifest (`models.jsonl`): measurements, enrichment, generation, provenance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlmeta.manifest.registry import ManifestError, Registry

__all__ = ["ManifestError", "Registry"]


def __getattr__(name: str) -> Any:
    # `from mlmeta.manifest import Registry` without importing the registry for every manifest tool
    if name in __all__:
        from mlmeta.manifest import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
