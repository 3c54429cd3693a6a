"""GitHub Actions workflow commands: one annotation per finding, on the file, line and column.

GitHub shows at most 10 annotations of each severity per step and drops the rest
without a word; when a severity has more, every finding also goes into a Markdown
table in `$GITHUB_STEP_SUMMARY` (when the runner sets it), so none is lost.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from mlmeta.findings import Finding, printable

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}
SHOWN_PER_SEVERITY = 10  # GitHub's limit of annotations of one severity in one step


def escape_data(text: str) -> str:
    """As @actions/core's `escapeData`: the message after `::`."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """As @actions/core's `escapeProperty`: a `key=value` before `::`, where `:` and `,` are syntax."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    properties = {
        "file": finding.path,
        "line": str(finding.line),
        "col": str(finding.column),
        "title": f"mlmeta {finding.schema_label} {finding.rule}",
    }
    listed = ",".join(f"{key}={escape_property(printable(value, newlines=True))}" for key, value in properties.items())
    where = f" (at {finding.pointer})" if finding.pointer else ""
    message = escape_data(printable(finding.message + where, newlines=True))
    return f"::{COMMANDS.get(finding.severity, 'error')} {listed}::{message}"


def write(findings: Iterable[Finding], out: TextIO) -> None:
    seen: list[Finding] = []
    for finding in findings:
        out.write(command(finding) + "\n")
        seen.append(finding)
    counts = Counter(COMMANDS.get(f.severity, "error") for f in seen)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and any(count > SHOWN_PER_SEVERITY for count in counts.values()):
        # appended, as the runner expects: other steps' summaries share the file
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(summary_table(seen, counts))


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else text


def _cell(text: str) -> str:
    return printable(text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " "))


def summary_table(findings: list[Finding], counts: Counter[str]) -> str:
    totals = ", ".join(f"{counts[name]} {name}" for name in ("error", "warning", "notice") if counts[name])
    lines = [
        "### mlmeta findings",
        "",
        f"{len(findings)} findings ({totals}); GitHub annotates only {SHOWN_PER_SEVERITY} of each severity "
        "per step, so here is every one.",
        "",
        "| File | Line | Column | Severity | Schema | Rule | Message |",
        "| --- | ---: | ---: | --- | --- | --- | --- |",
    ]
    for f in findings:
        where = f" (at {_code(f.pointer)})" if f.pointer else ""
        cells = (_code(f.path), str(f.line), str(f.column), f.severity, f.schema_label, f.rule, f.message)
        lines.append("| " + " | ".join(_cell(c) for c in cells[:-1]) + f" | {_cell(cells[-1] + where)} |")
    return "\n".join(lines) + "\n\n"
