"""The HIPAA Safe Harbor identifiers a pattern can recognise, with checksums and context for precision.

`scan(text, context)` returns the rule ids found in one string (a value or a key),
each with how many times. `context` is the name of the key the string sits under
(for a key, its parent key): a key such as `dob` or `mrn` is context just as a word
before the value is.

Precision comes from three things: a value that fails its checksum or its
character-position rules is not reported as that identifier; identifiers that
are only numbers (MRN, NPI, national numbers, dates of birth, ages) need a context
word right before them (or right after: `1862728973 (NPI)`) or a context key; and
where two detectors claim the same characters, the more specific one (the earlier
in DETECTORS) wins, so a card number is not also a phone number.

Cost is linear in the string's length: every pattern's repetitions are bounded or
cannot overlap, context is looked for in a fixed window, the phone library sees only
short windows around runs of digits, and overlaps are tested against a character mask.

A cheap prefilter keeps the cost near zero for the strings result files hold
(dataset names, device labels, timestamps): see `prefilter`. The libraries
(python-stdnum, phonenumbers) are imported on the first candidate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from functools import lru_cache

from mlmeta.rules.phi.prefilter import NOTHING as _NOTHING
from mlmeta.rules.phi.prefilter import SCRIPTS as _SCRIPTS
from mlmeta.rules.phi.prefilter import TITLE as _TITLE

Span = tuple[int, int]

# what each rule is called in a message; the rule ids are phi-<key>
LABELS = {
    "phi-url": "URL or path naming a person or record",
    "phi-email": "e-mail address",
    "phi-ip": "IP address",
    "phi-card": "payment card number",
    "phi-npi": "NPI (national provider identifier)",
    "phi-dea": "DEA registration number",
    "phi-mbi": "Medicare beneficiary identifier",
    "phi-vin": "vehicle identification number",
    "phi-ssn": "Social Security number",
    "phi-national-id": "national identity number",
    "phi-phone": "phone or fax number",
    "phi-address": "street address",
    "phi-zip": "ZIP+4 code",
    "phi-date": "date of birth, admission, discharge or death",
    "phi-age": "age over 89",
    "phi-mrn": "medical record number",
    "phi-health-plan": "health plan, member or policy number",
    "phi-account": "account number",
    "phi-license": "licence or certificate number",
    "phi-name": "person's name",
    "phi-free-text": "free text (sentences or clinical narrative)",
}

_B = r"(?<![A-Za-z0-9])"  # start of a token
_E = r"(?![A-Za-z0-9])"  # end of a token
_CACHED = 256  # longer strings are rarely repeated; caching them would only hold memory
# the detectors read a string's first 64 KiB: what lies beyond is bounded work away from a verdict
# that the string's length has usually given already (a descriptive string is at most 200 characters)
MAX_SCANNED = 65_536


def scan(text: str, context: str = "", skip: frozenset[str] = frozenset()) -> dict[str, int]:
    """Rule id -> how many identifiers of that type the string holds (rules in `skip` are not looked for).

    Callers ask only for strings `prefilter.passes` lets through (or that stand under a key naming people).
    The result is shared between calls: read it, never change it.
    """
    if len(text) < 2:
        return _NOTHING
    if len(text) > _CACHED:
        return _scan(text, context, skip)
    return _cached(text, context, skip)


@lru_cache(maxsize=65536)
def _cached(text: str, context: str, skip: frozenset[str]) -> dict[str, int]:
    """Strings repeat from row to row (dataset names, device labels, keys): each is looked at once."""
    return _scan(text, context, skip)


def _scan(text: str, context: str, skip: frozenset[str]) -> dict[str, int]:
    text = text[:MAX_SCANNED]
    key = _key_context(context)
    taken = bytearray(len(text))  # 1 where an earlier (more specific) detector claimed the character
    found: dict[str, int] = {}
    for rule, detector in DETECTORS:
        if rule in skip:
            continue
        for start, end in detector(text, key):
            if taken.find(1, start, end) == -1:
                taken[start:end] = b"\1" * (end - start)
                found[rule] = found.get(rule, 0) + 1
    if "phi-free-text" not in skip and _free_text(text, key):
        found["phi-free-text"] = 1  # a property of the whole string, whatever else it holds
    return found


@lru_cache(maxsize=4096)
def _key_context(context: str) -> str:
    """A key name as words: `patientDOB` and `patient_dob` both read `patient dob`."""
    if not context:
        return ""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", context[:200])
    return re.sub(r"[^A-Za-z0-9]+", " ", spaced).lower().strip()


def _keyed(key: str, words: frozenset[str]) -> bool:
    """The key context holds one of `words` (single words, or two-word phrases)."""
    parts = key.split()
    return bool(words.intersection(parts)) or any(" ".join(parts[i : i + 2]) in words for i in range(len(parts) - 1))


# between a context word and its value: separators and a few filler words, nothing else
_GAP = re.compile(
    r"(?i)(?:[\s:#=.,;()\[\]*/\uff1a-]|\b(?:date|dt|of|on|at|is|was|no|num|number|nr|de|du|le|la|el|am|vom|di|da|the)\b)*"
)


def _before(text: str, start: int, words: re.Pattern[str], window: int = 30) -> bool:
    """A context word ends at most `window` characters before `start`, with only filler between."""
    low = max(0, start - window)
    last = None
    for last in words.finditer(text, low, start):  # noqa: B007 - the last one is the nearest
        pass
    return last is not None and _GAP.fullmatch(text, last.end(), start) is not None


_AFTER = re.compile(r"[\s:,]{0,3}[(\[]?\s{0,2}")


def _after(text: str, end: int, words: re.Pattern[str]) -> bool:
    """A context word right after the value: `1862728973 (NPI)`."""
    gap = _AFTER.match(text, end)
    return gap is not None and words.match(text, gap.end()) is not None


# -- network identifiers -----------------------------------------------------

_URL = re.compile(r"(?i)\b(?:https?|ftp)://[^\s\"'<>]+|\bwww\.[^\s\"'<>]+")
# a path that is not a URL: `/chart/48813920`, `ehr/patients/4481`
_PATH = re.compile(r"(?:(?<=[\s\"'(=])|\A)(?:[\w.-]{1,64})?(?:/[\w.~%-]{1,64}){2,12}/?")
_PERSON_QUERY = re.compile(
    r"(?i)\A(?:patient|patient_?id|pid|mrn|ssn|dob|birth_?date|e?mail|email_?address|name|full_?name|"
    r"first_?name|last_?name|fname|lname|surname|user|user_?id|username|member|member_?id|phone|person|"
    r"person_?id|subject|subject_?id|account|account_?id|chart|chart_?id|record_?id|mrn_?id|encounter_?id|"
    r"hadm_?id|visit_?id)\Z"
)
_PERSON_SEGMENT = re.compile(
    r"(?i)\A(?:patients?|persons?|people|users?|members?|profiles?|subjects?|mrn|charts?|records?|encounters?|"
    r"admissions?|visits?|~.+)\Z"
)
# a FHIR reference to a person or their record: `Patient/12345`, `Encounter/enc-4481`
_FHIR = re.compile(r"\b(?:Patient|Person|RelatedPerson|Encounter|EpisodeOfCare)/(?=[A-Za-z-]*\d)[A-Za-z0-9.-]{1,64}\b")
_RECORD_ID = re.compile(r"\A(?=(?:[A-Za-z-]*\d){5})[A-Za-z0-9-]{5,40}\Z")  # five digits: no year


def _names_a_person(path: str, query: str, local: bool = False) -> bool:
    """Whether a URL's path and query (or, `local`, a file-system path) name a person or their record.

    A file-system path's `users/<name>`, `home`-like `~name` is an account on a machine (a checkpoint
    under a researcher's home folder, as real results files name models), not a person in the data.
    """
    from urllib.parse import parse_qsl

    segments = [s for s in path.split("/") if s]
    for index, segment in enumerate(segments):
        if segment.startswith("~") and len(segment) > 1 and not local:
            return True
        if _PERSON_SEGMENT.match(segment) and index + 1 < len(segments):
            following = segments[index + 1]
            lowered = segment.lower()
            if local and lowered.startswith(("user", "profile", "~")):
                continue
            # `/patients/<anything>`, `/chart/<number>`: records only by an id after them
            if lowered.startswith(("patient", "person", "people", "user", "member", "profile", "subject")):
                return True
            if _RECORD_ID.match(following):
                return True
    return any(_PERSON_QUERY.match(name) and value for name, value in parse_qsl(query[:2000]))


def _urls(text: str, key: str) -> Iterator[Span]:
    from urllib.parse import urlsplit

    for match in _URL.finditer(text):
        raw = match.group().rstrip(".,;)")
        try:
            parts = urlsplit(raw if "://" in raw else "http://" + raw)
            # a user in the URL names a person, but for `ssh://git@host/`, a remote
            user = parts.username is not None and (parts.username != "git" or parts.password is not None)
        except ValueError:
            continue
        fragment_path, _, fragment_query = parts.fragment.partition("?")  # `#/records?patientId=...`
        if (
            user
            or _names_a_person(parts.path, parts.query)
            or _names_a_person(fragment_path, fragment_query)
        ):
            yield match.start(), match.start() + len(raw)
    if "/" in text:
        yield from (match.span() for match in _FHIR.finditer(text))
        for match in _PATH.finditer(text):
            if "//" not in match.group() and _names_a_person(match.group(), "", local=True):
                yield match.span()


_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b"
)
_FILE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "json", "yaml", "yml", "txt", "py", "md"})


def _emails(text: str, key: str) -> Iterator[Span]:
    for match in _EMAIL.finditer(text):
        local, _, domain = match.group().partition("@")
        labels = domain.split(".")
        if (
            local.startswith(".")
            or local.endswith(".")
            or ".." in local
            or any(not label or label[0] == "-" or label[-1] == "-" for label in labels)
            or labels[-1].lower() in _FILE_SUFFIXES
            or text.startswith(":", match.end())  # `git@github.com:org/repo.git`, an SSH remote
            or text.endswith("://", 0, match.start())  # a URL's user (`ssh://git@host/`): the URL detector's
        ):
            continue
        yield match.span()


_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])")
# a dotted quad after these is a version (`TensorRT 10.3.0.26`, `cuDNN 8.9.7.29`), not an address
_VERSION_CONTEXT = re.compile(
    r"(?i)(?:version|ver\.?|v|release|build|driver|cuda|cudnn|tensorrt|trt|nccl|onnx(?:runtime)?|torch|rocm|"
    r"openvino|mkl|python|firmware|[a-z][\w.-]*[=_/-]|[a-z]+\s+lib\w*)\s*[:=]?\s*\Z"
)
# or before these: `10.3.0.26 TensorRT`, `8.9.7.29 (cuDNN)`
_VERSION_AFTER = re.compile(
    r"(?i)\s{0,2}[(\[]?\s{0,2}(?:tensorrt|trt|cudnn|cuda|nccl|driver|rocm|openvino|onnx\w*|torch|build|release|version)\b"
)
_VERSION_KEYS = frozenset({"version", "versions", "ver", "release", "build", "driver", "cuda", "cudnn", "tensorrt"})


def _ips(text: str, key: str) -> Iterator[Span]:
    import ipaddress

    versions = _keyed(key, _VERSION_KEYS)
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            candidate = match.group()
            if pattern is _IPV6 and sum(1 for group in candidate.split(":") if group) < 2:
                continue
            version = _VERSION_CONTEXT.search(text, max(0, match.start() - 24), match.start()) or _VERSION_AFTER.match(
                text, match.end()
            )
            if pattern is _IPV4 and (versions or version):
                continue
            try:
                address = ipaddress.ip_address(candidate)
            except ValueError:
                continue
            if not (address.is_loopback or address.is_unspecified):
                yield match.span()


# -- numbers with a checksum ---------------------------------------------------

_CARD = re.compile(r"(?<![\d-])\d{4}(?:[ -]?\d{2,7}){2,4}(?![\d-])")


def _card_brand(digits: str) -> bool:
    """The number's issuer prefix fits its length (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay)."""
    n, two, four = len(digits), int(digits[:2]), int(digits[:4])
    return (
        (digits[0] == "4" and n in (13, 16, 19))
        or ((51 <= two <= 55 or 2221 <= four <= 2720) and n == 16)
        or (two in (34, 37) and n == 15)
        or ((four == 6011 or 644 <= int(digits[:3]) <= 649 or two == 65) and 16 <= n <= 19)
        or (3528 <= four <= 3589 and 16 <= n <= 19)
        or ((300 <= int(digits[:3]) <= 305 or two in (36, 38)) and n == 14)
        or (two == 62 and 16 <= n <= 19)
    )


def _cards(text: str, key: str) -> Iterator[Span]:
    for match in _CARD.finditer(text):
        raw = match.group()
        if "-" in raw and " " in raw:
            continue
        digits = raw.replace(" ", "").replace("-", "")
        if 13 <= len(digits) <= 19 and _card_brand(digits) and _luhn(digits):
            yield match.span()


def _luhn(digits: str) -> bool:
    from stdnum import luhn

    return bool(luhn.is_valid(digits))


_NPI = re.compile(r"(?<!\d)[12]\d{9}(?!\d)")
_NPI_CONTEXT = re.compile(r"(?i)\bNPI\b|national\s+provider(?:\s+(?:id|identifier|number))?")
_NPI_AFTER = re.compile(r"(?i)NPI\b")


def _npis(text: str, key: str) -> Iterator[Span]:
    keyed = "npi" in key.split() or "national provider" in key
    for match in _NPI.finditer(text):
        start, end = match.span()
        context = keyed or _before(text, start, _NPI_CONTEXT) or _after(text, end, _NPI_AFTER)
        if context and _luhn("80840" + match.group()):
            yield match.span()


# registrant type, then the registrant's initial (or 9), then six digits and a check digit
_DEA = re.compile(_B + r"[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}" + _E)


def _deas(text: str, key: str) -> Iterator[Span]:
    for match in _DEA.finditer(text):
        d = [int(c) for c in match.group()[2:]]
        if (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]:
            yield match.span()


# Medicare Beneficiary Identifier: 11 characters by position (CMS MBI format), no S L O I B Z
_MBI_ALPHA = "[AC-HJKMNP-RT-Y]"
_MBI_ALNUM = "[AC-HJKMNP-RT-Y0-9]"
_MBI = re.compile(_B + f"[1-9]{_MBI_ALPHA}{_MBI_ALNUM}\\d-?{_MBI_ALPHA}{_MBI_ALNUM}\\d-?{_MBI_ALPHA}{{2}}\\d{{2}}" + _E)


def _mbis(text: str, key: str) -> Iterator[Span]:
    for match in _MBI.finditer(text):
        if match.group().count("-") in (0, 2):
            yield match.span()


_VIN = re.compile(_B + r"[A-HJ-NPR-Z0-9]{8}[0-9X][A-HJ-NPR-Z0-9]{5}\d{3}" + _E)
# transliteration: digits as themselves, letters by ISO 3779 (I, O and Q never occur)
_VIN_VALUES = {
    c: int(v) for c, v in zip("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", "012345678912345678123457923456789", strict=True)
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _vins(text: str, key: str) -> Iterator[Span]:
    """ISO 3779 VINs with the North American check digit (position 9) right."""
    for match in _VIN.finditer(text):
        vin = match.group()
        if sum(c.isalpha() for c in vin) < 2:
            continue
        remainder = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True)) % 11
        if vin[8] == ("X" if remainder == 10 else str(remainder)):
            yield match.span()


# -- numbers by shape -----------------------------------------------------------

_SSN = re.compile(r"(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])")
_SSN_BARE = re.compile(r"(?<!\d)\d{9}(?!\d)")
_SSN_CONTEXT = re.compile(r"(?i)\bSSN\b|social\s+security(?:\s+(?:number|no))?|\bSS#")


def _ssns(text: str, key: str) -> Iterator[Span]:
    keyed = "ssn" in key.split() or "social security" in key
    found = [(m.span(), m.group(1) + m.group(3) + m.group(4)) for m in _SSN.finditer(text)]
    found += [
        (m.span(), m.group()) for m in _SSN_BARE.finditer(text) if keyed or _before(text, m.start(), _SSN_CONTEXT)
    ]
    if found:
        from stdnum.us import ssn

        yield from (span for span, digits in found if ssn.is_valid(digits))


# national identity numbers that python-stdnum validates by checksum (or date and checksum), each only
# after (or under) its own name: the checksum alone lets one random number in ten through
_NATIONAL = (
    ("gb.nhs", r"NHS(?:\s+(?:number|no))?", r"\d{3}[ -]?\d{3}[ -]?\d{4}"),
    ("ca.sin", r"SIN|NAS|social\s+insurance(?:\s+number)?", r"\d{3}[ -]?\d{3}[ -]?\d{3}"),
    ("in_.aadhaar", r"(?i:aadhaa?r|UIDAI)|आधार", r"\d{4}[ -]?\d{4}[ -]?\d{4}"),
    ("br.cpf", r"CPF", r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}"),
    ("fr.nir", r"NIR|INSEE|(?i:num[ée]ro\s+de\s+s[ée]curit[ée]\s+sociale|s[ée]curit[ée]\s+sociale)",
     r"[12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}\s?\d{2}"),
    ("es.dni", r"DNI", r"\d{8}-?[A-Z]"),
    ("es.nie", r"NIE", r"[XYZ]-?\d{7}-?[A-Z]"),
    ("it.codicefiscale", r"(?i:codice\s+fiscale)|C\.?F\.", r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]"),
    ("nl.bsn", r"BSN|(?i:burgerservicenummer)", r"\d{4}\.?\d{2}\.?\d{3}"),
    ("se.personnummer", r"(?i:personnummer)", r"(?:\d{2})?\d{6}[-+]?\d{4}"),
    ("dk.cpr", r"CPR(?:-?(?:nr|nummer))?", r"\d{6}-?\d{4}"),
    ("no.fodselsnummer", r"(?i:f[øo]dselsnummer)", r"\d{6}\s?\d{5}"),
    ("fi.hetu", r"HETU|(?i:henkil[öo]tunnus)", r"\d{6}[-+A]\d{3}[0-9A-Z]"),
    ("cn.ric", r"身份证(?:号码?)?|(?i:resident\s+identity(?:\s+card)?(?:\s+number)?)", r"\d{17}[\dX]"),
    ("kr.rrn", r"RRN|주민등록번호", r"\d{6}-?\d{7}"),
    ("pl.pesel", r"PESEL", r"\d{11}"),
    ("de.idnr", r"(?i:steuer-?id(?:entifikationsnummer)?|IdNr)", r"\d{2}\s?\d{3}\s?\d{3}\s?\d{3}"),
    ("ch.ssn", r"AHV|AVS", r"756\.?\d{4}\.?\d{4}\.?\d{2}"),
    ("mx.curp", r"CURP", r"[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d"),
    ("cl.rut", r"RUT|RUN", r"\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK]"),
    ("il.idnr", r"(?i:teudat\s+zehut)|ת\.?ז", r"\d{9}"),
    ("za.idnr", r"(?i:south\s+african\s+id(?:\s+number)?)|RSA\s+ID",
     r"\d{6}\s?\d{4}\s?\d{2}\s?\d"),
    ("au.tfn", r"TFN|(?i:tax\s+file\s+number)", r"\d{3}\s?\d{3}\s?\d{2,3}"),
    ("be.nn", r"(?i:rijksregisternummer|num[ée]ro\s+national|national\s+number)",
     r"\d{2}\.?\d{2}\.?\d{2}-?\d{3}\.?\d{2}"),
    ("ie.pps", r"PPSN?", r"\d{7}[A-W][A-IW]?"),
    ("jp.in_", r"(?i:my\s*number)|マイナンバー|個人番号", r"\d{4}\s?\d{4}\s?\d{4}"),
)  # fmt: skip
_NATIONAL_KEYS = {
    "nhs": "gb.nhs", "sin": "ca.sin", "aadhaar": "in_.aadhaar", "cpf": "br.cpf", "nir": "fr.nir", "dni": "es.dni",
    "nie": "es.nie", "bsn": "nl.bsn", "personnummer": "se.personnummer", "cpr": "dk.cpr", "hetu": "fi.hetu",
    "pesel": "pl.pesel", "curp": "mx.curp", "tfn": "au.tfn", "rrn": "kr.rrn", "pps": "ie.pps",
}  # fmt: skip
_NATIONAL_PATTERNS = [
    (module, re.compile(r"(?<![\w])(?:" + word + r")(?![\w])"), re.compile(_B + number + _E))
    for module, word, number in _NATIONAL
]
_NATIONAL_GATE = re.compile(r"\d{3}")
_NATIONAL_ANY_WORD = re.compile("|".join(f"(?:{word})" for _, word, _ in _NATIONAL))  # one search, not 26


def _national_ids(text: str, key: str) -> Iterator[Span]:
    if _NATIONAL_GATE.search(text) is None:
        return
    import importlib

    keyed = {_NATIONAL_KEYS[word] for word in key.split() if word in _NATIONAL_KEYS}
    if not keyed and _NATIONAL_ANY_WORD.search(text) is None:
        return
    for module, word, number in _NATIONAL_PATTERNS:
        if module in keyed:
            found = list(number.finditer(text))
        else:  # the words are rare, the numbers are not: look for numbers only around a word
            found = []
            for context in word.finditer(text):
                after = number.search(text, context.end(), context.end() + 30)
                if after is not None and _GAP.fullmatch(text, context.end(), after.start()):
                    found.append(after)
                before = number.search(text, max(0, context.start() - 36), context.start())
                if before is not None and _AFTER.fullmatch(text, before.end(), context.start()):
                    found.append(before)
        for match in found:
            if importlib.import_module("stdnum." + module).is_valid(match.group()):
                yield match.span()


_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
# nine digits or more with at most separators between them: no timestamp or version gets this far
_PHONE_RUN = re.compile(r"\+?\d(?:[\s().\-/]{0,3}\d){8,}")
_PHONE_WINDOW, _PHONE_STEP = 48, 32  # the library reads short windows only: its cost grows faster than linearly
_PHONE_WINDOWS = 256  # per string: a table of numbers is no list of phone numbers past this


def _phones(text: str, key: str) -> Iterator[Span]:
    runs = list(_PHONE_RUN.finditer(text))
    if not runs:
        return
    import phonenumbers

    seen = windows = 0
    for run in runs:
        start = max(run.start() - 6, seen)
        while start < run.end() and windows < _PHONE_WINDOWS:
            windows += 1
            window = text[start : start + _PHONE_WINDOW]
            for match in phonenumbers.PhoneNumberMatcher(window, "US", leniency=phonenumbers.Leniency.VALID):
                begin, end = start + match.start, start + match.end
                # a window may cut a longer number: a match that touches a digit outside it is no number
                cut = (end < len(text) and text[end].isdigit()) or (begin > 0 and text[begin - 1].isdigit())
                if not cut and not _DOTTED_QUAD.fullmatch(match.raw_string):  # 353.50.194.66 is no phone number
                    yield begin, end
            start += _PHONE_STEP
        seen = start


_ZIP4 = re.compile(r"(?<![\d-])(\d{5})-(\d{4})(?![\d-])")


def _zips(text: str, key: str) -> Iterator[Span]:
    for match in _ZIP4.finditer(text):
        if int(match.group(1)) >= 501 and match.group(2) != "0000":  # 00501 is the lowest ZIP code in use
            yield match.span()


# -- street addresses -----------------------------------------------------------------

_STREET_TYPES = (
    r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace|Ter|Circle|Cir|"
    r"Parkway|Pkwy|Highway|Hwy|Way|Square|Sq|Trail|Trl|Row|Crescent|Close"
)
_CAP = r"[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
_STREET = re.compile(
    r"(?<![\w.-])\d{1,6}[A-Za-z]?\s{1,3}(?:[NSEW]\.?\s{1,2}|(?:North|South|East|West)\s{1,2})?"
    r"(?:(?:" + _CAP + r"|\d{1,3}(?:st|nd|rd|th))\s{1,2}){1,3}(?:" + _STREET_TYPES + r")\b\.?"
)
# continental forms: `Musterstraße 12`, `12 rue de la Paix`, `Calle Mayor 5`
_STREET_EU = re.compile(
    r"\b[A-ZÄÖÜ][a-zäöüß]+(?:stra(?:ß|ss)e|weg|gasse|platz|allee|ring|damm|laan|straat|gracht|vej|gatan|gata)"
    r"\s{1,2}\d{1,4}[a-z]?\b"
    r"|(?<![\w.-])\d{1,4}(?:\s?(?:bis|ter))?,?\s{1,2}(?:rue|avenue|boulevard|chemin|place|all[ée]e|impasse)"
    r"\s{1,2}(?:(?:de|du|des|la|le|l')\s{0,2}){0,2}[A-ZÉ][\w'-]+"
    r"|\b(?:Calle|Avenida|Av\.|Rua|Via|Viale|Piazza|Carrer|Paseo)\s{1,2}(?:(?:de|del|la|dos|da)\s{1,2}){0,2}"
    r"[A-ZÁÉÍÓÚ][\w-]+(?:\s{1,2}[A-ZÁÉÍÓÚ][\w-]+)?,?\s{1,2}(?:n[º°o.]\s?)?\d{1,4}\b"
)
_PO_BOX = re.compile(r"(?i)\bP\.?\s?O\.?\s{0,2}Box\s{1,2}\d{1,6}\b")
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|"
    "OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)
# `Somerville, MA 02143`: a town, a state and a ZIP code together are an address however they are reached
_CITY_STATE_ZIP = re.compile(
    r"\b" + _CAP + r"(?:\s" + _CAP + r"){0,2},\s{1,2}(?:" + _US_STATES + r")\s{1,2}\d{5}(?:-\d{4})?\b"
)


def _addresses(text: str, key: str) -> Iterator[Span]:
    for pattern in (_STREET, _STREET_EU, _PO_BOX, _CITY_STATE_ZIP):
        yield from (match.span() for match in pattern.finditer(text))


# -- dates and ages in context --------------------------------------------------------

_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_MONTH = r"(?P<mon>(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?)"
_DATES = (
    re.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d])"),
    re.compile(r"(?<![\d/])(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/])"),
    re.compile(r"(?<![\d/.])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\d/])"),
    re.compile(r"(?<![\d.-])(?P<d>\d{1,2})[.-](?P<m>\d{1,2})[.-](?P<y>\d{4})(?![\d.])"),
    re.compile(_MONTH + r"\s{1,3}(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s{1,3}(?P<y>\d{4})\b"),
    re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s{1,3}|-)" + _MONTH + r"(?:,?\s{1,3}|-)(?P<y>\d{4})\b"),
    re.compile(r"(?<!\d)(?P<y>(?:18|19|20|21)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)"),  # 19610909
    re.compile(r"(?P<y>\d{4})\s?年\s?(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?日"),
)
_DATE_CONTEXT = re.compile(
    r"(?i)(?<![\w])(?:DOB|D\.\s?O\.\s?B\.?|DOD|b\.|birth|birthday|birthdate|born|née|né|admit|admitted|admission|"
    r"admissions|discharge|discharged|death|died|deceased|expired|"
    r"fecha\s+de\s+(?:nacimiento|ingreso|alta|defunci[oó]n)|nacid[oa]|date\s+de\s+naissance|n[ée]e?\s+le|"
    r"geburtsdatum|geb\.|geboren|data\s+di\s+nascita|nat[oa]\s+il|data\s+de\s+nascimento|nascid[oa]|"
    r"geboortedatum|f[øo]dt|f[öo]dd|出生日期|生年月日|出生|入院|退院|出院|死亡|जन्म\s+तिथि|जन्मतिथि|"
    r"تاريخ\s+الميلاد|تاريخ\s+الدخول|дата\s+рождения)(?!\w)"
)
_DATE_KEYS = frozenset(
    {"dob", "dod", "birth", "birthday", "birthdate", "born", "admit", "admitted", "admission", "discharge"}
    | {"discharged", "death", "died", "deceased", "admittime", "dischtime", "deathtime", "geburtsdatum"}
)


def _real_date(match: re.Match[str]) -> bool:
    parts = match.groupdict()
    text_year = parts["y"]
    year = int(text_year) if len(text_year) == 4 else 1900 + int(text_year)
    month = _MONTHS.get(parts["mon"][:3].lower(), 0) if parts.get("mon") else int(parts["m"])
    day = int(parts["d"])
    if not 1850 <= year <= 2210:  # MIMIC shifts its dates into the 22nd century
        return False
    for m, d in ((month, day), (day, month)):  # day and month are read either way round
        try:
            date(year, m, d)
            return True
        except ValueError:
            continue
    return False


_DATE_AFTER = re.compile(r"(?i)(?:DOB|D\.O\.B\.?|date\s+of\s+birth|birth|born)\b")


def _dates(text: str, key: str) -> Iterator[Span]:
    keyed = _keyed(key, _DATE_KEYS) or "date of birth" in key
    for pattern in _DATES:
        for match in pattern.finditer(text):
            start, end = match.span()
            near = keyed or _before(text, start, _DATE_CONTEXT, 30) or _after(text, end, _DATE_AFTER)
            if near and _real_date(match):
                yield match.span()


_AGES = (
    re.compile(r"(?i)\b(?:age[ds]?|edad|âge|alter|età|idade)\b\s{0,3}(?:[:=]|\bis\b|\bof\b|\bde\b)?\s{0,3}(?P<n>\d{2,3})(?!\d)"),
    re.compile(r"(?i)(?<!\d)(?P<n>\d{2,3})[\s-]{0,3}(?:years?|yrs?|y)[\s-]{0,3}old\b"),
    re.compile(r"(?i)(?<!\d)(?P<n>\d{2,3})\s{0,2}(?:yo|y/o|y\.o\.|años|ans|jahre|anni|anos|歳|岁)(?![A-Za-z])"),
)
_AGE_ALONE = re.compile(r"\A\s{0,3}(?P<n>\d{2,3})\s{0,3}\Z")
# a band or stratum (`age 90+`, `aged 90-94`, `90 to 99`) is the aggregate Safe Harbor asks for
_AGE_BAND = re.compile(
    r"(?i)\s{0,2}(?:\+|[-\u2013]\s{0,2}\d|to\s+\d|or\s+(?:older|over|above)|and\s+(?:older|over|above))"
)


def _ages(text: str, key: str) -> Iterator[Span]:
    patterns = (*_AGES, _AGE_ALONE) if "age" in key.split() else _AGES
    for pattern in patterns:
        for match in pattern.finditer(text):
            if 90 <= int(match.group("n")) <= 125 and not _AGE_BAND.match(text, match.end("n")):
                yield match.span("n")


# -- record, plan, account and licence numbers near their words -------------------------------

_ID = (
    r"(?![A-Za-z0-9])[\s:#=.-]{0,4}(?:(?i:number|num|no|nr)\.?)?[\s:#=.-]{0,4}"
    r"(?P<id>[A-Z0-9][A-Z0-9-]{3,19})(?![A-Za-z0-9])"
)
_ID_BEFORE = r"(?<![A-Za-z0-9-])(?P<id>[A-Z0-9][A-Z0-9-]{3,19})[\s,]{0,3}[(\[]?\s{0,2}(?:"


def _numbered(context: str, keys: frozenset[str]) -> Callable[[str, str], Iterator[Span]]:
    """A detector for an identifier that is a number only by the word before it, after it, or its key."""
    near = re.compile(r"(?i)(?<![A-Za-z0-9])(?:" + context + r")" + _ID)
    after = re.compile(_ID_BEFORE + r"(?i:" + context + r"))(?![A-Za-z0-9])")
    alone = re.compile(r"\A\s{0,3}(?P<id>[A-Za-z0-9][A-Za-z0-9-]{3,19})\s{0,3}\Z")

    def detect(text: str, key: str) -> Iterator[Span]:
        found = [*near.finditer(text), *after.finditer(text)]
        if key and _keyed(key, keys):
            found.extend(alone.finditer(text))
        for match in found:
            if sum(c.isdigit() for c in match.group("id")) >= 5:
                yield match.span("id")

    return detect


_mrns = _numbered(
    r"MRN|MR\s?#|MR\s+(?:no|number)|medical\s+record(?:\s+number)?|med\s+rec|chart|unit\s+(?:no|number)|"
    r"hospital\s+(?:no|number)|patient[\s_-]?(?:id|no|number)|pt[\s_-]?id|encounter(?:\s+id)?|hadm_id|subject_id|"
    r"accession(?:\s+(?:no|number))?|historia\s+cl[ií]nica|NHC|patienten-?id|fallnummer|病历号|カルテ番号",
    frozenset({"mrn", "chart", "medical record", "unit no", "patient id", "patientid", "pid", "hadm id", "subject id",
               "encounter id", "stay id", "accession", "record id"}),
)  # fmt: skip
_plans = _numbered(
    r"member\s*(?:id|#)|member|health\s*plan(?:\s*id)?|policy|beneficiary(?:\s*id)?|subscriber(?:\s*id)?|"
    r"insurance(?:\s*id)?|group\s*(?:id|#)|medicaid(?:\s*id)?|medicare(?:\s*id)?",
    frozenset({"member", "member id", "policy", "beneficiary", "subscriber", "insurance", "medicaid", "health plan"}),
)
_accounts = _numbered(r"account|acct\.?|a/c", frozenset({"account", "acct"}))
_licenses = _numbered(
    r"licen[cs]e|driver'?s?\s+licen[cs]e|DL|certificate|cert\.?",
    frozenset({"license", "licence", "certificate"}),
)

# -- people -----------------------------------------------------------------------------

_CAPITALISED = r"[A-Z]'?[a-z]{0,3}[A-Z]?[a-z]+(?:[-'][A-Z][a-z]+)?"  # Smith, McDonald, O'Brien, Lopez-Garcia
_NAME = re.compile(r"\b" + _TITLE + rf"\s{{1,3}}(?P<first>{_CAPITALISED})(?:\s{{1,3}}(?P<last>{_CAPITALISED}))?")
# the forms a clinical form writes a name in: `First Last`, `First M. Last`, `Last, First M.`, `LAST, FIRST`
_PERSON = (
    rf"(?P<first>{_CAPITALISED})(?:\s[A-Z]\.?)?\s(?P<last>{_CAPITALISED})(?:\s(?P<third>{_CAPITALISED}))?"
    rf"|(?P<first2>{_CAPITALISED}),\s?(?P<last2>{_CAPITALISED})(?:\s[A-Z]\.?)?"
    r"|(?P<first3>[A-Z]{2,}(?:[-'][A-Z]{2,})?),\s?(?P<last3>[A-Z]{2,})(?![A-Za-z])"
)
_LABELLED = re.compile(
    r"(?i:(?<![\w])(?:patient(?:'s)?(?:[\s_]+(?:full[\s_]+)?name)?|pt\.?(?:[\s_]+name)?|(?:full[\s_]+|first[\s_]+|last[\s_]+|sur)?name|"
    r"nombre(?:\s+del\s+paciente)?|nom(?:\s+du\s+patient)?|paciente|patient(?:in)?|vorname|nachname|cognome|nome))"
    r"\s{0,3}[:=]\s{0,3}(?:" + _PERSON + ")"
)
# `name:` after these names a thing, not a person
_THING = re.compile(
    r"(?i)(?:task|dataset|data|model|metric|file|project|benchmark|run|experiment|split|config|scenario|suite|"
    r"column|field|label|class|entity|feature|tag|sheet|table|test|eval|evaluation|prompt|template|user)[\s_-]{0,2}\Z"
)
_WHOLE_NAME = re.compile(r"\A\s{0,2}(?:" + _PERSON + r")\s{0,2}\Z")
# per-document results keyed by file name: `lastname_firstname_2024-02-11.txt`
_FILE_NAME = re.compile(
    r"(?<![A-Za-z0-9])(?P<first>[a-z]{2,20})[_-](?P<last>[a-z]{2,20})[_-](?:\d{4}-?\d{2}-?\d{2})"
    r"(?:[_-][a-z0-9]{1,12})?\.(?:txt|pdf|json|xml|csv|docx?|rtf|hl7|dcm|html?|md)\b"
)
# keys whose values (or, for a parent, whose keys) are people
_PERSON_KEYS = frozenset(
    {"patient", "patients", "person", "persons", "people", "subject", "subjects", "participant", "participants"}
    | {"patient name", "full name", "first name", "last name", "surname", "given name", "family name", "by patient"}
)
# capitalised words that follow "Patient" (or stand in a label's place) in dataset, task and metric names
_NOT_NAMES = frozenset(
    """
    Access Accounts Admission Admissions Age Ages Assessment Benchmark Care Cases Chart Charts Cohort Count Counts
    Data Dataset Demographics Discharge Education Encounter Encounters Experience Flow Forum Forums Health History
    Id Identifier Info Information Intake Level Levels Matching Messages Monitoring Name Names Note Notes Number
    Outcome Outcomes Portal Privacy Questions Record Records Report Reported Reports Safety Sample Samples Satisfaction
    Set Summaries Summary Survey Surveys Test Text Texts Transcripts Visit Visits
    Accuracy Precision Recall Score Scores Macro Micro Weighted Mean Average Overall Total Positive Negative Neutral
    True False Yes No None Other Unknown Train Training Validation Dev Eval Evaluation Baseline Model Models Task
    Tasks Label Labels Class Classes Entity Entities Person Location Organization Date Time Group Split Subset
    Male Female Medicine Surgery Service Unit Department Hospital Clinic Center Centre Medical Clinical General
    January February March April June July August September October November December Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday English Spanish French German Chinese Japanese Hindi Arabic United States
    Boston New York London Paris Chicago Inc Ltd Llc Corp University College School Institute Lab Labs Team
    """.split()  # noqa: SIM905 - a word list reads best as words
)
_NOT_FILE_NAMES = frozenset(
    """
    results result eval evals evaluation run runs test train dev val valid scores score metrics metric model models
    data dataset notes note report reports output outputs log logs summary samples sample preds predictions mimic
    discharge radiology clinical batch export dump backup final draft config lm harness details
    """.split()  # noqa: SIM905 - a word list reads best as words
)


def _person(match: re.Match[str]) -> bool:
    words = [w for w in match.groupdict().values() if w]
    return bool(words) and not any(w.title() in _NOT_NAMES for w in words)


def _names(text: str, key: str) -> Iterator[Span]:
    for match in _NAME.finditer(text):
        first, last = match.group("first"), match.group("last")
        if first in _NOT_NAMES or (last in _NOT_NAMES and last is not None):
            continue
        yield match.span()
    if ":" in text or "=" in text:
        for match in _LABELLED.finditer(text):
            if _person(match) and not _THING.search(text, max(0, match.start() - 16), match.start()):
                yield match.span()
    if key and _keyed(key, _PERSON_KEYS):
        whole = _WHOLE_NAME.match(text)  # `Priya Raghunathan` under `by_patient` or `patient_name`
        if whole is not None and _person(whole):
            yield whole.span()
    elif "," in text:
        whole = _WHOLE_NAME.match(text)
        if whole is not None and (whole.group("first2") or whole.group("first3")) and _person(whole):
            yield whole.span()
    if "_" in text or "-" in text:
        for match in _FILE_NAME.finditer(text):
            if match.group("first") not in _NOT_FILE_NAMES and match.group("last") not in _NOT_FILE_NAMES:
                yield match.span()


# -- narrative ---------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"[a-z\u00df-\u00ff][.!?](?:\s+[A-Z\u00c0-\u00de]|\s*\Z)")
_CLINICAL = re.compile(
    r"(?i)\b(?:patient|pt|presented|presents|presenting|complains|complained|complaint|diagnosed|diagnosis|"
    r"hx|history\s+of|admitted|discharge|discharged|prescribed|denies|denied|reports|reported|symptoms?|pain|"
    r"fever|mg|daily|bid|tid|prn|treated|surgery|medication|allergic|allergies|chest|nausea|vomiting|exam|"
    r"examination|follow-up|followup|labs?|blood\s+pressure|bp|hr|ed|er|icu|dose|dosage|paciente|dolor|fiebre|"
    r"patientin|patiente|schmerzen?|fieber|husten|atemnot|douleur|fi[eè]vre|toux|tos|disnea)\b"
)
_SUBJECT = re.compile(r"(?i)\b(?:patient|pt|paciente|patientin|patiente)\b")
# terse clinical shorthand: `CP r/o ACS, trop neg x2`, `s/p CABG, c/o SOB`
_SHORTHAND = re.compile(
    r"(?<![\w/])(?:r/o|c/o|s/p|h/o|w/o?|f/u|y/o|neg|pos|x[2-9]|q\d{1,2}h|prn|bid|tid|qid|qhs|npo|nkda|afebrile|"
    r"trop|CP|SOB|DOE|HTN|HLD|DM2?|CAD|CHF|COPD|ACS|MI|PE|DVT|UTI|CKD|AKI|NSTEMI|STEMI|EKG|ECG|CXR|PO|IV|"
    r"SpO2|RA|NAD|WNL|PMH|HPI|ROS|abd|resp|hx|dx|tx|rx|sx|pt)"
    r"(?![\w/])"
)
_SHORTHAND_LINKS = re.compile(
    r"(?<![\w/])(?:r/o|c/o|s/p|h/o|w/o?|f/u|neg|pos|x[2-9]|q\d{1,2}h|nkda|npo|afebrile)(?![\w/])"
)
# section headers of discharge summaries and notes, MIMIC's de-identified ones included (`Name: ___`)
_HEADERS = re.compile(
    r"(?i)\b(?:chief\s+complaint|history\s+of\s+present\s+illness|past\s+medical\s+history|social\s+history|"
    r"family\s+history|physical\s+exam|brief\s+hospital\s+course|discharge\s+(?:diagnosis|disposition|"
    r"condition|instructions|medications|date)|admission\s+date|date\s+of\s+birth|medications\s+on\s+admission|"
    r"major\s+surgical|attending|unit\s+no|allergies|service|sex|hpi|pmh|assessment\s+and\s+plan)\s{0,2}:"
)
# prompts and answers pasted in: `Input: ... Output: ...`
_PROMPT = re.compile(r"(?i)\b(?:input|output|question|answer|prompt|response|context|user|assistant)\s{0,2}:")
_PLACEHOLDER = re.compile(r"(?<!_)_{3}(?!_)|\[\*\*")  # MIMIC's de-identification marks: `___`, `[**Name**]`
_OTHER_SCRIPT = re.compile(_SCRIPTS)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CJK_STOP = re.compile(r"[\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f]")
# the descriptive fields of a record: one plain sentence there is a note about the run, not narrative
_NOTE_KEYS = frozenset({"notes", "note", "description", "comment", "comments", "remarks", "summary", "about"})


def _free_text(text: str, key: str = "") -> bool:
    """Sentences, clinical narrative or shorthand, note headers, pasted prompts, or text in another script."""
    if len(text) < 12:
        return False
    if _OTHER_SCRIPT.search(text) is not None and _other_script(text):
        return True
    if len(_HEADERS.findall(text, 0, 20_000)) >= 2 or len(_PLACEHOLDER.findall(text, 0, 20_000)) >= 2:
        return True
    tokens = text.split()
    if len(tokens) < 4:
        return False
    shorthand = _SHORTHAND.findall(text)
    if len(shorthand) >= 3 and _SHORTHAND_LINKS.search(text) is not None:
        return True
    words = [word for word in tokens if _WORD.fullmatch(word.strip(".,;:!?()\"'"))]
    if len(words) < 5:
        return False
    lower = sum(1 for word in words if word.islower())
    clinical = len(_CLINICAL.findall(text))
    sentences = len(_SENTENCE.findall(text))
    # one sentence with one clinical word other than `patient` (a cohort description names patients too)
    events = clinical - len(_SUBJECT.findall(text))
    if (clinical >= 2 and lower >= 2) or (events and sentences and lower >= 2):
        return True
    if len(_PROMPT.findall(text)) >= 2:
        return True
    if key and _keyed(key, _NOTE_KEYS):
        return sentences >= 2 and lower >= 6  # a note about the run may be a sentence or two
    return len(words) >= 6 and lower >= 3 and (sentences > 0 or len(words) >= 12)


def _other_script(text: str) -> bool:
    """Chinese, Japanese or Korean (no spaces between words), or five words of Devanagari, Arabic, Hebrew, Thai..."""
    cjk = len(_CJK.findall(text))
    if cjk >= 8 and (_CJK_STOP.search(text) is not None or cjk >= 15):
        return True
    words = [word for word in text.split() if _OTHER_SCRIPT.search(word)]
    return len(words) >= 5


# most specific first: an earlier detector's span is not reported again by a later one
DETECTORS: tuple[tuple[str, Callable[[str, str], Iterator[Span]]], ...] = (
    ("phi-url", _urls),
    ("phi-email", _emails),
    ("phi-ip", _ips),
    ("phi-npi", _npis),
    ("phi-ssn", _ssns),
    ("phi-national-id", _national_ids),
    ("phi-date", _dates),
    # a number after its context word is that identifier, whatever its shape
    ("phi-mrn", _mrns),
    ("phi-health-plan", _plans),
    ("phi-account", _accounts),
    ("phi-license", _licenses),
    ("phi-card", _cards),
    ("phi-dea", _deas),
    ("phi-mbi", _mbis),
    ("phi-vin", _vins),
    ("phi-address", _addresses),
    ("phi-phone", _phones),
    ("phi-zip", _zips),
    ("phi-age", _ages),
    ("phi-name", _names),
)
