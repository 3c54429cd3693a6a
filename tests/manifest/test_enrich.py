"""`mlmeta manifest enrich`: byte-identical passthrough, in-place key order, refusals that write nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlmeta.cli import main
from mlmeta.rules import RULES

from ..conftest import ROOT, realworld

HASH = "sha256:" + "a" * 64
ROW_A = (
    '{"repo_id":"OpenMed/A","family":"PII","task":"token-classification","languages":["en"],"tier":"Tiny",'
    '"param_count":65000000,"architecture":"bert","base_model":null,"formats":["pytorch"],'
    '"canonical_labels":["EMAIL"],"benchmark":{"dataset":null,"micro_f1":null,"recall":null},"arxiv":null,'
    f'"license":"apache-2.0","reproducibility_hash":"{HASH}","released":"2026-04-15"}}'
)
ROW_B = ROW_A.replace("OpenMed/A", "OpenMed/B").replace('"Tiny"', '"Small"')
# non-ASCII text, written with spaces after separators: a row in another style, left alone
ROW_C = json.dumps(
    {**json.loads(ROW_A), "repo_id": "OpenMed/C", "base_model": "Zürich/Modèle-日本"}, ensure_ascii=False
)
MANIFEST = (ROW_A + "\r\n" + ROW_C + "\n" + "\n" + ROW_B).encode("utf-8")  # CRLF, blank line, no final newline

MEASURED = {
    "latency_ms": {"iphone_15_pro": 18.4, "m2_air": 7.0},
    "recommended_tier": "phone",
    "benchmark": [
        {"suite": "shield", "dataset": "openmed-golden-pii", "micro_f1": 0.9823, "recall": 0.991, "leakage": 0.0}
    ],
}
# measured `benchmark` replaced where it stood, new keys last, compact, the row's CRLF kept
ROW_A_ENRICHED = (
    ROW_A.replace(
        '"benchmark":{"dataset":null,"micro_f1":null,"recall":null}',
        '"benchmark":[{"suite":"shield","dataset":"openmed-golden-pii","micro_f1":0.9823,"recall":0.991,"leakage":0.0}]',
    )[:-1]
    + ',"latency_ms":{"iphone_15_pro":18.4,"m2_air":7.0},"recommended_tier":"phone"}'
)


@pytest.fixture
def repo(repo: Path) -> Path:
    (repo / "models.jsonl").write_bytes(MANIFEST)
    return repo


def write_results(repo: Path, value: object, name: str = "results.json") -> str:
    (repo / name).write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return name


def enrich(results: str, output: str = "out.jsonl", *extra: str) -> int:
    return main(["manifest", "enrich", "--manifest", "models.jsonl", "--results", results, "--output", output, *extra])


SHAPES = {
    "list": [{"repo_id": "OpenMed/A", **MEASURED}],
    "results": {"results": [{"repo_id": "OpenMed/A", **MEASURED}]},
    "keyed": {"OpenMed/A": MEASURED},
}


@pytest.mark.parametrize("shape", SHAPES)
def test_a_measured_row_is_merged_in_place_and_every_other_byte_is_kept(
    repo: Path, shape: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert enrich(write_results(repo, SHAPES[shape])) == 0
    expected = (ROW_A_ENRICHED + "\r\n" + ROW_C + "\n" + "\n" + ROW_B).encode("utf-8")
    assert (repo / "out.jsonl").read_bytes() == expected
    assert (repo / "models.jsonl").read_bytes() == MANIFEST
    assert capsys.readouterr().out == "out.jsonl: 1 row(s) enriched, 0 already up to date, 2 passed through unchanged\n"


def test_a_row_keeps_its_own_style_when_rewritten(repo: Path) -> None:
    assert enrich(write_results(repo, {"OpenMed/C": {"recommended_tier": "server"}})) == 0
    lines = (repo / "out.jsonl").read_bytes().split(b"\n")
    assert lines[1].decode("utf-8") == ROW_C[:-1] + ', "recommended_tier": "server"}'
    assert lines[0] + b"\n" == (ROW_A + "\r\n").encode("utf-8")


def test_the_output_may_be_the_manifest_itself(repo: Path) -> None:
    assert enrich(write_results(repo, SHAPES["keyed"]), "models.jsonl") == 0
    assert (repo / "models.jsonl").read_bytes().startswith((ROW_A_ENRICHED + "\r\n").encode("utf-8"))
    assert sorted(p.name for p in repo.iterdir()) == [".git", "models.jsonl", "results.json"]  # no temporary left


def test_a_measurement_already_in_the_row_changes_no_byte(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        enrich(write_results(repo, {"OpenMed/B": {"benchmark": {"dataset": None, "micro_f1": None, "recall": None}}}))
        == 0
    )
    assert (repo / "out.jsonl").read_bytes() == MANIFEST
    assert "0 row(s) enriched, 1 already up to date" in capsys.readouterr().out


def refused(repo: Path, capsys: pytest.CaptureFixture[str], results: str, *extra: str) -> list[str]:
    assert enrich(results, "models.jsonl", *extra) == 1
    assert (repo / "models.jsonl").read_bytes() == MANIFEST  # nothing written, not even in place
    captured = capsys.readouterr()
    assert captured.err == "mlmeta: nothing written to models.jsonl: fix the problems above\n"
    return captured.out.splitlines()


@pytest.mark.parametrize(("value", "got"), [(5, "integer"), (None, "null"), ("x", "string")])
def test_a_measurements_file_that_is_no_list_or_object_is_a_finding(
    repo: Path, capsys: pytest.CaptureFixture[str], value: object, got: str
) -> None:
    assert refused(repo, capsys, write_results(repo, value)) == [
        f"results.json:1:1: error measurements/v1 schema: expected array or object, got {got}"
    ]


def test_unknown_repo_ids_and_duplicate_measurements_are_refused_at_their_lines(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "results.json").write_text(
        '[\n  {"repo_id": "OpenMed/A", "recommended_tier": "phone"},\n'
        '  {"repo_id": "OpenMed/Nope", "recommended_tier": "phone"},\n'
        '  {"repo_id": "OpenMed/A", "recommended_tier": "laptop"}\n]\n',
        encoding="utf-8",
    )
    assert refused(repo, capsys, "results.json") == [
        "results.json:3:15: error measurements/v1 unmatched-measurement: "
        "no row of the manifest has this repo_id (at /1/repo_id)",
        "results.json:4:15: error measurements/v1 duplicate-measurement: "
        "a second measurement for this repo_id (the first is at /0) (at /2/repo_id)",
    ]


def test_an_unknown_key_in_the_keyed_shape_is_reported_at_the_key(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "results.json").write_text('{\n  "OpenMed/Z": {"recommended_tier": "phone"}\n}\n', encoding="utf-8")
    assert refused(repo, capsys, "results.json") == [
        "results.json:2:3: error measurements/v1 unmatched-measurement: "
        "no row of the manifest has this repo_id (at /OpenMed~1Z)",
    ]


def test_nan_and_infinity_are_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "results.json").write_text(
        '{"OpenMed/A": {"latency_ms": {"m2_air": NaN, "iphone": Infinity}}}', encoding="utf-8"
    )
    assert refused(repo, capsys, "results.json") == [
        "results.json:1:41: error measurements/v1 parse: NaN is not valid JSON; use null or a finite number "
        "(at /OpenMed~1A/latency_ms/m2_air)",
        "results.json:1:56: error measurements/v1 parse: Infinity is not valid JSON; use null or a finite number "
        "(at /OpenMed~1A/latency_ms/iphone)",
    ]


def test_a_merged_row_that_breaks_the_schema_is_reported_at_the_manifest_row(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = ROW_B.replace(',"license":"apache-2.0"', "")  # B lacks a required key: merging must not bless it
    (repo / "models.jsonl").write_bytes(MANIFEST.replace(ROW_B.encode(), broken.encode()))
    write_results(repo, {"OpenMed/B": {"recommended_tier": "phone"}})
    assert enrich("results.json", "out.jsonl") == 1
    assert capsys.readouterr().out == ("models.jsonl:4:1: error manifest/v1 schema: missing required key 'license'\n")
    assert not (repo / "out.jsonl").exists()


def test_a_measured_repo_id_on_two_rows_is_ambiguous(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "models.jsonl").write_bytes(MANIFEST + b"\n" + ROW_A.encode())
    write_results(repo, {"OpenMed/A": {"recommended_tier": "phone"}})
    assert enrich("results.json") == 1
    assert capsys.readouterr().out == (
        "models.jsonl:5:12: error manifest/v1 duplicate-row: a measured repo_id must name one row; "
        "the row on line 1 has it too (at /repo_id)\n"
    )


def test_a_manifest_row_that_is_not_json_is_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "models.jsonl").write_bytes(MANIFEST + b"\n{oops\n")
    write_results(repo, {"OpenMed/A": {"recommended_tier": "phone"}})
    assert enrich("results.json") == 1
    assert capsys.readouterr().out.startswith("models.jsonl:5:2: error manifest/v1 parse: not valid JSON")
    assert not (repo / "out.jsonl").exists()


def test_a_missing_results_file_is_a_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert enrich("absent.json") == 1
    assert capsys.readouterr().out == "absent.json:1:1: error - read: cannot read file: no such file\n"


def test_measurements_with_phi_are_refused(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not any(rule.startswith("phi-") for rule in RULES):
        pytest.skip("the no-PHI rules are not registered yet")
    write_results(repo, {"OpenMed/A": {"benchmark": {"dataset": "patient John Smith, SSN 123-45-6789", "recall": 0.9}}})
    out = refused(repo, capsys, "results.json")
    assert out and all(" phi-" in line for line in out)
    assert "123-45-6789" not in "\n".join(out)  # a finding never repeats the value


def test_python_dash_m_takes_the_same_flags(repo: Path) -> None:
    write_results(repo, SHAPES["list"])
    env_path = str(ROOT / "hooks")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlmeta.manifest.enrich",
            "--manifest",
            "models.jsonl",
            "--results",
            "results.json",
            "--output",
            "out.jsonl",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": ""},
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert (repo / "out.jsonl").read_bytes().startswith(ROW_A_ENRICHED.encode())
    usage = subprocess.run(
        [sys.executable, "-m", "mlmeta.manifest.enrich"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": ""},
    )
    assert usage.returncode == 2 and "--manifest" in usage.stderr


def test_the_real_catalog_passes_through_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = realworld("openmed/models.seed-era.jsonl")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models.jsonl").write_bytes(source.read_bytes())
    first = json.loads(source.read_bytes().split(b"\n")[0])
    write_results(tmp_path, {first["repo_id"]: {"recommended_tier": "laptop", "peak_ram_mb": {"m2_air": 384}}})
    assert enrich("results.json") == 0
    old = source.read_bytes().split(b"\n")
    new = (tmp_path / "out.jsonl").read_bytes().split(b"\n")
    assert len(old) == len(new) and old[1:] == new[1:]
    assert new[0] == old[0][:-1] + b',"recommended_tier":"laptop","peak_ram_mb":{"m2_air":384}}'


def test_a_merged_row_too_deep_to_validate_is_a_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The writers judge rows with the same validator as check, and its recursion limit is a finding there too."""
    deep = json.loads(ROW_A)
    deep["notes"] = json.loads("[" * 300 + "]" * 300)
    (repo / "models.jsonl").write_text(json.dumps(deep) + "\n", encoding="utf-8")
    assert enrich(write_results(repo, SHAPES["keyed"])) == 1
    assert "models.jsonl:1:1: error manifest/v1 schema: nested too deeply to validate\n" in capsys.readouterr().out
    assert not (repo / "out.jsonl").exists()
