"""The words of the PDF reports in Bangla and English (the PDF is made outside a web request: no gettext)."""

from __future__ import annotations

import datetime as dt

from babel import dates as babel_dates

from radio.bangla_calendar import format_bangla_date

_BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")

LABELS: dict[str, dict[str, str]] = {
    "reach_title": {"en": "Reach report", "bn": "প্রচার ও সাড়ার প্রতিবেদন"},
    "evidence_title": {"en": "Evidence summary", "bn": "প্রমাণের সারসংক্ষেপ"},
    "campaign": {"en": "Campaign", "bn": "প্রচারাভিযান"},
    "all_campaigns": {"en": "all campaigns", "bn": "সব প্রচারাভিযান"},
    "period": {"en": "Period", "bn": "সময়কাল"},
    "made": {"en": "Made", "bn": "তৈরির সময়"},
    "stations": {"en": "Stations", "bn": "স্টেশন"},
    "districts": {"en": "Districts", "bn": "জেলা"},
    "all": {"en": "all", "bn": "সব"},
    "page": {"en": "Page", "bn": "পৃষ্ঠা"},
    "of": {"en": "of", "bn": "এর"},
    "totals": {"en": "Totals", "bn": "মোট"},
    "planned": {"en": "Planned", "bn": "পরিকল্পিত"},
    "aired": {"en": "Aired", "bn": "প্রচারিত"},
    "partial": {"en": "Partial", "bn": "আংশিক"},
    "missed": {"en": "Missed", "bn": "বাদ পড়েছে"},
    "unconfirmed": {"en": "Unconfirmed", "bn": "অনিশ্চিত"},
    "minutes_planned": {"en": "Minutes planned", "bn": "পরিকল্পিত মিনিট"},
    "minutes_aired": {"en": "Minutes aired", "bn": "প্রচারিত মিনিট"},
    "share_delivered": {"en": "Airtime delivered", "bn": "প্রচারিত সময়ের অংশ"},
    "feedback": {"en": "Feedback", "bn": "শ্রোতার সাড়া"},
    "unique_senders": {"en": "Unique SMS senders", "bn": "আলাদা এসএমএস প্রেরক"},
    "calls": {"en": "Calls", "bn": "ফোন কল"},
    "sms": {"en": "SMS", "bn": "এসএমএস"},
    "missed_calls": {"en": "Missed calls", "bn": "মিসড কল"},
    "letters": {"en": "Letters", "bn": "চিঠি"},
    "in_person": {"en": "In person", "bn": "সরাসরি"},
    "entered": {"en": "entered", "bn": "হাতে লেখা"},
    "gateway": {"en": "gateway", "bn": "গেটওয়ে"},
    "by_station": {"en": "By station", "bn": "স্টেশন অনুযায়ী"},
    "by_district": {"en": "By district", "bn": "জেলা অনুযায়ী"},
    "by_month": {"en": "By month", "bn": "মাস অনুযায়ী"},
    "by_episode": {"en": "By episode", "bn": "পর্ব অনুযায়ী"},
    "by_kind": {"en": "By kind", "bn": "ধরন অনুযায়ী"},
    "station": {"en": "Station", "bn": "স্টেশন"},
    "district": {"en": "District", "bn": "জেলা"},
    "month": {"en": "Month", "bn": "মাস"},
    "episode": {"en": "Episode", "bn": "পর্ব"},
    "chart_airings": {"en": "Airings planned and delivered per station", "bn": "স্টেশন অনুযায়ী পরিকল্পিত ও প্রচারিত"},
    "chart_feedback": {"en": "Listener feedback per month", "bn": "মাস অনুযায়ী শ্রোতার সাড়া"},
    "chart_codes": {"en": "Codes applied per district", "bn": "জেলা অনুযায়ী প্রয়োগ করা কোড"},
    "delivered": {"en": "Delivered (aired + partial)", "bn": "প্রচারিত (পূর্ণ ও আংশিক)"},
    "codes": {"en": "Codes", "bn": "কোড"},
    "applications": {"en": "Applications", "bn": "প্রয়োগ"},
    "quotes": {"en": "Selected quotes", "bn": "নির্বাচিত উদ্ধৃতি"},
    "no_data": {"en": "Nothing in this period.", "bn": "এই সময়ে কিছু নেই।"},
    "status_note": {"en": "Airings without a confirmation count as unconfirmed. A partial airing counts as "
                          "delivered but adds no minutes aired (a confirmation does not say how long it ran).",
                    "bn": "নিশ্চিতকরণ ছাড়া প্রচার 'অনিশ্চিত' হিসেবে গণ্য। আংশিক প্রচার প্রচারিত হিসেবে গণ্য, তবে "
                          "প্রচারিত মিনিটে যোগ হয় না (কতক্ষণ চলেছে নিশ্চিতকরণে থাকে না)।"},
}


def label(key: str, lang: str) -> str:
    """The word for ``key`` in ``lang``."""
    return LABELS[key][lang]


def digits(text: str, lang: str) -> str:
    """``text`` with Bangla digits when ``lang`` is bn."""
    return text.translate(_BANGLA_DIGITS) if lang == "bn" else text


def number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """A figure for the report (grouped, Bangla digits in bn; '—' for None)."""
    if value is None:
        return "—"
    return digits(f"{value:,.{decimals}f}", lang)


def percent(value: float | None, lang: str) -> str:
    """A share as a percentage ('—' when nothing was planned)."""
    return "—" if value is None else digits(f"{value * 100:.1f}%", lang)


def day(value: dt.date, lang: str) -> str:
    """A date as Bangladesh reads it: in bn the Gregorian date with the Bengali calendar date beside it."""
    if lang == "bn":
        gregorian = digits(babel_dates.format_date(value, "d MMMM y", locale="bn"), lang)
        return f"{gregorian} ({format_bangla_date(value)})"
    return babel_dates.format_date(value, "d MMMM y", locale="en")


def moment(value: dt.datetime, lang: str) -> str:
    """A timestamp in Dhaka time."""
    local = value.astimezone(dt.timezone(dt.timedelta(hours=6)))
    return f"{day(local.date(), lang)} {digits(local.strftime('%H:%M'), lang)} (UTC+6)"


def month(value: str, lang: str) -> str:
    """``2026-03`` as a month name and year."""
    first = dt.date.fromisoformat(value + "-01")
    return digits(babel_dates.format_date(first, "MMM y", locale=lang), lang)
