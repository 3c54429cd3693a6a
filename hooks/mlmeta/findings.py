"""The single Finding type every stage produces, and the Problem rules hand to the engine."""

from __future__ import annotations

import re
from typing import NamedTuple

SEVERITIES = ("error", "warning", "note")

# C0 and C1 controls (a key can hold a terminal's escape sequences) and lone surrogates: the bytes of
# a file name that is not UTF-8 (os.fsdecode's surrogateescape), or a JSON escape such as "\\ud800".
# Patterns, not compiled ones: `re` compiles each the first time a line is printed, not at every start-up
_CONTROLS = "[\x00-\x1f\x7f-\x9f\ud800-\udfff]"
_CONTROLS_BUT_NEWLINES = "[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]"
_SURROGATES = "[\ud800-\udfff]"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte of a non-UTF-8 file name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, newlines: bool = False) -> str:
    """Text for a terminal or a log: control characters and unencodable code points as visible escapes.

    `newlines`: keep CR and LF, for a format that escapes them its own way (GitHub's `%0A`).
    """
    return re.sub(_CONTROLS_BUT_NEWLINES if newlines else _CONTROLS, _escape, text)


def encodable(text: str) -> str:
    """Text that UTF-8 can encode (for JSON output, which escapes control characters itself)."""
    return re.sub(_SURROGATES, _escape, text)


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
        return printable(
            f"{self.path}:{self.line}:{self.column}: {self.severity} "
            f"{self.schema_label} {self.rule}: {self.message}{where}"
        )

    def as_dict(self) -> dict[str, object]:
        return {key: encodable(value) if isinstance(value, str) else value for key, value in self._asdict().items()}

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

