"""gzip for calendars, podcast feeds and JSON: the same bytes once unzipped, ETags and 304s right per encoding."""

from __future__ import annotations

import gzip

from schedule_helpers import create_station, feed_path, local_dhaka, make_episode

GZIP = {"Accept-Encoding": "gzip, deflate"}


def _station_with_bookings(runtime, api_as, n: int = 12) -> dict:
    admin = api_as("admin")
    station = create_station(admin, "radio-padma", name_bn="রেডিও পদ্মা")
    producer = api_as("producer")
    for i in range(n):
        episode = make_episode(runtime, title=f"মানব পাচার প্রতিরোধ — পর্ব {i}")
        assert producer.post("/api/v1/broadcasts", json={"station": "radio-padma", "episode_id": episode,
                                                         "start": local_dhaka(i - 3, 10)}).status_code == 201
    return {"station": station, "producer": producer}


def test_calendars_and_podcasts_are_gzipped_with_their_own_etags_and_304s(client, runtime, api_as) -> None:
    world = _station_with_bookings(runtime, api_as)
    for url in (feed_path(world["station"]["calendar_url"]), feed_path(world["station"]["podcast_url"])):
        plain = client.get(url)
        packed = client.get(url, headers=GZIP)
        assert plain.status_code == packed.status_code == 200
        assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
        assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 3
        assert packed.headers["ETag"] != plain.headers["ETag"]
        assert packed.headers["ETag"] == client.get(url, headers=GZIP).headers["ETag"]
        assert client.get(url, headers=GZIP).data == packed.data  # deterministic bytes
        again = client.get(url, headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
        assert again.status_code == 304 and again.headers["ETag"] == packed.headers["ETag"] and again.data == b""
        identity = client.get(url, headers={"If-None-Match": plain.headers["ETag"]})
        assert identity.status_code == 304 and identity.headers["ETag"] == plain.headers["ETag"]
        refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0"})
        assert "Content-Encoding" not in refused.headers
    # A booking changes both copies' ETags.
    before = client.get(feed_path(world["station"]["calendar_url"]), headers=GZIP).headers["ETag"]
    world["producer"].post("/api/v1/broadcasts", json={"station": "radio-padma", "start": local_dhaka(9, 10),
                                                       "episode_id": make_episode(runtime)})
    changed = client.get(feed_path(world["station"]["calendar_url"]), headers={**GZIP, "If-None-Match": before})
    assert changed.status_code == 200 and changed.headers["ETag"] != before


def test_json_answers_are_gzipped_when_large_enough(client, runtime, api_as) -> None:
    world = _station_with_bookings(runtime, api_as)
    producer = world["producer"]
    plain = producer.get("/api/v1/broadcasts?include_cancelled=true")
    packed = producer.get("/api/v1/broadcasts?include_cancelled=true", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    small = producer.get("/api/v1/stations/radio-padma", headers=GZIP)
    assert "Content-Encoding" not in small.headers  # under a kilobyte: not worth it
    audio_like = client.get("/healthz", headers=GZIP)
    assert audio_like.status_code == 200
