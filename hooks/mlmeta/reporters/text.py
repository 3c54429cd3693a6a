"""`path:line:column: severity kind/vN rule: message (at /pointer)`, one a line; severities coloured on a terminal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from mlmeta.findings import Finding, printable

# ANSI colours for the severity word, on a terminal only
COLORS = {"error": "\033[1;31m", "warning": "\033[33m", "note": "\033[36m", "fixed": "\033[32m"}
RESET = "\033[0m"


def write(findings: Iterable[Finding], out: TextIO, color: bool = False) -> None:
    for finding in findings:
        line = finding.format()
        if color and finding.severity in COLORS:
            place = printable(f"{finding.path}:{finding.line}:{finding.column}: ")  # as format() escapes it
            rest = line[len(place) + len(finding.severity) :]
            line = f"{place}{COLORS[finding.severity]}{finding.severity}{RESET}{rest}"
        out.write(line + "\n")
