"""`[tool.mlmeta]` in pyproject.toml: routes, exclusions and the options rules read."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# keys rule modules own: each reads its own table from Config.table
KNOWN_KEYS = {"routes", "exclude", "namespace", "taxonomy", "phi", "pytest", "layout", "references", "kitfile"}


class ConfigError(Exception):
    """A configuration the user must fix: a usage error (exit 2), not a finding."""


@dataclass
class Config:
    root: Path
    routes: dict[str, str] = field(default_factory=dict)  # glob -> "kind" or "kind@N"
    exclude: list[str] = field(default_factory=list)
    table: dict[str, Any] = field(default_factory=dict)  # the whole [tool.mlmeta] table
    source: Path | None = None

    def option(self, section: str, key: str, default: Any = None) -> Any:
        value = self.table.get(section, {})
        return value.get(key, default) if isinstance(value, dict) else default

    @property
    def namespace(self) -> str | None:
        value = self.table.get("namespace")
        return value if isinstance(value, str) else None


def find_root(start: Path) -> Path:
    """The nearest folder holding pyproject.toml or .git; the start folder when there is none."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file() or (folder / ".git").exists():
            return folder
    return start


def _toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error


def load(root: Path, path: Path | None = None) -> Config:
    source = path or root / "pyproject.toml"
    if not source.is_file():
        if path is not None:
            raise ConfigError(f"{path}: no such file")
        return Config(root)
    table = _toml(source).get("tool", {}).get("mlmeta", {})
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) in [tool.mlmeta]: {', '.join(unknown)}")
    routes = table.get("routes", {})
    exclude = table.get("exclude", [])
    if not isinstance(routes, dict) or not all(isinstance(v, str) for v in routes.values()):
        raise ConfigError(f"{source}: [tool.mlmeta.routes] maps file patterns to 'kind' or 'kind@N'")
    if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
        raise ConfigError(f"{source}: tool.mlmeta.exclude is a list of file patterns")
    return Config(root, dict(routes), list(exclude), table, source)


def discover(path: str | None = None) -> Config:
    """The configuration of the repository around the working directory; `path` is a command's `--config`."""
    return load(find_root(Path.cwd()), Path(path) if path else None)
