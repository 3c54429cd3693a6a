"""`mlmeta phi allow PATH:POINTER`: record, after a person looked, that one value at one place is not PHI.

The file is checked as `mlmeta check` would check it; each phi finding at that
pointer (as the finding printed it) becomes an allowlist entry keyed by path,
pointer, rule and the value's fingerprint. The value is never printed or stored.
"""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path

from mlmeta.config import discover
from mlmeta.engine import Engine, Options
from mlmeta.rules.phi.allowlist import Candidate, Entry, load, save
from mlmeta.rules.phi.settings import settings
from mlmeta.schemas import Route


def split_target(target: str) -> tuple[str, str]:
    """`PATH:POINTER`, the pointer starting at the first `:/` (a pointer may hold `:`); `PATH:` is the root."""
    at = target.find(":/")
    if at > 0:
        return target[:at], target[at + 1 :]
    if target.endswith(":") and len(target) > 1:
        return target[:-1], ""
    raise ValueError(f"{target!r} is not PATH:POINTER (such as model_scores/x.json:/results/harness/task)")


def run(args: Namespace) -> int:
    config = discover(args.config)
    options = settings(config)
    engine = Engine(config, Options(kind=Route.parse(args.kind) if args.kind else None))
    collected: list[Candidate] = []
    engine.run.cache["phi.collect"] = collected
    allowlist = load(config.root / options.allowlist)
    before = set(allowlist.entries)
    failed = False
    for target in args.targets:
        try:
            name, pointer = split_target(target)
        except ValueError as error:
            print(f"mlmeta: error: {error}", file=sys.stderr)
            return 2
        path = Path(name)
        shown = engine.display(path)
        del collected[:]
        for _ in engine.check(path):
            pass
        picked = [
            c
            for c in collected
            if c.path == shown
            and c.pointer == pointer
            and (args.rule is None or c.rule == args.rule)
            and (args.line is None or c.line == args.line)
        ]
        rows = sorted({c.line for c in picked})
        if not picked:
            print(f"{shown}:{pointer}: no phi finding here to allow", file=sys.stderr)
            failed = True
            continue
        if len(rows) > 1:
            print(
                f"{shown}:{pointer}: rows on lines {', '.join(map(str, rows))} have phi findings here; "
                "choose one with --line",
                file=sys.stderr,
            )
            failed = True
            continue
        for candidate in picked:
            fingerprint = allowlist.fingerprint(shown, pointer, candidate.rule, candidate.subject)
            entry = Entry(shown, pointer, candidate.rule, fingerprint)
            if entry not in allowlist.entries:
                allowlist.entries.append(entry)
            print(f"{shown}:{pointer}: allowed {candidate.rule} (fingerprint {fingerprint})")
    if set(allowlist.entries) != before:
        save(allowlist)
    return 1 if failed else 0
