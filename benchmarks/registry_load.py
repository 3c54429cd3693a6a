"""How long `Registry.load` takes on a 100,000-row manifest, against a bare `json.loads` loop on the same file.

    python benchmarks/registry_load.py [--rows 100000] [--repeat 5] [--seed 0]

Rows are generated from a seeded random choice among realistic shapes (a PII row carries 50
canonical labels, as the real catalog's do), so every run measures the same bytes. Both loaders
run in the same process, alternately, and the best of `--repeat` runs is reported with the ratio.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "hooks"))

from mlmeta.manifest import Registry

PII_LABELS = [
    "PERSON",
    "FIRST_NAME",
    "LAST_NAME",
    "MIDDLE_NAME",
    "PREFIX",
    "USERNAME",
    "EMAIL",
    "PHONE",
    "URL",
    "LOCATION",
    "STREET_ADDRESS",
    "BUILDING_NUMBER",
    "ZIPCODE",
    "GPS_COORDINATES",
    "ORDINAL_DIRECTION",
    "DATE",
    "DATE_OF_BIRTH",
    "TIME",
    "AGE",
    "ID_NUM",
    "SSN",
    "ACCOUNT_NUMBER",
    "PASSWORD",
    "PIN",
    "API_KEY",
    "CREDIT_CARD",
    "CREDIT_CARD_ISSUER",
    "CVV",
    "IBAN",
    "BIC",
    "AMOUNT",
    "CURRENCY",
    "BITCOIN_ADDRESS",
    "ETHEREUM_ADDRESS",
    "LITECOIN_ADDRESS",
    "MASKED_NUMBER",
    "GENDER",
    "EYE_COLOR",
    "HEIGHT",
    "ORGANIZATION",
    "JOB_TITLE",
    "JOB_DEPARTMENT",
    "OCCUPATION",
    "IP_ADDRESS",
    "MAC_ADDRESS",
    "USER_AGENT",
    "VIN",
    "VEHICLE_REGISTRATION",
    "IMEI",
    "OTHER",
]
FAMILIES = [("PII", 0.65), ("NER", 0.25), ("ZeroShot", 0.1)]
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt", "hi", "te"]
ARCHITECTURES = ["bert", "xlm-roberta", "deberta-v2", "roberta", "distilbert", "modernbert", "gliner"]
TIERS = [None, "Tiny", "Small", "Base", "Medium", "Large", "XLarge"]


def make_row(rng: random.Random, index: int) -> dict[str, object]:
    family = rng.choices([f for f, _ in FAMILIES], [w for _, w in FAMILIES])[0]
    labels = PII_LABELS if family == "PII" else rng.sample(["DISEASE", "CHEMICAL", "GENE", "SPECIES", "ANATOMY"], 3)
    return {
        "repo_id": f"OpenMed/OpenMed-{family}-Model{index}-{rng.randrange(30, 600)}M",
        "family": family,
        "task": "token-classification",
        "languages": [rng.choice(LANGUAGES)],
        "tier": rng.choice(TIERS),
        "param_count": rng.randrange(30, 600) * 1_000_000,
        "architecture": rng.choice(ARCHITECTURES),
        "base_model": f"org/base-{rng.randrange(100)}",
        "formats": rng.choice([["pytorch"], ["mlx-fp", "pytorch"]]),
        "canonical_labels": labels,
        "benchmark": {"dataset": None, "micro_f1": None, "recall": None},
        "arxiv": rng.choice([None, "2508.01630"]),
        "license": "apache-2.0",
        "reproducibility_hash": "sha256:" + "".join(rng.choices("0123456789abcdef", k=64)),
        "released": f"2026-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
    }


def bare(path: Path) -> int:
    """The floor: read the file and `json.loads` every non-blank line, nothing else."""
    return len([json.loads(line) for line in path.read_bytes().split(b"\n") if line.strip()])


def best(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
        del result
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "models.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for index in range(args.rows):
                handle.write(json.dumps(make_row(rng, index), separators=(",", ":")) + "\n")
        size = path.stat().st_size
        assert len(Registry.load(path)) == bare(path) == args.rows
        registry = best(lambda: Registry.load(path), args.repeat)
        floor = best(lambda: bare(path), args.repeat)
        loaded = Registry.load(path)
        ids = [row["repo_id"] for row in loaded][:: max(1, args.rows // 1000)]
        gets = best(lambda: [loaded.get(repo_id) for repo_id in ids], args.repeat)
        filtered = best(lambda: loaded.filter(family="PII", language="de"), args.repeat)
    print(f"{args.rows} rows, {size / 1e6:.1f} MB, best of {args.repeat}")
    print(f"Registry.load          {registry:.3f} s")
    print(f"bare json.loads loop   {floor:.3f} s")
    print(f"ratio                  {registry / floor:.2f}x")
    print(f"then {len(ids)} gets         {gets * 1000:.1f} ms")
    print(f"then one filter        {filtered:.3f} s (rows are parsed again when asked for)")


if __name__ == "__main__":
    main()
