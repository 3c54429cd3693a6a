"""The one cheap test every string meets; the detectors (some 60 patterns) load on the first string that passes.

Most strings in result files are dataset names, device labels and timestamps: they never get past
this test, so a check that finds no candidate never compiles the detectors' patterns. This module
imports nothing of the rule's: the detectors import it, and `walk.scan` imports the detectors lazily.
"""

from __future__ import annotations

import re
from functools import lru_cache

TITLE = r"(?:[Pp]atient|PATIENT|[Pp]t\.?|PT\.?|Mrs\.?|Mr\.?|Ms\.?|Miss|Mx\.?|Dr\.?|MRS\.?|MR\.?|MS\.?|DR\.?)"
# scripts written without spaces between words, or whose words the Latin word tests do not see
SCRIPTS = r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
# two adjacent digits, an `@`, a URL, a clinical title or label, `Last, First`, or several words
_LATIN = r"\d\d|@|://|www\.|\b" + TITLE + r"[:.]?\s|(?i:name)\s*:|[A-Za-z],\s|\S\s+\S+\s+\S+\s+\S+\s+\S"
PATTERN = _LATIN + "|" + SCRIPTS  # the whole test as one pattern: what `passes` answers
# what every match of _LATIN holds somewhere: most strings (keys, labels, dataset names) hold
# none of it, and this one character-class scan is about three times cheaper than _LATIN's search
_GATE = re.compile(r"[\s@:]|\d\d|www\.")
_LATIN_SEARCH = re.compile(_LATIN).search
NOTHING: dict[str, int] = {}  # shared: read it, never change it


def passes(text: str) -> bool:
    """re.search(PATTERN, text) is not None, answered faster.

    The scripts' character class costs `re` 2 ms to compile, where a check of ASCII text, the
    most common, never needs it: it is compiled on the first string that is not ASCII.
    """
    if not text.isascii() and _other_script(text):
        return True
    return _GATE.search(text) is not None and _LATIN_SEARCH(text) is not None


@lru_cache(maxsize=1)
def _scripts() -> re.Pattern[str]:
    return re.compile(SCRIPTS)


def _other_script(text: str) -> bool:
    return _scripts().search(text) is not None
