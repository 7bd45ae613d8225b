"""Episode upload, library queries, access and audio serving through the API, on real audio."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mutagen.id3 import ID3
from sqlalchemy import func, select

from episodes.models import Episode
from tests.audio import make_audio, noise, silence, tone

BANGLA_TITLE = "মানব পাচার প্রতিরোধ: সচেতনতা নাটক"


@pytest.fixture(scope="module")
def audio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Audio files made once for this module."""
    folder = tmp_path_factory.mktemp("audio")
    quiet = np.concatenate([silence(1.0, channels=2), tone(3.0, 440, amplitude=0.05, channels=2)
                            + noise(3.0, amplitude=0.01, channels=2), silence(1.0, channels=2)])
    return {
        "mp3": make_audio(folder, "mp3", samples=quiet, name="drama"),
        "wav": make_audio(folder, "wav", name="psa"),
        "other_wav": make_audio(folder, "wav", samples=tone(1.5, 660, channels=1), name="jingle"),
    }


def upload(api: Any, path: Path | bytes, filename: str = "clip.mp3", **fields: Any) -> Any:
    """POST a multipart upload like a browser or curl would."""
    content = path if isinstance(path, bytes) else Path(path).read_bytes()
    data = {"title": "Awareness drama", **fields, "file": (io.BytesIO(content), filename)}
    return api.post("/api/v1/episodes", data=data, content_type="multipart/form-data")


def store_state(runtime: Any) -> tuple[list[str], list[str], int]:
    """(objects in the store, files in media/tmp, episode rows)."""
    store = runtime.store
    objects = sorted(p.name for p in store.iter_objects())
    temps = sorted(p.name for p in store.tmp_dir.iterdir()) if store.tmp_dir.exists() else []
    with runtime.read_session() as session:
        rows = session.scalar(select(func.count()).select_from(Episode)) or 0
    return objects, temps, rows


def assert_consistent(runtime: Any) -> None:
    """No temporary files, and every stored object is referenced by exactly the rows that exist."""
    objects, temps, _ = store_state(runtime)
    assert temps == []
    with runtime.read_session() as session:
        refs = {f"{e.sha256}{e.media_suffix}" for e in session.scalars(select(Episode))}
        refs |= {f"{e.broadcast_sha256}.mp3" for e in session.scalars(select(Episode)) if e.broadcast_sha256}
    assert set(objects) == refs


def test_upload_analyses_renders_and_serves_with_range(api_as, runtime, audio) -> None:
    producer = api_as("producer")
    response = upload(producer, audio["mp3"], filename="নাটক পর্ব ১.mp3", title=BANGLA_TITLE, language="bn",
                      kind="drama", campaign="Safe Migration", districts="Dhaka, Narsingdi", description="পাচার")
    assert response.status_code == 201, response.get_json()
    ep = response.get_json()
    # The answer shows the episode as committed; the analysis job ran after the commit (immediate mode).
    assert ep["analysis_job"]["status"] == "queued"
    ep = producer.get(f"/api/v1/episodes/{ep['id']}").get_json()
    for field in ("id", "title", "description", "language", "kind", "campaign", "districts", "restricted",
                  "consent", "sha256", "filename", "format", "codec", "duration_s", "sample_rate", "channels",
                  "bitrate", "size_bytes", "loudness_lufs", "true_peak_dbtp", "status", "created_at", "updated_at"):
        assert field in ep
    assert ep["title"] == BANGLA_TITLE and ep["filename"] == "নাটক পর্ব ১.mp3"
    assert ep["districts"] == ["Dhaka", "Narsingdi"] and ep["consent"] == "broadcast" and ep["restricted"] is False
    assert (ep["format"], ep["codec"], ep["sample_rate"], ep["channels"]) == ("mp3", "mp3", 48000, 2)
    assert ep["duration_s"] == pytest.approx(5.0, rel=0.01)
    assert ep["size_bytes"] == audio["mp3"].stat().st_size
    # The analysis job ran (immediate mode): status, loudness, cues, peaks and the broadcast copy.
    assert ep["status"] == "ready", ep["analysis_error"]
    assert ep["analysis_job"]["status"] == "done"
    assert -40 < ep["loudness_lufs"] < -25
    assert ep["cue_in_s"] == pytest.approx(1.0, abs=0.06) and ep["cue_out_s"] == pytest.approx(4.0, abs=0.06)
    assert 40 <= len(ep["peaks"]) <= 1000 and max(ep["peaks"]) <= 1.0
    assert ep["broadcast"]["ready"] and ep["broadcast"]["loudness_lufs"] == pytest.approx(-23, abs=0.5)
    assert ep["broadcast"]["true_peak_dbtp"] <= -1.0
    assert ep["broadcast"]["duration_s"] == pytest.approx(3.0, abs=0.1)

    original = producer.get(f"/api/v1/episodes/{ep['id']}/audio")
    assert original.status_code == 200 and original.mimetype == "audio/mpeg"
    assert original.data == audio["mp3"].read_bytes()
    part = producer.get(f"/api/v1/episodes/{ep['id']}/audio", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == audio["mp3"].read_bytes()[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{ep['size_bytes']}"
    etag = original.headers["ETag"]
    cached = producer.get(f"/api/v1/episodes/{ep['id']}/audio", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.data == b""
    assert "private" in original.headers["Cache-Control"]
    broadcast = producer.get(f"/api/v1/episodes/{ep['id']}/audio?rendition=broadcast")
    assert broadcast.status_code == 200 and broadcast.mimetype == "audio/mpeg"
    tail = producer.get(f"/api/v1/episodes/{ep['id']}/audio?rendition=broadcast", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == broadcast.data[-10:]
    tags = ID3(io.BytesIO(broadcast.data))
    assert str(tags["TIT2"]) == BANGLA_TITLE and str(tags["TXXX:episode_id"]) == ep["id"]
    assert str(tags["TXXX:campaign"]) == "Safe Migration" and str(tags["TLAN"]) == "ben"
    assert producer.get(f"/api/v1/episodes/{ep['id']}/audio?rendition=bogus").status_code == 400
    assert_consistent(runtime)


def test_wrong_extension_is_accepted_by_content_and_names_are_kept_as_text(api_as, runtime, audio) -> None:
    producer = api_as("producer")
    response = upload(producer, audio["wav"], filename="../../etc/passwd.mp3")
    assert response.status_code == 201, response.get_json()
    ep = response.get_json()
    assert ep["format"] == "wav" and ep["mime_type"] == "audio/wav" and ep["filename"] == "../../etc/passwd.mp3"
    stored = runtime.store.path_for(ep["sha256"], ".wav")
    assert stored.exists() and stored.is_relative_to(runtime.store.root)
    got = producer.get(f"/api/v1/episodes/{ep['id']}/audio?download=1")
    assert got.mimetype == "audio/wav" and "passwd.wav" in got.headers["Content-Disposition"]
    assert "/" not in got.headers["Content-Disposition"].split("filename")[1]
    assert_consistent(runtime)


def _assert_rejected(response: Any, status: int, code: str, runtime: Any, before: tuple[Any, ...]) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]
    assert store_state(runtime) == before
    assert_consistent(runtime)
    return error


@pytest.mark.parametrize(("content", "filename", "code"), [
    (b"", "empty.mp3", "empty_file"),
    (b"This is not audio, just a note someone named .mp3\n" * 20, "notes.mp3", "unsupported_media"),
    (b"\x00" * 5000, "zeros.wav", "unsupported_media"),
])
def test_undecodable_uploads_are_415_and_leave_nothing(api_as, runtime, content, filename, code) -> None:
    producer = api_as("producer")
    before = store_state(runtime)
    error = _assert_rejected(upload(producer, content, filename=filename), 415, code, runtime, before)
    assert "tmp" not in error["message"] and str(runtime.store.root) not in error["message"]


def test_truncated_mp3_is_415_with_the_reason(api_as, runtime, audio) -> None:
    producer = api_as("producer")
    data = audio["mp3"].read_bytes()
    before = store_state(runtime)
    error = _assert_rejected(upload(producer, data[: len(data) // 2]), 415, "truncated", runtime, before)
    assert "truncated" in error["message"]


def test_duplicate_is_409_with_the_existing_id(api_as, runtime, audio) -> None:
    producer = api_as("producer")
    first = upload(producer, audio["other_wav"], filename="a.wav").get_json()
    before = store_state(runtime)
    error = _assert_rejected(upload(producer, audio["other_wav"], filename="copy.wav", title="Again"), 409,
                             "duplicate", runtime, before)
    assert error["id"] == first["id"]


@pytest.mark.parametrize("fields", [
    {"language": "fr"}, {"kind": "podcast"}, {"consent": "maybe"}, {"restricted": "perhaps"},
    {"title": "   "}, {"valid_until": "31/12/2025"}, {"colour": "blue"}, {"title": "a\x00b"},
    {"consent": "none", "restricted": "false"}, {"title": "x" * 301},
])
def test_invalid_metadata_is_400_and_leaves_nothing(api_as, runtime, audio, fields) -> None:
    producer = api_as("producer")
    before = store_state(runtime)
    response = upload(producer, audio["other_wav"], **fields)
    assert response.status_code == 400, response.get_json()
    assert store_state(runtime) == before
    assert_consistent(runtime)


def test_missing_title_or_file_is_400(api_as, runtime, audio) -> None:
    producer = api_as("producer")
    before = store_state(runtime)
    no_title = producer.post("/api/v1/episodes", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(audio["other_wav"].read_bytes()), "x.wav")})
    assert no_title.status_code == 400 and no_title.get_json()["error"]["code"] == "missing_field"
    no_file = producer.post("/api/v1/episodes", data={"title": "x"}, content_type="multipart/form-data")
    assert no_file.status_code == 400 and no_file.get_json()["error"]["code"] == "missing_file"
    not_multipart = producer.post("/api/v1/episodes", json={"title": "x"})
    assert not_multipart.status_code == 400
    assert store_state(runtime) == before


@pytest.mark.parametrize("settings_overrides", [{"RADIO_MAX_UPLOAD_MB": 1}])
def test_upload_over_the_limit_is_413_and_leaves_nothing(api_as, runtime) -> None:
    from web.uploads import CHUNK

    producer = api_as("producer")
    before = store_state(runtime)
    big = b"\x01" * (1024 * 1024 + 10)  # over the file limit but within the request limit (file + 1 MiB fields)
    _assert_rejected(upload(producer, big, filename="big.wav"), 413, "too_large", runtime, before)
    huge = b"\x01" * (3 * 1024 * 1024)  # over the request limit: refused before the body is read
    _assert_rejected(upload(producer, huge, filename="huge.wav"), 413, "too_large", runtime, before)
    # Within the request limit, reading stops as soon as the file itself passes the limit.
    body = _multipart([("title", None, b"t"), ("file", "big.wav", b"\x01" * (1024 * 1024 + 900_000))])
    stream = io.BytesIO(body)
    response = producer.post("/api/v1/episodes", input_stream=stream,
                             content_type="multipart/form-data; boundary=b0undary")
    _assert_rejected(response, 413, "too_large", runtime, before)
    assert stream.tell() < 1024 * 1024 + 2 * CHUNK < len(body)


class _DroppingStream(io.BytesIO):
    """A request body that delivers some bytes and then stops, as when the client's connection drops."""

    def __init__(self, data: bytes, stop_after: int) -> None:
        super().__init__(data)
        self.stop_after = stop_after

    def read(self, size: int | None = -1) -> bytes:
        left = max(0, self.stop_after - self.tell())
        return super().read(left if size is None or size < 0 else min(size, left))

    def readline(self, size: int | None = -1) -> bytes:
        return self.read(size)


def test_connection_dropped_mid_upload_leaves_no_row_and_no_file(api_as, runtime, audio) -> None:
    from werkzeug.test import EnvironBuilder

    producer = api_as("producer")
    builder = EnvironBuilder(method="POST", data={"title": "x", "file": (io.BytesIO(audio["mp3"].read_bytes()),
                                                                       "x.mp3")})
    body = builder.get_request().get_data()
    content_type = builder.content_type
    before = store_state(runtime)
    response = producer.post("/api/v1/episodes", input_stream=_DroppingStream(body, len(body) // 2),
                             content_type=content_type, content_length=len(body))
    assert response.status_code == 400
    assert store_state(runtime) == before
    assert_consistent(runtime)


def test_nfc_normalisation_and_patch(api_as, runtime, audio) -> None:
    producer, researcher = api_as("producer"), api_as("researcher")
    decomposed = unicodedata.normalize("NFD", "বোন")  # ো decomposes into two code points
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    ep = upload(producer, audio["other_wav"], title=decomposed).get_json()
    assert ep["title"] == unicodedata.normalize("NFC", "বোন")
    patched = producer.patch(f"/api/v1/episodes/{ep['id']}", json={
        "title_en": "Sister", "topics": ["migration", "jobs"], "valid_until": "2030-01-31", "kind": "psa"})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["topics"] == ["migration", "jobs"] and patched.get_json()["valid_until"] == "2030-01-31"
    assert producer.patch(f"/api/v1/episodes/{ep['id']}", json={"language": "xx"}).status_code == 400
    assert producer.patch(f"/api/v1/episodes/{ep['id']}", json={"sha256": "0" * 64}).status_code == 400
    assert producer.patch(f"/api/v1/episodes/{ep['id']}", json={"consent": "none"}).get_json()["restricted"] is True
    assert researcher.patch(f"/api/v1/episodes/{ep['id']}", json={"title": "no"}).status_code == 403
    assert researcher.get(f"/api/v1/episodes/{ep['id']}").get_json()["title_en"] == "Sister"
    # A new title reaches the broadcast copy's ID3 tag (re-rendered after the commit).
    retitled = producer.patch(f"/api/v1/episodes/{ep['id']}", json={"title": "নতুন শিরোনাম"})
    assert retitled.status_code == 200
    after = producer.get(f"/api/v1/episodes/{ep['id']}").get_json()
    assert after["analysis_job"]["kind"] == "episode.render" and after["analysis_job"]["status"] == "done"
    rendition = producer.get(f"/api/v1/episodes/{ep['id']}/audio?rendition=broadcast").data
    assert str(ID3(io.BytesIO(rendition))["TIT2"]) == "নতুন শিরোনাম"
    assert_consistent(runtime)  # the old rendition is gone
    assert producer.get("/api/v1/episodes/nope").status_code == 404


def _multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "b0undary") -> bytes:
    """A multipart body with the parts in exactly this order (the test client would put files last)."""
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def test_multipart_is_streamed_and_fields_may_follow_the_file(api_as, runtime, audio) -> None:
    from flask import Request
    from werkzeug.test import EnvironBuilder

    from web.uploads import CHUNK, StreamingUpload

    payload = bytes(range(256)) * (3 * CHUNK // 256)
    body = _multipart([("file", "x.bin", payload), ("title", None, b"After"),
                       ("filename", None, b"explicit.wav")])
    environ = EnvironBuilder(method="POST", input_stream=io.BytesIO(body), content_length=len(body),
                             content_type="multipart/form-data; boundary=b0undary").get_environ()
    upload_ = StreamingUpload(Request(environ))
    chunks = []
    for chunk in upload_:
        if not chunks:
            assert upload_.fields == {"filename": "x.bin"}  # the title is still unread in the stream
        chunks.append(chunk)
    assert b"".join(chunks) == payload and len(chunks) > 2 and max(map(len, chunks)) <= CHUNK + 1024
    assert upload_.fields == {"filename": "explicit.wav", "title": "After"}

    producer = api_as("producer")
    body = _multipart([("file", "late.wav", audio["other_wav"].read_bytes()),
                       ("title", None, "ফাইলের পরে শিরোনাম".encode()), ("kind", None, b"psa")])
    response = producer.post("/api/v1/episodes", data=body, content_type="multipart/form-data; boundary=b0undary")
    assert response.status_code == 201, response.get_json()
    ep = response.get_json()
    assert (ep["title"], ep["kind"], ep["filename"]) == ("ফাইলের পরে শিরোনাম", "psa", "late.wav")
    two_files = _multipart([("file", "a.wav", b"x"), ("file", "b.wav", b"y"), ("title", None, b"t")])
    refused = producer.post("/api/v1/episodes", data=two_files, content_type="multipart/form-data; boundary=b0undary")
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "too_many_files"
    assert_consistent(runtime)
