"""API for evidence search (see SPEC.md: ``GET /api/v1/search``); coding has its own blueprint in web.api.coding."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from radio.access import policy
from radio.models import Role, User
from transcripts.search import SearchFilters, Viewer, search
from web.auth import current_user, require_role
from web.context import db
from web.contract import answers, validated
from web.schemas import answers as out
from web.schemas.search import SearchQuery

bp = Blueprint("api_search", __name__, url_prefix="/api/v1")


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


def search_filters(query: SearchQuery) -> SearchFilters:
    """The service's filters from a validated search query (the API's and the search page's)."""
    return SearchFilters(
        language=query.language, kind=query.kind, district=query.district, campaign=query.campaign,
        station=query.station, date_from=query.date_from, date_to=query.date_to, code=query.code,
        episode_id=query.episode_id, scope=query.scope,
    )


@bp.get("/search")
@policy("search")
@require_role(Role.PRODUCER, Role.RESEARCHER)
@validated(query=SearchQuery, resp=answers(200, out.SearchResult, errors=(400, 401, 403)))
def search_transcripts(query: SearchQuery) -> Response:
    """Hits with highlighted, redacted snippets in ``sort`` order; ``limit``/``offset`` or ``page``/``per_page``."""
    limit, offset = query.page_offset()
    viewer = Viewer.for_user(_user())
    result = search(db(), query.q, search_filters(query), viewer, limit=limit, offset=offset, sort=query.sort)
    return jsonify(result.to_dict())
