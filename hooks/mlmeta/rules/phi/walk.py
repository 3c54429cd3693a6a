"""What is in PHI scope in each kind of file, and the shape rules of `phi-structure`.

The walker visits the scoped parts of a value and records two things: structure
problems (aggregates only: metric values are numbers or null, strings only in
descriptive fields and not too long, no keys that carry raw material, no
per-example lists), and every string and key to hand to the content detectors.

Scope by kind:
- results: the whole file; `results` holds metrics, the top-level names and dates are descriptive.
- measurements: the whole file, in any of its three shapes.
- manifest: only a row's `benchmark`, `latency_ms` and `peak_ram_mb` (never `canonical_labels`).
- model: `evaluations` and `training[*].train_performance` / `test_performance`.
- any other file that `[tool.mlmeta.phi] paths` names: the whole file, strings allowed.

In every scope, the configuration the evaluation tools write beside their scores (CONFIG_KEYS) is
read as configuration, unless it stands inside raw material (a pasted `samples` record).
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from typing import Any, NamedTuple

from mlmeta.documents import Ptr, pointer_of
from mlmeta.rules.phi.prefilter import NOTHING, passes
from mlmeta.schema_errors import show_key

# keys whose values are raw material: prompts, documents, examples and the people in them
_RAW = re.compile(
    r"\A(?:prompt|input|output|text|document|doc|example|sample|prediction|pred|completion|response|"
    r"transcript|note|patient|utterance|conversation|message|narrative|generation)(?:e?s)?\Z"
)

RESULTS_DESCRIPTIVE = frozenset({"$schema", "model_name", "last_updated", "source", "revision"})
# what lm-evaluation-harness records beside its scores: how the run was configured (task templates,
# model arguments, environment), not who was evaluated; a key it does not write (`samples`) is checked
LM_EVAL_RECORD = frozenset(
    {
        "configs", "config", "versions", "n-shot", "higher_is_better", "n-samples", "group_subtasks",
        "task_hashes", "pretty_env_info", "chat_template", "chat_template_sha", "git_hash", "upper_git_hash",
        "date", "start_time", "end_time", "total_evaluation_time_seconds", "model_name", "model_name_sanitized",
        "model_source", "system_instruction", "system_instruction_sha", "fewshot_as_multiturn",
        "transformers_version", "lm_eval_version", "tokenizer_pad_token", "tokenizer_eos_token",
        "tokenizer_bos_token", "eot_token_id", "max_length",
    }
)  # fmt: skip
# configuration the evaluation tools write beside their scores, wherever it stands (outside raw material):
# lm-evaluation-harness (0.3's run config, 0.4's task configs), lighteval, HELM's run spec, OpenAI evals'
# spec, GPT-NeoX arguments. Templates, function source and environment reports describe how prompts
# were built and where the run ran, not a person: only identifiers that prove themselves are looked for.
CONFIG_KEYS = frozenset(
    {
        "configs", "config", "pretty_env_info", "chat_template", "task_hashes", "system_instruction",
        "model_args", "generation_kwargs", "gen_kwargs", "doc_to_text", "doc_to_target", "doc_to_choice",
        "doc_to_decontamination_query", "process_results", "process_docs", "metric_list", "filter_list",
        "fewshot_config", "description_dict", "config_general", "config_tasks", "summary_general", "hashes",
        "hash_examples", "hash_full_prompts", "hash_input_tokens", "hash_cont_tokens", "lighteval_sha",
        "generation_parameters", "model_config", "run_spec", "adapter_spec", "scenario_spec", "metric_specs",
        "data_augmenter_spec", "spec", "eval_spec", "run_config", "completion_fns", "neox_args", "save_iters",
        "prompt_jinja", "prompt_name", "prompt_id", "prompt_original_task", "fixed_answer_choice_list",
        "prompt_template", "jinja", "env", "environment", "env_info", "hyperparameters",
        "training_args",
    }
)  # fmt: skip
# the rules still looked for in configuration: identifiers whose shape or checksum alone proves them
CONFIG_RULES = frozenset({"phi-email", "phi-ssn", "phi-card"})
# lists long by nature: confusion matrices and their labels, histograms, curves, checkpoint steps
_AGGREGATE_ARRAY = re.compile(
    r"(?i)(?:confusion|matrix|\bcm\b|labels?|label_names|class(?:es|_names)?|bins?|bin_edges|edges|buckets?|"
    r"histogram|hist|counts?|thresholds?|curve|fpr|tpr|precisions?|recalls?|roc|pr_|calibration|reliability|"
    r"percentiles?|quantiles?|iters|steps|checkpoints|batch_sizes|support|categories|vocab)"
)
DIGESTS = frozenset({"hash", "hashes", "sha", "digest", "checksum"})
_PEOPLE_KEY = re.compile(
    r"(?i)patient|person|people|subject|participant|surname|(?:first|last|full|given|family)_?name"
)
# keys under which a whole number is an identifier (the whole key: `age_90_plus_count` counts people):
# its digits meet the detectors, with the key as context
_IDENTIFIER_KEY = re.compile(
    r"(?i)(?:patient[_ -]?|pt[_ -]?)?(?:age|age_years|mrn|ssn|npi|dob|zip|zip_?code|phone|phone_?number|fax|"
    r"account|account_?number|acct|member_?id|policy_?number|subscriber_?id|medicaid_?id|medicare_?id|"
    r"beneficiary_?id|licen[cs]e|licen[cs]e_?number|chart|chart_?number|patient_?id|pid|subject_?id|hadm_?id|"
    r"stay_?id|encounter_?id|record_?id|nhs|nhs_?number|sin|aadhaar|cpf)"
)
# the fields that name what a score is (its task, split, metric, model) where the tools write them:
# strings there are labels, scanned and length-limited, not values out of place
LABEL_FIELDS = frozenset(
    {"dataset", "suite", "name", "alias", "split", "sub_split", "subset", "task", "task_name", "metric",
     "metric_name", "unit", "model", "model_id", "dataset_name", "dataset_path", "hf_repo", "hf_subset", "filter",
     "group", "title", "type", "version", "device", "description"}
    | RESULTS_DESCRIPTIVE
)  # fmt: skip
TASK_DESCRIPTIVE = frozenset({"alias", "name"})
RECORD_DESCRIPTIVE = frozenset({"repo_id", "recommended_tier", "reproducibility_hash"})
BENCHMARK_DESCRIPTIVE = frozenset({"dataset", "suite"})
METRIC_DESCRIPTIVE = frozenset({"object_type", "name", "unit", "description"})
DEVICE_MAPS = frozenset({"latency_ms", "peak_ram_mb"})
# AIND process fields a model's evaluation declares (2.x, and 1.x's locations and outputs): their
# names are the schema's, not raw material
PROCESS_FIELDS = frozenset(
    {"input_data", "output_path", "output_parameters", "notes", "input_location", "output_location", "outputs"}
)
NO_NAMES = frozenset({"phi-name"})
# a note about the run is descriptive text: a clinical note there is free text to the detectors
NOTES = frozenset({"notes", "note", "comment", "comments", "description"})
NONE: frozenset[str] = frozenset()
MANIFEST_SCOPE = ("benchmark", *sorted(DEVICE_MAPS))  # what a manifest row holds in scope


def scan(text: str, context: str = "", skip: frozenset[str] = frozenset()) -> dict[str, int]:
    """`detectors.scan`, the detectors imported only for a string the prefilter lets through (or one under a
    key naming people, where a plain `First Last` is a name)."""
    if len(text) < 2 or not (passes(text) or _people_key(context)):
        return NOTHING
    from mlmeta.rules.phi.detectors import scan as detect

    return detect(text, context, skip)


@lru_cache(maxsize=4096)
def scan_key(key: str, context: str) -> dict[str, int]:
    """`scan` for a key: the same few keys come back in every row (the result is shared: never change it)."""
    return scan(key, context)


@lru_cache(maxsize=4096)
def raw_material(key: str) -> bool:
    """`prompt`, `raw_text`, `exampleOutputs`, `model_inputs`: a key naming raw material, in any case."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key)
    words = [token for token in re.split(r"[^A-Za-z]+", spaced.lower()) if token]
    if words and words[-1] in DIGESTS:  # `prompt_hash`, `doc_sha`: a digest of raw material is not the material
        return False
    return any(_RAW.match(token) for token in words)


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else "a number"


class Hit(NamedTuple):
    """What the detectors found in one string: a value, or a key (then `pointer` is the key's own)."""

    pointer: str
    text: str
    on_key: bool
    rules: dict[str, int]


class Walker:
    __slots__ = ("hits", "max_items", "max_string", "problems", "raw_keys", "types")

    def __init__(self, max_string: int, max_items: int, types: bool = True) -> None:
        self.max_string = max_string
        self.max_items = max_items
        # report values of the wrong type (a string metric): off where the kind's schema already does
        self.types = types
        self.hits: list[Hit] = []
        # (pointer, message, what the finding is about as the allowlist fingerprints it, at the key?)
        self.problems: list[tuple[str, str, str, bool]] = []
        self.raw_keys: set[Ptr] = set()  # keys flagged: their values are not flagged again

    # -- recording ------------------------------------------------------------------
    def flag(self, pointer: Ptr, message: str, subject: Any, on_key: bool = False) -> None:
        if not on_key and pointer in self.raw_keys:
            return
        text = subject if isinstance(subject, str) else json.dumps(subject, sort_keys=True, ensure_ascii=False)
        self.problems.append((pointer_of(pointer), message, text, on_key))

    def string(self, pointer: Ptr, value: str, context: str, skip: frozenset[str] = frozenset()) -> None:
        found = scan(value, context, skip)
        if found:
            self.hits.append(Hit(pointer_of(pointer), value, False, found))

    def key(self, pointer: Ptr, key: str, context: str, exempt: frozenset[str], value: Any) -> None:
        found = scan_key(key, context)
        if found:
            self.hits.append(Hit(pointer_of(pointer), key, True, found))
        described = key in NOTES and isinstance(value, str)  # its text meets the detectors (free text too)
        raw = raw_material(key) and key not in exempt and not described
        if raw and isinstance(value, (str, list, dict)) and _carries(value):
            what = "names raw material (prompts, texts, examples, patients); keep aggregates only"
            self.flag(pointer, f"key {show_key(key)} {what}", key, True)
            self.raw_keys.add(pointer)

    def number(self, pointer: Ptr, value: int, context: str) -> None:
        """A whole number under an identifier's key (`age: 93`, `mrn: 63725130`) is that identifier's text."""
        if not isinstance(value, bool) and _identifier_key(context):
            self.string(pointer, str(value), context)

    def descriptive(self, pointer: Ptr, value: str, context: str, skip: frozenset[str] = frozenset()) -> None:
        self.string(pointer, value, context, skip)
        if len(value) > self.max_string and context != "$schema":
            self.flag(pointer, f"descriptive string of {len(value)} characters is longer than {self.max_string}", value)

    # -- roles ------------------------------------------------------------------------
    def free(
        self,
        pointer: Ptr,
        value: Any,
        context: str,
        exempt: frozenset[str] = frozenset(),
        skip: frozenset[str] = frozenset(),
    ) -> None:
        """Descriptive parts: strings allowed (length-limited), keys and lists still watched."""
        if isinstance(value, str):
            self.descriptive(pointer, value, context, skip)
        elif isinstance(value, int):
            self.number(pointer, value, context)
        elif isinstance(value, dict):
            for key, item in value.items():
                here = (pointer, key)
                if self.configuration(here, key, item, context):
                    continue
                self.key(here, key, context, exempt, item)
                self.free(here, item, key, exempt, NO_NAMES if key == "experimenters" else skip)
        elif isinstance(value, list):
            self._long_list(pointer, value, context)
            for index, item in enumerate(value):
                self.free((pointer, index), item, context, exempt, skip)

    def strict(self, pointer: Ptr, value: Any, context: str) -> None:
        """Parts that hold aggregates: no strings at all, outside the descriptive keys."""
        if isinstance(value, int):
            self.number(pointer, value, context)
        elif isinstance(value, str):
            self.string(pointer, value, context)
            if self.types:
                what = "outside the descriptive fields (aggregates only)"
                self.flag(pointer, f"string of {len(value)} characters {what}", value)
        elif isinstance(value, dict):
            for key, item in value.items():
                here = (pointer, key)
                if self.configuration(here, key, item, context):
                    continue
                self.key(here, key, context, NONE, item)
                if key in LABEL_FIELDS and isinstance(item, str):
                    self.descriptive(here, item, key)
                else:
                    self.strict(here, item, key)
        elif isinstance(value, list):
            if _AGGREGATE_ARRAY.search(context):  # label names may be strings: descriptive, not aggregates
                for index, item in enumerate(value):
                    there = (pointer, index)
                    if isinstance(item, str):
                        self.descriptive(there, item, context)
                    else:
                        self.strict(there, item, context)
            elif not self._long_list(pointer, value, context):
                for index, item in enumerate(value):
                    self.strict((pointer, index), item, context)
            else:
                self._texts_only(pointer, value, context)

    def configuration(self, pointer: Ptr, key: str, value: Any, context: str) -> bool:
        """A configuration key (outside raw material): its part is walked as configuration, and True."""
        if key not in CONFIG_KEYS or _inside_raw(pointer):
            return False
        self.config(pointer, key, value, context)
        return True

    def config(self, pointer: Ptr, key: str, value: Any, context: str) -> None:
        """Configuration: no structure rules, and only identifiers that prove themselves are looked for."""
        skip = _config_skip()
        found = scan_key(key, context) if key else NOTHING
        if found and any(rule not in skip for rule in found):
            self.hits.append(Hit(pointer_of(pointer), key, True, {r: n for r, n in found.items() if r not in skip}))
        if isinstance(value, str):
            self.string(pointer, value, key, skip)
        elif isinstance(value, dict):
            for inner, item in value.items():
                self.config((pointer, inner), inner, item, key)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    self.string((pointer, index), item, key, skip)
                else:
                    self.config((pointer, index), "", item, key)

    def metric(self, pointer: Ptr, value: Any, context: str, nullable: bool = True) -> None:
        """A metric value: a number, or null when not measured (device values: a number)."""
        if isinstance(value, int):
            self.number(pointer, value, context)
        if (value is None and nullable) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            return
        if value in ("N/A", " ") and nullable:  # lm-evaluation-harness: a stderr not computed, a blank column
            return
        if isinstance(value, str):
            self.string(pointer, value, context)
        else:
            self._texts_only(pointer, value, context)
        if not self.types:
            return
        if isinstance(value, list):
            what = "where an aggregate metric belongs (per-example values?)"
            self.flag(pointer, f"list of {len(value)} items {what}", value)
        else:
            self.flag(pointer, f"metric value is {_type(value)}, not a number{' or null' if nullable else ''}", value)

    def metrics_tree(self, pointer: Ptr, value: Any, context: str) -> None:
        """`results`: harness -> task -> n-shot -> metric -> number, objects all the way down."""
        if isinstance(value, dict):
            for key, item in value.items():
                here = (pointer, key)
                self.key(here, key, context, NONE, item)
                if key in TASK_DESCRIPTIVE and isinstance(item, str):
                    self.descriptive(here, item, key)  # lm-evaluation-harness names each task's scores
                else:
                    self.metrics_tree(here, item, key)
        else:
            self.metric(pointer, value, context)

    def device_map(self, pointer: Ptr, value: Any, context: str) -> None:
        if not isinstance(value, dict):
            self.strict(pointer, value, context)
            return
        for key, item in value.items():
            here = (pointer, key)
            self.key(here, key, context, NONE, item)
            self.metric(here, item, key, nullable=False)

    def benchmark(self, pointer: Ptr, value: Any, context: str = "benchmark") -> None:
        """The legacy object `{dataset, metric: number}` or a list of suite entries."""
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            for index, item in enumerate(value):
                self.benchmark((pointer, index), item, context)
        elif isinstance(value, dict):
            for key, item in value.items():
                here = (pointer, key)
                self.key(here, key, context, NONE, item)
                if key in BENCHMARK_DESCRIPTIVE and (item is None or isinstance(item, str)):
                    if item is not None:
                        self.descriptive(here, item, key)
                else:
                    self.metric(here, item, key)
        elif value is not None:
            self.metric(pointer, value, context)

    def performance(self, pointer: Ptr, value: Any, context: str) -> None:
        """AIND `PerformanceMetric`s: `{name, value}`, the value an aggregate."""
        if not isinstance(value, list):
            self.strict(pointer, value, context)
            return
        for index, entry in enumerate(value):
            here = (pointer, index)
            if not isinstance(entry, dict):
                self.metric(here, entry, context)
                continue
            for key, item in entry.items():
                there = (here, key)
                self.key(there, key, context, NONE, item)
                if key == "value" and isinstance(item, (dict, list)):
                    # AIND allows any value: per-class scores or a confusion matrix are aggregates too
                    self.strict(there, item, str(entry.get("name", key)))
                elif key == "value" and isinstance(item, str):
                    self.descriptive(there, item, "value")  # a short verdict such as `degraded`: scanned, length-capped
                elif key == "value":
                    self.metric(there, item, str(entry.get("name", key)))
                elif key in METRIC_DESCRIPTIVE and isinstance(item, str):
                    self.descriptive(there, item, key)
                else:
                    self.strict(there, item, key)

    # -- helpers --------------------------------------------------------------------------
    def _long_list(self, pointer: Ptr, value: list[Any], context: str) -> bool:
        if len(value) <= self.max_items or _AGGREGATE_ARRAY.search(context) or _under_aggregate(pointer):
            return False
        scalars = all(isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in value)
        if scalars:
            what = f"looks per-example (more than {self.max_items}); keep aggregates only"
            self.flag(pointer, f"list of {len(value)} values {what}", value)
            return True
        return False

    def _texts_only(self, pointer: Ptr, value: Any, context: str) -> None:
        """Inside a part already flagged: scan its strings and keys, without more structure findings."""
        if isinstance(value, str):
            self.string(pointer, value, context)
        elif isinstance(value, dict):
            for key, item in value.items():
                here = (pointer, key)
                found = scan(key, context)
                if found:
                    self.hits.append(Hit(pointer_of(here), key, True, found))
                self._texts_only(here, item, key)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._texts_only((pointer, index), item, context)


@lru_cache(maxsize=4096)
def _people_key(key: str) -> bool:
    """A key whose values (or, for a parent, whose keys) are people: `Priya Raghunathan` there is a name."""
    return _PEOPLE_KEY.search(key) is not None


@lru_cache(maxsize=4096)
def _identifier_key(key: str) -> bool:
    return _IDENTIFIER_KEY.fullmatch(key) is not None


def _inside_raw(pointer: Ptr) -> bool:
    """A key above this place names raw material (`samples`, `doc`): nothing below it is configuration."""
    if not isinstance(pointer, str):
        pointer = pointer[0]  # the ancestors, not the key itself (`prompt_jinja` is configuration)
    while not isinstance(pointer, str):
        pointer, token = pointer
        if isinstance(token, str) and raw_material(token):
            return True
    return False


def _under_aggregate(pointer: Ptr) -> bool:
    """A key above names an aggregate array (`calibration/accuracy`, `confusion_matrix/matrix/3`)."""
    while not isinstance(pointer, str):
        pointer, token = pointer
        if isinstance(token, str) and _AGGREGATE_ARRAY.search(token):
            return True
    return False


@cache
def _config_skip() -> frozenset[str]:
    from mlmeta.rules.phi.detectors import LABELS

    return frozenset(LABELS) - CONFIG_RULES


def _carries(value: Any) -> bool:
    """Raw material: text, a non-empty list (per example), or an object with text somewhere inside.

    A task named `Patient Records QA` that maps to numbers is an aggregate, not raw material.
    """
    if isinstance(value, dict):
        return any(_carries(item) for item in value.values())
    return bool(value) and isinstance(value, (str, list))


def walk(value: Any, kind: str | None, walker: Walker) -> Walker:
    scope = _SCOPES.get(kind or "", _configured)
    scope(value, walker)
    return walker


def _results(value: Any, w: Walker) -> None:
    if not isinstance(value, dict):
        w.strict("", value, "")
        return
    lm_eval = "versions" in value  # the results JSON of lm-evaluation-harness (its `results` by task)
    for key, item in value.items():
        here = ("", key)
        if lm_eval and key in LM_EVAL_RECORD:
            w.config(here, key, item, "")
            continue
        if w.configuration(here, key, item, ""):
            continue
        w.key(here, key, "", NONE, item)
        if key == "results" or (lm_eval and key == "groups"):
            w.metrics_tree(here, item, key)
        elif key in LABEL_FIELDS and isinstance(item, str):
            w.descriptive(here, item, key)
        else:
            w.strict(here, item, key)


def _measurements(value: Any, w: Walker) -> None:
    if isinstance(value, list):
        for index, record in enumerate(value):
            _record(("", index), record, w)
    elif isinstance(value, dict) and isinstance(value.get("results"), list):
        for key, item in value.items():
            here = ("", key)
            w.key(here, key, "", NONE, item)
            if key == "results":
                for index, record in enumerate(item):
                    _record((here, index), record, w)
            elif key == "$schema" and isinstance(item, str):
                w.descriptive(here, item, key)
            else:
                w.strict(here, item, key)
    elif isinstance(value, dict):  # keyed by repo_id
        for key, item in value.items():
            here = ("", key)
            w.key(here, key, "repo_id", NONE, item)
            if key == "$schema" and isinstance(item, str):
                w.descriptive(here, item, key)
            else:
                _record(here, item, w)
    else:
        w.strict("", value, "")


def _record(pointer: Ptr, record: Any, w: Walker) -> None:
    if not isinstance(record, dict):
        w.strict(pointer, record, "")
        return
    for key, item in record.items():
        here = (pointer, key)
        w.key(here, key, "", NONE, item)
        if key in RECORD_DESCRIPTIVE and isinstance(item, str):
            w.descriptive(here, item, key)
        elif key in DEVICE_MAPS:
            w.device_map(here, item, key)
        elif key == "benchmark":
            w.benchmark(here, item)
        else:
            w.strict(here, item, key)


def _manifest(value: Any, w: Walker) -> None:
    if not isinstance(value, dict):
        return
    for key in MANIFEST_SCOPE:
        if key in value:
            here = ("", key)
            if key == "benchmark":
                w.benchmark(here, value[key])
            else:
                w.device_map(here, value[key], key)


def _model(value: Any, w: Walker) -> None:
    """A model file's result parts, settings.MODEL_PARTS, and nothing else (phi.check relies on it)."""
    if not isinstance(value, dict):
        return
    evaluations = value.get("evaluations")
    if isinstance(evaluations, list):
        for index, evaluation in enumerate(evaluations):
            here = ("/evaluations", index)
            if not isinstance(evaluation, dict):
                w.strict(here, evaluation, "evaluations")
                continue
            for key, item in evaluation.items():
                there = (here, key)
                w.key(there, key, "evaluations", PROCESS_FIELDS, item)
                if key == "performance":
                    w.performance(there, item, key)
                else:
                    w.free(there, item, key, PROCESS_FIELDS, NO_NAMES if key == "experimenters" else NONE)
    training = value.get("training")
    if isinstance(training, list):
        for index, step in enumerate(training):
            if isinstance(step, dict):
                for key in ("train_performance", "test_performance"):
                    if step.get(key) is not None:
                        w.performance((("/training", index), key), step[key], key)


def _configured(value: Any, w: Walker) -> None:
    if isinstance(value, dict) and "results" in value and ("versions" in value or "configs" in value):
        for key, item in value.items():  # lm-evaluation-harness' results JSON: its run record is configuration
            here = ("", key)
            if key in LM_EVAL_RECORD:
                w.config(here, key, item, "")
            elif not w.configuration(here, key, item, ""):
                w.key(here, key, "", NONE, item)
                w.free(here, item, key)
        return
    w.free("", value, "")


_SCOPES = {"results": _results, "measurements": _measurements, "manifest": _manifest, "model": _model}
