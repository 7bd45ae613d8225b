"""Bounds every input shares (the schemas of the API and the services check the same numbers from here)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

MIN_YEAR, MAX_YEAR = 1900, 2200  # dates outside this window are refused wherever a date is taken
MAX_JSON_BYTES = 1024 * 1024  # a JSON request body (uploads are multipart and have their own limit)
MAX_JSON_DEPTH = 32  # nesting of arrays and objects in a JSON request body
# Format characters that show nothing on their own (zero-width space, word joiner, BOM, soft hyphen, …):
# a text made only of them (and spaces) is empty. ZWJ/ZWNJ inside Bangla words are kept.
# C0 controls but tab/newline/CR, DEL, C1 controls, and the Unicode line/paragraph separators (which calendar
# and CSV readers treat as line breaks): never stored; tabs and newlines only in multi-line fields.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc"})


def year_in_range(day: dt.date) -> bool:
    """True for a date whose year lies within MIN_YEAR..MAX_YEAR."""
    return MIN_YEAR <= day.year <= MAX_YEAR


def is_blank(text: str) -> bool:
    """True when ``text`` shows nothing: only spaces, control and invisible format characters."""
    return all(ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in text)
