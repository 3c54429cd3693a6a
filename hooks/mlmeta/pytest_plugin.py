"""pytest plugin: every metadata file the routes claim becomes one test item, `<path>::mlmeta`.

On with `pytest --mlmeta`, or `pytest = true` in `[tool.mlmeta]`; off for one run with
`-p no:mlmeta`. pytest imports this module in every project where mlmeta is installed,
so it imports nothing of mlmeta until the plugin is on, and the engine only when the
first item runs. A failing item shows its findings exactly as `mlmeta check` prints them;
warnings and notes pass and are shown as pytest warnings.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mlmeta.config import Config
    from mlmeta.engine import Engine
    from mlmeta.findings import Finding

# the mlmeta configuration of this run, or absent when the plugin is off
CONFIG_KEY: pytest.StashKey[Config] = pytest.StashKey()
ENGINE_KEY: pytest.StashKey[Engine] = pytest.StashKey()


class MetadataFindings(Exception):
    """A metadata file has findings that fail it."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(f"{len(findings)} finding(s)")
        self.findings = findings


class MetadataWarning(UserWarning):
    """A warning or note about a metadata file: shown, not failed."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlmeta", "metadata validation (mlmeta)")
    group.addoption(
        "--mlmeta",
        action="store_true",
        default=False,
        help="check every metadata file the mlmeta routes claim, one test item per file "
        "(also on with `pytest = true` in [tool.mlmeta])",
    )


def _wanted_in_pyproject(root: Path) -> bool:
    """`[tool.mlmeta] pytest = true`, read without loading the rest of mlmeta."""
    path = root / "pyproject.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "mlmeta" not in text:  # most projects: no parse at all
        return False
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        value = tomllib.loads(text).get("tool", {}).get("mlmeta", {}).get("pytest", False)
    except (tomllib.TOMLDecodeError, AttributeError):
        return False
    if not isinstance(value, bool):
        raise pytest.UsageError(f"{path}: [tool.mlmeta] pytest is true or false")
    return value


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "mlmeta: a metadata file checked by mlmeta")
    from_flag = bool(config.getoption("mlmeta", False))
    if not from_flag and not _wanted_in_pyproject(config.rootpath):
        return
    from mlmeta import config as configuration
    from mlmeta.schemas import RouteError, kinds

    try:
        loaded = configuration.load(configuration.find_root(config.rootpath))
        kinds(loaded).verify()  # a bad route or schema of your own is a usage error before anything is collected
    except (configuration.ConfigError, RouteError) as error:
        raise pytest.UsageError(f"mlmeta: {error}") from error
    config.stash[CONFIG_KEY] = loaded


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> MetadataFile | None:
    """Routed files in the folders pytest walks, and any data file named on the command line."""
    mlmeta_config = parent.config.stash.get(CONFIG_KEY, None)
    if mlmeta_config is None:
        return None
    from mlmeta.files import excluded, relative
    from mlmeta.schemas import FORMAT_BY_SUFFIX, configured_route

    shown = relative(file_path, mlmeta_config.root)
    if parent.session.isinitpath(file_path):
        wanted = file_path.suffix.lower() in FORMAT_BY_SUFFIX or (
            shown is not None and configured_route(shown, mlmeta_config) is not None
        )
    else:
        wanted = (
            shown is not None
            and configured_route(shown, mlmeta_config) is not None
            and not excluded(shown, mlmeta_config)
        )
    return MetadataFile.from_parent(parent, path=file_path) if wanted else None


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """A plain `pytest` run (no paths given) gets every routed file, wherever it lies."""
    mlmeta_config = config.stash.get(CONFIG_KEY, None)
    if mlmeta_config is None or getattr(config, "args_source", None) == pytest.Config.ArgsSource.ARGS:
        return
    from mlmeta.files import routed

    have = {item.path for item in items if isinstance(item, MetadataItem)}
    for name in routed(mlmeta_config):
        path = mlmeta_config.root / name
        if path not in have:
            items.extend(MetadataFile.from_parent(session, path=path).collect())


class MetadataFile(pytest.File):
    def collect(self) -> Iterator[MetadataItem]:
        item = MetadataItem.from_parent(self, name="mlmeta")
        item.add_marker("mlmeta")
        yield item


class MetadataItem(pytest.Item):
    def runtest(self) -> None:
        engine = self.config.stash.get(ENGINE_KEY, None)
        if engine is None:  # one engine per run: each schema is compiled once
            from mlmeta.engine import Engine

            engine = self.config.stash[ENGINE_KEY] = Engine(self.config.stash[CONFIG_KEY])
        findings = list(engine.check(self.path))
        failing = [f for f in findings if f.severity == "error"]
        if failing:
            raise MetadataFindings(findings)
        for finding in findings:
            # line 0: pytest's summary would print the source line, and a file's content
            # (a JSONL row, say) must not reach a CI log; the message says where it is
            warnings.warn_explicit(MetadataWarning(finding.format()), None, str(self.path), 0)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, MetadataFindings):
            return "\n".join(finding.format() for finding in excinfo.value.findings)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"mlmeta: {self.nodeid.partition('::')[0]}"
