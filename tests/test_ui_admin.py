"""Admin pages: users and roles, tokens (create, revoke), workers; other roles are kept out."""

from __future__ import annotations

import re

from sqlalchemy import select

from radio.models import ApiToken, User
from tests.ui_helpers import HTML, login, page, post_form


def _token_on(html: str) -> str:
    match = re.search(r'<code class="url" id="new-token">([^<]+)</code>', html)
    assert match, "no token shown"
    return match.group(1)


def test_admin_adds_a_user_and_sees_its_token_once(client, runtime, make_station) -> None:
    make_station("radio-padma")
    login(client, runtime, "admin")
    html = page(client, "/admin/users")
    assert "Add a user" in html and 'for="email"' in html
    r = post_form(client, "/admin/users", {"email": "Sta@Example.org", "role": "station", "station": "radio-padma",
                                           "name": "Padma", "password": "long enough pw"})
    assert r.status_code == 201
    token = _token_on(r.get_data(as_text=True))
    api = client.application.test_client()
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["email"] == "sta@example.org" and me.json["role"] == "station"
    assert token not in page(client, "/admin/users")  # shown once, never again


def test_bad_user_input_gets_a_message_next_to_the_field(client, runtime) -> None:
    login(client, runtime, "admin")
    r = post_form(client, "/admin/users", {"email": "not-an-address", "role": "producer"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert 'id="email-error"' in html and 'aria-invalid="true"' in html
    r = post_form(client, "/admin/users", {"email": "s@example.org", "role": "station"})
    assert r.status_code == 400 and "station" in r.get_data(as_text=True)
    with runtime.session() as session:
        assert session.scalar(select(User).where(User.email == "s@example.org")) is None


def test_role_change_and_token_revocation(client, runtime, api_as) -> None:
    producer = api_as("producer")
    login(client, runtime, "admin")
    url = f"/admin/users/{producer.user_id}"
    assert "API tokens" in page(client, url)
    r = post_form(client, url, {"role": "researcher", "station": "", "active": "1"})
    assert r.status_code == 302
    assert producer.get("/api/v1/me").json["role"] == "researcher"
    r = post_form(client, f"{url}/tokens", {"name": "laptop"})
    assert r.status_code == 201
    second = _token_on(r.get_data(as_text=True))
    with runtime.session() as session:
        rows = session.scalars(select(ApiToken).where(ApiToken.user_id == producer.user_id)).all()
        first_id = next(t.id for t in rows if t.name != "laptop")
    assert post_form(client, f"/admin/tokens/{first_id}/revoke", {}).status_code == 302
    assert producer.get("/api/v1/me").status_code == 401
    assert client.application.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    assert "revoked" in page(client, url)


def test_workers_page_shows_the_queue(client, runtime) -> None:
    login(client, runtime, "admin")
    html = page(client, "/admin/workers")
    assert "Workers and queue" in html and "immediate" in html


def test_other_roles_cannot_open_admin_pages(client, runtime) -> None:
    assert client.get("/admin/users", headers=HTML).status_code == 302  # to the login page
    login(client, runtime, "producer")
    html = page(client, "/admin/users", status=403)
    assert "not available for your role" in html
    r = post_form(client, "/admin/users", {"email": "x@example.org", "role": "admin"})
    assert r.status_code == 403
    assert "/admin/users" not in page(client, "/account")  # not in the menu either


def test_admin_pages_in_bangla(client, runtime) -> None:
    login(client, runtime, "admin", lang="bn")
    html = page(client, "/admin/users", lang="bn")
    assert "ব্যবহারকারী" in html and "Add a user" not in html


def test_each_role_starts_on_its_main_page_with_its_menu(app, runtime, make_station) -> None:
    make_station("radio-padma")
    expected = {"producer": "/library", "station": "/station", "researcher": "/search", "admin": "/admin/users"}
    menus = {"producer": {"/library", "/library/upload", "/programmes", "/flights", "/schedule", "/feedback",
                          "/reports", "/search"},
             "station": {"/station", "/feedback", "/reports"},
             "researcher": {"/library", "/reports", "/search", "/codes"},
             "admin": {"/library", "/library/upload", "/programmes", "/flights", "/schedule", "/feedback", "/reports",
                       "/search", "/codes", "/admin/users"}}
    for role, target in expected.items():
        client = app.test_client()
        login(client, runtime, role, station="radio-padma" if role == "station" else None)
        r = client.get("/", headers=HTML)
        assert r.status_code == 302 and r.headers["Location"] == target, role
        html = page(client, target)
        nav = html[html.index("<nav"):html.index("</nav>")]
        assert set(re.findall(r'href="([^"]+)"', nav)) == menus[role], role
