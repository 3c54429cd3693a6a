"""The HIPAA Safe Harbor identifiers a pattern can recognise, with checksums and context for precision.

`scan(text, context)` returns the rule ids found in one string (a value or a key),
each with how many times. `context` is the name of the key the string sits under:
a key such as `dob` or `mrn` is context just as a word before the value is.

Precision comes from three things: a value that fails its checksum or its
character-position rules is not reported as that identifier; identifiers that
are only numbers (MRN, NPI, dates of birth, ages) need a context word; and where
two detectors claim the same characters, the more specific one (the earlier in
DETECTORS) wins, so a card number is not also a phone number.

A cheap prefilter keeps the cost near zero for the strings result files hold
(dataset names, device labels, timestamps): only a string with two adjacent
digits, an `@`, a URL, a clinical title or several words is looked at, and the
libraries (python-stdnum, phonenumbers) are imported on the first candidate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from functools import lru_cache

from mlmeta.rules.phi.prefilter import NOTHING as _NOTHING
from mlmeta.rules.phi.prefilter import TITLE as _TITLE
from mlmeta.rules.phi.prefilter import passes as _passes

Span = tuple[int, int]

# what each rule is called in a message; the rule ids are phi-<key>
LABELS = {
    "phi-url": "URL naming a person",
    "phi-email": "e-mail address",
    "phi-ip": "IP address",
    "phi-card": "payment card number",
    "phi-npi": "NPI (national provider identifier)",
    "phi-dea": "DEA registration number",
    "phi-mbi": "Medicare beneficiary identifier",
    "phi-vin": "vehicle identification number",
    "phi-ssn": "Social Security number",
    "phi-phone": "phone or fax number",
    "phi-zip": "ZIP+4 code",
    "phi-date": "date of birth, admission, discharge or death",
    "phi-age": "age over 89",
    "phi-mrn": "medical record number",
    "phi-health-plan": "health plan, member or policy number",
    "phi-account": "account number",
    "phi-license": "licence or certificate number",
    "phi-name": "person's name after a clinical title",
    "phi-free-text": "free text (sentences or clinical narrative)",
}

_B = r"(?<![A-Za-z0-9])"  # start of a token
_E = r"(?![A-Za-z0-9])"  # end of a token


@lru_cache(maxsize=65536)
def scan(text: str, context: str = "", skip: frozenset[str] = frozenset()) -> dict[str, int]:
    """Rule id -> how many identifiers of that type the string holds (rules in `skip` are not looked for).

    Strings repeat from row to row (dataset names, device labels, keys): each is looked at once.
    The result is shared between calls: read it, never change it.
    """
    if len(text) < 2 or not _passes(text):
        return _NOTHING
    return _scan(text, context, skip)


def _scan(text: str, context: str, skip: frozenset[str]) -> dict[str, int]:
    key = _key_context(context)
    taken: list[Span] = []
    found: dict[str, int] = {}
    for rule, detector in DETECTORS:
        if rule in skip:
            continue
        for span in detector(text, key):
            if not any(span[0] < end and start < span[1] for start, end in taken):
                taken.append(span)
                found[rule] = found.get(rule, 0) + 1
    if "phi-free-text" not in skip and _free_text(text):
        found["phi-free-text"] = 1  # a property of the whole string, whatever else it holds
    return found


def _key_context(context: str) -> str:
    """A key name as words: `patientDOB` and `patient_dob` both read `patient dob`."""
    if not context:
        return ""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", context)
    return re.sub(r"[^A-Za-z0-9]+", " ", spaced).lower().strip()


def _near(text: str, start: int, words: re.Pattern[str], before: int = 40, after: int = 0) -> bool:
    return words.search(text, max(0, start - before), start + after) is not None


# -- network identifiers -----------------------------------------------------

_URL = re.compile(r"(?i)\b(?:https?|ftp)://[^\s\"'<>]+|\bwww\.[^\s\"'<>]+")
_PERSON_QUERY = re.compile(
    r"(?i)\A(?:patient|patient_?id|pid|mrn|ssn|dob|birth_?date|e?mail|email_?address|name|full_?name|"
    r"first_?name|last_?name|fname|lname|surname|user|user_?id|username|member|member_?id|phone|person|"
    r"person_?id|subject|subject_?id|account|account_?id)\Z"
)
_PERSON_SEGMENT = re.compile(r"(?i)\A(?:patients?|persons?|people|users?|members?|profiles?|subjects?|mrn|~.*)\Z")


def _urls(text: str, key: str) -> Iterator[Span]:
    from urllib.parse import parse_qsl, urlsplit

    for match in _URL.finditer(text):
        raw = match.group().rstrip(".,;)")
        try:
            parts = urlsplit(raw if "://" in raw else "http://" + raw)
        except ValueError:
            continue
        segments = [s for s in parts.path.split("/") if s]
        by_path = any(
            _PERSON_SEGMENT.match(segment) and (segment.startswith("~") or index + 1 < len(segments))
            for index, segment in enumerate(segments)
        )
        by_query = any(_PERSON_QUERY.match(name) and value for name, value in parse_qsl(parts.query))
        if by_path or by_query or parts.username:
            yield match.start(), match.start() + len(raw)


_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}\b"
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
        ):
            continue
        yield match.span()


_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])")


def _ips(text: str, key: str) -> Iterator[Span]:
    import ipaddress

    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            candidate = match.group()
            if pattern is _IPV6 and sum(1 for group in candidate.split(":") if group) < 2:
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
        separators = set(re.findall(r"[ -]", raw))
        if len(separators) > 1:
            continue
        digits = re.sub(r"[ -]", "", raw)
        if 13 <= len(digits) <= 19 and _card_brand(digits) and _luhn(digits):
            yield match.span()


def _luhn(digits: str) -> bool:
    from stdnum import luhn

    return bool(luhn.is_valid(digits))


_NPI = re.compile(r"(?<!\d)[12]\d{9}(?!\d)")
_NPI_CONTEXT = re.compile(r"(?i)\bNPI\b|national\s+provider")


def _npis(text: str, key: str) -> Iterator[Span]:
    keyed = "npi" in key.split() or "national provider" in key
    for match in _NPI.finditer(text):
        if (keyed or _near(text, match.start(), _NPI_CONTEXT, 30)) and _luhn("80840" + match.group()):
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
_SSN_CONTEXT = re.compile(r"(?i)\bSSN\b|social\s+security|\bSS#")


def _ssns(text: str, key: str) -> Iterator[Span]:
    keyed = "ssn" in key.split() or "social security" in key
    found = [(m.span(), m.group(1) + m.group(3) + m.group(4)) for m in _SSN.finditer(text)]
    found += [
        (m.span(), m.group()) for m in _SSN_BARE.finditer(text) if keyed or _near(text, m.start(), _SSN_CONTEXT, 30)
    ]
    if found:
        from stdnum.us import ssn

        yield from (span for span, digits in found if ssn.is_valid(digits))


_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


# nine digits or more with at most separators between them: no timestamp or version gets this far
_PHONE_RUN = re.compile(r"\d(?:[\s().\-/]{0,3}\d){8,}")


def _phones(text: str, key: str) -> Iterator[Span]:
    if _PHONE_RUN.search(text) is None:
        return
    import phonenumbers

    for match in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.VALID):
        if not _DOTTED_QUAD.fullmatch(match.raw_string):  # 353.50.194.66 is no phone number
            yield match.start, match.end


_ZIP4 = re.compile(r"(?<![\d-])(\d{5})-(\d{4})(?![\d-])")


def _zips(text: str, key: str) -> Iterator[Span]:
    for match in _ZIP4.finditer(text):
        if int(match.group(1)) >= 501 and match.group(2) != "0000":  # 00501 is the lowest ZIP code in use
            yield match.span()


# -- dates and ages in context --------------------------------------------------------

_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_MONTH = r"(?P<mon>(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?)"
_DATES = (
    re.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d])"),
    re.compile(r"(?<![\d/.])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\d/])"),
    re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?![\d.])"),
    re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})\b"),
    re.compile(r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<y>\d{4})\b"),
)
_DATE_CONTEXT = re.compile(
    r"(?i)\b(?:DOB|D\.O\.B\.?|DOD|birth|birthday|birthdate|born|admit|admitted|admission|admissions|"
    r"discharge|discharged|death|died|deceased|expired)\b"
)
_DATE_KEYS = frozenset(
    {"dob", "dod", "birth", "birthday", "birthdate", "born", "admit", "admitted", "admission", "discharge"}
    | {"discharged", "death", "died", "deceased"}
)


def _real_date(match: re.Match[str]) -> bool:
    parts = match.groupdict()
    year = int(parts["y"]) if len(parts["y"]) == 4 else 2000 + int(parts["y"])
    month = _MONTHS.get(parts["mon"][:3].lower(), 0) if parts.get("mon") else int(parts["m"])
    try:
        date(year, month, int(parts["d"]))
    except ValueError:
        return False
    return 1850 <= year <= 2100


def _dates(text: str, key: str) -> Iterator[Span]:
    keyed = bool(_DATE_KEYS & set(key.split()))
    for pattern in _DATES:
        for match in pattern.finditer(text):
            if (keyed or _near(text, match.start(), _DATE_CONTEXT, 40, 0)) and _real_date(match):
                yield match.span()


_AGES = (
    re.compile(r"(?i)\bage[ds]?\b\s*(?:[:=]|\bis\b|\bof\b)?\s*(?P<n>\d{2,3})(?!\d)"),
    re.compile(r"(?i)(?<!\d)(?P<n>\d{2,3})[\s-]*(?:years?|yrs?)[\s-]*old\b"),
    re.compile(r"(?i)(?<!\d)(?P<n>\d{2,3})\s*(?:yo|y/o|y\.o\.)(?![A-Za-z])"),
)
_AGE_ALONE = re.compile(r"\A\s*(?P<n>\d{2,3})\s*\Z")


def _ages(text: str, key: str) -> Iterator[Span]:
    patterns = (*_AGES, _AGE_ALONE) if "age" in key.split() else _AGES
    for pattern in patterns:
        for match in pattern.finditer(text):
            if 90 <= int(match.group("n")) <= 125:
                yield match.span("n")


# -- record, plan, account and licence numbers near their words -------------------------------

_ID = r"[\s:#=.-]*(?:(?i:number|num|no)\.?)?[\s:#=.-]*(?P<id>[A-Z0-9][A-Z0-9-]{3,19})(?![A-Za-z0-9])"


def _numbered(context: str, keys: frozenset[str]) -> Callable[[str, str], Iterator[Span]]:
    """A detector for an identifier that is a number only by the word before it (or its key)."""
    near = re.compile(r"(?i)\b(?:" + context + r")\b" + _ID)
    alone = re.compile(r"\A\s*(?P<id>[A-Za-z0-9][A-Za-z0-9-]{3,19})\s*\Z")

    def detect(text: str, key: str) -> Iterator[Span]:
        words = key.split()
        found = list(near.finditer(text))
        if keys & set(words) or any(" ".join(words[i : i + 2]) in keys for i in range(len(words))):
            found.extend(alone.finditer(text))
        for match in found:
            if sum(c.isdigit() for c in match.group("id")) >= 5:
                yield match.span("id")

    return detect


_mrns = _numbered(
    r"MRN|MR#|medical\s+record(?:\s+number)?|med\s+rec|chart", frozenset({"mrn", "chart", "medical record"})
)
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

# -- people and narrative ---------------------------------------------------------------

_CAPITALISED = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
_NAME = re.compile(r"\b" + _TITLE + rf"\s+(?P<first>{_CAPITALISED})(?:\s+(?P<last>{_CAPITALISED}))?")
# capitalised words that follow "Patient" in dataset and metric names, not names of people
_NOT_NAMES = frozenset(
    """
    Access Accounts Admission Admissions Age Ages Assessment Benchmark Care Cases Chart Charts Cohort Count Counts
    Data Dataset Demographics Discharge Education Encounter Encounters Experience Flow Forum Forums Health History
    Id Identifier Info Information Intake Level Levels Matching Messages Monitoring Name Names Note Notes Number
    Outcome Outcomes Portal Privacy Questions Record Records Report Reported Reports Safety Sample Samples Satisfaction
    Set Summaries Summary Survey Surveys Test Text Texts Transcripts Visit Visits
    """.split()  # noqa: SIM905 - a word list reads best as words
)


def _names(text: str, key: str) -> Iterator[Span]:
    for match in _NAME.finditer(text):
        first, last = match.group("first"), match.group("last")
        if first in _NOT_NAMES or (last in _NOT_NAMES and last is not None):
            continue
        yield match.span()


_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"[a-z][.!?](?:\s+[A-Z]|\s*\Z)")
_CLINICAL = re.compile(
    r"(?i)\b(?:patient|pt|presented|presents|presenting|complains|complained|complaint|diagnosed|diagnosis|"
    r"hx|history\s+of|admitted|discharged|prescribed|denies|denied|reports|reported|symptoms?|pain|fever|"
    r"mg|daily|bid|tid|prn|treated|surgery|medication|allergic|allergies|chest|nausea|vomiting|exam|"
    r"examination|follow-up|followup|labs?|blood\s+pressure|bp|hr|ed|er|icu|er)\b"
)


def _free_text(text: str) -> bool:
    """Sentences (six words or more, mostly lower case, with sentence punctuation or long) or clinical narrative."""
    words = [word for word in text.split() if _WORD.fullmatch(word.strip(".,;:!?()\"'"))]
    if len(words) < 5:
        return False
    lower = sum(1 for word in words if word.islower())
    if len(words) >= 6 and lower >= 3 and (_SENTENCE.search(text) is not None or len(words) >= 12):
        return True
    return len(_CLINICAL.findall(text)) >= 2 and lower >= 2


# most specific first: an earlier detector's span is not reported again by a later one
DETECTORS: tuple[tuple[str, Callable[[str, str], Iterator[Span]]], ...] = (
    ("phi-url", _urls),
    ("phi-email", _emails),
    ("phi-ip", _ips),
    ("phi-npi", _npis),
    ("phi-ssn", _ssns),
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
    ("phi-phone", _phones),
    ("phi-zip", _zips),
    ("phi-age", _ages),
    ("phi-name", _names),
)
