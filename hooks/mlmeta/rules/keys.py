"""`misspelled-key`: a key one slip away from a known key, in an object that lets unknown keys through.

The model, dataset and results kinds are open where the real world is open (the Hub adds fields,
lm-evaluation-harness adds keys), so the schema cannot call an unknown key wrong. A key that is a
known key with one letter dropped, added, changed or swapped, or written in another case or with
other separators (`num_head`, `pretraining_data`, `cardData`), is a mistake all the same: the tools
that read the file look for the known key and never see it. Keys far from every known key pass.
"""

from __future__ import annotations

import re
from typing import Any

from mlmeta.documents import SCALARS, Ptr, pointer_of, tokens
from mlmeta.findings import Problem
from mlmeta.rules import Where
from mlmeta.schemas import load_schema

RULE = "misspelled-key"
MIN_LENGTH = 4  # shorter keys are one edit from too many others (`lr`, `eps`)
# distinct unknown keys looked up per set of known keys: a file of a million generated keys is no
# misspelling, and each lookup compares with every known key
MAX_LOOKED_UP = 10_000
_SEPARATORS = re.compile(r"[_\-\s.]")


def check(value: Any, where: Where) -> list[Problem]:
    if where.kind is None or where.version is None or not isinstance(value, (dict, list)):
        return []
    root = load_schema(where.kind, where.version)
    found: list[Problem] = []
    _walk(value, _root_schemas(root), root, "", found)
    own = where.own
    if found and own is not None and own.schema is not None:  # a user kind: a key its own schema names is no slip
        theirs = _names(where.run.cache, own.name, where)
        found = [p for p in found if tokens(p.pointer)[-1] not in theirs]
    return found


def _names(cache: dict[str, Any], kind: str, where: Where) -> set[str]:
    """Every key a user kind's schemas name (in `properties` or `required`, any version), once per run."""
    key = f"keys:{kind}"
    if key not in cache:
        from mlmeta.schemas import kinds

        known = kinds(where.run.config)
        names: set[str] = set()
        for version in known.versions(kind):
            _collect(known.schema(kind, version), names)
        cache[key] = names
    names_found: set[str] = cache[key]
    return names_found


def _collect(schema: Any, names: set[str]) -> None:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                names.update(node["properties"])
            if isinstance(node.get("required"), list):
                names.update(n for n in node["required"] if isinstance(n, str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


class _Shape:
    """What the walk needs of the subschemas that apply to one value, worked out once per set of them."""

    __slots__ = ("children", "closed", "items", "known", "near", "patterns", "quiet", "sources", "watch")

    def __init__(self, branches: list[dict[str, Any]]) -> None:
        self.sources = branches
        self.known: set[str] = set()
        self.patterns: list[tuple[re.Pattern[str], Any]] = []
        self.closed = False
        for branch in branches:
            self.known.update(branch.get("properties", ()))
            self.patterns.extend((re.compile(p), s) for p, s in branch.get("patternProperties", {}).items())
            self.closed = self.closed or branch.get("additionalProperties") is False
        # keys are looked at only where one can be a slip: an open object with known keys to misspell
        self.watch = not self.closed and bool(self.known)
        self.items = tuple(b["items"] for b in branches if isinstance(b.get("items"), dict))
        self.children: dict[str, tuple[Any, ...]] = {}  # key -> the subschemas its value meets, filled as met
        self.near: dict[str, str | None] = {}  # unknown key -> the known key it misspells (the same keys recur)
        # keys met that say nothing here: known, matched by a pattern, or far from every known key. A
        # model file's root holds a dozen of the last kind: with them, its keys are passed by one test in C
        self.quiet: set[str] = set(self.known)

    def unknown(self, key: str) -> bool:
        return not self.closed and key not in self.known and not any(p.search(key) for p, _ in self.patterns)

    def child(self, key: str) -> tuple[Any, ...]:
        if key not in self.children:
            found: list[Any] = []
            for branch in self.sources:
                properties = branch.get("properties", {})
                if key in properties:
                    found.append(properties[key])
                    continue
                matched = [s for p, s in branch.get("patternProperties", {}).items() if re.search(p, key)]
                found.extend(matched)
                extra = branch.get("additionalProperties")
                if not matched and isinstance(extra, dict):
                    found.append(extra)
            self.children[key] = tuple(found)
        return self.children[key]


_SHAPES: dict[tuple[int, ...], _Shape] = {}
# keyed by id(): each entry holds the objects whose ids it is keyed by, so no id is reused while it lives
_EXPANDED: dict[int, tuple[Any, list[dict[str, Any]], list[dict[str, Any]]]] = {}
_STATIC: dict[int, tuple[tuple[Any, ...], _Shape]] = {}  # id(schemas) -> (schemas, shape): no `if` to decide
_DECIDED: dict[tuple[Any, ...], tuple[tuple[Any, ...], _Shape]] = {}  # (id(schemas), answers...) -> (schemas, shape)
_ROOTS: dict[int, tuple[Any, ...]] = {}  # id(root) -> (root,): one tuple, so the walk's first step is cached too


def _root_schemas(root: dict[str, Any]) -> tuple[Any, ...]:
    found = _ROOTS.get(id(root))
    if found is None or found[0] is not root:
        found = _ROOTS[id(root)] = (root,)
    return found


def _shape(schemas: tuple[Any, ...], root: dict[str, Any], value: Any) -> _Shape:
    """The shape of the subschemas that apply to a value: one lookup when none holds an `if` (the common case),
    else one per way the `if`s are decided (a model file's root holds one)."""
    cached = _STATIC.get(id(schemas))
    if cached is not None and cached[0] is schemas:
        return cached[1]
    decided: list[Any] = [id(schemas)]
    for schema in schemas:
        _decide(schema, root, value, decided)
    key = tuple(decided)
    cached = _DECIDED.get(key)
    if cached is not None and cached[0] is schemas:
        return cached[1]
    branches = [b for s in schemas for b in _branches(s, root, value)]
    key_of = tuple(id(b) for b in branches)
    shape = _SHAPES.get(key_of)
    if shape is None:
        shape = _SHAPES[key_of] = _Shape(branches)
    if len(decided) == 1:  # no `if` decided for this value
        _STATIC[id(schemas)] = (schemas, shape)
    else:
        _DECIDED[key] = (schemas, shape)
    return shape


def _decide(schema: Any, root: dict[str, Any], value: Any, decided: list[Any]) -> None:
    """The `if`s met on the way to the subschemas that apply to a value, decided in `_branches`' order: the same
    answers lead to the same subschemas."""
    if not isinstance(schema, dict):
        return
    expanded = _EXPANDED.get(id(schema))
    if expanded is None:
        expanded = _EXPANDED[id(schema)] = (schema, *_expand(schema, root, 0))
    for node in expanded[2]:
        holds = _holds(node["if"], value)
        decided.append(holds)
        _decide(node.get("then") if holds else node.get("else"), root, value, decided)


def _walk(value: Any, schemas: tuple[Any, ...], root: dict[str, Any], at: Ptr, found: list[Problem]) -> None:
    """`at`: the value's pointer, as a (parent, token) chain built only for a finding."""
    shape = _shape(schemas, root, value)
    if isinstance(value, dict):
        quiet = shape.quiet
        if shape.watch and not quiet.issuperset(value):  # every key quiet (the common object): one test in C
            for key in value:
                if key in quiet:
                    continue
                near = shape.near.get(key, "")  # "": not looked up (a key looked up was unknown then, and is now)
                if near == "":
                    if not shape.unknown(key):
                        near = None
                    elif len(shape.near) < MAX_LOOKED_UP:
                        near = shape.near[key] = nearest(key, shape.known)
                if near:
                    message = f"unknown key {key!r}; did you mean {near!r}?"
                    found.append(Problem(pointer_of((at, key)), RULE, message, on_key=True))
                elif near is None and len(quiet) < len(shape.known) + MAX_LOOKED_UP:
                    quiet.add(key)
        if SCALARS.issuperset(map(type, value.values())):
            return  # no object or array below (a config of numbers and strings): one test in C
        for key, item in value.items():
            # a list of scalars has nothing to walk: no call made for `tags`
            if isinstance(item, dict) or (isinstance(item, list) and not SCALARS.issuperset(map(type, item))):
                children = shape.child(key)
                if children:
                    _walk(item, children, root, (at, key), found)
    elif shape.items and not SCALARS.issuperset(map(type, value)):
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)):
                _walk(item, shape.items, root, (at, index), found)


def _branches(schema: Any, root: dict[str, Any], value: Any) -> list[dict[str, Any]]:
    """The schema and every subschema that applies to the same value: `$ref`, `allOf`/`anyOf`/`oneOf`, if/then/else.

    All but the `if`s are worked out once per schema; an `if` is decided for each value.
    """
    if not isinstance(schema, dict):
        return []
    expanded = _EXPANDED.get(id(schema))
    if expanded is None:
        expanded = _EXPANDED[id(schema)] = (schema, *_expand(schema, root, 0))
    _, static, conditional = expanded
    if not conditional:
        return static
    taken = list(static)
    for node in conditional:
        taken.extend(_branches(node.get("then") if _holds(node["if"], value) else node.get("else"), root, value))
    return taken


def _expand(schema: Any, root: dict[str, Any], depth: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the subschemas that always apply, those holding an `if` to decide per value)."""
    static: list[dict[str, Any]] = []
    conditional: list[dict[str, Any]] = []
    if not isinstance(schema, dict) or depth > 16:
        return static, conditional
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        more, more_conditional = _expand(_resolve(root, ref), root, depth + 1)
        static.extend(more)
        conditional.extend(more_conditional)
    static.append(schema)
    for word in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(word, ()):
            more, more_conditional = _expand(sub, root, depth + 1)
            static.extend(more)
            conditional.extend(more_conditional)
    if "if" in schema:
        conditional.append(schema)
    return static, conditional


def _resolve(root: dict[str, Any], ref: str) -> Any:
    node: Any = root
    for token in ref[2:].split("/"):
        node = node.get(token.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
    return node


def _holds(condition: Any, value: Any) -> bool:
    """Whether an `if` holds; each condition compiled once (the schemas are loaded once, so ids are stable)."""
    entry = _CONDITIONS.get(id(condition))
    if entry is None:
        import jsonschema_rs

        entry = _CONDITIONS[id(condition)] = (condition, jsonschema_rs.validator_for(condition))
    return bool(entry[1].is_valid(value))


_CONDITIONS: dict[int, tuple[Any, Any]] = {}


def nearest(key: str, known: set[str]) -> str | None:
    """The known key this one misspells: the same but for case and separators, or one edit away.

    Not a slip: another last letter (`date` and `data`, `beta1` and `betas` are different words), or
    a digit added, dropped or changed (`layer_1`, `layer_2`).
    """
    if len(key) < MIN_LENGTH:
        return None
    folded = _fold(key)
    for name in sorted(known):
        if _fold(name) == folded and name != key:
            return name
    for name in sorted(known):
        if len(name) >= MIN_LENGTH and _one_edit(key, name):
            return name
    return None


def _fold(key: str) -> str:
    return _SEPARATORS.sub("", key).lower()


def _one_edit(a: str, b: str) -> bool:
    """Whether b is a with one letter dropped, added, changed (not the last), or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):
        return not b[start].isdigit() and a[start:] == b[start + 1 :]
    if a[start].isdigit() or b[start].isdigit():
        return False
    if a[start + 1 :] == b[start + 1 :]:
        return start < len(a) - 1
    swapped = start + 1 < len(a) and a[start] == b[start + 1] and a[start + 1] == b[start]
    return swapped and a[start + 2 :] == b[start + 2 :]
