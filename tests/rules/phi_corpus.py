"""A synthetic corpus for the no-PHI rule: planted identifiers, near misses, benign result files.

Every generator is seeded, so the corpus is the same on every run. Valid identifiers are built
from their own definitions (check digits computed here, independently of the detectors); near
misses are the same shapes with the checksum or the position rules broken, or without the
context word that makes a number an identifier.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

FIRST = ["John", "Maria", "Aisha", "Wei", "Carlos", "Olga", "Tomasz", "Keiko", "Fatima", "Liam", "Grace", "Noah"]
LAST = ["Smith", "Lopez", "Nguyen", "Okafor", "Kowalski", "Haddad", "Patel", "Johansson", "Moreau", "Brennan"]
AREA_CODES = ["212", "213", "303", "305", "312", "404", "415", "503", "512", "602", "617", "702", "713", "808", "919"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def luhn_digit(body: str) -> str:
    """The check digit that makes body + digit pass Luhn."""
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def wrong(digit: str, r: random.Random) -> str:
    """Any other check digit."""
    return str((int(digit) + 1 + r.randrange(9)) % 10) if digit.isdigit() else str(r.randrange(10))


# -- valid identifiers (and their near misses), each from its own definition --------------


def ssn(r: random.Random) -> str:
    while True:
        area = r.choice([a for a in range(1, 900) if a != 666])
        value = f"{area:03d}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}"
        if value not in ("078-05-1120", "219-09-9999", "457-55-5462"):
            return r.choice([value, value.replace("-", " "), "SSN " + value.replace("-", "")])


def ssn_miss(r: random.Random) -> str:
    return r.choice(
        [
            f"000-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}",
            f"666-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}",
            f"{r.randint(900, 999)}-{r.randint(1, 99):02d}-{r.randint(1, 9999):04d}",
            f"{r.randint(1, 665):03d}-00-{r.randint(1, 9999):04d}",
            f"{r.randint(1, 665):03d}-{r.randint(1, 99):02d}-0000",
            f"{r.randint(100, 665):03d}{r.randint(10, 99):02d}{r.randint(1000, 9999):04d}",  # no context
        ]
    )


def phone(r: random.Random) -> str:
    area, exchange, line = r.choice(AREA_CODES), r.randint(201, 989), r.randint(0, 9999)
    while exchange % 100 == 11:
        exchange = r.randint(201, 989)
    shapes = ["({a}) {e}-{n}", "{a}-{e}-{n}", "{a}.{e}.{n}", "+1 {a} {e} {n}", "fax {a}-{e}-{n}", "1-{a}-{e}-{n}"]
    return r.choice(shapes).format(a=area, e=exchange, n=f"{line:04d}")


def phone_miss(r: random.Random) -> str:
    exchange, line = r.randint(201, 989), r.randint(0, 9999)
    return r.choice(
        [
            f"({r.randint(100, 199)}) {exchange}-{line:04d}",  # area codes never start with 1
            f"(0{r.randint(10, 99)}) {exchange}-{line:04d}",  # nor with 0
            f"{r.choice(AREA_CODES)}-{exchange}-{line % 1000:03d}",  # nine digits
        ]
    )


def email(r: random.Random) -> str:
    domain = r.choice(["mercy-health.org", "example.com", "uni-klinik.de", "mail.hospital.co.uk"])
    return f"{r.choice(FIRST).lower()}.{r.choice(LAST).lower()}{r.randint(1, 99)}@{domain}"


def email_miss(r: random.Random) -> str:
    name = f"{r.choice(FIRST).lower()}.{r.choice(LAST).lower()}"
    return r.choice(
        [f"{name}@localhost", f"{name}@intranet", f"{name}..x@", f"@{name}.org", f"icon@{r.randint(2, 3)}x.png"]
    )


def ip(r: random.Random) -> str:
    if r.random() < 0.5:
        first = r.choice([8, 23, 45, 66, 98, 151, 172, 192, 203])
        return f"{first}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    return "2001:db8:" + ":".join(f"{r.randint(0, 0xFFFF):x}" for _ in range(6))


def ip_miss(r: random.Random) -> str:
    return r.choice(
        [
            f"{r.randint(256, 999)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(0, 255)}",
            f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}",
            f"v{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}",
            "127.0.0.1",
            f"{r.randint(10, 23):02d}:{r.randint(10, 59):02d}:{r.randint(10, 59):02d}",
        ]
    )


def url(r: random.Random) -> str:
    n = r.randint(1000, 999999)
    return r.choice(
        [
            f"https://portal.mercy-health.org/patients/{n}/summary",
            f"https://ehr.example.com/view?patient_id={n}",
            f"http://intranet.example.org/~{r.choice(LAST).lower()}/results",
            f"https://records.example.net/chart?mrn={n}&tab=labs",
            f"https://example.org/share?email={r.choice(FIRST).lower()}%40example.org",
        ]
    )


def url_miss(r: random.Random) -> str:
    return r.choice(
        [
            f"https://huggingface.co/OpenMed/model-{r.randint(1, 99)}",
            f"https://github.com/example/repo/blob/main/results-{r.randint(1, 99)}.md",
            f"https://arxiv.org/abs/2401.{r.randint(10000, 99999)}",
            f"https://example.org/leaderboard?task=ner&page={r.randint(1, 9)}",
        ]
    )


def _date(r: random.Random, year: int, month: int, day: int) -> str:
    shapes = ["{y}-{m:02d}-{d:02d}", "{m:02d}/{d:02d}/{y}", "{M} {d}, {y}", "{d} {M} {y}", "{m}/{d}/{y}"]
    return r.choice(shapes).format(y=year, m=month, d=day, M=MONTHS[month - 1])


def date_(r: random.Random) -> str:
    word = r.choice(["DOB", "DOB:", "date of birth", "born", "admitted", "admission date", "discharged", "died on"])
    return f"{word} {_date(r, r.randint(1920, 2020), r.randint(1, 10), r.randint(1, 28))}"


def date_miss(r: random.Random) -> str:
    word = r.choice(["DOB", "born", "admitted", "discharged"])
    return r.choice(
        [
            f"{word} {r.randint(1920, 2020)}-02-{r.randint(30, 31)}",  # no such day
            f"{word} {r.randint(13, 19)}/{r.randint(13, 28):02d}/{r.randint(1920, 2020)}",  # no such month either way
            f"released {_date(r, r.randint(1990, 2024), r.randint(1, 10), r.randint(1, 28))}",  # no context
        ]
    )


def age(r: random.Random) -> str:
    n = r.randint(90, 110)
    return r.choice([f"age {n}", f"aged {n}", f"{n}-year-old", f"{n} years old", f"{n} yo", f"Age: {n}"])


def age_miss(r: random.Random) -> str:
    n = r.randint(18, 89)
    return r.choice(
        [f"age {n}", f"{n}-year-old", f"cohort 90 to {r.randint(91, 99)} days", f"{r.randint(90, 99)} epochs"]
    )


def zip4(r: random.Random) -> str:
    return f"{r.randint(501, 99950):05d}-{r.randint(1, 9999):04d}"


def zip4_miss(r: random.Random) -> str:
    return r.choice(
        [f"00{r.randint(0, 4)}{r.randint(0, 99):02d}-{r.randint(1, 9999):04d}", f"{r.randint(501, 99950):05d}-0000"]
    )


def _numbered(words: list[str], digits: tuple[int, int], prefix: str = "") -> Callable[[random.Random], str]:
    def make(r: random.Random) -> str:
        number = "".join(str(r.randrange(10)) for _ in range(r.randint(*digits)))
        return f"{r.choice(words)} {prefix if r.random() < 0.3 else ''}{number}"

    return make


def _numbered_miss(words: list[str]) -> Callable[[random.Random], str]:
    def make(r: random.Random) -> str:
        return r.choice(
            [f"{r.choice(words)} {r.randint(10, 9999)}", f"{r.choice(words)} pending", f"{r.choice(words)} n/a"]
        )

    return make


mrn = _numbered(["MRN", "MRN:", "MRN #", "medical record number", "chart no."], (6, 10), "A")
mrn_miss = _numbered_miss(["MRN", "chart"])
health_plan = _numbered(["member ID", "policy number", "beneficiary ID", "subscriber id", "insurance id"], (8, 12), "W")
health_plan_miss = _numbered_miss(["member ID", "policy"])
account = _numbered(["account", "account number", "acct", "acct #"], (8, 12))
account_miss = _numbered_miss(["account", "acct"])
license_ = _numbered(["license number", "licence no.", "driver's license", "certificate #"], (6, 9), "D")
license_miss = _numbered_miss(["license", "certificate"])


def npi(r: random.Random) -> str:
    body = r.choice("12") + "".join(str(r.randrange(10)) for _ in range(8))
    return f"{r.choice(['NPI', 'NPI:', 'NPI #', 'national provider id'])} {body}{luhn_digit('80840' + body)}"


def npi_miss(r: random.Random) -> str:
    body = "1" + "".join(str(r.randrange(10)) for _ in range(8))  # a leading 1 is never a US phone number
    return f"NPI {body}{wrong(luhn_digit('80840' + body), r)}"


def _dea_digit(six: str) -> str:
    d = [int(c) for c in six]
    return str((d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10)


def dea(r: random.Random) -> str:
    six = "".join(str(r.randrange(10)) for _ in range(6))
    return r.choice("ABFGMPR") + r.choice(LAST)[0] + six + _dea_digit(six)


def dea_miss(r: random.Random) -> str:
    six = "".join(str(r.randrange(10)) for _ in range(6))
    return r.choice("ABFGMPR") + r.choice(LAST)[0] + six + wrong(_dea_digit(six), r)


MBI_ALPHA = "ACDEFGHJKMNPQRTUVWXY"


def mbi(r: random.Random) -> str:
    alnum = MBI_ALPHA + "0123456789"
    c = [
        r.choice("123456789"), r.choice(MBI_ALPHA), r.choice(alnum), r.choice("0123456789"),
        r.choice(MBI_ALPHA), r.choice(alnum), r.choice("0123456789"),
        r.choice(MBI_ALPHA), r.choice(MBI_ALPHA), r.choice("0123456789"), r.choice("0123456789"),
    ]  # fmt: skip
    value = "".join(c)
    return value if r.random() < 0.5 else f"{value[:4]}-{value[4:7]}-{value[7:]}"


def mbi_miss(r: random.Random) -> str:
    value = list(mbi(r).replace("-", ""))
    broken = r.choice([1, 4, 7, 8])
    value[broken] = r.choice("SLOIBZ")  # letters the MBI never uses
    if r.random() < 0.3:
        value[0] = "0"
    return "".join(value)


def card(r: random.Random) -> str:
    prefix, length = r.choice([("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16)])
    body = prefix + "".join(str(r.randrange(10)) for _ in range(length - len(prefix) - 1))
    number = body + luhn_digit(body)
    if length == 16 and r.random() < 0.6:
        sep = r.choice([" ", "-"])
        number = sep.join(number[i : i + 4] for i in range(0, 16, 4))
    return number


def card_miss(r: random.Random) -> str:
    body = "4" + "".join(str(r.randrange(10)) for _ in range(14))
    number = body + wrong(luhn_digit(body), r)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
VIN_VALUE = dict(zip("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", "012345678912345678123457923456789", strict=True))
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _vin_digit(vin: str) -> str:
    remainder = sum(int(VIN_VALUE[c]) * w for c, w in zip(vin, VIN_WEIGHTS, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def _vin_body(r: random.Random) -> str:
    wmi = r.choice(["1HG", "JH4", "WVW", "1FT", "5YJ", "KNA", "3VW"])
    middle = "".join(r.choice(VIN_CHARS) for _ in range(5))
    tail = r.choice("ABCDEFGHJKLMNPRSTVWXY") + r.choice(VIN_CHARS) + "".join(str(r.randrange(10)) for _ in range(6))
    return wmi + middle + "0" + tail


def vin(r: random.Random) -> str:
    body = _vin_body(r)
    return body[:8] + _vin_digit(body) + body[9:]


def vin_miss(r: random.Random) -> str:
    body = _vin_body(r)
    right = _vin_digit(body)
    bad = r.choice([c for c in "0123456789X" if c != right])
    return body[:8] + bad + body[9:]


def name(r: random.Random) -> str:
    title = r.choice(["Patient", "patient", "Pt.", "Mr.", "Mrs.", "Ms.", "Dr.", "Miss"])
    return f"{title} {r.choice(FIRST)} {r.choice(LAST)}" if r.random() < 0.6 else f"{title} {r.choice(LAST)}"


def name_miss(r: random.Random) -> str:
    return r.choice(
        ["Patient Safety Indicators", "patient notes benchmark", "Patient Records QA", "MIMIC patient outcomes",
         "Patient Portal Messages", "mr-ner-base", "drug-dosage-ner"]
    )  # fmt: skip


def free_text(r: random.Random) -> str:
    return r.choice(
        [
            f"The patient presented with chest pain and was discharged on day {r.randint(2, 9)}.",
            "She reports nausea and fever since Monday; denies vomiting. Prescribed 500 mg twice daily.",
            f"Pt admitted with pneumonia, history of COPD, treated with antibiotics for {r.randint(3, 14)} days",
            "We asked the model to summarise the discharge letter and it left out the follow-up appointment.",
            "Input: what is the dosage of metformin for this person? Output: take it with meals twice a day.",
        ]
    )


def free_text_miss(r: random.Random) -> str:
    return r.choice(
        ["AI4Privacy + Synthetic Bengali PII", "openmed-golden-pii", "nvidia/Nemotron-PII", "MedQA (USMLE) 4 options",
         "i2b2 2014 de-identification", "random 4:1 train/test split", "note on training data selection"]
    )  # fmt: skip


@dataclass(frozen=True)
class Kind:
    rule: str
    valid: Callable[[random.Random], str]
    miss: Callable[[random.Random], str]


TYPES = {
    "ssn": Kind("phi-ssn", ssn, ssn_miss),
    "phone": Kind("phi-phone", phone, phone_miss),
    "email": Kind("phi-email", email, email_miss),
    "ip": Kind("phi-ip", ip, ip_miss),
    "url": Kind("phi-url", url, url_miss),
    "date": Kind("phi-date", date_, date_miss),
    "age": Kind("phi-age", age, age_miss),
    "zip": Kind("phi-zip", zip4, zip4_miss),
    "mrn": Kind("phi-mrn", mrn, mrn_miss),
    "health-plan": Kind("phi-health-plan", health_plan, health_plan_miss),
    "account": Kind("phi-account", account, account_miss),
    "license": Kind("phi-license", license_, license_miss),
    "npi": Kind("phi-npi", npi, npi_miss),
    "dea": Kind("phi-dea", dea, dea_miss),
    "mbi": Kind("phi-mbi", mbi, mbi_miss),
    "card": Kind("phi-card", card, card_miss),
    "vin": Kind("phi-vin", vin, vin_miss),
    "name": Kind("phi-name", name, name_miss),
    "free-text": Kind("phi-free-text", free_text, free_text_miss),
}

# -- templates: where in which kind of result file a string lands -------------------------------


@dataclass(frozen=True)
class Planted:
    kind: str  # the file's kind
    suffix: str
    text: str  # the file's content
    pointer: str  # where the planted string sits (for a key: the key's own pointer)


def _sentence(r: random.Random, value: str) -> str:
    return r.choice(["{v}", "{v}", "see {v}", "{v} (reviewed)", "eval by site A; {v}"]).format(v=value)


def _results(value: str, r: random.Random) -> Planted:
    where = r.choice(["model_name", "source", "key"])
    data: dict[str, Any] = {"model_name": "acme/clinical-7b", "last_updated": "2024-05-01T12:00:00Z"}
    scores: dict[str, Any] = {"medqa": {"0": {"acc": 0.61, "acc_stderr": 0.012}}}
    if where == "key":
        scores[value] = {"0": {"acc": 0.5}}
        pointer = "/results/lm-eval/" + value.replace("~", "~0").replace("/", "~1")
    else:
        data[where] = _sentence(r, value)
        pointer = "/" + where
    data["results"] = {"lm-eval": scores}
    return Planted("results", ".json", json.dumps(data, indent=2), pointer)


def _measurements(value: str, r: random.Random) -> Planted:
    record: dict[str, Any] = {
        "repo_id": "OpenMed/OpenMed-PII-Fixture-Tiny-65M",
        "latency_ms": {"iphone_15_pro": 18.4, "m2_air": 7.0},
        "benchmark": [{"suite": "shield", "dataset": "openmed-golden-pii", "micro_f1": 0.98, "recall": 0.99}],
    }
    where = r.choice(["dataset", "suite", "device"])
    if where == "device":
        record["latency_ms"][value] = 3.5
        pointer = "/results/0/latency_ms/" + value.replace("~", "~0").replace("/", "~1")
    else:
        record["benchmark"][0][where] = _sentence(r, value)
        pointer = f"/results/0/benchmark/0/{where}"
    return Planted("measurements", ".json", json.dumps({"results": [record]}, indent=2), pointer)


def _manifest(value: str, r: random.Random) -> Planted:
    rows = [
        {"repo_id": f"OpenMed/model-{i}", "canonical_labels": ["EMAIL", "PHONE", "SSN", "DATE"],
         "benchmark": {"dataset": "openmed-golden-pii", "micro_f1": 0.9, "recall": 0.91}}
        for i in range(3)
    ]  # fmt: skip
    rows[1]["benchmark"]["dataset"] = _sentence(r, value)
    return Planted("manifest", ".jsonl", "".join(json.dumps(row) + "\n" for row in rows), "/benchmark/dataset")


def _model(value: str, r: random.Random) -> Planted:
    where = r.choice(["notes", "metric"])
    evaluation: dict[str, Any] = {
        "object_type": "Model evaluation",
        "name": "Model evaluation",
        "experimenters": ["Dr. Dan"],
        "notes": None,
        "performance": [{"object_type": "Performance metric", "name": "precision", "value": 0.8}],
    }
    if where == "notes":
        evaluation["notes"] = _sentence(r, value)
        pointer = "/evaluations/0/notes"
    else:
        evaluation["performance"][0]["name"] = _sentence(r, value)
        pointer = "/evaluations/0/performance/0/name"
    data = {"name": "clinical-ner", "evaluations": [evaluation]}
    return Planted("model", ".json", json.dumps(data, indent=2), pointer)


TEMPLATES = (_results, _measurements, _manifest, _model)


def planted(type_: str, count: int, seed: int, near_miss: bool = False) -> list[Planted]:
    r = random.Random(f"{type_}:{seed}:{near_miss}")
    kind = TYPES[type_]
    make = kind.miss if near_miss else kind.valid
    out = []
    for i in range(count):
        template = TEMPLATES[i % len(TEMPLATES)]
        out.append(template(make(r), r))
    return out


def benign(count: int, seed: int) -> list[Planted]:
    """Result files as they are meant to be: names, dates, device labels and numbers only."""
    r = random.Random(seed)
    out = []
    datasets = ["openmed-golden-pii", "nvidia/Nemotron-PII", "ai4privacy/pii-masking-400k", "i2b2-2014", "MedQA"]
    for i in range(count):
        template = TEMPLATES[i % len(TEMPLATES)]
        out.append(template(r.choice(datasets) + f"-v{r.randint(1, 9)}", r))
    return out
