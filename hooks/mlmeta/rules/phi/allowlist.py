"""`.mlmeta-phi-allowlist`: false positives a person reviewed, committed without becoming a leak.

An entry is keyed by path, pointer (as findings print it), rule and a fingerprint
of the value: the first FINGERPRINT_BYTES bytes of scrypt(value), salted with the
file's random salt and the entry's path, pointer and rule. scrypt makes each guess
cost tens of milliseconds and memory, and two bytes cannot confirm a guess: of the
10^9 possible SSNs, about 15,000 share any fingerprint. A changed value stops
matching (but for a 1 in 65,536 chance), and an entry that matches no finding of
its file is reported as `phi-allowlist-stale`. The value itself is never stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlmeta.config import ConfigError
from mlmeta.findings import Problem
from mlmeta.openers import read_regular_text
from mlmeta.rules.phi.pointers import redact_pointer
from mlmeta.rules.phi.settings import STALE, Settings

if TYPE_CHECKING:
    from mlmeta.rules import Run, Where

VERSION = 1
SCRYPT = {"n": 2**14, "r": 8, "p": 1}  # about 16 MiB and tens of milliseconds per value
# a committed allowlist is input too: parameters past these would hang every check (`p: 5000`) or
# exhaust memory; below them a fingerprint stops being slow
SCRYPT_BOUNDS = {"n": (2**10, 2**17), "r": (1, 16), "p": (1, 4)}
MAX_MEMORY = 128 * 2**17 * 8  # 128 MiB, what n and r at their bounds need
FINGERPRINT_BYTES = 2
MAX_BYTES = 16 * 2**20  # some 100,000 entries


@dataclass(frozen=True)
class Entry:
    path: str
    pointer: str
    rule: str
    fingerprint: str


@dataclass(frozen=True)
class Candidate:
    """A finding before the allowlist, as `mlmeta phi allow` needs it (its subject is never printed)."""

    path: str
    line: int  # the document's first line: a JSONL row's own line
    pointer: str  # as printed, keys holding identifiers redacted
    rule: str
    subject: str


@dataclass
class Allowlist:
    file: Path
    salt: bytes = b""
    scrypt: dict[str, int] = field(default_factory=lambda: dict(SCRYPT))
    size: int = FINGERPRINT_BYTES
    entries: list[Entry] = field(default_factory=list)

    def fingerprint(self, path: str, pointer: str, rule: str, subject: str) -> str:
        import hashlib  # here, not at start-up: every check loads this module, few ever fingerprint
        import secrets

        if not self.salt:
            self.salt = secrets.token_bytes(16)
        context = "\0".join((path, pointer, rule)).encode("utf-8")
        key = hashlib.scrypt(
            subject.encode("utf-8"),
            salt=self.salt + b"\0" + context,
            n=self.scrypt["n"],
            r=self.scrypt["r"],
            p=self.scrypt["p"],
            maxmem=2 * MAX_MEMORY,
            dklen=16,
        )
        return key[: self.size].hex()

    def index(self) -> dict[tuple[str, str, str], list[Entry]]:
        found: dict[tuple[str, str, str], list[Entry]] = {}
        for entry in self.entries:
            found.setdefault((entry.path, entry.pointer, entry.rule), []).append(entry)
        return found


def load(file: Path) -> Allowlist:
    """The allowlist, or an empty one when the file does not exist; a malformed one is a usage error."""
    try:
        text = read_regular_text(file, 1 << 24)
    except FileNotFoundError:
        return Allowlist(file)
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ConfigError(f"{file}: cannot read the PHI allowlist: {reason}") from error
    try:
        data = json.loads(text)
        salt = bytes.fromhex(data["salt"])
        scrypt = {name: int(data["scrypt"][name]) for name in ("n", "r", "p")}
        size = int(data["scrypt"]["bytes"])
        fields = ("path", "pointer", "rule", "fingerprint")
        entries = [Entry(**{name: str(e[name]) for name in fields}) for e in data["entries"]]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        what = type(error).__name__
        raise ConfigError(f"{file}: not a PHI allowlist written by `mlmeta phi allow` ({what})") from error
    if data.get("version") != VERSION or not salt or not 1 <= size <= 16:
        raise ConfigError(f"{file}: unsupported PHI allowlist version or parameters")
    bad = [name for name, (low, high) in SCRYPT_BOUNDS.items() if not low <= scrypt[name] <= high]
    if bad or scrypt["n"] & (scrypt["n"] - 1):
        allowed = ", ".join(f"{name} {low}..{high}" for name, (low, high) in SCRYPT_BOUNDS.items())
        raise ConfigError(f"{file}: PHI allowlist scrypt parameters out of bounds ({allowed}, n a power of two)")
    return Allowlist(file, salt, scrypt, size, entries)


def save(allowlist: Allowlist) -> None:
    """Written atomically (a temporary file beside it, renamed over it): never half-written."""
    entries = sorted(set(allowlist.entries), key=lambda e: (e.path, e.pointer, e.rule, e.fingerprint))
    lines = ",\n".join("    " + json.dumps(asdict(entry), ensure_ascii=False) for entry in entries)
    header = {
        "about": "Reviewed PHI false positives (mlmeta phi allow). Fingerprints are truncated salted "
        "scrypt hashes: they match a value, they cannot reveal it.",
        "version": VERSION,
        "salt": allowlist.salt.hex(),
        "scrypt": {**allowlist.scrypt, "bytes": allowlist.size},
    }
    head = json.dumps(header, indent=2, ensure_ascii=False)[:-2]
    text = f'{head},\n  "entries": [\n{lines}\n  ]\n}}\n' if entries else f'{head},\n  "entries": []\n}}\n'
    allowlist.file.parent.mkdir(parents=True, exist_ok=True)
    from mlmeta.atomic import write_atomic

    write_atomic(allowlist.file, [text.encode("utf-8")])


def _loaded(run: Run, settings: Settings) -> tuple[Allowlist, dict[tuple[str, str, str], list[Entry]], set[Entry]]:
    if "phi.allowlist" not in run.cache:
        allowlist = load(run.root / settings.allowlist)
        run.cache["phi.allowlist"] = (allowlist, allowlist.index(), set())
    found: tuple[Allowlist, dict[tuple[str, str, str], list[Entry]], set[Entry]] = run.cache["phi.allowlist"]
    return found


def excuse(found: Iterable[tuple[Problem, str]], where: Where, settings: Settings) -> Iterator[Problem]:
    """The problems no allowlist entry excuses; the entries that excused one are marked used."""
    allowlist, index, used = _loaded(where.run, settings)
    collect: list[Candidate] | None = where.run.cache.get("phi.collect")
    for problem, subject in found:
        if not index and collect is None:
            yield problem
            continue
        shown = redact_pointer(problem.pointer)[0]
        if collect is not None:
            collect.append(Candidate(where.path, where.line, shown, problem.rule, subject))
        entries = index.get((where.path, shown, problem.rule), [])
        if entries:
            fingerprint = allowlist.fingerprint(where.path, shown, problem.rule, subject)
            matching = [entry for entry in entries if entry.fingerprint == fingerprint]
            if matching:
                used.update(matching)
                continue
        yield problem


def stale(where: Where, settings: Settings) -> Iterator[Problem]:
    allowlist, index, used = _loaded(where.run, settings)
    if not index:
        return
    for number, entry in enumerate(allowlist.entries, start=1):
        if entry.path == where.path and entry not in used:
            yield Problem(
                "",
                STALE,
                f"entry {number} of {settings.allowlist} ({entry.rule} at {entry.pointer or '/'}) matches no finding "
                "in this file any more; remove it",
                severity="warning",
            )


def used_entries(run: Run) -> set[Entry]:
    """The entries that excused a finding in this process (a `--jobs` worker's, for the parent to merge)."""
    if "phi.allowlist" not in run.cache:
        return set()
    used: set[Entry] = run.cache["phi.allowlist"][2]
    return used


def mark_used(run: Run, settings: Settings, entries: Iterable[Entry]) -> None:
    """Entries another process found in use: not stale (the parent of `--jobs` workers, before `stale`)."""
    _loaded(run, settings)[2].update(entries)
