"""document -> schema validation -> rule checks -> findings.

Each file is routed to a kind and version, read into documents, validated
against its compiled schema, and handed to the rules of its kind. Everything
wrong becomes a Finding at its line and column. A file that cannot be read or
parsed is a finding too, and the other files are still checked.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG
from typing import TYPE_CHECKING, Any, NamedTuple

from mlmeta.config import Config
from mlmeta.documents import MISSING, Document, finding_at, read, rows
from mlmeta.findings import Finding, Problem
from mlmeta.openers import read_regular
from mlmeta.rules import RULES, Check, Run, Where, checks_for
from mlmeta.rules.phi.settings import KINDS as PHI_KINDS  # the kinds with result parts
from mlmeta.schemas import FORMAT_BY_SUFFIX, PEEK_BYTES, Kind, Kinds, Route, RouteError, SchemaRefError, kinds

if TYPE_CHECKING:
    from mlmeta.fixes import Edit

PHI_MODULE = "mlmeta.rules.phi"
SPLIT_BYTES = 8 << 20  # a JSON Lines file this large is split across --jobs processes; a smaller one is not worth it
SPLIT_FILES = 200  # files a run must have before --jobs shares them among processes (a fork costs ~100 files' work)


# Options, Engine and the other types a check meets at start-up are plain classes or named
# tuples: creating a dataclass costs a hook's start-up about a millisecond each.
class Options:
    """What the run was asked for."""

    def __init__(
        self,
        kind: Route | None = None,  # --kind KIND[@N]
        select: frozenset[str] | None = None,  # only these rule ids ("schema" included)
        strict: bool = False,
        fix: bool = False,  # --fix: apply the fixes problems offer; without it a check never writes
        jobs: int = 1,  # processes a large JSON Lines file's rows are split across (mlmeta.jobs)
    ) -> None:
        self.kind = kind
        self.select = select
        self.strict = strict
        self.fix = fix
        self.jobs = jobs


class _Plan(NamedTuple):
    route: Route | None
    validator: Any  # the compiled schema; None: no schema check (no kind, or not selected)
    checks: list[Check]
    own: Kind | None = None  # the route's kind
    family: Route | None = None  # the bundled kind (and version) its rules are those of
    json: bool = False  # the file is JSON or JSON Lines: a document's text is the JSON its value was read from


class Engine:
    """One per run: schemas are compiled, rule modules imported and folders resolved once."""

    def __init__(self, config: Config, options: Options | None = None) -> None:
        self.config = config
        self.options = options if options is not None else Options()
        self.skipped: list[tuple[str, str]] = []  # (path, why), for -v
        self.fixed: list[Finding] = []  # what --fix changed, severity "fixed"
        self.run = Run(self.config, self.options.strict, select=self.options.select)
        self.kinds: Kinds = kinds(config)
        self._checks: dict[Kind | None, list[tuple[str, Check]]] = {}  # kind -> its rule modules, once per run
        self._applies: dict[tuple[Kind, Route | None], list[Check]] = {}  # see _applying
        self._finishes: dict[Kind | None, list[Callable[[Where], Iterable[Problem]]]] = {}  # kind -> their finish()
        self._locked: set[str] = set()  # user kinds whose lock was compared this run
        self._last_where: tuple[_Plan, dict[str, Any], Path, Where] | None = None  # see _where
        self._folders: dict[str, str | None] = {}  # folder as given -> its resolved path relative to the root, + "/"
        self._shown: dict[Path, str] = {}  # path as given -> display(path), asked for by check.run before the check
        self._plans: dict[tuple[Route | None, str | None], _Plan] = {}  # see _plan
        self._outside: set[Path] = set()  # paths displayed as given: they lie outside the root
        self._sizes: dict[Path, int] = {}  # see inside

    def display(self, path: Path, link: bool | None = None) -> str:
        """The path relative to the root, symlinks resolved; as given when it lies outside the root.

        A run names hundreds of files in a few folders: each folder is resolved once, and a file
        costs only the test that it is no symlink itself (once: the name is kept for `check`), or
        not even that when the caller knows (`link`, from a stat it made already).
        """
        shown = self._shown.get(path)
        if shown is None:
            shown = self._shown[path] = self._display(path, os.path.islink(path) if link is None else link)
        return shown

    def inside(self, path: Path, status: os.stat_result | None = None) -> str | None:
        """display(path), or None when the path lies outside the root (no route or exclusion speaks of it).

        `status`: the path's lstat, when the caller has one (files.expand): it tells whether the path
        is a symbolic link, and a regular file's size, kept for `size`.
        """
        link = None
        if status is not None:
            link = S_ISLNK(status.st_mode)
            if S_ISREG(status.st_mode):
                self._sizes[path] = status.st_size
        shown = self.display(path, link)
        return None if path in self._outside else shown

    def size(self, path: Path) -> int:
        """The file's size in bytes, as `inside` saw it if it did (a stat saved a file, before --jobs forks)."""
        known = self._sizes.get(path)
        return file_size(path) if known is None else known

    def _display(self, path: Path, link: bool) -> str:
        name = path.name
        if link or name in ("", ".", ".."):
            named = self._relative(Path(os.path.realpath(path)))  # realpath: no error on a loop
        else:
            folder = os.path.dirname(path)  # strings, not pathlib: this runs for every file
            prefix = self._folders.get(folder, "?")
            if prefix == "?":
                resolved = self._relative(Path(os.path.realpath(folder or ".")))
                prefix = self._folders[folder] = None if resolved is None else "" if resolved == "." else resolved + "/"
            named = None if prefix is None else prefix + name
        if named is None:
            self._outside.add(path)
            return path.as_posix()
        return named

    def _relative(self, resolved: Path) -> str | None:
        try:
            return resolved.relative_to(self.config.root).as_posix()
        except ValueError:
            return None

    def checks(self, kind: Kind | None) -> list[tuple[str, Check]]:
        """The rule modules for a kind (its family's, for a user kind), looked up once per run."""
        if kind not in self._checks:
            family = kind.family if kind is not None else None
            also = frozenset({"duplicate-row"}) if kind is not None and kind.unique else frozenset()
            self._checks[kind] = checks_for(family.kind if family else None, self.options.select, also)
        return self._checks[kind]

    def wants(self, rule: str) -> bool:
        return self.options.select is None or rule in self.options.select

    def check(self, path: Path) -> Iterator[Finding]:
        link, mode = _modes(path)  # now, not when the run began: the file may have changed since
        shown = self._shown.get(path) or self._display(path, link)
        if not S_ISREG(mode):
            if S_ISDIR(mode) and os.path.isfile(os.path.join(path, "oci-layout")):  # files.expand gives no other folder
                from mlmeta.modelkit.layout import check_layout

                yield from check_layout(path, self)  # an OCI image layout, checked blob by blob
                return
            why = "not a regular file" if mode else "a symbolic link to nothing (or a loop)" if link else "no such file"
            yield Finding(shown, 1, 1, "", None, None, "read", "error", f"cannot read file: {why}")
            return
        if self.kinds.user:
            owner = self.kinds.schema_owner(shown)
            if owner is not None:  # one of the repository's own schemas: its lock speaks for it
                yield from self.locks([owner])
                return
        try:
            configured = self.kinds.configured(shown)
            forced = self.options.kind
            chosen = forced or configured
            kind = self.kinds[chosen.kind] if chosen else None
            by_suffix = FORMAT_BY_SUFFIX.get(path.suffix.lower())
            fmt = _format(kind, by_suffix)
            # a routed file is read whole, once; one that may yet be skipped only as far as the peek
            raw = _head(path, whole=kind is not None) if fmt in ("json", "yaml") else None
            declared_early = self.kinds.peek(raw[:PEEK_BYTES], fmt == "yaml", shown) if raw is not None else None
        except RouteError as error:
            yield Finding(shown, 1, 1, "", None, None, "schema-ref", "error", str(error))
            return
        if fmt is None or (
            kind is None and declared_early is None and not self._any_kind_rules() and not self._claimed(shown)
        ):
            self.skipped.append((shown, "no route claims it"))
            return
        if declared_early is not None and kind is None:
            kind = self.kinds[declared_early.kind]
        if self._phi_only() and not self._claimed(shown) and _family_name(kind) not in PHI_KINDS:
            self.skipped.append((shown, "not a result file"))  # `--select phi` reads result files only
            return
        options = kind.reader_options() if kind else {}
        if raw is not None and chosen is not None:  # the whole file: the reader need not read it again
            options["raw"] = raw
        plan = _Plan(None, None, [])
        state: dict[str, Any] = {}
        edits: list[tuple[Finding, Edit]] = []
        for number, document in enumerate(read(path, fmt, shown, **options)):
            if number == 0:
                try:
                    declared = self._declared(document, shown)
                    if declared is None and (not document.ok or _modeline(raw, fmt)):
                        declared = declared_early  # the peek found a `$schema` anywhere; only the top level counts
                    plan = self._plan(self.kinds.decide(forced, declared, configured), fmt)
                except RouteError as error:
                    yield self._finding(document, Problem(_ref_pointer(document), "schema-ref", str(error)), None)
                    return
                except SchemaRefError as error:
                    kind_name, version = self.kinds.decide(forced, declared, configured) or (None, None)
                    yield Finding(shown, 1, 1, "", kind_name, version, "schema-ref", "error", str(error))
                    return
                if plan.own is not None and plan.own.schema is not None and plan.own.name not in self._locked:
                    yield from self.locks([plan.own.name])
                if fmt == "jsonl" and self.options.jobs > 1 and not self.options.fix and file_size(path) >= SPLIT_BYTES:
                    from mlmeta.jobs import split  # only here: a small check never imports multiprocessing

                    yield from split(self, path, plan.route, state)
                    break
                catalog = plan.own.rows if plan.own is not None else None  # the rows' pointer in a one-file catalog
            if catalog is not None:
                for row in rows(document, catalog):
                    yield from self._document(row, plan, path, state, edits)
                continue
            found = self._document(document, plan, path, state, edits)
            if found:
                yield from found
        yield from self._finish(shown, path, plan, state)
        if edits:  # after the whole file was read: a JSONL file is streamed
            yield from self._apply(path, shown, edits)

    def part(
        self, path: Path, route: Route | None, start: int, end: int, line: int, state: dict[str, Any]
    ) -> list[Finding]:
        """The findings of a JSON Lines file's rows between two byte offsets (`line`: the first one's), routed
        as `check` routed the file (mlmeta.jobs: a worker's share)."""
        from mlmeta.documents.jsonl import part

        plan = self._plan(route, "jsonl")
        found: list[Finding] = []
        for document in part(path, self.display(path), start, end, line):
            found.extend(self._document(document, plan, path, state, []))
        return found

    def locks(self, names: Iterable[str]) -> Iterator[Finding]:
        """`schema-lock`: a released version of a user kind's schema whose bytes changed (once per kind per run)."""
        for name in names:
            if name in self._locked:
                continue
            self._locked.add(name)
            if self.wants("schema-lock"):
                for shown, version, message in self.kinds.lock_problems(name):
                    yield Finding(shown, 1, 1, "", name, version, "schema-lock", "error", message)

    def judge(
        self, document: Document, route: Route | None, path: Path, state: dict[str, Any], fmt: str | None = None
    ) -> list[Finding]:
        """A document handed to the engine by another source (an OCI layout's blob, a row judged again by
        mlmeta.jobs), judged as a file's would be."""
        return self._document(document, self._plan(route, fmt), path, state, [])

    def finish(self, path: Path, route: Route | None, state: dict[str, Any]) -> Iterator[Finding]:
        """What rule modules say once a JSON Lines file's rows were judged elsewhere (mlmeta.partitions.merge)."""
        return self._finish(self.display(path), path, self._plan(route, "jsonl"), state)

    def _claimed(self, shown: str) -> bool:
        """`[tool.mlmeta.phi] paths` route a file to the no-PHI rules even when no kind claims it."""
        if not self.config.option("phi", "paths"):
            return False
        from mlmeta.rules.phi import claimed

        return claimed(shown, self.config)

    def _finish(self, shown: str, path: Path, plan: _Plan, state: dict[str, Any]) -> Iterator[Finding]:
        """Rule modules with a `finish(where)` speak once after a file's last document (stale allowlist entries)."""
        own = plan.own
        if own not in self._finishes:  # looked up once per run, not once per file
            modules = (import_module(module) for module, _ in self.checks(own))
            self._finishes[own] = [module.finish for module in modules if hasattr(module, "finish")]
        if not self._finishes[own]:
            return
        family, version = plan.family or (None, None)
        kind, shown_version = plan.route or (None, None)
        where = Where(shown, path, family, version, 1, self.run, state, own=own)
        for finish in self._finishes[own]:
            for p in finish(where):
                if self.wants(p.rule):
                    yield Finding(shown, 1, 1, p.pointer, kind, shown_version, p.rule, p.severity, p.message)

    def _redacted(self, found: list[Finding]) -> list[Finding]:
        """No finding's pointer or message shows a key in which a no-PHI detector finds an identifier."""
        from mlmeta.rules.phi import redact

        return redact(found)

    def _any_kind_rules(self) -> bool:
        """A selected rule reads files of any kind, routed or not (no-PHI reads unrouted files only when claimed)."""
        selected = self.options.select
        return selected is not None and any(
            rule in RULES and RULES[rule].kinds is None and RULES[rule].module != PHI_MODULE for rule in selected
        )

    def _phi_only(self) -> bool:
        selected = self.options.select
        return bool(selected) and all(rule in RULES and RULES[rule].module == PHI_MODULE for rule in selected or ())

    def _plan(self, route: Route | None, fmt: str | None = None) -> _Plan:
        """What every document of a file meets, worked out once per route and format (a run has few)."""
        key = (route, fmt)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._new_plan(route, fmt)
        return plan

    def _new_plan(self, route: Route | None, fmt: str | None) -> _Plan:
        if route is None or route.version is None:
            return _Plan(route, None, [check for _, check in self.checks(None)])
        own = self.kinds[route.kind]
        if not own.format and fmt:  # a user kind's file, read as its suffix says: JSON Lines rows are rows
            own = own._replace(format=fmt)
        validator = self.kinds.validator(route.kind, route.version) if self.wants("schema") else None
        family = route if own.schema is None else own.family
        return _Plan(route, validator, self._applying(own, family), own, family, fmt in ("json", "jsonl"))

    def _applying(self, own: Kind, family: Route | None) -> list[Check]:
        """The kind's checks whose module `applies(kind, version)` to the family's version (once per run):
        a rule of manifest v2 is not called for each row of a v1 manifest."""
        key = (own, family)
        if key not in self._applies:
            kind, version = family or (None, None)
            tests = [(check, getattr(import_module(module), "applies", None)) for module, check in self.checks(own)]
            self._applies[key] = [check for check, test in tests if test is None or test(kind, version)]
        return self._applies[key]

    def _document(
        self,
        document: Document,
        plan: _Plan,
        path: Path,
        state: dict[str, Any],
        edits: list[tuple[Finding, Edit]],
    ) -> list[Finding]:
        """The findings of one document (a JSONL row), sorted; called once per row, so kept lean."""
        route = plan.route
        found: list[Finding] = (
            [self._finding(document, problem, route, where) for problem, where in document.problems]
            if document.problems  # most rows have none: no comprehension to run
            else []
        )
        value = document.value
        if value is not MISSING:  # (document.ok, without a property call for each row)
            problems: list[Problem] = []
            valid = False  # known to pass its schema: rules may then skip what the schema rules out
            if plan.validator is not None:
                # is_valid first: the common answer, a third cheaper than collecting no errors
                valid = plan.validator.is_valid(value)
                if not valid:
                    problems = self._schema_problems(value, plan)
                if problems and document.problems:
                    # a value already reported while reading (NaN, a duplicate key) is not reported again
                    read_already = {problem.pointer for problem, _ in document.problems if problem.pointer}
                    problems = [p for p in problems if p.pointer not in read_already]
            select = self.options.select
            # a user kind's schema is not its family's: passing it says nothing the family's rules may skip
            trusted = valid and plan.family is plan.route
            last = self._last_where  # the file's Where, moved to this row (see _where; inline: once per row)
            if last is not None and last[0] is plan and last[1] is state and last[2] is path:
                where = last[3]
                where.path, where.line, where.valid = document.path, document.line, trusted
                where.text = document.text if plan.json else None
            else:
                where = self._where(document, plan, path, state, trusted)
            for check in plan.checks:
                if select is None:
                    problems.extend(check(value, where))
                else:
                    problems.extend(p for p in check(value, where) if p.rule in select)
            for problem in _explained(problems) if problems else ():
                finding = self._finding(document, problem, route)
                edit = self._edit(document, problem)
                if edit is None:
                    found.append(finding)
                else:
                    edits.append((self._redacted([finding])[0], edit))  # printed as `fixed`: its pointer too
        if found:
            found = self._redacted(found)
            found.sort(key=Finding.sort_key)
        return found

    def _where(self, document: Document, plan: _Plan, path: Path, state: dict[str, Any], valid: bool) -> Where:
        """A new Where for a file's rows, then moved from row to row by _document: a new one for each of 100k rows
        would cost 8 % of the run.

        No rule keeps a Where past its call (they keep what they need in `state`).
        """
        family, version = plan.family or (None, None)
        where = Where(document.path, path, family, version, document.line, self.run, state, valid, plan.own)
        where.text = document.text if plan.json else None
        self._last_where = (plan, state, path, where)
        return where

    def _edit(self, document: Document, problem: Problem) -> Edit | None:
        if not self.options.fix or problem.fix is None:
            return None
        from mlmeta.fixes import edit_for

        return edit_for(document, problem.pointer, problem.fix) if not document.prefix else None

    def _apply(self, path: Path, shown: str, edits: list[tuple[Finding, Edit]]) -> Iterator[Finding]:
        from mlmeta.fixes import apply

        try:
            apply(path, [edit for _, edit in edits])
        except (OSError, ValueError) as error:  # nothing was written: the problems stand
            yield from (finding for finding, _ in edits)
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            yield Finding(shown, 1, 1, "", None, None, "fix", "error", f"cannot write the fixes: {reason}")
            return
        self.fixed.extend(finding._replace(severity="fixed", message=edit.done) for finding, edit in edits)

    def _schema_problems(self, value: Any, plan: _Plan) -> list[Problem]:
        from mlmeta.schema_errors import joined, problems  # only when there is an error to explain

        assert plan.route is not None and plan.route.version is not None
        schema = self.kinds.schema(plan.route.kind, plan.route.version)
        try:
            errors = plan.validator.iter_errors(value)
            return joined([problem for error in errors for problem in problems(error, schema)])
        except (ValueError, RecursionError):  # jsonschema-rs: "Recursion limit reached"
            return [Problem("", "schema", "nested too deeply to validate")]

    def _finding(
        self, document: Document, problem: Problem, route: Route | None, where: tuple[int, int] | None = None
    ) -> Finding:
        kind, version = (route.kind, route.version) if route else (None, None)
        return finding_at(document, problem, kind, version, where)

    def _declared(self, document: Document, shown: str) -> Route | None:
        """The kind a parsed document names in its own `$schema` key."""
        value = document.value
        if document.ok and isinstance(value, dict) and isinstance(value.get("$schema"), str):
            return self.kinds.declared(value["$schema"], shown)
        return None


def _explained(problems: list[Problem]) -> list[Problem]:
    """Without the generic findings that a more precise problem at the same pointer explains."""
    replaced = {(problem.replaces, problem.pointer) for problem in problems if problem.replaces}
    return [p for p in problems if (p.rule, p.pointer) not in replaced] if replaced else problems


def _ref_pointer(document: Document) -> str:
    value = document.value
    return "/$schema" if document.ok and isinstance(value, dict) and "$schema" in value else ""


def _modeline(raw: bytes | None, fmt: str | None) -> bool:
    """Whether a YAML file names its schema in a comment (which its parsed value cannot show)."""
    return fmt == "yaml" and raw is not None and b"yaml-language-server" in raw[:PEEK_BYTES]


def _family_name(kind: Kind | None) -> str | None:
    """The bundled kind whose rules a file of this kind meets (its own name, or what a user kind extends)."""
    family = kind.family if kind is not None else None
    return family.kind if family is not None else None


def _format(kind: Kind | None, by_suffix: str | None) -> str | None:
    """How a file is read: its kind's format, except that a JSON kind written as YAML is read as YAML.

    A user kind has no format of its own: its files are read as their suffix says (JSON without one).
    """
    if kind is None:
        return by_suffix
    own = kind.format or by_suffix or "json"
    return "yaml" if own == "json" and by_suffix == "yaml" else own


def _modes(path: Path) -> tuple[bool, int]:
    """Whether the path is a symbolic link, and the st_mode of what it names (0: nothing).

    One system call for a plain file, where is_dir, is_file and is_symlink would make three.
    """
    try:
        mode = os.lstat(path).st_mode
        if not S_ISLNK(mode):
            return False, mode
    except (OSError, ValueError):
        return False, 0
    try:
        return True, os.stat(path).st_mode
    except (OSError, ValueError):
        return True, 0


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the reader says why it cannot be read


def _head(path: Path, whole: bool) -> bytes | None:
    """The file's bytes, or only its first PEEK_BYTES; None when it cannot be read (the reader says why)."""
    try:
        return read_regular(path, head=None if whole else PEEK_BYTES)
    except (OSError, ValueError):
        return None
