"""The pytest plugin, run by pytest itself (pytester) in a temporary repository.

The repository holds every fixture under tests/fixtures/<kind>/{valid,invalid}/, routed to
its kind: each valid file must be one passing item, each invalid file one failing item whose
report is exactly what `mlmeta check` prints for it (an invalid fixture with warnings only passes).
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

from .conftest import FIXTURES

pytest_plugins = ["pytester"]

PASSING_TEST = "def test_ordinary():\n    assert True\n"


def fixture_files(verdict: str) -> list[tuple[str, Path]]:
    return [
        (folder.parent.name, path)
        for folder in sorted(FIXTURES.glob(f"*/{verdict}"))
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix != ".expected"
    ]


def fails(kind: str, path: Path) -> bool:
    """Whether `mlmeta check` fails the fixture (an invalid one may hold warnings only)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return main(["check", "--kind", kind, str(path)]) == 1


@pytest.fixture
def repo(pytester: pytest.Pytester) -> pytest.Pytester:
    """data/<kind>/<verdict>/<fixture>, each folder routed to its kind; one ordinary test in tests/,
    the only folder pytest itself looks in: the plugin must find the data files on its own."""
    kinds = sorted({kind for kind, _ in fixture_files("valid") + fixture_files("invalid")})
    routes = "\n".join(f'"data/{kind}/**" = "{kind}"' for kind in kinds)
    pytester.makefile(
        ".toml", pyproject=f'[tool.pytest.ini_options]\ntestpaths = ["tests"]\n\n[tool.mlmeta.routes]\n{routes}\n'
    )
    for verdict in ("valid", "invalid"):
        for kind, path in fixture_files(verdict):
            target = pytester.path / "data" / kind / verdict / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_ordinary.py").write_text(PASSING_TEST, encoding="utf-8")
    return pytester


def test_the_entry_point_is_installed() -> None:
    plugins = {point.name: point.value for point in entry_points(group="pytest11")}
    assert plugins.get("mlmeta") == "mlmeta.pytest_plugin"


def test_one_pass_per_valid_file_one_failure_per_invalid_file(
    repo: pytest.Pytester, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    valid = [f"data/{kind}/valid/{path.name}" for kind, path in fixture_files("valid")]
    invalid = [f"data/{kind}/invalid/{path.name}" for kind, path in fixture_files("invalid") if fails(kind, path)]
    quiet = [f"data/{kind}/invalid/{path.name}" for kind, path in fixture_files("invalid") if not fails(kind, path)]
    assert valid and invalid

    result = repo.runpytest("--mlmeta", "-v", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=len(valid) + len(quiet) + 1, failed=len(invalid))
    outcome = {
        match.group(1): match.group(2)
        for match in map(re.compile(r"(\S+)::mlmeta (PASSED|FAILED)\b").match, result.outlines)
        if match
    }
    assert outcome == {**dict.fromkeys(valid + quiet, "PASSED"), **dict.fromkeys(invalid, "FAILED")}
    assert any(line.startswith("tests/test_ordinary.py::test_ordinary PASSED") for line in result.outlines)
    # each failure's report is the CLI's own output for that file, line for line
    reports: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in result.outlines:
        header = re.fullmatch(r"_+ mlmeta: (\S+) _+", line)
        if header:
            current = reports.setdefault(header.group(1), [])
        elif line.startswith(("=====", "_____")):
            current = None
        elif current is not None:
            current.append(line)
    assert sorted(reports) == sorted(invalid)
    monkeypatch.chdir(repo.path)
    capsys.readouterr()  # the inner pytest run printed here too
    for name in invalid:
        assert main(["check", name]) == 1
        assert reports[name] == capsys.readouterr().out.splitlines()
    # warnings pass, and show in pytest's warnings summary without the file's own text
    for name in quiet:
        assert main(["check", name]) == 0
        for line in capsys.readouterr().out.splitlines():
            assert f"  {repo.path / name}:0: MetadataWarning: {line}" in result.outlines


def test_off_unless_asked(repo: pytest.Pytester) -> None:
    result = repo.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_pyproject_turns_it_on_and_p_no_mlmeta_off(repo: pytest.Pytester) -> None:
    pyproject = repo.path / "pyproject.toml"
    pyproject.write_text("[tool.mlmeta]\npytest = true\n" + pyproject.read_text(encoding="utf-8"), encoding="utf-8")
    expected = len(fixture_files("valid")) + len(fixture_files("invalid")) + 1
    on = repo.runpytest("-p", "no:cacheprovider")
    outcomes = on.parseoutcomes()
    assert outcomes.get("passed", 0) + outcomes.get("failed", 0) == expected
    off = repo.runpytest("-p", "no:cacheprovider", "-p", "no:mlmeta")
    off.assert_outcomes(passed=1)


def test_paths_given_limit_the_run_to_them(repo: pytest.Pytester) -> None:
    kind, path = fixture_files("valid")[0]
    folder = f"data/{kind}/valid"
    in_folder = len([p for k, p in fixture_files("valid") if k == kind])
    repo.runpytest("--mlmeta", "-p", "no:cacheprovider", folder).assert_outcomes(passed=in_folder)
    repo.runpytest("--mlmeta", "-p", "no:cacheprovider", f"{folder}/{path.name}").assert_outcomes(passed=1)
    repo.runpytest("--mlmeta", "-p", "no:cacheprovider", "tests").assert_outcomes(passed=1)


def test_excluded_files_are_not_items(repo: pytest.Pytester) -> None:
    pyproject = repo.path / "pyproject.toml"
    pyproject.write_text('[tool.mlmeta]\nexclude = ["data/*/invalid/**"]\n' + pyproject.read_text(), encoding="utf-8")
    result = repo.runpytest("--mlmeta", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=len(fixture_files("valid")) + 1)


def test_select_by_marker_and_keyword(repo: pytest.Pytester) -> None:
    valid = len(fixture_files("valid"))
    everything = valid + len(fixture_files("invalid"))
    outcome = repo.runpytest("--mlmeta", "-p", "no:cacheprovider", "-m", "mlmeta", "-k", "valid and not invalid")
    outcome.assert_outcomes(passed=valid, deselected=everything - valid + 1)


def test_a_bad_setting_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", pyproject='[tool.mlmeta]\npytest = "yes"\n')
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*[[]tool.mlmeta[]] pytest is true or false*"])


def test_importing_the_plugin_imports_nothing_else_of_mlmeta() -> None:
    code = "import sys, mlmeta.pytest_plugin; print(sorted(m for m in sys.modules if m.startswith('mlmeta')))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
                        .stdout.replace("'", '"'))
    assert loaded == ["mlmeta", "mlmeta.pytest_plugin"]
