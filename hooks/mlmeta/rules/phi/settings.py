"""`[tool.mlmeta.phi]`: which files the no-PHI rules look at, and their limits (read once per run)."""

from __future__ import annotations

from typing import Any, NamedTuple

from mlmeta.config import Config, ConfigError
from mlmeta.globs import matches

KINDS = frozenset({"results", "measurements", "manifest", "model"})
MODEL_PARTS = ("evaluations", "training")  # the result parts of a model file: all the walk reads of one
ALLOWLIST = ".mlmeta-phi-allowlist"
STALE = "phi-allowlist-stale"


class Settings(NamedTuple):
    paths: tuple[str, ...] = ()
    max_string: int = 200
    max_items: int = 20
    allowlist: str = ALLOWLIST


def settings(config: Config, cache: dict[str, Any] | None = None) -> Settings:
    """`[tool.mlmeta.phi]`, checked once per run: a bad value is a usage error, not a finding."""
    if cache is not None and "phi.settings" in cache:
        found: Settings = cache["phi.settings"]
        return found
    table = config.table.get("phi", {})
    where = f"{config.source}: [tool.mlmeta.phi]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = sorted(set(table) - {"paths", "max_string_length", "max_list_items", "allowlist"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    paths = table.get("paths", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"{where}: paths is a list of file patterns")
    numbers = {}
    defaults = Settings._field_defaults
    for key, default in (("max_string_length", defaults["max_string"]), ("max_list_items", defaults["max_items"])):
        number = table.get(key, default)
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ConfigError(f"{where}: {key} is a positive integer")
        numbers[key] = number
    allowlist = table.get("allowlist", ALLOWLIST)
    if not isinstance(allowlist, str) or not allowlist:
        raise ConfigError(f"{where}: allowlist is a file path relative to the repository root")
    result = Settings(tuple(paths), numbers["max_string_length"], numbers["max_list_items"], allowlist)
    if cache is not None:
        cache["phi.settings"] = result
    return result


def claimed(relative: str, config: Config) -> bool:
    """A file `[tool.mlmeta.phi] paths` routes to the rule, whatever its kind (or none)."""
    patterns = config.option("phi", "paths", [])
    return isinstance(patterns, list) and any(isinstance(p, str) and matches(p, relative) for p in patterns)


def in_scope(kind: str | None, relative: str, config: Config) -> bool:
    return kind in KINDS or claimed(relative, config)
