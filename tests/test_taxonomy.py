"""The dataset taxonomy: the seed's tree as data, extensions, suggestions, the layout rule, `mlmeta taxonomy`.

Single-file cases have fixtures (tests/fixtures/dataset/{valid,invalid}/taxonomy-*, every-taxonomy-node);
these tests cover the seed, configuration and folders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlmeta.config import Config
from mlmeta.taxonomy import load

from .conftest import ROOT
from .helpers import run

SEEDS = ROOT.parent / "shared" / "seeds"


def seed_drawing() -> list[str]:
    """The tree as `001_*.txt` draws it, between its introduction and the next heading."""
    seeds = sorted(SEEDS.glob("001_*.txt"))
    if not seeds:
        pytest.skip(f"{SEEDS} is absent")
    text = seeds[0].read_text(encoding="utf-8")
    start = text.index("\nweb/\n") + 1
    return text[start : text.index("\n\n", start)].splitlines()


def test_the_bundled_tree_is_the_seed_tree_node_for_node(capsys: pytest.CaptureFixture[str]) -> None:
    drawn = seed_drawing()
    code, out, _ = run(capsys, "taxonomy")
    assert code == 0
    # the seed's tree, then the two catch-all labels the system's later files use
    printed = out.splitlines()
    assert printed[len(drawn) :] == ["instruction/", "unknown/"]
    printed = printed[: len(drawn)]
    assert len(printed) == len(drawn) == 25
    for ours, theirs in zip(printed, drawn, strict=True):
        if "<" in theirs:  # the seed's placeholder reads `<focus of the dataset here, e.g. "finance", "health">/`
            assert re.sub(r"<[^>]*>", "<>", ours.split("  (")[0]) == re.sub(r"<[^>]*>", "<>", theirs)
        else:
            assert ours == theirs


def test_every_node_is_a_path_and_a_slug_fills_the_placeholder() -> None:
    taxonomy = load(Config(ROOT))
    for path in ("web", "web/blogs", "books/literary/fiction", "specific_datasets", "specific_datasets/finance"):
        assert taxonomy.problem(path) is None, path
    assert taxonomy.problem("specific_datasets/finance/filings") is not None  # a slug fills one level only
    assert taxonomy.problem("web/") is not None and taxonomy.problem("") is not None


@pytest.mark.parametrize(
    ("path", "suggestion"),
    [
        ("web/blog", "web/blogs"),
        ("books/fiction", "books/literary/fiction"),
        ("code/sourcecode", "code/source_code"),
        ("academic_paper/science", "academic_papers/sciences"),
        ("web/news/local", "web/news"),
        ("specific_dataset/health", "specific_datasets/health"),
    ],
)
def test_an_unknown_path_gets_the_nearest_valid_path(path: str, suggestion: str) -> None:
    assert load(Config(ROOT)).problem(path) == f"not a path of the dataset taxonomy; did you mean '{suggestion}'?"


def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pyproject: str = "") -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(pyproject)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def dataset(root: Path, relative: str, *doc_types: str, mix: dict[str, float] | None = None) -> None:
    import json

    domains = [{"name": f"part {n}", "doc_type": doc_type} for n, doc_type in enumerate(doc_types)]
    value: dict[str, object] = {"name": Path(relative).stem, "domains": domains}
    if mix is not None:
        value["summary"] = {"mix": mix}
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n")


EXTENDED = """
[tool.mlmeta.taxonomy]
extend = ["web/shopping", "academic_papers/patents", "legal/case_law", "specific_datasets/finance/filings"]
"""


def test_a_repository_extends_the_tree_in_its_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, monkeypatch, EXTENDED)
    dataset(root, "dataset_metadata/shop.json", "web/shopping", "academic_papers/patents", "legal/case_law", "legal")
    dataset(root, "dataset_metadata/filings.json", "specific_datasets/finance/filings", "specific_datasets/health")
    dataset(root, "dataset_metadata/near.json", "web/shoping")
    code, out, _ = run(capsys, "check")
    assert out == (
        "dataset_metadata/near.json:6:19: error dataset/v1 taxonomy-path: not a path of the dataset taxonomy;"
        " did you mean 'web/shopping'? (at /domains/0/doc_type)\n"
    )
    assert code == 1
    code, out, _ = run(capsys, "taxonomy")
    assert "├─ shopping/  (extension)\n" in out and "legal/  (extension)\n├─ case_law/  (extension)\n" in out
    assert "├─ <focus>/  (any lower-case slug)\n├─ finance/  (extension)\n│  ├─ filings/  (extension)\n" in out
    code, out, _ = run(capsys, "taxonomy", "--paths")
    assert out.splitlines()[:6] == ["web", "web/social_media", "web/news", "web/blogs", "web/forums", "web/shopping"]
    assert "specific_datasets/finance/filings" in out.splitlines()


@pytest.mark.parametrize(
    ("pyproject", "error"),
    [
        ('[tool.mlmeta.taxonomy]\nextend = "web/shopping"\n', 'extend is a list of paths, such as ["web/shopping"]'),
        ('[tool.mlmeta.taxonomy]\nextend = ["Web/Shopping"]\n', "extend: 'Web/Shopping' is not a path of lower-case"),
        ('[tool.mlmeta.taxonomy]\nextends = ["web/shopping"]\n', "unknown key(s) extends; known: extend"),
        ("[tool.mlmeta.layout]\ndatasets = 3\n", "datasets is a folder relative to the repository root, or false"),
    ],
)
def test_a_bad_taxonomy_or_layout_setting_is_a_usage_error(
    pyproject: str, error: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, monkeypatch, pyproject)
    dataset(root, "dataset_metadata/web/c4.json", "web")
    code, out, err = run(capsys, "check")
    assert (code, out) == (2, "")
    assert err.startswith(f"mlmeta: error: {root / 'pyproject.toml'}: [tool.mlmeta.")
    assert error in err


def test_layout_doc_types_lie_under_the_folder_the_file_is_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, monkeypatch)
    mix = {"web": 0.9, "code/source_code": 0.1}
    dataset(root, "dataset_metadata/web/c4.json", "web", "web/news", "code/source_code", mix=mix)
    dataset(root, "dataset_metadata/books/literary/novels.json", "books/literary/fiction", "books/textbooks")
    dataset(root, "dataset_metadata/specific_datasets/finance/sec.json", "specific_datasets/finance", "web")
    dataset(root, "dataset_metadata/web/drafts/old.json", "web/blogs")  # `drafts` is no node: the folder is `web`
    dataset(root, "dataset_metadata/the_pile.json", "web", "books", "code")  # a mix at the top: no constraint
    dataset(root, "dataset_metadata/pile_parts/arxiv.json", "academic_papers/sciences")  # no taxonomy folder
    code, out, _ = run(capsys, "check")
    assert out == (
        "dataset_metadata/books/literary/novels.json:10:19: error dataset/v1 taxonomy-layout: doc_type lies outside"
        " 'books/literary', the taxonomy path of the folder this file is in (at /domains/1/doc_type)\n"
        "dataset_metadata/specific_datasets/finance/sec.json:10:19: error dataset/v1 taxonomy-layout: doc_type"
        " lies outside 'specific_datasets/finance', the taxonomy path of the folder this file is in"
        " (at /domains/1/doc_type)\n"
        "dataset_metadata/web/c4.json:14:19: error dataset/v1 taxonomy-layout: doc_type lies outside 'web',"
        " the taxonomy path of the folder this file is in (at /domains/2/doc_type)\n"
        "dataset_metadata/web/c4.json:20:7: error dataset/v1 taxonomy-layout: mix key lies outside 'web',"
        " the taxonomy path of the folder this file is in (at /summary/mix/code~1source_code)\n"
    )
    assert code == 1


def test_layout_is_configurable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repo(tmp_path, monkeypatch, "[tool.mlmeta.layout]\ndatasets = false\n")
    dataset(root, "dataset_metadata/web/c4.json", "code")
    assert run(capsys, "check", "-q") == (0, "", "")
    (root / "pyproject.toml").write_text(
        '[tool.mlmeta.routes]\n"data/sets/**/*.json" = "dataset"\n[tool.mlmeta.layout]\ndatasets = "data/sets"\n'
    )
    dataset(root, "data/sets/web/c4_sets.json", "code")
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert out.startswith("data/sets/web/c4_sets.json:6:19: error dataset/v1 taxonomy-layout: doc_type lies outside")
