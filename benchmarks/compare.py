"""Two commits of mlmeta on the same manifest, interleaved in one run: how much a change sped a row up.

    python benchmarks/compare.py BEFORE AFTER [--rows 20000] [--runs 6] [--seed 20240601] [--instructions]

The suite's cases compare mlmeta with its peers; this compares mlmeta with itself. Each commit is
exported with `git archive` into a temporary folder and run as `python -m mlmeta check` with that
source first on the path, alternately, on one generated manifest (the rows of case 3). A shared VM
drifts by a third from hour to hour, so only figures from the same run are compared: the least CPU
time (user + system) of each commit's runs, per row and as a ratio. With `--instructions` each
commit runs once under valgrind's callgrind instead, and the instructions it executed are compared:
the same on every run and every machine load, about 50 times slower to take.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data  # the benchmark's own seeded rows, beside this script

ROOT = Path(__file__).resolve().parent.parent


def export(commit: str, into: Path) -> Path:
    """The commit's `hooks/` and `schemas/`, as a folder to put first on PYTHONPATH."""
    archive = subprocess.run(["git", "archive", commit, "hooks", "schemas"], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # 3.11.4+: no path outside `into`
        tar.extractall(into, **safe)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(into / "hooks")], check=True)
    return into / "hooks"


def one_process(source: Path) -> list[str]:
    """`--jobs 1` for a commit that has `--jobs` (a row's cost is compared, not how it is shared out)."""
    return ["--jobs", "1"] if '"--jobs"' in (source / "mlmeta" / "cli.py").read_text(encoding="utf-8") else []


def cpu_seconds(source: Path, folder: Path) -> float:
    """User + system CPU of one whole `mlmeta check models.jsonl`, start-up included."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    process = subprocess.Popen([sys.executable, "-m", "mlmeta", "check", *one_process(source), "models.jsonl"],
                               cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{source.parent.name} ({source}): mlmeta check failed on the generated manifest")
    return usage.ru_utime + usage.ru_stime


def instructions(source: Path, folder: Path) -> float:
    """Instructions one whole `mlmeta check models.jsonl` executes (callgrind), start-up included."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-m", "mlmeta",
            "check", *one_process(source), "models.jsonl"]  # fmt: skip
    run = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True)
    collected = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or collected is None:
        raise SystemExit(f"{source.parent.name} ({source}): mlmeta check failed under valgrind\n{run.stderr[-2000:]}")
    return float(collected.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions (valgrind), one run each; --runs is not used")  # fmt: skip
    args = parser.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind on PATH")
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        sources = {"before": export(args.before, work / "before"), "after": export(args.after, work / "after")}
        folder = work / "catalog"
        folder.mkdir()
        (folder / "pyproject.toml").write_text('[tool.mlmeta]\nnamespace = "OpenMed"\n', encoding="utf-8")
        data.write_manifest(folder / "models.jsonl", args.rows, args.seed)
        least = dict.fromkeys(sources, float("inf"))
        if args.instructions:
            least = {name: instructions(source, folder) for name, source in sources.items()}
        else:
            for _ in range(args.runs):  # alternate: a slow patch of the machine hits both alike
                for name, source in sources.items():
                    least[name] = min(least[name], cpu_seconds(source, folder))
    for side, amount in least.items():
        commit = getattr(args, side)
        if args.instructions:
            print(f"{commit:>12}  {amount / 1e6:,.0f} M instructions  {amount / args.rows:,.0f} a row (with start-up)")
        else:
            print(f"{commit:>12}  {amount:.2f} s CPU  {amount / args.rows * 1e6:.1f} µs a row (start-up included)")
    print(f"{'ratio':>12}  {least['after'] / least['before']:.2f} (after / before, {args.rows} rows)")


if __name__ == "__main__":
    main()
