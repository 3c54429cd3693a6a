"""The one cheap test every string meets; the detectors (some 60 patterns) load on the first string that passes.

Most strings in result files are dataset names, device labels and timestamps: they never get past
this test, so a check that finds no candidate never compiles the detectors' patterns. This module
imports nothing of the rule's: the detectors import it, and `walk.scan` imports the detectors lazily.
"""

from __future__ import annotations

import re

TITLE = r"(?:[Pp]atient|PATIENT|[Pp]t\.?|PT\.?|Mrs\.?|Mr\.?|Ms\.?|Miss|Mx\.?|Dr\.?|MRS\.?|MR\.?|MS\.?|DR\.?)"
# scripts written without spaces between words, or whose words the Latin word tests do not see
SCRIPTS = r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
# two adjacent digits, an `@`, a URL, a clinical title or label, `Last, First`, another script or several words
PREFILTER = re.compile(
    r"\d\d|@|://|www\.|\b" + TITLE + r"[:.]?\s|(?i:name)\s*:|[A-Za-z],\s|" + SCRIPTS + r"|\S\s+\S+\s+\S+\s+\S+\s+\S"
)
# what every match of PREFILTER holds somewhere: most strings (keys, labels, dataset names) hold
# none of it, and this one character-class scan is about three times cheaper than PREFILTER's search
_GATE = re.compile(r"[\s@:" + SCRIPTS[1:-1] + r"]|\d\d|www\.")
NOTHING: dict[str, int] = {}  # shared: read it, never change it


def passes(text: str) -> bool:
    """PREFILTER.search(text) is not None, answered faster."""
    return _GATE.search(text) is not None and PREFILTER.search(text) is not None
