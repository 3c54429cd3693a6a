"""SARIF 2.1.0 for code scanning: one rule per rule id, one result per finding, at its region.

Each result also carries its JSON pointer as a logical location, and a fingerprint
built from the pointer rather than the line, so an alert survives lines moving above
it. Code scanning refuses a run with more than 25,000 results: past that, each rule
keeps its first results and one more result says how many of it were left out.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from typing import Any, TextIO
from urllib.parse import quote

from mlmeta import __version__
from mlmeta.findings import Finding, encodable

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
MAX_RESULTS = 25_000  # GitHub code scanning rejects a run with more
LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def known_rules() -> dict[str, tuple[str, str, list[str]]]:
    """rule id -> (description, default level, tags), the engine's own rules first."""
    from mlmeta.rules import BUILTIN, RULES

    rules = {rule: (text, "error", ["mlmeta"]) for rule, text in BUILTIN.items()}
    for rule, info in RULES.items():
        kinds = sorted(info.kinds) if info.kinds is not None else []
        rules[rule] = (info.description, LEVELS.get(info.default_severity, "error"), ["mlmeta", *kinds])
    return rules


def rule_descriptor(rule: str, description: str, level: str, tags: list[str]) -> dict[str, Any]:
    return {
        "id": rule,
        "shortDescription": {"text": description},
        "fullDescription": {"text": description},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": tags},
    }


def artifact(path: str) -> dict[str, str]:
    quoted = quote(os.fsencode(path))  # the name's own bytes, UTF-8 or not
    if path.startswith("/"):
        return {"uri": "file://" + quoted}
    return {"uri": quoted, "uriBaseId": "%SRCROOT%"}


def fingerprint(finding: Finding) -> str:
    # every row of a JSON Lines file has the same pointers: its line tells the rows apart
    row = str(finding.line) if _rows(finding) else ""
    key = "\0".join((finding.path, finding.pointer, finding.rule, finding.message, row))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _rows(finding: Finding) -> bool:
    """Whether the finding is in a JSON Lines file (its kind's format, or its name)."""
    from mlmeta.schemas import KINDS

    kind = KINDS.get(finding.kind) if finding.kind else None
    return kind.format == "jsonl" if kind else finding.path.endswith((".jsonl", ".ndjson"))


def result(finding: Finding, index: int, message: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact(finding.path),
            "region": {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)},
        }
    }
    pointer = encodable(finding.pointer)
    if pointer:
        name = pointer.rpartition("/")[2].replace("~1", "/").replace("~0", "~")
        location["logicalLocations"] = [{"name": name, "fullyQualifiedName": pointer}]
    where = f" (at {pointer})" if pointer and message is None else ""
    found: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVELS.get(finding.severity, "error"),
        "message": {"text": encodable(message or finding.message) + where},
        "locations": [location],
    }
    if message is None:
        found["partialFingerprints"] = {"mlmetaPointer/v1": fingerprint(finding)}
    if finding.kind is not None:
        found["properties"] = {"kind": finding.kind, "schemaVersion": finding.schema_version}
    return found


def per_rule_cap(counts: list[int], budget: int) -> int:
    """The largest number of results each rule may keep so that they, plus one summary for
    every rule cut short, fit the budget."""
    def needed(cap: int) -> int:
        return sum(min(n, cap) + (n > cap) for n in counts)

    low, high = 0, max(counts, default=0)
    while low < high:
        middle = (low + high + 1) // 2
        if needed(middle) <= budget:
            low = middle
        else:
            high = middle - 1
    return low


def log(findings: Iterable[Finding], limit: int = MAX_RESULTS) -> dict[str, Any]:
    listed = list(findings)
    rules = known_rules()
    for finding in listed:  # a rule no table knows still gets its descriptor
        level = LEVELS.get(finding.severity, "error")
        rules.setdefault(finding.rule, (f"The mlmeta rule {finding.rule!r}.", level, ["mlmeta"]))
    index = {rule: number for number, rule in enumerate(rules)}
    by_rule: dict[str, list[Finding]] = {}
    for finding in listed:
        by_rule.setdefault(finding.rule, []).append(finding)
    cap = per_rule_cap([len(group) for group in by_rule.values()], limit) if len(listed) > limit else len(listed)
    results: list[dict[str, Any]] = []
    for rule, group in by_rule.items():
        results.extend(result(finding, index[rule]) for finding in group[:cap])
        if len(group) > cap:
            left = len(group) - cap
            results.append(result(group[cap], index[rule], (
                f"{left} more '{rule}' findings are not listed here (a SARIF upload holds at most "
                f"{limit} results); run `mlmeta check --format json` for all of them"
            )))
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if len(listed) > limit:
        invocation["toolExecutionNotifications"] = [{
            "level": "warning",
            "message": {"text": f"{len(listed)} findings summarised to {len(results)} results"},
        }]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlmeta",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rule_descriptor(rule, *rules[rule]) for rule in rules],
            }},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",  # columns count characters, not UTF-16 units
            "results": results,
        }],
    }


def write(findings: Iterable[Finding], out: TextIO) -> None:
    json.dump(log(findings), out, indent=2, ensure_ascii=False)
    out.write("\n")
