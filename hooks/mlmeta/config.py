"""`[tool.mlmeta]` in pyproject.toml: routes, exclusions and the options rules read."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# keys rule modules own: each reads its own table from Config.table
KNOWN_KEYS = {"kinds", "routes", "exclude", "namespace", "taxonomy", "phi", "pytest", "layout", "references", "kitfile"}


class ConfigError(Exception):
    """A configuration the user must fix: a usage error (exit 2), not a finding."""


class Config:
    """A repository's root and its `[tool.mlmeta]` table (a plain class: a dataclass costs a hook's start-up 1 ms)."""

    def __init__(
        self,
        root: Path,
        routes: dict[str, str] | None = None,  # glob -> "kind" or "kind@N"
        exclude: list[str] | None = None,
        table: dict[str, Any] | None = None,  # the whole [tool.mlmeta] table
        source: Path | None = None,
    ) -> None:
        self.root = root
        self.routes = routes if routes is not None else {}
        self.exclude = exclude if exclude is not None else []
        self.table = table if table is not None else {}
        self.source = source
        self.derived: dict[str, Any] = {}  # what is worked out from the table once per run (the kinds)

    def __repr__(self) -> str:
        return f"Config(root={self.root!r}, source={self.source!r}, table={self.table!r})"

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
    """The `[tool.mlmeta]` table; the file is parsed only when its text can spell `mlmeta`.

    Most repositories' pyproject.toml has no such table, and tomllib costs a hook's start-up
    about 6 ms. A TOML key is written out literally, or with `\\u`/`\\U` escapes in a quoted key.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: {error}") from error
    if b"mlmeta" not in raw and b"\\u" not in raw and b"\\U" not in raw:
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        table: dict[str, Any] = tomllib.loads(raw.decode()).get("tool", {}).get("mlmeta", {})
        return table
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error


def load(root: Path, path: Path | None = None) -> Config:
    source = path or root / "pyproject.toml"
    if not source.is_file():
        if path is not None:
            raise ConfigError(f"{path}: no such file")
        return Config(root)
    table = _toml(source)
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) in [tool.mlmeta]: {', '.join(unknown)}")
    routes = table.get("routes", {})
    exclude = table.get("exclude", [])
    if not isinstance(routes, dict) or not all(isinstance(v, str) for v in routes.values()):
        raise ConfigError(f"{source}: [tool.mlmeta.routes] maps file patterns to 'kind' or 'kind@N'")
    if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
        raise ConfigError(f"{source}: tool.mlmeta.exclude is a list of file patterns")
    kinds = table.get("kinds", {})
    if not isinstance(kinds, dict):
        raise ConfigError(f"{source}: [tool.mlmeta.kinds] holds a table per kind, such as [tool.mlmeta.kinds.lab]")
    if not isinstance(table.get("namespace", ""), str):
        raise ConfigError(f"{source}: tool.mlmeta.namespace is a Hub organisation name, a string")
    return Config(root, dict(routes), list(exclude), table, source)


def discover(path: str | None = None) -> Config:
    """The configuration of the repository around the working directory; `path` is a command's `--config`."""
    return load(find_root(Path.cwd()), Path(path) if path else None)
