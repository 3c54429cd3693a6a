"""Dataset `doc_type`s and `summary.mix` keys are paths of the taxonomy tree, and lie under the file's folder.

`taxonomy-path`: every path is a node of the bundled tree or of `[tool.mlmeta.taxonomy] extend`;
an unknown one gets the nearest valid path. A `doc_type` is written in two forms: a path string
(`code/source_code`) or a list (`["code", "source_code"]`, later files), which is either the path's
parts or labels of the tree (`["encyclopedic"]`); each label must be a node's name. A `summary.mix`
key is a taxonomy path only when it holds a `/`: most mixes are keyed by domain name (`c4`).

`taxonomy-layout`: a dataset file in `dataset_metadata/<taxonomy path>/` describes data under that
path. The folder is the longest leading part of the file's folders that is a taxonomy path, so
`dataset_metadata/the_pile.json` (a mix) has no constraint. `[tool.mlmeta.layout] datasets` names
the folder (default `dataset_metadata`); `false` turns the rule off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlmeta.config import ConfigError
from mlmeta.documents import join
from mlmeta.findings import Problem
from mlmeta.rules import Run, Where
from mlmeta.taxonomy import Taxonomy, load, under

DEFAULT_FOLDER = "dataset_metadata"
LAYOUT_SETTINGS = {"datasets"}


def check(value: Any, where: Where) -> Iterator[Problem]:
    if where.kind != "dataset" or not isinstance(value, dict):
        return
    taxonomy = _taxonomy(where.run)
    folder = _folder_path(where, taxonomy)
    for pointer, path, on_key in doc_types(value):
        if isinstance(path, list):
            yield from _labels(pointer, path, taxonomy, folder)
            continue
        problem = taxonomy.problem(path)
        if problem is not None:
            yield Problem(pointer, "taxonomy-path", problem, on_key=on_key, replaces="schema")
        elif folder is not None and not under(path, folder):
            what = "mix key" if on_key else "doc_type"
            message = f"{what} lies outside '{folder}', the taxonomy path of the folder this file is in"
            yield Problem(pointer, "taxonomy-layout", message, on_key=on_key)


def doc_types(value: dict[str, Any]) -> Iterator[tuple[str, str | list[str], bool]]:
    """(pointer, path or list of labels, is a key) for each domain's `doc_type` and each `summary.mix` path key."""
    domains = value.get("domains")
    for index, domain in enumerate(domains if isinstance(domains, list) else []):
        doc_type = domain.get("doc_type") if isinstance(domain, dict) else None
        if isinstance(doc_type, str) or (isinstance(doc_type, list) and all(isinstance(x, str) for x in doc_type)):
            yield f"/domains/{index}/doc_type", doc_type, False
    summary = value.get("summary")
    mix = summary.get("mix") if isinstance(summary, dict) else None
    for key in mix if isinstance(mix, dict) else {}:
        if "/" in key:
            yield join("/summary/mix", key), key, True


def _labels(pointer: str, labels: list[str], taxonomy: Taxonomy, folder: str | None) -> Iterator[Problem]:
    """A list `doc_type`: the parts of a path, else labels of the tree, each a node's name."""
    path = "/".join(labels)
    if labels and taxonomy.find(path) is not None:
        if folder is not None and not under(path, folder):
            message = f"doc_type lies outside '{folder}', the taxonomy path of the folder this file is in"
            yield Problem(pointer, "taxonomy-layout", message)
        return
    for position, label in enumerate(labels):
        problem = taxonomy.label_problem(label)
        if problem is not None:
            yield Problem(f"{pointer}/{position}", "taxonomy-path", problem)


def _taxonomy(run: Run) -> Taxonomy:
    if "taxonomy" not in run.cache:
        run.cache["taxonomy"] = load(run.config)
    taxonomy: Taxonomy = run.cache["taxonomy"]
    return taxonomy


def _folder_path(where: Where, taxonomy: Taxonomy) -> str | None:
    """The taxonomy path the file's folder stands for, or None when the layout does not constrain it."""
    top = layout_folder(where.run)
    if top is None or not where.path.startswith(top + "/"):
        return None
    folders = where.path[len(top) + 1 :].split("/")[:-1]
    for end in range(len(folders), 0, -1):
        path = "/".join(folders[:end])
        if taxonomy.find(path) is not None:
            return path
    return None


def layout_folder(run: Run) -> str | None:
    config = run.config
    table = config.table.get("layout", {})
    where = f"{config.source}: [tool.mlmeta.layout]"
    if not isinstance(table, dict) or set(table) - LAYOUT_SETTINGS:
        raise ConfigError(f'{where} takes one key, datasets = "<folder>" or false')
    folder = table.get("datasets", DEFAULT_FOLDER)
    if folder is False:
        return None
    if not isinstance(folder, str) or not folder.strip("/"):
        raise ConfigError(f"{where} datasets is a folder relative to the repository root, or false")
    return folder.strip("/")
