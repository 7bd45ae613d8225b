"""Producers' library pages: list with filters and search, upload with per-field errors, episode page, edit."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from episodes.models import Episode
from tests.ui_helpers import HTML, add_episode, csrf_token, login, page, post_form, wav_bytes


def _upload(client, data: dict, audio: bytes | None, name: str = "call.wav", lang: str = "en"):  # type: ignore[no-untyped-def]
    form = {"csrf_token": csrf_token(client), **data}
    if audio is not None:
        form["file"] = (io.BytesIO(audio), name)
    return client.post("/library/upload", data=form, content_type="multipart/form-data",
                       headers={"Accept-Language": lang, **HTML})


def test_upload_form_stores_the_episode_and_opens_its_page(client, runtime) -> None:
    login(client, runtime, "producer")
    html = page(client, "/library/upload")
    assert 'enctype="multipart/form-data"' in html and "data-upload" in html and "<progress" in html
    assert 'for="file"' in html and 'for="title"' in html  # every control has a label
    r = _upload(client, {"title": "নারী পাচার প্রতিরোধ", "kind": "psa", "language": "bn",
                         "districts": "Dhaka, Narsingdi", "campaign": "Safe migration"}, wav_bytes(3.0), "প্রচার.wav")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    episode_url = r.headers["Location"]
    html = page(client, episode_url)
    assert "নারী পাচার প্রতিরোধ" in html and "প্রচার.wav" in html
    assert '<audio controls' in html and 'class="waveform"' in html  # analysis ran: peaks drawn
    assert "LUFS" in html and "dBTP" in html
    with runtime.session() as session:
        episode = session.scalars(select(Episode)).one()
        assert episode.districts == ["Dhaka", "Narsingdi"] and episode.loudness_lufs is not None
    assert "নারী পাচার প্রতিরোধ" in page(client, "/library?q=পাচার")


def test_upload_errors_are_shown_next_to_their_fields(client, runtime) -> None:
    login(client, runtime, "producer")
    r = _upload(client, {"title": "x"}, None)
    assert r.status_code == 400 and 'id="file-error"' in r.get_data(as_text=True)
    r = _upload(client, {"title": ""}, wav_bytes(1.0))
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="title-error"' in html and 'aria-invalid="true"' in html
    r = _upload(client, {"title": "not audio"}, b"this is text, not sound", "fake.mp3")
    assert r.status_code == 415 and 'id="file-error"' in r.get_data(as_text=True)
    r = _upload(client, {"title": "bad date", "recorded_on": "31/12/2024"}, wav_bytes(1.0))
    assert r.status_code == 400 and 'id="recorded_on-error"' in r.get_data(as_text=True)
    with runtime.session() as session:
        assert session.scalars(select(Episode)).all() == []
    assert _upload(client, {"title": "first"}, wav_bytes(1.0, 300)).status_code == 302
    r = _upload(client, {"title": "again"}, wav_bytes(1.0, 300))
    assert r.status_code == 409 and "already in the library" in r.get_data(as_text=True)


def test_upload_errors_in_bangla(client, runtime) -> None:
    login(client, runtime, "producer", lang="bn")
    r = _upload(client, {"title": "x"}, None, lang="bn")
    assert "একটি অডিও ফাইল বেছে নিন।" in r.get_data(as_text=True)


def test_library_filters_and_restricted_episodes(client, runtime) -> None:
    add_episode(runtime, "Drama about brokers", ["one"], kind="drama", language="en")
    add_episode(runtime, "সাক্ষাৎকার", ["দুই"], kind="interview", restricted=True, consent="none")
    login(client, runtime, "producer")
    html = page(client, "/library")
    assert "Drama about brokers" in html and "সাক্ষাৎকার" in html and "restricted" in html
    html = page(client, "/library?kind=drama")
    assert "Drama about brokers" in html and "সাক্ষাৎকার" not in html
    html = page(client, "/library?restricted=1")
    assert "সাক্ষাৎকার" in html and "Drama about brokers" not in html
    assert "১টি পর্ব" in page(client, "/library?kind=drama", lang="bn")  # Bangla digits in counts


def test_episode_page_player_transcript_and_seek_moment(client, runtime) -> None:
    ep = add_episode(runtime, "Call-in 12", ["first words", "the broker took my passport", "third"])
    login(client, runtime, "researcher")
    html = page(client, f"/episodes/{ep['id']}?t=5")
    assert f'src="/api/v1/episodes/{ep["id"]}/audio#t=5.0"' in html  # plays from the moment, even without JS
    items = re.findall(r'<li id="seg-(\w+)" data-start="([\d.]+)" data-end="([\d.]+)"', html)
    assert [(s, float(a), float(b)) for s, a, b in items] == [
        (ep["segments"][0], 0.0, 4.5), (ep["segments"][1], 5.0, 9.5), (ep["segments"][2], 10.0, 14.5)]
    assert "the broker took my passport" in html and "correct / code" in html
    assert "/transcript.srt" in html and "tiny.en" in html  # exports and provenance


def test_episode_edit_and_consent_rule(client, runtime) -> None:
    ep = add_episode(runtime, "Old title", ["x"], kind="talk")
    login(client, runtime, "producer")
    html = page(client, f"/episodes/{ep['id']}/edit")
    assert 'value="Old title"' in html
    r = post_form(client, f"/episodes/{ep['id']}/edit", {"title": "নতুন শিরোনাম", "kind": "talk", "language": "bn",
                                                         "consent": "none"})
    assert r.status_code == 400 and 'id="restricted-error"' in r.get_data(as_text=True)
    r = post_form(client, f"/episodes/{ep['id']}/edit", {"title": "নতুন শিরোনাম", "kind": "talk", "language": "bn",
                                                         "consent": "broadcast", "districts": "Manikganj"})
    assert r.status_code == 302
    with runtime.session() as session:
        episode = session.get(Episode, ep["id"])
        assert episode.title == "নতুন শিরোনাম" and episode.districts == ["Manikganj"]


def test_saving_an_edit_page_over_someone_elses_change_warns_once(client, runtime) -> None:
    """The edit page carries the version it showed: a save after another editor's change is 412 with a message
    in the page's language, and saving again from the warned page goes through."""
    ep = add_episode(runtime, "Old title", ["x"], kind="talk")
    login(client, runtime, "producer")
    version = re.search(r'name="version" value="(\w+)"', page(client, f"/episodes/{ep['id']}/edit")).group(1)
    with runtime.session() as session:  # another editor saves first
        session.get(Episode, ep["id"]).title = "Their title"
        session.commit()
    form = {"title": "My title", "kind": "talk", "language": "bn", "consent": "broadcast", "version": version}
    r = post_form(client, f"/episodes/{ep['id']}/edit", form, lang="bn")
    html = r.get_data(as_text=True)
    assert r.status_code == 412 and "অন্য কেউ এটি বদলেছেন" in html
    fresh = re.search(r'name="version" value="(\w+)"', html).group(1)
    assert fresh != version
    with runtime.session() as session:
        assert session.get(Episode, ep["id"]).title == "Their title"
    assert post_form(client, f"/episodes/{ep['id']}/edit", {**form, "version": fresh}).status_code == 302
    with runtime.session() as session:
        assert session.get(Episode, ep["id"]).title == "My title"


def test_stations_and_researchers_cannot_upload_and_stations_see_no_library(client, runtime, make_station) -> None:
    make_station("radio-padma")
    login(client, runtime, "station", station="radio-padma")
    assert client.get("/library", headers=HTML).status_code == 403
    assert client.get("/library/upload", headers=HTML).status_code == 403
    other = client.application.test_client()
    login(other, runtime, "researcher")
    assert other.get("/library/upload", headers=HTML).status_code == 403
    assert other.get("/library", headers=HTML).status_code == 200


def test_field_errors_are_in_bangla_for_bangla_readers(client, runtime) -> None:
    login(client, runtime, "producer", lang="bn")
    html = _upload(client, {"title": ""}, wav_bytes(1.0), lang="bn").get_data(as_text=True)
    assert "এটি পূরণ করতে হবে।" in html and "is required" not in html
    html = _upload(client, {"title": "x"}, b"not audio", "x.mp3", lang="bn").get_data(as_text=True)
    assert "এই ফাইলটি পড়া যায় এমন অডিও নয়।" in html
    html = _upload(client, {"title": ""}, wav_bytes(1.0)).get_data(as_text=True)
    assert "title&#39; is required" in html  # English readers get the service's own sentence


def test_the_library_search_box_explains_the_rules_in_both_languages(client, runtime) -> None:
    from episodes.metadata import refresh_search_keys

    for title in ("নারী পাচারের বিরুদ্ধে সচেতনতা", "চাকর থেকে মালিক"):
        add_episode(runtime, title, ["একটি নাটক"])
    with runtime.session() as session:  # the helper writes rows directly: derive the keys the services would
        for episode in session.scalars(select(Episode)):
            refresh_search_keys(episode)
    login(client, runtime, "producer")
    html = page(client, "/library?q=পাচার")
    assert "নারী পাচারের বিরুদ্ধে সচেতনতা" in html and "চাকর থেকে মালিক" not in html  # inflected forms found
    assert "How search works" in html and "=word finds only that exact form" in html and 'id="q-hint"' in html
    bn = page(client, "/library", lang="bn")
    assert "খোঁজ কীভাবে কাজ করে" in bn and "=শব্দ কেবল ঠিক ওই রূপটিই খোঁজে" in bn
    # The same help as transcript search, from one template.
    search_page = page(client, "/search", lang="bn")
    assert "খোঁজ কীভাবে কাজ করে" in search_page
    r = client.get("/library?q=NOT+পাচার", headers={"Accept-Language": "en", **HTML})
    assert r.status_code == 400 and "How search works" in r.get_data(as_text=True)
