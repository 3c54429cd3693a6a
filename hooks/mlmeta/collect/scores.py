"""`mlmeta collect scores NAME --from DIR`: a `results` file from Open LLM Leaderboard result files.

The leaderboard's details datasets hold one JSON file per evaluation run, named
`results_<timestamp>.json` (`results_2023-10-26T01-29-53.089924.json`), with the model under
`config_general.model_name` and the scores under `results`, keyed `harness|task|n_shot`
(`harness|arc:challenge|25`) -> metric -> number; `all` is the leaderboard's own average and is
not a task. Runs are merged per task: the latest run wins, and
the task's scores carry that run's timestamp, as the catalog's collector writes them:
`results.harness.<task>.<N>-shot.{metric, metric_stderr, timestamp}`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlmeta.collect.facts import CollectError, unicode_only

MAX_RESULTS = 256 * 1024 * 1024  # a leaderboard's results file is a few megabytes

RUN_FILE = re.compile(r"results_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d{1,6})?)\.json\Z")
METRIC = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass
class Run:
    timestamp: str  # the leaderboard's shape, from the file name: sortable as text
    path: Path
    scores: dict[tuple[str, str, str], dict[str, Any]]  # (harness, task, "N-shot") -> metrics and timestamp


def read_run(path: Path) -> tuple[str | None, Run]:
    """(the run's model name, the run) from one result file."""
    match = RUN_FILE.match(path.name)
    assert match is not None
    from mlmeta.openers import read_regular_text

    try:
        text = read_regular_text(path, MAX_RESULTS)
        value = unicode_only(json.loads(text), text)
    except OSError as error:
        raise CollectError(f"{path}: cannot read: {error.strerror or error}") from error
    except (ValueError, RecursionError) as error:  # ValueError: not UTF-8 or JSON, an integer too long
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise CollectError(f"{path}: not a leaderboard result file: {reason}") from error
    general = value.get("config_general") if isinstance(value, dict) else None
    results = value.get("results") if isinstance(value, dict) else None
    if not isinstance(general, dict) or not isinstance(results, dict):
        raise CollectError(f"{path}: not a leaderboard result file (no config_general and results)")
    stamp = match.group(1)
    scores: dict[tuple[str, str, str], dict[str, Any]] = {}
    for key, metrics in results.items():
        parts = key.split("|")
        if len(parts) != 3 or not isinstance(metrics, dict):
            continue  # `all`: the leaderboard's average, not a task
        harness, task, shots = parts
        kept = _metrics(metrics)
        if kept and re.fullmatch(r"[0-9]{1,4}", shots):  # ASCII digits int() reads, a real shot count
            scores[harness, task, f"{int(shots)}-shot"] = {**kept, "timestamp": stamp}
    model = general.get("model_name") if isinstance(general.get("model_name"), str) else None
    return model, Run(stamp, path, scores)


def _metrics(metrics: dict[str, Any]) -> dict[str, float | None]:
    kept: dict[str, float | None] = {}
    for metric, number in metrics.items():
        value = _number(number)
        if METRIC.match(metric) and metric != "timestamp" and value is not _SKIP:
            kept[metric] = value
    return kept


_SKIP: Any = object()


def _number(value: Any) -> Any:
    """A metric value as the results schema takes it: a finite number, null for NaN, else skipped."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _SKIP
    if isinstance(value, float) and math.isinf(value):  # an int is never infinite (and may be too big for a float)
        return _SKIP
    return value


def runs_of(name: str, folder: Path) -> list[Run]:
    """The model's runs under a folder, oldest first."""
    if not folder.is_dir():
        raise CollectError(f"{folder}: not a folder")
    runs = []
    for path in sorted(folder.rglob("results_*.json")):
        if RUN_FILE.match(path.name):
            model, run = read_run(path)
            if model == name:
                runs.append(run)
    if not runs:
        raise CollectError(f"{folder}: no leaderboard result file for {name}")
    return sorted(runs, key=lambda r: (r.timestamp, str(r.path)))


def collect(name: str, folder: Path, source: str | None, schema_ref: str) -> dict[str, Any]:
    """The results file: `model_name`, `last_updated` (a date), `results`; `source` only when given."""
    runs = runs_of(name, folder)
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for run in runs:  # oldest first: a later run overwrites each task it holds
        merged.update(run.scores)
    if not merged:
        raise CollectError(f"{folder}: the result files of {name} hold no task scores")
    results: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    for (harness, task, shots), metrics in sorted(merged.items()):
        results.setdefault(harness, {}).setdefault(task, {})[shots] = metrics
    document: dict[str, Any] = {
        "$schema": schema_ref,
        "model_name": name,
        "last_updated": max(m["timestamp"] for m in merged.values())[:10],  # the newest scores' day
        "results": results,
    }
    if source:
        document["source"] = source
    return document
