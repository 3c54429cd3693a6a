"""Writers under links and faults: a link is written through, a failure says why, and no target is ever half-written."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mlmeta.atomic import write_atomic
from mlmeta.cli import main

from .conftest import FIXTURES, ROOT
from .helpers import run

DIGEST = "c" * 64
UPPER = "sha256:" + DIGEST.upper()
ROW = (FIXTURES / "manifest" / "valid" / "seed-rows.jsonl").read_bytes().splitlines(keepends=True)[0]
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX links and resource limits")


@POSIX
def test_a_link_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "settings.json"
    real.parent.mkdir()
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "settings.json"
    link.symlink_to(os.path.relpath(real, tmp_path))
    chained = tmp_path / "chained.json"
    chained.symlink_to("settings.json")
    assert write_atomic(chained, [b"new"]) == real.resolve()
    assert link.is_symlink() and chained.is_symlink()
    assert real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["settings.json"]
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to("made/by/the/write.json")
    (tmp_path / "made" / "by" / "the").mkdir(parents=True)
    write_atomic(dangling, [b"created"])
    assert dangling.is_symlink() and (tmp_path / "made/by/the/write.json").read_bytes() == b"created"


@POSIX
def test_a_link_loop_is_an_error_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(OSError):
        write_atomic(tmp_path / "a", [b"x"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


@POSIX
def test_what_is_not_a_regular_file_is_never_replaced(tmp_path: Path) -> None:
    """Renaming over a device (`--output /dev/null`, as root) or a FIFO would replace it with a file."""
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to("fifo")
    (tmp_path / "folder").mkdir()
    for name in ("fifo", "link", "folder"):
        with pytest.raises(OSError, match="not a regular file"):
            write_atomic(tmp_path / name, [b"x"])
    assert stat.S_ISFIFO((tmp_path / "fifo").lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "folder", "link"]


@POSIX
def test_enrich_into_a_fifo_says_so(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(repo / "out.jsonl")
    code, _, err = run(capsys, *enrich_into(repo, "out.jsonl"))
    assert (code, err) == (2, "mlmeta: error: out.jsonl: not a regular file\n")
    assert stat.S_ISFIFO((repo / "out.jsonl").lstat().st_mode)


@POSIX
def test_fix_writes_the_file_a_link_names(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "real").mkdir()
    (repo / "real" / "meta.json").write_text(f'{{"reproducibility_hash": "{UPPER}"}}\n', encoding="utf-8")
    (repo / "meta.json").symlink_to("real/meta.json")
    code, out, _ = run(capsys, "check", "--select", "hash-format", "--fix", "meta.json")
    assert code == 1
    assert out == "real/meta.json:1:26: fixed - hash-format: hex digits lower-cased (at /reproducibility_hash)\n"
    assert (repo / "meta.json").is_symlink()
    fixed = (repo / "real" / "meta.json").read_text(encoding="utf-8")
    assert fixed == f'{{"reproducibility_hash": "{UPPER.lower()}"}}\n'


@POSIX
def test_migrate_writes_the_manifest_a_link_names(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = json.loads(ROW)
    row = {"$schema": "../schemas/manifest/v1.json", **row, "family": "NER"}
    (repo / "data").mkdir()
    (repo / "data" / "models.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    (repo / "models.jsonl").symlink_to("data/models.jsonl")
    assert main(["migrate", "--to", "2", "models.jsonl"]) == 0, capsys.readouterr()
    assert capsys.readouterr().out.startswith("data/models.jsonl: manifest/v1 -> v2: 1 row(s) rewritten")
    assert (repo / "models.jsonl").is_symlink()
    assert "manifest/v2.json" in (repo / "data" / "models.jsonl").read_text(encoding="utf-8")


@POSIX
def test_init_updates_linked_editor_settings_through_the_link(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dotfiles = repo.parent / f"{repo.name}-dotfiles"
    dotfiles.mkdir()
    (dotfiles / "settings.json").write_text('{"editor.tabSize": 2}\n', encoding="utf-8")
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").symlink_to(dotfiles / "settings.json")
    assert main(["init", "--rev", "v0.1.0"]) == 0
    out = capsys.readouterr().out
    assert f"updated: .vscode/settings.json (through the link, in {dotfiles / 'settings.json'})" in out
    assert (repo / ".vscode" / "settings.json").is_symlink()
    written = json.loads((dotfiles / "settings.json").read_text(encoding="utf-8"))
    assert written["editor.tabSize"] == 2 and "json.schemas" in written


def test_init_leaves_a_config_that_is_not_utf8_alone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".pre-commit-config.yaml").write_bytes(b"repos: []  # caf\xe9\n")
    assert main(["init", "--no-vscode", "--rev", "v0.1.0"]) == 1
    err = capsys.readouterr().err
    assert "mlmeta init: .pre-commit-config.yaml: not UTF-8 (byte 16); left alone" in err
    assert (repo / ".pre-commit-config.yaml").read_bytes() == b"repos: []  # caf\xe9\n"


def enrich_into(repo: Path, output: str) -> list[str]:
    (repo / "models.jsonl").write_bytes(ROW)
    repo_id = json.loads(ROW)["repo_id"]
    (repo / "results.json").write_text(json.dumps({repo_id: {"recommended_tier": "phone"}}), encoding="utf-8")
    return ["manifest", "enrich", "--manifest", "models.jsonl", "--results", "results.json", "--output", output]


def test_enrich_into_a_missing_folder_says_so(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *enrich_into(repo, "missing/out.jsonl"))
    assert (code, err) == (2, f"mlmeta: error: {Path('missing/out.jsonl')}: No such file or directory\n")
    assert sorted(p.name for p in repo.iterdir()) == [".git", "models.jsonl", "results.json"]


@POSIX
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into a read-only folder")
def test_migrate_in_a_read_only_folder_says_so(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = {"$schema": "../schemas/manifest/v1.json", **json.loads(ROW), "family": "NER"}
    (repo / "ro").mkdir()
    (repo / "ro" / "models.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    before = (repo / "ro" / "models.jsonl").read_bytes()
    (repo / "ro").chmod(0o555)
    try:
        code, _, err = run(capsys, "migrate", "--to", "2", "ro/models.jsonl")
    finally:
        (repo / "ro").chmod(0o755)
    assert (code, err) == (2, f"mlmeta: error: {Path('ro/models.jsonl')}: Permission denied\n")
    assert (repo / "ro" / "models.jsonl").read_bytes() == before
    assert sorted(p.name for p in (repo / "ro").iterdir()) == ["models.jsonl"]


LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
{setup}
from mlmeta.cli import main
sys.exit(main(sys.argv[1:]))
"""


def limited(repo: Path, *args: str, setup: str = "") -> subprocess.CompletedProcess[str]:
    """`mlmeta ARGS...` where no file can grow past 4 KiB: a full disk, for this process only."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "hooks")}
    script = LIMITED.format(setup=setup)
    return subprocess.run(
        [sys.executable, "-c", script, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )


@POSIX
def test_enrich_on_a_full_disk_leaves_the_manifest_whole(repo: Path) -> None:
    args = enrich_into(repo, "models.jsonl")
    big = json.loads(ROW)
    big["canonical_labels"] = [f"LABEL_{n}" for n in range(400)]  # a row over the 4 KiB the "disk" holds
    (repo / "models.jsonl").write_text(json.dumps(big) + "\n", encoding="utf-8")
    before = (repo / "models.jsonl").read_bytes()
    done = limited(repo, *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "mlmeta: error: models.jsonl: File too large\n"
    assert (repo / "models.jsonl").read_bytes() == before
    assert sorted(p.name for p in repo.iterdir()) == [".git", "models.jsonl", "results.json"]


@POSIX
def test_a_full_temporary_folder_under_the_rows_seen_spill_says_so(repo: Path) -> None:
    row = json.loads(ROW)
    lines = []
    for number in range(3000):
        row.update(repo_id=f"Org/m{number}", reproducibility_hash="sha256:" + format(number, "064x"))
        lines.append(json.dumps(row) + "\n")
    (repo / "models.jsonl").write_text("".join(lines), encoding="utf-8")
    # a small spill and page cache, so that the rows seen reach the disk at once
    setup = "import mlmeta.rules as r, mlmeta.rules.seen as s; s.CACHE_KIB = 1; r.SPILL = 10"
    done = limited(repo, "check", "models.jsonl", setup=setup)
    assert done.returncode == 2
    assert done.stderr.startswith("mlmeta: error: cannot keep the rows seen in a temporary file (is $TMPDIR full?): ")
    assert "Traceback" not in done.stderr
