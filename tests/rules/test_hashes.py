"""`hash-format` and `duplicate-hash`: precise messages, any file for the dedicated hook, and `--fix`.

Each manifest case also has a fixture (tests/fixtures/manifest/invalid/hash-format.jsonl); these
tests cover what fixtures cannot: files no route claims, YAML, schema-marked fields, and the fixer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlmeta.rules.hashes import ANY, DEEP, KEY, diagnose, hashes, key_paths, named_paths, paths_in

from ..conftest import ROOT, realworld
from ..helpers import run

DIGEST = "0123456789abcdef" * 4
GOOD = "sha256:" + DIGEST
UPPER = "sha256:" + DIGEST.upper()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (DIGEST, "missing the sha256: prefix"),
        ("md5:" + DIGEST[:32], "md5 hash, not sha256; expected sha256:<64 lower-case hex digits>"),
        ("sha1:" + DIGEST[:40], "sha1 hash, not sha256; expected sha256:<64 lower-case hex digits>"),
        (GOOD[:-1], "63 hex digits instead of 64"),
        (GOOD + "0", "65 hex digits instead of 64"),
        ("sha256:" + DIGEST[:4] + "x" + DIGEST[5:], "non-hex character at position 5 of the digest (after sha256:)"),
        ("sha256:", "0 hex digits instead of 64"),
        ("SHA256:" + DIGEST, "write the prefix sha256: in lower case"),
        (GOOD + "\n", "spaces around the hash; write sha256:<64 lower-case hex digits> alone"),
        ("", "not a provenance hash: missing the sha256: prefix; expected sha256:<64 lower-case hex digits>"),
        (["sha256:"], "a provenance hash is a string, sha256:<64 lower-case hex digits>"),
    ],
)
def test_each_kind_of_bad_hash_gets_its_own_message_and_no_fix(value: object, message: str) -> None:
    assert diagnose(value) == (message, None)


def test_upper_case_hex_is_the_one_fixable_case_and_good_hashes_and_null_pass() -> None:
    message, fix = diagnose(UPPER) or ("", None)
    assert message.startswith("upper-case hex digits")
    assert fix is not None and fix.value == GOOD
    mixed = diagnose("sha256:" + DIGEST[:16].upper() + DIGEST[16:])
    assert mixed is not None and mixed[1] is not None and mixed[1].value == GOOD
    assert diagnose(GOOD) is None
    assert diagnose(None) is None


def test_marks_are_looked_for_32_levels_deep_and_a_shared_definition_everywhere_it_is_used() -> None:
    def nested(levels: int) -> dict[str, object]:
        node: dict[str, object] = {"$ref": "#/$defs/hash"}
        for level in range(levels):
            node = {"properties": {f"l{level}": node}}
        return node

    schema = {
        "properties": {"shallow": nested(30), "deep": nested(33), "a": {"$ref": "#/$defs/pair"}},
        "$defs": {
            "hash": {"type": "string", "x-mlmeta-provenance-hash": True},
            "pair": {"properties": {"x": {"$ref": "#/$defs/hash"}, "y": {"items": {"$ref": "#/$defs/pair"}}}},
        },
    }
    found = paths_in(schema)
    assert ("shallow", *(f"l{level}" for level in reversed(range(30)))) in found
    assert not any(path[0] == "deep" for path in found)  # 34 levels: past the bound
    assert {path for path in found if path[0] == "a"} == {("a", "x")}  # a recursive $ref: followed once a path


def test_definitions_that_name_each_other_below_the_depth_bound_are_not_walked() -> None:
    """16 definitions, each 33 levels of items over a choice of all the others: a walk that went on past the bound
    and remembered each set of `$ref`s would take minutes (an adversarial user schema)."""
    defs = {}
    for number in range(16):
        node: dict[str, object] = {"anyOf": [{"$ref": f"#/$defs/d{other}"} for other in range(16) if other != number]}
        for _ in range(33):
            node = {"items": node}
        defs[f"d{number}"] = node
    assert paths_in({"$ref": "#/$defs/d0", "$defs": defs}) == frozenset()


def test_dedicated_hook_checks_hashes_anywhere_in_files_no_route_claims(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "build").mkdir()
    (repo / "build" / "info.json").write_text(
        json.dumps({"runs": [{"reproducibility_hash": GOOD}, {"reproducibility_hash": "md5:" + DIGEST[:32]}]}, indent=1)
    )
    (repo / "release.yaml").write_text(f"artifact:\n  reproducibility_hash: {GOOD[:-2]}\n  other_hash: md5:abc\n")
    (repo / "rows.jsonl").write_text(json.dumps({"reproducibility_hash": GOOD}) + "\n" + json.dumps({"x": 1}) + "\n")
    code, out, _ = run(capsys, "check", "--select", "hash-format", "build/info.json", "release.yaml", "rows.jsonl")
    assert out == (
        "build/info.json:7:28: error - hash-format: md5 hash, not sha256; expected sha256:<64 lower-case hex digits>"
        " (at /runs/1/reproducibility_hash)\n"
        "release.yaml:2:25: error - hash-format: 62 hex digits instead of 64 (at /artifact/reproducibility_hash)\n"
    )
    assert code == 1


def test_the_hook_checks_only_hashes_even_in_a_routed_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "models.jsonl").write_text('{"repo_id": "x", "reproducibility_hash": "' + UPPER + '"}\n')
    code, out, _ = run(capsys, "check", "--select", "hash-format", "models.jsonl")
    assert out == (
        "models.jsonl:1:42: error manifest/v1 hash-format: upper-case hex digits; a provenance hash is lower-case"
        " (mlmeta check --fix lower-cases it) (at /reproducibility_hash)\n"
    )
    assert code == 1


def test_a_field_the_schema_marks_is_a_hash_whatever_its_name() -> None:
    schema = {
        "properties": {
            "snapshot": {"$ref": "#/$defs/hash"},
            "files": {"type": "array", "items": {"properties": {"digest": {"$ref": "#/$defs/hash"}}}},
            "by_device": {"additionalProperties": {"anyOf": [{"$ref": "#/$defs/hash"}, {"type": "null"}]}},
            "tree": {"$ref": "#/$defs/node"},
            "plain": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},  # a pattern alone is no mark
        },
        "$defs": {
            "hash": {"type": "string", "x-mlmeta-provenance-hash": True},
            "node": {"properties": {"hash": {"$ref": "#/$defs/hash"}, "child": {"$ref": "#/$defs/node"}}},
        },
    }
    assert paths_in(schema) == {
        ("snapshot",),
        ("files", ANY, "digest"),
        ("by_device", ANY),
        ("tree", "hash"),
        # a recursive $ref is not followed into itself: (tree, child, hash) is not found
    }


def test_the_bundled_schemas_mark_their_hashes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    measurements = {"results": [{"repo_id": "OpenMed/x", "recommended_tier": "phone", "reproducibility_hash": UPPER}]}
    (repo / "measurements.json").write_text(json.dumps(measurements))
    code, out, _ = run(capsys, "check", "--kind", "measurements", "measurements.json")
    assert out.count("hash-format") == 1 and " schema:" not in out
    assert "(at /results/0/reproducibility_hash)" in out
    assert code == 1


# --fix -----------------------------------------------------------------------------------------------


def test_fix_lower_cases_the_hex_and_changes_no_other_byte_crlf_and_non_ascii(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (
        '\ufeff{\r\n  "name": "Modèle «ñ» 模型",\r\n\t"reproducibility_hash" :  "' + UPPER + '",\r\n'
        '  "nested": {"reproducibility_hash": "' + UPPER + '", "note": "ÄBC\\u00e9"}\r\n}\r\n'
    ).encode("utf-8")
    path = repo / "meta.json"
    path.write_bytes(before)
    path.chmod(0o640)
    code, out, _ = run(capsys, "check", "--select", "hash-format", "--fix", "meta.json")
    assert out == (
        "meta.json:1:1: error - encoding: file starts with a UTF-8 byte-order mark; remove it\n"  # kept: not ours
        "meta.json:3:28: fixed - hash-format: hex digits lower-cased (at /reproducibility_hash)\n"
        "meta.json:4:38: fixed - hash-format: hex digits lower-cased (at /nested/reproducibility_hash)\n"
    )
    assert code == 1
    assert path.read_bytes() == before.replace(UPPER.encode(), GOOD.encode())
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in repo.iterdir() if p.name != ".git"] == ["meta.json"]  # no temporary file left
    # fixed: the next run finds no hash to fix and writes nothing
    code, out, _ = run(capsys, "check", "--select", "hash-format", "--fix", "meta.json")
    assert "hash-format" not in out
    assert path.read_bytes() == before.replace(UPPER.encode(), GOOD.encode())


def test_fix_in_jsonl_rows_and_yaml_keeps_every_other_byte(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = (
        f'{{"repo_id":"a/one","reproducibility_hash":"{UPPER}"}}\n'
        f'{{"repo_id":"a/two","reproducibility_hash":"{GOOD[:-1]}"}}\r\n'
        f'\n{{"repo_id":"a/thrée","reproducibility_hash":"{UPPER.replace("A", "a")}"}}'  # no final newline
    )
    (repo / "rows.jsonl").write_bytes(rows.encode())
    yaml = f"# provenance\nplain: {UPPER}  # comment\nquoted: '{UPPER}'\nlist: [\"{UPPER}\"]\n"
    yaml = yaml.replace("plain", "reproducibility_hash", 1)
    (repo / "meta.yml").write_bytes(yaml.encode())
    code, out, _ = run(capsys, "check", "--select", "hash-format", "--fix", "rows.jsonl", "meta.yml")
    assert code == 1
    assert out == (
        "rows.jsonl:2:43: error - hash-format: 63 hex digits instead of 64 (at /reproducibility_hash)\n"
        "rows.jsonl:1:43: fixed - hash-format: hex digits lower-cased (at /reproducibility_hash)\n"
        "rows.jsonl:4:45: fixed - hash-format: hex digits lower-cased (at /reproducibility_hash)\n"
        "meta.yml:2:23: fixed - hash-format: hex digits lower-cased (at /reproducibility_hash)\n"
    )
    assert (repo / "rows.jsonl").read_bytes() == rows.replace(UPPER, GOOD).replace(
        UPPER.replace("A", "a"), GOOD
    ).encode()
    fixed_yaml = yaml.replace(f"reproducibility_hash: {UPPER}", f"reproducibility_hash: {GOOD}")
    assert (repo / "meta.yml").read_bytes() == fixed_yaml.encode()  # the other keys are no hashes: untouched


def test_without_fix_nothing_is_written(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = f'{{"reproducibility_hash": "{UPPER}"}}\n'
    (repo / "a.json").write_text(text)
    code, out, _ = run(capsys, "check", "--select", "hash-format", "a.json")
    assert code == 1 and "error - hash-format: upper-case hex digits" in out
    assert (repo / "a.json").read_text() == text


def test_a_hash_spelled_with_escapes_is_reported_not_rewritten(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    escaped = UPPER.replace("A", "\\u0041")  # the same string, spelled another way: no safe in-place edit
    text = f'{{"reproducibility_hash": "{escaped}"}}\n'
    (repo / "a.json").write_text(text)
    code, out, _ = run(capsys, "check", "--select", "hash-format", "--fix", "a.json")
    assert code == 1
    assert out.startswith("a.json:1:26: error - hash-format: upper-case hex digits")
    assert (repo / "a.json").read_text() == text


def test_fixed_lines_go_to_stderr_when_stdout_is_a_report(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "a.json").write_text(f'{{"reproducibility_hash": "{UPPER}"}}\n')
    code, out, err = run(capsys, "check", "--select", "hash-format", "--fix", "--format", "json", "a.json")
    assert (code, json.loads(out)) == (1, [])
    assert err == "a.json:1:26: fixed - hash-format: hex digits lower-cased (at /reproducibility_hash)\n"


# the hook ---------------------------------------------------------------------------------------------


def test_the_hook_takes_json_jsonl_and_yaml_files_by_pattern() -> None:
    from ruamel.yaml import YAML

    hooks = {hook["id"]: hook for hook in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    hook = hooks["mlmeta-reproducibility-hash"]
    assert hook["entry"] == "mlmeta check --select hash-format,duplicate-hash"
    assert "types" not in hook  # pre-commit tags .jsonl as text only
    files = re.compile(hook["files"])
    assert all(files.search(name) for name in ("a.json", "dir/models.jsonl", "x.yaml", "Kit.yml", "r.ndjson"))
    assert not any(files.search(name) for name in ("a.py", "jsonl.txt", "yaml"))


@pytest.mark.parametrize("name", ["openmed/models.seed-era.jsonl", "openmed/models.later.jsonl"])
def test_every_real_openmed_hash_is_well_formed_and_unique(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = realworld(name)
    code, out, _ = run(capsys, "check", "--kind", "manifest", "--select", "hash-format,duplicate-hash", str(path))
    assert (code, out) == (0, "")


# -- where a schema lets the key sit: `key_paths`, used for documents known to pass their schema --

OBJECT = {"type": "object", "additionalProperties": False}
NUMBER = {"type": "number"}
STRING = {"type": "string"}


@pytest.mark.parametrize(
    ("schema", "places"),
    [
        ({**OBJECT, "properties": {"a": {"type": "string"}}}, set()),
        ({**OBJECT, "properties": {KEY: {"type": "string"}, "n": {"type": "integer"}}}, {(KEY,)}),
        ({"type": "object", "properties": {"a": {"type": "string"}}}, {(KEY,), (ANY, DEEP)}),  # more keys, any values
        ({"type": "object", "additionalProperties": {"type": "number"}}, {(KEY,)}),
        ({"type": "object", "propertyNames": {"pattern": "^[A-Z]+$"}, "additionalProperties": NUMBER}, set()),
        ({"type": "object", "propertyNames": {"maxLength": 5}, "additionalProperties": NUMBER}, set()),
        ({**OBJECT, "patternProperties": {"_hash$": {"type": "string"}}}, {(KEY,)}),
        ({**OBJECT, "patternProperties": {"^x-": {"type": "string"}}}, set()),
        ({**OBJECT, "properties": {"m": {"type": "array", "items": {**OBJECT, "properties": {KEY: STRING}}}}},
         {("m", ANY, KEY)}),
        ({"type": "array"}, {(ANY, DEEP)}),  # items of any shape
        ({"type": "array", "prefixItems": [{"type": "string"}], "items": False}, set()),
        ({"type": ["string", "null"]}, set()),
        ({"enum": ["a", 1, None]}, set()),
        ({"enum": [{KEY: "x"}]}, {(KEY,), (ANY, DEEP)}),
        ({"anyOf": [{"type": "string"}, {"type": "object"}]}, {(KEY,), (ANY, DEEP)}),  # one branch open: the whole is
        ({"anyOf": [{"type": "string"}, {**OBJECT, "properties": {KEY: {"type": "string"}}}]}, {(KEY,)}),
        ({**OBJECT, "properties": {KEY: {}}}, {(KEY,), (KEY, KEY), (KEY, ANY, DEEP)}),
        ({**OBJECT, "properties": {"card": {"type": "object"}, "n": NUMBER}}, {("card", KEY), ("card", ANY, DEEP)}),
        ({**OBJECT, "properties": {"a": STRING}, "anyOf": [{"required": ["a"]}]}, set()),  # the tightest bound wins
        ({"allOf": [{"type": "object"}, OBJECT]}, set()),  # one conjunct bounds the whole
        ({"$ref": "#/$defs/n", "$defs": {"n": {"type": "object", "additionalProperties": {"$ref": "#/$defs/n"}}}},
         {(KEY,), (ANY, DEEP)}),  # recursive: any depth
        (True, {(DEEP,)}),
        (False, set()),
    ],
)  # fmt: skip
def test_key_paths_bound_where_a_valid_document_can_hold_the_key(
    schema: object, places: set[tuple[object, ...]] | None
) -> None:
    found = key_paths(schema, KEY)  # type: ignore[arg-type]
    assert (None if found is None else set(found)) == places


def _valid_documents() -> list[tuple[str, int, object]]:
    """Every valid fixture document with a kind and version, and the real catalogs' rows."""
    from mlmeta.schemas import Validators

    documents = []
    for folder, kind, version in [
        ("manifest", "manifest", 1), ("manifest-v2", "manifest", 2), ("results", "results", 1),
        ("modelkit-manifest", "modelkit-manifest", 1), ("measurements", "measurements", 1), ("model", "model", 1),
    ]:  # fmt: skip
        for path in sorted((ROOT / "tests" / "fixtures" / folder / "valid").iterdir()):
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines() if path.suffix == ".jsonl" else [text]
            values = [json.loads(line) for line in lines if line.strip()]
            documents.extend((kind, version, value) for value in values)
    for name, version in (("openmed/models.seed-era.jsonl", 1), ("openmed/models.later.jsonl", 2)):
        path = realworld(name)
        rows = path.read_text(encoding="utf-8").splitlines()[:300]
        documents.extend(("manifest", version, json.loads(line)) for line in rows if line.strip())
    validators = Validators()
    return [(kind, n, value) for kind, n, value in documents if validators.get(kind, n).is_valid(value)]


def test_a_valid_document_gives_the_same_hashes_by_its_schema_as_by_a_walk() -> None:
    """The oracle: for valid documents, looking only where the schema allows finds what the full walk finds."""
    documents = _valid_documents()
    assert len(documents) > 300
    for kind, version, value in documents:
        assert sorted(hashes(value, kind, version, valid=True)) == sorted(hashes(value, kind, version))


def test_the_key_where_only_a_metric_may_sit_is_still_found_in_a_valid_row() -> None:
    """A legacy benchmark takes any metric name: a number under the key is valid, and still a hash-format finding."""
    rows = (ROOT / "tests/fixtures/manifest/valid/seed-rows.jsonl").read_text(encoding="utf-8")
    row = json.loads(rows.splitlines()[0])
    row["benchmark"] = {"dataset": None, KEY: 0.5}
    row["latency_ms"] = {KEY: 3}
    from mlmeta.schemas import Validators

    assert Validators().get("manifest", 1).is_valid(row)
    assert named_paths("manifest", 1) is not None
    found = sorted(pointer for pointer, _ in hashes(row, "manifest", 1, valid=True))
    assert found == ["/benchmark/reproducibility_hash", "/latency_ms/reproducibility_hash", "/reproducibility_hash"]
    assert found == sorted(pointer for pointer, _ in hashes(row, "manifest", 1))


@pytest.mark.parametrize(
    "schema",
    [
        # draft-07: an `items` list leaves later items free, and `$ref` siblings are ignored
        {"$schema": "http://json-schema.org/draft-07/schema#", "type": "array", "items": [STRING]},
        {"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"o": {"type": "object"}},
         "$ref": "#/definitions/o", "type": "string"},
    ],
)  # fmt: skip
def test_key_paths_do_not_bound_what_they_do_not_read(schema: dict[str, object]) -> None:
    assert key_paths(schema, KEY) is None


def test_below_an_inner_id_the_key_may_sit_anywhere() -> None:
    """An inner `$id` makes its `$ref` mean its own `$defs`, not the root's: that part is walked."""
    inner = {"$id": "https://example.com/inner.json", "$defs": {"x": {}}, "$ref": "#/$defs/x"}
    schema = {**OBJECT, "$defs": {"x": STRING}, "properties": {"a": inner}}
    assert key_paths(schema, KEY) == {("a", DEEP)}


def test_key_paths_read_a_percent_encoded_reference() -> None:
    defs = {"a b": {"type": "object"}, "a%20b": STRING}
    schema = {**OBJECT, "$defs": defs, "properties": {"x": {"$ref": "#/$defs/a%20b"}}}
    # `a b`, an open object; not the string at the literal `a%20b`
    assert key_paths(schema, KEY) == {("x", KEY), ("x", ANY, DEEP)}


def test_a_place_two_paths_reach_is_reported_once() -> None:
    inner = {**OBJECT, "properties": {KEY: STRING}}
    schema = {"type": "object", "properties": {"meta": inner}, "additionalProperties": inner}
    from mlmeta.rules import hashes as module

    places = key_paths(schema, KEY)
    assert places == {(KEY,), ("meta", KEY), (ANY, KEY)}
    assert places is not None
    trie = module._compiled(places)
    assert module._reached({"meta": {KEY: "bad"}}, trie) == [("/meta/reproducibility_hash", "bad")]


def test_a_free_form_part_is_walked_and_its_hashes_found_once() -> None:
    schema = {**OBJECT, "properties": {"card": {"type": "object"}, KEY: STRING}}
    from mlmeta.rules import hashes as module

    places = key_paths(schema, KEY)
    assert places is not None
    document = {KEY: "a", "card": {KEY: "b", "deeper": [{"x": {KEY: "c"}}]}}
    found = module._reached(document, module._compiled(places))
    assert sorted(found) == [("/card/deeper/0/x/reproducibility_hash", "c"), ("/card/reproducibility_hash", "b"),
                             ("/reproducibility_hash", "a")]


def test_a_hash_inside_a_hash_is_found_by_the_places_and_by_the_walk_alike() -> None:
    from mlmeta.schemas import Validators

    document = {"name": "in-house-tagger", "card_data": {KEY: {KEY: "md5:abc"}}}
    assert Validators().get("model", 1).is_valid(document)
    found = sorted(hashes(document, "model", 1, valid=True))
    assert found == sorted(hashes(document, "model", 1))
    assert [pointer for pointer, _ in found] == ["/card_data/reproducibility_hash",
                                                 "/card_data/reproducibility_hash/reproducibility_hash"]


def test_a_reference_through_an_inner_id_is_not_read_against_the_root() -> None:
    inner = {"$id": "https://example.com/inner.json", "$defs": {"x": {}}, "properties": {"b": {"$ref": "#/$defs/x"}}}
    schema = {**OBJECT, "$defs": {"x": STRING, "a": inner}, "properties": {"p": {"$ref": "#/$defs/a/properties/b"}}}
    assert key_paths(schema, KEY) == {("p", DEEP)}


def test_mutually_recursive_definitions_are_worked_out_once_each() -> None:
    """Nine definitions that each name all nine: followed branch by branch, 876,809 places and 44 s."""
    names = [f"d{i}" for i in range(9)]
    node = {**OBJECT, "properties": {name: {"$ref": f"#/$defs/{name}"} for name in names}}
    schema = {"$ref": "#/$defs/d0", "$defs": dict.fromkeys(names, node)}
    places = key_paths(schema, KEY)
    assert places is not None and len(places) <= 1_000
    assert all(path[-1] is DEEP for path in places)  # no path names the key: only the recursion may hold it


def test_hashes_come_in_document_order() -> None:
    """Findings at one place (a YAML alias's) keep the order the document gives them."""
    from mlmeta.rules.hashes import hashes

    value = {
        "a": {"reproducibility_hash": "x", "b": [{"reproducibility_hash": "y"}, {"reproducibility_hash": "v"}]},
        "c": [{"reproducibility_hash": "z"}],
        "reproducibility_hash": "w",
    }
    assert [pointer for pointer, _ in hashes(value, None, None)] == [
        "/a/reproducibility_hash", "/a/b/0/reproducibility_hash", "/a/b/1/reproducibility_hash",
        "/c/0/reproducibility_hash", "/reproducibility_hash",
    ]


def test_only_places_the_schema_pins_to_the_pattern_are_vouched_for() -> None:
    """A valid row's hash at such a place passed the schema's own pattern: it is not matched again."""
    from mlmeta.rules.hashes import HASH, SCHEMA_PATTERN, _vouched

    assert HASH.pattern == SCHEMA_PATTERN[1:-1] + r"\Z"  # the same language: the schema's check is this one
    assert _vouched("manifest", 1) == {"/reproducibility_hash"}
    assert _vouched("measurements", 1) == frozenset()  # marked through any item: not one place


SPELLED = [
    '{"reproducibility_hash": "sha256:' + "a" * 64 + '", "config": {"x": 1}}',
    '{"reproducibility_hash": "sha256:' + "A" * 64 + '"}',  # upper case: a finding either way
    '{"config": {"reproducibility_hash": "md5:abc"}}',  # only nested: spelled once, not at the top
    '{"reproducibility_hash": "sha256:' + "a" * 64 + '", "x": {"reproducibility_hash": 5}}',  # twice
    '{"reproducibility_hash": "sha256:' + "a" * 64 + '", "x": {"reproducibility\\u005fhash": 5}}',  # escaped
    '{"note": "reproducibility_hash", "x": {"reproducibility_hash": "nope"}}',  # the name as a value too
    '{"x": [{"reproducibility_hash": null}, {"y": "reproducibility_hash"}]}',
    '{"id": "a/b"}',
]


@pytest.mark.parametrize("text", SPELLED)
@pytest.mark.parametrize(
    ("kind", "valid"), [("model", False), ("model", True), ("manifest", False), ("manifest", True), (None, False)]
)
def test_the_text_shortcut_finds_what_the_walk_finds(text: str, kind: str | None, valid: bool) -> None:
    """With the JSON text at hand the rule may skip its walk: only where that cannot change a finding."""
    from mlmeta.config import Config
    from mlmeta.rules import Run, Where
    from mlmeta.rules.hashes import check

    value = json.loads(text)
    found = []
    for given in (None, text):
        where = Where("m.json", Path("m.json"), kind, 1, 1, Run(Config(ROOT)), {}, valid)
        where.text = given
        found.append(check(value, where))
    assert found[0] == found[1]
    if not valid:  # (a valid document's hash passed its schema's pattern: nothing to find there)
        wrong = [pointer for pointer, hash_ in hashes(value, None, None) if diagnose(hash_) is not None]
        assert [p.pointer for p in found[0] if p.rule == "hash-format"] == wrong
