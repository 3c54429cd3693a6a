"""Checks against history, on real git histories built in temporary repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import ROOT
from .helpers import commit, consumer, git, run

IDENTITY = ("-c", "user.name=t", "-c", "user.email=t@t")
HASH_A = "sha256:" + "a" * 64
HASH_B = "sha256:" + "b" * 64


def row(repo_id: str, released: str = "2025-01-02", digest: str = HASH_A) -> str:
    return json.dumps({"repo_id": repo_id, "released": released, "reproducibility_hash": digest}) + "\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    assert git(tmp_path, "init", "-q", "-b", "main").returncode == 0
    return tmp_path


def save(repo: Path, files: dict[str, str], message: str = "change") -> None:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    assert git(repo, "add", "-A").returncode == 0
    assert git(repo, *IDENTITY, "commit", "-qm", message).returncode == 0


def history(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    select = "history-immutable,history-append-only,history-stable-hash,history-schema-version,path-case"
    code, out, _ = run(capsys, "check", "-q", "--select", select, *args)
    return code, out.splitlines()


def test_a_manifest_row_keeps_its_hash_and_release_date(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save(repo, {"models.jsonl": row("Org/a") + row("Org/b") + row("Org/c")})
    (repo / "models.jsonl").write_text(
        row("Org/a", digest=HASH_B) + row("Org/b", released="2025-03-04") + row("Org/d"), encoding="utf-8"
    )
    assert history(capsys, "--base", "main") == (1, [
        "models.jsonl:1:1: warning manifest/v1 history-stable-hash: the released row on line 3 at main is gone: "
        "a released model leaves the manifest",
        "models.jsonl:1:72: error manifest/v1 history-stable-hash: reproducibility_hash changed since main while "
        "repo_id and released stayed (line 1 there): the provenance of a release is stable; release anew with a "
        "new date (at /reproducibility_hash)",
        "models.jsonl:2:34: error manifest/v1 history-stable-hash: `released` moved since main (the row's line "
        "there: 2): a release date is history (at /released)",
    ])
    assert history(capsys) == (0, [])  # without --base, nothing of this runs
    save(repo, {})
    assert history(capsys, "--base", "main") == (0, [])  # the same content at the base


def test_a_model_record_is_appended_to_never_rewritten(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stage = {"name": "pretraining", "data": "c4"}
    record = {"id": "org/tiny", "version": "1", "training_stages": [stage]}
    save(repo, {"model_metadata/tiny.json": json.dumps(record, indent=2)})
    changed = {**record, "training_stages": [{**stage, "data": "pile"}]}
    (repo / "model_metadata/tiny.json").write_text(json.dumps(changed, indent=2), encoding="utf-8")
    code, lines = history(capsys, "--base", "HEAD")
    assert (code, lines) == (1, [
        "model_metadata/tiny.json:5:5: error model/v1 history-append-only: an earlier `training_stages` entry "
        "changed since HEAD: earlier entries stay as they were; append a new one (at /training_stages/0)",
    ])
    appended = {**record, "training_stages": [stage, {"name": "sft", "data": "tulu"}]}
    (repo / "model_metadata/tiny.json").write_text(json.dumps(appended, indent=2), encoding="utf-8")
    code, lines = history(capsys, "--base", "HEAD")
    assert code == 1 and lines[0].startswith("model_metadata/tiny.json:3:14: error model/v1 history-append-only: "
                                             "entries were appended since HEAD without a new `version`")
    (repo / "model_metadata/tiny.json").write_text(json.dumps({**appended, "version": "2"}, indent=2), "utf-8")
    assert history(capsys, "--base", "HEAD") == (0, [])


def test_a_rename_keeps_the_history_and_a_new_file_has_none(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = {"id": "org/tiny", "training_stages": [{"name": "pretraining", "data": "c4"}, {"name": "sft"}]}
    save(repo, {"model_metadata/tiny.json": json.dumps(record, indent=2)})
    assert git(repo, "mv", "model_metadata/tiny.json", "model_metadata/org_tiny.json").returncode == 0
    shortened = {**record, "training_stages": record["training_stages"][:1]}
    (repo / "model_metadata/org_tiny.json").write_text(json.dumps(shortened, indent=2), encoding="utf-8")
    (repo / "model_metadata/new.json").write_text(json.dumps({"id": "org/new"}), encoding="utf-8")
    assert git(repo, "add", "-A").returncode == 0
    assert history(capsys, "--base", "HEAD") == (1, [
        "model_metadata/org_tiny.json:3:22: error model/v1 history-append-only: `training_stages` lost entries it "
        "held at HEAD: entries are appended, never removed (at /training_stages)",
    ])


def test_a_committed_modelkit_manifest_is_never_edited(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = {"$schema": "https://mlmeta.dev/schemas/modelkit-manifest/v1.json", "schemaVersion": 2}
    save(repo, {"kits/m.json": json.dumps(manifest)})
    (repo / "kits/m.json").write_text(json.dumps({**manifest, "annotations": {"a": "b"}}), encoding="utf-8")
    code, lines = history(capsys, "--base", "HEAD", "kits/m.json")
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("kits/m.json:1:1: error modelkit-manifest/v1 history-immutable: this ModelKit "
                               "manifest changed in place since HEAD (its ModelKitID was sha256:")


def test_a_released_user_schema_and_a_declared_version(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = '[tool.mlmeta.kinds.lab]\nschema = "schemas/lab/v{N}.json"\n[tool.mlmeta.routes]\n"cards/*.json" = "lab"\n'
    save(repo, {
        "pyproject.toml": config,
        "schemas/lab/v1.json": '{"type": "object"}',
        "schemas/lab/v2.json": '{"type": "object", "required": ["name"]}',
        "cards/a.json": '{"$schema": "../schemas/lab/v2.json", "name": "a"}',
    })
    (repo / "schemas/lab/v1.json").write_text('{"type": "object", "minProperties": 1}', encoding="utf-8")
    (repo / "cards/a.json").write_text('{"$schema": "../schemas/lab/v1.json", "name": "a"}', encoding="utf-8")
    assert history(capsys, "--base", "HEAD", "schemas/lab/v1.json", "cards/a.json") == (1, [
        "cards/a.json:1:13: error lab/v1 history-schema-version: schema version went down from v2 at HEAD to v1 "
        "(at /$schema)",
        "schemas/lab/v1.json:1:1: error lab/v1 history-immutable: released schema lab/v1 changed since HEAD: "
        "publish the change as v2 or later",
    ])
    assert run(capsys, "schemas", "lock")[0] == 0  # a lock says which versions are released: schema-lock judges them
    assert history(capsys, "--base", "HEAD", "schemas/lab/v1.json") == (0, [])


def test_paths_that_differ_only_in_case(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dataset = '{"domains": [], "summary": {"total_tokens_billions": 1}}'
    save(repo, {"dataset_metadata/PII-Masking-200k.json": dataset, "dataset_metadata/PII-masking-200k.json": dataset})
    code, lines = history(capsys)
    assert code == 1
    assert lines == [
        "dataset_metadata/PII-Masking-200k.json:1:1: error - path-case: path differs only in case from "
        "dataset_metadata/PII-masking-200k.json: on macOS and Windows checkouts the two are one file, and one "
        "silently replaces the other",
        "dataset_metadata/PII-masking-200k.json:1:1: error - path-case: path differs only in case from "
        "dataset_metadata/PII-Masking-200k.json: on macOS and Windows checkouts the two are one file, and one "
        "silently replaces the other",
    ]


def test_many_names_of_a_folder_are_listed_by_one_pathspec_alike(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past FOLDER_SPEC names in a folder, git lists the folder (its name escaped for a glob): the same findings."""
    import mlmeta.files

    dataset = '{"domains": [], "summary": {"total_tokens_billions": 1}}'
    files = {f"dataset_metadata/d[1]*?/set{n:02}.json": dataset for n in range(20)}
    files |= {"dataset_metadata/d[1]*?/SET07.json": dataset, "dataset_metadata/D[1]*?/set08.json": dataset}
    files |= {"dataset_metadata/d[1]*?/ä.json": dataset, "dataset_metadata/d[1]*?/Ä.json": dataset}  # both given
    save(repo, files)
    names = [name for name in files if "/d[1]*?/" in name and "SET" not in name]
    by_folder = history(capsys, *names)
    monkeypatch.setattr(mlmeta.files, "FOLDER_SPEC", 1_000)
    assert history(capsys, *names) == by_folder
    assert [line.split(":")[0] for line in by_folder[1]] == [
        f"dataset_metadata/d[1]*?/{name}.json" for name in ("set07", "set08", "Ä", "ä")
    ]


def test_a_base_that_is_no_revision_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save(repo, {"models.jsonl": row("Org/a")})
    code, out, err = run(capsys, "check", "--base", "origin/nowhere")
    assert (code, out) == (2, "") and "--base origin/nowhere: not a revision" in err


def test_under_pre_commit_the_staged_change_meets_head(
    tmp_path: Path, hook_repo: tuple[Path, str], environment: dict[str, str]
) -> None:
    catalog = consumer(tmp_path, hook_repo, environment, ["mlmeta"])
    first = (ROOT / "tests/fixtures/manifest/valid/seed-rows.jsonl").read_text(encoding="utf-8").splitlines()[0]
    (catalog / "models.jsonl").write_text(first + "\n", encoding="utf-8")
    code, output = commit(catalog, environment, ".pre-commit-config.yaml", "models.jsonl")
    assert code == 0, output  # new at HEAD (there is no HEAD yet): no history to break
    (catalog / "models.jsonl").write_text(first.replace("a" * 64, "b" * 64) + "\n", encoding="utf-8")
    code, output = commit(catalog, environment, "models.jsonl")
    assert code != 0
    column = first.index('"sha256:') + 1
    expected = f"models.jsonl:1:{column}: error manifest/v1 history-stable-hash: reproducibility_hash changed since"
    assert expected in output


def test_an_unreleased_row_is_open_and_a_first_release_is_no_move(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unreleased = json.dumps({"repo_id": "Org/a", "released": None, "reproducibility_hash": HASH_A}) + "\n"
    save(repo, {"models.jsonl": unreleased + row("Org/b")})
    (repo / "models.jsonl").write_text(row("Org/a", released="2025-05-06", digest=HASH_B) + row("Org/b"), "utf-8")
    assert history(capsys, "--base", "HEAD") == (0, [])
    (repo / "models.jsonl").write_bytes(b"\x00\x01 not rows\n")  # unreadable now: the check says so, no "gone"
    assert not [line for line in history(capsys, "--base", "HEAD")[1] if "history-" in line]


def test_nan_in_an_earlier_entry_is_the_same_nan(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = '{\n  "id": "org/tiny",\n  "author": "a",\n  "evaluations": [{"name": "x", "score": NaN}]\n}\n'
    save(repo, {"model_metadata/tiny.json": text})
    (repo / "model_metadata/tiny.json").write_text(text.replace('"a"', '"b"'), encoding="utf-8")
    assert not [line for line in history(capsys, "--base", "HEAD")[1] if "history-" in line]  # NaN: a parse finding


def test_a_lock_only_grows_and_a_one_file_kind_is_the_teams_to_edit(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ('[tool.mlmeta.kinds.lab]\nschema = "schemas/lab/v{N}.json"\n'
              '[tool.mlmeta.kinds.one]\nschema = "one.schema.json"\n')
    save(repo, {"pyproject.toml": config, "schemas/lab/v1.json": "{}", "one.schema.json": "{}"})
    assert run(capsys, "schemas", "lock")[0] == 0
    save(repo, {})
    (repo / "one.schema.json").write_text('{"type": "object"}', encoding="utf-8")
    monkeypatch.setenv("PRE_COMMIT", "1")  # as the hook runs: against HEAD
    assert history(capsys, "one.schema.json") == (0, [])
    (repo / "schemas/lab/v1.json").write_text('{"type": "object"}', encoding="utf-8")
    assert run(capsys, "schemas", "lock", "--force")[0] == 0
    code, lines = history(capsys, "schemas/lab/SHA256SUMS")
    assert code == 1 and lines == [
        "schemas/lab/SHA256SUMS:1:1: error lab history-immutable: the lock's entry for released v1.json changed "
        "since HEAD: a released version stays"
    ]
    monkeypatch.delenv("PRE_COMMIT")
    assert "schemas/lab/SHA256SUMS" in run(capsys, "check", "--base", "HEAD")[1]  # CI sees it too


def test_a_root_below_the_top_of_the_git_repository(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save(repo, {"sub/pyproject.toml": "", "sub/models.jsonl": row("Org/a")})
    (repo / "sub/models.jsonl").write_text(row("Org/a", digest=HASH_B), encoding="utf-8")
    import os

    os.chdir(repo / "sub")
    code, lines = history(capsys, "--base", "HEAD")
    assert code == 1 and lines[0].startswith("models.jsonl:1:72: error manifest/v1 history-stable-hash")


def test_case_folding_as_the_file_systems_fold(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = '{"domains": [], "summary": {"total_tokens_billions": 1}}'
    save(repo, {"dataset_metadata/straße.json": empty, "dataset_metadata/strasse.json": empty})
    assert history(capsys) == (0, [])  # ß is not ss to APFS or NTFS
