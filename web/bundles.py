"""``GET /feeds/<slug>/bundle.zip``: the week's bundle, streamed, with a strong ETag and HTTP Range to resume."""

from __future__ import annotations

from flask import Blueprint, Response, request

from radio.access import policy
from radio.db import utcnow
from schedule.bundle import build_bundle
from schedule.stations import station_for_feed
from web.context import db, runtime

bp = Blueprint("bundles", __name__)


@bp.get("/feeds/<slug>/bundle.zip")
@policy("station.feed")
def week_bundle(slug: str) -> Response:
    """The station's audio, calendar, cue sheet and manifest of one ISO week; 206 for a Range, 404 wrong token."""
    rt = runtime()
    session = db()
    station = station_for_feed(session, slug, request.args.get("token"), rt.secret_key)
    bundle = build_bundle(session, rt.store, station, request.args.get("week", ""),
                          base_url=rt.settings.public_url, secret_key=rt.secret_key, now=utcnow())
    headers = {"ETag": f'"{bundle.etag}"', "Accept-Ranges": "bytes", "Cache-Control": "private, max-age=300",
               "Content-Disposition": f'attachment; filename="{bundle.filename}"'}
    if request.if_none_match.contains(bundle.etag):
        return Response(status=304, headers=headers)
    total = bundle.layout.length
    start, stop, status = 0, total, 200
    wanted = request.range
    if_range = request.if_range
    fresh_enough = if_range.etag is None and if_range.date is None or if_range.etag == bundle.etag
    if wanted is not None and fresh_enough and len(wanted.ranges) == 1:
        bounds = wanted.range_for_length(total)
        if bounds is None:
            return Response(status=416, headers={**headers, "Content-Range": f"bytes */{total}"})
        start, stop = bounds
        status = 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{total}"
    headers["Content-Length"] = str(stop - start)
    return Response(bundle.layout.stream(start, stop), status=status, mimetype="application/zip", headers=headers,
                    direct_passthrough=True)


