"""The single Finding type every stage produces, and the Problem rules hand to the engine."""

from __future__ import annotations

from typing import NamedTuple

SEVERITIES = ("error", "warning", "note")


class Fix(NamedTuple):  # named tuples: a dataclass costs a hook's start-up a millisecond
    """A fixer's edit: the string at the problem's pointer becomes `value`, in place, nothing else changed.

    Applied only under `mlmeta check --fix`, and only where the source spells the old string
    literally (no escapes) and the new one has the same length.
    """

    value: str
    done: str  # what the fix did, for the `fixed` line


class Problem(NamedTuple):
    """What a check found, before the engine knows where it sits in the file."""

    pointer: str
    rule: str
    message: str
    severity: str = "error"
    on_key: bool = False  # an unknown or duplicate key is reported at the key, not its value
    # a precise problem may explain another rule's generic finding at the same pointer (the schema's
    # "does not match the pattern"); the engine then reports this one only
    replaces: str | None = None
    fix: Fix | None = None


class Finding(NamedTuple):  # fixers and the no-PHI redaction change findings with `_replace`
    """A problem at its place: what reporters print."""

    path: str
    line: int
    column: int
    pointer: str
    kind: str | None
    schema_version: int | None
    rule: str
    severity: str
    message: str

    @property
    def schema_label(self) -> str:
        if self.kind is None:
            return "-"
        return f"{self.kind}/v{self.schema_version}" if self.schema_version else self.kind

    def format(self) -> str:
        where = f" (at {self.pointer})" if self.pointer else ""
        return (
            f"{self.path}:{self.line}:{self.column}: {self.severity} "
            f"{self.schema_label} {self.rule}: {self.message}{where}"
        )

    def as_dict(self) -> dict[str, object]:
        return self._asdict()

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

