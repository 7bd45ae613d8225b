"""A station's own pages: its week with downloads and subscription link, and listener feedback per airing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from radio.access import policy
from radio.errors import DomainError, NotFound
from radio.models import Role
from schedule.bookings import get_broadcast
from schedule.feedback import feedback_history, record_feedback, summarise_feedback
from schedule.models import FEEDBACK_COUNTS
from schedule.stations import visible_stations
from web.context import db
from web.contract import validate_model
from web.i18n import format_number
from web.schemas.schedule import FeedbackBody, FeedbackSummaryQuery
from web.ui.base import done, field_errors, page, page_user
from web.ui.labels import FEEDBACK_FIELDS, error_message
from web.ui.schedule import render_week
from web.ui.widgets import stacked_bars_svg

bp = Blueprint("ui_station", __name__)
SUMMARY_ARGS = ("group_by", "station", "campaign", "from", "to")
GROUP_LABELS = {"station": _l("station"), "episode": _l("episode"), "month": _l("month")}
_LATIN_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


@bp.get("/station")
@policy("station.page")
@page(Role.STATION)
def home() -> tuple[str, int]:
    """The station's week: what to air, the audio to download, feedback for past airings, the subscription."""
    user = page_user()
    stations = visible_stations(db(), user)
    if user.role != Role.STATION or not stations:
        raise NotFound(_("Your account is not linked to a station."))
    return render_week(stations[0], mode="station")


def parse_counts(form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The feedback form as ``FeedbackBody`` takes it; counts may be typed in Bangla digits."""
    data: dict[str, Any] = {"occurrence": form.get("occurrence", ""), "notes": form.get("notes", "")}
    errors: dict[str, str] = {}
    for key in FEEDBACK_COUNTS:
        raw = form.get(key, "").strip().translate(_LATIN_DIGITS) or "0"
        if raw.isdigit():
            data[key] = int(raw)
        else:
            errors[key] = _("Enter a whole number (0 or more).")
    return data, errors


def _feedback_page(broadcast_id: str, form: dict[str, Any], errors: dict[str, str], status: int) -> tuple[str, int]:
    session = db()
    broadcast = get_broadcast(session, broadcast_id, page_user())
    return render_template("station/feedback.html", broadcast=broadcast, form=form, errors=errors,
                           history=feedback_history(session, broadcast), counts=FEEDBACK_COUNTS), status


@bp.get("/feedback")
@policy("feedback.summary")
@page(Role.PRODUCER, Role.STATION, Role.RESEARCHER)
def summary() -> tuple[str, int]:
    """Listener feedback totals by station, episode or month, as a chart and a table, with a CSV export."""
    user = page_user()
    params: dict[str, Any] = {k: v for k in SUMMARY_ARGS if (v := request.args.get(k, "").strip())}
    params.setdefault("group_by", "station")
    try:
        rows = summarise_feedback(db(), user, validate_model(FeedbackSummaryQuery, params).params())
        error = None
    except DomainError as exc:
        rows, error = [], error_message(exc.code, exc.message)
    series = [str(FEEDBACK_FIELDS[k]) for k in FEEDBACK_COUNTS]
    chart = stacked_bars_svg([(r.label, [r.totals[k] for k in FEEDBACK_COUNTS]) for r in rows], series,
                             _("Listener feedback by %(group)s", group=GROUP_LABELS[params["group_by"]]
                               if params["group_by"] in GROUP_LABELS else params["group_by"]), format_number)
    return render_template("station/summary.html", rows=rows, chart=chart, params=params, error=error,
                           counts=FEEDBACK_COUNTS, stations=visible_stations(db(), user),
                           csv_url=url_for("api_schedule.feedback_summary", **{**params, "format": "csv"}),
                           groups=list(GROUP_LABELS.items())), 400 if error else 200


@bp.get("/broadcasts/<broadcast_id>/feedback")
@policy("feedback.report")
@page(Role.STATION, Role.PRODUCER)
def feedback(broadcast_id: str) -> tuple[str, int]:
    """The feedback form for one past airing, with the reports given so far."""
    return _feedback_page(broadcast_id, {"occurrence": request.args.get("occurrence", "")}, {}, 200)


@bp.post("/broadcasts/<broadcast_id>/feedback")
@policy("feedback.report")
@page(Role.STATION, Role.PRODUCER)
def save_feedback(broadcast_id: str) -> Response | tuple[str, int]:
    """Record listener feedback; a second report for the same airing corrects the first."""
    session = db()
    broadcast = get_broadcast(session, broadcast_id, page_user())
    data, errors = parse_counts(request.form)
    if errors:
        return _feedback_page(broadcast_id, dict(request.form), errors, 400)
    try:
        record_feedback(session, broadcast, validate_model(FeedbackBody, data).changes(), page_user())
    except DomainError as exc:
        return _feedback_page(broadcast_id, dict(request.form),
                              field_errors(exc, (*FEEDBACK_COUNTS, "occurrence", "notes")), exc.status)
    target = "ui_station.home" if page_user().role == Role.STATION else "ui_schedule.week"
    values = {} if target == "ui_station.home" else {"slug": broadcast.station.slug}
    return done(_("Thank you: the feedback was saved."), target, **values)
