"""What the no-PHI rule costs: `mlmeta check` on a 100,000-row manifest, with and without PHI scanning.

    python benchmarks/phi_cost.py [--rows 100000] [--runs 5] [--seed 7] [--workdir DIR]

Two manifests are generated from the seed (benchmarks/data.py's row generator): `catalog`, shaped
like OpenMed's catalog (most benchmarks null, a tenth of the rows with device measurements), and
`enriched`, every row carrying a suite list with dataset names and per-device maps, the most the
rule has to read in a manifest. Each is checked by three commands, each run `--runs` times in
alternation, in fresh processes as the hook runs:

    without   mlmeta check --kind manifest --select <every rule but phi-*>
    with      mlmeta check --kind manifest                  (everything, PHI included)
    hook      mlmeta check --kind manifest --select phi     (the mlmeta-no-phi hook alone)

It prints the median seconds of each and the ratios with/without and hook/without, measured in
the same run. The target: with/without stays under 2.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data  # the benchmark folder is a script folder, not a package

DATASETS = ("openmed-golden-pii", "nvidia/Nemotron-PII", "ai4privacy/pii-masking-400k", "AI4Privacy + Synthetic PII")
DEVICES = ("iphone_15_pro", "m2_air", "pixel_8", "rtx_4090", "a100_80gb")


def enriched(row: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    row["benchmark"] = [
        {"suite": suite, "dataset": rng.choice(DATASETS), "micro_f1": round(rng.random(), 4),
         "recall": round(rng.random(), 4), "leakage": round(rng.random() / 20, 4)}
        for suite in ("shield", "golden")
    ]  # fmt: skip
    devices = rng.sample(DEVICES, 3)
    row["latency_ms"] = {device: round(rng.uniform(2, 60), 1) for device in devices}
    row["peak_ram_mb"] = {device: rng.choice((256, 384, 512, 1024)) for device in devices}
    return row


def write(path: Path, rows: int, seed: int, enrich: bool) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for index in range(rows):
            row = data.manifest_row(rng, index)
            handle.write(json.dumps(enriched(row, rng) if enrich else row, separators=(",", ":")) + "\n")
    return path


def rules_but_phi() -> str:
    from mlmeta.rules import BUILTIN, RULES

    return ",".join(sorted(rule for rule in (*RULES, *BUILTIN) if not rule.startswith("phi-")))


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="keep the generated manifests here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        work = args.workdir or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        (work / ".git").mkdir(exist_ok=True)  # the root: no pyproject.toml of this repository applies
        base = [sys.executable, "-m", "mlmeta", "check", "--kind", "manifest"]
        print(f"{args.rows} rows, {args.runs} runs each, seed {args.seed}; median seconds")
        print(f"{'manifest':<10} {'without':>8} {'with':>8} {'hook':>8} {'with/without':>13} {'hook/without':>13}")
        for name, enrich in (("catalog", False), ("enriched", True)):
            path = write(work / f"{name}-{args.rows}.jsonl", args.rows, args.seed, enrich)
            commands = {
                "without": [*base, "--select", rules_but_phi(), path.name],
                "with": [*base, path.name],
                "hook": [*base, "--select", "phi", path.name],
            }
            times: dict[str, list[float]] = {key: [] for key in commands}
            for _ in range(args.runs):
                for key, command in commands.items():
                    times[key].append(timed(command, work))
            median = {key: statistics.median(values) for key, values in times.items()}
            print(
                f"{name:<10} {median['without']:8.2f} {median['with']:8.2f} {median['hook']:8.2f} "
                f"{median['with'] / median['without']:13.2f} {median['hook'] / median['without']:13.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
