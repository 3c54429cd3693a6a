"""`Seen` behaves as the dict it replaces, before and after it moves to disk."""

from __future__ import annotations

import pytest

from mlmeta.rules import seen as module
from mlmeta.rules.seen import Seen


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "BATCH", 2)  # on disk, new keys are written two at a time


@pytest.mark.parametrize("spill", [1_000, 3])  # in memory; on disk after the fourth key
def test_seen_answers_as_a_dict_would(spill: int) -> None:
    seen: Seen[tuple[int, str | None]] = Seen(spill)
    reference: dict[str, tuple[int, str | None]] = {}
    for line, key in enumerate(["a", "b", "a", "c", "d", "b", "e", "é/☃", "a"], start=1):
        assert seen.setdefault(key, (line, None if line % 2 else key)) == reference.setdefault(
            key, (line, None if line % 2 else key)
        )
    assert list(seen) == list(reference) == ["a", "b", "c", "d", "e", "é/☃"]
    assert len(seen) == 6
    assert "é/☃" in seen and "z" not in seen and 5 not in seen
    assert seen["d"] == (5, None) and seen.get("z") is None and seen.get("z", (0, "x")) == (0, "x")
    with pytest.raises(KeyError):
        seen["z"]
    seen["b"] = (9, "b")
    seen["f"] = (10, None)
    assert seen["b"] == (9, "b") and seen["f"] == (10, None) and len(seen) == 7
    assert list(seen) == ["a", "b", "c", "d", "e", "é/☃", "f"]  # an update keeps the key's place
    assert (seen._table is not None) == (spill == 3)


def test_past_the_spill_keys_live_on_disk_not_in_memory() -> None:
    seen: Seen[int] = Seen(100)
    for line in range(5_000):
        assert seen.setdefault(f"OpenMed/model-{line * 7919 % 5_000}", line) == line
    assert len(seen._memory) < 100 and len(seen) == 5_000
    assert seen["OpenMed/model-0"] == 0 and "OpenMed/model-5000" not in seen
    assert seen.setdefault("OpenMed/model-2919", -1) == 1  # line 1 stored it: 7919 % 5000


def test_set_like_use_and_int_values_on_disk() -> None:
    ids: Seen[None] = Seen(2)
    for key in ("x", "y", "z", "x"):
        ids.add(key)
    assert list(ids) == ["x", "y", "z"] and "z" in ids and "w" not in ids
    lines: Seen[int] = Seen(2)
    for line, key in enumerate("pqrsp", start=1):
        if key not in lines:
            lines[key] = line
    assert [lines[key] for key in "pqrs"] == [1, 2, 3, 4]


def test_tables_of_two_runs_do_not_mix() -> None:
    first: Seen[int] = Seen(1)
    second: Seen[int] = Seen(1)
    for key in ("a", "b"):
        first[key] = 1
        second[key + key] = 2
    assert list(first) == ["a", "b"] and list(second) == ["aa", "bb"]


def test_values_json_holds_come_back_from_disk() -> None:
    seen: Seen[object] = Seen(1)
    values = {"a": (1, None), "b": (2, 2**70), "c": (3, {"k": [1, 2.5, "é"]}), "d": "text", "e": 7, "f": None}
    for key, value in values.items():
        seen[key] = value
    assert seen._table is not None and {key: seen[key] for key in values} == values


def test_keys_json_each_would_cut_or_refuse_are_kept_whole_on_disk() -> None:
    """NUL (json_each ends a key there) and a lone surrogate (JSON allows it, UTF-8 does not) in keys."""
    seen: Seen[int] = Seen(1)
    keys = ["Org/x\x00y", "Org/x\x00z", "Org/x", "Org/\ud800", "Org/\udfff", "Org/ok"]
    for line, key in enumerate(keys, start=1):
        assert seen.setdefault(key, line) == line
    for line, key in enumerate(keys, start=1):
        assert seen.setdefault(key, 99) == line and key in seen
    assert list(seen) == keys and len(seen) == len(keys)
    assert "Org/x\x00" not in seen and 5 not in seen


def test_values_come_back_exactly_as_they_went_in() -> None:
    seen: Seen[object] = Seen(1)
    values = {"a": 0.30000000000000004, "b": True, "c": (1, 1e-300), "d": "x\x00y", "e": (2, "\u2028é")}
    for key, value in values.items():
        seen[key] = value
    assert seen._table is not None
    assert {key: seen[key] for key in values} == values
    assert type(seen["b"]) is bool


@pytest.mark.parametrize("spill", [1_000, 3])
def test_merge_is_setdefault_for_every_item(spill: int) -> None:
    """A `--jobs` part's table merged at once: new keys stored, known keys keep their first value."""
    seen: Seen[int] = Seen(spill)
    reference: dict[str, int] = {}
    for part in ({"a": 1, "b": 2}, {"c": 3, "a": 4}, {"d": 5, "e": 6, "b": 7, "f": 8}):
        known = {key for key, value in part.items() if reference.setdefault(key, value) != value}
        assert seen.merge(part) == known
    assert {key: seen[key] for key in seen} == reference == {"a": 1, "b": 2, "c": 3, "d": 5, "e": 6, "f": 8}
    assert (seen._table is not None) == (spill == 3)
