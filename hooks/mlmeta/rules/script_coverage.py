"""Manifest v2's rules that cross keys: a row's languages decide which scripts it claims.

- `script-coverage`: a PII row must carry `script_coverage`.
- `script-verdict`: in `script_coverage`, a script no language of the row claims is `unclaimed`;
  a claimed one is `unsupported` when its `unk_rate` is above 0.01, else `supported`.
- `script-eval`: `script_eval`, when present, holds every script the row's languages claim.

These are the catalog maintainers' own rules (ROW-V2), tied to manifest v2: a v1 row knows none of
these keys, so the module says nothing about any other version.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmeta.findings import Problem
from mlmeta.rules import Where

UNK_LIMIT = 0.01
SCRIPTS = frozenset(
    (
        "han_simplified",
        "han_traditional",
        "devanagari",
        "bengali",
        "tamil",
        "telugu",
        "kannada",
        "malayalam",
        "gujarati",
        "gurmukhi",
        "odia",
    )
)

# language code (lower case, `_` read as `-`) -> the scripts it claims; any other code claims none
CLAIMS: dict[str, tuple[str, ...]] = {
    "zh": ("han_simplified", "han_traditional"),
    "ja": ("han_simplified", "han_traditional"),
    "zh-cn": ("han_simplified",),
    "zh-hans": ("han_simplified",),
    "zh-hant": ("han_traditional",),
    "zh-hk": ("han_traditional",),
    "zh-tw": ("han_traditional",),
    "hi": ("devanagari",),
    "mr": ("devanagari",),
    "ne": ("devanagari",),
    "bn": ("bengali",),
    "as": ("bengali",),
    "ta": ("tamil",),
    "te": ("telugu",),
    "kn": ("kannada",),
    "ml": ("malayalam",),
    "gu": ("gujarati",),
    "pa": ("gurmukhi",),
    "or": ("odia",),
    "od": ("odia",),
}


def claimed(languages: Any) -> set[str]:
    """The scripts a row's languages claim."""
    if not isinstance(languages, list):
        return set()
    return {
        script
        for code in languages
        if isinstance(code, str)
        for script in CLAIMS.get(code.lower().replace("_", "-"), ())
    }


def expected_verdict(script: str, coverage: dict[str, Any], scripts: set[str]) -> str | None:
    """The verdict a script's coverage must carry, or None when its UNK rate is not a number."""
    if script not in scripts:
        return "unclaimed"
    rate = coverage.get("unk_rate")
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        return None  # the schema reports a missing or non-numeric rate
    return "unsupported" if rate > UNK_LIMIT else "supported"


def applies(kind: str | None, version: int | None) -> bool:
    """Whether the engine calls `check` for documents of this kind and version (not for a v1 manifest's rows)."""
    return kind == "manifest" and version == 2


def check(value: Any, where: Where) -> list[Problem]:
    if where.kind != "manifest" or where.version != 2 or not isinstance(value, dict):
        return []  # a list: no generator made for each row of a v1 manifest
    return list(_problems(value))


def _problems(value: dict[str, Any]) -> Iterator[Problem]:
    scripts = claimed(value.get("languages"))
    coverage = value.get("script_coverage")
    if value.get("family") == "PII" and "script_coverage" not in value:
        yield Problem("", "script-coverage", "a PII row must carry script_coverage (measured, never guessed)")
    if isinstance(coverage, dict):
        yield from _verdicts(coverage, scripts)
    evaluation = value.get("script_eval")
    if isinstance(evaluation, dict):
        missing = sorted(scripts - set(evaluation))
        if missing:
            names = ", ".join(missing)
            yield Problem("/script_eval", "script-eval", f"lacks {names}, claimed by the row's languages")


def _verdicts(coverage: dict[str, Any], scripts: set[str]) -> Iterator[Problem]:
    for script, facts in coverage.items():
        if script not in SCRIPTS or not isinstance(facts, dict) or "verdict" not in facts:
            continue  # an unknown script or a malformed entry is the schema's finding
        wanted = expected_verdict(script, facts, scripts)
        if wanted is None or facts["verdict"] == wanted:
            continue
        if wanted == "unclaimed":
            why = "no language of the row claims this script"
        elif wanted == "unsupported":
            why = f"a language of the row claims it and its unk_rate is above {UNK_LIMIT}"
        else:
            why = f"a language of the row claims it and its unk_rate is at most {UNK_LIMIT}"
        yield Problem(f"/script_coverage/{script}/verdict", "script-verdict", f"must be '{wanted}': {why}")
