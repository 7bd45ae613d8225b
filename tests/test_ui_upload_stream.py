"""The UI upload streams like the API: CSRF checked before the file is read, early 413, nothing left behind."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Request
from sqlalchemy import func, select

from episodes.models import Episode
from tests.ui_helpers import HTML, add_episode, csrf_token, login, wav_bytes
from web.uploads import CHUNK

MIB = 1024 * 1024
BOUNDARY = "b0undary"


def _multipart(parts: list[tuple[str, str | None, bytes]]) -> bytes:
    """A multipart body with the parts in exactly this order, as a browser sends a form (in document order)."""
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def _post(client: Any, body: bytes, headers: dict[str, str] | None = None, lang: str = "en") -> tuple[Any, io.BytesIO]:
    """POST a raw multipart body to the UI upload; returns the response and the body stream (to see how far it
    was read)."""
    stream = io.BytesIO(body)
    response = client.post("/library/upload", input_stream=stream, content_length=len(body),
                           content_type=f"multipart/form-data; boundary={BOUNDARY}",
                           headers={"Accept-Language": lang, **HTML, **(headers or {})})
    return response, stream


def _nothing_left(runtime: Any) -> None:
    """No temporary file, no stored object, no episode row."""
    store = runtime.store
    assert not store.tmp_dir.exists() or list(store.tmp_dir.iterdir()) == []
    assert list(store.iter_objects()) == []
    with runtime.read_session() as session:
        assert (session.scalar(select(func.count()).select_from(Episode)) or 0) == 0


@pytest.mark.parametrize("settings_overrides", [{"RADIO_MAX_UPLOAD_MB": 1}])
def test_too_large_upload_stops_early_and_keeps_the_fields_sent_before_the_file(client, runtime) -> None:
    login(client, runtime, "producer")
    token = csrf_token(client)
    body = _multipart([("csrf_token", None, token.encode()), ("title", None, "বড় ফাইল".encode()),
                       ("file", "big.wav", b"\x01" * (MIB + 900_000)), ("kind", None, b"psa")])
    response, stream = _post(client, body)
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and 'id="file-error"' in html and "larger than the limit" in html
    assert stream.tell() < MIB + 2 * CHUNK < len(body)  # reading stopped once the file passed the limit
    assert 'value="বড় ফাইল"' in html  # the title came before the file: the form keeps it
    _nothing_left(runtime)
    # Over the whole request limit (file + 1 MiB of fields): refused before any of the body is read, in Bangla too.
    huge = _multipart([("csrf_token", None, token.encode()), ("file", "huge.wav", b"\x01" * (3 * MIB))])
    response, stream = _post(client, huge, lang="bn")
    assert response.status_code == 413 and stream.tell() == 0
    assert "ফাইলটি আপলোডের সীমার চেয়ে বড়।" in response.get_data(as_text=True)
    _nothing_left(runtime)


def test_csrf_is_checked_before_the_file_is_read(client, runtime) -> None:
    login(client, runtime, "producer")
    token = csrf_token(client)
    garbage = b"\x02" * (3 * CHUNK)  # never reaches the media store
    cases = [
        ([("title", None, b"no token"), ("file", "a.wav", garbage)], {}),
        ([("csrf_token", None, b"forged"), ("file", "a.wav", garbage)], {}),
        ([("file", "a.wav", garbage), ("csrf_token", None, token.encode())], {}),  # the token must come first
        ([("csrf_token", None, token.encode()), ("file", "a.wav", garbage)], {"X-CSRFToken": "forged"}),
    ]
    for parts, headers in cases:
        response, stream = _post(client, _multipart(parts), headers)
        assert response.status_code == 400, (parts[0][0], headers, response.get_data(as_text=True)[:300])
        assert "CSRF" in response.get_data(as_text=True)
        assert stream.tell() <= CHUNK  # at most the first read: the file part was not consumed
        if headers:
            assert stream.tell() == 0  # a bad header token is refused before the body is touched
        _nothing_left(runtime)
    # Without a form at all, and without a token and a file, it is refused the same way.
    r = client.post("/library/upload", data={"title": "x"}, headers=HTML)
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    _nothing_left(runtime)


def test_script_upload_sends_the_token_as_a_header_and_the_file_first_or_last(client, runtime, monkeypatch) -> None:
    def whole_body_parsed(self: Request) -> None:
        raise AssertionError("the upload must be streamed, not parsed whole by Werkzeug")

    login(client, runtime, "producer")
    token = csrf_token(client)
    monkeypatch.setattr(Request, "_load_form_data", whole_body_parsed)
    body = _multipart([("file", "first.wav", wav_bytes(1.0, 500)), ("title", None, "ফাইলের পরে".encode()),
                       ("kind", None, b"psa")])
    response, _ = _post(client, body, {"X-CSRFToken": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    body = _multipart([("csrf_token", None, token.encode()), ("title", None, b"Plain form"),
                       ("file", "second.wav", wav_bytes(1.0, 700)), ("restricted", None, b"1")])
    response, _ = _post(client, body)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with runtime.read_session() as session:
        rows = {e.title: e for e in session.scalars(select(Episode))}
    assert rows["ফাইলের পরে"].kind == "psa" and rows["ফাইলের পরে"].filename == "first.wav"
    assert rows["Plain form"].restricted is True and rows["Plain form"].filename == "second.wav"
    assert list(runtime.store.tmp_dir.iterdir()) == []


def test_no_file_chosen_keeps_the_fields_and_asks_for_a_file(client, runtime) -> None:
    login(client, runtime, "producer", lang="bn")
    token = csrf_token(client)
    # A browser sends an empty part without a file name when no file was chosen; fields may follow it.
    body = _multipart([("csrf_token", None, token.encode()), ("file", "", b""), ("title", None, b"Kept title")])
    response, _ = _post(client, body, lang="bn")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="file-error"' in html and "একটি অডিও ফাইল বেছে নিন।" in html
    assert 'value="Kept title"' in html
    _nothing_left(runtime)


def test_every_other_form_is_still_protected_by_the_global_csrf_check(client, runtime, app) -> None:
    ep = add_episode(runtime, "Protected", ["x"])
    login(client, runtime, "admin")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.rule.startswith(("/api/", "/calendars/", "/feeds/", "/hooks/")):
            continue
        url = re.sub(r"<(?:([^:>]+):)?([^>]+)>",
                     lambda m: ep["id"] if m.group(2) == "episode_id" else "1" if m.group(1) == "int" else "x",
                     rule.rule)
        r = client.post(url, data={"title": "x"}, headers=HTML)
        assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True), (rule.rule, r.status_code)
        checked += 1
    assert checked >= 15
    with runtime.read_session() as session:
        assert session.get(Episode, ep["id"]).title == "Protected"


@pytest.mark.parametrize("settings_overrides", [{"RADIO_MAX_UPLOAD_MB": 1}])
def test_error_pages_say_a_known_error_in_the_readers_language(client, runtime) -> None:
    token = csrf_token(client)
    body = b"csrf_token=" + token.encode() + b"&locale=" + b"x" * (3 * MIB)
    for lang, text in (("bn", "ফাইলটি আপলোডের সীমার চেয়ে বড়।"), ("en", "larger than the upload limit")):
        r = client.post("/locale", data=body, content_type="application/x-www-form-urlencoded",
                        headers={"Accept-Language": lang, **HTML})
        assert r.status_code == 413 and text in r.get_data(as_text=True)
    assert "ফাইলটি" not in r.get_data(as_text=True)  # English readers keep the English sentence
