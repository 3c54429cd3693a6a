"""A no-PHI corpus in the shapes real evaluation tools write, every value invented.

Shapes, from the tools' own writers: lm-evaluation-harness 0.3 (`results`, `versions`, `config` with a
`model_args` string) and 0.4 (`configs` with task templates and `process_docs` source, `pretty_env_info`,
`chat_template`, `task_hashes`, `--log_samples` JSONL records with `doc`, `arguments`, `resps`), its
BigScience fork (`prompt_jinja` per result), lighteval and the Open LLM Leaderboard (`config_general`,
`config_tasks`, `summary_tasks` with hashes, `leaderboard|task|n` keys), HELM (`run_spec.json`,
`stats.json`, `per_instance_stats.json`, `display_predictions.json`), OpenAI evals (a `spec` line, a
`final_report` line, `sampling`/`match` events), NER and clinical benchmarks (confusion matrices, label
lists, per-stratum scores, examples pasted in), and mlmeta's own kinds (results, measurements, manifest
rows, AIND model evaluations).

`aggregates()` are files that hold no PHI: the rule must say nothing about any of them. `planted()` puts
one value of a family (an identifier type, a name form, a kind of raw text) into one place of one such
file; the rule must report that family's rule at that place, and print none of the value.

Identifiers are built from their own definitions (check digits computed here, not by the detectors);
`test_phi_real` has python-stdnum confirm them, an oracle the detectors do not share.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import phi_corpus as old

FIRST = ["Priya", "Tomasz", "Aiyana", "Kwame", "Ingrid", "Mateo", "Yuki", "Farida", "Declan", "Ximena", "Oluwaseun",
         "Anneliese", "Rashid", "Marisol", "Bogdan", "Siobhan"]  # fmt: skip
LAST = ["Raghunathan", "Wojcik", "Blackfeather", "Asante", "Lindqvist", "Ferreira", "Takahashi", "Haddad",
        "OBrien", "Quispe", "Adeyemi", "Vogelsang", "Karimi", "Echeverria", "Petrenko", "Gallagher"]  # fmt: skip
STREETS = ["Elm", "Maple", "Oakridge", "Willow Creek", "Harbor", "Linden", "Chestnut", "Beacon"]
STREET_TYPES = ["Street", "St.", "Avenue", "Ave", "Road", "Drive", "Lane", "Boulevard", "Court"]
MONTH_ABBREVIATIONS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TOWNS = [("Somerville", "MA"), ("Evanston", "IL"), ("Boulder", "CO"), ("Tacoma", "WA"), ("Savannah", "GA")]


def _digits(r: random.Random, n: int) -> str:
    return "".join(str(r.randrange(10)) for _ in range(n))


# -- identifiers with checksums, computed here -----------------------------------------------------


def nhs_number(r: random.Random) -> str:
    while True:
        body = [r.randrange(10) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(body, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            digits = "".join(map(str, body)) + str(check)
            return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def sin_number(r: random.Random) -> str:
    body = r.choice("1234567") + _digits(r, 7)  # 0 and 8 begin no person's SIN; 9, temporary residents' only
    digits = body + old.luhn_digit(body)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


_VERHOEFF_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]  # fmt: skip
_VERHOEFF_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]  # fmt: skip
_VERHOEFF_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def aadhaar_number(r: random.Random) -> str:
    while True:
        body = r.choice("23456789") + _digits(r, 10)
        c = 0
        for i, ch in enumerate(reversed(body)):
            c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
        digits = body + str(_VERHOEFF_INV[c])
        if digits != digits[::-1]:  # Aadhaar numbers are never palindromes
            return f"{digits[:4]} {digits[4:8]} {digits[8:]}"


def cpf_number(r: random.Random) -> str:
    while True:
        body = [r.randrange(10) for _ in range(9)]
        if len(set(body)) > 1:
            break
    for weights in (range(10, 1, -1), range(11, 1, -1)):
        check = sum(d * w for d, w in zip(body, weights, strict=False)) * 10 % 11 % 10
        body.append(check)
    d = "".join(map(str, body))
    return f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}"


def national_id(r: random.Random) -> str:
    kind = r.choice(["nhs", "sin", "aadhaar", "cpf"])
    number = {"nhs": nhs_number, "sin": sin_number, "aadhaar": aadhaar_number, "cpf": cpf_number}[kind](r)
    word = {"nhs": ["NHS number", "NHS No:", "NHS"], "sin": ["SIN", "SIN:", "social insurance number"],
            "aadhaar": ["Aadhaar", "Aadhaar no.", "UIDAI"], "cpf": ["CPF", "CPF:", "CPF nº"]}[kind]  # fmt: skip
    return r.choice([f"{r.choice(word)} {number}", f"{number} ({word[0]})"])


# -- the families: what is planted ------------------------------------------------------------------


def name_form(r: random.Random) -> str:
    first, last = r.choice(FIRST), r.choice(LAST)
    return r.choice(
        [f"Patient: {first} {last}", f"Patient Name: {first} {last}", f"Name: {first} {r.choice('ABCDEJKM')}. {last}",
         f"{last.upper()}, {first.upper()}", f"{last}, {first} {r.choice('ABCDEJKM')}.", f"pt name: {last}, {first}",
         f"patient_name: {first} {last}", f"Mrs. {first} O'{last}"]
    )  # fmt: skip


def name_key(r: random.Random) -> str:
    return f"{r.choice(LAST)}, {r.choice(FIRST)}"


def name_file(r: random.Random) -> str:
    day = f"20{r.randint(18, 25)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
    return f"{r.choice(LAST).lower()}_{r.choice(FIRST).lower()}_{day}.{r.choice(['txt', 'pdf', 'xml'])}"


def address(r: random.Random) -> str:
    town, state = r.choice(TOWNS)
    number = r.randint(12, 9876)
    street = f"{number} {r.choice(STREETS)} {r.choice(STREET_TYPES)}"
    return r.choice(
        [f"{street}, Apt {r.randint(1, 40)}, {town}, {state} {r.randint(10000, 99950)}", street,
         f"lives at {street}", f"{town}, {state} {r.randint(10000, 99950)}",
         f"Musterstraße {r.randint(1, 200)}, 10115 Berlin", f"{r.randint(1, 90)} rue de la Paix, Paris"]
    )  # fmt: skip


def dob(r: random.Random) -> str:
    y, m, d = r.randint(1925, 2010), r.randint(1, 12), r.randint(13, 28)
    return r.choice(
        [f"DOB {y}/{m:02d}/{d:02d}", f"D.O.B. {d:02d}-{m:02d}-{y}", f"b. {m}/{d}/{y % 100:02d}",
         f"fecha de nacimiento: {d:02d}/{m:02d}/{y}", f"date de naissance {d:02d}.{m:02d}.{y}",
         f"Geburtsdatum: {d}.{m}.{y}", f"Date of Birth: {m}/{d}/{y}", f"dob={y}{m:02d}{d:02d}",
         f"DOB {d:02d}-{MONTH_ABBREVIATIONS[m - 1]}-{y}",
         f"出生日期：{y}年{m}月{d}日"]  # noqa: RUF001 - a full-width colon, as Chinese writes it
    )  # fmt: skip


def record_number(r: random.Random) -> str:
    return r.choice(
        [f"MR# {_digits(r, 4)}-{_digits(r, 4)}", f"Unit No: {r.randint(1000000, 9999999)}",
         f"{_digits(r, 8)} (MRN)", f"patient ID {r.randint(100000, 9999999)}", f"MRN:{_digits(r, 8)}"]
    )  # fmt: skip


def npi_after(r: random.Random) -> str:
    body = r.choice("12") + _digits(r, 8)
    return f"{body}{old.luhn_digit('80840' + body)} (NPI)"


def record_url(r: random.Random) -> str:
    n = r.randint(1000000, 99999999)
    return r.choice(
        [f"/chart/{n}", f"https://ehr.example-hospital.org/app#/records?patientId={n}",
         f"https://emr.example.net/encounters/{n}/notes", f"see /records/{n}/labs", f"subject: Patient/{n}"]
    )  # fmt: skip


def text_cjk(r: random.Random) -> str:
    return r.choice(
        ["患者男性，六十五岁，因胸痛三小时入院。既往有高血压病史。",  # noqa: RUF001 - Chinese punctuation
         "患者は昨夜から発熱と咳があり、本日外来を受診した。",
         "환자는 어제부터 복통을 호소하며 응급실에 내원하였다.",
         "病人主诉头痛两天，伴恶心呕吐，无发热。"]  # noqa: RUF001
    )  # fmt: skip


def text_script(r: random.Random) -> str:
    return r.choice(
        ["रोगी को तीन दिन से बुखार और खांसी है और सांस लेने में तकलीफ है",
         "يعاني المريض من ألم في الصدر منذ ثلاث ساعات مع ضيق في التنفس",
         "Пациент жалуется на боль в груди в течение трех часов и одышку"]
    )  # fmt: skip


def text_latin(r: random.Random) -> str:
    return r.choice(
        ["El paciente acudió por dolor torácico y fue dado de alta al tercer día.",
         "Der Patient klagt seit zwei Tagen über Fieber und Husten, keine Atemnot.",
         "La patiente présente une douleur abdominale depuis hier soir, sans fièvre."]
    )  # fmt: skip


def mimic_header(r: random.Random) -> str:
    return r.choice(
        ["Name:  ___                     Unit No:   ___\nAdmission Date:  ___              Discharge Date:   ___\n"
         "Date of Birth:  ___             Sex:   F\nService: MEDICINE\nChief Complaint:\nchest pain",
         "Admission Date:  [**2151-7-16**]       Discharge Date:  [**2151-8-4**]\nService: SURGERY\n"
         "Allergies:\nPatient recorded as having No Known Allergies to Drugs"]
    )  # fmt: skip


def shorthand(r: random.Random) -> str:
    return r.choice(
        ["CP r/o ACS, trop neg x2", "72M s/p CABG c/o SOB, afebrile", "HTN, DM2, f/u 2wk, neg CXR",
         "pt c/o CP x3d, r/o MI, EKG NSR"]
    )  # fmt: skip


def text_english(r: random.Random) -> str:
    return old.free_text(r)


@dataclass(frozen=True)
class Family:
    rule: str
    make: Callable[[random.Random], str]
    on_key: bool = False  # planted as a key (per-patient results), not a value


FAMILIES: dict[str, Family] = {
    **{name: Family(kind.rule, kind.valid) for name, kind in old.TYPES.items() if name != "free-text"},
    "free-text": Family("phi-free-text", text_english),
    "name-form": Family("phi-name", name_form),
    "name-key": Family("phi-name", name_key, on_key=True),
    "name-file": Family("phi-name", name_file, on_key=True),
    "address": Family("phi-address", address),
    "dob-forms": Family("phi-date", dob),
    "record-number": Family("phi-mrn", record_number),
    "npi-after": Family("phi-npi", npi_after),
    "record-url": Family("phi-url", record_url),
    "mrn-key": Family("phi-mrn", lambda r: _digits(r, 8), on_key=True),  # under `recall_by_mrn`
    "name-plain-key": Family("phi-name", lambda r: f"{r.choice(FIRST)} {r.choice(LAST)}", on_key=True),
    "age-number": Family("phi-age", lambda r: str(r.randint(90, 109))),  # a number, not a string
    "mrn-number": Family("phi-mrn", lambda r: r.choice("123456789") + _digits(r, 7)),  # a number too
    "text-cjk": Family("phi-free-text", text_cjk),
    "text-script": Family("phi-free-text", text_script),
    "text-latin": Family("phi-free-text", text_latin),
    "mimic-header": Family("phi-free-text", mimic_header),
    "shorthand": Family("phi-free-text", shorthand),
    "national-id": Family("phi-national-id", national_id),
}

# -- aggregate files in the tools' shapes ----------------------------------------------------------------


@dataclass(frozen=True)
class File:
    path: str  # where it lies in the repository (routes and [tool.mlmeta.phi] paths decide its kind)
    kind: str | None  # what `--kind` names for it; None: a file only `[tool.mlmeta.phi] paths` claims
    data: Any  # a JSON value, or a list of rows for a .jsonl file

    def text(self) -> str:
        if self.path.endswith(".jsonl"):
            return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in self.data)
        return json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"


PHI_PATHS = ["evals/**"]  # the consuming repository's [tool.mlmeta.phi] paths
ENV_INFO = (
    "PyTorch version: 2.5.1+cu124\nIs debug build: False\nCUDA used to build PyTorch: 12.4\nOS: Ubuntu 22.04.4 LTS "
    "(x86_64)\nGCC version: (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0\nPython version: 3.11.9 (main, Apr 19 2024, "
    "16:48:06) [GCC 11.2.0] (64-bit runtime)\nIs CUDA available: True\nCUDA runtime version: 12.4.131\nGPU models "
    "and configuration: GPU 0: NVIDIA A100-SXM4-80GB\nNvidia driver version: 550.54.15\ncuDNN version: Probably one "
    "of the following:\n/usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.7\nTensorRT 10.3.0.26\nVersions of relevant "
    "libraries:\n[pip3] numpy==1.26.4\n[pip3] torch==2.5.1\n[conda] nvidia-cudnn-cu12 8.9.7.29 pypi_0 pypi"
)
CHAT_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<|user|>\\n' + message['content'] + "
    "eos_token }}{% elif message['role'] == 'assistant' %}{{ '<|assistant|>\\n' + message['content'] + eos_token }}"
    "{% endif %}{% if loop.last and add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}{% endfor %}"
)


def _hex(r: random.Random, n: int = 64) -> str:
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def lm_eval_04(r: random.Random, path: str, kind: str | None) -> File:
    task = r.choice(["medqa_4options", "pubmedqa", "arc_easy", "mmlu_clinical_knowledge"])
    configs = {
        task: {
            "task": task, "tag": ["medical"], "dataset_path": "bigbio/med_qa",
            "dataset_name": "med_qa_en_4options_source",
            "training_split": "train", "validation_split": "validation", "test_split": "test",
            "process_docs": "def process_docs(dataset):\n    def _fix(doc):\n        doc[\"question\"] = "
                            "doc[\"question\"].strip()\n        return doc\n    return dataset.map(_fix)\n",
            "doc_to_text": "Question: {{question}}\nA. {{options.A}}\nB. {{options.B}}\nAnswer:",
            "doc_to_target": "{{answer_idx}}", "doc_to_choice": ["A", "B", "C", "D"],
            "process_results": "def process_results(doc, results):\n    lls = [r[0] for r in results]\n    "
                               "return {\"acc\": float(max(range(len(lls)), key=lls.__getitem__) == doc[\"gold\"])}\n",
            "description": "The following are multiple choice questions about medicine.\n\n",
            "target_delimiter": " ", "fewshot_delimiter": "\n\n", "num_fewshot": 5,
            "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
            "output_type": "multiple_choice", "repeats": 1, "should_decontaminate": False,
            "generation_kwargs": {"until": ["\n\n", "Question:"], "do_sample": False, "temperature": 0.0},
            "metadata": {"version": 1.0, "pretrained": "acme-ai/clinical-7b", "dtype": "bfloat16"},
        }
    }  # fmt: skip
    data = {
        "results": {task: {"alias": task, "acc,none": round(r.random(), 4), "acc_stderr,none": 0.0123,
                           "acc_norm,none": 0.51, "acc_norm_stderr,none": "N/A"}},
        "groups": {}, "group_subtasks": {task: []}, "configs": configs, "versions": {task: 1.0},
        "n-shot": {task: 5}, "higher_is_better": {task: {"acc": True}},
        "n-samples": {task: {"original": 1273, "effective": 1273}},
        "config": {"model": "hf", "model_args": "pretrained=acme-ai/clinical-7b,dtype=bfloat16,trust_remote_code=True",
                   "model_num_parameters": 6738415616, "model_dtype": "torch.bfloat16", "model_revision": "main",
                   "model_sha": _hex(r, 40), "batch_size": "auto", "batch_sizes": [64], "device": "cuda:7",
                   "use_cache": None, "limit": None, "bootstrap_iters": 100000, "gen_kwargs": None, "random_seed": 0,
                   "numpy_seed": 1234, "torch_seed": 1234, "fewshot_seed": 1234},
        "git_hash": _hex(r, 9), "date": 1716812345.123, "pretty_env_info": ENV_INFO,
        "transformers_version": "4.44.2", "lm_eval_version": "0.4.5", "upper_git_hash": None,
        "tokenizer_pad_token": ["<unk>", "0"], "tokenizer_eos_token": ["</s>", "2"],
        "tokenizer_bos_token": ["<s>", "1"], "eot_token_id": 2, "max_length": 4096,
        "task_hashes": {task: _hex(r)}, "model_source": "hf", "model_name": "acme-ai/clinical-7b",
        "model_name_sanitized": "acme-ai__clinical-7b", "system_instruction": None, "system_instruction_sha": None,
        "fewshot_as_multiturn": False, "chat_template": CHAT_TEMPLATE, "chat_template_sha": _hex(r),
        "start_time": 123456.789, "end_time": 123999.123, "total_evaluation_time_seconds": "542.33",
    }  # fmt: skip
    return File(path, kind, data)


def lm_eval_03(r: random.Random, path: str, kind: str | None) -> File:
    return File(path, kind, {
        "results": {"hellaswag": {"acc": 0.41, "acc_stderr": 0.0049, "acc_norm": 0.53, "acc_norm_stderr": 0.005},
                    "pubmedqa": {"acc": 0.62, "acc_stderr": 0.0217}},
        "versions": {"hellaswag": 0, "pubmedqa": 0},
        "config": {"model": "hf-causal-experimental",
                   "model_args": "pretrained=acme-ai/falcon-mini-1b,use_accelerate=True,dtype=bfloat16",
                   "num_fewshot": 0, "batch_size": "auto", "batch_sizes": [64], "device": "cuda:7", "no_cache": True,
                   "limit": None, "bootstrap_iters": 100000, "description_dict": {}},
    })  # fmt: skip


def bigscience(r: random.Random, path: str, kind: str | None) -> File:
    """The BigScience fork (prompt-source): one result per prompt, each with its Jinja template; GPT-NeoX args."""
    results = [
        {"task_name": "pubmed_qa", "prompt_name": name, "acc": round(r.random(), 3), "acc_stderr": 0.02,
         "dataset_path": "pubmed_qa", "dataset_name": "pqa_labeled", "subset": None, "prompt_id": _hex(r, 32)[:36],
         "prompt_jinja": "Given a PubMed abstract: {{ context.contexts | join(\" \") }}\nQuestion: {{question}}\n"
                         "Answer yes, no or maybe. ||| {{final_decision}}",
         "prompt_original_task": True, "comment": ""}
        for name in ("Question Answering (Short)", "Long Answer to Final Decision")
    ]  # fmt: skip
    neox = {"save_iters": list(range(1000, 143001, 1000)), "output_layer_init_method": "wang_init",
            "init_method": "small_init", "train_iters": 143000, "lr_decay_style": "cosine",
            "tokenizer_type": "HFTokenizer", "vocab_file": "/fsx/pile/20B_tokenizer.json"}  # fmt: skip
    return File(path, kind, {"results": results, "versions": {"pubmed_qa+Question Answering (Short)": 0},
                             "table_results": {}, "config": {"model": "gpt2", "model_args": "pretrained=bigscience/"
                             "bloom-560m", "num_fewshot": 0, "batch_size": 8, "device": "cuda:7", "no_cache": False,
                             "limit": None, "bootstrap_iters": 100000, "seed": 1234, "neox_args": neox}})  # fmt: skip


def lighteval(r: random.Random, path: str, kind: str | None) -> File:
    tasks = ["leaderboard|arc:challenge|25", "leaderboard|hellaswag|10", "lighteval|medmcqa|0"]
    return File(path, kind, {
        "config_general": {"lighteval_sha": _hex(r, 40), "num_fewshot_seeds": 1, "override_batch_size": 1,
                           "max_samples": None, "job_id": "", "start_time": 1234.56, "end_time": 2345.67,
                           "total_evaluation_time_secondes": "1111.11", "model_name": "acme-ai/clinical-7b",
                           "model_sha": _hex(r, 40), "model_dtype": "torch.bfloat16", "model_size": "12.61 GB",
                           "config": None},
        "results": {**{t: {"acc": 0.5, "acc_stderr": 0.01, "acc_norm": 0.55, "acc_norm_stderr": 0.01} for t in tasks},
                    "all": {"acc": 0.5, "acc_stderr": 0.01}},
        "versions": {t: 0 for t in tasks},
        "config_tasks": {t.replace("|", ":", 1).rsplit("|", 1)[0]: {
            "name": t.split("|")[1], "prompt_function": "arc", "hf_repo": "ai2_arc", "hf_subset": "ARC-Challenge",
            "metric": [{"metric_name": "acc", "higher_is_better": True, "category": "8", "use_case": "1",
                        "sample_level_fn": "compute", "corpus_level_fn": "mean"}],
            "hf_revision": None, "hf_filter": None, "hf_avail_splits": ["train", "test"], "trust_dataset": True,
            "evaluation_splits": ["test"], "few_shots_split": None, "few_shots_select": "random_sampling_from_train",
            "generation_size": 1, "generation_grammar": None, "stop_sequence": ["\n"], "num_samples": None,
            "suite": ["leaderboard", "arc"], "original_num_docs": 1172, "effective_num_docs": 1172,
            "must_remove_duplicate_docs": False, "version": 0} for t in tasks},
        "summary_tasks": {t: {"hashes": {"hash_examples": _hex(r, 16), "hash_full_prompts": _hex(r, 16),
                                         "hash_input_tokens": _hex(r, 16), "hash_cont_tokens": _hex(r, 16)},
                              "truncated": 0, "non_truncated": 1172, "padded": 4687, "non_padded": 0,
                              "effective_few_shots": 25.0, "num_truncated_few_shots": 0} for t in tasks},
        "summary_general": {"hashes": {"hash_examples": _hex(r, 16), "hash_full_prompts": _hex(r, 16)},
                            "truncated": 0, "non_truncated": 3516, "padded": 14061, "non_padded": 3},
    })  # fmt: skip


def leaderboard_contents(r: random.Random, path: str, kind: str | None) -> File:
    row = {"eval_name": "acme-ai_clinical-7b_bfloat16", "Precision": "bfloat16", "Type": "fine-tuned on domain",
           "Weight type": "Original", "Architecture": "LlamaForCausalLM", "fullname": "acme-ai/clinical-7b",
           "Model sha": _hex(r, 40), "Average": 23.41, "Hub License": "apache-2.0", "Hub Likes": 12,
           "#Params (B)": 6.74, "Available on the hub": True, "MoE": False, "Flagged": False, "Chat Template": True,
           "CO2 cost (kg)": 0.93, "IFEval Raw": 0.43, "IFEval": 43.12, "BBH Raw": 0.41, "BBH": 19.7,
           "MATH Lvl 5 Raw": 0.05, "GPQA": 3.1, "MUSR": 7.4, "MMLU-PRO": 20.2, "Merged": False,
           "Official Providers": False, "Upload To Hub Date": "2024-06-12", "Submission Date": "2024-06-26",
           "Generation": 1, "Base Model": "meta-llama/Llama-2-7b-hf"}  # fmt: skip
    return File(path, kind, [row, {**row, "eval_name": "acme-ai_clinical-7b_float16", "Precision": "float16"}])


def helm_run_spec(r: random.Random, path: str, kind: str | None) -> File:
    return File(path, kind, {
        "name": "med_qa:model=acme-ai_clinical-7b", "scenario_spec": {"class_name":
            "helm.benchmark.scenarios.med_qa_scenario.MedQAScenario", "args": {}},
        "adapter_spec": {"method": "multiple_choice_joint", "global_prefix": "", "global_suffix": "",
                         "instructions": "The following are multiple choice questions (with answers) about medicine.\n",
                         "input_prefix": "Question: ", "input_suffix": "\n", "reference_prefix": "A. ",
                         "reference_suffix": "\n", "output_prefix": "Answer: ", "output_suffix": "\n",
                         "instance_prefix": "\n", "substitutions": [], "max_train_instances": 5,
                         "max_eval_instances": 1000, "num_outputs": 5, "num_train_trials": 1, "model_deployment":
                         "huggingface/clinical-7b", "model": "acme-ai/clinical-7b", "temperature": 0.0,
                         "max_tokens": 1, "stop_sequences": ["\n"], "multi_label": False},
        "metric_specs": [{"class_name": "helm.benchmark.metrics.basic_metrics.BasicGenerationMetric",
                          "args": {"names": ["exact_match", "quasi_exact_match"]}}],
        "data_augmenter_spec": {"perturbation_specs": [], "should_augment_train_instances": False},
        "groups": ["med_qa"],
    })  # fmt: skip


def helm_stats(r: random.Random, path: str, kind: str | None) -> File:
    stats = [{"name": {"name": name, "split": "test"}, "count": 1, "sum": v, "sum_squared": v * v, "min": v,
              "max": v, "mean": v, "variance": 0.0, "stddev": 0.0}
             for name, v in (("exact_match", 0.52), ("num_prompt_tokens", 612.4), ("inference_runtime", 0.21),
                             ("num_train_instances", 5.0), ("prompt_truncated", 0.0))]  # fmt: skip
    return File(path, kind, stats)


def helm_per_instance(r: random.Random, path: str, kind: str | None) -> File:
    return File(path, kind, [
        {"instance_id": f"id{r.randint(100, 9999)}", "train_trial_index": 0,
         "stats": [{"name": {"name": "exact_match", "split": "test"}, "count": 1, "sum": 1.0, "sum_squared": 1.0,
                    "min": 1.0, "max": 1.0, "mean": 1.0, "variance": 0.0, "stddev": 0.0}]}
        for _ in range(4)
    ])  # fmt: skip


def openai_evals(r: random.Random, path: str, kind: str | None) -> File:
    run_id = f"2405{r.randint(10, 28)}1234{_hex(r, 6).upper()}"
    spec = {"spec": {"completion_fns": ["gpt-4o-mini"], "eval_name": "medqa.dev.v0", "base_eval": "medqa",
                     "split": "dev", "run_config": {"completion_fns": ["gpt-4o-mini"], "eval_spec": {
                         "cls": "evals.elsuite.basic.match:Match", "registry_path": "/opt/evals/registry",
                         "args": {"samples_jsonl": "medqa/samples.jsonl"}, "key": "medqa.dev.v0", "group": "medqa"},
                         "seed": 20220722, "max_samples": None, "command": "oaieval gpt-4o-mini medqa",
                         "initial_settings": {"visible": True}},
                     "created_by": "", "run_id": run_id, "created_at": "2024-05-21 12:34:56.789012"}}  # fmt: skip
    return File(path, kind, [spec, {"final_report": {"accuracy": 0.71, "boostrap_std": 0.02}}])


def ner_benchmark(r: random.Random, path: str, kind: str | None) -> File:
    labels = ["O", "B-PATIENT", "I-PATIENT", "B-DATE", "I-DATE", "B-ID", "I-ID", "B-HOSPITAL", "I-HOSPITAL",
              "B-PHONE", "I-PHONE", "B-STREET_ADDRESS", "I-STREET_ADDRESS", "B-EMAIL", "B-AGE", "I-AGE",
              "B-DOCTOR", "I-DOCTOR", "B-CITY", "B-ZIP", "B-SSN", "B-URL"]  # fmt: skip
    matrix = [[r.randint(0, 900) for _ in labels] for _ in labels]
    return File(path, kind, {
        "model": "OpenMed/OpenMed-NER-DeID-Base", "dataset": "i2b2-2014-deid (test)", "seqeval_scheme": "IOB2",
        "overall": {"precision": 0.94, "recall": 0.93, "f1": 0.935, "accuracy": 0.991},
        "per_label": {label: {"precision": 0.9, "recall": 0.88, "f1-score": 0.89, "support": r.randint(10, 999)}
                      for label in labels[1:]},
        "confusion_matrix": {"labels": labels, "matrix": matrix},
        "length_histogram": {"bin_edges": [i * 16 for i in range(33)],
                             "counts": [r.randint(0, 500) for _ in range(32)]},
        "pr_curve": {"thresholds": [i / 100 for i in range(101)], "precision": [0.5 + i / 250 for i in range(101)],
                     "recall": [1 - i / 120 for i in range(101)]},
        "calibration": {"bins": [i / 20 for i in range(21)], "accuracy": [i / 20 for i in range(21)]},
    })  # fmt: skip


def clinical_strata(r: random.Random, path: str, kind: str | None) -> File:
    strata = ["age 18-44", "age 45-64", "age 65-89", "age 90+ stratum", "female", "male", "ICU admission",
              "readmitted within 30 days"]  # fmt: skip
    return File(path, kind, {
        "task": "in-hospital mortality", "dataset": "MIMIC-IV-Note v2.2, 2023-01-06", "split": "test",
        "n_admissions": 48213, "metrics": {"auroc": 0.87, "auprc": 0.41, "brier": 0.061},
        "by_stratum": {s: {"auroc": round(0.8 + r.random() / 10, 3), "n": r.randint(100, 9000)} for s in strata},
        "notes": "Scores are computed on the held-out test split after temperature scaling.",
    })  # fmt: skip


def results_kind(r: random.Random, path: str, kind: str | None) -> File:
    return File(path, kind, {
        "$schema": "https://mlmeta.dev/schemas/results/v1.json", "model_name": "acme/clinical-7b",
        "last_updated": "2024-05-01T12:00:00Z", "source": "MIMIC-IV-Note v2.2, 2023-01-06",
        "results": {"lm-eval": {"medqa": {"0-shot": {"acc": 0.61, "acc_stderr": 0.012}},
                                "mimic_mortality_age 90+ stratum": {"0-shot": {"auroc": 0.84}}},
                    "helm": {"med_qa": {"5-shot": {"exact_match": 0.52}}}},
    })  # fmt: skip


def measurements(r: random.Random, path: str, kind: str | None) -> File:
    record = {"repo_id": "OpenMed/OpenMed-PII-Fixture-Tiny-65M", "recommended_tier": "edge",
              "latency_ms": {"iphone_15_pro": 18.4, "jetson_orin_trt_10.3.0.26": 4.1, "m2_air": 7.0},
              "peak_ram_mb": {"iphone_15_pro": 212.0, "m2_air": 301.5},
              "benchmark": [
                  {"suite": "shield", "dataset": "openmed-golden-pii", "micro_f1": 0.98, "recall": 0.99},
                  {"suite": "i2b2", "dataset": "i2b2-2014-deid", "micro_f1": 0.93, "recall": 0.95},
              ]}  # fmt: skip
    return File(path, kind, {"results": [record, {**record, "repo_id": "OpenMed/OpenMed-NER-Tiny-33M"}]})


def manifest(r: random.Random, path: str, kind: str | None) -> File:
    rows = [{"repo_id": f"OpenMed/OpenMed-PII-{n}", "family": "PII", "tier": "Base",
             "canonical_labels": ["EMAIL", "PHONE", "SSN", "STREET_ADDRESS", "DATE_OF_BIRTH", "MEDICAL_RECORD_NUMBER"],
             "benchmark": {"dataset": "openmed-golden-pii", "micro_f1": 0.9, "recall": 0.91},
             "latency_ms": {"m2_air": 7.0}} for n in ("Small-44M", "Base-110M", "Large-335M")]  # fmt: skip
    return File(path, kind, rows)


def aind_model(r: random.Random, path: str, kind: str | None) -> File:
    return File(path, kind, {
        "name": "clinical-ner", "evaluations": [{
            "object_type": "Model evaluation", "name": "Model evaluation", "process_type": "Model evaluation",
            "experimenters": ["Dr. Hannah Whitfield", "Marcus Oyelaran"], "start_date_time": "2024-05-01T10:00:00Z",
            "notes": "Evaluated on the held-out test split after fine-tuning for three epochs.",
            "performance": [{"object_type": "Performance metric", "name": "precision", "value": 0.8},
                            {"object_type": "Performance metric", "name": "confusion matrix",
                             "value": [[r.randint(0, 99) for _ in range(25)] for _ in range(25)]}],
        }],
    })  # fmt: skip


def lm_eval_group(r: random.Random, path: str, kind: str | None) -> File:
    subjects = ["anatomy", "clinical_knowledge", "college_medicine", "medical_genetics", "professional_medicine"]
    results = {"mmlu_medical": {"acc,none": 0.48, "acc_stderr,none": 0.011, "alias": "mmlu_medical"}}
    results.update({f"mmlu_{s}": {"alias": f" - {s}", "acc,none": round(r.random(), 4), "acc_stderr,none": 0.03}
                    for s in subjects})  # fmt: skip
    file = lm_eval_04(r, path, kind)
    file.data.update({
        "results": results, "groups": {"mmlu_medical": results["mmlu_medical"]},
        "group_subtasks": {"mmlu_medical": [f"mmlu_{s}" for s in subjects]},
        "system_instruction": "You are a careful clinical assistant. Answer with the letter of the best option.",
        "system_instruction_sha": _hex(r),
    })  # fmt: skip
    return file


def lm_eval_generate(r: random.Random, path: str, kind: str | None) -> File:
    file = lm_eval_04(r, path, kind)
    config = {"task": "gsm8k", "dataset_path": "gsm8k", "dataset_name": "main", "output_type": "generate_until",
              "doc_to_text": "Question: {{question}}\nAnswer:", "doc_to_target": "{{answer.split('####')[-1].strip()}}",
              "generation_kwargs": {"until": ["Question:", "</s>", "<|im_end|>"], "do_sample": False,
                                    "temperature": 0.0},
              "filter_list": [{"name": "strict-match", "filter": [
                  {"function": "regex", "regex_pattern": "#### (\\-?[0-9\\.\\,]+)"}, {"function": "take_first"}]},
                  {"name": "flexible-extract", "filter": [{"function": "regex", "group_select": -1,
                   "regex_pattern": "(-?[$0-9.,]{2,})|(-?[0-9]+)"}, {"function": "take_first"}]}],
              "metadata": {"version": 3.0}}  # fmt: skip
    file.data.update({
        "results": {"gsm8k": {"alias": "gsm8k", "exact_match,strict-match": 0.31, "exact_match_stderr,strict-match":
                              0.0127, "exact_match,flexible-extract": 0.34,
                              "exact_match_stderr,flexible-extract": 0.013}},
        "configs": {"gsm8k": config}, "versions": {"gsm8k": 3.0}, "n-shot": {"gsm8k": 5},
    })  # fmt: skip
    return file


def lm_eval_legacy(r: random.Random, path: str, kind: str | None) -> File:
    file = lm_eval_04(r, path, kind)
    file.data["results"] = {
        "clinical_suite": {" ": " ", "alias": "clinical_suite"},
        "medqa_4options": {"alias": " - medqa_4options", "acc,none": 0.44, "acc_stderr,none": 0.0139},
        "pubmedqa": {"alias": " - pubmedqa", "acc,none": 0.71, "acc_stderr,none": "N/A"},
    }
    file.data["groups"] = {"clinical_suite": {" ": " ", "alias": "clinical_suite"}}
    return file


def system_bench(r: random.Random, path: str, kind: str | None) -> File:
    return File(path, kind, {
        "device": "jetson-agx-orin-64gb", "tensorrt": "10.3.0.26", "cudnn": "8.9.7.29", "driver": "535.129.03",
        "runtime": "TensorRT 10.3.0.26 / cuDNN 8.9.7.29", "repo": "git@github.com:acme-ai/clinical-evals.git",
        "commit": _hex(r, 40), "host": "eval-runner-07", "started": "2024-05-27T12:34:56Z",
        "latency_ms": {"p50": 4.1, "p90": 5.3, "p99": 7.9}, "throughput_tok_s": 812.4,
        "save_iters": list(range(0, 50001, 2500)), "batch_sizes": [1, 2, 4, 8, 16, 32, 64],
    })  # fmt: skip


def helm_scenario(r: random.Random, path: str, kind: str | None) -> File:
    return File(path, kind, {
        "name": "med_qa", "description": "MedQA: multiple-choice questions from medical licensing exams.",
        "tags": ["question_answering", "biomedical"],
        "definition_path": "https://github.com/stanford-crfm/helm/blob/main/src/helm/benchmark/scenarios/"
                           "med_qa_scenario.py",
    })  # fmt: skip


def helm_groups(r: random.Random, path: str, kind: str | None) -> File:
    header = [{"value": "Model", "markdown": False, "metadata": {}},
              {"value": "EM", "description": "MedQA exact match", "lower_is_better": False,
               "metadata": {"metric": "EM", "run_group": "MedQA"}}]  # fmt: skip
    rows = [[{"value": "acme-ai/clinical-7b", "description": "", "markdown": False},
             {"value": 0.52, "description": "min=0.52, mean=0.52, max=0.52, sum=0.52 (1)", "style": {},
              "markdown": False, "run_spec_names": ["med_qa:model=acme-ai_clinical-7b"]}]]  # fmt: skip
    return File(path, kind, [{"title": "MedQA", "header": header, "rows": rows, "links": [], "name": "med_qa"}])


def openai_report(r: random.Random, path: str, kind: str | None) -> File:
    return File(path, kind, {"final_report": {"accuracy": 0.71, "boostrap_std": 0.02, "f1_score": 0.69,
                             "per_class": {"yes": 0.8, "no": 0.7, "maybe": 0.4}}, "run_id": "240521123456ABCDEF"})


def keyed_measurements(r: random.Random, path: str, kind: str | None) -> File:
    return File(path, kind, {
        "OpenMed/OpenMed-PII-Fixture-Tiny-65M": {"latency_ms": {"m2_air": 7.0, "pixel_8": 11.2},
                                                 "benchmark": {"dataset": "openmed-golden-pii", "micro_f1": 0.97}},
        "OpenMed/OpenMed-NER-Tiny-33M": {"latency_ms": {"m2_air": 5.1}, "benchmark": {"dataset": "i2b2-2014-deid",
                                                                                      "micro_f1": 0.91}},
    })  # fmt: skip


def cohort(r: random.Random, path: str, kind: str | None) -> File:
    return File(path, kind, {
        "dataset": "MIMIC-IV v2.2 ICU stays", "date_range": "2008-2019",
        "description": "Adult ICU stays from MIMIC-IV v2.2; admissions between 2008 and 2019.",
        "cohort": {"age_bins": ["18-44", "45-64", "65-89", "90+"], "sex": ["F", "M"], "n_stays": 73181,
                   "age_90_plus_count": 95, "median_age": 67, "n_patients": 50920},
        "label_names": ["no event", "sepsis", "AKI stage 2+", "death within 28 days"],
        "metrics": {"macro_auroc": 0.83, "per_label": {"sepsis": 0.81, "AKI stage 2+": 0.79}},
    })  # fmt: skip


# (builder, path, kind): the aggregate files, each a shape a tool writes, in the places the rule reads
AGGREGATES: list[tuple[Callable[[random.Random, str, str | None], File], str, str | None]] = [
    (lm_eval_04, "evals/lm-eval/acme-ai__clinical-7b/results_2024-05-27T12-34-56.json", None),
    (lm_eval_04, "model_scores/lm-eval-0.4.json", "results"),
    (lm_eval_03, "evals/lm-eval-0.3/results.json", None),
    (lm_eval_03, "model_scores/lm-eval-0.3.json", "results"),
    (bigscience, "evals/bigscience/bloom-560m.json", None),
    (lighteval, "evals/lighteval/results_2024-06-26T10-11-12.json", None),
    (leaderboard_contents, "evals/leaderboard/contents.jsonl", None),
    (helm_run_spec, "evals/helm/med_qa/run_spec.json", None),
    (helm_stats, "evals/helm/med_qa/stats.json", None),
    (helm_per_instance, "evals/helm/med_qa/per_instance_stats.json", None),
    (openai_evals, "evals/openai/medqa.jsonl", None),
    (ner_benchmark, "evals/ner/i2b2-deid.json", None),
    (clinical_strata, "evals/clinical/mortality.json", None),
    (results_kind, "model_scores/clinical.json", "results"),
    (measurements, "benchmark-results.json", "measurements"),
    (measurements, "runs/measurements-edge.json", "measurements"),
    (manifest, "models.jsonl", "manifest"),
    (aind_model, "model_metadata/clinical-ner.json", "model"),
    (lm_eval_group, "evals/lm-eval/group/results_2024-06-01T08-00-00.json", None),
    (lm_eval_group, "model_scores/mmlu-medical.json", "results"),
    (lm_eval_generate, "evals/lm-eval/gsm8k/results_2024-06-02T09-00-00.json", None),
    (lm_eval_legacy, "evals/lm-eval/legacy/results_2024-03-03T10-00-00.json", None),
    (lm_eval_legacy, "model_scores/legacy.json", "results"),
    (system_bench, "evals/system/orin.json", None),
    (helm_scenario, "evals/helm/med_qa/scenario.json", None),
    (helm_groups, "evals/helm/groups/med_qa.json", None),
    (openai_report, "evals/openai/final_report.json", None),
    (keyed_measurements, "measurements-by-repo.json", "measurements"),
    (cohort, "evals/clinical/cohort.yaml", None),
    (ner_benchmark, "evals/ner/i2b2-deid.yaml", None),
]


def aggregates(seed: int = 7) -> list[File]:
    r = random.Random(seed)
    return [build(r, path, kind) for build, path, kind in AGGREGATES]


# -- where a value is planted: raw material pasted into a real shape, or a key, or a descriptive field ----


@dataclass(frozen=True)
class Planted:
    family: str
    value: str
    file: File
    pointer: str  # where the rule must report it (for a key: the key's own pointer, unredacted)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _in_lm_eval_samples(value: str, r: random.Random, key: bool) -> tuple[File, str]:
    """A `--log_samples` record pasted into the results JSON, or the samples JSONL itself."""
    doc = {"question": "Which drug is first line for this patient?", "options": {"A": "x", "B": "y"}, "answer_idx": "A"}
    record = {"doc_id": r.randint(0, 999), "doc": doc, "target": "A",
              "arguments": {"gen_args_0": {"arg_0": "Question: ...\nAnswer:", "arg_1": " A"}},
              "resps": [[["-1.25", "False"]]], "filtered_resps": [["-1.25", "False"]], "filter": "none",
              "metrics": ["acc"], "doc_hash": r.getrandbits(64).to_bytes(8, "big").hex() * 4,
              "prompt_hash": r.getrandbits(64).to_bytes(8, "big").hex() * 4, "target_hash": "a" * 64,
              "acc": 1.0}  # fmt: skip
    where = r.choice(["question", "arguments", "doc_to_text"])
    if where == "question":
        doc["question"] = value
        inner = "/doc/question"
    elif where == "arguments":
        record["arguments"]["gen_args_0"]["arg_0"] = value
        inner = "/arguments/gen_args_0/arg_0"
    else:  # a task config's key pasted inside a sample is raw material, not configuration
        record["doc"]["doc_to_text"] = value
        inner = "/doc/doc_to_text"
    if r.random() < 0.5:
        file = lm_eval_04(r, "evals/lm-eval/acme-ai__clinical-7b/results_2024-05-27T12-34-56.json", None)
        file.data["samples"] = {"medqa_4options": [record]}
        return file, "/samples/medqa_4options/0" + inner
    return File("evals/lm-eval/acme-ai__clinical-7b/samples_medqa_4options_2024-05-27T12-34-56.jsonl", None,
                [record]), inner  # fmt: skip


def _in_helm_predictions(value: str, r: random.Random, key: bool) -> tuple[File, str]:
    rows = [{"instance_id": f"id{r.randint(100, 999)}", "train_trial_index": 0, "predicted_text": " B",
             "base64_images": [], "mapped_output": "B", "reference_index": None,
             "stats": {"exact_match": 1.0, "num_output_tokens": 1.0}} for _ in range(2)]  # fmt: skip
    rows[1]["predicted_text"] = value
    return File("evals/helm/med_qa/display_predictions.json", None, rows), "/1/predicted_text"


def _in_openai_events(value: str, r: random.Random, key: bool) -> tuple[File, str]:
    file = openai_evals(r, "evals/openai/medqa.jsonl", None)
    event = {"run_id": "240521123456ABCDEF", "event_id": 3, "sample_id": "medqa.dev.17", "type": "match",
             "data": {"correct": False, "expected": "B", "picked": None, "sampled": value,
                      "options": ["A", "B", "C", "D"]},
             "created_by": "", "created_at": "2024-05-21 12:35:01.123456+00:00"}  # fmt: skip
    return File(file.path, None, [*file.data, event]), "/data/sampled"


def _in_ner_examples(value: str, r: random.Random, key: bool) -> tuple[File, str]:
    file = ner_benchmark(r, "evals/ner/i2b2-deid.json", None)
    file.data["error_analysis"] = {"false_negatives": [{"text": value, "label": "B-PATIENT", "predicted": "O"}]}
    return file, "/error_analysis/false_negatives/0/text"


def _in_measurements(value: str, r: random.Random, key: bool) -> tuple[File, str]:
    file = measurements(r, r.choice(["benchmark-results.json", "runs/measurements-edge.json"]), "measurements")
    data = copy.deepcopy(file.data)
    where = r.choice(["debug", "dataset", "device"])
    if where == "debug":
        data["results"][0]["debug"] = value
        pointer = "/results/0/debug"
    elif where == "dataset":
        data["results"][0]["benchmark"][1]["dataset"] = value
        pointer = "/results/0/benchmark/1/dataset"
    else:
        data["results"][0]["latency_ms"][value] = 3.5
        pointer = "/results/0/latency_ms/" + _escape(value)
    return File(file.path, "measurements", data), pointer


def _in_results(value: str, r: random.Random, key: bool) -> tuple[File, str]:
    file = results_kind(r, "model_scores/clinical.json", "results")
    data = copy.deepcopy(file.data)
    where = r.choice(["source", "task"])
    if where == "source":
        data["source"] = value
        return File(file.path, "results", data), "/source"
    data["results"]["lm-eval"][value] = {"0-shot": {"acc": 0.5}}
    return File(file.path, "results", data), "/results/lm-eval/" + _escape(value)


def _in_strata(value: str, r: random.Random, key: bool) -> tuple[File, str]:
    file = clinical_strata(r, "evals/clinical/mortality.json", None)
    if key:
        file.data["by_patient"] = {value: {"auroc": 0.8}}
        return file, "/by_patient/" + _escape(value)
    file.data["comment"] = value
    return file, "/comment"


def _in_model(value: str, r: random.Random, key: bool) -> tuple[File, str]:
    file = aind_model(r, "model_metadata/clinical-ner.json", "model")
    file.data["evaluations"][0]["notes"] = value
    return file, "/evaluations/0/notes"


def _in_manifest(value: str, r: random.Random, key: bool) -> tuple[File, str]:
    file = manifest(r, "models.jsonl", "manifest")
    file.data[1]["benchmark"]["dataset"] = value
    return file, "/benchmark/dataset"


def _name_plain_key(value: str, r: random.Random) -> tuple[File, str]:
    file = clinical_strata(r, "evals/clinical/mortality.json", None)
    parent = r.choice(["by_patient", "per_patient", "patients", "auroc_by_subject"])
    file.data[parent] = {value: 0.82}
    return file, f"/{parent}/{_escape(value)}"


def _number(value: str, r: random.Random, key: str) -> tuple[File, str]:
    """A patient's record pasted as numbers: `{"age": 93}`, `{"mrn": 63725130}`."""
    if r.random() < 0.5:
        file = clinical_strata(r, "evals/clinical/mortality.json", None)
        file.data["worst_case"] = {key: int(value), "auroc": 0.41}
        return file, f"/worst_case/{key}"
    file = measurements(r, "benchmark-results.json", "measurements")
    data = copy.deepcopy(file.data)
    data["results"][0][key] = int(value)
    return File(file.path, "measurements", data), f"/results/0/{key}"


def _mrn_key(value: str, r: random.Random) -> tuple[File, str]:
    file = clinical_strata(r, "evals/clinical/mortality.json", None)
    parent = r.choice(["recall_by_mrn", "per_mrn", "scores_by_patient_id"])
    file.data[parent] = {value: 0.82, "n": 1}
    return file, f"/{parent}/{value}"


VALUE_PLACES = (_in_lm_eval_samples, _in_helm_predictions, _in_openai_events, _in_ner_examples, _in_measurements,
                _in_results, _in_strata, _in_model, _in_manifest)  # fmt: skip
KEY_PLACES = (_in_strata, _in_results, _in_measurements)


def planted(family: str, count: int, seed: int = 2025) -> list[Planted]:
    r = random.Random(f"{family}:{seed}")
    spec = FAMILIES[family]
    out = []
    for i in range(count):
        value = spec.make(r)
        if family == "mrn-key":
            file, pointer = _mrn_key(value, r)
        elif family == "name-plain-key":
            file, pointer = _name_plain_key(value, r)
        elif family in ("age-number", "mrn-number"):
            file, pointer = _number(value, r, r.choice(["age", "patient_age"] if family == "age-number" else
                                                        ["mrn", "patient_id", "subject_id"]))
        elif spec.on_key:
            file, pointer = KEY_PLACES[i % len(KEY_PLACES)](value, r, True)
        else:
            file, pointer = VALUE_PLACES[i % len(VALUE_PLACES)](value, r, False)
        out.append(Planted(family, value, file, pointer))
    return out


# -- measuring: recall per family, false positives on aggregates, leaks -------------------------------------

FORMATS = ("text", "json", "github", "sarif")


def setup(root: Any) -> None:
    """A repository that puts `evals/` under the rule, as the README shows."""
    (root / ".git").mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text(
        "[tool.mlmeta.phi]\npaths = " + json.dumps(PHI_PATHS) + "\n", encoding="utf-8"
    )


def run(root: Any, file: File, fmt: str, kind: bool) -> tuple[int, str]:
    """`mlmeta check --select phi` (the hook), or `mlmeta check --kind KIND` (every rule) when the file has a kind;
    exit code and all output."""
    import contextlib
    import io
    import os

    from mlmeta.cli import main

    path = root / file.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(file.text(), encoding="utf-8")
    forced = ["--kind", file.kind] if kind and file.kind else ["--select", "phi"]
    args = ["check", "--format", fmt, *forced, file.path]
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    finally:
        os.chdir(here)
        path.unlink()
    return code, out.getvalue() + err.getvalue()


def findings(output: str) -> list[tuple[str, str]]:
    """(rule, pointer) of each no-PHI finding in `--format json` output."""
    return [(f["rule"], f["pointer"]) for f in json.loads(output or "[]") if f["rule"].startswith("phi-")]


def fragments(value: str) -> list[str]:
    """What of a planted value must never be printed: itself, its digit runs, its names, its local part."""
    import re

    found = {value, *re.findall(r"\d{5,}", value)}
    found.update(word for word in re.findall(r"[A-Za-z]{4,}", value) if word.title() in FIRST + LAST)
    found.update(part for part in re.findall(r"[\w.]+(?=@)", value) if len(part) >= 4)
    if not value.isascii():
        found.add(value[:6])
    from mlmeta.rules import RULES

    described = " ".join(info.description for info in RULES.values())  # SARIF prints every rule's description
    return sorted(fragment for fragment in found if fragment not in described)


@dataclass
class Report:
    recall: dict[str, tuple[int, int]]  # family -> (found, planted)
    false_positives: list[str]  # "path (mode): rule at pointer"
    leaks: list[str]  # "family (mode, format): fragment"


def evaluate(root: Any, count: int, formats: tuple[str, ...] = FORMATS) -> Report:
    from mlmeta.rules.phi.pointers import redact_pointer

    setup(root)
    report = Report({}, [], [])
    for file in aggregates():
        for kind in (False, True) if file.kind else (False,):
            _, output = run(root, file, "json", kind)
            mode = "--kind" if kind else "hook"
            report.false_positives.extend(f"{file.path} ({mode}): {r} at {p}" for r, p in findings(output))
    for family, spec in FAMILIES.items():
        found = 0
        cases = planted(family, count)
        for case in cases:
            expected = (spec.rule, redact_pointer(case.pointer)[0])
            hit = True
            for kind in (False, True) if case.file.kind else (False,):
                mode = "--kind" if kind else "hook"
                for fmt in formats:
                    _, output = run(root, case.file, fmt, kind)
                    if fmt == "json":
                        hit = hit and expected in findings(output)
                    shown = [fragment for fragment in fragments(case.value) if fragment in output]
                    report.leaks.extend(f"{family} ({mode}, {fmt}): {fragment!r}" for fragment in shown)
            found += hit
        report.recall[family] = (found, len(cases))
    return report


def main() -> None:
    """`python -m tests.rules.phi_real [COUNT]`: the table the issue asks for."""
    import sys
    import tempfile
    from pathlib import Path

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as folder:
        report = evaluate(Path(folder), count)
    print(f"{'family':16} {'rule':18} recall")
    for family, (found, total) in report.recall.items():
        print(f"{family:16} {FAMILIES[family].rule:18} {found / total:.2f} ({found}/{total})")
    files = sum(2 if f.kind else 1 for f in aggregates())
    print(f"\nfalse positives on {len(AGGREGATES)} aggregate files ({files} runs): {len(report.false_positives)}")
    print("\n".join("  " + fp for fp in report.false_positives))
    print(f"leaks (every family, {len(FORMATS)} formats, hook and --kind): {len(report.leaks)}")
    print("\n".join("  " + leak for leak in report.leaks[:50]))


if __name__ == "__main__":
    main()
