"""What the catalog knows about a model, gathered from the Hugging Face Hub or from a local snapshot.

Both sources give the same `ModelFacts`, so a manifest row or a model metadata file is built the
same way whichever one was used. Offline, each fact is read where the Hub itself derives it: the
model card's YAML front matter (language, license, base_model, tags, pipeline_tag), `config.json`,
the safetensors headers, the file list, and the commit of the snapshot.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmeta.documents import nested_deeper_than

if TYPE_CHECKING:
    from mlmeta.collect.snapshots import Snapshot


MAX_CARD = 16 * 1024 * 1024  # a model card's README.md
MAX_JSON = 64 * 1024 * 1024  # config.json, tokenizer_config.json
MAX_DEPTH = 100  # a real config nests a few levels


class CollectError(ValueError):
    """A model whose facts cannot be read: the message says which file and why."""


@dataclass
class ModelFacts:
    repo_id: str
    sha: str | None = None
    created_at: str | None = None  # RFC 3339 in UTC: `2023-09-20T13:03:50+00:00`
    last_modified: str | None = None  # likewise: the last commit, as the Hub's `lastModified`
    tags: list[str] = field(default_factory=list)
    pipeline_tag: str | None = None
    library_name: str | None = None
    card: dict[str, Any] = field(default_factory=dict)  # the model card's front matter
    config: dict[str, Any] | None = None  # config.json
    files: list[str] = field(default_factory=list)  # the repository's file names
    parameters: dict[str, int] | None = None  # safetensors parameters per dtype
    # what only the Hub records (null offline), and the Hub's summaries of the files
    private: bool | None = None
    gated: bool | str | None = None  # False, or how access is granted: `manual`, `auto`
    disabled: bool | None = None
    mask_token: str | None = None
    model_index: list[Any] | None = None  # the card's `model-index`
    hub_config: dict[str, Any] | None = None  # the Hub's `config`: architectures, model type, tokenizer config, ...
    transformers_info: dict[str, Any] | None = None

    @property
    def author(self) -> str:
        return self.repo_id.partition("/")[0]

    @property
    def released(self) -> str | None:
        return self.last_modified[:10] if self.last_modified else None


# --- local snapshots -------------------------------------------------------------------------------------------


def from_snapshot(snapshot: Snapshot, repo_id: str | None = None) -> ModelFacts:
    """Facts from a snapshot folder (Hub cache, `local_dir`, git clone or plain folder)."""
    from mlmeta.collect import safetensors

    name = repo_id or snapshot.repo_id
    if not name:
        raise CollectError(f"{snapshot.path}: the model id is not recorded in this folder; name it (ORG/NAME)")
    from mlmeta.collect import hub_summary

    folder = snapshot.path
    files = snapshot.files()
    card = read_card(folder / "README.md") if "README.md" in files else {}
    config = _read_json(folder / "config.json") if "config.json" in files else None
    tokenizer = _read_json(folder / "tokenizer_config.json") if "tokenizer_config.json" in files else None
    weights = [folder / name for name in files if name.endswith(".safetensors")]
    try:
        parameters = safetensors.parameters(weights) if weights else None
    except safetensors.SafetensorsError as error:
        raise CollectError(str(error)) from error
    model_index = card.get("model-index")
    return ModelFacts(
        repo_id=name,
        sha=snapshot.sha,
        last_modified=snapshot.committed(),
        tags=_strings(card.get("tags")),
        pipeline_tag=card.get("pipeline_tag") if isinstance(card.get("pipeline_tag"), str) else None,
        library_name=card.get("library_name") if isinstance(card.get("library_name"), str) else None,
        card=card,
        config=config,
        files=files,
        parameters=parameters,
        model_index=model_index if isinstance(model_index, list) else None,
        hub_config=hub_summary.config_summary(config, tokenizer),
        transformers_info=hub_summary.transformers_info(config, files),
    )


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*$", re.DOTALL | re.MULTILINE)


def read_card(path: Path) -> dict[str, Any]:
    """A model card's YAML front matter (between the leading `---` lines), as plain JSON values."""
    from mlmeta.openers import read_regular_text

    try:
        text = read_regular_text(path, MAX_CARD, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CollectError(f"{path}: cannot read the model card: {_reason(error)}") from error
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}
    from mlmeta.documents.yaml import parse_text

    # check's own YAML reader: aliases expanded within a bound, tags and nesting checked
    document = parse_text(match.group(1), str(path))
    if not document.ok:
        reason = document.problems[0][0].message if document.problems else "unreadable"
        raise CollectError(f"{path}: the model card's front matter is not YAML: {reason}")
    for problem, _ in document.problems:
        if problem.rule == "encoding":  # a lone surrogate: no file collected from it could be written
            raise CollectError(f"{path}: cannot read the model card: {problem.message}")
    return document.value if isinstance(document.value, dict) else {}


def jsonable(value: Any) -> Any:
    """YAML values as JSON values: dates become ISO strings, keys strings."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    return value


def _read_json(path: Path) -> dict[str, Any] | None:
    from mlmeta.openers import read_regular_text

    try:
        text = read_regular_text(path, MAX_JSON)
        value = unicode_only(json.loads(text), text)
    except (OSError, ValueError, RecursionError) as error:  # ValueError: not UTF-8 or JSON, an integer too long
        raise CollectError(f"{path}: cannot read: {_reason(error)}") from error
    if nested_deeper_than(value, MAX_DEPTH):  # what is collected from it is written out again, recursively
        raise CollectError(f"{path}: cannot read: nested deeper than {MAX_DEPTH} levels")
    return value if isinstance(value, dict) else None


def unicode_only(value: Any, text: str) -> Any:
    """The value parsed from `text`; ValueError when an escape in it made a lone surrogate (`"\\ud800"`).

    Such a string is no Unicode text: the file collected from it could not be written.
    """
    from mlmeta.documents.text import SURROGATE_ESCAPE, replace_surrogates

    if SURROGATE_ESCAPE.search(text):
        found: list[Any] = []
        replace_surrogates(value, found, lambda pointer, on_key: (1, 1))
        if found:
            raise ValueError(found[0][0].message)
    return value


def _reason(error: Exception) -> str:
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


# --- the Hugging Face Hub --------------------------------------------------------------------------------------


def from_hub_info(info: Any, config: dict[str, Any] | None = None) -> ModelFacts:
    """Facts from a `huggingface_hub.ModelInfo` (or any object with its attributes); `config` is config.json."""
    card_data = getattr(info, "card_data", None)
    to_dict = getattr(card_data, "to_dict", None)  # huggingface_hub's ModelCardData, or a plain mapping
    card = to_dict() if callable(to_dict) else dict(card_data or {})
    summary = _mapping(getattr(info, "config", None))
    safetensors_info = getattr(info, "safetensors", None)
    parameters = getattr(safetensors_info, "parameters", None) if safetensors_info is not None else None
    siblings = getattr(info, "siblings", None) or []
    model_index = getattr(info, "model_index", None)
    return ModelFacts(
        repo_id=info.id,
        sha=getattr(info, "sha", None),
        created_at=stamp(getattr(info, "created_at", None)),
        last_modified=stamp(getattr(info, "last_modified", None)),
        tags=list(getattr(info, "tags", None) or []),
        pipeline_tag=getattr(info, "pipeline_tag", None),
        library_name=getattr(info, "library_name", None),
        card=jsonable(card),
        config=config if config is not None else summary,  # the summary still names the model type
        files=sorted(sibling.rfilename for sibling in siblings),
        parameters=dict(sorted(parameters.items())) if isinstance(parameters, dict) else None,
        private=getattr(info, "private", None),
        gated=getattr(info, "gated", None),
        disabled=getattr(info, "disabled", None),
        mask_token=getattr(info, "mask_token", None),
        model_index=jsonable(model_index) if isinstance(model_index, list) else None,
        hub_config=jsonable(summary) if summary is not None else None,
        transformers_info=_mapping(getattr(info, "transformers_info", None)),
    )


def _mapping(value: Any) -> dict[str, Any] | None:
    """A dict, or huggingface_hub's dict-like dataclasses (`TransformersInfo`), as a plain dict."""
    return dict(value) if isinstance(value, dict) else None


def stamp(value: Any) -> str | None:
    """A moment as the collector writes it: ISO 8601 in UTC with `+00:00` (`2023-09-20T13:03:50+00:00`)."""
    if isinstance(value, str):
        try:  # before 3.11 fromisoformat does not read the Hub's `Z`
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def hub_api() -> Any:
    """An `HfApi` (the token comes from `HF_TOKEN` or the login cache, as `huggingface_hub` reads it)."""
    try:
        from huggingface_hub import HfApi
    except ImportError as error:
        raise CollectError("the Hugging Face Hub needs huggingface_hub: pip install 'mlmeta[hub]'") from error
    except ValueError as error:  # its settings are read at import: HF_ENDPOINT=http://[::1
        raise CollectError(f"huggingface_hub refuses its settings (HF_ENDPOINT and the other HF_ variables): {error}") \
            from error
    return HfApi()


def hub_facts(repo_id: str, api: Any | None = None) -> ModelFacts:
    """One model's facts from the Hub: its info, and its `config.json` (the info's summary has no sizes or labels)."""
    api = api or hub_api()
    with _hub_answers(repo_id):
        info = api.model_info(repo_id, files_metadata=True)
        names = {sibling.rfilename for sibling in getattr(info, "siblings", None) or []}
        config = None
        if "config.json" in names:
            from huggingface_hub import hf_hub_download

            config = _read_json(Path(hf_hub_download(repo_id, "config.json", revision=info.sha)))
    return from_hub_info(info, config)


def hub_models(org: str, api: Any | None = None) -> Iterator[ModelFacts]:
    api = api or hub_api()
    with _hub_answers(org):
        listed = [model.id for model in api.list_models(author=org)]
    for repo_id in listed:
        yield hub_facts(repo_id, api)


@contextmanager
def _hub_answers(asked: str) -> Iterator[None]:
    """What the Hub or the way to it refuses (a name that is no Hub id, a repository missing or gated,
    no network, a bad endpoint) is a CollectError that says so, and so is a local file the download
    cannot write; anything else is a bug, and goes on as one.
    """
    from importlib import import_module

    try:
        errors = import_module("huggingface_hub.errors")
    except ImportError:  # before 0.24 they were in utils
        errors = import_module("huggingface_hub.utils")
    try:
        yield
    except errors.HFValidationError as error:
        hint = "; a local folder is read with --snapshot DIR" if os.path.exists(asked) else ""
        raise CollectError(f"{asked!r} is not a Hub id (ORG/NAME: letters, digits, -, _ and .){hint}") from error
    except Exception as error:
        if _from_the_hub(error):
            raise CollectError(f"{asked}: the Hub did not answer: {_said(error)}") from error
        if isinstance(error, OSError) and error.filename:  # the cache folder, the disk
            raise CollectError(f"{error.filename}: {error.strerror or error}") from error
        raise


# the Hub's client and the HTTP stacks it has used: an error of theirs is an answer, or none, from the Hub
_HUB_MODULES = frozenset({"huggingface_hub", "hf_xet", "requests", "urllib3", "httpx", "httpx2", "httpcore"})


def _from_the_hub(error: BaseException) -> bool:
    module = type(error).__module__.partition(".")[0]
    return module in _HUB_MODULES or isinstance(error, (ConnectionError, TimeoutError))


def _said(error: BaseException) -> str:
    """The error's first two lines (`404 Client Error.`, then what was not found), not a server's whole page."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = " ".join(lines[:2]) or type(error).__name__
    return text if len(text) <= 240 else text[:239] + "…"


def offline() -> bool:
    """`HF_HUB_OFFLINE` set as `huggingface_hub` reads it: only the local cache may be used."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in {"1", "ON", "YES", "TRUE"}
