"""`mlmeta check DIR` on an OCI image layout that holds ModelKits.

A layout is a folder with `oci-layout`, `index.json` and `blobs/<algorithm>/<hex>`.
Every blob a descriptor names must exist with the declared size and digest;
each ModelKit manifest must pass the `modelkit-manifest` schema and rules; its
config must be a Kitfile (JSON), valid as one; and its layers must be the ones
that Kitfile declares -- by the digests KitOps records in the config when they
are there, else in the order KitOps packs them. Findings name the blob they are
about (`DIR/blobs/sha256/<hex>`), at the line and column of the descriptor.
A check never writes: blobs are content-addressed, so nothing here is fixable.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from mlmeta.documents import Document, finding_at, join, read, resolve
from mlmeta.findings import Finding, Problem
from mlmeta.modelkit import media
from mlmeta.modelkit.kitfile import Layer, layers
from mlmeta.modelkit.reference import DIGEST_HEX, is_digest
from mlmeta.schemas import Route


class Engine(Protocol):
    """What the layout needs of the engine that is handed its documents (structural: no import of it)."""

    def display(self, path: Path) -> str: ...

    def wants(self, rule: str) -> bool: ...

    def judge(self, document: Document, route: Route, path: Path, state: dict[str, Any]) -> list[Finding]: ...

LAYOUT_VERSION = "1.0.0"
CHUNK = 1 << 20
MAX_NESTED_INDEXES = 8
MANIFEST_ROUTE = Route("modelkit-manifest", 1)
KITFILE_ROUTE = Route("kitfile", 1)
LAYER_INFO = ("digest", "diffId")  # written by KitOps into the config's Kitfile, never into a Kitfile on disk


def check_layout(folder: Path, engine: Engine) -> Iterator[Finding]:
    yield from Layout(folder, engine).findings()


@dataclass
class Blob:
    """What is known about one blob: its size on disk and its digests, each computed at most once."""

    path: Path
    size: int | None = None  # None: missing
    digest: str | None = None
    unreadable: str | None = None  # why the blob cannot be read
    uncompressed: dict[str, str | None] = field(default_factory=dict)  # compression -> sha256, None: unreadable


@dataclass
class Layout:
    folder: Path
    engine: Engine
    blobs: dict[str, Blob] = field(default_factory=dict)
    manifests_seen: set[str] = field(default_factory=set)

    def findings(self) -> Iterator[Finding]:
        yield from self._layout_file()
        index_path = self.folder / "index.json"
        if not index_path.is_file():
            shown = self.engine.display(self.folder)
            message = "no index.json: not an OCI image layout"
            yield Finding(shown, 1, 1, "", None, None, "modelkit-layout", "error", message)
            return
        yield from self._index(self._read(index_path), 0)

    # -- the layout's own files

    def _layout_file(self) -> Iterator[Finding]:
        document = self._read(self.folder / "oci-layout")
        found = self._reading(document, None)
        if document.ok and not found:
            value = document.value
            version = value.get("imageLayoutVersion") if isinstance(value, dict) else None
            if version != LAYOUT_VERSION:
                pointer = "/imageLayoutVersion" if isinstance(value, dict) and "imageLayoutVersion" in value else ""
                message = f"imageLayoutVersion must be {LAYOUT_VERSION!r}"
                found.append(self._at(document, Problem(pointer, "modelkit-layout", message), None))
        yield from found

    def _index(self, document: Document, depth: int) -> Iterator[Finding]:
        found = self._reading(document, None)
        value = document.value
        if not document.ok or found:
            yield from found
            return
        manifests = value.get("manifests") if isinstance(value, dict) else None
        problems: list[Problem] = []
        if not isinstance(manifests, list) or not manifests:
            problems.append(Problem("/manifests" if isinstance(value, dict) and "manifests" in value else "",
                                    "modelkit-layout", "an index names its manifests in a non-empty `manifests` list"))
            manifests = []
        nested: list[tuple[int, Path]] = []
        checked: list[Path] = []
        for number, descriptor in enumerate(manifests):
            pointer = join("/manifests", number)
            if not _is_descriptor(descriptor):
                message = "a descriptor holds a mediaType, a digest and a size"
                problems.append(Problem(pointer, "modelkit-layout", message))
                continue
            if not is_digest(descriptor["digest"]):
                message = f"a digest is an algorithm ({', '.join(DIGEST_HEX)}), ':' and its lowercase hex"
                problems.append(Problem(join(pointer, "digest"), "modelkit-layout", message))
                continue
            blob_problems = list(self._blob(descriptor, pointer))
            problems.extend(blob_problems)
            if blob_problems or descriptor["digest"] in self.manifests_seen:
                continue
            self.manifests_seen.add(descriptor["digest"])
            path = self._blob_path(descriptor["digest"])
            if descriptor["mediaType"] == media.INDEX:
                nested.append((number, path))
            elif descriptor["mediaType"] == media.MANIFEST and _may_be_modelkit(descriptor):
                checked.append(path)
        found.extend(self._at(document, p, None) for p in problems if self.engine.wants(p.rule))
        yield from sorted(found, key=Finding.sort_key)
        for number, path in nested:
            if depth >= MAX_NESTED_INDEXES:
                problem = Problem(join("/manifests", number), "modelkit-layout", "indexes nest too deep")
                yield self._at(document, problem, None)
            else:
                yield from self._index(self._read(path), depth + 1)
        for path in checked:
            yield from self._manifest(path)

    # -- one ModelKit

    def _manifest(self, path: Path) -> Iterator[Finding]:
        document = self._read(path)
        manifest = document.value
        artifact = manifest.get("artifactType") if isinstance(manifest, dict) else None
        if isinstance(artifact, str) and artifact != media.MODELKIT_ARTIFACT:
            return  # another artifact kept in the same layout (a signature, say): not ours to judge
        found = self.engine.judge(document, MANIFEST_ROUTE, path, {})
        if not document.ok or not isinstance(manifest, dict) or document.problems:
            yield from sorted(found, key=Finding.sort_key)
            return
        problems: list[Problem] = []
        config: Any = manifest.get("config")
        config_ok = False
        if _is_descriptor(config) and is_digest(config["digest"]):
            config_problems = list(self._blob(config, "/config"))
            problems.extend(config_problems)
            config_ok = not config_problems and config["mediaType"] in media.CONFIGS
        layer_list: list[Any] = manifest["layers"] if isinstance(manifest.get("layers"), list) else []
        for number, layer in enumerate(layer_list):
            if _is_descriptor(layer) and is_digest(layer["digest"]):
                problems.extend(self._blob(layer, join("/layers", number)))
        if config_ok:
            config_path = self._blob_path(config["digest"])
            config_document = self._read(config_path)
            kitfile_found, kitfile = self._kitfile(config_document, config_path)
            found.extend(kitfile_found)
            if kitfile is not None:
                matched, on_kitfile = self._match(kitfile, layer_list)
                problems.extend(matched)
                found.extend(
                    self._at(config_document, p, KITFILE_ROUTE) for p in on_kitfile if self.engine.wants(p.rule)
                )
        found.extend(self._at(document, p, MANIFEST_ROUTE) for p in problems if self.engine.wants(p.rule))
        yield from sorted(found, key=Finding.sort_key)

    def _kitfile(self, document: Document, path: Path) -> tuple[list[Finding], dict[str, Any] | None]:
        """The config blob judged as a Kitfile, without the layer digests KitOps adds to it."""
        if not document.ok or document.problems:
            return self._reading(document, KITFILE_ROUTE), None
        value = document.value
        if not isinstance(value, dict):
            problem = Problem("", "modelkit-config", "the config is not a Kitfile: a Kitfile is a JSON object")
            return [self._at(document, problem, KITFILE_ROUTE)], None
        bare = Document(document.path, _without_layer_info(value), document.locator, [], document.line, document.text)
        # no folder to look for the paths in: the files are the layers
        found = self.engine.judge(bare, KITFILE_ROUTE, path, {"in_modelkit": True})
        problems = list(_layer_info_problems(value))
        found.extend(self._at(document, p, KITFILE_ROUTE) for p in problems if self.engine.wants(p.rule))
        return found, value

    def _match(self, kitfile: dict[str, Any], manifest_layers: list[Any]) -> tuple[list[Problem], list[Problem]]:
        """Problems on the manifest and on the Kitfile where the layers are not the ones the Kitfile declares."""
        declared = list(layers(kitfile))
        digests = [_info(kitfile, layer, "digest") for layer in declared]
        on_manifest: list[Problem] = []
        on_kitfile: list[Problem] = []
        pairs: list[tuple[Layer, int]] = []
        if declared and all(digests):
            unused = {n for n, layer in enumerate(manifest_layers) if isinstance(layer, dict)}
            for layer, digest in zip(declared, digests, strict=True):
                number = next((n for n in sorted(unused) if manifest_layers[n].get("digest") == digest), None)
                if number is None:
                    message = "no layer of the manifest has this digest"
                    on_kitfile.append(Problem(join(layer.pointer, "digest"), "modelkit-layers", message))
                    continue
                unused.discard(number)
                pairs.append((layer, number))
            for number in sorted(unused):
                message = "the Kitfile names no layer with this digest"
                on_manifest.append(Problem(join(join("/layers", number), "digest"), "modelkit-layers", message))
        else:
            if len(declared) != len(manifest_layers):
                message = f"{len(manifest_layers)} layers, but the Kitfile declares {len(declared)}"
                on_manifest.append(Problem("/layers", "modelkit-layers", message))
            pairs = [(layer, n) for n, layer in enumerate(declared[: len(manifest_layers)])]
        for layer, number in pairs:
            descriptor = manifest_layers[number]
            actual = _layer_kind(descriptor)
            expected = layer.subtype or layer.base
            if actual is not None and actual != expected:
                pointer = join(join("/layers", number), "mediaType")
                message = f"a {actual} layer where the Kitfile's {layer.pointer} declares a {expected} layer"
                on_manifest.append(Problem(pointer, "modelkit-layers", message))
            elif _is_descriptor(descriptor):
                on_kitfile.extend(self._diff_id(kitfile, layer, descriptor))
        return on_manifest, on_kitfile

    def _diff_id(self, kitfile: dict[str, Any], layer: Layer, descriptor: dict[str, Any]) -> Iterator[Problem]:
        """A recorded diffId is the SHA-256 of the layer uncompressed; checked where the stdlib can decompress."""
        diff_id = _info(kitfile, layer, "diffId")
        blob = self.blobs.get(descriptor["digest"])
        if diff_id is None or blob is None or blob.digest != descriptor["digest"]:
            return  # nothing recorded, or the blob is already reported
        compression = media.compression(descriptor["mediaType"])
        if compression not in (None, "gzip"):
            return  # zstd needs a library the check does not carry
        actual = self._uncompressed(blob, compression)
        pointer = join(layer.pointer, "diffId")
        if actual is None:
            yield Problem(pointer, "modelkit-blob", "the layer is not the gzip stream its media type says it is")
        elif actual != diff_id:
            yield Problem(pointer, "modelkit-blob", "the layer, uncompressed, does not have this diffId")

    # -- blobs

    def _blob_path(self, digest: str) -> Path:
        algorithm, _, encoded = digest.partition(":")
        return self.folder / "blobs" / algorithm / encoded

    def _blob(self, descriptor: dict[str, Any], pointer: str) -> Iterator[Problem]:
        digest: str = descriptor["digest"]
        blob = self.blobs.get(digest)
        if blob is None:
            blob = self.blobs[digest] = Blob(self._blob_path(digest))
            if blob.path.is_file():
                blob.size = blob.path.stat().st_size
        where = blob.path.relative_to(self.folder).as_posix()
        if blob.size is None:
            yield Problem(join(pointer, "digest"), "modelkit-blob", f"the layout has no blob {where}")
            return
        if blob.size != descriptor["size"]:
            message = f"the blob holds {blob.size} bytes, not the {descriptor['size']} its descriptor declares"
            yield Problem(join(pointer, "size"), "modelkit-blob", message)
            return
        if blob.digest is None and blob.unreadable is None:
            try:
                blob.digest = _sha256(blob.path, digest.partition(":")[0])
            except OSError as error:  # a finding, as for any file that cannot be read
                blob.unreadable = error.strerror or str(error)
        if blob.unreadable is not None:
            yield Problem(join(pointer, "digest"), "modelkit-blob", f"cannot read {where}: {blob.unreadable}")
            return
        if blob.digest != digest:
            yield Problem(join(pointer, "digest"), "modelkit-blob", f"the content of {where} does not have this digest")

    def _uncompressed(self, blob: Blob, compression: str | None) -> str | None:
        key = compression or "none"
        if key not in blob.uncompressed:
            if compression is None:
                known = blob.digest if blob.digest and blob.digest.startswith("sha256:") else None
                blob.uncompressed[key] = known or _sha256(blob.path, "sha256")
            else:
                blob.uncompressed[key] = _gunzipped_sha256(blob.path)
        return blob.uncompressed[key]

    # -- documents and findings

    def _read(self, path: Path) -> Document:
        return next(iter(read(path, "json", self.engine.display(path))))

    def _reading(self, document: Document, route: Route | None) -> list[Finding]:
        """The problems met while reading a blob (not JSON, duplicate keys, ...)."""
        return [
            self._at(document, problem, route, where)
            for problem, where in document.problems
            if self.engine.wants(problem.rule)
        ]

    def _at(
        self, document: Document, problem: Problem, route: Route | None, where: tuple[int, int] | None = None
    ) -> Finding:
        kind, version = (route.kind, route.version) if route else (None, None)
        return finding_at(document, problem, kind, version, where)


def _is_descriptor(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("mediaType"), str)
        and isinstance(value.get("digest"), str)
        and isinstance(value.get("size"), int)
        and not isinstance(value.get("size"), bool)
    )


def _may_be_modelkit(descriptor: dict[str, Any]) -> bool:
    artifact = descriptor.get("artifactType")
    return not isinstance(artifact, str) or artifact == media.MODELKIT_ARTIFACT


def _layer_kind(descriptor: Any) -> str | None:
    """model, modelpart, code, dataset, docs or prompt; None for a legacy layer, which names no kind."""
    media_type = descriptor.get("mediaType") if isinstance(descriptor, dict) else None
    base = media.layer_base(media_type) if isinstance(media_type, str) else None
    annotations = descriptor.get("annotations") if isinstance(descriptor, dict) else None
    key, value = media.PROMPT_ANNOTATION
    if base == "code" and isinstance(annotations, dict) and annotations.get(key) == value:
        return "prompt"
    return base


def _info(kitfile: dict[str, Any], layer: Layer, key: str) -> str | None:
    entry = resolve(kitfile, layer.pointer)
    value = entry.get(key) if isinstance(entry, dict) else None
    return value if isinstance(value, str) and value else None


def _without_layer_info(kitfile: dict[str, Any]) -> dict[str, Any]:
    bare = copy.deepcopy(kitfile)
    for layer in layers(bare):
        entry = resolve(bare, layer.pointer)
        if isinstance(entry, dict):
            for key in LAYER_INFO:
                entry.pop(key, None)
    return bare


def _layer_info_problems(kitfile: dict[str, Any]) -> Iterator[Problem]:
    """KitOps records a digest (and diffId) for every layer or for none; each is a well-formed digest."""
    declared = list(layers(kitfile))
    for key in LAYER_INFO:
        present = [layer for layer in declared if _info(kitfile, layer, key) is not None]
        for layer in present:
            if not is_digest(_info(kitfile, layer, key) or ""):
                message = f"{key} is not sha256: and 64 lowercase hex digits"
                yield Problem(join(layer.pointer, key), "modelkit-config", message)
        if present and len(present) != len(declared):
            for layer in declared:
                if layer not in present:
                    message = f"no {key} here while other layers have one: KitOps records it for every layer or none"
                    yield Problem(layer.pointer, "modelkit-config", message)


def _sha256(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return f"{algorithm}:{digest.hexdigest()}"


def _gunzipped_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    except (OSError, EOFError, zlib.error):
        return None
    return f"sha256:{digest.hexdigest()}"
