"""jsonschema-rs errors as Problems, with messages that never repeat the value.

Result files may hold what must not leak (CI logs are public), so a message
says what was expected and what type was found, never the offending value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmeta.documents import join
from mlmeta.findings import Problem

MISSING = "missing required key"

MAX_SUGGESTED = 100
MAX_SUGGESTED_LENGTH = 64
_FORMATS = {"date": "a real date (YYYY-MM-DD)", "date-time": "an RFC 3339 date-time", "uri": "a URI"}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def show_key(key: str) -> str:
    """A key as printed: by name, so that `25-shot` can be found and fixed. A key that holds PHI is
    hidden afterwards by the no-PHI redaction, which every file's findings pass through."""
    return repr(key)


def _choices(values: list[Any]) -> str:
    shown = ", ".join(repr(v) if isinstance(v, str) else "null" if v is None else str(v) for v in values[:12])
    return shown + (", ..." if len(values) > 12 else "")


def _nearest_word(instance: Any, options: list[Any]) -> str:
    """`; did you mean 'rmsnorm'?` for a word one slip from a vocabulary word (the word suggested, not the value)."""
    if not isinstance(instance, str):
        return ""
    from mlmeta.rules.keys import nearest  # the same measure of a slip as for keys

    if len(instance) > MAX_SUGGESTED_LENGTH:
        return ""
    near = nearest(instance, {o for o in options if isinstance(o, str)})
    return f"; did you mean {near!r}?" if near else ""


def _sub_schema(schema: Any, path: list[Any]) -> Any:
    for token in path:
        try:
            schema = schema[token]
        except (KeyError, IndexError, TypeError):
            return None
    return schema


def _did_you_mean(key: str, parent: Any) -> str:
    if not isinstance(parent, dict):
        return ""
    import difflib  # not at import: the no-PHI walker imports this module for show_key alone

    close = difflib.get_close_matches(key, list(parent.get("properties", {})), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def _count(number: Any, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _limit(name: str, kind: Any) -> str:
    limit = kind.limit
    return {
        "minimum": f"must be >= {limit}",
        "maximum": f"must be <= {limit}",
        "exclusiveMinimum": f"must be > {limit}",
        "exclusiveMaximum": f"must be < {limit}",
        "minLength": f"must be at least {_count(limit, 'character')} long",
        "maxLength": f"must be at most {_count(limit, 'character')} long",
        "minItems": f"must hold at least {_count(limit, 'item')}",
        "maxItems": f"must hold at most {_count(limit, 'item')}",
        "minProperties": f"must hold at least {_count(limit, 'key')}",
        "maxProperties": f"must hold at most {_count(limit, 'key')}",
    }[name]


def joined(found: list[Problem]) -> list[Problem]:
    """The missing required keys of one object as one problem (`missing required keys 'a', 'b'`), in order."""
    keys: dict[str, list[str]] = {}
    for problem in found:
        if problem.message.startswith(MISSING + " "):
            keys.setdefault(problem.pointer, []).append(problem.message[len(MISSING) + 1 :])
    if all(len(names) == 1 for names in keys.values()):
        return found
    out = []
    for problem in found:
        if problem.message.startswith(MISSING + " "):
            names = keys.pop(problem.pointer, None)
            if names is None:
                continue  # said with the first
            if len(names) > 1:
                problem = problem._replace(message=f"missing required keys {', '.join(names)}")
        out.append(problem)
    return out


def problems(error: Any, schema: dict[str, Any]) -> Iterator[Problem]:
    """The problems one jsonschema-rs error stands for (an unknown-keys error names several keys)."""
    pointer = "".join(f"/{join('', token)[1:]}" for token in error.instance_path)
    kind = error.kind
    name = kind.name
    if name == "additionalProperties":
        parent = _sub_schema(schema, list(error.schema_path)[:-1])
        for number, key in enumerate(kind.unexpected):
            # difflib's cost grows with the square of a key's length: long keys and keys past the first
            # hundred get no suggestion, so a million generated keys cost no more than listing them
            near = _did_you_mean(key, parent) if number < MAX_SUGGESTED and len(key) <= MAX_SUGGESTED_LENGTH else ""
            message = f"unknown key {show_key(key)}{near}"
            yield Problem(join(pointer, key), "schema", message, on_key=True)
        return
    if name == "propertyNames":  # report at the key itself, by name only when that is safe to print
        inner = kind.error
        message = f"key {show_key(inner.instance)}: {_describe(inner, schema)}"
        yield Problem(join(pointer, inner.instance), "schema", message, on_key=True)
        return
    if name in ("anyOf", "oneOf") and type(kind).__name__ != "OneOfMultipleValid":
        yield from _alternatives(error, pointer, schema)
        return
    yield Problem(pointer, "schema", _describe(error, schema))


def _describe(error: Any, schema: dict[str, Any]) -> str:
    message = _message(error.kind.name, error.kind, error.instance)
    if error.kind.name == "pattern":  # a regex alone is hard to read: name what the pattern stands for
        title = (_sub_schema(schema, list(error.schema_path)[:-1]) or {}).get("title")
        message = f"{title}: {message}" if title else message
    return message


def _alternatives(error: Any, pointer: str, schema: dict[str, Any]) -> Iterator[Problem]:
    """Errors of the alternative the value was meant to be, or one message that says what was allowed.

    An alternative is out when the value's type does not fit it, or -- while another fits --
    when a direct child fails its `const`/`enum` (a discriminator such as `object_type`). Of the rest, the only one
    left -- or the one that got deepest into the value -- speaks for the value.
    """
    path = list(error.instance_path)
    branches = [list(branch) for branch in error.kind.context]
    fitting = [b for b in branches if not any(e.kind.name == "type" and list(e.instance_path) == path for e in b)]
    meant = [b for b in fitting if not any(_fails_discriminator(e, path) for e in b)] or fitting
    if not meant:
        types = _ordered({t for b in branches for e in b if e.kind.name == "type" for t in _types(e.kind)})
        expected = " or ".join(types) or "another shape"
        yield Problem(pointer, "schema", f"expected {expected}, got {json_type(error.instance)}")
        return
    if len(meant) < len(branches) and all(_fails_value(e, path) for b in meant for e in b):
        # a type that fits no branch but one with a fixed value (a stderr `"N/A"`): say both, not just the value
        types = _ordered({t for b in branches for e in b if e.kind.name == "type" for t in _types(e.kind)})
        values = [v for b in meant for e in b for v in _values(e.kind)]
        expected = " or ".join([*types, _choices(values)])
        yield Problem(pointer, "schema", f"expected {expected}, got {json_type(error.instance)}")
        return
    if all(e.kind.name == "required" and list(e.instance_path) == path for b in meant for e in b):
        keys = ", ".join(show_key(str(e.kind.property)) for b in meant for e in b)
        yield Problem(pointer, "schema", f"missing required key: one of {keys}")
        return
    depth = [max(len(e.instance_path) for e in branch) for branch in meant]
    if len(meant) == 1 or (depth.count(max(depth)) == 1 and max(depth) > len(path)):
        for inner in meant[depth.index(max(depth))]:
            yield from problems(inner, schema)
        return
    titles = [sub.get("title") for sub in _branch_schemas(error, schema)]
    shapes = ": " + "; ".join(t for t in titles if t) if all(titles) else ""
    yield Problem(pointer, "schema", f"{json_type(error.instance)} value matches none of the allowed shapes{shapes}")


def _fails_discriminator(error: Any, path: list[Any]) -> bool:
    here = list(error.instance_path)
    return error.kind.name in ("const", "enum") and len(here) == len(path) + 1 and here[:-1] == path


def _fails_value(error: Any, path: list[Any]) -> bool:
    return error.kind.name in ("const", "enum") and list(error.instance_path) == path


def _values(kind: Any) -> list[Any]:
    return list(kind.options) if kind.name == "enum" else [getattr(kind, "expected_value", None)]


def _ordered(types: Any) -> list[str]:
    """Type names sorted, null last: `expected integer or null`."""
    return sorted({str(t) for t in types}, key=lambda t: (t == "null", t))


def _types(kind: Any) -> list[Any]:
    return kind.types if isinstance(kind.types, list) else [kind.types]


def _branch_schemas(error: Any, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives' schemas, with a local `$ref` followed to the definition it names."""
    found = _sub_schema(schema, list(error.schema_path))
    branches = []
    for sub in found if isinstance(found, list) else []:
        ref = sub.get("$ref", "") if isinstance(sub, dict) else ""
        target = _sub_schema(schema, ref[2:].split("/")) if ref.startswith("#/") else None
        branches.append({**(target or {}), **sub} if isinstance(sub, dict) else {})
    return branches


def _message(name: str, kind: Any, instance: Any) -> str:
    got = json_type(instance)
    if type(kind).__name__ == "OneOfMultipleValid":
        return f"{got} value matches more than one of the allowed shapes"
    if name == "type":
        return f"expected {' or '.join(_ordered(_types(kind)))}, got {got}"
    if name == "required":
        return f"{MISSING} {show_key(str(kind.property))}"
    if name == "enum":
        return f"must be one of: {_choices(list(kind.options))}{_nearest_word(instance, list(kind.options))}"
    if name == "const":
        if not hasattr(kind, "expected_value"):
            return "has the wrong value"
        return f"must be {_choices([kind.expected_value])}"
    if name == "format":
        return f"is not {_FORMATS.get(kind.format, 'a valid ' + kind.format)}"
    if name == "pattern":
        return f"does not match the pattern {kind.pattern}"
    if name in ("anyOf", "oneOf"):
        return f"{got} value matches none of the allowed shapes"
    if name == "uniqueItems":
        return "items must be unique"
    if name == "falseSchema":
        return "no value is allowed here"
    if name == "multipleOf":
        return f"must be a multiple of {kind.multiple_of}"
    if name == "contains":
        return "no item matches what this list must contain"
    if name in ("not", "dependentRequired", "dependentSchemas", "unevaluatedProperties", "unevaluatedItems"):
        return f"does not satisfy '{name}'"
    try:
        return _limit(name, kind)
    except (KeyError, AttributeError):
        return f"fails the '{name}' constraint"
