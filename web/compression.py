"""gzip for calendars, podcast feeds and JSON answers when the client accepts it, with ETags right per encoding.

A compressed answer has its own strong ETag (the identity one with ``-gzip``): a cache holding either copy
revalidates it with 304, and the two never pass for each other's bytes.
"""

from __future__ import annotations

import gzip

from flask import Flask, Request, Response, request

COMPRESSIBLE = ("text/calendar", "application/rss+xml", "application/json", "text/csv")
MIN_SIZE = 1024  # smaller answers fit one packet anyway
MAX_SIZE = 64 * 1024 * 1024  # compressed in memory: larger answers go as they are
LEVEL = 6


def gzip_etag(etag: str) -> str:
    """The strong ETag of the gzip copy of the representation tagged ``etag``."""
    return f"{etag}-gzip"


def accepts_gzip(req: Request) -> bool:
    """True when the client takes gzip (``Accept-Encoding: gzip`` with a non-zero q)."""
    return req.accept_encodings["gzip"] > 0


def selected_etag(req: Request, etag: str) -> str:
    """The ETag of the copy this request gets: the gzip one when the client takes gzip."""
    return gzip_etag(etag) if accepts_gzip(req) else etag


def matches(req: Request, etag: str) -> bool:
    """``If-None-Match`` names this representation in either encoding (the view may answer 304 unrendered)."""
    return req.if_none_match.contains(etag) or req.if_none_match.contains(gzip_etag(etag))


def compress_response(response: Response) -> Response:
    """Compress a buffered, compressible 200 answer for a client that takes gzip; 304 on its gzip ETag."""
    if response.mimetype in COMPRESSIBLE:
        response.vary.add("Accept-Encoding")
    if (response.status_code != 200 or response.direct_passthrough or response.is_streamed
            or response.mimetype not in COMPRESSIBLE or "Content-Encoding" in response.headers
            or not accepts_gzip(request) or "Range" in request.headers):
        return response
    body = response.get_data()
    if not MIN_SIZE <= len(body) <= MAX_SIZE:
        return response
    etag, weak = response.get_etag()
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))  # mtime 0: the same bytes every time
    response.headers["Content-Encoding"] = "gzip"
    if etag:
        response.set_etag(gzip_etag(etag), weak=bool(weak))
        if request.if_none_match.contains(gzip_etag(etag)):
            kept = {k: v for k, v in response.headers.items()
                    if k not in ("Content-Length", "Content-Encoding", "Content-Type")}
            return Response(status=304, headers=kept)
    return response


def init_app(app: Flask) -> None:
    """Install the compression step (last, so metrics and errors see the final answer)."""
    app.after_request(compress_response)
