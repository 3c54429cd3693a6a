"""File patterns as git reads a line of .gitignore (its wildmatch, with WM_PATHNAME).

`*`, `?` and `[...]` never match `/`; `**` is special only as a whole part (`**/x`, `x/**`,
`a/**/b`), elsewhere it is `*`; `\\` escapes; a pattern with a `/` before its end is anchored at
the root, one without matches at any depth; a trailing `/` matches folders only.
Exclusions and scopes (`matches`, `ignored`) cover every file below a folder a pattern matches
(`vendored`, `vendored/`, `evals/`), as .gitignore does; a route names files (`matches_file`), so
that the route `Kitfile` does not claim `schemas/kitfile/v1.json`.
One regular expression per pattern, compiled once: discovery matches every file of a repository.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

_NOTHING = re.compile(r"(?!)")
_CLASSES = {  # POSIX classes git knows inside [...]
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "\\x21-\\x7e",
    "lower": "a-z",
    "print": "\\x20-\\x7e",
    "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """A regular expression that matches a `/`-separated relative file path the pattern covers."""
    pattern = re.sub(r"(?<!\\)((?:\\\\)*) +\Z", r"\1", pattern)  # unescaped trailing spaces go, as in git
    folders_only = pattern.endswith("/")
    pattern = pattern[:-1] if folders_only else pattern
    anchored = "/" in pattern
    pattern = pattern[1:] if pattern.startswith("/") else pattern
    body = _translate(pattern)
    if body is None or not pattern:
        return _NOTHING
    prefix = "" if anchored else "(?:.*/)?"
    suffix = "/.*" if folders_only else "(?:/.*)?"  # what lies below a matching folder
    return re.compile(prefix + body + suffix + r"\Z", re.DOTALL)


def _translate(pattern: str) -> str | None:
    """The pattern as a regular expression; None when git would match nothing (a bad `[` or a final `\\`)."""
    out: list[str] = []
    i, end = 0, len(pattern)
    while i < end:
        char = pattern[i]
        if char == "*":
            stars = i
            while i < end and pattern[i] == "*":
                i += 1
            whole = (stars == 0 or pattern[stars - 1] == "/") and (i == end or pattern[i] == "/")
            if i - stars >= 2 and whole:
                if i == end:
                    out.append(".*")  # `x/**`: everything below
                else:
                    out.append("(?:.*/)?")  # `**/`: any number of folders, none included
                    i += 1
            else:
                out.append("[^/]*")
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            found = _bracket(pattern, i)
            if found is None:
                return None
            text, i = found
            out.append(text)
            continue
        elif char == "\\":
            if i + 1 == end:
                return None
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _bracket(pattern: str, start: int) -> tuple[str, int] | None:
    """The class that starts at `[`, as a regular expression that never matches `/`, and where it ends."""
    i, end = start + 1, len(pattern)
    negated = i < end and pattern[i] in "!^"
    i += negated
    items: list[str] = []
    first = True
    while i < end and (pattern[i] != "]" or first):
        first = False
        if pattern.startswith("[:", i):
            close = pattern.find(":]", i + 2)
            name = pattern[i + 2 : close] if close != -1 else ""
            if name not in _CLASSES:
                return None
            items.append(_CLASSES[name])
            i = close + 2
            continue
        char, i = _class_char(pattern, i)
        if char is None:
            return None
        if i + 1 < end and pattern[i] == "-" and pattern[i + 1] != "]":
            high, i = _class_char(pattern, i + 1)
            if high is None:
                return None
            items.append(f"{re.escape(char)}-{re.escape(high)}" if char <= high else "")
        else:
            items.append(re.escape(char))
    if i >= end:
        return None  # no closing `]`: git's wildmatch matches nothing
    members = "".join(items)
    text = f"[^/{members}]" if negated else (f"(?!/)[{members}]" if members else "(?!)")
    return text, i + 1


def _class_char(pattern: str, i: int) -> tuple[str | None, int]:
    if pattern[i] == "\\":
        return (pattern[i + 1], i + 2) if i + 1 < len(pattern) else (None, i + 1)
    return pattern[i], i + 1


def matches(pattern: str, relative_path: str) -> bool:
    """Whether the pattern covers the file: the file itself, or a folder it lies in."""
    return compile_glob(pattern).match(relative_path) is not None


def matches_file(pattern: str, relative_path: str) -> bool:
    """Whether the pattern matches the file's own path (a pattern for folders only matches no file)."""
    return not pattern.endswith("/") and _exactly(pattern).match(relative_path) is not None


def ignored(patterns: Sequence[str], relative_path: str) -> bool:
    """As git reads a list of ignore patterns: the last one that matches decides, and `!` re-includes.

    As in git, a file in an excluded folder cannot be re-included: each folder on the way is decided first.
    """
    if not any(pattern.startswith("!") for pattern in patterns):
        return any(matches(pattern, relative_path) for pattern in patterns)  # the common case: one match each
    parts = relative_path.split("/")
    for depth in range(1, len(parts) + 1):
        path = "/".join(parts[:depth])
        folder = depth < len(parts)
        verdict = False
        for pattern in patterns:
            negated = pattern.startswith("!")
            body = pattern[1:] if negated else pattern
            if body.endswith("/") and not folder:
                continue
            if _exactly(body).match(path):
                verdict = not negated
        if verdict:
            return True
    return False


@lru_cache(maxsize=256)
def _exactly(pattern: str) -> re.Pattern[str]:
    """The pattern matching a path itself, not what lies below it (for `ignored`'s folder-by-folder walk)."""
    regex = compile_glob(pattern.rstrip("/") if pattern.endswith("/") else pattern).pattern
    return re.compile(regex.removesuffix(r"(?:/.*)?\Z") + r"\Z", re.DOTALL)
