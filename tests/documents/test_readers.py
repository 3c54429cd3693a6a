"""Readers turn bytes into values with positions; bad input is a problem at a place, never a traceback."""

from __future__ import annotations

from pathlib import Path

from mlmeta.documents import MISSING, read
from mlmeta.documents.json import parse_text as parse_json
from mlmeta.documents.yaml import MAX_ALIAS_EXPANSIONS
from mlmeta.documents.yaml import parse_text as parse_yaml


def problems(document):  # type: ignore[no-untyped-def]
    return [(p.rule, p.pointer, where) for p, where in document.problems]


def test_json_positions_of_values_keys_and_missing_keys() -> None:
    doc = parse_json('{\n  "a": {"b": [10, "x"]},\n  "c": null\n}', "f.json")
    assert doc.locator.locate("/a/b/1") == (2, 19)
    assert doc.locator.locate("/c", on_key=True) == (3, 3)
    assert doc.locator.locate("/c") == (3, 8)
    assert doc.locator.locate("/a/missing") == (2, 8)  # the object that lacks it
    assert doc.locator.locate("") == (1, 1)


def test_json_positions_count_characters_not_bytes() -> None:
    doc = parse_json('{"é€": "ü", "k": 1}', "f.json")
    assert doc.locator.locate("/k") == (1, 18)


def test_json_duplicate_key_is_found_at_the_second_key() -> None:
    doc = parse_json('{"a": 1,\n "a": 2}', "f.json")
    assert doc.value == {"a": 2}
    (problem, where), = doc.problems
    assert (problem.rule, problem.pointer, where) == ("duplicate-key", "/a", (2, 2))
    assert "first at line 1, column 2" in problem.message


def test_json_nan_and_infinity_are_problems() -> None:
    doc = parse_json('[NaN, -Infinity, 1]', "f.json")
    assert problems(doc) == [("parse", "/0", (1, 2)), ("parse", "/1", (1, 7))]


def test_json_syntax_error_has_line_and_column() -> None:
    doc = parse_json('{"a": 1,\n  "b" 2}', "f.json")
    assert doc.value is MISSING
    assert problems(doc) == [("parse", "", (2, 7))]


def test_json_too_deep_is_a_problem_not_a_crash() -> None:
    doc = parse_json("[" * 100_000 + "]" * 100_000, "f.json")
    assert doc.value is MISSING and problems(doc)[0][0] == "parse"


def test_bom_is_reported_and_the_file_still_checked(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    (doc,) = read(path, "json", "f.json")
    assert doc.value == {"a": 1}
    assert problems(doc) == [("encoding", "", (1, 1))]


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_bytes(b'{\n  "a": "ok \xff"}')
    (doc,) = read(path, "json", "f.json")
    assert doc.value is MISSING
    assert problems(doc) == [("encoding", "", (2, 12))]


def test_jsonl_rows_keep_their_line_and_bad_rows_do_not_stop_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_bytes(b'{"a": 1}\r\n\r\n{"a": \n{"b": "\xc3\xa9", "c": 2}\n')
    docs = list(read(path, "jsonl", "m.jsonl"))
    assert [d.line for d in docs] == [1, 3, 4]
    assert docs[0].value == {"a": 1}
    assert docs[1].value is MISSING and problems(docs[1]) == [("parse", "", (3, 7))]
    assert docs[2].value == {"b": "é", "c": 2}
    assert docs[2].locator.locate("/c") == (4, 17)


def test_jsonl_invalid_utf8_row(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": "\xfe"}\n')
    docs = list(read(path, "jsonl", "m.jsonl"))
    assert docs[1].value is MISSING and problems(docs[1]) == [("encoding", "", (2, 8))]


def test_missing_file_is_a_read_problem(tmp_path: Path) -> None:
    (doc,) = read(tmp_path / "nope.json", "json", "nope.json")
    assert doc.value is MISSING and problems(doc)[0][0] == "read"
    (doc,) = read(tmp_path / "nope.jsonl", "jsonl", "nope.jsonl")
    assert doc.value is MISSING and problems(doc)[0][0] == "read"


def test_yaml_go_style_text_scalars_keep_what_was_written() -> None:
    text = (
        "manifestVersion: 1.10\npackage:\n  version: 1.0\n  ok: true\n"
        "model:\n  parameters:\n    lr: 0.001\n    on: yes\n    n: 5\n"
    )
    doc = parse_yaml(text, "Kitfile", text_scalars=True, keep_types_under=frozenset({"parameters"}))
    assert doc.value["manifestVersion"] == "1.10"
    assert doc.value["package"] == {"version": "1.0", "ok": "true"}
    assert doc.value["model"]["parameters"] == {"lr": 0.001, "on": "yes", "n": 5}  # YAML 1.2: yes is text


def test_yaml_core_types_and_positions() -> None:
    doc = parse_yaml("a: 0x1F\nb: [1.5, ~, 2024-01-02]\nc: 'x'\n", "f.yaml")
    assert doc.value == {"a": 31, "b": [1.5, None, "2024-01-02"], "c": "x"}
    assert doc.locator.locate("/b/2") == (2, 13)
    assert doc.locator.locate("/c", on_key=True) == (3, 1)


def test_yaml_duplicate_keys_non_finite_and_tags_are_problems() -> None:
    doc = parse_yaml("a: 1\nb: .inf\na: 2\nc: !!binary aGk=\n", "f.yaml")
    assert problems(doc) == [("parse", "/b", (2, 4)), ("duplicate-key", "/a", (3, 1)), ("parse", "/c", (4, 4))]


def test_yaml_alias_expansion_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    doc = parse_yaml("\n".join(lines), "bomb.yaml")
    assert doc.value is MISSING
    assert str(MAX_ALIAS_EXPANSIONS) in doc.problems[0][0].message


def test_yaml_merge_keys_and_syntax_errors() -> None:
    doc = parse_yaml("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "f.yaml")
    assert doc.value["d"] == {"x": 1, "y": 3}
    bad = parse_yaml("a: [1,\nb: 2", "f.yaml")
    assert bad.value is MISSING and problems(bad)[0][0] == "parse"
