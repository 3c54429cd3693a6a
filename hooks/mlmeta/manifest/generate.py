"""`mlmeta manifest generate`: manifest rows from the Hugging Face Hub or from local model snapshots.

Each field comes from where the Hub keeps it (the README's "Generate" table says which): the
pipeline tag, the tags, the model card's YAML front matter, `config.json`, the safetensors headers,
the file list and the last commit; `reproducibility_hash` is the catalog's provenance formula.

Output is deterministic: rows sorted by `repo_id`, keys in the schema's order, compact JSON with
raw UTF-8, `\\n` line ends; generating twice from the same sources gives the same bytes.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from mlmeta.collect.facts import CollectError, ModelFacts

TIERS = ("Tiny", "Small", "Base", "Medium", "Large", "XLarge")
PII_TAGS = {"pii", "phi", "de-identification", "deidentification", "anonymization", "anonymisation"}
ZERO_SHOT_TAGS = {"gliner", "zero-shot", "zero-shot-ner"}
NER_TAGS = {"ner", "named-entity-recognition"}
VISION_TASKS = {
    "image-classification", "image-segmentation", "image-text-to-text", "image-to-text", "object-detection",
    "visual-question-answering", "document-question-answering", "zero-shot-image-classification", "image-to-image",
    "depth-estimation", "image-feature-extraction",
}  # fmt: skip
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*\Z")  # the schema's BCP 47-style code
LABEL = re.compile(r"[A-Z][A-Z0-9_]*\Z")
BIO_PREFIX = re.compile(r"\A(?:[BIESLU])[-_]")
UNMEASURED = {"dataset": None, "micro_f1": None, "recall": None}


def family(task: str, tags: Iterable[str]) -> str:
    lowered = {tag.lower() for tag in tags}
    if lowered & PII_TAGS:
        return "PII"
    if task == "zero-shot-classification" or lowered & ZERO_SHOT_TAGS:
        return "ZeroShot"
    if task == "token-classification" or lowered & NER_TAGS:
        return "NER"
    if task in VISION_TASKS:
        return "Vision"
    return "General"


def tier(repo_id: str) -> str | None:
    words = re.split(r"[-_.]", repo_id.partition("/")[2])
    return next((word for word in words if word in TIERS), None)


def languages(card: dict[str, Any]) -> list[str]:
    """The card's `language` codes that are codes (`multilingual` is not), each once, in card order."""
    value = card.get("language")
    codes = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return list(dict.fromkeys(code for code in codes if isinstance(code, str) and LANGUAGE.match(code)))


def first_string(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, list):
        return next((item for item in value if isinstance(item, str) and item), None)
    return None


def formats(facts: ModelFacts) -> list[str]:
    names = facts.files
    found: set[str] = set()
    if any(n.endswith(".safetensors") or re.search(r"(?:^|/)pytorch_model[^/]*\.bin\Z", n) for n in names):
        found.add("pytorch")
    if any(n.endswith(".onnx") for n in names):
        found.add("onnx")
    if any(n.endswith((".mlmodel", ".mlpackage")) or ".mlpackage/" in n for n in names):
        found.add("coreml")
    if any(n.endswith(".gguf") for n in names):
        found.add("gguf")
    if facts.library_name == "mlx" or "mlx" in {t.lower() for t in facts.tags}:
        quantization = (facts.config or {}).get("quantization")
        bits = quantization.get("bits") if isinstance(quantization, dict) else None
        found.add(f"mlx-{bits}bit" if isinstance(bits, int) and not isinstance(bits, bool) else "mlx-fp")
    return sorted(found)


def canonical_labels(config: dict[str, Any] | None) -> list[str]:
    """Entity labels from `id2label`: `B-EMAIL`/`I-EMAIL` -> `EMAIL`, `O` dropped, in label-id order."""
    id2label = (config or {}).get("id2label")
    if not isinstance(id2label, dict):
        return []

    def order(key: str) -> tuple[int, str]:
        return (int(key), "") if key.isdigit() else (sys.maxsize, key)

    labels: dict[str, None] = {}
    for key in sorted(id2label, key=order):
        label = id2label[key]
        if not isinstance(label, str):
            continue
        name = BIO_PREFIX.sub("", label).upper().replace("-", "_").replace(" ", "_")
        if name != "O" and LABEL.match(name):
            labels[name] = None
    return list(labels)


def arxiv(tags: Iterable[str]) -> str | None:
    ids = sorted(tag.partition(":")[2] for tag in tags if tag.startswith("arxiv:"))
    return ids[0] if ids else None


def row(facts: ModelFacts) -> dict[str, Any]:
    """One manifest row, keys in the schema's order."""
    from mlmeta.manifest.provenance import provenance_hash

    task = facts.pipeline_tag or "unknown"
    total = sum(facts.parameters.values()) if facts.parameters else 0
    model_type = (facts.config or {}).get("model_type")
    license_ = first_string(facts.card.get("license")) or next(
        (t.partition(":")[2] for t in facts.tags if t.startswith("license:")), None
    )
    return {
        "repo_id": facts.repo_id,
        "family": family(task, facts.tags),
        "task": task,
        "languages": languages(facts.card),
        "tier": tier(facts.repo_id),
        "param_count": total or None,
        "architecture": model_type if isinstance(model_type, str) and model_type else None,
        "base_model": first_string(facts.card.get("base_model")),
        "formats": formats(facts),
        "canonical_labels": canonical_labels(facts.config),
        "benchmark": dict(UNMEASURED),
        "arxiv": arxiv(facts.tags),
        "license": license_,
        "reproducibility_hash": provenance_hash(facts.repo_id, facts.sha, facts.released, facts.files),
        "released": facts.released,
    }


def render(rows: Iterable[dict[str, Any]]) -> bytes:
    from mlmeta.manifest.rows import dumps

    ordered = sorted(rows, key=lambda r: r["repo_id"])
    return b"".join(dumps(r).encode("utf-8") + b"\n" for r in ordered)


# --- where the facts come from ---------------------------------------------------------------------------------


def snapshot_facts(root: Path, org: str | None) -> Iterator[ModelFacts]:
    """Facts of every model under a folder: `models--ORG--NAME` repositories (the Hub cache; the revision
    `refs/main` names), `ORG/NAME` folders (clones, `local_dir` downloads, plain copies), or, with
    `--org`, `NAME` folders."""
    from mlmeta.collect.facts import from_snapshot
    from mlmeta.collect.snapshots import CACHE_PREFIX, SnapshotError, snapshot_at

    if not root.is_dir():
        raise CollectError(f"{root}: not a folder")
    caches = [root] if root.name.startswith(CACHE_PREFIX) else [*_cached(root), *_cached(root / "hub")]
    found: list[tuple[Any, str | None]] = []
    try:
        found.extend((snapshot_at(repository), None) for repository in caches)
        for folder in _children(root):
            if _is_model(folder) and org:
                found.append((snapshot_at(folder), f"{org}/{folder.name}"))
            elif not _is_model(folder):
                found.extend((snapshot_at(model), f"{folder.name}/{model.name}") for model in _children(folder))
    except SnapshotError as error:
        raise CollectError(str(error)) from error
    for snapshot, fallback in found:
        facts = from_snapshot(snapshot, snapshot.repo_id or fallback)
        if org is None or facts.author == org:
            yield facts


def _cached(folder: Path) -> list[Path]:
    from mlmeta.collect.snapshots import CACHE_PREFIX

    return sorted(p for p in folder.glob(CACHE_PREFIX + "*") if p.is_dir()) if folder.is_dir() else []


def _children(folder: Path) -> list[Path]:
    from mlmeta.collect.snapshots import CACHE_PREFIX

    skip = (".", CACHE_PREFIX)
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(skip) and p.name != "hub")


def _is_model(folder: Path) -> bool:
    """A folder that holds a model's own files, rather than one folder per model."""
    markers = ("config.json", "README.md", "model_index.json")
    return any((folder / name).is_file() for name in markers) or any(
        p.suffix in (".safetensors", ".bin", ".onnx", ".gguf") for p in folder.iterdir()
    )


def gather(args: argparse.Namespace) -> list[ModelFacts]:
    from mlmeta.collect.facts import hub_models, offline

    if args.snapshots:
        return list(snapshot_facts(Path(args.snapshots), args.org))
    if offline():
        from mlmeta.collect.snapshots import default_cache

        return list(snapshot_facts(default_cache(), args.org))  # HF_HUB_OFFLINE: the local cache only
    if not args.org:
        raise CollectError("name the Hub organisation (--org ORG), or build offline with --snapshots DIR")
    return list(hub_models(args.org))


def run(args: argparse.Namespace) -> int:
    from mlmeta.atomic import write_atomic
    from mlmeta.config import discover
    from mlmeta.documents.json import parse_text
    from mlmeta.engine import Engine
    from mlmeta.findings import Finding
    from mlmeta.manifest.rows import judged, manifest_version
    from mlmeta.reporters import writer
    from mlmeta.rules import Run
    from mlmeta.schemas import configured_route

    try:
        facts = gather(args)
    except CollectError as error:
        print(f"mlmeta: error: {error}", file=sys.stderr)
        return 1
    twice = sorted(repo_id for repo_id, count in Counter(f.repo_id for f in facts).items() if count > 1)
    if twice:
        print(f"mlmeta: error: more than one snapshot of {', '.join(twice)}", file=sys.stderr)
        return 1
    data = render(row(f) for f in facts)
    config = discover()
    output = Path(args.output)
    shown = Engine(config).display(output)
    version = manifest_version(configured_route(shown, config))
    run_, state = Run(config), dict[str, Any]()
    findings: list[Finding] = []
    for number, text in enumerate(data.decode("utf-8").splitlines(), start=1):
        document = parse_text(text, shown, number)
        findings.extend(judged(document.value, document, output, version, run_, state))
    writer("text")(findings, sys.stdout)
    if any(f.severity == "error" for f in findings):
        print(f"mlmeta: nothing written to {args.output}: the generated rows above are not valid", file=sys.stderr)
        return 1
    write_atomic(output, [data])
    print(f"{args.output}: {len(facts)} row(s)")
    return 0
