"""Manifest rows v2: the later catalog passes v2 and fails v1 at the right places; `mlmeta migrate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlmeta.cli import main
from mlmeta.rules.script_coverage import claimed

from ..conftest import FIXTURES, REALWORLD, ROOT, realworld

V1_KEYS = set(json.loads((ROOT / "schemas" / "manifest" / "v1.json").read_text(encoding="utf-8"))["properties"])


V2_FIXTURES = FIXTURES / "manifest-v2"  # beside, not inside, manifest/: the v1 oracles read that folder as v1

# the schema and the rules tied to v2 (other rules, such as cross-row references, judge the catalog's content)
V2_RULES = "schema,script-coverage,script-verdict,script-eval"


def later(repo: Path) -> bytes:
    data = realworld("openmed/models.later.jsonl").read_bytes()
    (repo / "models.jsonl").write_bytes(data)
    return data


def test_every_later_row_passes_v2_by_kind(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    later(repo)
    assert main(["check", "--kind", "manifest@2", "--select", V2_RULES, "models.jsonl"]) == 0
    assert capsys.readouterr().out == ""


def test_every_later_row_passes_v2_by_config_route(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    later(repo)
    (repo / "pyproject.toml").write_text('[tool.mlmeta.routes]\n"models.jsonl" = "manifest@2"\n', encoding="utf-8")
    assert main(["check", "--select", V2_RULES]) == 0
    assert capsys.readouterr().out == ""


def test_under_v1_the_later_rows_fail_on_their_unknown_keys_at_those_keys(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = later(repo)
    expected = set()
    for number, text in enumerate(data.decode("utf-8").split("\n"), start=1):
        if text.strip():
            for key in json.loads(text).keys() - V1_KEYS:
                expected.add((number, text.index(f'"{key}":') + 1, f"/{key}", f"unknown key '{key}'"))
    assert len(expected) > 1000  # script_coverage on every PII row, and the size keys
    assert main(["check", "--kind", "manifest@1", "--select", "schema", "--format", "json", "models.jsonl"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert {(f["line"], f["column"], f["pointer"], f["message"]) for f in found} == expected
    assert {(f["rule"], f["schema_version"]) for f in found} == {("schema", 1)}


def test_the_cross_key_rules_are_silent_under_v1(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = (V2_FIXTURES / "invalid" / "script-rules.jsonl").read_text(encoding="utf-8")
    (repo / "models.jsonl").write_text(rows.replace("manifest/v2.json", "manifest/v1.json"), encoding="utf-8")
    main(["check", "--kind", "manifest@1", "models.jsonl"])
    assert " script-" not in capsys.readouterr().out


def test_the_v2_fixtures_give_exactly_their_findings(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    valid = (V2_FIXTURES / "valid" / "later-keys.jsonl").relative_to(ROOT).as_posix()
    assert main(["check", "--kind", "manifest", valid]) == 0  # each fixture's rows name v2 in `$schema`
    assert capsys.readouterr().out == ""
    invalid = V2_FIXTURES / "invalid" / "script-rules.jsonl"
    assert main(["check", "--no-force-exclude", "--kind", "manifest", invalid.relative_to(ROOT).as_posix()]) == 1
    assert capsys.readouterr().out == invalid.with_name(invalid.name + ".expected").read_text(encoding="utf-8")


def test_python_jsonschema_agrees_on_v2(in_root: Path) -> None:
    """The reference implementation gives the same verdict as ours on every v2 fixture row and later row."""
    from jsonschema import Draft202012Validator

    from mlmeta.schemas import Validators, load_schema

    reference = Draft202012Validator(load_schema("manifest", 2), format_checker=Draft202012Validator.FORMAT_CHECKER)
    ours = Validators().get("manifest", 2)
    paths = sorted(V2_FIXTURES.glob("*/*.jsonl"))
    later_path = REALWORLD / "openmed" / "models.later.jsonl"
    paths += [later_path] if later_path.exists() else []
    values = [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert len(values) >= 8
    assert [reference.is_valid(v) for v in values] == [ours.is_valid(v) for v in values]
    assert not all(ours.is_valid(v) for v in values)  # the invalid fixture is in there


@pytest.mark.parametrize(
    ("languages", "scripts"),
    [
        (["zh"], {"han_simplified", "han_traditional"}),
        (["JA"], {"han_simplified", "han_traditional"}),
        (["zh_CN", "zh-Hans"], {"han_simplified"}),
        (["zh-TW", "zh_hk", "zh-Hant"], {"han_traditional"}),
        (["hi", "mr", "ne"], {"devanagari"}),
        (
            ["bn", "as", "ta", "te", "kn", "ml", "gu", "pa", "or", "od"],
            {"bengali", "tamil", "telugu", "kannada", "malayalam", "gujarati", "gurmukhi", "odia"},
        ),
        (["en", "de", "hi-IN", "zh-Hans-CN"], set()),  # only the listed codes claim scripts
        ("hi", set()),
    ],
)
def test_languages_claim_scripts(languages: object, scripts: set[str]) -> None:
    assert claimed(languages) == scripts


# --- migrate ---------------------------------------------------------------------------------------------------

HASH = "sha256:" + "c" * 64
NER_ROW = (
    '{"repo_id":"OpenMed/NER-X","family":"NER","task":"token-classification","languages":["en"],"tier":null,'
    '"param_count":null,"architecture":"bert","base_model":null,"formats":["pytorch"],"canonical_labels":["GENE"],'
    f'"benchmark":{{"dataset":null,"micro_f1":null,"recall":null}},"arxiv":null,"license":null,'
    f'"reproducibility_hash":"{HASH}","released":null}}'
)


def ner(name: str, schema: str | None = None) -> str:
    row = NER_ROW.replace("NER-X", name).replace("c" * 64, format(len(name) * 7919, "064x"))
    return row if schema is None else '{"$schema":"' + schema + '",' + row[1:]


def test_migrate_rewrites_only_rows_that_name_their_schema(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [ner("A") + "\r\n", "\n", ner("Bee", "../schemas/manifest/v1.json") + "\n", ner("Ceee") + "\n"]
    (repo / "models.jsonl").write_bytes("".join(rows).encode("utf-8"))
    assert main(["migrate", "--to", "2", "models.jsonl"]) == 0
    after = (repo / "models.jsonl").read_bytes().decode("utf-8")
    assert after == "".join([rows[0], rows[1], ner("Bee", "../schemas/manifest/v2.json") + "\n", rows[3]])
    assert capsys.readouterr().out == (
        "models.jsonl: manifest/v1 -> v2: 1 row(s) rewritten, 2 unchanged\n"
        'models.jsonl: declare it: [tool.mlmeta.routes] "models.jsonl" = "manifest@2" in pyproject.toml\n'
    )
    assert sorted(p.name for p in repo.iterdir()) == [".git", "models.jsonl"]
    assert main(["check", "--kind", "manifest@2", "models.jsonl"]) == 0


def test_a_pii_row_without_script_coverage_is_reported_not_invented(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pii = ner("PII-Y", "../schemas/manifest/v1.json").replace('"family":"NER"', '"family":"PII"')
    data = (ner("A") + "\n" + pii + "\n").encode("utf-8")
    (repo / "models.jsonl").write_bytes(data)
    assert main(["migrate", "--to", "2", "models.jsonl"]) == 1
    captured = capsys.readouterr()
    assert captured.out == (
        "models.jsonl:2:1: error manifest/v2 script-coverage: "
        "a PII row must carry script_coverage (measured, never guessed)\n"
    )
    assert captured.err == "mlmeta: models.jsonl not migrated: fix the rows above, then migrate again\n"
    assert (repo / "models.jsonl").read_bytes() == data


def test_a_file_already_at_the_version_is_left_alone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "models.jsonl").write_text(ner("A") + "\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text('[tool.mlmeta.routes]\n"models.jsonl" = "manifest@2"\n', encoding="utf-8")
    assert main(["migrate", "--to", "2", "models.jsonl"]) == 0
    assert capsys.readouterr().out == "models.jsonl: already manifest/v2; nothing to do\n"


def test_migrate_refuses_versions_it_cannot_reach(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "models.jsonl").write_text(ner("A") + "\n", encoding="utf-8")
    assert main(["migrate", "--to", "99", "models.jsonl"]) == 2
    assert capsys.readouterr().err.startswith("mlmeta: error: manifest has no schema v99 to migrate to")
    assert main(["migrate", "--to", "1", "--kind", "manifest@2", "models.jsonl"]) == 2
    assert (
        capsys.readouterr().err == "mlmeta: error: models.jsonl follows manifest v2; migrate only upgrades (--to 1)\n"
    )


def test_the_later_catalog_migrates_with_no_byte_changed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = later(repo)
    assert main(["migrate", "--to", "2", "models.jsonl"]) == 0
    assert (repo / "models.jsonl").read_bytes() == data
    assert capsys.readouterr().out.startswith("models.jsonl: manifest/v1 -> v2: 0 row(s) rewritten, 2266 unchanged\n")


def test_the_seed_era_catalog_cannot_migrate_until_its_pii_rows_are_measured(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = realworld("openmed/models.seed-era.jsonl").read_bytes()
    (repo / "models.jsonl").write_bytes(data)
    assert main(["migrate", "--to", "2", "models.jsonl"]) == 1
    out = capsys.readouterr().out.splitlines()
    pii_lines = [
        n for n, text in enumerate(data.split(b"\n"), 1) if text.strip() and json.loads(text)["family"] == "PII"
    ]
    assert [int(line.split(":")[1]) for line in out] == pii_lines
    assert all(" script-coverage: " in line for line in out)
    assert (repo / "models.jsonl").read_bytes() == data


def test_a_problem_the_row_already_had_does_not_block_the_migration(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (ner("A").replace(',"license":null', "") + "\n").encode("utf-8")  # invalid under v1 and v2 alike
    (repo / "models.jsonl").write_bytes(data)
    assert main(["migrate", "--to", "2", "models.jsonl"]) == 0
    assert (repo / "models.jsonl").read_bytes() == data
    assert main(["check", "--kind", "manifest@2", "models.jsonl"]) == 1  # still `check`'s to report
