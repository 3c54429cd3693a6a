"""What `--base` costs: `mlmeta check` of a changed 2,000-row manifest, with and without the history rules.

    python benchmarks/history_cost.py [--rows 2000] [--runs 7] [--seed 7]

A temporary git repository holds a generated manifest (benchmarks/data.py's rows) committed on
`main`; then one row's hash changes in the working tree, as a contributor's commit would. Two
commands run `--runs` times in alternation, in fresh processes as the hook runs:

    without   mlmeta check --kind manifest models.jsonl
    with      mlmeta check --kind manifest --base main models.jsonl

It prints the median seconds of each, their ratio (target: under 2), and how many `git show`
processes the run with `--base` started (target: one per changed file, here 1), counted by a
`git` wrapper first on PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data  # the benchmark folder is a script folder, not a package
from measure import Command, measure

WRAPPER = """#!/bin/sh
[ "$1" = "-C" ] && [ "$3" = "show" ] && echo show >> "{log}"
exec {git} "$@"
"""


def git(cwd: Path, *args: str) -> None:
    identity = ("-c", "user.name=b", "-c", "user.email=b@b")
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)


def repository(folder: Path, rows: int, seed: int) -> Path:
    rng = random.Random(seed)
    lines = [json.dumps(data.manifest_row(rng, n), separators=(",", ":")) for n in range(rows)]
    (folder / "models.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "catalog")
    changed = json.loads(lines[rows // 2])
    changed["reproducibility_hash"] = "sha256:" + "f" * 64
    lines[rows // 2] = json.dumps(changed, separators=(",", ":"))
    (folder / "models.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = repository(Path(scratch), args.rows, args.seed)
        bin_dir, log = Path(scratch) / "bin", Path(scratch) / "shows.log"
        bin_dir.mkdir()
        real_git = subprocess.run(["which", "git"], capture_output=True, text=True, check=True).stdout.strip()
        (bin_dir / "git").write_text(WRAPPER.format(log=log, git=real_git), encoding="utf-8")
        (bin_dir / "git").chmod(0o755)
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
        env.pop("PRE_COMMIT", None)
        mlmeta = [sys.executable, "-m", "mlmeta", "check", "-q", "--kind", "manifest"]
        without, with_base = measure([
            Command("without", [*mlmeta, "models.jsonl"], folder, env),
            Command("with", [*mlmeta, "--base", "main", "models.jsonl"], folder, env, expect=1),
        ], args.runs, warmups=0)
        shows = log.read_text(encoding="utf-8").count("show") // args.runs if log.exists() else 0
    median = {"without": without.median, "with": with_base.median}
    print("| rows | without (s) | with --base (s) | ratio, target < 2 | git show per run |")
    print("|---:|---:|---:|---:|---:|")
    print(f"| {args.rows} | {median['without']:.3f} | {median['with']:.3f} | "
          f"{median['with'] / median['without']:.2f} | {shows} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
