"""`reference`: names and paths that point at other files resolve, seen from one changed file or the whole repo.

Each test builds a small catalog repository in tmp_path (references need several files).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlmeta.cli import main

from ..conftest import FIXTURES

ROW = json.loads((FIXTURES / "manifest" / "valid" / "seed-rows.jsonl").read_text(encoding="utf-8").splitlines()[0])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def write(root: Path, relative: str, value: Any) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
    return path


def dataset(name: str, *pointers: str) -> dict[str, Any]:
    domains = [{"name": p, "file_pointer": p} for p in pointers] or [{"name": name, "doc_type": "web"}]
    return {"name": name, "domains": domains}


@pytest.fixture
def repo(repo: Path) -> Path:
    # not a real repository (only a .git folder): files are found by walking the folder
    (repo / "pyproject.toml").write_text('[tool.mlmeta]\nexclude = ["tests/fixtures/**"]\n')
    write(repo, "dataset_metadata/the_pile.json", dataset("the_pile"))
    write(repo, "dataset_metadata/web/c4.json", dataset("c4"))
    return repo


def stages(*names: str) -> list[dict[str, str]]:
    return [{"name": "pretraining", "data": name} for name in names]


def test_training_stages_name_dataset_files(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "model_metadata/a_b.json", {"id": "a/b", "training_stages": stages("the_pile", "the-pile", "webtext")})
    assert run(capsys, "check", "model_metadata/a_b.json") == (
        1,
        "model_metadata/a_b.json:10:15: error model/v1 reference: no dataset file has this name"
        " (dataset_metadata/<data>.json); did you mean 'the_pile'? (at /training_stages/1/data)\n"
        "model_metadata/a_b.json:14:15: error model/v1 reference: no dataset file has this name"
        " (dataset_metadata/<data>.json) (at /training_stages/2/data)\n",
    )


def test_a_stage_name_a_file_stem_gives_reads_no_dataset_file(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a name no stem has makes the rule read the dataset files (their `name`s); places stay the list's."""
    from mlmeta.rules import references

    read: list[Path] = []
    value = references.Index.value

    def counted(index: Any, path: Path) -> Any:
        read.append(path)
        return value(index, path)

    monkeypatch.setattr(references.Index, "value", counted)
    write(repo, "model_metadata/a_b.json", {"id": "a/b", "training_stages": ["text", *stages("c4", "the_pile")]})
    code, out = run(capsys, "check", "--select", "reference", "model_metadata/a_b.json")
    assert (code, out, read) == (0, "", [])
    write(repo, "model_metadata/a_b.json", {"id": "a/b", "training_stages": ["text", *stages("c4", "pile")]})
    code, out = run(capsys, "check", "--select", "reference", "model_metadata/a_b.json")
    assert code == 1 and "(at /training_stages/2/data)" in out and len(read) == 2


def test_pre_training_data_is_a_path_from_the_file_or_the_catalog_folder(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, "model_metadata/a.json", {"id": "a/a", "pre_training_data": "../dataset_metadata/the_pile.json"})
    write(repo, "model_metadata/b.json", {"id": "a/b", "pre_training_data": "./dataset_metadata/web/c4.json"})
    write(repo, "model_metadata/c.json", {"id": "a/c", "pre_training_data": "./dataset_metadata/c5.json"})
    write(repo, "model_metadata/d.json", {"id": "a/d", "pre_training_data": "x" * 5000})  # too long for the system
    (repo.parent / "outside.json").write_text("{}", encoding="utf-8")
    write(repo, "model_metadata/e.json", {"id": "a/e", "pre_training_data": "../../outside.json"})
    code, out = run(capsys, "check", "model_metadata")
    assert code == 1
    assert out == "".join(
        f"model_metadata/{name}.json:3:24: error model/v1 reference: pre_training_data names no file of the"
        " repository (from this file's folder or the one above it) (at /pre_training_data)\n"
        for name in "cde"
    )


def test_a_deleted_dataset_is_caught_by_a_whole_repository_check(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, "model_metadata/a_b.json", {"id": "a/b", "training_stages": stages("c4")})
    assert run(capsys, "check") == (0, "")
    (repo / "dataset_metadata" / "web" / "c4.json").unlink()
    code, out = run(capsys, "check")
    assert code == 1
    assert out == (
        "model_metadata/a_b.json:6:15: error model/v1 reference: no dataset file has this name"
        " (dataset_metadata/<data>.json) (at /training_stages/0/data)\n"
    )


def test_one_changed_file_is_checked_against_files_it_was_not_given_each_read_once(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        write(repo, f"model_metadata/m_{n}.json", {"id": f"m/{n}", "training_stages": stages("c4", "the_pile")})
    write(repo, "model_scores/m_0.json", {"model_name": "m/0", "last_updated": "2024-01-01T00-00-00", "results": {}})
    reads: dict[str, int] = {}
    original = Path.read_text

    def counting(self: Path, *args: Any, **kwargs: Any) -> str:
        reads[self.name] = reads.get(self.name, 0) + 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    code, out = run(capsys, "check", "--select", "reference", "model_metadata/m_0.json", "model_metadata/m_1.json",
                    "model_metadata/m_2.json", "model_scores/m_0.json")  # fmt: skip
    assert (code, out) == (0, "")
    # datasets are named by their files: none is read; the model files the engine had parsed are not read again
    assert reads == {}


def test_a_manifest_check_lists_no_repository_files(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlmeta.files

    def refuse(*_: Any) -> None:
        raise AssertionError("the catalog was listed")

    monkeypatch.setattr(mlmeta.files, "routed", refuse)
    (repo / "models.jsonl").write_text(json.dumps(ROW) + "\n")
    assert run(capsys, "check", "--select", "reference", "models.jsonl") == (0, "")


def test_file_pointers_resolve_relative_to_the_pointing_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "dataset_metadata/mix.json", dataset("mix", "web/c4.json", "./the_pile.json", "web/c5.json", "web"))
    write(repo, "dataset_metadata/web/sub.json", dataset("sub", "c4.json", "../the_pile.json", "the_pile.json"))
    code, out = run(capsys, "check", "--select", "reference", "dataset_metadata")
    assert out == (
        "dataset_metadata/mix.json:14:23: error dataset/v1 reference: file_pointer names no file"
        " of the repository (it is relative to this file's folder) (at /domains/2/file_pointer)\n"
        "dataset_metadata/mix.json:18:23: error dataset/v1 reference: file_pointer names no file"
        " of the repository (it is relative to this file's folder) (at /domains/3/file_pointer)\n"
        "dataset_metadata/web/sub.json:14:23: error dataset/v1 reference: file_pointer names no file"
        " of the repository (it is relative to this file's folder) (at /domains/2/file_pointer)\n"
    )
    assert code == 1


def test_a_pointer_cycle_is_named_at_each_file_on_it(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "dataset_metadata/a.json", dataset("a", "web/b.json"))
    write(repo, "dataset_metadata/web/b.json", dataset("b", "../books/c.json"))
    write(repo, "dataset_metadata/books/c.json", dataset("c", "../a.json"))
    write(repo, "dataset_metadata/self.json", dataset("self", "self.json"))
    write(repo, "dataset_metadata/into.json", dataset("into", "a.json"))  # leads into a cycle it is not on
    code, out = run(capsys, "check", "--select", "reference")
    assert out == (
        "dataset_metadata/a.json:6:23: error dataset/v1 reference: file_pointer chain comes back to this file:"
        " dataset_metadata/a.json -> dataset_metadata/web/b.json -> dataset_metadata/books/c.json"
        " -> dataset_metadata/a.json (at /domains/0/file_pointer)\n"
        "dataset_metadata/books/c.json:6:23: error dataset/v1 reference: file_pointer chain comes back to this file:"
        " dataset_metadata/books/c.json -> dataset_metadata/a.json -> dataset_metadata/web/b.json"
        " -> dataset_metadata/books/c.json (at /domains/0/file_pointer)\n"
        "dataset_metadata/self.json:6:23: error dataset/v1 reference: file_pointer chain comes back to this file:"
        " dataset_metadata/self.json -> dataset_metadata/self.json (at /domains/0/file_pointer)\n"
        "dataset_metadata/web/b.json:6:23: error dataset/v1 reference: file_pointer chain comes back to this file:"
        " dataset_metadata/web/b.json -> dataset_metadata/books/c.json -> dataset_metadata/a.json"
        " -> dataset_metadata/web/b.json (at /domains/0/file_pointer)\n"
    )
    assert code == 1


def test_a_cycle_through_a_thousand_files_is_found(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Deeper than Python's recursion limit: the search keeps a stack of its own."""
    count = 1000
    for number in range(count):
        write(repo, f"dataset_metadata/d{number}.json", dataset(f"d{number}", f"d{(number + 1) % count}.json"))
    code, out = run(capsys, "check", "--select", "reference", "dataset_metadata/d0.json")
    assert code == 1
    assert out.startswith(
        "dataset_metadata/d0.json:6:23: error dataset/v1 reference: file_pointer chain comes back to this file:"
        " dataset_metadata/d0.json -> dataset_metadata/d1.json -> "
    )
    assert out.endswith(" -> dataset_metadata/d999.json -> dataset_metadata/d0.json (at /domains/0/file_pointer)\n")


def test_two_dataset_files_with_one_name_make_references_ambiguous(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, "dataset_metadata/web/c4_copy.json", dataset("c4"))
    code, out = run(capsys, "check", "--select", "reference", "dataset_metadata/web/c4_copy.json")
    assert (code, out) == (
        0,
        "dataset_metadata/web/c4_copy.json:2:11: warning dataset/v1 reference: dataset_metadata/web/c4.json has"
        " the same name, so a model naming it is ambiguous (at /name)\n",
    )


def test_a_results_file_names_a_model_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "model_metadata/meta-llama_Llama-2-7b-hf.json", {"name": "llama"})  # found by its file name
    write(repo, "model_metadata/mistral.json", {"id": "mistralai/Mistral-7B-v0.1"})  # found by its id
    scores = {"last_updated": "2023-10-26T01-29-53.089924", "results": {}}
    for name in ("meta-llama/Llama-2-7b-hf", "mistralai/Mistral-7B-v0.1", "mistralai/Mistral-7B-v0.2", "x/y"):
        write(repo, f"model_scores/{name.replace('/', '_')}.json", {"model_name": name, **scores})
    code, out = run(capsys, "check", "--select", "reference", "model_scores")
    assert out == (
        "model_scores/mistralai_Mistral-7B-v0.2.json:2:17: note results/v1 reference: no model file has this id or"
        " name (the collector writes model_metadata/<org>_<name>.json); did you mean 'mistralai/Mistral-7B-v0.1'?"
        " (at /model_name)\n"
    )  # score files outnumber model files: x/y, far from every model, is normal
    assert code == 0


def rows(*pairs: tuple[str, str | None]) -> str:
    return "".join(json.dumps({**ROW, "repo_id": r, "base_model": b}) + "\n" for r, b in pairs)


def test_a_base_model_in_the_manifests_namespace_is_a_row(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "models.jsonl").write_text(
        rows(
            ("OpenMed/a-onnx", "OpenMed/a"),  # defined below: fine
            ("OpenMed/a", "google-bert/bert-base-uncased"),  # another namespace: external, fine
            ("OpenMed/b-mlx", "OpenMed/base-model"),  # no such row
            ("OpenMed/c", None),
        )
    )
    column = (repo / "models.jsonl").read_text().splitlines()[2].index('"OpenMed/base-model"') + 1
    code, out = run(capsys, "check", "--select", "reference", "models.jsonl")
    assert (code, out) == (
        1,
        f"models.jsonl:3:{column}: error manifest/v1 reference: base_model is in this manifest's namespace 'OpenMed'"
        " but no row has it as repo_id (at /base_model)\n",
    )


def test_a_manifest_of_several_namespaces_checks_base_models_only_in_the_configured_one(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "models.jsonl").write_text(rows(("OpenMed/a", "other/base"), ("other/x", "OpenMed/missing")))
    assert run(capsys, "check", "--select", "reference", "models.jsonl") == (0, "")
    (repo / "pyproject.toml").write_text('[tool.mlmeta]\nnamespace = "OpenMed"\n')
    code, out = run(capsys, "check", "--select", "reference", "models.jsonl")
    assert code == 1 and out.startswith("models.jsonl:2:") and "namespace 'OpenMed'" in out


def test_files_outside_the_catalog_are_not_looked_up_in_it(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, "tests/fixtures/model/valid/m.json", {"id": "a/b", "pretraining_data": ["not_in_the_catalog"]})
    write(repo, "tests/fixtures/dataset/valid/d.json", dataset("d", "missing.json"))
    # as the fixture tests run them: no lookup of the model's dataset name in the catalog
    model = "tests/fixtures/model/valid/m.json"
    assert run(capsys, "check", "--no-force-exclude", "--kind", "model", "--select", "reference", model) == (0, "")
    # but the fixture's own pointer is still checked
    dataset_file = "tests/fixtures/dataset/valid/d.json"
    code, out = run(capsys, "check", "--no-force-exclude", "--kind", "dataset", "--select", "reference", dataset_file)
    assert code == 1
    assert out == (
        "tests/fixtures/dataset/valid/d.json:6:23: error dataset/v1 reference: file_pointer names no file"
        " of the repository (it is relative to this file's folder) (at /domains/0/file_pointer)\n"
    )


def test_the_repository_catalog_resolves(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from ..conftest import ROOT

    monkeypatch.chdir(ROOT)
    assert run(capsys, "check", "--select", "reference,taxonomy-path,taxonomy-layout,hash-format,duplicate-hash") == (
        0,
        "",
    )


def test_closest_chooses_as_difflib_does() -> None:
    """rapidfuzz only narrows the list: the name chosen is difflib's, ties and long names included."""
    import difflib
    import random

    from mlmeta.rules.references import closest

    rng = random.Random(17)
    alphabet = "abcdefghij-/_é"
    pool = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(3_000)]
    pool += ["x" * 210 + "ab", "x" * 210 + "ba", "OpenMed/model-a", "OpenMed/model-b", "OpenMed/model-a"]
    queries = [*rng.sample(pool, 300), "x" * 211 + "a", "OpenMed/model-", "OpenMed/model-c", "zzz"]
    for query in queries:
        mutated = query[:-1] + rng.choice(alphabet) if len(query) > 3 and rng.random() < 0.5 else query
        wanted = difflib.get_close_matches(mutated, pool, n=1, cutoff=0.75)
        assert closest(mutated, pool) == (wanted[0] if wanted else None), mutated


def test_every_misspelt_base_model_gets_its_suggestion(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No cap on suggestions: the 60th broken base model is helped as the first was."""
    pairs: list[tuple[str, str | None]] = [(f"OpenMed/model-{n:03d}", None) for n in range(60)]
    pairs += [(f"OpenMed/model-{n:03d}-onnx", f"OpenMed/modle-{n:03d}") for n in range(60)]
    (repo / "models.jsonl").write_text(rows(*pairs))
    code, out = run(capsys, "check", "--select", "reference", "models.jsonl")
    lines = out.splitlines()
    assert code == 1 and len(lines) == 60
    assert all(line.endswith(f"did you mean 'OpenMed/model-{n:03d}'? (at /base_model)") for n, line in enumerate(lines))


def test_references_and_repo_ids_name_the_shared_flag_alike() -> None:
    """references keeps its own copy of the flag's name: repo_ids is not loaded for a model file's check."""
    from mlmeta.rules import references, repo_ids

    assert references._STORES_ROWS == repo_ids.STORES_ROWS


def test_the_index_keeps_what_references_read_not_every_checked_document(repo: Path) -> None:
    """A run of 1,000 files would otherwise hold 1,000 documents: memory never reused, a page fault a few files."""
    from mlmeta import config as configuration
    from mlmeta.engine import Engine
    from mlmeta.rules.references import _index

    big = {"id": "m/0", "name": "zero", "evaluations": [{"dataset": f"d{n}", "value": n} for n in range(50)]}
    model = write(repo, "model_metadata/m_0.json", big)
    data = write(repo, "dataset_metadata/web/c5.json", {**dataset("c5", "c4.json"), "description": "x" * 1000})
    engine = Engine(configuration.load(repo))
    for path in (model, data):
        assert list(engine.check(path)) == []
    kept = _index(engine.run).values
    assert kept[str(model.resolve())] == {"id": "m/0", "name": "zero"}
    assert kept[str(data.resolve())] == {"name": "c5", "domains": [{"name": "c4.json", "file_pointer": "c4.json"}]}
