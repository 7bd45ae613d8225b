"""The Bengali calendar (2019 revision) against known dates, leap years included, and as a round trip."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from radio.bangla_calendar import BanglaDate, format_bangla_date, from_bangla_date, month_lengths, to_bangla_date

# (Gregorian, Bengali year, month, day): Pohela Boishakh, Victory Day (১ পৌষ), Language Day (৮ ফাল্গুন), the
# last day of চৈত্র, ফাল্গুন's 30th in leap years, and Independence Day (১২ চৈত্র in the revised calendar).
KNOWN = [
    ("2019-04-14", 1426, 1, 1), ("2020-04-14", 1427, 1, 1), ("2024-04-14", 1431, 1, 1),
    ("2026-04-14", 1433, 1, 1), ("2026-04-13", 1432, 12, 30), ("2025-04-13", 1431, 12, 30),
    ("2019-12-16", 1426, 9, 1), ("2023-12-16", 1430, 9, 1), ("2026-12-16", 1433, 9, 1),
    ("2020-02-21", 1426, 11, 8), ("2024-02-21", 1430, 11, 8), ("2025-02-21", 1431, 11, 8),
    ("2100-02-21", 1506, 11, 8),
    ("2020-03-14", 1426, 11, 30), ("2024-03-14", 1430, 11, 30),  # leap years: ফাল্গুন has 30 days
    ("2020-03-15", 1426, 12, 1), ("2023-03-15", 1429, 12, 1), ("2023-03-14", 1429, 11, 29),
    ("2026-03-26", 1432, 12, 12), ("2026-10-16", 1433, 6, 31), ("2026-10-17", 1433, 7, 1),
    ("2026-12-02", 1433, 8, 17), ("2000-02-29", 1406, 11, 16), ("1971-12-16", 1378, 9, 1),
]


@pytest.mark.parametrize(("gregorian", "year", "month", "day"), KNOWN)
def test_known_dates(gregorian: str, year: int, month: int, day: int) -> None:
    date = dt.date.fromisoformat(gregorian)
    assert to_bangla_date(date) == BanglaDate(year, month, day)
    assert from_bangla_date(BanglaDate(year, month, day)) == date


def test_formatting_in_bangla_and_latin() -> None:
    assert format_bangla_date(dt.date(2026, 4, 14)) == "১ বৈশাখ ১৪৩৩ বঙ্গাব্দ"
    assert format_bangla_date(dt.date(2026, 2, 21)) == "৮ ফাল্গুন ১৪৩২ বঙ্গাব্দ"
    assert format_bangla_date(dt.date(2026, 12, 16), latin=True) == "1 Poush 1433 Bangabda"
    assert format_bangla_date(dt.datetime(2026, 12, 16, 23, 0, tzinfo=dt.UTC)) == "১ পৌষ ১৪৩৩ বঙ্গাব্দ"


def test_year_lengths_follow_the_gregorian_leap_year() -> None:
    assert sum(month_lengths(2023)) == 366 and month_lengths(2023)[10] == 30  # ফাল্গুন 1430 overlaps Feb 2024
    assert sum(month_lengths(2024)) == 365 and month_lengths(2024)[10] == 29
    assert sum(month_lengths(2099)) == 365  # 2100 is not a leap year
    with pytest.raises(ValueError):
        from_bangla_date(BanglaDate(1431, 11, 30))  # ফাল্গুন 1431 (February 2025) has 29 days


@given(st.dates(min_value=dt.date(1900, 4, 14), max_value=dt.date(2200, 4, 13)))
def test_round_trip_and_consecutive_days(date: dt.date) -> None:
    bd = to_bangla_date(date)
    assert from_bangla_date(bd) == date
    following = to_bangla_date(date + dt.timedelta(days=1))
    assert following == BanglaDate(bd.year, bd.month, bd.day + 1) or following.day == 1


def test_the_bangla_ui_shows_the_bengali_date_beside_the_gregorian_one(app) -> None:
    from web.i18n import format_date

    with app.test_request_context(headers={"Accept-Language": "bn"}):
        text = format_date(dt.date(2026, 12, 16))
        assert "১৬" in text and text.endswith("(১ পৌষ ১৪৩৩ বঙ্গাব্দ)")
        # A time late on 15 December UTC is already 16 December in Dhaka.
        assert format_date(dt.datetime(2026, 12, 15, 20, 0, tzinfo=dt.UTC)).endswith("(১ পৌষ ১৪৩৩ বঙ্গাব্দ)")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert "বঙ্গাব্দ" not in format_date(dt.date(2026, 12, 16))
