"""No-PHI holds on hostile input: one-way module imports, bounded allowlist parameters, linear detectors."""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mlmeta.cli import main
from mlmeta.rules.phi.detectors import scan

from ..conftest import ROOT

PHI = ROOT / "hooks" / "mlmeta" / "rules" / "phi"


def _imports(path: Path) -> set[str]:
    """Every mlmeta.rules.phi module this one imports, at the top or lazily inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mlmeta.rules.phi"):
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found.update(name for name in names if (PHI / f"{name.rsplit('.', 1)[1]}.py").is_file())
            found.add(node.module)
    return found


def test_phi_modules_import_each_other_one_way() -> None:
    graph = {f"mlmeta.rules.phi.{p.stem}": _imports(p) for p in PHI.glob("*.py") if p.stem != "__init__"}
    graph["mlmeta.rules.phi"] = _imports(PHI / "__init__.py")
    for module, imported in graph.items():
        # a submodule never imports the package's __init__, which imports them (lazily)
        assert module == "mlmeta.rules.phi" or "mlmeta.rules.phi" not in imported, module
    seen: dict[str, int] = {}  # 1: being visited, 2: done

    def visit(module: str, trail: list[str]) -> None:
        assert seen.get(module) != 1, " -> ".join([*trail, module])
        if seen.get(module) == 2:
            return
        seen[module] = 1
        for other in sorted(graph.get(module, set()) - {module}):
            visit(other, [*trail, module])
        seen[module] = 2

    for module in sorted(graph):
        visit(module, [])


# -- the allowlist's scrypt parameters are input ------------------------------------------------


@pytest.mark.parametrize(
    ("n", "r", "p"), [(16384, 8, 5000), (10000, 8, 1), (2**30, 8, 1), (16384, 0, 1), (16384, 8, 0), (2, 8, 1)]
)
def test_allowlist_scrypt_parameters_out_of_bounds_are_a_usage_error(
    n: int, r: int, p: int, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "model_scores").mkdir(parents=True, exist_ok=True)
    data = {"model_name": "m", "last_updated": "2024-05-01T12:00:00Z", "results": {"h": {"t": {"0": {"acc": 0.5}}}},
            "source": "call 212-555-0187"}  # fmt: skip
    (repo / "model_scores" / "a.json").write_text(json.dumps(data), encoding="utf-8")
    allowlist = {"version": 1, "salt": "00" * 16, "scrypt": {"n": n, "r": r, "p": p, "bytes": 2},
                 "entries": [{"path": "model_scores/a.json", "pointer": "/source", "rule": "phi-phone",
                              "fingerprint": "abcd"}]}  # fmt: skip
    (repo / ".mlmeta-phi-allowlist").write_text(json.dumps(allowlist), encoding="utf-8")
    started = time.monotonic()
    assert main(["check", "--select", "phi", "model_scores/a.json"]) == 2
    assert time.monotonic() - started < 30  # p=5000 would take minutes: it must not be run at all
    assert "scrypt parameters out of bounds" in capsys.readouterr().err


# -- linear cost ---------------------------------------------------------------------------------------

ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "spaces after a record word": lambda n: "12 MRN" + " " * n + "x",
    "spaces after an age word": lambda n: "age" + " " * n + "x",
    "spaces after a title": lambda n: "Dr" + " " * n + "x",
    "dates with context": lambda n: "DOB 1961-09-09 " * (n // 15),
    "digits": lambda n: "1" * n,
    "digit groups": lambda n: "617 432 " * (n // 8),
    "dotted numbers": lambda n: "1.2.3.4." * (n // 8),
    "e-mail-like": lambda n: "a@b" + ".c" * (n // 2),
    "path segments": lambda n: "/patients" * (n // 9),
    "names": lambda n: "Patient: John Smith, " * (n // 21),
    "addresses": lambda n: "12 Elm Street " * (n // 14),
    "words": lambda n: "the patient denies pain " * (n // 24),
    "another script": lambda n: "患者は胸痛を訴えた。" * (n // 10),
    "national ids": lambda n: "NHS 943 476 5919 " * (n // 17),
    "commas": lambda n: "Smith, " * (n // 7),
    "underscores": lambda n: "a_b_" * (n // 4),
}


def _cost(make: Callable[[int], str], size: int) -> float:
    text = make(size) + f" {size}"  # never a cached string
    started = time.perf_counter()
    scan(text, "notes")
    return time.perf_counter() - started


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_detectors_cost_grows_linearly(name: str) -> None:
    """Ten times the text costs about ten times as much (a quadratic pattern would cost a hundred times).

    A ratio between two sizes in the same run, not a timed assertion: the bound (40x) leaves room for
    noise, and the larger text is 1 MB, the size the issue asks to stay well under a second.
    """
    make = ADVERSARIAL[name]
    _cost(make, 1_000)  # the detectors' libraries are loaded
    small = min(_cost(make, 100_000) for _ in range(2))
    large = _cost(make, 1_000_000)
    assert large / max(small, 1e-4) < 40, f"{name}: {small:.4f}s -> {large:.4f}s"


def test_a_million_unknown_keys_get_a_bounded_number_of_suggestions() -> None:
    from mlmeta.schema_errors import MAX_SUGGESTED, _did_you_mean

    calls = 0

    def counted(key: str, parent: object) -> str:
        nonlocal calls
        calls += 1
        return _did_you_mean(key, parent)

    from types import SimpleNamespace

    import mlmeta.schema_errors as errors

    kind = SimpleNamespace(name="additionalProperties", unexpected=[f"key{i}" for i in range(100_000)])
    error = SimpleNamespace(instance_path=[], schema_path=["additionalProperties"], kind=kind)
    original = errors._did_you_mean
    errors._did_you_mean = counted  # type: ignore[assignment]
    try:
        problems = list(errors.problems(error, {"properties": {"key": {}}}))
    finally:
        errors._did_you_mean = original  # type: ignore[assignment]
    assert len(problems) == 100_000
    assert calls == MAX_SUGGESTED


# -- scope: result files only, and every one of them -------------------------------------------------


def test_the_hook_reads_result_files_only(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").write_text('{\n  // written by mlmeta init\n  "a": 1,\n}\n', "utf-8")
    (repo / "tokenizer.json").write_text("", encoding="utf-8")
    (repo / "dataset_metadata").mkdir()
    (repo / "dataset_metadata" / "d.json").write_text("{not json", encoding="utf-8")
    names = [".vscode/settings.json", "tokenizer.json", "dataset_metadata/d.json"]
    assert main(["check", "--select", "phi", *names]) == 0
    assert capsys.readouterr().out == ""


def test_measurement_files_are_routed_to_the_hook(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = {"repo_id": "o/m", "benchmark": {"dataset": "d", "micro_f1": 0.5}, "debug": "SSN 219-55-0163"}
    (repo / "sub").mkdir()
    for name in ("benchmark-results-2024.json", "sub/measurements.json"):
        (repo / name).write_text(json.dumps({"results": [record]}), encoding="utf-8")
    assert main(["check", "--select", "phi", "benchmark-results-2024.json", "sub/measurements.json"]) == 1
    out = capsys.readouterr().out
    assert out.count("phi-ssn") == 2 and "0163" not in out


def test_check_discovers_the_phi_paths(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "pyproject.toml").write_text('[tool.mlmeta.phi]\npaths = ["evals/**/*.json"]\n', encoding="utf-8")
    (repo / "evals" / "run1").mkdir(parents=True)
    (repo / "evals" / "run1" / "scores.json").write_text('{"reviewer": "dr.who@example.org"}', encoding="utf-8")
    assert main(["check"]) == 1
    assert "evals/run1/scores.json:1:14: error - phi-email" in capsys.readouterr().out
    assert main(["check", "evals"]) == 1
    assert "phi-email" in capsys.readouterr().out


@pytest.mark.parametrize("select", [["--select", "phi"], []])
def test_a_schema_value_is_never_printed(select: list[str], repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "notes.json").write_text('{"$schema": "mlmeta-219-55-0163-grace@example.org"}', encoding="utf-8")
    main(["check", *select, "notes.json"])
    out = capsys.readouterr()
    assert "0163" not in out.out + out.err and "grace" not in out.out + out.err


def test_yaml_messages_and_warnings_print_none_of_the_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "model_scores").mkdir()
    (repo / "model_scores" / "a.yaml").write_text(
        "model_name: &Okafor1961 m\nlast_updated: &Okafor1961 x\nsource: !grace@example.org 1\n"
        "acc: 2190550163.0e+999\nresults: *Okafor1962\n",
        encoding="utf-8",
    )
    (repo / "model_scores" / "b.yaml").write_text(
        "model_name: &Okafor1961 m\nlast_updated: &Okafor1961 x\nsource: !grace@example.org 1\n"
        "acc: !!float 2190550163.0e+999\n",
        encoding="utf-8",
    )
    for fmt in ("text", "json", "sarif", "github"):
        main(["check", "--format", fmt, "model_scores/a.yaml", "model_scores/b.yaml"])
        out = capsys.readouterr()
        assert "Okafor" not in out.out + out.err and "grace" not in out.out + out.err
        assert "2190550163" not in out.out + out.err


def test_an_allowlist_that_is_no_regular_file_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "model_scores").mkdir()
    data = {"model_name": "m", "last_updated": "2024-05-01T12:00:00Z", "results": {"h": {"t": {"0": {"acc": 0.5}}}},
            "source": "call 212-555-0187"}  # fmt: skip
    (repo / "model_scores" / "a.json").write_text(json.dumps(data), encoding="utf-8")
    (repo / ".mlmeta-phi-allowlist").symlink_to("/dev/zero")
    assert main(["check", "--select", "phi", "model_scores/a.json"]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_an_allowlist_fifo_is_a_usage_error_not_a_hang(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    (repo / "model_scores").mkdir()
    data = {"model_name": "m", "last_updated": "2024-05-01T12:00:00Z", "results": {"h": {"t": {"0": {"acc": 0.5}}}},
            "source": "call 212-555-0187"}  # fmt: skip
    (repo / "model_scores" / "a.json").write_text(json.dumps(data), encoding="utf-8")
    os.mkfifo(repo / ".mlmeta-phi-allowlist")
    assert main(["check", "--select", "phi", "model_scores/a.json"]) == 2
    assert "not a regular file" in capsys.readouterr().err
