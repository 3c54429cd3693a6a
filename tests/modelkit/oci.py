"""Small, real OCI image layouts of ModelKits, built the way `kit pack` lays them out."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

KIT = "application/vnd.kitops.modelkit"
INDEX = "application/vnd.oci.image.index.v1+json"


def tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """An OCI layout folder: write blobs, then a manifest, then the index that names it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (folder / "blobs" / "sha256").mkdir(parents=True)
        (folder / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}', encoding="utf-8")
        self.manifests: list[dict[str, Any]] = []

    def blob(self, data: bytes, media_type: str, **extra: Any) -> dict[str, Any]:
        found = digest(data)
        (self.folder / "blobs" / "sha256" / found.partition(":")[2]).write_bytes(data)
        return {"mediaType": media_type, "digest": found, "size": len(data), **extra}

    def path(self, descriptor: dict[str, Any]) -> Path:
        return self.folder / "blobs" / "sha256" / descriptor["digest"].partition(":")[2]

    def layer(self, base: str, files: dict[str, bytes], **extra: Any) -> tuple[dict[str, Any], dict[str, str]]:
        """A tar+gzip layer and the layer info KitOps records for it in the config (digest, diffId)."""
        raw = tar(files)
        descriptor = self.blob(gzip.compress(raw, mtime=0), f"{KIT}.{base}.v1.tar+gzip", **extra)
        return descriptor, {"digest": descriptor["digest"], "diffId": digest(raw)}

    def modelkit(self, kitfile: dict[str, Any], layers: list[dict[str, Any]], tag: str = "latest") -> dict[str, Any]:
        config = self.blob(json.dumps(kitfile).encode(), f"{KIT}.config.v1+json")
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": f"{KIT}.manifest.v1+json",
            "config": config,
            "layers": layers,
            "annotations": {"ml.kitops.modelkit.cli-version": "1.3.0"},
        }
        descriptor = self.blob(
            json.dumps(manifest, indent=2).encode(),
            "application/vnd.oci.image.manifest.v1+json",
            annotations={"org.opencontainers.image.ref.name": tag},
        )
        self.manifests.append(descriptor)
        self.write_index()
        return descriptor

    def write_index(self) -> None:
        index = {"schemaVersion": 2, "mediaType": INDEX, "manifests": self.manifests}
        (self.folder / "index.json").write_text(json.dumps(index, indent=2), encoding="utf-8")


def basic(folder: Path) -> tuple[Layout, dict[str, Any]]:
    """A ModelKit with a model, one part, a dataset and docs, whose config records every layer's digest."""
    layout = Layout(folder)
    model, model_info = layout.layer("model", {"model/weights.bin": b"\x00" * 64})
    part, part_info = layout.layer("modelpart", {"model/tokenizer.json": b"{}"})
    data, data_info = layout.layer("dataset", {"data/train.csv": b"text,label\nhi,1\n"})
    docs, docs_info = layout.layer("docs", {"README.md": b"# demo\n"})
    kitfile = {
        "manifestVersion": "1.0.0",
        "package": {"name": "demo", "authors": ["Jane Doe"]},
        "model": {
            "name": "demo", "path": "model/weights.bin", **model_info,
            "parts": [{"name": "tokenizer", "path": "model/tokenizer.json", "type": "tokenizer", **part_info}],
            "parameters": {"epochs": 3},
        },
        "datasets": [{"name": "train", "path": "data/train.csv", **data_info}],
        "docs": [{"path": "README.md", **docs_info}],
    }
    manifest = layout.modelkit(kitfile, [model, part, data, docs])
    return layout, manifest
