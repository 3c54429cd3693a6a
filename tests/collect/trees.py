"""Tiny model snapshots built by hand: a config, a model card, and real safetensors files (header + zeros)."""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

DTYPE_BYTES = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I8": 1}
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def safetensors(path: Path, tensors: dict[str, tuple[str, list[int]]], metadata: bool = True) -> None:
    """A valid safetensors file: 8-byte little-endian header length, the JSON header, then zeroed data."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}} if metadata else {}
    offset = 0
    for name, (dtype, shape) in tensors.items():
        size = math.prod(shape) * DTYPE_BYTES[dtype]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # the format pads the header to 8 bytes with spaces
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + bytes(offset))


CARD = """---
language:
- en
- de
- multilingual
license: apache-2.0
base_model: google-bert/bert-base-uncased
pipeline_tag: token-classification
tags:
- pii
- arxiv:2508.01630
---
# A PII model

Text of the card.
"""

CONFIG = {
    "architectures": ["BertForTokenClassification"],
    "model_type": "bert",
    "hidden_size": 64,
    "num_attention_heads": 4,
    "num_hidden_layers": 2,
    "intermediate_size": 256,
    "max_position_embeddings": 512,
    "vocab_size": 30522,
    "hidden_act": "gelu",
    "layer_norm_eps": 1e-12,
    "position_embedding_type": "absolute",
    "id2label": {"0": "O", "1": "B-EMAIL", "2": "I-EMAIL", "3": "B-PHONE", "4": "I-PHONE", "10": "B-street_address"},
}
TOKENIZER = {  # bert-base-uncased's tokenizer_config.json
    "clean_up_tokenization_spaces": True, "cls_token": "[CLS]", "do_lower_case": True, "mask_token": "[MASK]",
    "model_max_length": 512, "pad_token": "[PAD]", "sep_token": "[SEP]", "strip_accents": None,
    "tokenize_chinese_chars": True, "tokenizer_class": "BertTokenizer", "unk_token": "[UNK]",
}  # fmt: skip


def model_files(
    folder: Path,
    config: dict[str, object] | None = None,
    card: str | None = CARD,
    tokenizer: dict[str, object] | None = None,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config or CONFIG), encoding="utf-8")
    if card is not None:
        (folder / "README.md").write_text(card, encoding="utf-8")
    if tokenizer is not None:
        (folder / "tokenizer_config.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    safetensors(folder / "model-00001-of-00002.safetensors", {"embeddings": ("F32", [100, 64]), "bias": ("F32", [64])})
    safetensors(folder / "model-00002-of-00002.safetensors", {"head": ("BF16", [64, 11]), "step": ("I64", [])})


def hub_cache(root: Path, repo_id: str, commit: str = COMMIT, **kwargs: object) -> Path:
    """`models--ORG--NAME/snapshots/<commit>/...` with `refs/main`, as huggingface_hub lays out its cache."""
    repository = root / ("models--" + repo_id.replace("/", "--"))
    snapshot = repository / "snapshots" / commit
    model_files(snapshot, **kwargs)  # type: ignore[arg-type]
    (repository / "refs").mkdir(parents=True, exist_ok=True)
    (repository / "refs" / "main").write_text(commit, encoding="utf-8")
    return snapshot
