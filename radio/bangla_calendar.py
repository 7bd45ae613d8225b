"""The Bengali calendar (বঙ্গাব্দ) as Bangladesh reads it: the Bangla Academy's 2019 revision; pure functions.

The year begins on 14 April (১ বৈশাখ). Since the 2019 revision the first six months (বৈশাখ … আশ্বিন) have 31
days, কার্তিক, অগ্রহায়ণ, পৌষ, মাঘ and চৈত্র 30, and ফাল্গুন 29 — 30 when the Gregorian February it overlaps
has 29 days. So the national days fall on fixed Gregorian dates every year: ৮ ফাল্গুন on 21 February,
১ পৌষ on 16 December (and ১ বৈশাখ on 14 April). A Bengali year is the Gregorian year minus 593 from
14 April, minus 594 before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MONTHS_BN = ("বৈশাখ", "জ্যৈষ্ঠ", "আষাঢ়", "শ্রাবণ", "ভাদ্র", "আশ্বিন", "কার্তিক", "অগ্রহায়ণ", "পৌষ", "মাঘ", "ফাল্গুন",
             "চৈত্র")
MONTHS_EN = ("Boishakh", "Joishtho", "Asharh", "Shrabon", "Bhadro", "Ashshin", "Kartik", "Ogrohayon", "Poush",
             "Magh", "Falgun", "Choitro")
ERA_BN = "বঙ্গাব্দ"
ERA_EN = "Bangabda"
_BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
_FALGUN = 10  # index of ফাল্গুন, the month whose length follows the Gregorian leap year


@dataclass(frozen=True)
class BanglaDate:
    """A day of the Bengali calendar: year (বঙ্গাব্দ), month 1–12 (1 = বৈশাখ) and day 1–31."""

    year: int
    month: int
    day: int

    @property
    def month_bn(self) -> str:
        """The month's Bangla name."""
        return MONTHS_BN[self.month - 1]

    @property
    def month_en(self) -> str:
        """The month's name in Latin letters."""
        return MONTHS_EN[self.month - 1]


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def month_lengths(gregorian_start_year: int) -> tuple[int, ...]:
    """Lengths of the twelve months of the Bengali year that starts on 14 April ``gregorian_start_year``."""
    falgun = 30 if _is_leap(gregorian_start_year + 1) else 29  # ফাল্গুন runs 14 February – 14/15 March
    return (31, 31, 31, 31, 31, 31, 30, 30, 30, 30, falgun, 30)


def to_bangla_date(day: dt.date) -> BanglaDate:
    """The Bengali calendar date of a Gregorian date."""
    if isinstance(day, dt.datetime):
        day = day.date()
    start_year = day.year if (day.month, day.day) >= (4, 14) else day.year - 1
    offset = (day - dt.date(start_year, 4, 14)).days
    for month, length in enumerate(month_lengths(start_year), start=1):
        if offset < length:
            return BanglaDate(year=start_year - 593, month=month, day=offset + 1)
        offset -= length
    raise AssertionError("a Bengali year has 365 or 366 days")  # pragma: no cover - the lengths add up


def from_bangla_date(date: BanglaDate) -> dt.date:
    """The Gregorian date of a Bengali calendar date (ValueError for a day the month does not have)."""
    start_year = date.year + 593
    lengths = month_lengths(start_year)
    if not 1 <= date.month <= 12 or not 1 <= date.day <= lengths[date.month - 1]:
        raise ValueError(f"no day {date.day} in month {date.month} of {date.year}")
    return dt.date(start_year, 4, 14) + dt.timedelta(days=sum(lengths[: date.month - 1]) + date.day - 1)


def format_bangla_date(day: dt.date, *, latin: bool = False) -> str:
    """``১ বৈশাখ ১৪৩৩ বঙ্গাব্দ`` (or ``1 Boishakh 1433 Bangabda`` with ``latin``)."""
    bd = to_bangla_date(day)
    if latin:
        return f"{bd.day} {bd.month_en} {bd.year} {ERA_EN}"
    return f"{bd.day} {bd.month_bn} {bd.year} {ERA_BN}".translate(_BANGLA_DIGITS)
