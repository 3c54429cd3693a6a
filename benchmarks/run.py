"""mlmeta against check-jsonschema, plain jsonschema and the parse floor, measured in the same run.

    pip install -e . -r benchmarks/requirements.txt
    python benchmarks/run.py [--quick] [--case N ...] [--runs N] [--workdir DIR]

Every figure is a whole process (start-up included), run several times after a warm-up run,
interleaved round by round with its peers; the tables give medians and the ratios between them.
The data is generated from a seed into a temporary folder (or --workdir, kept and reused).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data  # the benchmark's own modules, beside this script
from measure import Command, Failed, Result, machine, measure

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
SEED = 20240601
HOOK_REPO_FILES = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "hooks", "schemas"]


@dataclass(frozen=True)
class Sizes:
    model_files: int  # cases 2 and 5
    manifest_rows: int  # case 3
    growth: tuple[int, ...]  # case 4


FULL = Sizes(1_000, 100_000, (10_000, 100_000, 1_000_000))
QUICK = Sizes(20, 2_000, (500, 1_000, 2_000))
DEFAULT_RUNS = {1: 10, 2: 15, 3: 5, 4: 3, 5: 3}  # case 2: ~0.7 s a round; its median swayed with 5


@dataclass(frozen=True)
class Target:
    case: int
    what: str
    value: float
    limit: float

    @property
    def met(self) -> bool:
        return self.value <= self.limit


@dataclass
class Bench:
    workdir: Path
    sizes: Sizes
    runs: int | None
    targets: list[Target] = field(default_factory=list)

    def runs_for(self, case: int) -> int:
        return self.runs or DEFAULT_RUNS[case]


def tool(name: str) -> str:
    """An executable of this interpreter's environment (where the requirements were installed)."""
    beside = BIN / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} is not installed: pip install -e . -r benchmarks/requirements.txt")
    return found


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


# ---------------------------------------------------------------- data


def catalog(bench: Bench) -> Path:
    """A catalog repository as a user has it: model files, the repository's dataset files, schemas, git."""
    folder = bench.workdir / f"catalog-{bench.sizes.model_files}-g{data.GENERATOR_VERSION}"
    if (folder / ".done").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    data.write_model_files(folder / "model_metadata", bench.sizes.model_files, SEED)
    shutil.copytree(ROOT / "dataset_metadata", folder / "dataset_metadata")  # what pretraining_data names
    for kind in ("model", "dataset"):
        shutil.copytree(ROOT / "schemas" / kind, folder / "schemas" / kind)
    (folder / "pyproject.toml").write_text('[project]\nname = "model-catalog"\nversion = "0"\n', encoding="utf-8")
    git(folder, "init", "-q")
    (folder / ".done").touch()
    return folder


def manifest(bench: Bench, rows: int) -> Path:
    """A folder holding `models.jsonl` of `rows` rows and a pyproject that turns the namespace rule on."""
    folder = bench.workdir / f"manifest-{rows}-g{data.GENERATOR_VERSION}"
    if not (folder / ".done").exists():
        data.write_manifest(folder / "models.jsonl", rows, SEED)
        (folder / "pyproject.toml").write_text('[tool.mlmeta]\nnamespace = "OpenMed"\n', encoding="utf-8")
        (folder / ".done").touch()
    return folder


def schema_path(kind: str) -> Path:
    return ROOT / "schemas" / kind / "v1.json"


def check_generator() -> None:
    """The generated documents must be valid, or every figure would time error reporting."""
    import json

    import jsonschema_rs

    samples = {"model": data.sample(data.model_file, 500, SEED), "manifest": islice(data.manifest_rows(SEED), 500)}
    for kind, documents in samples.items():
        schema = json.loads(schema_path(kind).read_text(encoding="utf-8"))
        validator = jsonschema_rs.validator_for(schema, validate_formats=True)
        for index, document in enumerate(documents):
            for error in validator.iter_errors(document):
                raise SystemExit(f"benchmarks/data.py is out of date with schemas/{kind}/v1.json: "
                                 f"document {index}: {error.message} (at {error.instance_path})")


# ---------------------------------------------------------------- output


def heading(title: str) -> None:
    print(f"\n## {title}\n", flush=True)


def size(path: Path) -> str:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size
    return f"{total / 1e6:,.1f} MB" if total >= 1e6 else f"{total / 1e3:,.1f} kB"


def table(results: list[Result]) -> None:
    print("| command | median s | min s | max s | runs | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for result in results:
        print(f"| {result.command.label} | {result.median:.3f} | {min(result.seconds):.3f} | "
              f"{max(result.seconds):.3f} | {len(result.seconds)} | {result.peak_rss_mib:.1f} |")


def ratios(bench: Bench, case: int, rows: list[tuple[str, float, float | None]]) -> None:
    print("\n| ratio | value | target | met |")
    print("|---|---:|---:|---|")
    for what, value, limit in rows:
        if limit is None:
            print(f"| {what} | {value:.2f} | - | - |")
            continue
        target = Target(case, what, value, limit)
        bench.targets.append(target)
        print(f"| {what} | {value:.2f} | <= {limit:g} | {'yes' if target.met else 'NO'} |")
    print(flush=True)


def by_label(results: list[Result]) -> dict[str, Result]:
    return {result.command.label.split(" ", 1)[0]: result for result in results}


def shown(argv: list[str], cwd: Path) -> str:
    """A command as a reader would type it: tool names bare, paths relative to where it ran."""
    parts = []
    for arg in argv:
        if arg == sys.executable:
            parts.append("python")
        elif arg.startswith(str(BIN)):
            parts.append(Path(arg).name)
        elif arg.startswith(str(HERE)):
            parts.append(f"benchmarks/{Path(arg).name}")
        elif arg.startswith(str(ROOT)):
            parts.append(Path(arg).relative_to(ROOT).as_posix())
        elif arg.startswith(str(cwd)):
            parts.append(Path(arg).relative_to(cwd).as_posix())
        else:
            parts.append(arg)
    return " ".join(parts)


def command(name: str, argv: list[str], cwd: Path, **options: object) -> Command:
    text = shown(argv, cwd)
    if len(text) > 90:
        text = text[:80] + " ..."
    return Command(f"{name} `{text}`", argv, cwd, **options)  # type: ignore[arg-type]


# ---------------------------------------------------------------- cases


def case_files(bench: Bench, case: int, count: int) -> None:
    """Cases 1 and 2: mlmeta, check-jsonschema and the floor on the same model files."""
    folder = catalog(bench)
    names = sorted(p.relative_to(folder).as_posix() for p in (folder / "model_metadata").glob("*.json"))[:count]
    schema = "schemas/model/v1.json"
    commands = [
        command("mlmeta", [tool("mlmeta"), "check", *names], folder),
        command("check-jsonschema", [tool("check-jsonschema"), "--schemafile", schema, *names], folder),
        command("floor", [sys.executable, str(HERE / "floor.py"), schema, *names], folder),
    ]
    if case == 1:
        heading("Case 1: one small model file (the common commit)")
        print(f"One generated `model_metadata/*.json` file ({size(folder / names[0])}), schema `{schema}`.")
    else:
        heading(f"Case 2: {count:,} model files in one call")
        megabytes = sum((folder / name).stat().st_size for name in names) / 1e6
        print(f"{count:,} generated `model_metadata/*.json` files ({megabytes:.1f} MB), "
              f"all paths on one command line, schema `{schema}`.")
    print("floor: `benchmarks/floor.py` reads, parses (orjson) and validates (jsonschema-rs) the same files, "
          "nothing else, in one process.")
    print(f"mlmeta: every rule, at its default `--jobs` ({cpus()}); from 200 files on, the files are shared "
          "among that many processes, forked from the first (`hooks/mlmeta/jobs.py`).\n")
    results = by_label(measure([*commands], bench.runs_for(case)))
    table(list(results.values()))
    mlmeta, peer, floor = results["mlmeta"].median, results["check-jsonschema"].median, results["floor"].median
    # issue #17: one file at <= 1.2x the floor; 1,000 files at <= 0.25x check-jsonschema and <= 1.5x the floor
    peer_limit, floor_limit = (0.4, 1.2) if case == 1 else (0.25, 1.5)
    ratios(bench, case, [
        ("mlmeta / check-jsonschema", mlmeta / peer, peer_limit), ("mlmeta / floor", mlmeta / floor, floor_limit)
    ])


def manifest_rules() -> str:
    """The rule ids `mlmeta check` applies to a manifest, as the installed mlmeta lists them."""
    code = (
        "from mlmeta.rules import BUILTIN, RULES\n"
        "ids = [r for r in BUILTIN] + [r for r, i in RULES.items() if i.kinds is None or 'manifest' in i.kinds]\n"
        "print(', '.join(ids))"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def case_manifest(bench: Bench) -> None:
    rows = bench.sizes.manifest_rows
    folder = manifest(bench, rows)
    heading(f"Case 3: a {rows:,}-row models.jsonl, every rule on")
    print(f"`models.jsonl`: {rows:,} generated rows ({size(folder / 'models.jsonl')}); "
          "`[tool.mlmeta] namespace = \"OpenMed\"` turns the namespace rule on.")
    print(f"mlmeta rules for a manifest: {manifest_rules()}.")
    print("parse floor: `benchmarks/parse_floor.py` reads the file and parses every line with the fastest parser "
          f"installed ({parser_name()}), nothing else.")
    print("validation floor: `benchmarks/floor.py` reads, parses (orjson) and validates (jsonschema-rs) every row, "
          "nothing else: what the schema alone costs, before any rule.")
    print("jsonschema: `benchmarks/jsonschema_loop.py`, python-jsonschema's validator built once, json.loads and "
          "iter_errors per row (formats checked); slow, so at most 3 runs and no warm-up.")
    print(f"mlmeta: one process (`--jobs 1`); mlmeta-jobs: `--jobs` at its default, the CPU count ({cpus()}): "
          "the rows are split across that many processes, their cross-row keys merged (`hooks/mlmeta/jobs.py`).")
    print("check-jsonschema: not measured. It cannot read JSON Lines (it validates one JSON/YAML/TOML document "
          "per file), so there is no like-for-like figure to give.\n")
    schema = str(schema_path("manifest"))
    commands = [
        command("mlmeta", [tool("mlmeta"), "check", "--jobs", "1", "models.jsonl"], folder),
        command("mlmeta-jobs", [tool("mlmeta"), "check", "models.jsonl"], folder),
        command("parse-floor", [sys.executable, str(HERE / "parse_floor.py"), "models.jsonl"], folder),
        command("validation-floor", [sys.executable, str(HERE / "floor.py"), schema, "models.jsonl"], folder),
        command("jsonschema", [sys.executable, str(HERE / "jsonschema_loop.py"), schema, "models.jsonl"], folder,
                max_runs=min(3, bench.runs_for(3))),
    ]
    results = by_label(measure(commands, bench.runs_for(3)))
    table(list(results.values()))
    labels = ("mlmeta", "mlmeta-jobs", "parse-floor", "validation-floor")
    mlmeta, jobs, parse, validation = (results[label].median for label in labels)
    ratios(bench, 3, [
        ("mlmeta / parse floor", mlmeta / parse, 5),  # issue #17: every rule at <= 5x the parse floor
        (f"mlmeta-jobs ({cpus()}) / parse floor", jobs / parse, 3),  # issue #17: <= 3x with --jobs on 2 cores
        (f"mlmeta-jobs ({cpus()}) / mlmeta (one process)", jobs / mlmeta, None),
        ("mlmeta / jsonschema", mlmeta / results["jsonschema"].median, 0.05),
        ("validation floor / parse floor (the schema alone)", validation / parse, None),
        ("mlmeta / validation floor (the rules, the findings, the engine)", mlmeta / validation, None),
    ])


def cpus() -> str:
    return f"--jobs {os.cpu_count() or 1}"


def parser_name() -> str:
    try:
        import orjson

        return f"orjson {orjson.__version__}"
    except ImportError:  # pragma: no cover
        return "json (orjson is not installed)"


def case_growth(bench: Bench) -> None:
    heading("Case 4: growth, the manifest case at " + ", ".join(f"{n:,}" for n in bench.sizes.growth) + " rows")
    print("`mlmeta check --jobs 1 models.jsonl` alone, every rule on; peak RSS is the mlmeta process's own "
          "(wait4 rusage, read by `launch.py`; one process, so that it is the whole run's).\n")
    results: list[tuple[int, Result]] = []
    for rows in bench.sizes.growth:
        folder = manifest(bench, rows)
        label = f"mlmeta {rows:,} rows ({size(folder / 'models.jsonl')})"
        runs = bench.runs_for(4)
        slow = rows >= 100_000  # minutes per run: no warm-up (the file was just written, it is in the page cache)
        argv = [tool("mlmeta"), "check", "--jobs", "1", "models.jsonl"]
        command_ = Command(label, argv, folder, max_runs=runs if slow else None)
        result = measure([command_], runs)[0]
        results.append((rows, result))
    print("| rows | median s | µs per row | runs | peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|")
    for rows, result in results:
        print(f"| {rows:,} | {result.median:.3f} | {result.median / rows * 1e6:.1f} | {len(result.seconds)} | "
              f"{result.peak_rss_mib:.1f} |")
    (small_rows, small), (big_rows, big) = results[0], results[-1]
    ratios(bench, 4, [
        (f"time per row, {big_rows:,} / {small_rows:,}", (big.median / big_rows) / (small.median / small_rows), None),
        (f"peak RSS, {big_rows:,} / {small_rows:,}", big.peak_rss_mib / small.peak_rss_mib, None),
        # issue #17: memory may be traded for time, within a bound (rows-seen tables spill past it)
        (f"peak RSS MiB at {big_rows:,} rows", big.peak_rss_mib, 128 if big_rows >= 1_000_000 else None),
    ])


def hook_repository(bench: Bench) -> tuple[Path, str]:
    """This working tree as it is now (uncommitted edits included), committed where pre-commit can clone it."""
    repo = bench.workdir / f"hook-repo-{time.time_ns()}"
    repo.mkdir(parents=True)
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-qm", "hooks")
    return repo, git(repo, "rev-parse", "HEAD")


def case_precommit(bench: Bench) -> None:
    folder = catalog(bench)
    count = bench.sizes.model_files
    heading(f"Case 5: `pre-commit run --all-files` on a repository of {count:,} model files")
    hooks, rev = hook_repository(bench)
    version = metadata.version("check-jsonschema")
    configs = {
        "mlmeta": (
            f"repos:\n  - repo: {hooks.as_posix()}\n    rev: {rev}\n    hooks:\n      - id: mlmeta\n"
        ),
        # check-jsonschema's own hook definition (types_or json/yaml, not serial), one entry per schema as a
        # catalog with two kinds would configure it; installed by pre-commit from PyPI like any hook
        "check-jsonschema": "repos:\n  - repo: local\n    hooks:\n" + "".join(
            f"      - id: check-jsonschema-{kind}\n        name: check-jsonschema {kind}\n"
            f"        entry: check-jsonschema\n        language: python\n"
            f"        additional_dependencies: ['check-jsonschema=={version}']\n"
            f"        types_or: [json, yaml]\n        files: ^{kind}_metadata/\n"
            f"        args: [--schemafile, schemas/{kind}/v1.json]\n"
            for kind in ("model", "dataset")
        ),
    }
    env = {key: value for key, value in os.environ.items() if key not in ("PRE_COMMIT", "VIRTUAL_ENV")}
    env.update(
        PRE_COMMIT_HOME=str(bench.workdir / "pre-commit-home"), PIP_DISABLE_PIP_VERSION_CHECK="1",
        GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
        GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
    )
    for name, text in configs.items():
        (folder / f"{name}.pre-commit-config.yaml").write_text(text, encoding="utf-8")
    git(folder, "add", "-A", env=env)
    commands = []
    for name in configs:
        argv = [sys.executable, "-m", "pre_commit", "run", "--all-files", "-c", f"{name}.pre-commit-config.yaml"]
        print(f"installing the {name} hook environment (not timed) ...", file=sys.stderr, flush=True)
        installed = subprocess.run([*argv[:3], "install-hooks", *argv[-2:]], cwd=folder, env=env, capture_output=True)
        if installed.returncode != 0:  # e.g. no network to the package registry
            output = (installed.stdout + installed.stderr).decode("utf-8", "replace")[-3000:]
            raise Failed(f"pre-commit could not install the {name} hook environment:\n{output}")
        commands.append(Command(f"{name} `pre-commit run --all-files` ({name} hook)", argv, folder, env))
    datasets = len(list((folder / "dataset_metadata").rglob("*.json")))
    print(f"A git repository of {count:,} generated model files and the repository's {datasets} dataset files; "
          "our `mlmeta` hook from this working tree (pre-commit installs it like any hook repository) against "
          "check-jsonschema's hook, once per schema. Hook environments are installed and warmed up before timing.\n")
    results = by_label(measure(commands, bench.runs_for(5)))
    table(list(results.values()))
    ratio = results["mlmeta"].median / results["check-jsonschema"].median
    ratios(bench, 5, [("mlmeta / check-jsonschema", ratio, 0.5)])


CASES: dict[int, Callable[[Bench], None]] = {
    1: lambda bench: case_files(bench, 1, 1),
    2: lambda bench: case_files(bench, 2, bench.sizes.model_files),
    3: case_manifest,
    4: case_growth,
    5: case_precommit,
}


def versions() -> str:
    names = ("mlmeta", "check-jsonschema", "jsonschema", "jsonschema-rs", "orjson", "pre-commit")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def revision() -> str:
    try:
        head = git(ROOT, "rev-parse", "--short", "HEAD")
        dirty = git(ROOT, "status", "--porcelain", "--untracked-files=all", "--", "hooks", "schemas")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"{head}{' + uncommitted changes (measured as they are)' if dirty else ''}"


def compile_mlmeta() -> None:
    """Byte-compile the installed mlmeta, as pip does when it installs a package.

    With an editable install and PYTHONDONTWRITEBYTECODE set, every timed run would otherwise
    compile each module changed since its .pyc was written: a cost no installed hook pays.
    """
    import compileall
    from importlib.util import find_spec

    spec = find_spec("mlmeta")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            compileall.compile_dir(folder, quiet=2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test of the suite, not figures")
    parser.add_argument("--case", type=int, action="append", choices=sorted(CASES), help="only this case (repeatable)")
    parser.add_argument("--runs", type=int, help="timed runs per command (default: 10, 5, 5, 3, 3 for cases 1-5)")
    parser.add_argument("--workdir", type=Path, help="keep the generated data here, reuse it (default: a temp folder)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="mlmeta-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    bench = Bench(workdir.resolve(), QUICK if args.quick else FULL, args.runs)
    check_generator()
    compile_mlmeta()

    print("# mlmeta benchmarks" + (" (--quick: smoke-test sizes, not figures)" if args.quick else ""))
    print()
    for key, value in [*machine(), ("versions", versions()), ("mlmeta source", f"{ROOT} at {revision()}")]:
        print(f"- {key}: {value}")
    print(f"- method: whole processes, start-up included; 1 warm-up run, then medians of the timed runs, "
          f"peers interleaved round by round; data from seed {SEED}")
    failed = []
    try:
        for case in args.case or sorted(CASES):
            try:
                CASES[case](bench)
            except Failed as error:
                failed.append(case)
                print(f"\ncase {case} could not be measured: {error}", flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if bench.targets:
        heading("Targets")
        print("| case | ratio | value | target | met |")
        print("|---:|---|---:|---:|---|")
        for target in bench.targets:
            print(f"| {target.case} | {target.what} | {target.value:.2f} | <= {target.limit:g} | "
                  f"{'yes' if target.met else 'NO'} |")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
