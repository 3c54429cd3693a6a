"""The taxonomy of training-data sources: the bundled tree, a repository's extensions, paths and suggestions.

The tree ships as data in `schemas/taxonomy/v1.json` (`x-mlmeta-taxonomy`); `[tool.mlmeta.taxonomy]
extend = ["web/shopping", ...]` adds nodes without forking it. Every node is a valid path; a
`<placeholder>` node (`specific_datasets/<focus>`) accepts any lower-case slug in its place.
`mlmeta taxonomy` prints the tree.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from argparse import Namespace
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from mlmeta.config import Config, ConfigError, discover

VERSION = 1
SYNTAX = re.compile(r"[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*\Z")
SETTINGS = {"extend"}


@dataclass
class Node:
    children: dict[str, Node] = field(default_factory=dict)
    extension: bool = False  # added by [tool.mlmeta.taxonomy] extend

    def slot(self) -> str | None:
        """The `<placeholder>` child's name, when this node has one."""
        return next((name for name in self.children if name.startswith("<")), None)


@dataclass
class Taxonomy:
    root: Node
    slug: re.Pattern[str]

    def find(self, path: str) -> Node | None:
        """The node a path names, or None; a slug matches a placeholder."""
        node = self.root
        for token in path.split("/"):
            child = node.children.get(token)
            if child is None:
                slot = node.slot()
                child = node.children[slot] if slot and self.slug.match(token) else None
            if child is None:
                return None
            node = child
        return node

    def problem(self, path: str) -> str | None:
        """Why a path is not in the tree (with the nearest valid path), or None when it is."""
        if self.find(path) is not None:
            return None
        if self.find(path.lower()) is not None:
            return f"taxonomy paths are lower case; did you mean '{path.lower()}'?"
        near = self.suggest(path)
        hint = f"; did you mean '{near}'?" if near else " (mlmeta taxonomy prints the tree)"
        slotted = self._bad_slug(path)
        if slotted:
            return f"the part after {slotted}/ is a lower-case slug (a-z, 0-9, _ and -){hint}"
        return f"not a path of the dataset taxonomy{hint}"

    def suggest(self, path: str) -> str | None:
        """The nearest valid path: each part corrected to a close sibling, else the closest whole path."""
        corrected = self._correct(path.strip("/").split("/"))
        if corrected is not None and corrected != path:
            return corrected
        concrete = [p for p in self.paths() if "<" not in p]
        close = difflib.get_close_matches(path, concrete, n=1, cutoff=0.6)
        return close[0] if close else None

    def _correct(self, tokens: list[str]) -> str | None:
        node, fixed = self.root, []
        for token in tokens:
            if token in node.children:
                fixed.append(token)
                node = node.children[token]
                continue
            slot = node.slot()
            if slot and self.slug.match(token.lower().replace(" ", "_")):
                fixed.append(token.lower().replace(" ", "_"))
                node = node.children[slot]
                continue
            names = [name for name in node.children if name != slot]
            close = difflib.get_close_matches(token.lower(), names, n=1, cutoff=0.75)
            if not close:
                return None
            fixed.append(close[0])
            node = node.children[close[0]]
        return "/".join(fixed)

    def _bad_slug(self, path: str) -> str | None:
        """The parent path when only the slug in a placeholder's place is wrong (`specific_datasets/Finance`)."""
        parent, _, last = path.rpartition("/")
        found = self.find(parent) if parent else None
        return parent if found is not None and found.slot() and last and "/" not in last else None

    @cached_property
    def labels(self) -> set[str]:
        """Every node's own name (placeholders aside): the words a `doc_type` list may hold; once per run."""
        return {path.rpartition("/")[2] for path in self.paths() if "<" not in path}

    def label_problem(self, label: str) -> str | None:
        """Why a word of a `doc_type` list is no node of the tree (with the nearest), or None when it is."""
        labels = self.labels
        if label in labels:
            return None
        close = difflib.get_close_matches(label.lower(), sorted(labels), n=1, cutoff=0.75)
        hint = f"; did you mean '{close[0]}'?" if close else " (mlmeta taxonomy prints the tree)"
        return f"not a node of the dataset taxonomy{hint}"

    def paths(self) -> list[str]:
        """Every node as a path, placeholders included, in tree order."""
        return [path for path, _, _ in self.walk()]

    def walk(self) -> Iterator[tuple[str, int, Node]]:
        def visit(node: Node, prefix: str, depth: int) -> Iterator[tuple[str, int, Node]]:
            for name, child in node.children.items():
                path = f"{prefix}/{name}" if prefix else name
                yield path, depth, child
                yield from visit(child, path, depth + 1)

        return visit(self.root, "", 0)


def bundled() -> tuple[dict[str, Any], str]:
    from mlmeta.schemas import schema_root

    with (schema_root() / "taxonomy" / f"v{VERSION}.json").open(encoding="utf-8") as handle:
        schema = json.load(handle)
    return schema["x-mlmeta-taxonomy"], schema["x-mlmeta-slug"]


def load(config: Config) -> Taxonomy:
    """The bundled tree plus the configured extensions; a bad extension is a usage error."""
    tree, slug = bundled()
    taxonomy = Taxonomy(_nodes(tree), re.compile(slug))
    for path in extensions(config):
        node = taxonomy.root
        for token in path.split("/"):
            if token not in node.children:
                node.children[token] = Node(extension=True)
            node = node.children[token]
    return taxonomy


def extensions(config: Config) -> list[str]:
    table = config.table.get("taxonomy", {})
    where = f"{config.source}: [tool.mlmeta.taxonomy]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} is a table with the key extend")
    unknown = sorted(set(table) - SETTINGS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(SETTINGS))}")
    extend = table.get("extend", [])
    if not isinstance(extend, list) or not all(isinstance(p, str) for p in extend):
        raise ConfigError(f'{where} extend is a list of paths, such as ["web/shopping"]')
    bad = [p for p in extend if not SYNTAX.match(p)]
    if bad:
        raise ConfigError(f"{where} extend: {bad[0]!r} is not a path of lower-case slugs joined by '/'")
    return list(extend)


def _nodes(tree: dict[str, Any]) -> Node:
    return Node({name: _nodes(children) for name, children in tree.items()})


def under(path: str, parent: str) -> bool:
    """Whether a path is the parent itself or lies below it."""
    return path == parent or path.startswith(parent + "/")


def render(taxonomy: Taxonomy) -> str:
    """The tree as `001_*.txt` draws it, with extensions marked."""
    lines = []
    for path, depth, node in taxonomy.walk():
        name = path.rpartition("/")[2]
        mark = "  (extension)" if node.extension else "  (any lower-case slug)" if name.startswith("<") else ""
        lines.append(f"{'│  ' * (depth - 1)}{'├─ ' if depth else ''}{name}/{mark}")
    return "\n".join(lines) + "\n"


def run(args: Namespace) -> int:
    """`mlmeta taxonomy`: print the tree (or every path), with this repository's extensions."""
    taxonomy = load(discover(args.config))
    if args.paths:
        sys.stdout.write("".join(f"{path}\n" for path in taxonomy.paths()))
    else:
        sys.stdout.write(render(taxonomy))
    return 0
