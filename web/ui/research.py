"""Researchers' pages: evidence search, one segment's corrections and revision history, evidence exports."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from radio.access import policy
from radio.errors import DomainError, InvalidInput
from radio.models import Role
from schedule.stations import visible_stations
from transcripts.search import SearchFilters, SearchResult, Viewer, search
from transcripts.search_ranking import RANK_WINDOW
from transcripts.services import correct_segment, segment_history
from web.api.search import search_filters
from web.context import db, writes
from web.contract import validate_model
from web.schemas.search import SearchQuery
from web.schemas.transcripts import SegmentPatch
from web.ui.base import done, field_errors, int_arg, page, page_user
from web.ui.coding import segment_codes
from web.ui.labels import error_message
from web.ui.widgets import safe_snippet

bp = Blueprint("ui_research", __name__)
FILTERS = ("language", "kind", "district", "campaign", "station", "from", "to", "code")
PER_PAGE = 20


def parse_search(query: str, page_no: int, errors: dict[str, str]) -> tuple[SearchFilters, int, int, str] | None:
    """The search form as ``SearchQuery`` (filters, limit, offset, sort); None with ``errors`` filled when it is bad.

    A bad filter or sort is shown next to its field (the search does not run); a bad query or page is a 400.
    """
    args = {k: request.args.get(k, "").strip() for k in (*FILTERS, "sort")}
    try:
        checked = validate_model(SearchQuery, {**args, "q": query, "page": page_no, "per_page": PER_PAGE})
    except InvalidInput as exc:
        field = exc.details.get("field")
        if field in ("from", "to"):
            errors[field] = _("Enter a date like 2024-05-31.")
        elif field in FILTERS or field == "sort":
            errors[field] = error_message(exc.code, exc.message)
        else:
            raise
        return None
    limit, offset = checked.page_offset()
    return search_filters(checked), limit, offset, checked.sort


@bp.get("/search")
@policy("search.page")
@page(Role.PRODUCER, Role.RESEARCHER)
def search_page() -> tuple[str, int]:
    """The search form; with a query, ranked hits with highlighted snippets that open the audio at the moment."""
    user = page_user()
    query = request.args.get("q", "").strip()
    errors: dict[str, str] = {}
    page_no = int_arg("page", 1)
    result: SearchResult | None = None
    status = 200
    try:
        parsed = parse_search(query, page_no, errors)
        if query and parsed is not None:
            filters, limit, offset, sort = parsed
            result = search(db(), query, filters, Viewer.for_user(user), limit=limit, offset=offset, sort=sort)
    except DomainError as exc:
        message = error_message(exc.code, exc.message)
        errors = {"q": message} if exc.status == 400 else {"": message}
        status = exc.status
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    evidence_args: dict[str, Any] = {k: v for k, v in args.items()
                                     if k in ("language", "kind", "district", "campaign", "from", "to")}
    return render_template(
        "research/search.html", query=query, args=args, result=result, errors=errors, page=page_no,
        per_page=PER_PAGE, stations=visible_stations(db(), user), snippet=safe_snippet,
        evidence_csv=url_for("api_transcripts.evidence", **{**evidence_args, "format": "csv"}),
        evidence_json=url_for("api_transcripts.evidence", **{**evidence_args, "format": "json"}),
        can_export=user.has_role(Role.RESEARCHER), rank_window=RANK_WINDOW,
    ), status


def _segment_page(segment_id: str, errors: dict[str, str] | None = None, text: str | None = None,
                  status: int = 200) -> tuple[str, int]:
    user = page_user()
    history = segment_history(db(), segment_id, user)
    current = history["items"][-1]
    return render_template(
        "research/segment.html", history=history, current=current, errors=errors or {},
        text=current["text"] if text is None else text, can_correct=user.has_role(Role.RESEARCHER),
        codes=segment_codes(segment_id, user),
    ), status


@bp.get("/segments/<segment_id>")
@policy("segment.page")
@page(Role.PRODUCER, Role.RESEARCHER)
@writes  # audits reads of restricted episodes
def segment(segment_id: str) -> tuple[str, int]:
    """One segment: its text, every revision with who and when, and the correction form."""
    return _segment_page(segment_id)


@bp.post("/segments/<segment_id>")
@policy("transcript.correct")
@page(Role.RESEARCHER)
def correct(segment_id: str) -> Response | tuple[str, int]:
    """Save a corrected text as a new revision."""
    session = db()
    text = request.form.get("text", "")
    try:
        correction = validate_model(SegmentPatch, {"text": text, "note": request.form.get("note", "")})
        result = correct_segment(session, segment_id, correction.text, page_user(), note=correction.note or "")
    except DomainError as exc:
        return _segment_page(segment_id, field_errors(exc, ("text", "note")), text=text, status=exc.status)
    history = segment_history(session, segment_id, page_user())
    back = request.form.get("back") == "episode"
    if back:
        return done(_("The correction was saved."), "ui_library.episode", episode_id=history["episode_id"],
                    _anchor=f"seg-{segment_id}", t=f"{result['start']:g}")
    return done(_("The correction was saved."), "ui_research.segment", segment_id=segment_id)

