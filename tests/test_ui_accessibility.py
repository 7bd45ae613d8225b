"""Every page: CSRF token in every form, a label for every control, and sign-out; in both languages."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

from radio.db import utcnow
from tests.ui_helpers import HTML, add_episode, login, page, post_form


class FormAudit(HTMLParser):
    """Collects POST forms without a CSRF token and form controls without an accessible name."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.in_label = 0
        self.forms: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "csrf": False, "action": a.get("action")})
        elif tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.labels.add(a["for"] or "")
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and a.get("type") in ("hidden", "submit", "button"):
                if a.get("name") == "csrf_token" and self.forms:
                    self.forms[-1]["csrf"] = True
                return
            self.controls.append({**a, "_wrapped": "1" if self.in_label else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.in_label -= 1

    def unlabelled(self) -> list[str]:
        return [str(c.get("name") or c.get("id")) for c in self.controls
                if not c["_wrapped"] and c.get("id") not in self.labels and not c.get("aria-label")]

    def unprotected(self) -> list[object]:
        return [f["action"] for f in self.forms if f["method"] == "post" and not f["csrf"]]


def _pages(client, runtime, make_station, api_as) -> list[str]:  # type: ignore[no-untyped-def]
    make_station("radio-padma")
    ep = add_episode(runtime, "Call", ["first", "second"], kind="drama")
    producer = api_as("producer")
    yesterday = (utcnow() - dt.timedelta(days=1)).date()
    b = producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": ep["id"],
                                                   "start": f"{yesterday}T10:00"}).json
    flight = producer.post("/api/v1/flights", json={
        "stations": ["radio-padma"], "episodes": [ep["id"]], "per_week": 2, "from": "2027-03-01", "to": "2027-03-07",
        "windows": [{"days": "MO,TU,WE", "start": "19:00", "end": "20:00"}]}).json
    assert producer.post(f"/api/v1/flights/{flight['id']}/accept").status_code == 201
    proposed = producer.post("/api/v1/flights", json={
        "stations": ["radio-padma"], "episodes": [ep["id"]], "per_week": 2, "from": "2027-04-05", "to": "2027-04-11",
        "windows": [{"days": "MO,TU,WE", "start": "19:00", "end": "20:00"}]}).json
    return ["/flights", f"/flights/{flight['id']}", "/flights/new", f"/flights/{proposed['id']}",
            "/login", "/account", "/library", "/library/upload", f"/episodes/{ep['id']}",
            f"/episodes/{ep['id']}/edit", "/schedule", f"/schedule/radio-padma?week={yesterday}", "/search?q=first",
            f"/segments/{ep['segments'][0]}", "/codes", f"/broadcasts/{b['id']}/feedback", "/feedback",
            "/admin/users", f"/admin/users/{producer.user_id}", "/admin/stations", "/admin/workers"]


def test_every_form_has_csrf_and_every_control_a_label(client, runtime, make_station, api_as) -> None:
    urls = _pages(client, runtime, make_station, api_as)
    login(client, runtime, "admin")
    for lang in ("en", "bn"):
        for url in urls:
            audit = FormAudit()
            audit.feed(page(client, url, lang=lang))
            assert audit.unprotected() == [], (url, audit.unprotected())
            assert audit.unlabelled() == [], (url, audit.unlabelled())


def test_pages_have_language_skip_link_and_one_h1(client, runtime, make_station, api_as) -> None:
    urls = _pages(client, runtime, make_station, api_as)
    login(client, runtime, "admin")
    for url in urls:
        html = page(client, url, lang="bn")
        assert '<html lang="bn">' in html and 'class="skip" href="#main"' in html, url
        assert len(re.findall(r"<h1[ >]", html)) == 1, url
        assert 'name="viewport"' in html


def test_logout_ends_the_session(client, runtime) -> None:
    login(client, runtime, "producer")
    assert client.get("/library", headers=HTML).status_code == 200
    r = post_form(client, "/logout", {})
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    r = client.get("/library", headers=HTML)
    assert r.status_code == 302 and "/login?next=/library" in r.headers["Location"]
    assert client.get("/api/v1/me").status_code == 401
    assert client.post("/logout", headers=HTML).status_code == 400  # no CSRF token, no effect


def test_colours_have_enough_contrast() -> None:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    def ratio(a: str, b: str) -> float:
        la, lb = sorted((luminance(a), luminance(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)

    css = (Path(__file__).resolve().parent.parent / "web" / "static" / "app.css").read_text()
    var = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-fA-F]{6})", css))
    white = "#ffffff"
    pairs = {"text": (var["ink"], white), "muted": (var["muted"], white), "link": (var["accent"], white),
             "header": (white, var["brand"]), "button": (white, var["accent"]), "error": (var["bad"], white),
             "error flash": (var["bad"], "#fbeaea"), "ok flash": (var["ok"], "#e7f3e7"),
             "highlight": (var["ink"], var["hit"]), "muted on grey": (var["muted"], var["soft"])}
    for name, (fg, bg) in pairs.items():
        assert ratio(fg, bg) >= 4.5, name


class VisibleText(HTMLParser):
    """The text a reader sees or hears: element text plus aria-label/title/placeholder, without code."""

    SKIP = {"code", "script", "style", "title", "svg"}

    def __init__(self) -> None:
        super().__init__()
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "data-confirm") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


# Latin words that are data or technical names, not UI text to translate.
ALLOWED_LATIN = {
    "Ashshash", "English", "Call", "first", "second", "Radio", "Padma", "admin", "example", "org", "producer",
    "LUFS", "dBTP", "CSV", "JSON", "REFI", "QDA", "qdc", "SHA", "MP3", "WAV", "M4A", "OGG", "Opus", "FLAC",
    "WMA", "AMR", "3GP", "wav", "pcm", "s16le", "call", "tiny", "faster", "whisper", "CTranslate2", "test",
    "host", "txt", "srt", "vtt", "json", "webcal", "RFC", "FREQ", "WEEKLY", "BYDAY", "COUNT", "Asia", "Dhaka",
    "Narsingdi", "radio", "padma", "YYYY", "OR", "NOT", "immediate", "Hz", "kbit", "MB", "kB", "Station",
    "drama", "ui", "x", "LU", "EBU", "R128",
    "broker",  # the search help's example of a query in both languages: দালাল OR broker
}


def test_bangla_pages_have_no_untranslated_english(client, runtime, make_station, api_as) -> None:
    urls = _pages(client, runtime, make_station, api_as)
    login(client, runtime, "admin")
    for url in urls:
        reader = VisibleText()
        reader.feed(page(client, url, lang="bn"))
        text = re.sub(r"\S+@\S+|\brad_\S+", " ", " ".join(reader.parts))  # e-mail addresses, token prefixes
        words = set(re.findall(r"[A-Za-z][A-Za-z0-9']{2,}", text)) - ALLOWED_LATIN
        assert not words, (url, sorted(words))
