"""Provenance hashes (`mlmeta hash`): OpenMed's formula, snapshots in every local layout, `--verify`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlmeta.collect.snapshots import find_snapshots, snapshot_at
from mlmeta.manifest.provenance import provenance_hash, provenance_payload

from ..conftest import ROOT
from ..helpers import run

COMMIT = "0123456789abcdef0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba9876543210fedcba98"


def test_the_formula_against_a_payload_written_by_hand() -> None:
    payload = '{"released":"2024-05-01","repo_id":"OpenMed/x","sha":"' + COMMIT + '","siblings":["a.json","b/c.bin"]}'
    expected = "sha256:" + hashlib.sha256(payload.encode()).hexdigest()
    assert provenance_hash("OpenMed/x", COMMIT, "2024-05-01", ["b/c.bin", "a.json"]) == expected
    # nulls are JSON nulls; non-ASCII file names are \u escapes (json.dumps' default, which OpenMed keeps)
    assert (
        provenance_payload("a/b", None, None, ["é.txt"])
        == b'{"released":null,"repo_id":"a/b","sha":null,"siblings":["\\u00e9.txt"]}'
    )


def test_the_repository_catalog_hashes_are_reproduced() -> None:
    """The catalog's hand-written rows hash their id and release day (no commit or files are known)."""
    for line in (ROOT / "models.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert provenance_hash(row["repo_id"], None, row["released"], []) == row["reproducibility_hash"]


def test_hash_from_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "hash",
        "--repo-id",
        "OpenMed/x",
        "--sha",
        COMMIT,
        "--released",
        "2024-05-01",
        "--files",
        "b/c.bin",
        "a.json",
    )
    assert (code, out) == (0, provenance_hash("OpenMed/x", COMMIT, "2024-05-01", ["a.json", "b/c.bin"]) + "\n")
    code, out, _ = run(capsys, "hash", "--repo-id", "OpenMed/x", "--sha", "null", "--released", "null", "--files", "a")
    assert (code, out) == (0, provenance_hash("OpenMed/x", None, None, ["a"]) + "\n")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        ([], "give a snapshot folder, or --repo-id, --sha, --released and --files"),
        (["--repo-id", "a/b", "--sha", COMMIT, "--files", "x"], "--released is required with --files"),
        (
            ["--repo-id", "a/b", "--sha", COMMIT, "--released", "May 1", "--files", "x"],
            "--released is a day, YYYY-MM-DD, or null",
        ),
        (["--snapshots", ".", "--files", "x"], "--snapshots goes with --verify"),
    ],
)
def test_usage_errors_exit_2(args: list[str], error: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "hash", *args) == (2, "", f"mlmeta hash: error: {error}\n")


def hub_cache(root: Path, repo_id: str, revisions: dict[str, list[str]], main: str | None = None) -> Path:
    """A Hub cache repository as huggingface_hub lays it out: blobs, symlinked snapshots, refs/main."""
    repository = root / ("models--" + repo_id.replace("/", "--"))
    (repository / "blobs").mkdir(parents=True)
    for revision, names in revisions.items():
        for name in names:
            blob = repository / "blobs" / hashlib.sha256(f"{revision}{name}".encode()).hexdigest()
            blob.write_text(name)
            link = repository / "snapshots" / revision / name
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(os.path.relpath(blob, link.parent))
    if main:
        (repository / "refs").mkdir()
        (repository / "refs" / "main").write_text(main)
    return repository


FILES = [".gitattributes", "config.json", "onnx/model.onnx", "tokenizer.json"]


def test_hash_of_a_hub_cache_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repository = hub_cache(tmp_path, "OpenMed/tiny", {COMMIT: FILES, OTHER: FILES[:2]}, main=COMMIT)
    expected = provenance_hash("OpenMed/tiny", COMMIT, "2024-05-01", FILES)
    # the repository folder (refs/main picks the revision) or the snapshot folder itself
    assert run(capsys, "hash", str(repository), "--released", "2024-05-01") == (0, expected + "\n", "")
    snapshot = repository / "snapshots" / COMMIT
    assert run(capsys, "hash", str(snapshot), "--released", "2024-05-01") == (0, expected + "\n", "")
    older = provenance_hash("OpenMed/tiny", OTHER, "2024-05-01", FILES[:2])
    assert run(capsys, "hash", str(repository), "--revision", OTHER, "--released", "2024-05-01")[1] == older + "\n"
    code, out, err = run(capsys, "hash", str(snapshot))
    assert (code, out) == (2, "")
    assert "the release date is not recorded in a hub-cache snapshot: give --released YYYY-MM-DD" in err


def test_a_cached_repository_without_refs_and_two_revisions_is_ambiguous(tmp_path: Path) -> None:
    repository = hub_cache(tmp_path, "OpenMed/tiny", {COMMIT: FILES, OTHER: FILES})
    with pytest.raises(ValueError, match=r"name one revision of the cached snapshots \(0123456, fedcba9\)"):
        snapshot_at(repository)


def test_hash_of_a_local_dir_download(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "tiny"
    for name in FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")
        metadata = folder / ".cache" / "huggingface" / "download" / f"{name}.metadata"
        metadata.parent.mkdir(parents=True, exist_ok=True)
        metadata.write_text(f'{COMMIT}\n"etag"\n1714550400.0\n')
    found = snapshot_at(folder)
    assert (found.layout, found.sha, found.repo_id, found.files()) == ("local-dir", COMMIT, None, FILES)
    code, out, err = run(capsys, "hash", str(folder), "--released", "2024-05-01")
    assert (code, err) == (
        2,
        f"mlmeta hash: error: {folder}: the Hub id is not recorded in this folder: give --repo-id\n",
    )
    code, out, _ = run(capsys, "hash", str(folder), "--released", "2024-05-01", "--repo-id", "OpenMed/tiny")
    assert out == provenance_hash("OpenMed/tiny", COMMIT, "2024-05-01", FILES) + "\n"


def git(folder: Path, *args: str) -> str:
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_COMMITTER_DATE": "2024-03-01T23:30:00-05:00",
        "GIT_AUTHOR_DATE": "2024-03-01T23:30:00-05:00",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_SYSTEM": os.devnull,
    }
    done = subprocess.run(
        ["git", "-C", str(folder), *args], env=environment, capture_output=True, check=True, text=True
    )
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_hash_of_a_git_clone_reads_id_commit_files_and_release_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = tmp_path / "clone"
    for name in FILES:
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / name).write_text("x")
    (clone / "untracked.tmp").write_text("not in the repository")
    git(clone.parent, "init", "-q", str(clone))
    git(clone, "remote", "add", "origin", "https://huggingface.co/OpenMed/tiny")
    git(clone, "add", *FILES)
    git(clone, "commit", "-q", "-m", "models")
    sha = git(clone, "rev-parse", "HEAD")
    found = snapshot_at(clone)
    assert (found.layout, found.repo_id, found.sha, found.files()) == ("git", "OpenMed/tiny", sha, FILES)
    assert found.released() == "2024-03-02"  # 23:30 at UTC-5 is the next day in UTC, as the Hub records it
    assert run(capsys, "hash", str(clone)) == (0, provenance_hash("OpenMed/tiny", sha, "2024-03-02", FILES) + "\n", "")


def row(repo_id: str, hash_: str, released: str | None) -> str:
    line = (ROOT / "tests" / "fixtures" / "manifest" / "valid" / "seed-rows.jsonl").read_text().splitlines()[0]
    value = json.loads(line)
    value.update(repo_id=repo_id, reproducibility_hash=hash_, released=released)
    return json.dumps(value, separators=(",", ":"))


def test_verify_reports_rows_that_disagree_with_their_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    hub_cache(cache, "OpenMed/good", {COMMIT: FILES}, main=COMMIT)
    hub_cache(cache, "OpenMed/stale", {COMMIT: FILES, OTHER: FILES[:3]}, main=OTHER)
    good = provenance_hash("OpenMed/good", COMMIT, "2024-05-01", FILES)
    stale = provenance_hash("OpenMed/stale", COMMIT, "2024-05-01", FILES[:1])  # files the cache does not hold
    manifest = tmp_path / "models.jsonl"
    manifest.write_text(
        "\n".join(
            [
                row("OpenMed/good", good, "2024-05-01"),
                row("OpenMed/stale", stale, "2024-05-01"),
                row("OpenMed/absent", "sha256:" + "0" * 64, None),
                row("OpenMed/good", good, "2024-05-02"),  # another release day: another hash
                "{not json",
            ]
        )
        + "\n"
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "hash", "--verify", "models.jsonl", "--snapshots", "cache")
    lines = manifest.read_text().splitlines()
    at_stale, at_good = lines[1].index(f'"{stale}"') + 1, lines[3].index(f'"{good}"') + 1  # the hash's column
    assert out == (
        f"models.jsonl:2:{at_stale}: error manifest/v1 hash-verify: reproducibility_hash does not match the snapshots"
        f" at {COMMIT[:12]}, {OTHER[:12]}: the row was made from another commit, other files or another release day"
        " (at /reproducibility_hash)\n"
        f"models.jsonl:4:{at_good}: error manifest/v1 hash-verify: reproducibility_hash does not match the snapshot"
        f" at {COMMIT[:12]}: the row was made from another commit, other files or another release day"
        " (at /reproducibility_hash)\n"
    )
    assert err == "mlmeta hash: 1 row(s) match their snapshot, 2 disagree, 1 have no snapshot under cache\n"
    assert code == 1
    code, out, _ = run(capsys, "hash", "--verify", "models.jsonl", "--snapshots", "cache", "--format", "json")
    assert [(f["line"], f["rule"]) for f in json.loads(out)] == [(2, "hash-verify"), (4, "hash-verify")]


def test_verify_finds_clones_and_local_dirs_under_org_name_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "snapshots" / "OpenMed" / "tiny"
    metadata = folder / ".cache" / "huggingface" / "download" / "config.json.metadata"
    metadata.parent.mkdir(parents=True)
    metadata.write_text(f"{COMMIT}\netag\n0\n")
    (folder / "config.json").write_text("{}")
    (tmp_path / "snapshots" / "OpenMed" / "plain").mkdir()  # no commit recorded: not a snapshot to verify against
    assert [(s.repo_id, s.sha, s.layout) for s in find_snapshots(tmp_path / "snapshots")] == [
        ("OpenMed/tiny", COMMIT, "local-dir")
    ]
    manifest = tmp_path / "models.jsonl"
    manifest.write_text(
        row("OpenMed/tiny", provenance_hash("OpenMed/tiny", COMMIT, None, ["config.json"]), None) + "\n"
    )
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "hash", "--verify", "models.jsonl", "--snapshots", "snapshots") == (
        0,
        "",
        "mlmeta hash: 1 row(s) match their snapshot, 0 disagree, 0 have no snapshot under snapshots\n",
    )


def test_verify_without_any_snapshot_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "models.jsonl").write_text(row("OpenMed/x", "sha256:" + "0" * 64, None) + "\n")
    (tmp_path / "empty").mkdir()
    code, _, err = run(
        capsys, "hash", "--verify", str(tmp_path / "models.jsonl"), "--snapshots", str(tmp_path / "empty")
    )
    assert (code, err) == (
        2,
        f"mlmeta hash: error: {tmp_path / 'empty'}: no model snapshot with a known id and commit here\n",
    )
