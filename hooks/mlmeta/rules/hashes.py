"""Provenance hashes: `sha256:` and 64 lower-case hex digits, said precisely; one hash per manifest row.

A hash is any key named `reproducibility_hash`, anywhere in any document, and any value
the document's schema marks with `"x-mlmeta-provenance-hash": true` (directly or through
`$ref`), whatever its key. The schema's own pattern already rejects a bad hash with a
generic message; this rule says what is wrong and replaces that finding. Upper-case hex
is the one fixable case.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from types import EllipsisType
from typing import Any, NamedTuple

from mlmeta import rules
from mlmeta.documents import SCALARS, escape, pointer_of
from mlmeta.findings import Fix, Problem
from mlmeta.rules import Where

KEY = "reproducibility_hash"
MARK = "x-mlmeta-provenance-hash"
PREFIX = "sha256:"
HASH = re.compile(r"sha256:[0-9a-f]{64}\Z")
# what `diagnose` looks for, compiled by `re` when a hash is wrong, not at every start-up
HEX64 = r"[0-9a-fA-F]{64}\Z"
NOT_HEX = r"[^0-9a-fA-F]"
ALGORITHM = r"[A-Za-z][A-Za-z0-9_-]{0,15}\Z"  # short enough to name, e.g. md5, sha1, blake3
EXPECTED = "sha256:<64 lower-case hex digits>"
ANY = None  # a path step that matches every array item or object member
DEEP = ...  # a path's last step: the key may sit at any depth below (a free-form part: walked)

Path = tuple[str | EllipsisType | None, ...]


def check(value: Any, where: Where) -> list[Problem]:
    """Called for every manifest row: its common case, a valid row whose one hash is at the top level, is
    answered inline (each call or list saved is ~1 % of a 100k-row check)."""
    kind, version, text = where.kind, where.version, where.text
    if (
        text is not None  # the text shortcut (see _SPELLED): the key is at the top level or nowhere
        and kind is not None
        and version is not None
        and type(value) is dict
        and "\\" not in text
        and text.count(_SPELLED) <= (KEY in value)
        and _one_mark(kind, version)
    ):
        item = value.get(KEY)  # (null, or no key: nothing to say, as diagnose says of None)
        if item is None or (
            type(item) is str and ((where.valid and _TOP in _vouched(kind, version)) or HASH.match(item))
        ):
            found = []  # a valid row's hash at a place its schema pins to the pattern needs no second look
        else:
            found = _wrong([(_TOP, item)], _NOWHERE)
    else:
        vouched, pairs = _NOWHERE, None
        if where.valid and kind is not None and version is not None:
            trie = _trie(kind, version, True)
            if trie is not None:
                vouched, pairs = _vouched(kind, version), _reached(value, trie)
        found = _wrong(pairs if pairs is not None else hashes(value, kind, version), vouched)
    if kind == "manifest" and isinstance(value, dict):
        hash_text = value.get(KEY)
        if isinstance(hash_text, str):
            table = where.state.get("hashes")
            if table is None:
                table = where.state["hashes"] = {}
            line, repo_id = where.line, value.get("repo_id")
            first, first_id = table.setdefault(hash_text, (line, repo_id))
            if type(table) is dict and len(table) > rules.SPILL:  # bounded memory (a partition's table is no dict)
                where.state["hashes"] = rules.spilled(table)
            if first != line or first_id != repo_id:
                rules.repeated(where.state, "hashes", hash_text, (line, repo_id))
            # the same row twice is `duplicate-row`'s finding; two models with one hash is this one
            if first != line and first_id != repo_id:
                message = f"same reproducibility_hash as the row on line {first}: two models, one provenance"
                found.append(Problem(_TOP, "duplicate-hash", message, "warning"))
    return found


def _wrong(pairs: list[tuple[str, Any]], vouched: frozenset[str]) -> list[Problem]:
    """`hash-format` for each (pointer, hash) that is not well-formed."""
    found = []
    for pointer, text in pairs:
        # a valid document's string at a place its schema pins to the pattern is well-formed: no second look
        if type(text) is str and (pointer in vouched or HASH.match(text)):  # the common answer first
            continue
        problem = diagnose(text)
        if problem is not None:
            message, fix = problem
            found.append(Problem(pointer, "hash-format", message, replaces="schema", fix=fix))
    return found


_NOWHERE: frozenset[str] = frozenset()
_TOP = f"/{KEY}"
# In JSON a member named `reproducibility_hash` is written `"reproducibility_hash"`, or with a `\u` escape
# in it: a text without escapes that spells the name once, for the top-level member (or never), has the
# key nowhere else, and no walk need look for it (a manifest row, a model file). (Any backslash sends the
# document to the walk: one byte is found faster than the two of `\u`.)
_SPELLED = f'"{KEY}"'


@cache
def _one_mark(kind: str, version: int) -> bool:
    """The schema marks no provenance hash but under the key's own name at the top (the bundled kinds)."""
    return marked_paths(kind, version) <= {(KEY,)}


SCHEMA_PATTERN = "^sha256:[0-9a-f]{64}$"  # HASH as the bundled schemas write it


@cache
def _vouched(kind: str, version: int) -> frozenset[str]:
    """Pointers of the marked places whose schema (`properties`, through `$ref`s) holds HASH's own pattern."""
    from mlmeta.schemas import load_schema

    root = load_schema(kind, version)
    found = set()
    for path in marked_paths(kind, version):
        steps = tuple(step for step in path if isinstance(step, str))
        if len(steps) != len(path):
            continue  # through any item or member: not one place
        node: Any = root
        for step in steps:
            holder = _dereferenced(root, node)
            node = _table(holder, "properties").get(step) if isinstance(holder, dict) else None
        node = _dereferenced(root, node)
        if isinstance(node, dict) and node.get("pattern") == SCHEMA_PATTERN:
            found.add(_pointer(steps))
    return frozenset(found)


def _dereferenced(root: dict[str, Any], node: Any) -> Any:
    for _ in range(8):  # a chain of `$ref`s, not a cycle
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            return node
        node = _local(root, node["$ref"])
    return None


def diagnose(value: Any) -> tuple[str, Fix | None] | None:
    """What is wrong with a hash, and the fix when there is a safe one; None when it is well-formed."""
    if value is None:
        return None  # "not recorded"; whether null is allowed is the schema's call
    if not isinstance(value, str):
        return f"a provenance hash is a string, {EXPECTED}", None
    if HASH.match(value):
        return None
    if value != value.strip():
        return f"spaces around the hash; write {EXPECTED} alone", None
    algorithm, colon, digest = value.partition(":")
    if not colon:
        if re.match(HEX64, value):
            return f"missing the {PREFIX} prefix", None
        return f"not a provenance hash: missing the {PREFIX} prefix; expected {EXPECTED}", None
    if algorithm != "sha256":
        if algorithm.lower() == "sha256":
            return f"write the prefix {PREFIX} in lower case", None
        if re.match(ALGORITHM, algorithm):
            return f"{algorithm.lower()} hash, not sha256; expected {EXPECTED}", None
        return f"missing the {PREFIX} prefix; expected {EXPECTED}", None
    bad = re.search(NOT_HEX, digest)
    if bad:
        return f"non-hex character at position {bad.start() + 1} of the digest (after {PREFIX})", None
    if len(digest) != 64:
        return f"{len(digest)} hex digits instead of 64", None
    fix = Fix(PREFIX + digest.lower(), "hex digits lower-cased")
    return "upper-case hex digits; a provenance hash is lower-case (mlmeta check --fix lower-cases it)", fix


def hashes(value: Any, kind: str | None, version: int | None, valid: bool = False) -> list[tuple[str, Any]]:
    """(pointer, value) of every provenance hash in a document, each once.

    `valid`: the document passed its kind's schema, so a key named `reproducibility_hash` can
    only sit where that schema lets it (`named_paths`): those places are looked at, and only
    the free-form parts (`DEEP`) are walked. A manifest row is read in a few lookups instead of
    a walk of every member.
    """
    if kind is None or version is None:
        return _named(value, "") if isinstance(value, (dict, list)) else []
    if valid:
        everywhere = _trie(kind, version, True)  # positional: a cache hit without keyword handling
        if everywhere is not None:
            return _reached(value, everywhere)
    found = dict(_named(value, "")) if isinstance(value, (dict, list)) else {}
    for pointer, item in _reached(value, _trie(kind, version, False) or _LEAF):
        found.setdefault(pointer, item)
    return list(found.items())


class _Node(NamedTuple):
    """A node of a trie of paths: what is true of the value the path so far reaches."""

    end: bool  # a path ends here: this value is a hash
    deep: bool  # the key may sit at any depth below: walk it
    ends: tuple[str, ...]  # members that are hashes, where their path ends
    named: tuple[tuple[str, _Node], ...]  # the members paths go on through, by name
    anything: _Node | None  # where paths go on through any item or member
    # hashes one member down, or one member down in any item (below a `leaf`: none deeper): looked up in
    # place, without a call, and a container of scalars alone skipped by one test run in C (a manifest's
    # benchmark and device maps, in every row)
    shallow: bool = False
    leaf: bool = False


_LEAF = _Node(False, False, (), (), None, True, True)


@cache
def _trie(kind: str, version: int, named: bool) -> _Node | None:
    """The schema-marked paths, and with `named` the places the key can sit too, as one trie; None: not bounded."""
    paths = set(marked_paths(kind, version))
    if named:
        places = named_paths(kind, version)
        if places is None:
            return None
        paths |= places
    return _compiled(paths)


def _compiled(paths: set[Path] | frozenset[Path]) -> _Node:
    """The trie of a set of paths: each node's last steps apart from the steps that go on."""
    steps: dict[str | None, set[Path]] = {}
    for path in paths:
        if path and path[0] is not DEEP:
            steps.setdefault(path[0], set()).add(path[1:])
    anything = _compiled(steps.pop(ANY)) if ANY in steps else None
    below = {step: _compiled(rest) for step, rest in steps.items() if step is not None}
    ends = tuple(step for step, node in below.items() if node is _END)
    named = tuple((step, node) for step, node in below.items() if node is not _END)
    end, deep = () in paths, (DEEP,) in paths
    shallow = not (end or deep or named) and (anything is None or anything.leaf)
    node = _Node(end, deep, ends, named, anything, shallow, shallow and anything is None)
    return _END if node == _END else node


_END = _Node(True, False, (), (), None)  # where a path ends and none goes on: one object, known by identity


def _reached(value: Any, trie: _Node) -> list[tuple[str, Any]]:
    """(pointer, value) of everything the trie's paths reach; a pointer is built for what is reached only."""
    found: list[tuple[tuple[str | int, ...] | str, Any]] = []
    _reach(value, trie, (), found)
    if len(found) == 1:  # a manifest row's one hash: no dict of one
        at, item = found[0]
        return [(at if type(at) is str else _pointer(at), item)]
    # a place two paths reach (a name and a wildcard, or a walk) once
    pointers = {(at if type(at) is str else _pointer(at)): item for at, item in found}
    return list(pointers.items())


def _reach(value: Any, node: _Node, tokens: tuple[str | int, ...], found: list[Any]) -> None:
    end, deep, ends, named, anything, _, _ = node  # unpacked: a field read by name costs more, once per row
    if end:
        found.append((tokens, value))
    if deep and isinstance(value, (dict, list)):
        found.extend(_named(value, _pointer(tokens)))
    if isinstance(value, dict):
        for step in ends:
            if step in value:
                found.append(((*tokens, step), value[step]))
        for step, below in named:
            if step in value:
                item = value[step]
                if below.shallow:
                    _shallow(item, below, tokens, step, found)
                elif below.end or isinstance(item, (dict, list)):  # a path goes on only through containers
                    _reach(item, below, (*tokens, step), found)
        if anything is not None:
            _every(value.items(), anything, tokens, found)
    elif anything is not None and isinstance(value, list):
        _every(enumerate(value), anything, tokens, found)


def _shallow(value: Any, node: _Node, parent: tuple[str | int, ...], step: str, found: list[Any]) -> None:
    """_reach for a shallow node (at parent + step): its last steps, then (unless every member is a scalar) any
    member's; its tokens are made only for what is found."""
    if isinstance(value, dict):
        for end in node.ends:
            if end in value:
                found.append(((*parent, step, end), value[end]))
        if node.anything is not None and not SCALARS.issuperset(map(type, value.values())):
            _every(value.items(), node.anything, (*parent, step), found)
    elif isinstance(value, list) and node.anything is not None and not SCALARS.issuperset(map(type, value)):
        _every(enumerate(value), node.anything, (*parent, step), found)


def _every(members: Any, node: _Node, tokens: tuple[str | int, ...], found: list[Any]) -> None:
    """Every item or member, through the same node."""
    if node.leaf:
        for key, item in members:
            if isinstance(item, dict):
                for step in node.ends:
                    if step in item:
                        found.append(((*tokens, key, step), item[step]))
        return
    for key, item in members:
        if node.end or isinstance(item, (dict, list)):  # a path goes on only through containers
            _reach(item, node, (*tokens, key), found)


@lru_cache(maxsize=1024)  # the same few places come back in every row
def _pointer(tokens: tuple[str | int, ...]) -> str:
    return "/" + "/".join(map(escape, map(str, tokens))) if tokens else ""


def _named(value: Any, pointer: str) -> list[tuple[str, Any]]:
    """(pointer, value) of every member named KEY at any depth, in document order, walked with a stack of
    its own (no recursion: a document may nest deep).

    Only containers that may hold the key are entered: a manifest row is mostly scalars and lists
    of strings, and a container of scalars alone (labels, tags) is passed over by one test run in C.
    A pointer is built only for what is found: the stack keeps (parent, token) pairs.
    """
    found: list[tuple[str, Any]] = []
    stack: list[tuple[Iterator[tuple[Any, Any]], Any]] = [(_members(value), pointer)]
    while stack:
        members, at = stack[-1]
        for key, item in members:
            if key == KEY:
                found.append((pointer_of((at, key)), item))
            if isinstance(item, (dict, list)) and _may_hold(item):  # a hash's own value too: any depth is any
                stack.append((_members(item), (at, key)))
                break  # the member's own members first, then on with these where this stopped
        else:
            stack.pop()
    return found


def _members(container: dict[str, Any] | list[Any]) -> Iterator[tuple[Any, Any]]:
    return iter(container.items()) if isinstance(container, dict) else enumerate(container)


def _may_hold(container: dict[str, Any] | list[Any]) -> bool:
    if isinstance(container, dict):
        return KEY in container or not SCALARS.issuperset(map(type, container.values()))
    return not SCALARS.issuperset(map(type, container))


@cache
def marked_paths(kind: str, version: int) -> frozenset[Path]:
    from mlmeta.schemas import load_schema

    return paths_in(load_schema(kind, version))


def paths_in(root: dict[str, Any]) -> frozenset[Path]:
    """Where a schema marks provenance hashes, as paths of property names (ANY: any item or member).

    At most MAX_DEPTH steps deep, a recursive `$ref` followed once per path. What lies below a node
    is worked out once per node, set of `$ref`s followed to it and depth left: a definition used in
    many places (a hash, a date) is not walked again at each, and a leaf is passed by one test (the
    model schema took ~3 ms of a one-file check to walk place by place).
    """
    below: dict[tuple[int, frozenset[str], int], frozenset[Path]] = {}

    def walk(node: Any, refs: frozenset[str], left: int) -> frozenset[Path]:
        if left < 0 or not isinstance(node, dict) or _LEADS.isdisjoint(node):  # most nodes: a leaf's type, title
            return _NONE
        key = (id(node), refs, left)
        if key in below:
            return below[key]
        found: set[Path] = {()} if node.get(MARK) is True else set()
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in refs:
            found |= walk(_local(root, ref), refs | {ref}, left)
        for word in ("allOf", "anyOf", "oneOf"):
            for branch in node.get(word, []) if isinstance(node.get(word), list) else []:
                found |= walk(branch, refs, left)
        for word in ("if", "then", "else"):
            found |= walk(node.get(word), refs, left)
        for sub in _values(node, "dependentSchemas"):
            found |= walk(sub, refs, left)
        for name, sub in (node.get("properties") or {}).items():
            found.update((name, *path) for path in walk(sub, refs, left - 1))
        for sub in (node.get("additionalProperties"), node.get("items"), *_values(node, "patternProperties")):
            found.update((ANY, *path) for path in walk(sub, refs, left - 1))
        for sub in node.get("prefixItems") or []:
            found.update((ANY, *path) for path in walk(sub, refs, left - 1))
        below[key] = frozenset(found)
        return below[key]

    return walk(root, frozenset(), MAX_DEPTH)


MAX_DEPTH = 32  # marks deeper than this are not looked for (the walk stops there)
# the keywords a mark is found at or through (paths_in)
_LEADS = frozenset({MARK, "$ref", "allOf", "anyOf", "oneOf", "if", "then", "else", "dependentSchemas", "properties"})
_LEADS |= {"additionalProperties", "items", "patternProperties", "prefixItems"}
_NONE: frozenset[Path] = frozenset()


@cache
def named_paths(kind: str, version: int) -> frozenset[Path] | None:
    """Where a key named `reproducibility_hash` can sit in a document the schema accepts; None: anywhere."""
    from mlmeta.schemas import load_schema

    return key_paths(load_schema(kind, version), KEY)


DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
MAX_PLACES = 1_000  # places one schema node may bound the key to before it is simply walked


def key_paths(root: dict[str, Any], name: str) -> frozenset[Path] | None:
    """Every path (ANY: any item or member) at which a key `name` can sit in a valid instance; None: not read.

    A superset, never less. A path that ends in DEEP marks a value that may hold anything at
    all (no type, an absent `items` or `additionalProperties`, `true`, a recursive `$ref`, an
    inner `$id`): the key may sit at any depth below it. A schema applies its own keywords,
    `$ref` and `allOf` together, so any one of them that bounds the places bounds the whole (the
    tightest is kept); `anyOf`/`oneOf` allow what any branch allows. An object that admits keys
    beyond its `properties` admits `name` there (unless `propertyNames` rules it out). Keywords
    that only narrow (`if`, `not`, `contains`...) are not needed for a superset and are not read.
    None: a draft before 2020-12, whose `items` lists and `$ref` siblings read otherwise.
    """

    targets: dict[str, set[Path]] = {}  # $ref -> its places, worked out once (mutual recursion would be factorial)

    def places(node: Any, refs: frozenset[str], depth: int) -> set[Path]:
        if node is False:
            return set()  # nothing is valid here
        if not isinstance(node, dict) or depth > 32 or (node is not root and "$id" in node):
            return {(DEEP,)}  # (an inner `$id` changes what its `$ref`s mean: not followed)
        together = [own(node, refs, depth)]
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref in refs:
                together.append({(DEEP,)})
            else:  # a superset wherever it was worked out, so one answer serves every use
                if ref not in targets:
                    targets[ref] = places(_local(root, ref), refs | {ref}, depth)
                together.append(targets[ref])
        together.extend(places(sub, refs, depth) for sub in node.get("allOf") or [])
        for key in ("anyOf", "oneOf"):
            if isinstance(node.get(key), list):
                together.append(set().union(*(places(branch, refs, depth) for branch in node[key])))
        found = min(together, key=_looseness)
        return found if len(found) <= MAX_PLACES else {(DEEP,)}  # past that, one walk is cheaper

    def own(node: dict[str, Any], refs: frozenset[str], depth: int) -> set[Path]:
        if "const" in node or "enum" in node:
            literals = [node["const"]] if "const" in node else node["enum"] if isinstance(node["enum"], list) else []
            if not any(isinstance(literal, (dict, list)) for literal in literals):
                return set()
        declared = node.get("type")
        types = {declared} if isinstance(declared, str) else set(declared) if isinstance(declared, list) else None
        found: set[Path] = set()
        if types is None or "object" in types:
            found |= members(node, refs, depth)
        if types is None or "array" in types:
            found |= items(node, refs, depth)
        return found

    def below(step: str | None, sub: Any, refs: frozenset[str], depth: int) -> set[Path]:
        return {(step, *path) for path in places(sub, refs, depth + 1)}

    def members(node: dict[str, Any], refs: frozenset[str], depth: int) -> set[Path]:
        properties: dict[str, Any] = _table(node, "properties")
        patterns: dict[str, Any] = _table(node, "patternProperties")
        extra = node.get("additionalProperties", True)
        allowed = _name_allowed(root, node.get("propertyNames", True), name)
        found: set[Path] = {(name,)} if name in properties else set()
        subs = [(key, sub) for key, sub in properties.items()] + [(ANY, sub) for sub in patterns.values()]
        if any(allowed and _search(pattern, name) for pattern in patterns) or (extra is not False and allowed):
            found.add((name,))
        if extra is not False:
            subs.append((ANY, extra))
        for step, sub in subs:
            found |= below(step, sub, refs, depth)
        return found

    def items(node: dict[str, Any], refs: frozenset[str], depth: int) -> set[Path]:
        prefix = node.get("prefixItems")
        rest = node.get("items", True)
        found: set[Path] = set()
        for sub in [*(prefix if isinstance(prefix, list) else []), *(rest if isinstance(rest, list) else [rest])]:
            found |= below(ANY, sub, refs, depth)  # a list of `items`: draft-07's tuple form
        return found

    if isinstance(root, dict) and root.get("$schema", DRAFT_2020_12) != DRAFT_2020_12:
        return None
    return frozenset(places(root, frozenset(), 0))


def _looseness(places: set[Path]) -> tuple[int, int, int]:
    """Of several bounds that all hold, the tightest: the fewest walks of everything, of anything, then places."""
    walks = [path for path in places if path[-1] is DEEP]
    everything = sum(all(step is ANY for step in path[:-1]) for path in walks)  # no named step: all is walked
    return everything, len(walks), len(places)


def _table(node: dict[str, Any], key: str) -> dict[str, Any]:
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def _name_allowed(root: dict[str, Any], names: Any, name: str) -> bool:
    """Whether `propertyNames` lets a key `name` through (True when it cannot tell)."""
    if isinstance(names, dict) and isinstance(names.get("$ref"), str):
        target = _local(root, names["$ref"])
        if isinstance(target, dict) and not _name_allowed(root, target, name):
            return False
    if names is False:
        return False
    if not isinstance(names, dict):
        return True
    pattern, longest = names.get("pattern"), names.get("maxLength")
    if isinstance(pattern, str) and not _search(pattern, name):
        return False
    if isinstance(longest, int) and len(name) > longest:
        return False
    enum = names.get("enum")
    return not (isinstance(enum, list) and name not in enum) and names.get("const", name) == name


def _search(pattern: str, text: str) -> bool:
    """An ECMA-262 pattern as Python reads it; one Python cannot read may match anything."""
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return True


def _values(node: dict[str, Any], key: str) -> list[Any]:
    value = node.get(key)
    return list(value.values()) if isinstance(value, dict) else []


def _local(root: dict[str, Any], ref: str) -> Any:
    """A `#/...` reference inside the same schema; None for any other (not read here: anything may be there).

    A pointer that passes through an inner `$id` is not read either: it would mean that
    resource's own members, not the root's.
    """
    if not ref.startswith("#/"):
        return None
    from urllib.parse import unquote

    from mlmeta.documents import MISSING, resolve, tokens

    node: Any = root
    for token in tokens(unquote(ref[1:])):  # a URI fragment: `%25` is `%`, `%20` a space
        node = resolve(node, "/" + escape(token))
        if node is MISSING or (isinstance(node, dict) and "$id" in node):
            return None
    return node
