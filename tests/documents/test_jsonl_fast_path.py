"""JSON Lines rows take a fast path (orjson) only when it cannot change a value or a finding.

Every row below is read twice: by `rows` (fast path where it applies) and by the exact reader
(`parse_text`, json with a pairs hook). Values, problems and positions must be the same.
"""

from __future__ import annotations

import json

import pytest

from mlmeta.documents import MISSING, Document, jsonl
from mlmeta.documents.json import fast_value, parse_exact, parse_text
from mlmeta.documents.jsonl import rows

ROWS = [
    '{"repo_id":"OpenMed/a","n":1,"f":0.9823,"z":0.0,"l":["EMAIL","SSN"],"b":{"x":null,"y":true}}',
    '{"a":1,"a":2}',  # a duplicate key, compact: the round trip cannot hide it
    '{"a":{"b":1,"b":1}}',
    '{"a":NaN}',
    '{"a":-Infinity}',
    '{"a": 1}',  # spaces
    '{"a": 1, "a": 2}',  # json.dumps' own separators, and a duplicate
    '{"a":1,"a" :2,"s":":x"}',  # a spaced key and a string starting with a colon: the counts would tie
    '{"a":1,"a":2,"s":"x\\":y"}',  # `":` inside a string
    '{\n  "a": {\n    "b": [1, 2.5, "c"]\n  },\n  "d": "\\u00e9"\n}',  # pretty-printed
    '{"big": [18446744073709551616, 1e19, -9223372036854775809]}',  # integers orjson would read as floats
    '{"x": 1e999}',
    '{"a":"\\u00e9"}',  # an escape orjson would not write back
    '{"a":"é€😀"}',
    '{"a":"tab\\there","q":"\\"","s":"back\\\\slash"}',
    '{"a":"\\ud800"}',  # a lone surrogate
    '{"a":1e3,"b":1E+2,"c":-0,"d":1.0,"e":1.50}',
    '{"big":123456789012345678901234567890}',
    '{"i":-9223372036854775808,"j":18446744073709551615}',
    '[1,2,[3,{"k":"v"}]]',
    '"just a string"',
    "null",
    "{}",
    '{"a":1,}',  # a syntax error
    '{"a":1',
    "[" * 300 + "]" * 300,  # orjson reads it but cannot write it back
    "[" * 2000 + "]" * 2000,  # deeper than orjson reads
    "[" * 1000 + "]" * 1000,  # orjson reads it, the exact reader refuses it: too deep
    '{"a":' * 990 + "1" + "}" * 990,
    "[" * 401 + "]" * 401,  # past the levels the fast path takes: the exact reader reads it
]


def exact(text: str, line: int) -> Document:
    return parse_exact(text, "m.jsonl", line)


def located(document: Document) -> list[tuple[str, str, str, tuple[int, int]]]:
    return [(p.rule, p.pointer, p.message, where) for p, where in document.problems]


@pytest.mark.parametrize("text", ROWS)
def test_a_row_reads_as_the_exact_reader_reads_it(text: str) -> None:
    (fast,) = rows([b"\n", text.encode() + b"\n"], "m.jsonl")
    slow = exact(text, 2)
    assert (fast.ok, fast.line, fast.text, located(fast)) == (slow.ok, slow.line, slow.text, located(slow))
    if slow.ok:
        assert json.dumps(fast.value) == json.dumps(slow.value)  # same types too: 1.0 stays a float
        for pointer in ("", "/a", "/repo_id", "/l/1", "/b/y", "/missing"):
            assert fast.locator.locate(pointer) == slow.locator.locate(pointer)


def test_only_rows_written_back_byte_for_byte_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    exact_rows: list[str] = []

    def exact_reader(text: str, display: str, line: int) -> Document:
        exact_rows.append(text)
        return parse_exact(text, display, line)

    monkeypatch.setattr(jsonl, "parse_text", exact_reader)
    (fast,) = rows([ROWS[0].encode() + b"\n"], "m.jsonl")
    assert fast.value == json.loads(ROWS[0]) and exact_rows == []
    slow = ['{"a":1,"a":2}', '{"a":NaN}', '{"a": 1}', '{"a":"\\u00e9"}', '{"a":1e3}', '{"a":1']
    list(rows([text.encode() + b"\n" for text in slow], "m.jsonl"))
    assert exact_rows == slow


def test_a_byte_order_mark_is_still_reported_on_a_fast_row() -> None:
    (document,) = rows([b'\xef\xbb\xbf{"a":1}\r\n'], "m.jsonl")
    assert document.value == {"a": 1}
    assert located(document) == [("encoding", "", "file starts with a UTF-8 byte-order mark; remove it", (1, 1))]


@pytest.mark.parametrize("text", ROWS)
def test_a_whole_json_file_reads_as_the_exact_reader_reads_it(text: str) -> None:
    """The same for a whole file: `parse_text` takes the fast value only where the exact reader agrees."""
    fast, slow = parse_text(text, "m.json"), exact(text, 1)
    assert (fast.ok, located(fast)) == (slow.ok, located(slow))
    if slow.ok:
        assert json.dumps(fast.value) == json.dumps(slow.value)


def test_the_fast_value_is_refused_wherever_a_key_could_have_been_dropped() -> None:
    assert fast_value('{"a":1,"b":{"c":2}}') == {"a": 1, "b": {"c": 2}}
    assert fast_value('{"a": 1, "b": [{"c": "d"}]}') == {"a": 1, "b": [{"c": "d"}]}
    assert fast_value("[18446744073709551616]") == [18446744073709551616]  # exact: no float on the way
    refused = ('{"a":1,"a":2}', '{"a":1,"a" :2,"s":":x"}', '{"a":{"b":1,"b":1}}', '{"a":NaN}', "[-1e999]", "1e999")
    for text in (*refused, '{"a":"\\udc00"}', "[" * 401 + "]" * 401):
        assert fast_value(text) is MISSING
