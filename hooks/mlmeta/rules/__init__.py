"""Checks JSON Schema cannot say, one module per family.

`RULES` is the index: rule id -> (module, kinds it applies to, one-line description).
The engine imports a module only when a file of one of its kinds is checked,
so a model file never pays for the Kitfile or manifest rules. A module exposes
`check(value, where) -> Iterable[Problem]`; kinds None means every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from mlmeta.config import Config, ConfigError
from mlmeta.findings import Problem

if TYPE_CHECKING:
    from mlmeta.schemas import Kind


class RuleInfo(NamedTuple):  # a named tuple, not a dataclass: a millisecond less of start-up
    module: str
    kinds: frozenset[str] | None  # None: any kind, and files no route claims
    description: str
    default_severity: str = "error"


# keys a rule's rows-seen table (a manifest's repo_ids, hashes) holds in a plain dict before it moves to
# disk (rules.seen; ~220 bytes a key: ~26 MiB a table). Read here, for each row: rules.seen loads only to spill.
SPILL = 120_000


REPEATS = "repeats"  # where.state, in a partition (mlmeta.partitions): what `repeated` logs


def repeated(state: dict[str, Any], name: str, key: str, value: Any) -> None:
    """A row whose key an earlier row stored in table `name` with another value (rare: a duplicate).

    A partition's reduce needs every such row; a table that logged them itself would cost a method
    call for each row.
    """
    log = state.get(REPEATS)
    if log is not None:
        log[name].append((key, value))


def spilled(table: dict[str, Any]) -> Any:
    """A rule's rows-seen table past SPILL keys, moved to disk (a rules.seen.Seen, loaded only now)."""
    from mlmeta.rules.seen import spilled as moved

    return moved(table)


# Rules the engine itself produces while reading and validating.
BUILTIN = {
    "parse": "The file is not valid JSON, JSON Lines or YAML (NaN and Infinity included).",
    "encoding": "The file is not UTF-8, or starts with a byte-order mark.",
    "read": "The file cannot be read.",
    "duplicate-key": "An object holds the same key twice; the last value would silently win.",
    "schema": "The value breaks the JSON Schema of its kind and version.",
    "schema-ref": "The `$schema` or route names a kind or version that does not exist, or a user schema's `$ref` "
    "resolves to nothing.",
    "schema-lock": "A released version of a user kind's schema changed since `mlmeta schemas lock` recorded it.",
    "fix": "`mlmeta check --fix` could not write a file; its problems stand.",
}

RULES: dict[str, RuleInfo] = {
    # no PHI in result files: kinds None, because `[tool.mlmeta.phi] paths` may route any file to them;
    # the module decides the scope by kind and path and loads its detectors only for a file in scope
    "phi-structure": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A result file holds more than aggregates: a metric that is not a number or null, a string outside "
        "the descriptive fields or over the length limit, a key naming raw material (`prompt`, `raw_text`, "
        "`example_outputs`, `patient`...), or a per-example list.",
    ),
    "phi-ssn": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A Social Security number (area, group and serial valid; 9 bare digits only after `SSN`).",
    ),
    "phi-national-id": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A national identity number python-stdnum validates (NHS, SIN, Aadhaar, CPF, NIR, DNI, BSN, PESEL, ...), "
        "after or under its own name.",
    ),
    "phi-phone": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A phone or fax number that `phonenumbers` finds valid (US by default, `+` international).",
    ),
    "phi-email": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "An e-mail address.",
    ),
    "phi-ip": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "An IPv4 or IPv6 address (not loopback or unspecified).",
    ),
    "phi-url": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A URL or path whose path, query or fragment names a person or record (`/patients/<id>`, `/chart/<number>`, "
        "`#/records?patientId=`, `?email=`, `~user`, user info).",
    ),
    "phi-date": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A real date right after (or before) birth, admission, discharge or death words, in several languages "
        "(`DOB 1961/09/09`, `b. 12/4/31`, `fecha de nacimiento`), or under a key such as `dob`.",
    ),
    "phi-age": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "An age over 89 with age context (`age 93`, `91-year-old`, `92 yo`); not a band (`age 90+`, `90-94`).",
    ),
    "phi-address": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A street address (`221 Baker Street`, `Musterstraße 12`, `12 rue de la Paix`, `P.O. Box 17`, "
        "`Somerville, MA 02143`).",
    ),
    "phi-zip": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A ZIP+4 code.",
    ),
    "phi-mrn": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A medical record number after (or in brackets after) `MRN`, `MR#`, `medical record`, `chart`, `Unit No`, "
        "`patient ID`, ... or under such a key (`mrn`, `hadm_id`, `subject_id`).",
    ),
    "phi-health-plan": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A health plan, member, policy or beneficiary number after its context word.",
    ),
    "phi-account": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "An account number after `account` or `acct`.",
    ),
    "phi-license": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A licence or certificate number after its context word.",
    ),
    "phi-npi": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A National Provider Identifier after `NPI` whose Luhn check over `80840` + the number holds.",
    ),
    "phi-dea": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A DEA registration number whose check digit holds.",
    ),
    "phi-mbi": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A Medicare Beneficiary Identifier that follows the character-position rules.",
    ),
    "phi-card": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A payment card number with a known issuer prefix whose Luhn check holds.",
    ),
    "phi-vin": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A vehicle identification number whose check digit (position 9) holds.",
    ),
    "phi-name": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "A person's name after a title (`patient`, `Mr.`, `Dr.`, ...) or a label (`Patient:`, `Name:`), a whole "
        "`Last, First` or `LAST, FIRST` key or value, or a `last_first_<date>.txt` file name (not in `experimenters`).",
    ),
    "phi-free-text": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "Free text: sentences, clinical narrative or shorthand, note headers (MIMIC's `Name: ___` too), pasted "
        "prompts, or text in another script (CJK, Devanagari, Arabic, ...).",
    ),
    "phi-allowlist-stale": RuleInfo(
        "mlmeta.rules.phi",
        None,
        "An entry of the PHI allowlist matches no finding of its file any more.",
        "warning",
    ),
    "duplicate-row": RuleInfo(
        "mlmeta.rules.repo_ids",
        frozenset({"manifest"}),
        "Two manifest rows share a `repo_id`; for a user kind with `unique`, two rows (or files) share those keys.",
    ),
    "repo-namespace": RuleInfo(
        "mlmeta.rules.repo_ids",
        frozenset({"manifest", "measurements"}),
        "A `repo_id` is outside the namespace `[tool.mlmeta] namespace` requires.",
    ),
    "kitfile-path": RuleInfo(
        "mlmeta.rules.kitfile",
        frozenset({"kitfile"}),
        "A Kitfile path is absolute, leaves the Kitfile's folder, is a URL, or names a ModelKit outside `model.path`.",
    ),
    "kitfile-duplicate-path": RuleInfo(
        "mlmeta.rules.kitfile",
        frozenset({"kitfile"}),
        "Two Kitfile layers use the same path (after `./`, `..` and a trailing `/` are resolved).",
    ),
    "kitfile-part-type": RuleInfo(
        "mlmeta.rules.kitfile",
        frozenset({"kitfile"}),
        "A model part's `type` does not match `^[\\w][\\w.-]*$` or is longer than 64 characters.",
    ),
    "kitfile-missing-path": RuleInfo(
        "mlmeta.rules.kitfile",
        frozenset({"kitfile"}),
        "A Kitfile path does not exist beside the Kitfile (an error under `--strict`).",
        "warning",
    ),
    "kitfile-manifest-version": RuleInfo(
        "mlmeta.rules.kitfile",
        frozenset({"kitfile"}),
        "A Kitfile has no `manifestVersion` (KitOps warns and assumes the current version).",
        "warning",
    ),
    "kitfile-duplicate-dataset": RuleInfo(
        "mlmeta.rules.kitfile", frozenset({"kitfile"}), "Two datasets share a name (KitOps allows it).", "warning"
    ),
    "modelkit-layers": RuleInfo(
        "mlmeta.rules.modelkit",
        frozenset({"modelkit-manifest"}),
        "A ModelKit's layers do not fit it: a second model layer, legacy and current media types mixed, or "
        "(in an OCI layout) layers other than those its Kitfile declares.",
    ),
    # produced by `mlmeta modelkit ref` and the OCI image-layout check, not by a per-file check
    "modelkit-ref": RuleInfo(
        "mlmeta.modelkit.reference",
        frozenset(),
        "A ModelKit reference breaks the naming rules (registry, repository, tag or digest).",
    ),
    "modelkit-layout": RuleInfo(
        "mlmeta.modelkit.layout", frozenset(), "An OCI image layout lacks a valid `oci-layout` or `index.json`."
    ),
    "modelkit-blob": RuleInfo(
        "mlmeta.modelkit.layout",
        frozenset(),
        "A blob an OCI image layout names is missing, or differs from its declared size or digest.",
    ),
    "modelkit-config": RuleInfo(
        "mlmeta.modelkit.layout",
        frozenset(),
        "A ModelKit's config blob is not a Kitfile, or its layer digests are malformed or incomplete.",
    ),
    "duplicate-measurement": RuleInfo(
        "mlmeta.rules.measurements",
        frozenset({"measurements"}),
        "A measurements file holds two records for one `repo_id`; enrich would not know which to merge.",
    ),
    # produced by `mlmeta manifest enrich`, not by a per-file check
    "unmatched-measurement": RuleInfo(
        "mlmeta.manifest.enrich", frozenset(), "A measurement names a `repo_id` that no row of the manifest has."
    ),
    "script-coverage": RuleInfo(
        "mlmeta.rules.script_coverage", frozenset({"manifest"}), "(manifest v2) A PII row lacks `script_coverage`."
    ),
    "script-verdict": RuleInfo(
        "mlmeta.rules.script_coverage",
        frozenset({"manifest"}),
        "(manifest v2) A script's verdict does not follow the row's languages and its UNK rate.",
    ),
    "script-eval": RuleInfo(
        "mlmeta.rules.script_coverage",
        frozenset({"manifest"}),
        "(manifest v2) `script_eval` lacks a script the row's languages claim.",
    ),
    "hash-format": RuleInfo(
        "mlmeta.rules.hashes",
        None,
        "A provenance hash is not `sha256:` + 64 lower-case hex digits (upper case is fixable with `--fix`).",
    ),
    "duplicate-hash": RuleInfo(
        "mlmeta.rules.hashes",
        frozenset({"manifest"}),
        "Two manifest rows share a `reproducibility_hash`.",
        "warning",
    ),
    # produced by `mlmeta hash --verify`, not by a per-file check
    "hash-verify": RuleInfo(
        "mlmeta.manifest.hashing",
        frozenset(),
        "A manifest row's `reproducibility_hash` differs from the hash recomputed from its local snapshot.",
    ),
    "taxonomy-path": RuleInfo(
        "mlmeta.rules.taxonomy",
        frozenset({"dataset"}),
        "A `doc_type` or `summary.mix` key is not a path of the dataset taxonomy (nearest path suggested).",
    ),
    "taxonomy-layout": RuleInfo(
        "mlmeta.rules.taxonomy",
        frozenset({"dataset"}),
        "A dataset file in `dataset_metadata/<taxonomy path>/` has a `doc_type` outside that path.",
    ),
    "misspelled-key": RuleInfo(
        "mlmeta.rules.keys",
        frozenset({"model", "dataset", "results"}),
        "A key in an open object is a known key misspelled: one letter dropped, added, changed or swapped, or "
        "another case or separator (`num_head`, `pretraining_data`); did-you-mean given.",
    ),
    # produced against the repository and its history by `mlmeta check` (`--base REF`), not per file
    "path-case": RuleInfo(
        "mlmeta.history",
        frozenset(),
        "Two files of the repository whose paths differ only in case: one replaces the other on macOS and Windows.",
    ),
    "history-immutable": RuleInfo(
        "mlmeta.history",
        frozenset(),
        "(--base) A committed ModelKit manifest, or a released schema of a user kind without a lock, changed in place.",
    ),
    "history-append-only": RuleInfo(
        "mlmeta.history",
        frozenset(),
        "(--base) A model record's earlier `training`, `evaluations` or `training_stages` entry changed or went, or "
        "entries were appended without a new `version`.",
    ),
    "history-stable-hash": RuleInfo(
        "mlmeta.history",
        frozenset(),
        "(--base) A manifest row kept `repo_id` and `released` but its `reproducibility_hash` changed, its "
        "`released` moved, or the row went (a warning).",
    ),
    "history-schema-version": RuleInfo(
        "mlmeta.history", frozenset(), "(--base) A file's declared schema version went down."
    ),
    "reference": RuleInfo(
        "mlmeta.rules.references",
        frozenset({"model", "dataset", "results", "manifest"}),
        "A name or path that points at another file resolves: `pretraining_data`, `file_pointer` (no cycle), "
        "a results `model_name`, a manifest `base_model` in the manifest's namespace.",
    ),
}


class Run:
    """What every rule may share during one run: configuration and read-once caches."""

    def __init__(
        self,
        config: Config,
        strict: bool = False,
        cache: dict[str, Any] | None = None,
        select: frozenset[str] | None = None,  # the rule ids chosen (None: all), for rules that defer to others
    ) -> None:
        self.config = config
        self.strict = strict
        self.cache = cache if cache is not None else {}
        self.select = select
        self.namespace = config.namespace  # read for each manifest row: an attribute, not the table's lookup

    @property
    def root(self) -> Path:
        return self.config.root


class Where:
    """The document a rule is looking at (one per JSONL row: slots, no dataclass)."""

    __slots__ = ("file", "kind", "line", "own", "path", "run", "state", "text", "valid", "version")

    def __init__(
        self,
        path: str,  # as printed
        file: Path,
        kind: str | None,
        version: int | None,
        line: int,  # the document's first line (a JSONL row's own line)
        run: Run,
        # per file, shared by the rule modules (each under its own keys, a key two modules mean alike
        # shared on purpose): the rows seen so far, for instance
        state: dict[str, Any],
        valid: bool = False,  # the document passed its kind's schema (False: it did not, or was not checked)
        # the file's own kind (a user kind, whose rules `kind` names); None: the kind `kind` names
        own: Kind | None = None,
    ) -> None:
        self.path = path
        self.file = file
        self.kind = kind
        self.version = version
        self.line = line
        self.run = run
        self.state = state
        self.valid = valid
        self.own = own
        # the JSON text the value was read from (a JSON file's, a JSON Lines row's); None: YAML, or not known
        self.text: str | None = None


Check = Callable[[Any, Where], Iterable[Problem]]


def select_rules(names: Iterable[str]) -> frozenset[str]:
    """Rule ids as given; a family name (`phi`) stands for every rule id that starts with it and a dash.

    An id no rule has is a usage error: a misspelt `--select` would check nothing and pass.
    """
    selected = set()
    for name in names:
        family = [rule for rule in RULES if rule.startswith(name + "-")]
        if not family and name not in RULES and name not in BUILTIN:
            import difflib

            near = difflib.get_close_matches(name, [*BUILTIN, *RULES], n=1)
            hint = f"; did you mean {near[0]!r}?" if near else " (the README's rule table lists them)"
            raise ConfigError(f"unknown rule id {name!r}{hint}")
        selected.update(family if family and name not in RULES and name not in BUILTIN else [name])
    return frozenset(selected)


def checks_for(
    kind: str | None, selected: frozenset[str] | None, also: frozenset[str] = frozenset()
) -> list[tuple[str, Check]]:
    """(module name, check) for each rule module that applies to this kind (or is in `also`) and selection."""
    modules: dict[str, None] = {}
    for rule_id, info in RULES.items():
        if selected is not None and rule_id not in selected:
            continue
        if info.kinds is None or kind in info.kinds or rule_id in also:
            modules[info.module] = None
    return [(name, import_module(name).check) for name in modules]
