"""Dataset `doc_type`s and `summary.mix` keys are paths of the taxonomy tree, and lie under the file's folder.

`taxonomy-path`: every path is a node of the bundled tree or of `[tool.mlmeta.taxonomy] extend`;
an unknown one gets the nearest valid path. Its message is more precise than the schema's pattern
error at the same place, which it replaces.

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
        problem = taxonomy.problem(path)
        if problem is not None:
            yield Problem(pointer, "taxonomy-path", problem, on_key=on_key, replaces="schema")
        elif folder is not None and not under(path, folder):
            what = "mix key" if on_key else "doc_type"
            message = f"{what} lies outside '{folder}', the taxonomy path of the folder this file is in"
            yield Problem(pointer, "taxonomy-layout", message, on_key=on_key)


def doc_types(value: dict[str, Any]) -> Iterator[tuple[str, str, bool]]:
    """(pointer, path, is a key) for each domain's `doc_type` and each `summary.mix` key."""
    domains = value.get("domains")
    for index, domain in enumerate(domains if isinstance(domains, list) else []):
        if isinstance(domain, dict) and isinstance(domain.get("doc_type"), str):
            yield f"/domains/{index}/doc_type", domain["doc_type"], False
    summary = value.get("summary")
    mix = summary.get("mix") if isinstance(summary, dict) else None
    for key in mix if isinstance(mix, dict) else {}:
        yield join("/summary/mix", key), key, True


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
