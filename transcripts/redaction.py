"""Masking Bangladeshi phone numbers (Latin or Bangla digits) in transcript text; pure functions."""

from __future__ import annotations

import re
from typing import Any

PHONE_MASK = "[phone redacted]"

_D = "[0-9০-৯]"  # a digit, Latin or Bangla
_SEP = r"[ \t\-‐‑–—.()]{0,3}"  # spaces, dashes, dots or brackets between digit groups
_ZERO, _ONE, _EIGHT = "[0০]", "[1১]", "[8৮]"
# +880 1XXXXXXXXX, 880 1XXXXXXXXX, +88 01XXXXXXXXX, 01XXXXXXXXX (mobile numbers: 1 + nine digits after 0).
_COUNTRY = rf"\(?\+?{_EIGHT}{_SEP}{_EIGHT}{_SEP}"
_NATIONAL = rf"{_ONE}(?:{_SEP}{_D}){{9}}"
PHONE_PATTERN = re.compile(
    rf"(?<![0-9০-৯])(?:{_COUNTRY}{_ZERO}{_SEP}|{_COUNTRY}|{_ZERO}{_SEP}){_NATIONAL}(?![0-9০-৯])"
)


def _find(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in PHONE_PATTERN.finditer(text)]


def contains_phone_number(text: str) -> bool:
    """True when ``text`` holds a Bangladeshi mobile number in any accepted form."""
    return PHONE_PATTERN.search(text) is not None


def redact_phone_numbers(text: str) -> str:
    """``text`` with every Bangladeshi mobile number replaced by PHONE_MASK."""
    return PHONE_PATTERN.sub(PHONE_MASK, text)


def restore_masked_numbers(original: str, corrected: str) -> str:
    """Put the original numbers back where a corrected text still carries the masks a non-admin was shown.

    Non-admins correct the redacted text; without this a correction would store the mask in place of the
    number and the evidence would lose it. Masks are matched to the original's numbers in order; a mask
    beyond the original's count stays as typed.
    """
    numbers = [original[start:end] for start, end in _find(original)]
    if not numbers or PHONE_MASK not in corrected:
        return corrected
    pieces = corrected.split(PHONE_MASK)
    out = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        out.append(numbers[index] if index < len(numbers) else PHONE_MASK)
        out.append(piece)
    return "".join(out)


def redact_words(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Word timings with phone numbers masked; a number split over several words keeps one mask."""
    if not words:
        return []
    texts = [str(w.get("word", "")) for w in words]
    spans = _find("".join(texts))
    if not spans:
        return [dict(w) for w in words]
    starts = {s for s, _ in spans}
    inside = {i for s, e in spans for i in range(s, e)}
    out: list[dict[str, Any]] = []
    pos = 0
    for word, text in zip(words, texts, strict=True):
        chars = []
        for offset, char in enumerate(text):
            g = pos + offset
            if g in starts:
                chars.append(PHONE_MASK)
            elif g not in inside:
                chars.append(char)
        pos += len(text)
        out.append({**word, "word": "".join(chars)})
    return out
