"""Languages of the UI: Flask-Babel set-up, locale choice, and locale-aware number and date filters."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, g, has_request_context, request, session
from flask_babel import Babel, get_locale

from radio.bangla_calendar import format_bangla_date

LOCALES = ("bn", "en")
DEFAULT_LOCALE = "bn"
DEFAULT_TIMEZONE = "Asia/Dhaka"
LOCALE_NAMES = {"bn": "বাংলা", "en": "English"}
# Babel's CLDR data names ``beng`` as Bangla's default numbering system but formats with Latin digits.
_BENGALI_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def select_locale() -> str:
    """The request's locale: the user's choice (session, then profile), else Accept-Language."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = session.get("locale")
    if chosen in LOCALES:
        return str(chosen)
    user = g.get("user")
    if user is not None and getattr(user, "locale", None) in LOCALES:
        return str(user.locale)
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def current_locale() -> str:
    """The locale code in force (``bn`` or ``en``)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LOCALE


def localize_digits(text: Any, locale: str | None = None) -> str:
    """``text`` with Latin digits written in the locale's digits (Bengali digits for ``bn``)."""
    text = "" if text is None else str(text)
    return text.translate(_BENGALI_DIGITS) if (locale or current_locale()) == "bn" else text


def format_number(value: float | int | None, decimals: int | None = None) -> str:
    """A number with the locale's grouping, decimal sign and digits; '—' for None."""
    if value is None:
        return "—"
    locale = current_locale()
    if decimals is not None:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        text = babel_numbers.format_decimal(value, format=pattern, locale=locale)
    else:
        text = babel_numbers.format_decimal(value, locale=locale)
    return localize_digits(text, locale)


def _zone(tz: str | None) -> ZoneInfo:
    return ZoneInfo(tz or DEFAULT_TIMEZONE)


def format_datetime(value: dt.datetime | None, fmt: str = "medium", tz: str | None = None) -> str:
    """A timestamp in ``tz`` (default Asia/Dhaka), written for the locale."""
    if value is None:
        return "—"
    locale = current_locale()
    text = babel_dates.format_datetime(value, fmt, tzinfo=_zone(tz), locale=locale)
    return localize_digits(text, locale)


def format_date(value: dt.date | dt.datetime | None, fmt: str = "medium", tz: str | None = None) -> str:
    """A date written for the locale (a datetime is first moved to ``tz``)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = value.astimezone(_zone(tz)).date()
    locale = current_locale()
    text = localize_digits(babel_dates.format_date(value, fmt, locale=locale), locale)
    if locale == "bn" and fmt in ("medium", "long", "full"):  # Bangladesh reads both calendars side by side
        text = f"{text} ({format_bangla_date(value)})"
    return text


def format_month(value: str | None, calendar: bool = True) -> str:
    """A report month (``2026-03``) written for the locale: ``Mar 2026``; in Bangla with Bangla digits and the
    Bengali calendar dates it spans beside (``মার্চ ২০২৬ (১৬ ফাল্গুন – ১৭ চৈত্র ১৪৩২ বঙ্গাব্দ)``; not with
    ``calendar=False``, for a chart's axis)."""
    if not value:
        return "—"
    try:
        first = dt.date.fromisoformat(value + "-01")
    except ValueError:
        return value
    locale = current_locale()
    text = localize_digits(babel_dates.format_date(first, "MMM y", locale=locale), locale)
    if locale != "bn" or not calendar:
        return text
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    start, end = format_bangla_date(first), format_bangla_date(last)
    if start.split()[2:] == end.split()[2:]:  # the same Bengali year: say it once
        start = " ".join(start.split()[:2])
    return f"{text} ({start} – {end})"


def format_time(value: dt.datetime | None, tz: str | None = None) -> str:
    """Hours and minutes in ``tz``, written for the locale."""
    if value is None:
        return "—"
    locale = current_locale()
    text = babel_dates.format_time(value.astimezone(_zone(tz)), "HH:mm", locale=locale)
    return localize_digits(text, locale)


def format_duration(seconds: float | None) -> str:
    """``m:ss`` or ``h:mm:ss`` in the locale's digits."""
    if seconds is None:
        return "—"
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return localize_digits(text)


def format_filesize(size: int | None) -> str:
    """A byte count as kB / MB in the locale."""
    if size is None:
        return "—"
    locale = current_locale()
    return localize_digits(babel_numbers.format_decimal(size / 1_000_000, format="#,##0.0", locale=locale)
                           + " MB" if size >= 1_000_000 else
                           babel_numbers.format_decimal(size / 1000, format="#,##0", locale=locale) + " kB",
                           locale)


def format_isodatetime(value: str | None, fmt: str = "medium") -> str:
    """An ISO 8601 timestamp string (as the services return them) written for the locale."""
    if not value:
        return "—"
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return format_datetime(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC), fmt)


FILTERS = {
    "isodatetime": format_isodatetime,
    "number": format_number,
    "datetime": format_datetime,
    "date": format_date,
    "month": format_month,
    "time": format_time,
    "duration": format_duration,
    "filesize": format_filesize,
    "digits": localize_digits,
}


def init_app(app: Flask) -> None:
    """Install Flask-Babel (catalogs in web/translations) and the locale filters."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DEFAULT_TIMEZONE)
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(LOCALES=LOCALES, LOCALE_NAMES=LOCALE_NAMES, current_locale=current_locale)
