"""Parameter counts from safetensors headers alone."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from mlmeta.collect.safetensors import SafetensorsError, header, parameters

from .trees import safetensors


def test_parameters_sum_the_shards_by_dtype_and_skip_metadata(tmp_path: Path) -> None:
    safetensors(tmp_path / "a.safetensors", {"w": ("F32", [3, 4]), "s": ("I64", [])})
    safetensors(tmp_path / "b.safetensors", {"v": ("F32", [2]), "h": ("BF16", [5, 0])}, metadata=False)
    assert parameters([tmp_path / "a.safetensors", tmp_path / "b.safetensors"]) == {"BF16": 0, "F32": 14, "I64": 1}


def test_only_the_header_is_read(tmp_path: Path) -> None:
    """A file cut right after its header (no weights at all) still gives its counts: the data is never read."""
    path = tmp_path / "big.safetensors"
    safetensors(path, {"w": ("F16", [1000, 1000])})
    length = struct.unpack("<Q", path.read_bytes()[:8])[0]
    path.write_bytes(path.read_bytes()[: 8 + length])
    assert parameters([path]) == {"F16": 1_000_000}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x01\x02", "too short"),
        (struct.pack("<Q", 2**40) + b"{}", "beyond"),
        (struct.pack("<Q", 10) + b"{}", "ends inside its header"),
        (struct.pack("<Q", 4) + b"nope", "not JSON"),
        (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
    ],
)
def test_a_broken_file_is_an_error_not_a_crash(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "x.safetensors"
    path.write_bytes(data)
    with pytest.raises(SafetensorsError, match=message):
        header(path)


def test_a_tensor_without_a_shape_is_refused(tmp_path: Path) -> None:
    raw = json.dumps({"w": {"dtype": "F32", "shape": [2, -1]}}).encode()
    (tmp_path / "x.safetensors").write_bytes(struct.pack("<Q", len(raw)) + raw)
    with pytest.raises(SafetensorsError, match="shape of whole numbers"):
        parameters([tmp_path / "x.safetensors"])
