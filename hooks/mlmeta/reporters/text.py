"""`path:line:column: severity kind/vN rule: message (at /pointer)`, one finding a line, as found."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from mlmeta.findings import Finding


def write(findings: Iterable[Finding], out: TextIO) -> None:
    for finding in findings:
        out.write(finding.format() + "\n")
