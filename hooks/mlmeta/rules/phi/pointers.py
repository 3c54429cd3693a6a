"""Pointers as printed: a token that holds an identifier becomes `<redacted N characters>`.

Each token is judged with its parent token as context, as the walker judges keys: `63725130`
under `recall_by_mrn` is a record number, the same digits under `steps` are not.
"""

from __future__ import annotations

from mlmeta.documents import escape, tokens
from mlmeta.rules.phi.walk import scan_key


def redact_pointer(pointer: str) -> tuple[str, list[str]]:
    """The pointer with each token that holds an identifier replaced, and the tokens replaced."""
    hidden = []
    shown = []
    parent = ""
    for token in tokens(pointer):
        if scan_key(token, parent):
            hidden.append(token)
            shown.append(f"<redacted {len(token)} characters>")
        else:
            shown.append(escape(token))
        parent = token
    return ("/" + "/".join(shown) if shown else ""), hidden
