"""The pytest plugin, run by pytest itself (pytester) in a temporary repository.

The repository is a small catalog (this repository's own model, dataset, results and manifest
files, which cross-file rules need as context) plus every fixture of tests/fixtures/ under
data/<kind>/<verdict>/, routed to its kind and excluded from discovery as this repository excludes
its fixtures. A plain run makes every catalog file one passing item; naming the fixtures makes
each valid one a passing item and each invalid one a failing item whose report is exactly what
`mlmeta check` prints for it (an invalid fixture with warnings only passes, its warnings shown).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from mlmeta.cli import main
from mlmeta.config import Config, load
from mlmeta.files import routed
from mlmeta.schemas import configured_route

from .conftest import ROOT, fixture_files

pytest_plugins = ["pytester"]

CATALOG_KINDS = {"model", "dataset", "results", "manifest"}
PASSING_TEST = "def test_ordinary():\n    assert True\n"
QUIET = ("-p", "no:cacheprovider")


def fixtures(verdict: str) -> list[tuple[str, Path]]:
    """(data/<kind>/<verdict>/<name>, source) of every fixture file."""
    return [(f"data/{kind}/{verdict}/{path.name}", path) for kind, path in fixture_files(verdict)]


def catalog() -> list[str]:
    bare = Config(ROOT)  # the built-in routes only
    return [
        name for name in routed(load(ROOT))
        if (route := configured_route(name, bare)) is not None and route.kind in CATALOG_KINDS
    ]


def cli(name: str) -> tuple[int, str]:
    """`mlmeta check NAME` in the current folder: exit code and output."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", "--no-force-exclude", name])
    return code, out.getvalue()


def outcomes(lines: list[str]) -> dict[str, str]:
    pattern = re.compile(r"(\S+)::mlmeta (PASSED|FAILED)\b")
    return {m.group(1): m.group(2) for m in map(pattern.match, lines) if m}


def failure_reports(lines: list[str]) -> dict[str, list[str]]:
    """Each failing item's report: the lines under its `___ mlmeta: <path> ___` header."""
    reports: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        header = re.fullmatch(r"_+ mlmeta: (\S+) _+", line)
        if header:
            current = reports.setdefault(header.group(1), [])
        elif line.startswith(("=====", "_____")):
            current = None
        elif current is not None:
            current.append(line)
    return reports


@pytest.fixture
def repo(pytester: pytest.Pytester) -> pytest.Pytester:
    """One ordinary test in tests/, the only folder pytest itself looks in: the plugin must find
    the metadata files on its own."""
    kinds = sorted({name.split("/")[1] for name, _ in fixtures("valid") + fixtures("invalid")})
    routes = "\n".join(f'"data/{kind}/**" = "{kind}"' for kind in kinds)
    pytester.makefile(".toml", pyproject=(
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n\n'
        f'[tool.mlmeta]\nexclude = ["data/**"]\n\n[tool.mlmeta.routes]\n{routes}\n'
    ))
    for name, source in [*fixtures("valid"), *fixtures("invalid"), *((n, ROOT / n) for n in catalog())]:
        target = pytester.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_ordinary.py").write_text(PASSING_TEST, encoding="utf-8")
    return pytester


def test_the_entry_point_is_installed() -> None:
    plugins = {point.name: point.value for point in entry_points(group="pytest11")}
    assert plugins.get("mlmeta") == "mlmeta.pytest_plugin"


def test_one_pass_per_valid_file_one_failure_per_invalid_file(
    repo: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    valid = [name for name, _ in fixtures("valid")]
    invalid = [name for name, _ in fixtures("invalid")]
    assert valid and invalid
    checked = {name: cli(name) for name in invalid}
    quiet = [name for name in invalid if checked[name][0] == 0]  # warnings only
    failing = [name for name in invalid if name not in quiet]

    result = repo.runpytest("--mlmeta", "-v", *QUIET, *valid, *invalid)

    result.assert_outcomes(passed=len(valid) + len(quiet), failed=len(failing))
    assert outcomes(result.outlines) == {
        **dict.fromkeys(valid + quiet, "PASSED"), **dict.fromkeys(failing, "FAILED")
    }
    reports = failure_reports(result.outlines)
    assert sorted(reports) == sorted(failing)
    for name in failing:  # the CLI's own output for that file, line for line
        assert checked[name][0] == 1
        assert reports[name] == checked[name][1].splitlines()
    for name in quiet:  # shown in the warnings summary, without the file's own text
        for line in checked[name][1].splitlines():
            assert f"  {repo.path / name}:0: MetadataWarning: {line}" in result.outlines
    capsys.readouterr()


def test_a_plain_run_adds_every_routed_file_and_skips_excluded_ones(repo: pytest.Pytester) -> None:
    result = repo.runpytest("--mlmeta", "-v", *QUIET)
    result.assert_outcomes(passed=len(catalog()) + 1)
    assert outcomes(result.outlines) == dict.fromkeys(catalog(), "PASSED")
    assert any(line.startswith("tests/test_ordinary.py::test_ordinary PASSED") for line in result.outlines)


def test_off_unless_asked(repo: pytest.Pytester) -> None:
    repo.runpytest(*QUIET).assert_outcomes(passed=1)


def test_pyproject_turns_it_on_and_p_no_mlmeta_off(repo: pytest.Pytester) -> None:
    pyproject = repo.path / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8").replace("[tool.mlmeta]\n", "[tool.mlmeta]\npytest = true\n")
    pyproject.write_text(text, encoding="utf-8")
    repo.runpytest(*QUIET).assert_outcomes(passed=len(catalog()) + 1)
    repo.runpytest(*QUIET, "-p", "no:mlmeta").assert_outcomes(passed=1)


def test_paths_given_limit_the_run_to_them(repo: pytest.Pytester) -> None:
    models = [name for name in catalog() if name.startswith("model_metadata/")]
    assert models
    repo.runpytest("--mlmeta", *QUIET, "model_metadata").assert_outcomes(passed=len(models))
    repo.runpytest("--mlmeta", *QUIET, models[0]).assert_outcomes(passed=1)
    repo.runpytest("--mlmeta", *QUIET, "tests").assert_outcomes(passed=1)
    repo.runpytest("--mlmeta", *QUIET, "data").assert_outcomes()  # a folder of excluded files: nothing


def test_select_by_marker_and_keyword(repo: pytest.Pytester) -> None:
    models = [name for name in catalog() if name.startswith("model_metadata/")]
    result = repo.runpytest("--mlmeta", *QUIET, "-m", "mlmeta", "-k", "model_metadata")
    result.assert_outcomes(passed=len(models), deselected=len(catalog()) - len(models) + 1)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('pytest = "yes"', "*[[]tool.mlmeta[]] pytest is true or false*"),
        ('pytest = true\nroutes = {"x/*.json" = "modle"}', "*mlmeta: unknown kind 'modle'*"),
        ("pytest = true\npytset = 1", "*mlmeta: *unknown key(s) in [[]tool.mlmeta[]]: pytset*"),
    ],
)
def test_a_bad_setting_is_a_usage_error(table: str, message: str, pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", pyproject=f"[tool.mlmeta]\n{table}\n")
    result = pytester.runpytest(*QUIET)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_importing_the_plugin_imports_nothing_else_of_mlmeta() -> None:
    code = "import sys, json, mlmeta.pytest_plugin; print(json.dumps(sorted(m for m in sys.modules if 'mlmeta' in m)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == ["mlmeta", "mlmeta.pytest_plugin"]
