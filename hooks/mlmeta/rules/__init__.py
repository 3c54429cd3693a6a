"""Checks JSON Schema cannot say, one module per family.

`RULES` is the index: rule id -> (module, kinds it applies to, one-line description).
The engine imports a module only when a file of one of its kinds is checked,
so a model file never pays for the Kitfile or manifest rules. A module exposes
`check(value, where) -> Iterable[Problem]`; kinds None means every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from mlmeta.config import Config
from mlmeta.findings import Problem


@dataclass(frozen=True)
class RuleInfo:
    module: str
    kinds: frozenset[str] | None  # None: any kind, and files no route claims
    description: str
    default_severity: str = "error"


# Rules the engine itself produces while reading and validating.
BUILTIN = {
    "parse": "The file is not valid JSON, JSON Lines or YAML (NaN and Infinity included).",
    "encoding": "The file is not UTF-8, or starts with a byte-order mark.",
    "read": "The file cannot be read.",
    "duplicate-key": "An object holds the same key twice; the last value would silently win.",
    "schema": "The value breaks the JSON Schema of its kind and version.",
    "schema-ref": "The `$schema` or route names a kind or version that is not bundled.",
    "fix": "`mlmeta check --fix` could not write a file; its problems stand.",
}

RULES: dict[str, RuleInfo] = {
    "duplicate-row": RuleInfo(
        "mlmeta.rules.repo_ids", frozenset({"manifest"}), "Two manifest rows share a `repo_id`."
    ),
    "repo-namespace": RuleInfo(
        "mlmeta.rules.repo_ids",
        frozenset({"manifest", "measurements"}),
        "A `repo_id` is outside the namespace `[tool.mlmeta] namespace` requires.",
    ),
    "kitfile-path": RuleInfo(
        "mlmeta.rules.kitfile",
        frozenset({"kitfile"}),
        "A Kitfile path is absolute, leaves the Kitfile's folder, is a URL, or names a ModelKit outside `model.path`.",
    ),
    "kitfile-duplicate-path": RuleInfo(
        "mlmeta.rules.kitfile",
        frozenset({"kitfile"}),
        "Two Kitfile layers use the same path (after `./`, `..` and a trailing `/` are resolved).",
    ),
    "kitfile-part-type": RuleInfo(
        "mlmeta.rules.kitfile",
        frozenset({"kitfile"}),
        "A model part's `type` does not match `^[\\w][\\w.-]*$` or is longer than 64 characters.",
    ),
    "kitfile-missing-path": RuleInfo(
        "mlmeta.rules.kitfile",
        frozenset({"kitfile"}),
        "A Kitfile path does not exist beside the Kitfile (an error under `--strict`).",
        "warning",
    ),
    "kitfile-duplicate-dataset": RuleInfo(
        "mlmeta.rules.kitfile", frozenset({"kitfile"}), "Two datasets share a name (KitOps allows it).", "warning"
    ),
    "modelkit-layers": RuleInfo(
        "mlmeta.rules.modelkit",
        frozenset({"modelkit-manifest"}),
        "A ModelKit's layers do not fit it: a second model layer, legacy and current media types mixed, or "
        "(in an OCI layout) layers other than those its Kitfile declares.",
    ),
    # produced by `mlmeta modelkit ref` and the OCI image-layout check, not by a per-file check
    "modelkit-ref": RuleInfo(
        "mlmeta.modelkit.reference",
        frozenset(),
        "A ModelKit reference breaks the naming rules (registry, repository, tag or digest).",
    ),
    "modelkit-layout": RuleInfo(
        "mlmeta.modelkit.layout", frozenset(), "An OCI image layout lacks a valid `oci-layout` or `index.json`."
    ),
    "modelkit-blob": RuleInfo(
        "mlmeta.modelkit.layout",
        frozenset(),
        "A blob an OCI image layout names is missing, or differs from its declared size or digest.",
    ),
    "modelkit-config": RuleInfo(
        "mlmeta.modelkit.layout",
        frozenset(),
        "A ModelKit's config blob is not a Kitfile, or its layer digests are malformed or incomplete.",
    ),
    "duplicate-measurement": RuleInfo(
        "mlmeta.rules.measurements",
        frozenset({"measurements"}),
        "A measurements file holds two records for one `repo_id`; enrich would not know which to merge.",
    ),
    # produced by `mlmeta manifest enrich`, not by a per-file check
    "unmatched-measurement": RuleInfo(
        "mlmeta.manifest.enrich", frozenset(), "A measurement names a `repo_id` that no row of the manifest has."
    ),
    "script-coverage": RuleInfo(
        "mlmeta.rules.script_coverage", frozenset({"manifest"}), "(manifest v2) A PII row lacks `script_coverage`."
    ),
    "script-verdict": RuleInfo(
        "mlmeta.rules.script_coverage",
        frozenset({"manifest"}),
        "(manifest v2) A script's verdict does not follow the row's languages and its UNK rate.",
    ),
    "script-eval": RuleInfo(
        "mlmeta.rules.script_coverage",
        frozenset({"manifest"}),
        "(manifest v2) `script_eval` lacks a script the row's languages claim.",
    ),
    "hash-format": RuleInfo(
        "mlmeta.rules.hashes",
        None,
        "A provenance hash is not `sha256:` + 64 lower-case hex digits (upper case is fixable with `--fix`).",
    ),
    "duplicate-hash": RuleInfo(
        "mlmeta.rules.hashes",
        frozenset({"manifest"}),
        "Two manifest rows share a `reproducibility_hash`.",
        "warning",
    ),
}


@dataclass
class Run:
    """What every rule may share during one run: configuration and read-once caches."""

    config: Config
    strict: bool = False
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.config.root


@dataclass
class Where:
    """The document a rule is looking at."""

    path: str  # as printed
    file: Path
    kind: str | None
    version: int | None
    line: int  # the document's first line (a JSONL row's own line)
    run: Run
    state: dict[str, Any]  # per file and module: rows seen so far, for instance


Check = Callable[[Any, Where], Iterable[Problem]]


def checks_for(kind: str | None, selected: frozenset[str] | None) -> list[tuple[str, Check]]:
    """(module name, check) for each rule module that applies to this kind and selection."""
    modules: dict[str, None] = {}
    for rule_id, info in RULES.items():
        if selected is not None and rule_id not in selected:
            continue
        if info.kinds is None or kind in info.kinds:
            modules[info.module] = None
    return [(name, import_module(name).check) for name in modules]
