"""The machine interface: a JSON list of finding objects."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from mlmeta.findings import Finding


def write(findings: Iterable[Finding], out: TextIO) -> None:
    json.dump([finding.as_dict() for finding in findings], out, indent=2, ensure_ascii=False)
    out.write("\n")
