"""No PHI in result files: `phi-structure` (aggregates only) and `phi-<type>` (identifiers in text).

Result files (`results`, `measurements`), the result parts of manifest rows and
model files, and any file `[tool.mlmeta.phi] paths` names hold aggregate metrics,
never raw PHI, prompts, documents or examples. A finding names the identifier
type and the length of the value, never the value: CI logs are public.

This module stays small, because the engine imports it for every kind: the
walker, the detectors and their libraries load only when a file in scope is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from mlmeta.config import Config, ConfigError
from mlmeta.findings import Finding, Problem
from mlmeta.globs import matches

if TYPE_CHECKING:
    from mlmeta.rules import Run, Where

KINDS = frozenset({"results", "measurements", "manifest", "model"})
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


def check(value: Any, where: Where) -> list[Problem]:
    if not in_scope(where.kind, where.path, where.run.config):
        return []
    return _scanner()(value, where, settings(where.run.config, where.run.cache))


@cache
def _scanner() -> Callable[[Any, Where, Settings], list[Problem]]:
    """`scan.problems`, imported on the first file in scope (an import statement per row costs 2 µs)."""
    from mlmeta.rules.phi.scan import problems

    return problems


def finish(where: Where) -> Iterator[Problem]:
    """After a file's last document: allowlist entries for it that matched nothing are stale."""
    if not in_scope(where.kind, where.path, where.run.config):
        return
    chosen = settings(where.run.config, where.run.cache)
    if not _allowlist_in_use(where.run, chosen):
        return  # nothing can be stale, and the allowlist code need not load
    from mlmeta.rules.phi.allowlist import stale

    yield from stale(where, chosen)


def _allowlist_in_use(run: Run, chosen: Settings) -> bool:
    """An allowlist was loaded this run, or there may be one to load (looked up once per run).

    Only a file that is not there is no allowlist: a path that cannot be looked at (a file where
    a folder should be, no permission) goes to the loader, which refuses it as the usage error it is.
    """
    if "phi.allowlist" in run.cache:
        return True
    if "phi.allowlist-file" not in run.cache:
        try:
            (run.root / chosen.allowlist).stat()
            run.cache["phi.allowlist-file"] = True
        except FileNotFoundError:
            run.cache["phi.allowlist-file"] = False
        except OSError:
            run.cache["phi.allowlist-file"] = True
    found: bool = run.cache["phi.allowlist-file"]
    return found


def redact(findings: Iterable[Finding]) -> list[Finding]:
    """Findings whose pointers (and messages) no longer show a key that holds PHI.

    Any rule may point below a key that is itself an e-mail address or a name; the
    pointer would print it. Such a token becomes `<redacted N characters>`.
    """
    from mlmeta.rules.phi.scan import redact_pointer

    out = []
    for finding in findings:
        shown, hidden = redact_pointer(finding.pointer)
        message = finding.message
        for token in hidden:
            message = message.replace(repr(token), f"<a key of {len(token)} characters>").replace(token, "<redacted>")
        out.append(finding._replace(pointer=shown, message=message) if hidden else finding)
    return out
