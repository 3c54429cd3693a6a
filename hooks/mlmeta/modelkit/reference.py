"""ModelKit references, parsed the way KitOps parses them (`registry/repository:tag,extra@digest`).

KitOps splits a reference in a fixed order: a whole-string digest stands alone;
extra tags follow the first comma; the part before the first `/` is a registry
only when it holds a `.` or a `:` (so `org/repo` is `localhost/org/repo`); a
digest after `@` wins over a tag, which is then ignored. Each component is then
held to the naming rules of the ModelKit spec: a DNS host (no `_`) with an
optional port, lowercase repository components with `.`, `_`, `__` or dashes
between them, tags of `[A-Za-z0-9_.-]` up to 128 characters that do not start
with `.` or `-`, and digests whose hex length fits their algorithm.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

DEFAULT_REGISTRY = "localhost"
DEFAULT_REPOSITORY = "_"
DEFAULT_TAG = "latest"

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_REGISTRY = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]+))?", re.ASCII)
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r"\w[\w.-]{0,127}", re.ASCII)
# go-digest's registered algorithms and the length of their hex encoding
DIGEST_HEX = {"sha256": 64, "sha384": 96, "sha512": 128}


class ReferenceError(ValueError):
    """A reference that KitOps would refuse: which component is wrong, and where it starts."""

    def __init__(self, component: str, column: int, message: str) -> None:
        super().__init__(message)
        self.component = component  # as a pointer into the parsed parts: "registry", "extra_tags/1", ...
        self.column = column  # 1-based position of the component in the reference


@dataclass(frozen=True)
class Reference:
    registry: str
    repository: str
    reference: str  # what is used: the digest when there is one, else the tag
    tag: str | None
    digest: str | None
    extra_tags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def is_digest(text: str) -> bool:
    algorithm, colon, encoded = text.partition(":")
    size = DIGEST_HEX.get(algorithm)
    return bool(colon) and size is not None and re.fullmatch(f"[0-9a-f]{{{size}}}", encoded) is not None


def parse(text: str) -> Reference:
    """The parts of a reference, or ReferenceError naming the component that is wrong."""
    if is_digest(text):
        return Reference(DEFAULT_REGISTRY, DEFAULT_REPOSITORY, text, None, text)
    head, *extra = text.split(",")
    registry, offset = DEFAULT_REGISTRY, 0
    first, slash, rest = head.partition("/")
    if slash and (":" in first or "." in first):
        registry, head, offset = first, rest, len(first) + 1
        if not _valid_registry(registry):
            raise ReferenceError(
                "registry", 1, f"registry {registry!r} is not a host name (DNS labels of letters, digits and '-', "
                "no '_') with an optional :port"
            )
    tag: str | None = None
    digest: str | None = None
    at, colon = head.find("@"), head.find(":")
    if at != -1:
        repository, digest = head[:at], head[at + 1 :]
        repository = repository.partition(":")[0]  # a tag before the digest is ignored, as KitOps does
    elif colon != -1:
        repository, tag = head[:colon], head[colon + 1 :]
    else:
        repository = head
    _check_repository(repository, offset + 1)
    if digest is not None and not is_digest(digest):
        raise ReferenceError(
            "digest", offset + at + 2, f"digest {digest!r} is not sha256: followed by 64 lowercase hex digits "
            "(or sha384:/sha512: with 96/128)"
        )
    if tag is not None:
        _check_tag("tag", "tag", tag, offset + colon + 2)
    column = len(head) + offset + 2
    for number, name in enumerate(extra):
        _check_tag(f"extra_tags/{number}", "extra tag", name, column)
        column += len(name) + 1
    if digest is None and tag is None:
        tag = DEFAULT_TAG
    return Reference(registry, repository, digest or tag or DEFAULT_TAG, tag, digest, extra)


def _valid_registry(registry: str) -> bool:
    match = _REGISTRY.fullmatch(registry)
    if match is None:
        return False
    port = match.group("port")
    return port is None or 0 < int(port) < 65536


def _check_repository(repository: str, column: int) -> None:
    if not repository:
        raise ReferenceError("repository", column, "repository is empty")
    if repository.lower() != repository:
        raise ReferenceError("repository", column, f"repository {repository!r} must be lowercase")
    if _REPOSITORY.fullmatch(repository) is None:
        raise ReferenceError(
            "repository", column, f"repository {repository!r} must be '/'-separated components of lowercase "
            "letters and digits, joined by '.', '_', '__' or dashes, each starting and ending with a letter or digit"
        )


def _check_tag(component: str, name: str, tag: str, column: int) -> None:
    if _TAG.fullmatch(tag) is None:
        raise ReferenceError(
            component, column, f"{name} {tag!r} must be 1 to 128 of A-Z a-z 0-9 _ . - and not start with '.' or '-'"
        )
