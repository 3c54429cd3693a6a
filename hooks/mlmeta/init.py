"""`mlmeta init`: set up an existing repository: pre-commit hooks, editor schemas, Kitfile modelines.

Every step adds what is missing and keeps what is there, so a second run changes nothing.
`.pre-commit-config.yaml` is edited through ruamel.yaml's round-trip mode with the file's
own indentation; the result must keep every line the user wrote, in order, byte for byte,
or the file is left alone and the lines to add by hand are printed instead.
"""

from __future__ import annotations

import difflib
import io
import json
import re
import sys
import warnings
from argparse import Namespace
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from mlmeta.atomic import write_atomic
from mlmeta.config import Config, discover
from mlmeta.pin import PROJECT, PinError, choose, installed_source

# The hook repository; override with --repo (a fork, a mirror, or a local path) and --rev.
DEFAULT_REPO = PROJECT
HOOK_ID = re.compile(r"mlmeta(?:-[a-z0-9]+)*")  # the ids in .pre-commit-hooks.yaml
PRE_COMMIT = ".pre-commit-config.yaml"
VSCODE = Path(".vscode") / "settings.json"

PYPROJECT_TABLE = """\
[tool.mlmeta]
# every key is optional; see `mlmeta check --help` and the README's Configuration section
exclude = []        # file patterns `mlmeta check` never discovers: test fixtures, vendored data
pytest = false      # true: `pytest` checks every metadata file too, one test item each

[tool.mlmeta.routes]
# "evals/**/*.json" = "results"   # files matching a pattern -> a kind, or kind@N
"""


class InitError(Exception):
    """A file init cannot edit safely; the user adds the lines by hand."""


def _snippet(repo: str, rev: str, hooks: list[str]) -> str:
    listed = "".join(f"      - id: {hook}\n" for hook in hooks)
    return f"  - repo: {repo}\n    rev: {rev}\n    hooks:\n{listed}"


def _ours(entry: Any, repo: str) -> bool:
    """The entry that holds mlmeta's hooks: same repository, or one with an mlmeta hook already."""
    if not isinstance(entry, dict):
        return False
    hooks = entry.get("hooks") or []
    return entry.get("repo") == repo or (
        entry.get("repo") != "local"
        and any(isinstance(h, dict) and HOOK_ID.fullmatch(str(h.get("id"))) for h in hooks)
    )


def pre_commit_text(old: str | None, repo: str, rev: str, hooks: list[str]) -> str | None:
    """The new text of .pre-commit-config.yaml, or None when it already has the hooks."""
    if old is not None and "\r\n" in old:  # ruamel writes "\n": edit in "\n", give the file its own back
        new = pre_commit_text(old.replace("\r\n", "\n"), repo, rev, hooks)
        return new.replace("\n", "\r\n") if new is not None else None
    if old is None or not old.strip():
        return (old or "") + "repos:\n" + _snippet(repo, rev, hooks)
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import ReusedAnchorWarning, YAMLError
    from ruamel.yaml.util import load_yaml_guess_indent

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16  # never fold a long line the user wrote
    try:
        with warnings.catch_warnings():  # a reused anchor is legal YAML; PYTHONWARNINGS=error would raise it
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            _, indent, offset = load_yaml_guess_indent(old)
            data = yaml.load(old)
    except YAMLError as error:
        raise InitError(f"{PRE_COMMIT} is not valid YAML: {error}") from error
    except RecursionError as error:
        raise InitError(f"{PRE_COMMIT} nests too deeply to edit safely") from error
    if data is None:  # comments only
        return old + ("" if old.endswith("\n") else "\n") + "repos:\n" + _snippet(repo, rev, hooks)
    if not isinstance(data, dict) or not isinstance(data.get("repos", []), list):
        raise InitError(f"{PRE_COMMIT} has no `repos:` list")
    # the guess is the sequence indent and the dash offset; a mapping indents by their difference
    sequence, offset = indent or 2, offset or 0
    yaml.indent(mapping=sequence - offset if sequence > offset else 2, sequence=sequence, offset=offset)
    if "repos" not in data:
        data["repos"] = CommentedSeq()
    entry = next((e for e in data["repos"] if _ours(e, repo)), None)
    if entry is None:
        hook_list = CommentedSeq(CommentedMap(id=hook) for hook in hooks)
        data["repos"].append(CommentedMap(repo=repo, rev=rev, hooks=hook_list))
    else:
        have = {h.get("id") for h in entry.get("hooks") or [] if isinstance(h, dict)}
        missing = [hook for hook in hooks if hook not in have]
        if not missing:
            return None
        if not isinstance(entry.get("hooks"), list):
            entry["hooks"] = CommentedSeq()
        entry["hooks"].extend(CommentedMap(id=hook) for hook in missing)
    out = io.StringIO()
    yaml.dump(data, out)
    new_text = out.getvalue()
    if not keeps_every_line(old, new_text):
        raise InitError(
            f"{PRE_COMMIT}: adding the hooks would reformat lines you wrote; add these under `repos:` by hand:\n"
            + _snippet(repo, rev, hooks)
        )
    return new_text


def keeps_every_line(old: str, new: str) -> bool:
    """Every line of `old` is still in `new`, unchanged and in order: lines were only added."""
    before, after = old.splitlines(keepends=True), new.splitlines(keepends=True)
    if before and not before[-1].endswith("\n"):
        before[-1] += "\n"  # a missing final newline is the one thing the dump may add
    opcodes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    return all(tag in ("equal", "insert") for tag, *_ in opcodes)


def pyproject_text(old: str | None) -> str | None:
    """pyproject.toml with a `[tool.mlmeta]` table appended, or None when it has one."""
    if old is not None:
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on 3.10 only
            import tomli as tomllib
        try:
            if "mlmeta" in tomllib.loads(old).get("tool", {}):
                return None
        except tomllib.TOMLDecodeError as error:
            raise InitError(f"pyproject.toml is not valid TOML: {error}") from error
    if not old:
        return PYPROJECT_TABLE
    return old + ("" if old.endswith("\n") else "\n") + "\n" + PYPROJECT_TABLE


def vscode_text(old: str | None, config: Config, base: str, name: Callable[[int], str]) -> str | None:
    """.vscode/settings.json with the schema mappings it lacks, or None when it has them all."""
    from mlmeta.editors import merge_settings, vscode_settings

    wanted = vscode_settings(config, base, name)
    if old is None:
        return json.dumps(wanted, indent=4, ensure_ascii=False) + "\n"
    try:
        existing = json.loads(old)
    except json.JSONDecodeError as error:  # VS Code allows comments; we will not drop them
        raise InitError(
            f"{VSCODE.as_posix()} is not plain JSON (comments?), so it is left alone; add these settings by hand:\n"
            + json.dumps(wanted, indent=4)
        ) from error
    if not isinstance(existing, dict):
        raise InitError(f"{VSCODE.as_posix()} does not hold a JSON object")
    merged = merge_settings(existing, wanted)
    if merged == existing:
        return None
    indent = next((line[: len(line) - len(line.lstrip())] for line in old.splitlines() if line[:1] in " \t"), "    ")
    return json.dumps(merged, indent=indent, ensure_ascii=False) + "\n"


def kitfiles_without_modeline(config: Config) -> list[str]:
    from mlmeta.files import routed
    from mlmeta.openers import read_regular_text
    from mlmeta.schemas import configured_route, modeline_ref

    found = []
    for name in routed(config):
        route = configured_route(name, config)
        if route is None or route.kind != "kitfile":
            continue
        try:
            head = read_regular_text(config.root / name)
        except (OSError, UnicodeDecodeError):
            continue  # `mlmeta check` reports it; init only adds comments to files it can read
        if modeline_ref(head) is None:
            found.append(name)
    return found


def modeline_text(old: str | None, target: str) -> str:
    """The Kitfile with the schema modeline as its first line (a comment KitOps ignores)."""
    old = old or ""
    newline = "\r\n" if "\r\n" in old else "\n"
    return f"# yaml-language-server: $schema={target}{newline}{old}"


def _step(root: Path, relative: Path | str, change: Callable[[str | None], str | None]) -> str:
    path = root / relative
    shown = Path(relative).as_posix()
    old = _old_text(path, shown)
    new = change(old)
    if new is None or new == old:
        return f"unchanged: {shown}"
    try:
        data = new.encode("utf-8")
    except UnicodeEncodeError as error:  # the old text's escape (`"\\ud800"`) read back as a lone surrogate
        raise InitError(f"{shown}: it holds a lone surrogate (an escape such as \\ud800); left alone") from error
    path.parent.mkdir(parents=True, exist_ok=True)
    written = write_atomic(path, [data])
    through = f" (through the link, in {written})" if written != path else ""
    return f"{'created' if old is None else 'updated'}: {shown}{through}"


def _old_text(path: Path, shown: str) -> str | None:
    """The file's text with its line endings as they are; None when there is none (a dangling link included)."""
    from mlmeta.openers import read_regular_text

    try:
        return read_regular_text(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise InitError(f"{shown}: cannot read it: {error.strerror or error}; left alone") from error
    except UnicodeDecodeError as error:
        raise InitError(f"{shown}: not UTF-8 (byte {error.start}); left alone") from error


def run(args: Namespace) -> int:
    config = discover()
    root = config.root
    hooks = list(dict.fromkeys(args.hook or ["mlmeta"]))
    unknown = [hook for hook in hooks if not HOOK_ID.fullmatch(hook)]
    if unknown:
        print(f"mlmeta: error: not an mlmeta hook id: {', '.join(unknown)} (see the README's Hooks)", file=sys.stderr)
        return 2
    if args.rev:
        repo, rev = args.repo or installed_source()[0] or DEFAULT_REPO, args.rev
    else:
        try:
            repo, rev, why = choose(args.repo)
        except PinError as error:
            print(f"mlmeta init: {error}", file=sys.stderr)
            return 2
        if why:
            print(f"mlmeta init: {why}", file=sys.stderr)
    from mlmeta.editors import draft7_name
    from mlmeta.export import EXPORT_DIR, export_step, exported_name

    # editors read copies in the repository itself, unless the team hosts them (--schema-url)
    base, copy_name = (args.schema_url, draft7_name) if args.schema_url else (EXPORT_DIR, exported_name)
    pointed = False  # whether a step below names the copies
    steps: list[tuple[Path | str, Callable[[str | None], str | None]]] = [
        (PRE_COMMIT, lambda old: pre_commit_text(old, repo, rev, hooks)),
    ]
    if args.pyproject:
        steps.append(("pyproject.toml", pyproject_text))
    if not args.no_vscode:
        steps.append((VSCODE, lambda old: vscode_text(old, config, base, copy_name)))
        pointed = True
    if not args.no_modeline:
        from mlmeta.editors import modeline_target

        for name in kitfiles_without_modeline(config):
            target = modeline_target(base, root / name, root, name=copy_name)
            steps.append((name, partial(modeline_text, target=target)))
            pointed = True
    failed = False
    if pointed and not args.schema_url:  # first: the settings name the user kinds' copies only when they exist
        from mlmeta.editors import Draft7Error

        try:
            for line in export_step(config):
                print(line)
        except Draft7Error as error:
            print(f"mlmeta init: {error}", file=sys.stderr)
            failed = True
    for relative, change in steps:
        try:
            print(_step(root, relative, change))
        except InitError as error:
            print(f"mlmeta init: {error}", file=sys.stderr)
            failed = True
    return 1 if failed else 0
