"""`mlmeta check --jobs N`: a large JSON Lines file's rows split across processes, findings as one process gives.

The split is mlmeta.partitions' map and reduce on one machine: each partition of the file (whole
lines, at most PART_BYTES) is judged in a worker of a process pool, and the parent adds the
results in file order and judges again the few rows whose cross-row findings may differ.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path
from typing import Any

from mlmeta.config import Config
from mlmeta.engine import Engine, Options
from mlmeta.findings import Finding
from mlmeta.partitions import Partition, PartResult, Reduction, judge, partitions
from mlmeta.schemas import Route

PART_BYTES = 8 << 20  # a worker holds one part in memory: bounded whatever the file's size

_engine: Engine | None = None  # a worker's own, built once per process


def _start(config: Config, options: Options, disabled_formats: frozenset[str]) -> None:
    global _engine
    _engine = Engine(config, options)
    _engine.kinds.disabled_formats = disabled_formats  # --disable-formats, set on the parent's kinds


def _portable(config: Config) -> Config:
    """The configuration without what was compiled from it (a worker that is not forked gets it pickled)."""
    copy = Config(config.root, config.routes, config.exclude, config.table, config.source)
    copy.derived = {name: value for name, value in config.derived.items() if name != "kinds"}
    return copy


def _part(path: Path, route: Route | None, partition: Partition) -> PartResult:
    assert _engine is not None
    return judge(_engine, path, route, partition)


def split(engine: Engine, path: Path, route: Route | None, state: dict[str, Any]) -> Iterator[Finding]:
    """The findings of every row of a JSON Lines file, from `engine.options.jobs` processes."""
    jobs = engine.options.jobs
    count = jobs * max(1, -(-os.path.getsize(path) // (PART_BYTES * jobs)))  # a multiple: the workers end together
    reduction = Reduction()
    given = (_portable(engine.config), engine.options, engine.kinds.disabled_formats)
    with ProcessPoolExecutor(min(jobs, count), initializer=_start, initargs=given) as pool:
        # a part is handed out as soon as its lines are counted; the parts come back in file order, each
        # added as it comes and let go: the parent's memory stays bounded
        for result in pool.map(_part, repeat(path), repeat(route), partitions(path, count)):
            reduction.add(result)
    yield from reduction.findings(engine, path, route, state)
