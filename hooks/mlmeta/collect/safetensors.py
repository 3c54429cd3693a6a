"""Parameter counts from safetensors headers: the 8-byte length and the JSON header, never the weights.

A safetensors file starts with an unsigned little-endian 64-bit header length, then that many bytes of
JSON mapping each tensor name to `{"dtype", "shape", "data_offsets"}` (plus an optional
`__metadata__` of strings). A tensor holds the product of its shape's dimensions in parameters
(a scalar, shape `[]`, holds one).
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlmeta.openers import open_regular

MAX_HEADER = 100 * 1024 * 1024  # the safetensors library's own limit: a larger "header" is not one


class SafetensorsError(ValueError):
    """A file that is not a readable safetensors file."""


def header(path: Path) -> dict[str, Any]:
    try:
        with open_regular(path) as handle:
            head = handle.read(8)
            if len(head) < 8:
                raise SafetensorsError(f"{path}: too short for a safetensors header")
            (length,) = struct.unpack("<Q", head)
            if length > MAX_HEADER:
                raise SafetensorsError(f"{path}: header length {length} is beyond {MAX_HEADER} bytes")
            raw = handle.read(length)
    except OSError as error:
        raise SafetensorsError(f"{path}: cannot read: {error.strerror or error}") from error
    if len(raw) < length:
        raise SafetensorsError(f"{path}: the file ends inside its header")
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SafetensorsError(f"{path}: the header is not JSON") from error
    if not isinstance(value, dict):
        raise SafetensorsError(f"{path}: the header is not a JSON object")
    return value


def parameters(paths: Iterable[Path]) -> dict[str, int]:
    """Parameters per dtype over all the given files (the shards of one model), in dtype order."""
    counts: dict[str, int] = {}
    for path in paths:
        for name, tensor in header(path).items():
            if name == "__metadata__":
                continue
            shape = tensor.get("shape") if isinstance(tensor, dict) else None
            dtype = tensor.get("dtype") if isinstance(tensor, dict) else None
            if not isinstance(dtype, str) or not isinstance(shape, list) or not all(_dimension(d) for d in shape):
                raise SafetensorsError(f"{path}: tensor entry without a dtype and a shape of whole numbers")
            counts[dtype] = counts.get(dtype, 0) + math.prod(shape)
    return dict(sorted(counts.items()))


def _dimension(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
