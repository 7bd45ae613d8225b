"""Researchers' coding pages: the codebook, coded segments per code, attaching and removing codes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from radio.access import policy
from radio.errors import DomainError
from radio.models import Role, User
from transcripts import coding
from transcripts.access import text_for
from web.context import db, writes
from web.contract import validate_model
from web.schemas.coding import ApplyCode, CodeCreate
from web.ui.base import done, field_errors, page, page_user
from web.ui.labels import error_message

bp = Blueprint("ui_coding", __name__)
CODE_FIELDS = ("name", "description", "colour")


def shown(text: str, user: User) -> str:
    """Text as this user may read it (phone numbers masked for all but admins)."""
    return text_for(user)(text)


def _codes_page(form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                status: int = 200) -> tuple[str, int]:
    return render_template("research/codes.html", codes=coding.list_codes(db()), form=form or {},
                           errors=errors or {}), status


@bp.get("/codes")
@policy("coding")
@page(Role.RESEARCHER)
def codes() -> tuple[str, int]:
    """The codebook with counts, a form to add a code, and the exports."""
    return _codes_page()


@bp.post("/codes")
@policy("coding")
@page(Role.RESEARCHER)
def add_code() -> Response | tuple[str, int]:
    """Add a code to the codebook."""
    form = {k: request.form.get(k, "") for k in CODE_FIELDS}
    session = db()
    try:
        code = validate_model(CodeCreate, {k: v for k, v in form.items() if v or k == "name"})
        coding.create_code(session, code.changes(), user_id=page_user().id)
    except DomainError as exc:
        message = error_message(exc.code, exc.message)
        errors = {"colour": message} if exc.code == "invalid_colour" else \
            {"name": message} if exc.code == "duplicate" else field_errors(exc, CODE_FIELDS)
        return _codes_page(form, errors, exc.status)
    return done(_("The code was added."), "ui_coding.codes")


@bp.get("/codes/<code_id>")
@policy("coding")
@page(Role.RESEARCHER)
@writes  # audits listings of restricted episodes' coded segments
def code_detail(code_id: str) -> str:
    """Every segment that carries a code, with its memo and a link to the moment in the audio."""
    user = page_user()
    code = coding.find_code(db(), code_id)
    items = [(c, shown(c.segment.text, user), shown(c.memo, user))
             for c in coding.listed_codings(db(), user, "code page", code=code.id)]
    return render_template("research/code.html", code=code, items=items)


def segment_codes(segment_id: str, user: User) -> dict[str, Any]:
    """The codes on a segment (memos masked as needed) and the codebook, for the segment page."""
    if not user.has_role(Role.RESEARCHER):
        return {}
    items = [(c, shown(c.memo, user)) for c in coding.listed_codings(db(), user, "segment page", segment_id=segment_id)]
    return {"items": items, "codebook": [(code.id, code.name) for code, _count in coding.list_codes(db())]}


@bp.post("/segments/<segment_id>/codes")
@policy("coding")
@page(Role.RESEARCHER)
def apply(segment_id: str) -> Response:
    """Attach a code with a memo to a segment."""
    session = db()
    try:
        wanted = validate_model(ApplyCode, {"code_id": request.form.get("code_id", ""),
                                            "memo": request.form.get("memo", "")})
        coding.apply_code(session, segment_id, wanted.changes(), user_id=page_user().id)
    except DomainError as exc:
        return done(error_message(exc.code, exc.message), "ui_research.segment", segment_id=segment_id,
                    category="error")
    return done(_("The code was attached."), "ui_research.segment", segment_id=segment_id)


@bp.post("/segments/<segment_id>/codes/<code_id>/remove")
@policy("coding")
@page(Role.RESEARCHER)
def remove(segment_id: str, code_id: str) -> Response:
    """Detach a code from a segment."""
    coding.remove_code(db(), segment_id, code_id)
    return done(_("The code was removed."), "ui_research.segment", segment_id=segment_id)
