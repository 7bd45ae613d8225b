"""Calendar and podcast feeds for stations: the secret feed token in the URL instead of a login."""

from __future__ import annotations

from flask import Blueprint, Response, request, send_file

from radio.access import policy
from radio.db import utcnow
from radio.errors import NotFound
from radio.transactions import on_commit
from schedule.calendar_feed import render_for_station
from schedule.feed_etag import podcast_validator, station_validator
from schedule.fragments import save_fragments
from schedule.podcast import (
    TRANSCRIPT_TYPES,
    render_podcast_feed,
    station_airs_episode,
    station_podcast_values,
    station_transcript,
)
from schedule.stations import station_for_feed
from web.compression import matches, selected_etag
from web.context import db, runtime

bp = Blueprint("feeds", __name__)

CACHE_CONTROL = "private, max-age=300"  # the URL holds a secret: no shared caches


def _not_modified(etag: str, last_modified: object) -> Response | None:
    if request.if_none_match:
        if not matches(request, etag):  # either encoding's ETag (web.compression)
            return None
    elif request.if_modified_since is None or request.if_modified_since < last_modified:  # type: ignore[operator]
        return None
    response = Response(status=304)
    response.set_etag(selected_etag(request, etag))
    response.last_modified = last_modified  # type: ignore[assignment]
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _conditional(kind: str, slug: str, content_type: str) -> Response:
    rt = runtime()
    now = utcnow()
    session = db()
    station = station_for_feed(session, slug, request.args.get("token"), rt.secret_key)
    validate = station_validator if kind == "ics" else podcast_validator
    validator = validate(session, station, rt.settings.public_url, now)
    etag = f"{kind}-{validator.etag}"
    cached = _not_modified(etag, validator.last_modified)
    if cached is not None:
        return cached  # answered from one aggregate query: nothing rendered
    fresh = []
    if kind == "ics":
        rendered = render_for_station(session, station, rt.settings.public_url, rt.secret_key, now)
        body, fresh = rendered.body, rendered.fresh
    else:
        body = render_podcast_feed(station_podcast_values(session, station, rt.settings.public_url,
                                                          rt.secret_key, now))
    response = Response(body, content_type=content_type)
    if fresh:  # blocks rendered anew are stored in their own short write once this read-only request ends
        on_commit(session, lambda: save_fragments(rt, fresh))
    response.set_etag(etag)
    response.last_modified = validator.last_modified
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.get("/calendars/<slug>.ics")
@policy("station.feed")
def station_calendar(slug: str) -> Response:
    """The station's iCalendar feed (webcal subscription); 404 for a wrong or rotated token."""
    response = _conditional("ics", slug, "text/calendar; charset=utf-8")
    response.headers.setdefault("Content-Disposition", f'inline; filename="{slug}.ics"')
    return response


@bp.get("/feeds/<slug>/podcast.xml")
@policy("station.feed")
def station_podcast(slug: str) -> Response:
    """The station's podcast feed: booked episodes with their broadcast audio and transcripts."""
    return _conditional("rss", slug, "application/rss+xml; charset=utf-8")


@bp.get("/feeds/<slug>/audio/<episode_id>.mp3")
@policy("station.feed")
def broadcast_audio(slug: str, episode_id: str) -> Response:
    """The broadcast rendition of an episode booked on the station (never a restricted one), with Range support."""
    rt = runtime()
    session = db()
    station = station_for_feed(session, slug, request.args.get("token"), rt.secret_key)
    episode = station_airs_episode(session, station, episode_id)
    sha = episode.broadcast_sha256 if episode is not None else None
    path = None
    if sha:
        path = next((p for p in (rt.store.path_for(sha, ".mp3"), rt.store.path_for(sha)) if p.is_file()), None)
    if path is None or sha is None:
        raise NotFound("no broadcast audio for this episode on this station")
    response = send_file(path, mimetype="audio/mpeg", conditional=True, download_name=f"{episode_id}.mp3",
                         etag=sha, max_age=86400)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


@bp.get("/feeds/<slug>/transcripts/<episode_id>.<fmt>")
@policy("station.feed")
def transcript(slug: str, episode_id: str, fmt: str) -> Response:
    """The transcript of a booked episode as WebVTT or SRT (phone numbers redacted)."""
    rt = runtime()
    session = db()
    station = station_for_feed(session, slug, request.args.get("token"), rt.secret_key)
    text = station_transcript(session, station, episode_id, fmt)
    if text is None:
        raise NotFound("no transcript for this episode on this station")
    response = Response(text, content_type=f"{TRANSCRIPT_TYPES[fmt]}; charset=utf-8")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
