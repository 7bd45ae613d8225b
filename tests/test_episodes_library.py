"""Library queries, access by role, delete rules, concurrent duplicates and analysis failures."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from episodes import services
from episodes.models import Episode
from radio.errors import Duplicate
from tests.audio import make_audio, tone
from tests.test_episodes_api import assert_consistent, store_state, upload


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Six short, different WAV files."""
    folder = tmp_path_factory.mktemp("clips")
    return [make_audio(folder, "wav", samples=tone(0.6, 300 + 50 * i), name=f"c{i}") for i in range(6)]


def _add(runtime: Any, path: Path, **fields: Any) -> str:
    """Ingest through the service, committed (the analysis runs once it commits: immediate mode)."""
    with runtime.session() as session, open(path, "rb") as fh:
        episode = services.ingest(session, runtime.store, fh, {"title": "t", **fields},
                                  max_bytes=runtime.settings.max_upload_bytes)
        return episode.id


def test_filters_search_and_pagination(api_as, runtime, clips) -> None:
    ids = [
        _add(runtime, clips[0], title="নারী পাচার রোধে সচেতনতা", language="bn", kind="drama", campaign="C1",
             districts="Dhaka,Narsingdi", description="একটি নাটক"),
        _add(runtime, clips[1], title="Safe migration talk", language="en", kind="talk", campaign="C1",
             districts="Manikganj", description="Recruiters and fake visas"),
        _add(runtime, clips[2], title="Survivor story", language="bn", kind="interview", campaign="C2"),
        _add(runtime, clips[3], title="Jingle", language="bn", kind="jingle", campaign="C2", districts="dhaka"),
    ]
    researcher = api_as("researcher")

    def find(**params: Any) -> tuple[list[str], int]:
        body = researcher.get("/api/v1/episodes", query_string=params).get_json()
        return [item["id"] for item in body["items"]], body["total"]

    assert find()[1] == 4
    assert find(q="পাচার") == ([ids[0]], 1)  # a Bangla word inside a Bangla title
    assert find(q="নাটক") == ([ids[0]], 1)  # ... and inside a description
    assert find(q="FAKE visas") == ([ids[1]], 1)  # case-insensitive, several terms
    assert find(q="100%") == ([], 0)  # LIKE wildcards are literal
    assert set(find(language="bn")[0]) == {ids[0], ids[2], ids[3]}
    assert find(kind="talk") == ([ids[1]], 1)
    assert set(find(campaign="C2")[0]) == {ids[2], ids[3]}
    assert set(find(district="DHAKA")[0]) == {ids[0], ids[3]}
    assert find(district="Narsingdi") == ([ids[0]], 1)
    assert find(restricted="true") == ([ids[2]], 1)  # an interview without consent starts restricted
    assert find(status="uploaded")[1] == 0 and find(status="ready")[1] == 4
    page1, total = find(per_page=3, page=1)
    page2, _ = find(per_page=3, page=2)
    assert total == 4 and len(page1) == 3 and len(page2) == 1 and not set(page1) & set(page2)
    assert page1[0] == ids[3]  # newest first
    assert researcher.get("/api/v1/episodes?per_page=1000").status_code == 400
    assert researcher.get("/api/v1/episodes?page=abc").status_code == 400


def test_station_never_sees_restricted_episodes(api_as, runtime, clips) -> None:
    producer, station, researcher = api_as("producer"), api_as("station"), api_as("researcher")
    open_ep = upload(producer, clips[0], filename="a.wav", kind="psa").get_json()
    hidden = upload(producer, clips[1], filename="b.wav", kind="interview", title="সাক্ষাৎকার").get_json()
    assert hidden["consent"] == "none" and hidden["restricted"] is True
    listed = [i["id"] for i in station.get("/api/v1/episodes").get_json()["items"]]
    assert listed == [open_ep["id"]]
    assert station.get("/api/v1/episodes?restricted=true").get_json() == {
        "items": [], "total": 0, "page": 1, "per_page": 20}
    assert station.get("/api/v1/episodes?q=সাক্ষাৎকার").get_json()["total"] == 0
    for url in (f"/api/v1/episodes/{hidden['id']}", f"/api/v1/episodes/{hidden['id']}/audio",
                f"/api/v1/episodes/{hidden['id']}/audio?rendition=broadcast"):
        response = station.get(url)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "episode_not_found"
    assert station.get(f"/api/v1/episodes/{open_ep['id']}/audio").status_code == 200
    assert researcher.get(f"/api/v1/episodes/{hidden['id']}/audio").status_code == 200
    # Stations and researchers read; only producers and admins change anything.
    for client in (station, researcher):
        assert upload(client, clips[2]).status_code == 403
        assert client.patch(f"/api/v1/episodes/{open_ep['id']}", json={"title": "x"}).status_code == 403
        assert client.delete(f"/api/v1/episodes/{open_ep['id']}").status_code == 403
    admin = api_as("admin")
    assert admin.patch(f"/api/v1/episodes/{open_ep['id']}", json={"title": "Admin edit"}).status_code == 200


def test_delete_removes_row_and_files_but_not_while_scheduled(api_as, runtime, clips, make_station,
                                                             monkeypatch) -> None:
    from schedule.models import Broadcast

    producer = api_as("producer")
    ep = upload(producer, clips[3], filename="d.wav").get_json()
    ep = producer.get(f"/api/v1/episodes/{ep['id']}").get_json()  # analysed after the upload committed
    assert ep["broadcast"]["ready"]
    kept = upload(producer, clips[4], filename="e.wav").get_json()
    station = make_station("radio-meghna")
    with runtime.session() as session:
        session.add(Broadcast(station_id=station.id, episode_id=kept["id"], tzid="Asia/Dhaka",
                              local_start="2030-01-01T10:00:00", starts_at=dt.datetime(2030, 1, 1, 4, tzinfo=dt.UTC),
                              duration_s=1.0, exdates=[]))
    refused = producer.delete(f"/api/v1/episodes/{kept['id']}")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "episode_in_use"
    assert producer.get(f"/api/v1/episodes/{kept['id']}/audio").status_code == 200

    # Another feature's "episode_in_use" hook vetoes the delete while it answers a reason.
    vetoes: list[str] = []
    offered = services.hook("episode_in_use")
    monkeypatch.setattr(services, "hook", lambda name: [
        *offered, lambda s, eid: "scheduled in 1 broadcast" if eid in vetoes else None])
    vetoes.append(ep["id"])
    response = producer.delete(f"/api/v1/episodes/{ep['id']}")
    assert response.status_code == 409 and "scheduled" in response.get_json()["error"]["message"]
    vetoes.clear()
    assert producer.delete(f"/api/v1/episodes/{ep['id']}").status_code == 200
    assert not runtime.store.path_for(ep["sha256"], ".wav").exists()
    assert not runtime.store.path_for(ep["broadcast"]["sha256"], ".mp3").exists()
    assert producer.get(f"/api/v1/episodes/{ep['id']}").status_code == 404
    assert producer.delete(f"/api/v1/episodes/{ep['id']}").status_code == 404
    assert_consistent(runtime)


def test_identical_uploads_at_the_same_moment_store_one_file(runtime, clips) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def chunks() -> Any:
        data = clips[5].read_bytes()
        yield data[:1000]
        barrier.wait(timeout=10)  # both uploads are staged at once before either reaches the database
        yield data[1000:]

    def run() -> None:
        try:
            with runtime.session() as session:
                services.ingest(session, runtime.store, chunks(), {"title": "same"},
                                max_bytes=runtime.settings.max_upload_bytes)
            outcomes.append("created")
        except Duplicate as exc:
            outcomes.append(f"duplicate {exc.details['id']}")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(o.split()[0] for o in outcomes) == ["created", "duplicate"]
    objects, temps, rows = store_state(runtime)
    originals = [name for name in objects if not name.endswith(".mp3")]  # the winner's rendition is an .mp3
    assert rows == 1 and len(originals) == 1 and temps == []
    with runtime.read_session() as session:
        assert outcomes[[o.startswith("dup") for o in outcomes].index(True)].split()[1] == session.scalar(
            select(Episode.id))


def test_failed_analysis_is_visible_and_can_be_retried(api_as, runtime, clips) -> None:
    producer = api_as("producer")
    ep = upload(producer, clips[2], filename="f.wav").get_json()
    path = runtime.store.path_for(ep["sha256"], ".wav")
    original = path.read_bytes()
    path.write_bytes(b"garbage" * 100)  # the stored file got damaged
    response = producer.post(f"/api/v1/episodes/{ep['id']}/analyse", json={})
    assert response.status_code == 202
    job = producer.get(f"/api/v1/jobs/{response.get_json()['job']['id']}").get_json()
    assert job["status"] == "failed" and "decode" in job["error"]
    failed = producer.get(f"/api/v1/episodes/{ep['id']}").get_json()
    assert failed["status"] == "failed" and "decode" in failed["analysis_error"]
    path.write_bytes(original)
    assert producer.post(f"/api/v1/episodes/{ep['id']}/analyse", json={"render_only": True}).status_code == 202
    again = producer.get(f"/api/v1/episodes/{ep['id']}").get_json()
    assert again["status"] == "ready" and again["analysis_error"] is None and again["analysis_job"]["status"] == "done"


def test_radio_verify_finds_the_store_consistent_after_bad_uploads(api_as, runtime, clips) -> None:
    integrity = pytest.importorskip("radio.integrity")
    producer = api_as("producer")
    upload(producer, clips[0], filename="ok.wav")
    for bad in (b"", b"not audio", clips[1].read_bytes()[:100]):
        assert upload(producer, bad, filename="bad.mp3").status_code in (400, 415)
    assert upload(producer, clips[0], filename="dup.wav").status_code == 409
    report = integrity.verify_home(runtime)
    assert report.ok and report.problems == [], [p.line() for p in report.problems]
    assert store_state(runtime)[2] == 1


def test_a_failure_after_the_file_is_placed_takes_the_file_away_again(runtime, clips, monkeypatch) -> None:
    def broken_queue(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("queue table unavailable")

    monkeypatch.setattr(services, "create_job", broken_queue)
    before = store_state(runtime)
    with pytest.raises(RuntimeError), runtime.session() as session, open(clips[4], "rb") as fh:
        services.ingest(session, runtime.store, fh, {"title": "x"}, max_bytes=runtime.settings.max_upload_bytes)
    assert store_state(runtime) == before
    assert_consistent(runtime)
