"""API for evidence search (see SPEC.md: ``GET /api/v1/search``); coding has its own blueprint in web.api.coding."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, jsonify, request

from radio.errors import InvalidInput
from radio.models import Role, User
from transcripts.search import SearchFilters, Viewer, search
from web.auth import current_user, require_role
from web.context import db

bp = Blueprint("api_search", __name__, url_prefix="/api/v1")


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a whole number", code="invalid_parameter",
                           details={"parameter": name}) from None


def _date_arg(name: str) -> dt.date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise InvalidInput(f"'{name}' must be a date like 2026-03-31", code="invalid_parameter",
                           details={"parameter": name}) from None


def text_arg(name: str) -> str | None:
    """A query parameter, stripped; None when absent or blank."""
    value = request.args.get(name)
    return value.strip() if value and value.strip() else None


@bp.get("/search")
@require_role(Role.PRODUCER, Role.RESEARCHER)
def search_transcripts() -> Response:
    """Ranked hits with highlighted, redacted snippets; ``limit``/``offset`` or ``page``/``per_page``."""
    filters = SearchFilters(
        language=text_arg("language"), kind=text_arg("kind"), district=text_arg("district"),
        campaign=text_arg("campaign"), station=text_arg("station"), date_from=_date_arg("from"),
        date_to=_date_arg("to"), code=text_arg("code"), episode_id=text_arg("episode_id"),
        scope=text_arg("scope") or "all",
    )
    if "page" in request.args or "per_page" in request.args:
        limit = _int_arg("per_page", 20)
        page = _int_arg("page", 1)
        if page < 1:
            raise InvalidInput("'page' starts at 1", code="invalid_parameter", details={"parameter": "page"})
        offset = (page - 1) * limit
    else:
        limit, offset = _int_arg("limit", 20), _int_arg("offset", 0)
    viewer = Viewer.for_user(_user())
    result = search(db(), request.args.get("q", ""), filters, viewer, limit=limit, offset=offset)
    return jsonify(result.to_dict())
