"""The provenance hash of a Hub model snapshot, computed exactly as OpenMed's manifest generator does.

`sha256:` + the SHA-256 of the UTF-8 bytes of the compact, key-sorted JSON of
`{"released", "repo_id", "sha", "siblings"}`: separators `,` and `:`, `siblings` the sorted
file names, and Python's default `ensure_ascii=True` (OpenMed calls `json.dumps` without
changing it), so a non-ASCII file name enters the hash as its `\\uXXXX` escape. `sha` and
`released` may be null, as the generator writes them when the Hub gives none.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable


def provenance_payload(repo_id: str, sha: str | None, released: str | None, siblings: Iterable[str]) -> bytes:
    """The exact bytes that are hashed."""
    document = {"repo_id": repo_id, "sha": sha, "released": released, "siblings": sorted(siblings)}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("utf-8")


def provenance_hash(repo_id: str, sha: str | None, released: str | None, siblings: Iterable[str]) -> str:
    """`sha256:<64 lower-case hex>` for a model snapshot: its Hub id, commit, release date and file names."""
    return "sha256:" + hashlib.sha256(provenance_payload(repo_id, sha, released, siblings)).hexdigest()
