"""`mlmeta check --fix`: string values edited in place, no other byte of the file changed.

A rule offers a `Fix` (the value a string should hold); the engine turns it into an
`Edit` only when the source spells the old string literally at the value's position
and the new string has the same length, so line endings, indentation, key order,
escapes and every other character stay exactly as they were. The edits of one file
are applied together, after it has been read, and written atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlmeta.documents import Document, resolve
from mlmeta.documents.text import BOM
from mlmeta.findings import Fix

QUOTES = ('"', "'")
PLAIN_END = (" ", "\t", "\r", ",", "]", "}", "#")  # what may follow a plain YAML scalar


@dataclass(frozen=True)
class Edit:
    line: int  # 1-based, counted in "\n"-separated lines as every reader counts them
    column: int  # 1-based character column where `old` starts (inside its quotes)
    old: str
    new: str
    done: str  # what the edit does, for the `fixed` line


def edit_for(document: Document, pointer: str, fix: Fix) -> Edit | None:
    """The edit that makes the string at `pointer` read `fix.value`, or None when it cannot be done safely."""
    old = resolve(document.value, pointer)
    if not isinstance(old, str) or len(old) != len(fix.value) or old == fix.value or document.text is None:
        return None
    line, column = document.locator.locate(pointer)
    lines = document.text.split("\n")
    index = line - document.line  # a JSONL row's text starts at its own line
    if not 0 <= index < len(lines):
        return None
    text = lines[index]
    start = column - 1
    quote = text[start : start + 1] if text[start : start + 1] in QUOTES else ""
    start += len(quote)
    end = start + len(old)
    if text[start:end] != old:
        return None
    following = text[end : end + 1]
    if (quote and following != quote) or (not quote and following not in ("", *PLAIN_END)):
        return None  # the source spells the value with escapes or continues it: leave it alone
    return Edit(line, start + 1, old, fix.value, fix.done)


def apply(path: Path, edits: list[Edit]) -> None:
    """Apply one file's edits and write it atomically; ValueError if the file no longer holds what was read."""
    from mlmeta.atomic import write_atomic

    raw = path.read_bytes()
    bom = BOM if raw.startswith(BOM) else b""
    lines = raw[len(bom) :].decode("utf-8").split("\n")
    for edit in edits:
        text = lines[edit.line - 1]
        start = edit.column - 1
        if text[start : start + len(edit.old)] != edit.old:
            raise ValueError("the file changed while it was checked")
        lines[edit.line - 1] = text[:start] + edit.new + text[start + len(edit.old) :]
    write_atomic(path, [bom + "\n".join(lines).encode("utf-8")])
