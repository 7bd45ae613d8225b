"""Masking contact details — phone numbers and e-mail addresses — in any text (transcripts, titles, messages); pure.

Everything a non-admin reads of a transcript (segments, word timings, titles, snippets, exports, evidence logs,
coding exports, podcast transcripts) goes through ``redact_phone_numbers``, which is :func:`redact_contact_details`
under its old name: it masks addresses too (callers may move to the new name). Masks are :data:`PHONE_MASK` and
:data:`EMAIL_MASK`; :func:`restore_masked_numbers` maps them back to the originals when a non-admin saves a
correction of the masked text.

The rule for numbers
--------------------
A *run* is a stretch of digit groups — digits of any script: Latin, Bangla, Arabic-Indic, Extended
Arabic-Indic, full-width, Devanagari … (every Unicode decimal digit) — joined by up to three separators each:
spaces of every width (no-break, narrow no-break, thin, ideographic …), dashes (hyphen, no-break hyphen, en/em
dash, minus, full-width), dots, commas (also Arabic and full-width), slashes and brackets. Invisible characters
(zero-width space and joiners, word joiner, soft hyphen, direction marks and isolates, BOM) may stand anywhere
and split nothing. A leading ``+`` (also ``(+``, ``(``, full-width ``＋``) belongs to the run.

First, stand-alone dates and clock times are set aside (never part of a number):

* a date is ``d/m/yyyy``, ``d-m-yy``, ``d.m.yyyy`` (day and month either way round, valid ranges, year 19xx/20xx
  or two digits) or ``yyyy-mm-dd``, joined by one and the same separator and standing alone: at the run's
  edge, or next to a separator with a space or of another kind (``12/03/2026 - 15/03/2026``). A date with
  slashes has at most 8 digits, so ``12/03/2026`` would stay anyway (rule 3 needs 10), but ``02/03/2026`` starts
  with 0: it is kept because it is a valid date standing alone; ``017-11-12-2026`` is not (the date shape has
  dashes on both sides) and is masked. The price: an 8-digit number written exactly like a date is kept;
* a time is ``h.mm`` (h ≤ 24, mm ≤ 59) standing alone in the same sense (``09.30-10.30``); ``10:30`` never joins.

Then groups are read left to right. A stretch of groups with **7–15 digits** (16 allowed for a digit Whisper
added, and two more for an ``00`` prefix) is a **phone number** when

1. the run starts with ``+`` — any international number; or
2. it starts with ``0`` — Bangladeshi mobiles (``01[3-9]`` + 8 digits) and Whisper's variants of them with one
   digit too many or too few, landlines (``02-9876543``, ``031-612345``), ``00`` international prefixes — except
   a group right after a comma or dot without a space, which continues an amount (``1,000,000``); or
3. it starts with ``880`` and has ≥ 10 digits, unless it is written as an amount with thousands or lakh commas
   (``8,80,00,000``); a complete ``8801[3-9]…`` mobile is always masked; or
4. it has **≥ 10 digits** — a mobile without its 0 (``1711123456``), a foreign number without its ``+``,
   identity or account numbers — unless it is plainly a quantity: a list of one- or two-digit numbers, a list of
   years (``2019 2020 2021``), an amount in thousands or lakh/crore comma format (``1,000,000,000``,
   ``20,00,00,000``) or next to a unit (``৳``, ``Tk``, ``BDT``, ``$`` before; ``taka``, ``টাকা``, ``tk``,
   ``lakh``, ``লাখ``, ``crore``, ``কোটি``, ``million``, ``people``, ``জন``, ``%`` … after), or a run after
   ``ISBN``. Digits spelling a mobile without its 0 (``1[3-9]`` + 8 or 9 digits) are masked even next to a unit
   or written with commas, unless they end in ``000`` (amounts are round).

So years (``২০২৬``), dates, times, money (``৫০,০০০ টাকা``, ``50,000 taka``), ages and counts stay: they have
fewer than 7 digits, or fewer than 10 without a phone prefix, or are set aside. An amount never starts with 0
or ``+``, so ``০১৭১১১২৩৪৫৬ টাকা`` (mobile money) is masked.

Over strong separators (spaces, dashes, dots or commas without a space, slashes, brackets) the longest stretch
wins, so a misheard extra digit is still masked — except that a complete Bangladeshi mobile does not take a
following one- or two-digit group (``01711123456 2 times``). A separator with a space *and* a comma, dot or
slash (``, `` ``. `` `` / ``) is weak: it may end a sentence or a list item. A number crosses it only when it
started with ``+``/``0``/``880``, is not yet a complete Bangladeshi mobile (and the next group has more than
two digits), and what follows is not a phone number by itself: ``01711, 123456`` is one number;
``01711123456, 01811123456`` two; ``2023, 2024, 2025`` and ``born 1990. 01711…`` keep their years. An
unbroken group of more digits than any number has, starting with ``+``/``0``/``880`` (numbers run together),
is masked whole.

E-mail addresses
----------------
``name@domain.tld`` (also ``＠``, ``name (at) domain (dot) com``, ``[at]``/``[dot]``, zero-width characters
inside) and the spoken forms Whisper writes, ``rahim at gmail dot com``, ``rahim at gmail.com`` and
``রহিম অ্যাট জিমেইল ডট কম``, are masked with :data:`EMAIL_MASK`. A number inside an address is part of it.

Not covered: numbers spoken as words (``zero one seven …``, ``শূন্য এক সাত …``), a number split across two
Whisper segments (each segment is redacted alone), 7–9-digit local numbers written without area code and
without a leading 0, and a spoken address whose user name is several words (only the last word is masked).
Known over-masking: a 10-digit amount or reference number without a unit, and a year right after a landline
(``02-9876543, 2024``) is masked with it.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from typing import Any, Literal, NamedTuple

PHONE_MASK = "[phone redacted]"
EMAIL_MASK = "[email redacted]"
Kind = Literal["phone", "email"]
MASKS: dict[str, str] = {"phone": PHONE_MASK, "email": EMAIL_MASK}

MIN_DIGITS, MAX_DIGITS, PLAIN_MIN_DIGITS = 7, 15, 10
MISHEARD = 1  # Whisper may add a digit: a number may have one digit more than its numbering plan allows
LONGEST = MAX_DIGITS + MISHEARD + 2  # … and an "00" international prefix is not counted in the 15


def _too_long(digits: str) -> bool:
    return len(digits) > MAX_DIGITS + MISHEARD + (2 if digits.startswith("00") else 0)


def _chars(*parts: str) -> str:
    """The characters of ``parts``; a part written "a-b" (three characters) stands for the range a..b."""
    out: list[str] = []
    for part in parts:
        if len(part) == 3 and part[1] == "-":
            out.extend(chr(c) for c in range(ord(part[0]), ord(part[2]) + 1))
        else:
            out.extend(part)
    return "".join(out)


# The separators that may stand between the digit groups of one number, by kind.
_KINDS = {
    "space": _chars(" \t\u00a0\u1680", "\u2000-\u200a", "\u202f\u205f\u3000"),
    "dash": _chars("-", "\u2010-\u2015", "\u2212\ufe58\ufe63\uff0d"),
    "dot": _chars(".\u00b7\u2024\u066b\ufe52\uff0e"),
    "comma": _chars(",\u060c\u066c\u3001\ufe50\ufe51\uff0c"),
    "slash": _chars("/\u2044\u2215\uff0f"),
    "bracket": _chars("()\uff08\uff09"),
    # zero-width and other invisible characters: allowed anywhere inside, any number of them
    "invisible": _chars("\u00ad\u034f\u061c\u180e", "\u200b-\u200f", "\u202a-\u202e", "\u2060-\u2064",
                        "\u2066-\u206f", "\ufe00-\ufe0f", "\ufeff"),
}
_KIND_OF = {char: kind for kind, chars in _KINDS.items() for char in chars}
_WEAK = frozenset({"comma", "dot", "slash"})


def _class(chars: str) -> str:
    return "".join(re.escape(c) for c in chars)


_SPACES = _class(_KINDS["space"])
_INVISIBLE = _class(_KINDS["invisible"])
_SEPARATORS = _class("".join(chars for kind, chars in _KINDS.items() if kind != "invisible"))
_OPEN, _CLOSE, _PLUS = "(\uff08", ")\uff09", "+\uff0b"

_RUN = re.compile(
    # an optional "(" and "+" before the first digit, then digit groups joined by up to three separators
    rf"(?:[{_class(_OPEN)}][{_SPACES}{_INVISIBLE}]{{0,3}})?(?:[{_class(_PLUS)}][{_INVISIBLE}]*+)?"
    rf"\d++(?:[{_INVISIBLE}]*+(?:[{_SEPARATORS}][{_INVISIBLE}]*+){{0,3}}\d++)*+"
)
_GROUP = re.compile(rf"\d(?:[{_INVISIBLE}]*\d)*")  # invisible characters between digits do not split a group

_AT = r"(?:[@\uff20]|\s*[\[(\uff08]\s*at\s*[\])\uff09]\s*)"
_DOT = r"(?:[.\uff0e]|\s*[\[(\uff08]\s*dot\s*[\])\uff09]\s*)"
_BRACKETED_AT = re.compile(r"[\[(\uff08]\s*at\s*[\])\uff09]", re.IGNORECASE)
_EMAIL = re.compile(
    rf"(?<![\w.%+\-@\uff20])[\w.%+\-{_INVISIBLE}]+{_AT}(?:[\w\-{_INVISIBLE}]++{_DOT})+"
    rf"[{_INVISIBLE}]*[A-Za-z][A-Za-z{_INVISIBLE}]{{1,23}}(?![\w\-])",
    re.IGNORECASE,
)
_BN = "\u0980-\u09ff"  # Bangla letters and signs (\w leaves out the vowel signs)
_LABEL = rf"[\w{_BN}][\w{_BN}\-]*+"
_TLD = r"(?:com|net|org|edu|gov|info|co|bd|io|me|uk|in|ae|sa|qa|my|কম|নেট|অর্গ|বিডি)"
_SPOKEN_DOT = r"\s+(?:dot|ডট)\s+"
# Words before " at …" that are no user name: "visit us at ashshash dot org", "look at facebook.com".
_NOT_A_NAME = (r"(?:us|me|you|him|her|them|it|we|they|i|this|that|here|there|look|looked|visit|find|online|"
               r"website|site|page|is|was|are|be|stay|stayed|arrive|arrived|go|went|live|lived|work|worked)")
_SPOKEN_EMAIL = re.compile(  # "rahim at gmail dot com", "রহিম অ্যাট জিমেইল ডট কম", "rahim at gmail.com"
    rf"(?<![\w{_BN}@.])(?!{_NOT_A_NAME}\s){_LABEL}(?:\.{_LABEL})*\s+(?:at|এট|অ্যাট|এ্যাট)\s+"
    rf"(?:{_LABEL}(?:{_SPOKEN_DOT}{_LABEL})*?{_SPOKEN_DOT}{_TLD}|{_LABEL}(?:\.{_LABEL})*?\.{_TLD})(?![\w{_BN}])",
    re.IGNORECASE,
)
_UNIT_AFTER = re.compile(
    rf"[{_SPACES}{_INVISIBLE}]*(?:taka|টাকা|tk\b|৳|bdt|usd|dollars?|ডলার|rupees?|rs\b|lakhs?|লাখ|লক্ষ|"
    r"crores?|কোটি|thousand|হাজার|millions?|billions?|মিলিয়ন|বিলিয়ন|people|persons|জন|মানুষ|%|percent|শতাংশ)",
    re.IGNORECASE,
)
_UNIT_BEFORE = re.compile(rf"(?:৳|tk\.?|bdt|usd|\$|rs\.?|€|£|taka|টাকা)[{_SPACES}]*$", re.IGNORECASE)
_ISBN_BEFORE = re.compile(rf"\b(?:isbn|issn)(?:-1[03])?[:{_SPACES}]*$", re.IGNORECASE)
_MOBILE_WITHOUT_ZERO = re.compile(r"1[3-9]\d{8,9}")
_COMPLETE_MOBILE = re.compile(r"(?:880)?01[3-9]\d{8}|8801[3-9]\d{8}")


class Found(NamedTuple):
    """A contact detail in a text: ``text[start:end]`` is masked with ``MASKS[kind]``."""

    start: int
    end: int
    kind: Kind


class _Joiner(NamedTuple):
    weak: bool  # a space together with a comma, dot or slash: may end a sentence or a list item
    spaced: bool
    kinds: frozenset[str]  # separator kinds other than space and invisible
    single: str  # the one separator's kind when the joiner is exactly one visible non-space character


@functools.lru_cache(maxsize=512)
def _joiner(text: str) -> _Joiner:
    kinds = [_KIND_OF.get(c, "other") for c in text]
    visible = [k for k in kinds if k != "invisible"]
    spaced = "space" in visible
    marks = frozenset(k for k in visible if k != "space")
    single = visible[0] if len(visible) == 1 and not spaced else ""
    return _Joiner(spaced and bool(marks & _WEAK), spaced, marks, single)


def _digits(group: str) -> str:
    return "".join(str(unicodedata.decimal(c)) for c in group if c not in _KIND_OF)


class _Run:
    """One run of digit groups and the joiners between them, positions relative to the run's text."""

    def __init__(self, text: str, start: int, whole: str) -> None:
        self.text, self.start, self.whole = text, start, whole
        spans = [m.span() for m in _GROUP.finditer(text)]
        self.spans = spans
        self.groups = [_digits(text[a:b]) for a, b in spans]
        self.joiners = [_joiner(text[spans[i][1]:spans[i + 1][0]]) for i in range(len(spans) - 1)]
        prefix = text[:spans[0][0]]
        self.plus = "+" in prefix or "\uff0b" in prefix
        self.isbn = _ISBN_BEFORE.search(whole, max(0, start - 12), start) is not None
        self.small_end: list[int] = []
        self.year_end: list[int] = []
        self.comma_end: list[int] = []

    # Dates and times ---------------------------------------------------------------------------------------
    def _alone(self, first: int, last: int, kind: str) -> bool:
        """Groups first..last stand alone: at the run's edges, or next to a spaced or different separator."""
        for j in (first - 1, last):
            if 0 <= j < len(self.joiners):
                joiner = self.joiners[j]
                if not joiner.spaced and kind in joiner.kinds:
                    return False
        return not (first == 0 and self.plus)

    def _date_at(self, i: int) -> bool:
        if i + 2 >= len(self.groups):
            return False
        kind = self.joiners[i].single
        if kind not in ("dash", "slash", "dot") or self.joiners[i + 1].single != kind:
            return False
        a, b, c = self.groups[i:i + 3]
        if len(a) <= 2 and len(b) <= 2 and len(c) in (2, 4):
            x, y = int(a), int(b)
            valid = (1 <= x <= 31 and 1 <= y <= 12) or (1 <= x <= 12 and 1 <= y <= 31)
            valid = valid and (len(c) == 2 or 1900 <= int(c) <= 2099)
        elif len(a) == 4 and len(b) <= 2 and len(c) <= 2:
            valid = 1900 <= int(a) <= 2099 and 1 <= int(b) <= 12 and 1 <= int(c) <= 31
        else:
            return False
        return valid and self._alone(i, i + 2, kind)

    def _time_at(self, i: int) -> bool:
        if i + 1 >= len(self.groups) or self.joiners[i].single != "dot":
            return False
        h, m = self.groups[i:i + 2]
        return len(h) <= 2 and int(h) <= 24 and len(m) == 2 and int(m) <= 59 and self._alone(i, i + 1, "dot")

    def _set_aside(self) -> list[bool]:
        blocked = [False] * len(self.groups)
        i = 0
        while i < len(self.groups):
            width = 3 if self._date_at(i) else 2 if self._time_at(i) else 0
            for k in range(i, i + width):
                blocked[k] = True
            i += width or 1
        return blocked

    # Numbers -------------------------------------------------------------------------------------------------
    def _has_prefix(self, i: int, digits: str) -> bool:
        """Groups from i start like a phone number: "+", "0" or "880" — but a group right after a comma or dot
        without a space continues an amount (``1,000,000``) rather than starting a number."""
        if i == 0:
            return self.plus or digits.startswith(("0", "880"))
        joiner = self.joiners[i - 1]
        return digits.startswith(("0", "880")) and joiner.single not in ("comma", "dot")

    def _runs_of(self) -> None:
        """For each group, the last group of the stretch from it of short groups, of years, and of groups
        joined by single commas (so that the checks below take constant time)."""
        n = len(self.groups)
        self.small_end, self.year_end, self.comma_end = [0] * n, [0] * n, [0] * n
        for k in range(n - 1, -1, -1):
            g = self.groups[k]
            more = k + 1 < n
            self.small_end[k] = (self.small_end[k + 1] if more and len(self.groups[k + 1]) <= 2 else k) \
                if len(g) <= 2 else k - 1
            year = len(g) == 4 and 1900 <= int(g) <= 2099
            self.year_end[k] = (self.year_end[k + 1] if more and self.year_end[k + 1] > k else k) if year else k - 1
            self.comma_end[k] = self.comma_end[k + 1] if more and self.joiners[k].single == "comma" else k

    def _thousands(self, i: int, k: int) -> bool:
        """Groups i..k are written as an amount: 1,000,000 or (lakh, crore) 1,00,00,000."""
        if k == i or self.comma_end[i] < k:
            return False
        groups = self.groups[i:k + 1]
        if all(len(g) == 3 for g in groups[1:]):
            return 1 <= len(groups[0]) <= 3
        return len(groups[-1]) == 3 and all(len(g) == 2 for g in groups[1:-1]) and len(groups[0]) <= 2

    def _unit_near(self, i: int, k: int) -> bool:
        """A currency or count unit stands right before or after groups i..k (``৳5000000000``, ``… taka``)."""
        start, end = self.start + self.spans[i][0], self.start + self.spans[k][1]
        return (_UNIT_AFTER.match(self.whole, end) is not None
                or _UNIT_BEFORE.search(self.whole, max(0, start - 8), start) is not None)

    def _quantity(self, i: int, k: int, digits: str) -> bool:
        """Groups i..k, without a phone prefix, are plainly an amount, a count or a list."""
        if _MOBILE_WITHOUT_ZERO.fullmatch(digits) and not digits.endswith("000"):  # amounts are round
            return False
        if k > i and (self.small_end[i] >= k or self.year_end[i] >= k or self._thousands(i, k)):
            return True
        return self._unit_near(i, k)

    def _phone(self, i: int, k: int, digits: str) -> bool:
        if len(digits) < MIN_DIGITS or _too_long(digits):
            return False
        if i == 0 and self.plus:
            return True
        if self._has_prefix(i, digits):
            if digits[0] == "0":
                return True
            if len(digits) < PLAIN_MIN_DIGITS:  # "880…" with fewer digits is no number from Bangladesh
                return False
            # Only an amount written with thousands or lakh commas (8,80,00,000) is let through: next to a unit,
            # "8801000000000 %" is more likely a number than a quantity, and a missed number is the worse error.
            return _COMPLETE_MOBILE.fullmatch(digits) is not None or not self._thousands(i, k)
        return len(digits) >= PLAIN_MIN_DIGITS and not self._quantity(i, k, digits)

    def _piece_is_phone(self, k: int, last: int) -> bool:
        """The groups from k up to the next weak separator (or ``last``) are a phone number by themselves."""
        digits = self.groups[k]
        e = k
        while e < last and not self.joiners[e].weak and len(digits) <= LONGEST:
            e += 1
            digits += self.groups[e]
        return self._phone(k, e, digits)

    def _longest(self, i: int, last: int) -> int | None:
        """The last group of the longest phone number that starts at group i (and ends by ``last``)."""
        first = self.groups[i]
        if (not self._has_prefix(i, first) and not first.startswith("8") and self.small_end[i] >= last
                and not _MOBILE_WITHOUT_ZERO.match("".join(self.groups[i:i + 2])[:2] + "0" * 8)):
            return None  # a list of one- and two-digit numbers (counting, a table) up to the end of the stretch
        plus = i == 0 and self.plus
        best: int | None = None
        digits = ""
        for k in range(i, last + 1):
            if k > i:
                if self.joiners[k - 1].weak:
                    complete = best == k - 1 and (_COMPLETE_MOBILE.fullmatch(digits) or len(self.groups[k]) <= 2)
                    if not self._has_prefix(i, digits) or complete or self._piece_is_phone(k, last):
                        break
                elif best == k - 1 and len(self.groups[k]) <= 2 and _COMPLETE_MOBILE.fullmatch(digits):
                    break
            digits += self.groups[k]
            n = len(digits)
            if n > LONGEST:
                break
            if n < MIN_DIGITS or (n < PLAIN_MIN_DIGITS and not plus and digits[0] != "0"):
                continue
            if self._phone(i, k, digits):
                best = k
        return best

    def phones(self) -> list[tuple[int, int]]:
        """Spans (relative to the run) of the phone numbers in the run."""
        if self.isbn:
            return []
        self._runs_of()
        blocked = self._set_aside()
        n = len(self.groups)
        stretch_end = [0] * n  # last group of the stretch of groups that are not set aside
        for k in range(n - 1, -1, -1):
            stretch_end[k] = k if k == n - 1 or blocked[k + 1] else stretch_end[k + 1]
        found: list[tuple[int, int]] = []
        i = 0
        while i < n:
            if blocked[i]:
                i += 1
                continue
            best = self._longest(i, stretch_end[i])
            if best is None:
                group = self.groups[i]
                if _too_long(group) and self._has_prefix(i, group):  # numbers run together
                    found.append(self._span(i, i))
                i += 1
                continue
            found.append(self._span(i, best))
            i = best + 1
        return found

    def _span(self, first: int, last: int) -> tuple[int, int]:
        start, end = self.spans[first][0], self.spans[last][1]
        if first == 0:
            prefix = self.text[:start]
            start = 0
            if prefix and prefix[0] in _OPEN and not any(c in _CLOSE for c in self.text[:end]):
                # "(+880…" or "(0171…" without its ")": the "(" stays outside the mask
                plus = [n for n, c in enumerate(prefix) if c in _PLUS]
                start = plus[0] if plus else len(prefix)
        return start, end


def _find_phones(text: str, pos: int, endpos: int, out: list[Found]) -> None:
    for match in _RUN.finditer(text, pos, endpos):
        if match.end() - match.start() < MIN_DIGITS:
            continue
        run = _Run(match.group(), match.start(), text)
        for a, b in run.phones():
            out.append(Found(match.start() + a, match.start() + b, "phone"))


def find_contact_details(text: str) -> list[Found]:
    """Phone numbers and e-mail addresses in ``text``, in order, not overlapping (see the module's rule)."""
    emails = [Found(*m.span(), "email") for m in _EMAIL.finditer(text)] if _may_hold_address(text) else []
    if _has_spoken_at(text):
        taken = [(f.start, f.end) for f in emails]
        for m in _SPOKEN_EMAIL.finditer(text):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                emails.append(Found(*m.span(), "email"))
        emails.sort()
    found: list[Found] = []
    pos = 0
    for email in emails:
        _find_phones(text, pos, email.start, found)
        found.append(email)
        pos = email.end
    _find_phones(text, pos, len(text), found)
    return found


def _may_hold_address(text: str) -> bool:
    return "@" in text or "\uff20" in text or _BRACKETED_AT.search(text) is not None


def _has_spoken_at(text: str) -> bool:
    return " at " in text.lower() or "এট" in text or "অ্যাট" in text or "এ্যাট" in text


def contains_phone_number(text: str) -> bool:
    """True when ``text`` holds a phone number (in any form the rule accepts)."""
    return any(f.kind == "phone" for f in find_contact_details(text))


def contains_contact_details(text: str) -> bool:
    """True when ``text`` holds a phone number or an e-mail address."""
    return bool(find_contact_details(text))


def redact_contact_details(text: str) -> str:
    """``text`` with every phone number replaced by PHONE_MASK and every e-mail address by EMAIL_MASK."""
    found = find_contact_details(text)
    if not found:
        return text
    out: list[str] = []
    pos = 0
    for item in found:
        out.append(text[pos:item.start])
        out.append(MASKS[item.kind])
        pos = item.end
    out.append(text[pos:])
    return "".join(out)


def redacted_or_none(text: str) -> str | None:
    """The masked form of ``text``, or None when nothing in it is masked (what a search index stores)."""
    masked = redact_contact_details(text)
    return None if masked == text else masked


def redact_phone_numbers(text: str) -> str:
    """The old name of :func:`redact_contact_details`: masks phone numbers *and* e-mail addresses."""
    return redact_contact_details(text)


_MASK_RE = re.compile("|".join(re.escape(m) for m in MASKS.values()))
_KIND_OF_MASK = {mask: kind for kind, mask in MASKS.items()}


def restore_masked_numbers(original: str, corrected: str) -> str:
    """Put the original numbers and addresses back where a corrected text still carries the masks a non-admin
    was shown.

    Non-admins correct the redacted text; without this a correction would store the mask in place of the
    number and the evidence would lose it. Masks of each kind are matched to the original's numbers (or
    addresses) of that kind in order. When the correction has fewer masks of a kind than were shown, the ones
    the corrector deleted are found by aligning the shown text with the correction, so a kept later mask gets
    its own number, never an earlier one that was deleted; a mask beyond the original's count stays as typed.
    """
    if PHONE_MASK not in corrected and EMAIL_MASK not in corrected:
        return corrected
    found = find_contact_details(original)
    values = {"phone": [original[f.start:f.end] for f in found if f.kind == "phone"],
              "email": [original[f.start:f.end] for f in found if f.kind == "email"]}
    typed = {kind: len(re.findall(re.escape(mask), corrected)) for kind, mask in MASKS.items()}
    if any(typed[kind] < len(values[kind]) for kind in MASKS):
        kept = _kept_masks(redact_contact_details(original), corrected)
        for kind in MASKS:
            if typed[kind] < len(values[kind]):
                ranked = [i for i in range(len(values[kind])) if i in kept[kind]]
                ranked += [i for i in range(len(values[kind])) if i not in kept[kind]]
                chosen = sorted(ranked[:typed[kind]])  # the kept ones first, then the earliest others
                values[kind] = [values[kind][i] for i in chosen]
    used = {"phone": 0, "email": 0}

    def put_back(match: re.Match[str]) -> str:
        kind = _KIND_OF_MASK[match.group()]
        index = used[kind]
        used[kind] += 1
        return values[kind][index] if index < len(values[kind]) else match.group()

    return _MASK_RE.sub(put_back, corrected)


def _symbols(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    # The text as characters with each mask one symbol; and (symbol index, kind) of each mask.
    out: list[str] = []
    masks: list[tuple[int, str]] = []
    pos = 0
    for match in _MASK_RE.finditer(text):
        out.extend(text[pos:match.start()])
        masks.append((len(out), _KIND_OF_MASK[match.group()]))
        out.append("\x00" + match.group())
        pos = match.end()
    out.extend(text[pos:])
    return out, masks


def _kept_masks(shown: str, corrected: str) -> dict[str, set[int]]:
    """Per kind, the numbers (by order among that kind) of the shown masks the correction kept in place."""
    a, masks = _symbols(shown)
    b, _ = _symbols(corrected)
    matched: set[int] = set()
    for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        matched.update(range(block.a, block.a + block.size))
    kept: dict[str, set[int]] = {"phone": set(), "email": set()}
    seen = {"phone": 0, "email": 0}
    for index, kind in masks:
        if index in matched:
            kept[kind].add(seen[kind])
        seen[kind] += 1
    return kept


def redact_words(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Word timings with contact details masked; a number split over several words keeps one mask."""
    if not words:
        return []
    texts = [str(w.get("word", "")) for w in words]
    found = find_contact_details("".join(texts))
    if not found:
        return [dict(w) for w in words]
    starts = {f.start: MASKS[f.kind] for f in found}
    inside = {i for f in found for i in range(f.start, f.end)}
    out: list[dict[str, Any]] = []
    pos = 0
    for word, text in zip(words, texts, strict=True):
        chars = []
        for offset, char in enumerate(text):
            g = pos + offset
            if g in starts:
                chars.append(starts[g])
            elif g not in inside:
                chars.append(char)
        pos += len(text)
        out.append({**word, "word": "".join(chars)})
    return out
