"""`mlmeta check DIR` on an OCI image layout: blobs, the config as a Kitfile, and layers against the Kitfile.

Every layout here is real: tar layers gzip-compressed by the test, blobs named by their SHA-256.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from mlmeta.cli import main

from .oci import INDEX, KIT, Layout, basic, digest, tar

Q = '"'  # a quote, for needles inside f-strings
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["check", *args])
    return code, capsys.readouterr().out.splitlines()


def at(path: Path, needle: str, skip: str = "") -> str:
    """`path:line:column` where `skip + needle` first occurs, pointing at needle, as a finding prints it.

    A finding points at a JSON value: for a string, its opening quote (so needles start with Q).
    """
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if skip + needle in line:
            return f"{path.as_posix()}:{number}:{line.index(skip + needle) + len(skip) + 1}"
    raise AssertionError(f"{skip + needle!r} not in {path}")


def blob(layout: Layout, descriptor: dict[str, Any]) -> Path:
    return layout.path(descriptor).relative_to(Path.cwd())


def manifest_of(layout: Layout, descriptor: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(layout.path(descriptor).read_text(encoding="utf-8"))
    return value


def test_a_sound_modelkit_has_no_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    basic(repo / "store")
    assert check(capsys, "store") == (0, [])
    assert check(capsys, "--strict", "store/") == (0, [])  # the config's paths are layers, not files beside it
    assert check(capsys, "--format", "json", "store") == (0, ["[]"])


def test_a_changed_layer_is_named_at_its_descriptor(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout, descriptor = basic(repo / "store")
    dataset = manifest_of(layout, descriptor)["layers"][2]
    layout.path(dataset).write_bytes(b"x" * dataset["size"])  # same size, other bytes
    where = at(blob(layout, descriptor), Q + dataset["digest"])
    message = f"the content of blobs/sha256/{dataset['digest'][7:]} does not have this digest (at /layers/2/digest)"
    assert check(capsys, "store") == (1, [f"{where}: error modelkit-manifest/v1 modelkit-blob: {message}"])


def test_a_missing_or_resized_blob(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout, descriptor = basic(repo / "store")
    layers = manifest_of(layout, descriptor)["layers"]
    layout.path(layers[1]).unlink()
    layout.path(layers[3]).write_bytes(b"short")
    shown = blob(layout, descriptor)
    code, out = check(capsys, "store")
    assert code == 1
    assert out == [
        f"{at(shown, Q + layers[1]['digest'])}: error modelkit-manifest/v1 modelkit-blob: the layout has no blob "
        f"blobs/sha256/{layers[1]['digest'][7:]} (at /layers/1/digest)",
        f"{at(shown, str(layers[3]['size']), skip=Q + 'size' + Q + ': ')}: error modelkit-manifest/v1 modelkit-blob: "
        f"the blob holds 5 bytes, not the {layers[3]['size']} its descriptor declares (at /layers/3/size)",
    ]


def test_an_unreadable_blob_is_a_finding(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlmeta.modelkit import layout as module

    layout, descriptor = basic(repo / "store")
    docs = manifest_of(layout, descriptor)["layers"][3]
    hash_file = module._sha256

    def failing(path: Path, algorithm: str) -> str:
        if path.resolve() == layout.path(docs).resolve():
            raise PermissionError(13, "Permission denied")
        return hash_file(path, algorithm)

    monkeypatch.setattr(module, "_sha256", failing)
    where = at(blob(layout, descriptor), Q + docs["digest"])
    message = f"cannot read blobs/sha256/{docs['digest'][7:]}: Permission denied (at /layers/3/digest)"
    assert check(capsys, "store") == (1, [f"{where}: error modelkit-manifest/v1 modelkit-blob: {message}"])


def test_the_manifest_blob_itself_is_verified_from_the_index(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout, descriptor = basic(repo / "store")
    path = layout.path(descriptor)
    path.write_bytes(path.read_bytes().replace(b"1.3.0", b"1.3.1"))
    where = at(Path("store/index.json"), Q + descriptor["digest"])
    message = f"the content of blobs/sha256/{descriptor['digest'][7:]} does not have this digest"
    message += " (at /manifests/0/digest)"
    assert check(capsys, "store") == (1, [f"{where}: error - modelkit-blob: {message}"])


def test_layout_files(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout, _ = basic(repo / "store")
    (repo / "store" / "oci-layout").write_text('{"imageLayoutVersion": "2.0.0"}', encoding="utf-8")
    assert check(capsys, "store") == (1, [
        "store/oci-layout:1:24: error - modelkit-layout: imageLayoutVersion must be '1.0.0' (at /imageLayoutVersion)"
    ])
    (repo / "store" / "index.json").unlink()
    assert check(capsys, "store")[1][0] == (
        "store:1:1: error - modelkit-layout: no index.json: not an OCI image layout"
    )
    (repo / "store" / "index.json").write_text('{"schemaVersion": 2, "manifests": []}', encoding="utf-8")
    assert check(capsys, "store")[1][0] == (  # sorted: index.json before oci-layout
        "store/index.json:1:35: error - modelkit-layout: an index names its manifests in a non-empty `manifests` list "
        "(at /manifests)"
    )
    (repo / "store" / "index.json").write_text('{"manifests": [}', encoding="utf-8")
    assert check(capsys, "store")[1][0].startswith("store/index.json:1:16: error - parse: not valid JSON")
    del layout


def test_the_config_must_be_a_kitfile(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = Layout(repo / "store")
    model, info = layout.layer("model", {"weights.bin": b"1"})
    kitfile = {"manifestVersion": "1.0.0", "model": {"path": "/weights.bin", **info}, "dataset": []}
    descriptor = layout.modelkit(kitfile, [model])
    config = blob(layout, manifest_of(layout, descriptor)["config"])
    code, out = check(capsys, "store")
    assert code == 1
    assert out == [
        f"{at(config, Q + '/weights.bin')}: error kitfile/v1 kitfile-path: absolute paths are not supported: "
        "write it relative to the Kitfile (at /model/path)",
        f"{at(config, Q + 'dataset' + Q)}: error kitfile/v1 schema: unknown key 'dataset'; did you mean 'datasets'? "
        "(at /dataset)",
    ]


def test_a_config_of_another_media_type_is_not_read_as_a_kitfile(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = Layout(repo / "store")
    model, _ = layout.layer("model", {"weights.bin": b"1"})
    config = layout.blob(b"{}", "application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "config": config, "layers": [model]}
    layout.manifests.append(layout.blob(json.dumps(manifest, indent=2).encode(), MANIFEST))
    layout.write_index()
    shown = blob(layout, layout.manifests[0])
    code, out = check(capsys, "store")
    assert code == 1
    assert out == [
        f"{at(shown, Q + 'application/vnd.oci.image.config.v1+json')}: error modelkit-manifest/v1 schema: "
        "must be one of: "
        "'application/vnd.kitops.modelkit.config.v1+json', 'application/vnd.jozu.model.config.v1+json' "
        "(at /config/mediaType)"
    ]


def test_layers_in_kitops_order_when_the_config_records_no_digests(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = Layout(repo / "store")
    model, _ = layout.layer("model", {"m.bin": b"1"})
    docs, _ = layout.layer("docs", {"train.csv": b"2"})
    kitfile = {"manifestVersion": "1.0.0", "model": {"path": "m.bin"}, "datasets": [{"path": "train.csv"}],
               "code": [{"path": "src"}]}
    descriptor = layout.modelkit(kitfile, [model, docs])
    shown = blob(layout, descriptor)
    code, out = check(capsys, "store")
    assert code == 1
    assert out == [
        f"{at(shown, '[', skip=Q + 'layers' + Q + ': ')}: error modelkit-manifest/v1 modelkit-layers: "
        "2 layers, but the Kitfile declares 3 "
        "(at /layers)",
        # KitOps packs code before datasets: the second layer stands for /code/0
        f"{at(shown, f'{Q}{KIT}.docs.v1.tar+gzip')}: error modelkit-manifest/v1 modelkit-layers: "
        "a docs layer where the "
        "Kitfile's /code/0 declares a code layer (at /layers/1/mediaType)",
    ]


def test_layers_by_the_digests_the_config_records(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = Layout(repo / "store")
    model, model_info = layout.layer("model", {"m.bin": b"1"})
    data, data_info = layout.layer("dataset", {"d.csv": b"2"})
    stray, _ = layout.layer("docs", {"README.md": b"3"})
    kitfile = {
        "manifestVersion": "1.0.0",
        "model": {"path": "m.bin", **model_info},
        "code": [{"path": "src", **data_info}],  # the dataset layer's digest, recorded for code
        "datasets": [{"path": "d.csv", "digest": "sha256:" + "0" * 64, "diffId": "sha256:" + "0" * 64}],
    }
    descriptor = layout.modelkit(kitfile, [data, model, stray])  # order does not matter when digests are there
    shown = blob(layout, descriptor)
    config = blob(layout, manifest_of(layout, descriptor)["config"])
    code, out = check(capsys, "store")
    assert code == 1
    assert out == [
        f"{at(shown, f'{Q}{KIT}.dataset.v1.tar+gzip')}: error modelkit-manifest/v1 modelkit-layers: a dataset layer "
        "where the Kitfile's /code/0 declares a code layer (at /layers/0/mediaType)",
        f"{at(shown, Q + stray['digest'])}: error modelkit-manifest/v1 modelkit-layers: "
        "the Kitfile names no layer with "
        "this digest (at /layers/2/digest)",
        f"{at(config, Q + 'sha256:' + '0' * 64)}: error kitfile/v1 modelkit-layers: no layer of the manifest has this "
        "digest (at /datasets/0/digest)",
    ]


def test_layer_digests_are_recorded_for_every_layer_or_none(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = Layout(repo / "store")
    model, model_info = layout.layer("model", {"m.bin": b"1"})
    docs, _ = layout.layer("docs", {"README.md": b"2"})
    kitfile = {"manifestVersion": "1.0.0", "model": {"path": "m.bin", **model_info}, "docs": [{"path": "README.md"}]}
    descriptor = layout.modelkit(kitfile, [model, docs])
    config = blob(layout, manifest_of(layout, descriptor)["config"])
    code, out = check(capsys, "store")
    assert code == 1
    first = f"{at(config, '{' + Q + 'path' + Q + ': ' + Q + 'README.md' + Q)}: error kitfile/v1 modelkit-config: "
    assert out == [
        first + "no digest here while other layers have one: KitOps records it for every layer or none (at /docs/0)",
        first + "no diffId here while other layers have one: KitOps records it for every layer or none (at /docs/0)",
    ]


def test_diff_id_is_the_digest_of_the_layer_uncompressed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = Layout(repo / "store")
    model, model_info = layout.layer("model", {"m.bin": b"1"})
    fake = layout.blob(tar({"d.csv": b"2"}), f"{KIT}.dataset.v1.tar+gzip")  # says gzip, is a bare tar
    kitfile = {
        "manifestVersion": "1.0.0",
        "model": {"path": "m.bin", **model_info, "diffId": digest(b"something else")},
        "datasets": [{"path": "d.csv", "digest": fake["digest"], "diffId": fake["digest"]}],
    }
    descriptor = layout.modelkit(kitfile, [model, fake])
    config = blob(layout, manifest_of(layout, descriptor)["config"])
    code, out = check(capsys, "store")
    assert code == 1
    assert out == [
        f"{at(config, Q + digest(b'something else'))}: error kitfile/v1 modelkit-blob: "
        "the layer, uncompressed, does not "
        "have this diffId (at /model/diffId)",
        f"{at(config, Q + fake['digest'], skip=Q + 'diffId' + Q + ': ')}: error kitfile/v1 modelkit-blob: "
        "the layer is not the gzip "
        "stream its media type says it is (at /datasets/0/diffId)",
    ]


def test_prompts_are_code_layers_marked_as_prompts(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = Layout(repo / "store")
    marked, _ = layout.layer("code", {"system.md": b"be brief"},
                             annotations={"ml.kitops.modelkit.layer-subtype": "prompt"})
    unmarked, _ = layout.layer("code", {"user.md": b"hi"})
    kitfile = {"manifestVersion": "1.0.0", "prompts": [{"path": "system.md"}, {"path": "user.md"}]}
    descriptor = layout.modelkit(kitfile, [marked, unmarked])
    shown = blob(layout, descriptor)
    code, out = check(capsys, "store")
    where = at(shown, unmarked["digest"]).rsplit(":", 2)[0]
    line = int(at(shown, unmarked["digest"]).rsplit(":", 2)[1]) - 1  # the mediaType precedes the digest
    assert (code, out) == (1, [
        f"{where}:{line}:20: error modelkit-manifest/v1 modelkit-layers: a code layer where the Kitfile's /prompts/1 "
        "declares a prompt layer (at /layers/1/mediaType)"
    ])


def test_a_legacy_modelkit(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = Layout(repo / "store")
    legacy = "application/vnd.jozu.model.content.v1.tar+gzip"
    content = layout.blob(gzip.compress(tar({"model.bin": b"1"}), mtime=0), legacy)
    config = layout.blob(json.dumps({"manifestVersion": "1.0", "model": {"path": "model.bin"}}).encode(),
                         "application/vnd.jozu.model.config.v1+json")
    manifest = {"schemaVersion": 2, "config": config, "layers": [content]}
    layout.manifests.append(layout.blob(json.dumps(manifest).encode(), MANIFEST))
    layout.write_index()
    assert check(capsys, "store") == (0, [])


def test_nested_indexes_and_other_artifacts(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout, descriptor = basic(repo / "store")
    nested = layout.blob(json.dumps({"schemaVersion": 2, "manifests": [descriptor]}).encode(), INDEX)
    signature = layout.blob(b'{"not": "a modelkit"}', MANIFEST,
                            artifactType="application/vnd.dev.cosign.artifact.sig.v1+json")
    other = json.dumps({"schemaVersion": 2, "artifactType": "application/vnd.example.sbom", "layers": []})
    sbom = layout.blob(other.encode(), MANIFEST)  # says what it is inside the manifest only
    layout.manifests = [nested, signature, sbom]
    layout.write_index()
    assert check(capsys, "store") == (0, [])
    layout.path(descriptor).write_text("{}", encoding="utf-8")  # reached through the nested index only
    code, out = check(capsys, "store")
    assert code == 1
    assert out[0].startswith(f"{blob(layout, nested)}:1:") and "modelkit-blob" in out[0]


def test_select_keeps_only_the_chosen_rules(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout = Layout(repo / "store")
    model, _ = layout.layer("model", {"m.bin": b"1"})
    layout.modelkit({"manifestVersion": "1.0.0", "model": {"path": "/m.bin"}, "datasets": [{"path": "d"}]}, [model])
    layout.path(model).write_bytes(b"0" * model["size"])
    code, out = check(capsys, "--select", "modelkit-blob", "store")
    assert code == 1
    assert [line.split(" ")[3] for line in out] == ["modelkit-blob:"]
    code, out = check(capsys, "--select", "kitfile-path,modelkit-layers", "store")
    assert sorted(line.split(" ")[3] for line in out) == ["kitfile-path:", "modelkit-layers:"]


def test_ordinary_files_beside_a_layout_are_checked_as_before(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    basic(repo / "store")
    (repo / "Kitfile").write_text("manifestVersion: 1.0.0\nmodel:\n  path: /abs\n", encoding="utf-8")
    code, out = check(capsys, "store", "Kitfile")
    assert code == 1
    assert out == [
        "Kitfile:3:9: error kitfile/v1 kitfile-path: absolute paths are not supported: write it relative to the "
        "Kitfile (at /model/path)"
    ]
