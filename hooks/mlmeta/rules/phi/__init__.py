"""No PHI in result files: `phi-structure` (aggregates only) and `phi-<type>` (identifiers in text).

Result files (`results`, `measurements`), the result parts of manifest rows and
model files, and any file `[tool.mlmeta.phi] paths` names hold aggregate metrics,
never raw PHI, prompts, documents or examples. A finding names the identifier
type and the length of the value, never the value: CI logs are public.

This module stays small, because the engine imports it for every kind: the
walker, the detectors and their libraries load only when a file in scope is checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from mlmeta.findings import Finding, Problem
from mlmeta.rules.phi.settings import KINDS, MODEL_PARTS, Settings, claimed, in_scope, settings

if TYPE_CHECKING:
    from mlmeta.rules import Run, Where

__all__ = ["KINDS", "Settings", "check", "claimed", "finish", "in_scope", "redact", "settings"]


def check(value: Any, where: Where) -> list[Problem]:
    if where.kind == "model" and type(value) is dict and not any(map(value.__contains__, MODEL_PARTS)):
        return []  # no result part: nothing in scope, and the walker and detectors need not load
    scanning = where.state.get(_SCANNING)  # decided on a file's first document: a manifest has 100k more
    if scanning is None:
        scanning = where.state[_SCANNING] = _scanning(where)
    if not scanning:
        return []
    scanner, chosen, facts = scanning
    found: list[Problem] = scanner(value, where, chosen, facts)
    return found


_SCANNING = "phi.scanning"  # where.state: () when the file is out of scope, else (scanner, settings, facts)


def _scanning(where: Where) -> tuple[Any, ...]:
    """The file's scanner, settings and scan.facts; () when the file is out of scope. The scanner loads
    on the first file in scope (an import statement per row would cost 2 µs)."""
    if not in_scope(where.kind, where.path, where.run.config):
        return ()
    from mlmeta.rules.phi import scan

    return scan.problems, settings(where.run.config, where.run.cache), scan.facts(where)


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
    from mlmeta.rules.phi.pointers import redact_pointer

    out = []
    for finding in findings:
        shown, hidden = redact_pointer(finding.pointer)
        message = finding.message
        for token in hidden:
            message = message.replace(repr(token), f"<a key of {len(token)} characters>").replace(token, "<redacted>")
        out.append(finding._replace(pointer=shown, message=message) if hidden else finding)
    return out
