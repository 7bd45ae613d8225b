"""Helpers for the UI tests: sign a test client in through the login form, read CSRF tokens, fetch pages."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from radio.auth import create_user
from radio.runtime import Runtime

PASSWORD = "correct horse battery"
HTML = {"Accept": "text/html"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, read from the login page's form."""
    html = client.get("/login", headers=HTML).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the login page"
    return match.group(1)


def login(client: FlaskClient, runtime: Runtime, role: str, *, station: str | None = None,
          email: str | None = None, lang: str = "en") -> str:
    """Create a user of ``role`` and sign ``client`` in as it; returns the user id."""
    email = email or f"ui-{role}-{station or 'x'}@example.org"
    with runtime.session() as session:
        user = create_user(session, email, role, station_slug=station, password=PASSWORD)
        user_id = user.id
    token = csrf_token(client)
    r = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD},
                    headers={"Accept-Language": lang, **HTML})
    assert r.status_code == 302, r.get_data(as_text=True)
    return user_id


def page(client: FlaskClient, url: str, lang: str = "en", status: int = 200, **kwargs: Any) -> str:
    """GET a page as a browser would and return its HTML (asserting the status)."""
    r = client.get(url, headers={"Accept-Language": lang, **HTML}, **kwargs)
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:2000])
    return r.get_data(as_text=True)


def post_form(client: FlaskClient, url: str, data: dict[str, Any], lang: str = "en", **kwargs: Any) -> Any:
    """POST a form with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client), **data},
                       headers={"Accept-Language": lang, **HTML}, **kwargs)
