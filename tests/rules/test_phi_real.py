"""No-PHI on files shaped like what real evaluation tools write (values invented): see `phi_real`.

`python -m tests.rules.phi_real [COUNT]` prints the same measurements as a table.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest

from . import phi_real

COUNT = 12  # cases per family here; the table's default is 20


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> phi_real.Report:
    return phi_real.evaluate(tmp_path_factory.mktemp("phi-real"), COUNT)


def test_no_finding_on_any_aggregate_file(report: phi_real.Report) -> None:
    assert report.false_positives == []


@pytest.mark.parametrize("family", sorted(phi_real.FAMILIES))
def test_recall_per_family_at_least_095(family: str, report: phi_real.Report) -> None:
    found, total = report.recall[family]
    assert found / total >= 0.95, f"{family}: {found}/{total}"


def test_no_planted_value_is_printed_in_any_format_or_mode(report: phi_real.Report) -> None:
    assert report.leaks == []


def test_every_aggregate_shape_is_checked_in_scope(tmp_path: Path) -> None:
    """Each aggregate file is really read by the rule: one planted SSN in it is found, in each mode."""
    phi_real.setup(tmp_path)
    for file in phi_real.aggregates():
        planted = phi_real.File(file.path, file.kind, _with_ssn(file.data))
        for kind in (False, True) if file.kind else (False,):
            code, output = phi_real.run(tmp_path, planted, "json", kind)
            assert code == 1 and "phi-ssn" in output, (file.path, kind)


def _with_ssn(data: object) -> object:
    """The file with an SSN in a part the rule reads (a manifest row's benchmark, a model's evaluation)."""
    data = copy.deepcopy(data)
    first = data[0] if isinstance(data, list) else data
    assert isinstance(first, dict)
    if "canonical_labels" in first:
        first["benchmark"]["dataset"] = "SSN 219-55-0163"
    elif "evaluations" in first:
        first["evaluations"][0]["notes"] = "SSN 219-55-0163"
    else:
        first["debug"] = "SSN 219-55-0163"
    return data


def test_generated_identifiers_pass_python_stdnum_an_oracle_the_generator_does_not_use() -> None:
    from stdnum.br import cpf
    from stdnum.ca import sin
    from stdnum.gb import nhs
    from stdnum.in_ import aadhaar

    r = random.Random(3)
    for _ in range(200):
        assert nhs.is_valid(phi_real.nhs_number(r))
        assert sin.is_valid(phi_real.sin_number(r))
        assert aadhaar.is_valid(phi_real.aadhaar_number(r))
        assert cpf.is_valid(phi_real.cpf_number(r))


def test_planted_values_are_in_their_files_at_their_pointers() -> None:
    """The generator's own claim, checked: the value (or key) is where the case says it is."""
    from mlmeta.documents import tokens

    for family in phi_real.FAMILIES:
        for case in phi_real.planted(family, COUNT):
            parts = list(tokens(case.pointer))
            rows = case.file.data if case.file.path.endswith(".jsonl") else [case.file.data]
            assert any(_holds(row, parts, case.value) for row in rows), (family, case.pointer)


def _holds(row: object, parts: list[str], value: str) -> bool:
    """The value is at the pointer, or is the key the pointer ends in."""
    if not _reaches(row, parts):
        return False
    return str(_get(row, parts)) == value or (parts[-1] == value and isinstance(_get(row, parts[:-1]), dict))


def _get(value: object, parts: list[str]) -> object:
    for part in parts:
        value = value[int(part)] if isinstance(value, list) else value[part]  # type: ignore[index]
    return value


def _reaches(row: object, parts: list[str]) -> bool:
    try:
        _get(row, parts)
    except (KeyError, IndexError, TypeError, ValueError):
        return False
    return True
