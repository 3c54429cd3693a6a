"""The no-PHI rule: scope, structure, detectors, findings that never leak, the allowlist, the hook."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlmeta.cli import main
from mlmeta.config import Config, load
from mlmeta.engine import Engine, Options
from mlmeta.reporters import REPORTERS
from mlmeta.rules import RULES, select_rules
from mlmeta.rules.phi.detectors import LABELS, scan
from mlmeta.rules.phi.pointers import redact_pointer
from mlmeta.schemas import Route

from ..conftest import ROOT, realworld
from . import phi_corpus as corpus

PHI_RULES = sorted(rule for rule in RULES if rule.startswith("phi-"))


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def results(**extra: object) -> dict[str, object]:
    return {
        "model_name": "acme/clinical-7b",
        "last_updated": "2024-05-01T12:00:00Z",
        "results": {"lm-eval": {"medqa": {"0-shot": {"acc": 0.61}}}},
        **extra,
    }


# -- registration and selection ----------------------------------------------------------------


def test_every_detector_has_a_registered_rule_and_a_label() -> None:
    assert set(LABELS) <= set(RULES)
    assert {"phi-structure", "phi-allowlist-stale", *LABELS} == set(PHI_RULES)
    assert all(RULES[rule].module == "mlmeta.rules.phi" for rule in PHI_RULES)


def test_select_by_family_name() -> None:
    assert select_rules(["phi"]) == frozenset(PHI_RULES)
    assert select_rules(["phi-ssn", "schema"]) == {"phi-ssn", "schema"}
    assert select_rules(["phi", "schema"]) == {*PHI_RULES, "schema"}


# -- structure ---------------------------------------------------------------------------------


def test_results_structure_exact_findings(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = results()
    data["results"] = {
        "lm-eval": {
            "medqa": {"0-shot": {"acc": "0.61", "raw_text": "a b", "per_item": [0.1, 0.9, 0.4]}},
            "Patient Records QA": {"0-shot": {"acc": 0.5}},  # a task name with numbers under it is an aggregate
        }
    }
    write(repo / "model_scores" / "a.json", data)
    assert main(["check", "--select", "phi", "model_scores/a.json"]) == 1
    assert capsys.readouterr().out == (
        "model_scores/a.json:8:18: error results/v1 phi-structure: metric value is a string, not a number or null"
        " (at /results/lm-eval/medqa/0-shot/acc)\n"
        "model_scores/a.json:9:11: error results/v1 phi-structure: key 'raw_text' names raw material (prompts,"
        " texts, examples, patients); keep aggregates only (at /results/lm-eval/medqa/0-shot/raw_text)\n"
        "model_scores/a.json:10:23: error results/v1 phi-structure: list of 3 items where an aggregate metric"
        " belongs (per-example values?) (at /results/lm-eval/medqa/0-shot/per_item)\n"
    )


def test_type_errors_are_left_to_the_schema_when_it_runs(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = results()
    data["results"] = {"lm-eval": {"medqa": {"0-shot": {"acc": "high"}}}}
    write(repo / "model_scores" / "a.json", data)
    assert main(["check", "model_scores/a.json"]) == 1
    out = capsys.readouterr().out
    assert "schema: expected number or null, got string" in out
    assert "phi-structure" not in out


@pytest.mark.parametrize(
    ("key", "flagged"),
    [
        ("prompt", True),
        ("Prompts", True),
        ("raw_text", True),
        ("example_outputs", True),
        ("modelInputs", True),
        ("patient", True),
        ("transcripts", True),
        ("context_length", False),
        ("samples_per_second", True),
        ("throughput", False),
        ("notebook", False),
    ],
)
def test_raw_material_keys(key: str, flagged: bool) -> None:
    from mlmeta.rules.phi.walk import raw_material

    assert raw_material(key) is flagged


def test_raw_material_key_with_a_number_is_a_metric(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = results()
    data["results"] = {"ifeval": {"ifeval": {"0-shot": {"prompt_level_strict_acc": 0.41, "samples_per_second": 9.5}}}}
    write(repo / "model_scores" / "a.json", data)
    assert main(["check", "--select", "phi,schema", "model_scores/a.json"]) == 0
    assert capsys.readouterr().out == ""


def test_long_descriptive_string_and_per_example_list(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "pyproject.toml").write_text("[tool.mlmeta.phi]\nmax_string_length = 20\nmax_list_items = 3\n")
    write(repo / "model_scores" / "a.json", results(model_name="x" * 21))
    record = {"repo_id": "o/m", "benchmark": {"dataset": "d", "micro_f1": 0.5}}
    write(repo / "m.json", {"results": [record], "$schema": "https://mlmeta.dev/schemas/measurements/v1.json"})
    write(repo / "ev.json", {"runs": ["a", "b", "c", "d"]})
    (repo / "pyproject.toml").write_text(
        '[tool.mlmeta.phi]\nmax_string_length = 20\nmax_list_items = 3\npaths = ["ev.json"]\n'
    )
    assert main(["check", "--select", "phi", "model_scores/a.json", "m.json", "ev.json"]) == 1
    assert capsys.readouterr().out == (  # sorted by file
        "ev.json:2:11: error - phi-structure: list of 4 values looks per-example (more than 3); keep aggregates"
        " only (at /runs)\n"
        "model_scores/a.json:2:17: error results/v1 phi-structure: descriptive string of 21 characters is longer"
        " than 20 (at /model_name)\n"
    )


def test_model_scope_is_evaluations_and_performance(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = json.loads(realworld("aind/model.example.json").read_text(encoding="utf-8"))
    model["notes"] = "Patient John Smith"  # outside the scope: the model's own notes
    model["training"][0]["notes"] = "Patient John Smith"  # outside: training notes
    model["training"][0]["test_performance"][0]["value"] = "seen by Dr. Alvarez"  # AIND allows a verdict: scanned
    model["evaluations"][0]["notes"] = "reviewed with Mrs. Nguyen"
    write(repo / "model.json", model)
    assert main(["check", "--select", "phi", "--kind", "model", "model.json"]) == 1
    out = capsys.readouterr().out
    assert [line.split(" ", 3)[3] for line in out.splitlines()] == [
        "phi-name: person's name in a value of 19 characters"
        " (at /training/0/test_performance/0/value)",
        "phi-name: person's name in a value of 25 characters (at /evaluations/0/notes)",
    ]


def test_real_aind_record_is_clean_experimenters_are_staff(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = realworld("aind/model.example.json")
    assert main(["check", "--select", "phi", "--kind", "model", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_manifest_scope_excludes_label_names(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = {
        "repo_id": "OpenMed/x",
        "canonical_labels": ["EMAIL", "PHONE", "SSN", "john@example.org"],  # not in scope
        "benchmark": {"dataset": "call 212-555-0187", "micro_f1": 0.9},
        "latency_ms": {"m2_air": 7.0},
    }
    (repo / "models.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert main(["check", "--select", "phi", "models.jsonl"]) == 1
    assert capsys.readouterr().out == (
        "models.jsonl:1:118: error manifest/v1 phi-phone: phone or fax number in a value of 17 characters"
        " (at /benchmark/dataset)\n"
    )


def test_manifest_rows_whose_scopes_differ_only_in_type_are_judged_apart(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clean scope is remembered for the rows after it: NaN is not null, 1 is not true, a finding is not kept."""
    rows = [
        '{"repo_id": "OpenMed/a", "latency_ms": {"pixel_8": NaN}}',  # clean to the rule (parse reports it)
        '{"repo_id": "OpenMed/b", "latency_ms": {"pixel_8": null}}',
        '{"repo_id": "OpenMed/c", "latency_ms": {"pixel_8": 1}}',
        '{"repo_id": "OpenMed/d", "latency_ms": {"pixel_8": true}}',
        '{"repo_id": "OpenMed/e", "benchmark": {"dataset": "call 212-555-0187"}}',
        '{"repo_id": "OpenMed/f", "benchmark": {"dataset": "call 212-555-0187"}}',
    ]
    (repo / "models.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["check", "--select", "phi,parse", "models.jsonl"]) == 1
    phone = "phi-phone: phone or fax number in a value of 17 characters (at /benchmark/dataset)"
    assert capsys.readouterr().out.splitlines() == [
        "models.jsonl:1:52: error manifest/v1 parse: NaN is not valid JSON; use null or a finite number"
        " (at /latency_ms/pixel_8)",
        "models.jsonl:2:52: error manifest/v1 phi-structure: metric value is null, not a number"
        " (at /latency_ms/pixel_8)",
        "models.jsonl:4:52: error manifest/v1 phi-structure: metric value is a boolean, not a number"
        " (at /latency_ms/pixel_8)",
        f"models.jsonl:5:51: error manifest/v1 {phone}",
        f"models.jsonl:6:51: error manifest/v1 {phone}",
    ]


# -- detectors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "context", "rules"),
    [
        ("SSN 123-45-6789", "", {"phi-ssn"}),
        ("123 45 6789", "", {"phi-ssn"}),
        ("666-12-3456", "", set()),
        ("123456789", "", set()),
        ("123456789", "ssn", {"phi-ssn"}),
        ("078-05-1120", "", set()),  # the Woolworth wallet card number: never issued to a person
        ("fax: (415) 867-5309", "", {"phi-phone"}),
        ("(123) 456-7890", "", set()),
        ("10.20.30.40", "", {"phi-ip"}),
        ("353.50.194.66", "", set()),
        ("2001:db8::8a2e:370:7334", "", {"phi-ip"}),
        ("02:04:18", "", set()),
        ("::1", "", set()),
        ("v4.40.0.1", "", set()),
        ("admitted 2021-02-29", "", set()),
        ("admitted 2020-02-29", "", {"phi-date"}),
        ("1931-03-12", "birth_date", {"phi-date"}),
        ("1931-03-12", "release_date", set()),
        ("2026-11-23T02:04:18.851011Z", "", set()),
        ("93", "age", {"phi-age"}),
        ("age 89", "", set()),
        ("a 104 year old man", "", {"phi-age"}),
        ("02139-4307", "", {"phi-zip"}),
        ("00000-1234", "", set()),
        ("00482913", "mrn", {"phi-mrn"}),
        ("00482913", "", set()),
        ("NPI 1234567893", "", {"phi-npi"}),
        ("NPI 1234567890", "", set()),
        ("1234567893", "", set()),  # no context: ten digits are not an NPI
        ("AB1234563", "", {"phi-dea"}),
        ("AB1234564", "", set()),
        ("1EG4-TE5-MK73", "", {"phi-mbi"}),
        ("1EG4-TE5-MK7", "", set()),
        ("1SG4TE5MK73", "", set()),
        ("4111-1111-1111-1111", "", {"phi-card"}),
        ("4111 1111-1111 1111", "", set()),  # mixed separators
        ("4111111111111112", "", set()),
        ("1HGCM82633A004352", "", {"phi-vin"}),
        ("1HGCM82634A004352", "", set()),
        ("Mr. Okafor", "", {"phi-name"}),
        ("Patient Safety", "", set()),
        ("https://huggingface.co/OpenMed/x?revision=main", "", set()),
        ("https://ehr.example.org/people/jsmith", "", {"phi-url"}),
        ("https://user:secret@example.org/", "", {"phi-url"}),
        ("icon@2x.png", "", set()),
        ("sha256:" + "ab" * 32, "", set()),
        ("AI4Privacy + Synthetic Bengali PII", "", set()),
        ("Patient presented with fever and chest pain", "", {"phi-free-text"}),
        ("Patient Maria Lopez presented with fever and chest pain", "", {"phi-free-text", "phi-name"}),
    ],
)
def test_detectors(text: str, context: str, rules: set[str]) -> None:
    assert set(scan(text, context)) == rules


# -- the synthetic corpus --------------------------------------------------------------------------

CORPUS_SIZE = 100


def _engine(root: Path) -> Engine:
    return Engine(Config(root), Options(select=select_rules(["phi"])))


def _run(engine: Engine, root: Path, planted: corpus.Planted, number: int) -> list[tuple[str, str]]:
    path = root / f"case-{number}{planted.suffix}"
    path.write_text(planted.text, encoding="utf-8")
    engine.options.kind = Route(planted.kind)
    return [(finding.rule, finding.pointer) for finding in engine.check(path)]


@pytest.mark.parametrize("type_", sorted(corpus.TYPES))
def test_corpus_recall_at_least_098_and_no_near_miss(type_: str, tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    rule = corpus.TYPES[type_].rule
    cases = corpus.planted(type_, CORPUS_SIZE, seed=2024)
    found = [(rule, redact_pointer(case.pointer)[0]) in _run(engine, tmp_path, case, i) for i, case in enumerate(cases)]
    recall = sum(found) / len(found)
    assert recall >= 0.98, f"{type_}: recall {recall:.3f}"
    misses = corpus.planted(type_, CORPUS_SIZE, seed=2024, near_miss=True)
    noisy = [case.text for i, case in enumerate(misses) if _run(engine, tmp_path, case, 10_000 + i)]
    assert noisy == []


def test_corpus_benign_files_have_no_finding(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    assert [f for i, case in enumerate(corpus.benign(200, seed=5)) for f in _run(engine, tmp_path, case, i)] == []


def test_corpus_generators_are_what_they_claim() -> None:
    """The corpus' own identifiers pass independent checks (python-stdnum's Luhn), its near misses fail them."""
    import random

    from stdnum import luhn

    r = random.Random(1)
    for _ in range(50):
        assert luhn.is_valid(re.sub(r"\D", "", corpus.card(r)))
        assert not luhn.is_valid(re.sub(r"\D", "", corpus.card_miss(r)))
        assert luhn.is_valid("80840" + corpus.npi(r).split()[-1])
        assert not luhn.is_valid("80840" + corpus.npi_miss(r).split()[-1])


# -- the real catalogs ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["models.seed-era.jsonl", "models.later.jsonl"])
def test_real_openmed_catalogs_have_no_phi_finding(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = realworld(f"openmed/{name}")
    assert main(["check", "--select", "phi", "--kind", "manifest", str(path)]) == 0
    assert capsys.readouterr().out == ""
    assert sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()) > 1000


def test_repository_catalog_has_no_phi_finding(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--select", "phi"]) == 0
    assert capsys.readouterr().out == ""


# -- findings never leak ------------------------------------------------------------------------------

PLANTED = {
    "ssn": "219-55-0163",
    "email": "grace.okafor@mercy-health.org",
    "phone": "(617) 432-1978",
    "mrn": "00482913",
    "name": "Kowalski",
    "card": "4929-1234-5678-9018",
}


def _leaky_files(repo: Path) -> list[str]:
    card = PLANTED["card"]
    data = results()
    data["results"] = {
        "lm-eval": {
            PLANTED["email"]: {"0-shot": {"acc": 0.5}},  # a key: in pointers of phi and schema findings
            "medqa": {"0-shot": {"acc": f"SSN {PLANTED['ssn']}", "MRN": f"MRN {PLANTED['mrn']}"}},
        }
    }
    data["source"] = f"Patient Ms. {PLANTED['name']}, call {PLANTED['phone']}, card {card}"
    write(repo / "model_scores" / "a.json", data)
    # a duplicate key that is itself PHI, and a value the schema rejects by pattern
    (repo / "model_scores" / "b.json").write_text(
        '{"model_name": "m", "last_updated": "2024-01-01T00:00:00Z", "results": {"h": {'
        f'"{PLANTED["email"]}": {{"0-shot": {{"acc": 1}}}}, "{PLANTED["email"]}": {{"0-shot": {{"acc": 2}}}}}}}}}}\n',
        encoding="utf-8",
    )
    # a row that does not parse, and a keyed measurements file whose key is an e-mail address
    (repo / "models.jsonl").write_text(
        f'{{"repo_id": "o/m", "benchmark": {{"dataset": "{PLANTED["ssn"]}"\n', encoding="utf-8"
    )
    write(repo / "measurements.json", {PLANTED["email"]: {"latency_ms": {"m2_air": PLANTED["phone"]}}})
    return ["model_scores/a.json", "model_scores/b.json", "models.jsonl"]


def _fragments() -> list[str]:
    """Each planted value, and the digits or name inside it that alone would identify."""
    found = []
    for value in PLANTED.values():
        found.append(value)
        found.extend(run for run in re.findall(r"\d{4,}", value))
    found.extend(["grace.okafor", "mercy-health", "Okafor"])
    return found


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_planted_values_appear_in_no_output_format(fmt: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    targets = _leaky_files(repo)
    code = main(["check", "--format", fmt, *targets])
    code2 = main(["check", "--format", fmt, "--kind", "measurements", "measurements.json"])
    out = capsys.readouterr()
    assert (code, code2) == (1, 1)
    text = out.out + out.err
    assert "phi-" in text
    leaked = [fragment for fragment in _fragments() if fragment in text or json.dumps(fragment)[1:-1] in text]
    assert leaked == []


def test_redacted_pointer_keeps_safe_tokens() -> None:
    assert redact_pointer("/results/lm-eval/a@example.org/0") == (
        "/results/lm-eval/<redacted 13 characters>/0",
        ["a@example.org"],
    )
    assert redact_pointer("/OpenMed~1x/latency_ms") == ("/OpenMed~1x/latency_ms", [])


# -- the allowlist ------------------------------------------------------------------------------------


def test_allow_then_change_then_stale(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "model_scores" / "a.json", results(source="call 212-555-0187"))
    assert main(["check", "--select", "phi", "model_scores/a.json"]) == 1
    assert "phi-phone" in capsys.readouterr().out

    assert main(["phi", "allow", "model_scores/a.json:/source"]) == 0
    printed = capsys.readouterr().out
    assert re.fullmatch(r"model_scores/a\.json:/source: allowed phi-phone \(fingerprint [0-9a-f]{4}\)\n", printed)
    allowlist = (repo / ".mlmeta-phi-allowlist").read_text(encoding="utf-8")
    data = json.loads(allowlist)
    # the random hex of the salt and the fingerprints may spell "212" by chance; the rest may not
    readable = allowlist.replace(data["salt"], "")
    for entry in data["entries"]:
        readable = readable.replace(entry["fingerprint"], "")
    assert "212" not in readable and "0187" not in readable
    assert len(bytes.fromhex(data["salt"])) == 16
    assert data["entries"] == [
        {
            "path": "model_scores/a.json",
            "pointer": "/source",
            "rule": "phi-phone",
            "fingerprint": data["entries"][0]["fingerprint"],
        }
    ]
    assert [p.name for p in repo.iterdir() if p.name.startswith(".mlmeta-phi-")] == [".mlmeta-phi-allowlist"]

    assert main(["check", "--select", "phi", "model_scores/a.json"]) == 0
    assert capsys.readouterr().out == ""

    write(repo / "model_scores" / "a.json", results(source="call 212-555-0188"))  # the value changed
    assert main(["check", "--select", "phi", "model_scores/a.json"]) == 1
    assert capsys.readouterr().out == (  # sorted by line
        "model_scores/a.json:1:1: warning results/v1 phi-allowlist-stale: entry 1 of .mlmeta-phi-allowlist"
        " (phi-phone at /source) matches no finding in this file any more; remove it\n"
        "model_scores/a.json:13:13: error results/v1 phi-phone: phone or fax number in a value of 17 characters"
        " (at /source)\n"
    )


def test_allow_refuses_a_place_without_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "model_scores" / "a.json", results())
    assert main(["phi", "allow", "model_scores/a.json:/model_name"]) == 1
    assert capsys.readouterr().err == "model_scores/a.json:/model_name: no phi finding here to allow\n"
    assert not (repo / ".mlmeta-phi-allowlist").exists()
    assert main(["phi", "allow", "model_scores/a.json"]) == 2


def test_allow_a_redacted_key_and_a_jsonl_row(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = results()
    data["results"] = {"lm-eval": {"ops@example.org": {"0-shot": {"acc": 0.5}}}}
    write(repo / "model_scores" / "a.json", data)
    rows = [{"repo_id": f"o/m{i}", "benchmark": {"dataset": f"acct 9988776{i}55", "micro_f1": 0.5}} for i in range(2)]
    (repo / "models.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    assert main(["check", "--select", "phi", "model_scores/a.json", "models.jsonl"]) == 1
    out = capsys.readouterr().out
    assert "(at /results/lm-eval/<redacted 15 characters>)" in out
    assert main(["phi", "allow", "model_scores/a.json:/results/lm-eval/<redacted 15 characters>"]) == 0
    assert main(["phi", "allow", "models.jsonl:/benchmark/dataset"]) == 1
    assert "rows on lines 1, 2 have phi findings here; choose one with --line" in capsys.readouterr().err
    assert main(["phi", "allow", "--line", "2", "models.jsonl:/benchmark/dataset"]) == 0
    capsys.readouterr()
    assert main(["check", "--select", "phi", "model_scores/a.json", "models.jsonl"]) == 1
    assert [line.split(": ")[0] for line in capsys.readouterr().out.splitlines()] == ["models.jsonl:1:46"]
    assert "example" not in (repo / ".mlmeta-phi-allowlist").read_text(encoding="utf-8")


def test_a_malformed_allowlist_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo / "model_scores" / "a.json", results(source="call 212-555-0187"))
    (repo / ".mlmeta-phi-allowlist").write_text("{not json", encoding="utf-8")
    assert main(["check", "model_scores/a.json"]) == 2
    assert "not a PHI allowlist" in capsys.readouterr().err


def test_an_allowlist_path_that_cannot_be_looked_at_is_a_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A clean file loads no allowlist code when there is no allowlist; a path through a file is not "none"."""
    write(repo / "model_scores" / "a.json", results())
    (repo / "notes.txt").write_text("not a folder\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text('[tool.mlmeta.phi]\nallowlist = "notes.txt/x"\n', encoding="utf-8")
    assert main(["check", "--select", "phi", "model_scores/a.json"]) == 2
    assert "cannot read the PHI allowlist" in capsys.readouterr().err


def test_fingerprint_is_short_salted_and_slow() -> None:
    from mlmeta.rules.phi.allowlist import SCRYPT, Allowlist

    one, two = Allowlist(Path("x")), Allowlist(Path("x"))
    a = one.fingerprint("p", "/x", "phi-ssn", "219-55-0163")
    assert re.fullmatch(r"[0-9a-f]{4}", a)
    assert a == one.fingerprint("p", "/x", "phi-ssn", "219-55-0163")
    assert SCRYPT["n"] >= 2**14
    values = [f"219-55-{n:04d}" for n in range(1, 13)]
    # a changed value, another salt or another place: other fingerprints (each equal by chance 1 in 65,536)
    mine = [one.fingerprint("p", "/x", "phi-ssn", v) for v in values]
    assert len(set(mine)) > 1
    assert mine != [two.fingerprint("p", "/x", "phi-ssn", v) for v in values]
    assert mine != [one.fingerprint("q", "/x", "phi-ssn", v) for v in values]


# -- configuration, engine API, hook ---------------------------------------------------------------------


def test_config_paths_route_any_file_to_the_rule(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "pyproject.toml").write_text('[tool.mlmeta.phi]\npaths = ["evals/**/*.json"]\n', encoding="utf-8")
    write(repo / "evals" / "run1" / "scores.json", {"f1": 0.5, "reviewer": "dr.who@example.org"})
    write(repo / "other" / "scores.json", {"reviewer": "dr.who@example.org"})
    assert main(["check", "evals/run1/scores.json", "other/scores.json"]) == 1
    assert capsys.readouterr().out == (
        "evals/run1/scores.json:3:15: error - phi-email: e-mail address in a value of 18 characters (at /reviewer)\n"
    )


@pytest.mark.parametrize(
    "table", ['paths = "x"', "max_string_length = 0", "max_list_items = true", "allowlist = 3", "colour = 1"]
)
def test_bad_phi_configuration_is_a_usage_error(table: str, repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "pyproject.toml").write_text(f"[tool.mlmeta.phi]\n{table}\n", encoding="utf-8")
    write(repo / "model_scores" / "a.json", results())
    assert main(["check", "model_scores/a.json"]) == 2
    assert "[tool.mlmeta.phi]" in capsys.readouterr().err


def test_engine_on_a_measurements_file_yields_phi_findings(repo: Path) -> None:
    """What `mlmeta manifest enrich` relies on to refuse a measurements file."""
    path = write(repo / "bench.json", [{"repo_id": "o/m", "benchmark": {"dataset": "pt. Alvarez", "micro_f1": 0.5}}])
    engine = Engine(load(repo), Options(kind=Route("measurements", 1)))
    assert [(f.rule, f.pointer) for f in engine.check(path)] == [("phi-name", "/0/benchmark/dataset")]


def test_clean_file_loads_no_detector_library(repo: Path) -> None:
    write(repo / "model_scores" / "a.json", results())
    script = (
        "import sys\nfrom mlmeta.cli import main\n"
        "code = main(['check', '--select', 'phi,schema', 'model_scores/a.json'])\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('stdnum', 'phonenumbers')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, check=True)
    assert done.stdout == "0 []\n"


def test_hook_is_declared_with_file_patterns() -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    block = hooks[hooks.index("- id: mlmeta-no-phi") :].split("\n- id:")[0]
    assert "entry: mlmeta check --select phi\n" in block
    assert "files: \\.(json|jsonl|ndjson|ya?ml)$" in block
    assert "types:" not in block


def test_readme_lists_every_phi_rule() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## No PHI in result files" in readme
    assert [rule for rule in PHI_RULES if f"| `{rule}` |" not in readme] == []


def test_enrich_refuses_a_measurements_file_with_phi_and_writes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = {"repo_id": "OpenMed/x", "benchmark": {"dataset": None, "micro_f1": None, "recall": None}}
    (repo / "models.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    record = {"repo_id": "OpenMed/x", "benchmark": [{"suite": "shield", "dataset": "MRN 00482913", "recall": 0.9}]}
    write(repo / "bench.json", {"results": [record]})
    arguments = ["--manifest", "models.jsonl", "--results", "bench.json", "--output", "out.jsonl"]
    code = main(["manifest", "enrich", *arguments])
    out = capsys.readouterr()
    assert code == 1
    assert "phi-mrn" in out.out + out.err
    assert "00482913" not in out.out + out.err
    assert not (repo / "out.jsonl").exists()


def test_the_prefilter_in_parts_answers_as_the_one_pattern_does() -> None:
    """`passes` splits its pattern for speed; it must let through exactly what the pattern lets through."""
    import re

    from mlmeta.rules.phi.prefilter import PATTERN, passes

    rng = random.Random(5)
    strings: list[str] = []
    for maker in (corpus.name, corpus.name_miss, corpus.free_text, corpus.free_text_miss, corpus.email, corpus.url):
        strings.extend(maker(rng) for _ in range(40))
    strings += [
        "", "a", "micro_f1", "dataset", "iphone_15_pro", "Dr.\tSmith", "Mr Smith", "MrSmith", "DRSmith", "pt.x",
        "a b c d e", "a b c d", "a  b\tc\nd\u00a0e", "٣٤ arabic digits", "x@y", "http://x", "www.x", "ww.x",
        "Patient\u2003Zero", "notes: Ms. Jones", "x" * 300, "1", "1 2", "12",
    ]  # fmt: skip
    alphabet = "aZ 1\t.@/:wPDrMs\u00a0٣"
    strings += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(5_000)]
    assert [passes(s) for s in strings] == [re.search(PATTERN, s) is not None for s in strings]


def test_a_checkpoint_under_a_researchers_home_folder_is_no_person(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Real results files (the 001 system's) name a local checkpoint by its path on the cluster."""
    checkpoint = "/data/lab/projects/p5/users/jdoe7/ckpts/llama2_220M_nl_code_shuf-hf"
    write(repo / "model_scores" / "a.json", results(model_name=checkpoint))
    assert main(["check", "--select", "phi", "model_scores/a.json"]) == 0
    write(repo / "model_scores" / "a.json", results(source="https://ehr.example.org/patients/4481/notes"))
    assert main(["check", "--select", "phi", "model_scores/a.json"]) == 1  # a URL to a patient still is
