"""Sessions end on the server at logout, cookies carry no password material, sign-ins are throttled."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from proc_helpers import STACK_PARAMS, Stack, free_port, http_get, make_stack, stop, wait_for

from radio.auth import create_user, issue_token
from schedule.models import Station
from tests.ui_helpers import HTML, PASSWORD, csrf_token, login, post_form
from web import create_app


def _cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _payload(value: str) -> dict:
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def test_logout_ends_the_session_on_the_server(app: Flask, client, runtime) -> None:
    login(client, runtime, "producer")
    stolen = _cookie(client)
    assert client.get("/library", headers=HTML).status_code == 200
    payload = _payload(stolen)
    assert "auth_epoch" not in payload and not any("argon2" in str(v) for v in payload.values())
    assert set(payload) <= {"user_id", "session_version", "csrf_token", "locale", "_permanent", "_fresh"}
    assert post_form(client, "/logout", {}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    r = replay.get("/library", headers=HTML)
    assert r.status_code == 302 and "/login" in r.headers["Location"]  # the copied cookie no longer signs in


def test_the_cookie_is_secure_when_the_public_url_is_https(runtime) -> None:
    from dataclasses import replace

    secure_runtime = replace(runtime, settings=replace(runtime.settings, public_url="https://radio.example.org"))
    app = create_app(runtime=secure_runtime)
    client = app.test_client()
    with runtime.session() as session:
        create_user(session, "secure@example.org", "producer", password=PASSWORD)
    r = client.post("/login", data={"csrf_token": csrf_token(client), "email": "secure@example.org",
                                    "password": PASSWORD}, headers=HTML)
    assert r.status_code == 302 and "Secure" in r.headers["Set-Cookie"]


def test_repeated_failed_logins_get_429_with_retry_after(client, runtime) -> None:
    with runtime.session() as session:
        create_user(session, "target@example.org", "researcher", password=PASSWORD)

    def attempt(password: str, email: str = "target@example.org", address: str = "198.51.100.7"):
        return client.post("/login", data={"csrf_token": csrf_token(client), "email": email, "password": password},
                           headers=HTML, environ_base={"REMOTE_ADDR": address})

    assert [attempt(f"wrong-{i}").status_code for i in range(5)] == [401] * 5
    blocked = attempt(PASSWORD)  # even the right password waits: the account is being guessed
    assert blocked.status_code == 429 and 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    # Another address is throttled for this account too; another account from the first address is not yet.
    assert attempt(PASSWORD, address="203.0.113.9").status_code == 429
    assert attempt("nope", email="someone-else@example.org").status_code == 401
    for i in range(14):
        attempt("nope", email=f"spray-{i}@example.org")
    assert attempt("nope", email="fresh@example.org").status_code == 429  # 20 failures from one address


def test_no_token_reaches_a_log_line(app: Flask) -> None:
    import logging
    from pathlib import Path

    from radio.log_scrub import scrub

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    logging.getLogger().addHandler(handler)
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.INFO)  # as `radio serve` runs it
    try:
        logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s -', "127.0.0.1", "02/Dec/2026 03:00:00",
                                           "GET /feeds/radio-padma/podcast.xml?token=s3cretFeedT0ken HTTP/1.1", 200)
        logging.getLogger("radio.jobs").warning("called with Authorization: Bearer rad_abcdefghijklmnop")
    finally:
        logging.getLogger().removeHandler(handler)
        werkzeug.setLevel(level)
    assert len(records) == 2 and "s3cretFeedT0ken" not in records[0] and "rad_abcdefghijklmnop" not in records[1]
    assert "token=[redacted]" in records[0] and "/feeds/radio-padma/podcast.xml" in records[0]
    assert scrub("/calendars/x.ics?week=1&token=abc&x=1") == "/calendars/x.ics?week=1&token=[redacted]&x=1"
    # gunicorn's access lines: the path without its query string, no referer
    conf = Path(__file__).resolve().parents[1] / "web" / "gunicorn_conf.py"  # importing it sets up metrics dirs
    namespace: dict[str, object] = {}
    line = next(x for x in conf.read_text().splitlines() if x.startswith("access_log_format"))
    exec(line, namespace)  # noqa: S102 - our own settings line
    fmt = str(namespace["access_log_format"])
    assert "%(U)s" in fmt and not any(f in fmt for f in ("%(r)s", "%(q)s", "%(f)s"))


@pytest.fixture(params=STACK_PARAMS)
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    yield from make_stack(request, tmp_path)


@pytest.mark.slow
def test_a_real_radio_serve_writes_no_token_to_its_access_log(stack: Stack) -> None:
    """werkzeug's own access lines of a running `radio serve`, captured from its output, carry no feed token."""
    with stack.runtime.session() as session:
        session.add(Station(slug="radio-padma", name="Radio Padma"))
        api_token = issue_token(session, create_user(session, "admin@example.org", "admin", password=PASSWORD))
    port = free_port()
    server = stack.server(port, "--no-worker", "--host", "127.0.0.1")
    wait_for(lambda: http_get(port, "/healthz")[0] == 200, 90, "radio serve")  # a loaded machine starts slowly
    status, body = http_get(port, "/api/v1/stations/radio-padma", headers={"Authorization": f"Bearer {api_token}"})
    assert status == 200, body
    station = json.loads(body)
    feed_token = station["calendar_url"].split("token=")[1]
    paths = [station["calendar_url"], station["podcast_url"]]
    for url in paths:
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        assert http_get(port, path)[0] == 200
    assert http_get(port, f"/feeds/radio-padma/podcast.xml?week=1&token={feed_token}x")[0] in (403, 404)
    assert http_get(port, f"/api/v1/me?token={api_token}")[0] in (401, 403)  # a token pasted into a URL
    assert stop(server) == 0
    log = stack.logs()
    assert "/calendars/radio-padma.ics?token=[redacted]" in log  # werkzeug did log the requests …
    assert "/feeds/radio-padma/podcast.xml?week=1&token=[redacted]" in log
    assert feed_token not in log and api_token not in log  # … without the secrets
