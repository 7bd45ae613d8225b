"""Admin page of a station's SMS gateway: kind, a secret shown once, the latest messages (text for admins)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

from tests.ui_helpers import HTML, login, page, post_form


def test_admin_sets_the_gateway_rotates_the_secret_and_sees_messages(client, runtime, make_station) -> None:
    make_station("radio-padma")
    login(client, runtime, "admin")
    html = page(client, "/admin/stations")
    assert "/admin/stations/radio-padma/gateway" in html
    assert "every message is refused" in page(client, "/admin/stations/radio-padma/gateway")
    shown = post_form(client, "/admin/stations/radio-padma/webhook-secret", {})
    assert shown.status_code == 200
    secret = re.search(r'<code id="webhook-secret">([^<]+)</code>', shown.get_data(as_text=True)).group(1)  # type: ignore
    assert secret not in page(client, "/admin/stations/radio-padma/gateway")  # shown once
    raw = json.dumps({"id": "m1", "from": "+8801711000000", "kind": "sms", "text": "ভালো লেগেছে"}).encode()
    sig = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    anonymous = client.application.test_client()
    r = anonymous.post("/hooks/sms/radio-padma", data=raw, content_type="application/json",
                       headers={"X-Radio-Signature": sig})
    assert r.status_code == 200, r.json
    listing = page(client, "/admin/stations/radio-padma/gateway", lang="bn")
    assert "ভালো লেগেছে" in listing and "দিনের সাড়া" in listing
    assert post_form(client, "/admin/stations/radio-padma/gateway", {"gateway": "twilio"}).status_code == 302
    assert 'value="twilio" selected' in page(client, "/admin/stations/radio-padma/gateway")
    assert post_form(client, "/admin/stations/radio-padma/gateway", {"gateway": "fax"}).status_code == 400


def test_only_admins_see_the_gateway_page(client, runtime, make_station) -> None:
    make_station("radio-padma")
    login(client, runtime, "producer")
    assert client.get("/admin/stations/radio-padma/gateway", headers=HTML).status_code == 403
