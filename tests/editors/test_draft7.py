"""The draft-07 copies editors read accept and reject exactly what the 2020-12 originals do.

Judged by python-jsonschema (Draft7Validator on the copy, Draft202012Validator on the original,
each with its own format checker) on every document of every fixture and of this repository's
own catalog, against every version of the kind; and the committed copies must be what the
generator writes today.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7, DRAFT202012

from mlmeta.cli import main
from mlmeta.config import load
from mlmeta.documents import read
from mlmeta.editors import Draft7Error, draft7_ref, generated, sources, to_draft7
from mlmeta.files import routed
from mlmeta.schemas import KINDS, configured_route

from ..conftest import FIXTURES, ROOT

SCHEMAS = ROOT / "schemas"
SOURCES = sources(SCHEMAS)
IDS = [f"{kind}/v{version}" for kind, version, _ in SOURCES]


def copy_of(kind: str, version: int) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((SCHEMAS / kind / f"v{version}.draft7.json").read_text(encoding="utf-8"))
    return value


def validators(kind: str, version: int, original: dict[str, Any]) -> tuple[Any, Any]:
    """(original's validator, copy's validator), each resolving `$ref`s among its own family only."""
    originals = Registry().with_resources(
        (schema["$id"], Resource(schema, DRAFT202012)) for _, _, schema in SOURCES
    )
    copies = Registry().with_resources(
        (copy["$id"], Resource(copy, DRAFT7)) for copy in (copy_of(k, v) for k, v, _ in SOURCES)
    )
    return (
        Draft202012Validator(original, registry=originals, format_checker=Draft202012Validator.FORMAT_CHECKER),
        Draft7Validator(copy_of(kind, version), registry=copies, format_checker=Draft7Validator.FORMAT_CHECKER),
    )


def parsed(path: Path, kind: str) -> list[Any]:
    docs = read(path, KINDS[kind].format, path.name, **KINDS[kind].reader_options())
    return [doc.value for doc in docs if doc.ok and not doc.problems]


def documents(kind: str) -> list[tuple[str, Any]]:
    """Every parsed document of the kind's fixtures and of the repository's catalog."""
    found = []
    for path in sorted(FIXTURES.glob(f"{kind}/*/*")):
        if path.suffix != ".expected":
            found.extend((path.relative_to(FIXTURES).as_posix(), value) for value in parsed(path, kind))
    config = load(ROOT)
    for name in routed(config):
        route = configured_route(name, config)
        if route is not None and route.kind == kind:
            found.extend((name, value) for value in parsed(ROOT / name, kind))
    return found


def verdicts(validator: Any, value: Any) -> tuple[bool, list[str]]:
    """Valid or not, and where the top-level errors sit."""
    return validator.is_valid(value), sorted("/".join(map(str, e.absolute_path)) for e in validator.iter_errors(value))


@pytest.mark.parametrize(("kind", "version", "original"), SOURCES, ids=IDS)
def test_the_copy_is_a_draft7_schema_without_2020_12_keywords(kind: str, version: int, original: Any) -> None:
    copy = copy_of(kind, version)
    Draft7Validator.check_schema(copy)
    assert copy["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert copy["$id"] == original["$id"].replace(".json", ".draft7.json")
    text = json.dumps(copy)
    assert "$defs" not in text and "prefixItems" not in text and "dependentRequired" not in text
    assert (copy.get("title"), copy.get("description")) == (original.get("title"), original.get("description"))


@pytest.mark.parametrize(("kind", "version", "original"), SOURCES, ids=IDS)
def test_the_copy_gives_the_original_verdict_on_every_document(kind: str, version: int, original: Any) -> None:
    by_original, by_copy = validators(kind, version, original)
    docs = documents(kind)
    assert docs, f"no documents of kind {kind}"
    disagreements = [name for name, value in docs if verdicts(by_original, value) != verdicts(by_copy, value)]
    assert disagreements == []
    if any((FIXTURES / kind / "invalid").glob("*")):
        assert any(not by_copy.is_valid(value) for _, value in docs)  # the comparison saw a rejection


@pytest.mark.parametrize(("kind", "version", "original"), SOURCES, ids=IDS)
def test_editor_keywords_survive(kind: str, version: int, original: Any) -> None:
    """Titles, descriptions, examples, enums and snippets are what editors show; none is lost."""
    keep = {"title", "description", "markdownDescription", "examples", "enum", "defaultSnippets", "default"}

    def count(node: Any) -> dict[str, int]:
        totals = dict.fromkeys(keep, 0)
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                for key, value in item.items():
                    if key in keep:
                        totals[key] += 1
                    if key not in ("examples", "enum", "const", "default", "defaultSnippets"):
                        stack.append(value)
            elif isinstance(item, list):
                stack.extend(item)
        return totals

    copy, source = count(copy_of(kind, version)), count(original)
    assert {k: n for k, n in copy.items() if k != "markdownDescription"} == {
        k: n for k, n in source.items() if k != "markdownDescription"
    }
    assert copy["markdownDescription"] >= source["markdownDescription"]  # Markdown descriptions gain one


def test_the_committed_copies_and_catalog_are_what_the_generator_writes() -> None:
    stale = [
        path.relative_to(ROOT).as_posix()
        for path, text in generated(SCHEMAS).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run `mlmeta schemas --draft7` and commit the result"


def test_schemas_check_command_reports_a_stale_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "schemas"
    for kind, version, schema in SOURCES:
        (root / kind).mkdir(parents=True, exist_ok=True)
        (root / kind / f"v{version}.json").write_text(json.dumps(schema), encoding="utf-8")
    assert main(["schemas", "--check", "--root", str(root)]) == 1
    assert main(["schemas", "--draft7", "--root", str(root)]) == 0
    capsys.readouterr()
    assert main(["schemas", "--check", "--root", str(root)]) == 0
    assert capsys.readouterr().out == ""
    copy = root / "model" / "v1.draft7.json"
    copy.write_text(copy.read_text(encoding="utf-8").replace('"title"', '"titel"', 1), encoding="utf-8")
    assert main(["schemas", "--check", "--root", str(root)]) == 1
    assert capsys.readouterr().out == f"out of date: {copy}\n"


# --- the conversion itself, on small schemas that use what the real ones do not (yet) ---

BASE = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://mlmeta.dev/schemas/x/v1.json"}


def both(schema: dict[str, Any]) -> tuple[Draft202012Validator, Draft7Validator]:
    copy = to_draft7({**BASE, **schema}, "x", 1)
    Draft7Validator.check_schema(copy)
    return Draft202012Validator({**BASE, **schema}), Draft7Validator(copy)


CASES: list[tuple[str, dict[str, Any], list[Any]]] = [
    (
        "a $ref with a validation keyword beside it",
        {
            "$defs": {"short": {"type": "string", "maxLength": 3}},
            "properties": {"a": {"$ref": "#/$defs/short", "minLength": 2}},
        },
        [{"a": "ab"}, {"a": "a"}, {"a": "abcd"}, {"a": 1}],
    ),
    (
        "prefixItems with items after them",
        {"prefixItems": [{"type": "integer"}, {"type": "string"}], "items": {"type": "boolean"}},
        [[1, "a"], [1, "a", True], [1, "a", 3], ["a"], []],
    ),
    (
        "dependentRequired and dependentSchemas",
        {"dependentRequired": {"a": ["b"]}, "dependentSchemas": {"c": {"required": ["d"]}}},
        [{"a": 1, "b": 2}, {"a": 1}, {"c": 1}, {"c": 1, "d": 2}, {}],
    ),
    (
        "nested $defs reached through a pointer",
        {"$defs": {"outer": {"$defs": {"inner": {"const": 1}}}}, "$ref": "#/$defs/outer/$defs/inner"},
        [1, 2],
    ),
]


@pytest.mark.parametrize(("schema", "instances"), [(s, i) for _, s, i in CASES], ids=[c[0] for c in CASES])
def test_conversion_keeps_verdicts(schema: dict[str, Any], instances: list[Any]) -> None:
    original, copy = both(schema)
    assert [original.is_valid(i) for i in instances] == [copy.is_valid(i) for i in instances]
    assert len({original.is_valid(i) for i in instances}) == 2  # the cases separate valid from invalid


def test_a_ref_beside_validation_keywords_moves_into_all_of() -> None:
    defs = {"$defs": {"s": {}}}
    copy = to_draft7({**BASE, **defs, "properties": {"a": {"$ref": "#/$defs/s", "title": "A", "minLength": 2}}}, "x", 1)
    assert copy["properties"]["a"] == {"title": "A", "minLength": 2, "allOf": [{"$ref": "#/definitions/s"}]}
    annotated = to_draft7({**BASE, **defs, "properties": {"a": {"$ref": "#/$defs/s", "title": "A"}}}, "x", 1)
    assert annotated["properties"]["a"] == {"$ref": "#/definitions/s", "title": "A"}  # editors read both


def test_markdown_descriptions_are_also_markdown_descriptions() -> None:
    copy = to_draft7({**BASE, "properties": {
        "a": {"description": "Plain words."},
        "b": {"description": "A `repo_id`, see [the doc](https://example.org)."},
        "c": {"description": "Has `code`.", "markdownDescription": "Written by hand."},
    }}, "x", 1)
    assert "markdownDescription" not in copy["properties"]["a"]
    assert copy["properties"]["b"]["markdownDescription"] == "A `repo_id`, see [the doc](https://example.org)."
    assert copy["properties"]["c"]["markdownDescription"] == "Written by hand."


def test_data_is_never_converted() -> None:
    schema = {**BASE, "examples": [{"$defs": 1, "$ref": "#/$defs/x"}], "const": {"prefixItems": []}}
    copy = to_draft7(schema, "x", 1)
    assert copy["examples"] == schema["examples"] and copy["const"] == schema["const"]


@pytest.mark.parametrize("keyword", ["unevaluatedProperties", "$dynamicRef", "minContains", "$anchor"])
def test_a_keyword_without_equivalent_stops_the_generator(keyword: str) -> None:
    with pytest.raises(Draft7Error, match=re.escape(f"/properties/a/{keyword}: '{keyword}' has no draft-07")):
        to_draft7({**BASE, "properties": {"a": {keyword: 1}}}, "x", 1)


def test_refs_to_other_bundled_schemas_name_their_copies() -> None:
    assert draft7_ref("https://mlmeta.dev/schemas/model/v1.json#/$defs/repoId") == (
        "https://mlmeta.dev/schemas/model/v1.draft7.json#/definitions/repoId"
    )
    assert draft7_ref("#/$defs/a/properties/b") == "#/definitions/a/properties/b"
    assert draft7_ref("#") == "#"


def snippet_value(body: Any) -> Any:
    """A defaultSnippets body as the editor inserts it with every placeholder at its default;
    a string starting with `^` goes in unquoted (a number, say)."""
    if isinstance(body, dict):
        return {snippet_value(key): snippet_value(value) for key, value in body.items()}
    if isinstance(body, list):
        return [snippet_value(item) for item in body]
    if isinstance(body, str):
        text = re.sub(r"\$\{\d+:([^}]*)\}|\$\{\d+\}|\$\d+", lambda m: m.group(1) or "", body)
        return json.loads(text[1:]) if text.startswith("^") else text
    return body


def snippets(node: Any, pointer: str = "") -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(pointer, schema holding it, snippet) for every defaultSnippets entry, outside data."""
    found: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    if isinstance(node, dict):
        found.extend((pointer, node, snippet) for snippet in node.get("defaultSnippets", []))
        for key, value in node.items():
            if key not in ("examples", "enum", "const", "default", "defaultSnippets"):
                found.extend(snippets(value, f"{pointer}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(snippets(value, f"{pointer}/{index}"))
    return found


@pytest.mark.parametrize(("kind", "version", "original"), SOURCES, ids=IDS)
def test_every_snippet_inserts_a_valid_value(kind: str, version: int, original: Any) -> None:
    by_original, _ = validators(kind, version, original)
    for pointer, schema, snippet in snippets(original):
        assert snippet.get("label") and "body" in snippet, pointer
        value = snippet_value(snippet["body"])
        errors = [e.message for e in by_original.evolve(schema=schema).iter_errors(value)]
        assert errors == [], f"{pointer} {snippet['label']}"


def test_snippet_values() -> None:
    assert snippet_value({"a": "${1:x}", "n": "^${2:12}", "l": ["$3", "${4}"]}) == {"a": "x", "n": 12, "l": ["", ""]}
