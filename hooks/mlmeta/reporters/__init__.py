"""Findings in, text out. The only place that prints findings."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from typing import Protocol, TextIO

from mlmeta.findings import Finding

# format -> module with `write(findings, out) -> None`; imported only when chosen
REPORTERS = {
    "text": "mlmeta.reporters.text",
    "json": "mlmeta.reporters.json",
    "github": "mlmeta.reporters.github",
    "sarif": "mlmeta.reporters.sarif",
}


class Writer(Protocol):
    def __call__(self, findings: Iterable[Finding], out: TextIO) -> None: ...


def writer(name: str) -> Writer:
    module = import_module(REPORTERS[name])
    write: Writer = module.write
    return write
