"""UI languages: catalogs complete and compiled, locale choice, Bangla digits, the self-hosted font."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from radio.models import User
from tests.ui_helpers import HTML, csrf_token, login, page
from web import catalogs, i18n

WEB = Path(__file__).resolve().parent.parent / "web"


def test_catalogs_translate_every_string_and_mo_files_are_current() -> None:
    assert catalogs.problems() == []
    assert len([m for m in catalogs.extract_messages() if m.id]) > 50


def test_a_new_untranslated_string_is_reported(monkeypatch) -> None:
    real = catalogs.extract_messages

    def with_extra():  # type: ignore[no-untyped-def]
        catalog = real()
        catalog.add("A string nobody translated yet")
        return catalog

    monkeypatch.setattr(catalogs, "extract_messages", with_extra)
    found = catalogs.problems()
    assert "bn: not in the catalog: 'A string nobody translated yet'" in found


def test_accept_language_picks_the_page_language(client) -> None:
    bn = page(client, "/login", lang="bn-BD,bn;q=0.9,en;q=0.5")
    assert '<html lang="bn">' in bn and "লগ ইন" in bn and "পাসওয়ার্ড" in bn
    en = page(client, "/login", lang="en-GB,en;q=0.9")
    assert '<html lang="en">' in en and "Password" in en and "পাসওয়ার্ড" not in en


def test_language_switch_is_remembered_in_session_and_profile(client, runtime) -> None:
    token = csrf_token(client)
    r = client.post("/locale", data={"csrf_token": token, "locale": "bn", "next": "/login"}, headers=HTML)
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert '<html lang="bn">' in page(client, "/login", lang="en")  # the choice beats Accept-Language
    user_id = login(client, runtime, "producer", lang="en")
    with runtime.session() as session:
        assert session.get(User, user_id).locale == "bn"  # chosen before sign-in, kept as the preference
    token = csrf_token(client)
    client.post("/locale", data={"csrf_token": token, "locale": "en", "next": "/account"}, headers=HTML)
    with runtime.session() as session:
        assert session.get(User, user_id).locale == "en"
    # A fresh browser of the same user gets the profile's language after signing in.
    other = client.application.test_client()
    token = csrf_token(other)
    other.post("/login", data={"csrf_token": token, "email": "ui-producer-x@example.org",
                               "password": "correct horse battery"}, headers={"Accept-Language": "bn"})
    assert '<html lang="en">' in page(other, "/account", lang="bn")


def test_language_switch_needs_csrf_and_ignores_unknown_locales(client) -> None:
    assert client.post("/locale", data={"locale": "bn"}, headers=HTML).status_code == 400
    token = csrf_token(client)
    r = client.post("/locale", data={"csrf_token": token, "locale": "xx", "next": "https://evil.example/"})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert '<html lang="en">' in page(client, "/login", lang="en")


def test_numbers_and_dates_use_bangla_digits_in_bangla(app) -> None:
    when = dt.datetime(2024, 5, 3, 8, 30, tzinfo=dt.UTC)  # 14:30 in Dhaka
    with app.test_request_context(headers={"Accept-Language": "bn"}):
        assert i18n.format_number(1234567) == "১২,৩৪,৫৬৭"
        assert i18n.format_number(-23.04, 1) == "-২৩.০"
        assert i18n.format_duration(3725) == "১:০২:০৫"
        assert "১৪:৩০" in i18n.format_time(when)
        assert re.search("[০-৯]", i18n.format_datetime(when)) and not re.search("[0-9]", i18n.format_datetime(when))
        assert "মে" in i18n.format_date(when)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert i18n.format_number(1234567) == "1,234,567"
        assert i18n.format_time(when) == "14:30"
        assert i18n.format_date(when, tz="UTC") == "May 3, 2024"


def test_font_is_served_by_the_app_and_nothing_comes_from_another_host(client) -> None:
    css = client.get("/static/app.css").get_data(as_text=True)
    assert "fonts/NotoSansBengali-Regular.subset.woff2" in css
    font = client.get("/static/fonts/NotoSansBengali-Regular.subset.woff2")
    assert font.status_code == 200 and font.data[:4] == b"wOF2"
    assert (WEB / "static" / "fonts" / "OFL.txt").read_text().count("SIL Open Font License") >= 1
    external = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)
    for path in [*WEB.glob("templates/**/*.html"), *WEB.glob("static/**/*.css"), *WEB.glob("static/**/*.js")]:
        assert not external.search(path.read_text(encoding="utf-8")), f"{path} loads from another host"

