"""The reports page: choose campaign, stations, districts and period; see the figures and charts; download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from radio.access import policy
from radio.db import utcnow
from radio.errors import DomainError
from radio.models import Role
from reports.evidence import READERS as EVIDENCE_READERS
from reports.evidence import evidence_summary
from reports.reach import build_reach_report
from schedule.models import FEEDBACK_COUNTS
from schedule.stations import visible_stations
from web.api.reports import DHAKA
from web.context import db
from web.contract import query_data, validate_model
from web.i18n import format_month, format_number
from web.schemas.reports import ReportQuery
from web.ui.base import page, page_user
from web.ui.labels import FEEDBACK_FIELDS, error_message
from web.ui.widgets import stacked_bars_svg

bp = Blueprint("ui_reports", __name__)
FIGURES = (("planned", _l("Planned")), ("aired", _l("Aired")), ("partial", _l("Partial")), ("missed", _l("Missed")),
           ("unconfirmed", _l("Unconfirmed")))
BREAKDOWNS = (("by_station", _l("By station")), ("by_district", _l("By district")), ("by_month", _l("By month")),
              ("by_episode", _l("By episode")))


def _charts(report: Any) -> list[Markup]:
    delivered = [(r["label"] or "—", [r["aired"] + r["partial"], r["planned"] - r["aired"] - r["partial"]])
                 for r in report.by_station]
    airings = stacked_bars_svg(delivered, [_("Delivered"), _("Not (yet) confirmed as delivered")],
                               _("Airings planned and delivered per station"), format_number)
    months = [(format_month(r["month"], calendar=False), [r["feedback"][k] for k in FEEDBACK_COUNTS])
              for r in report.by_month]
    feedback = stacked_bars_svg(months,
                                [str(FEEDBACK_FIELDS[k]) for k in FEEDBACK_COUNTS], _("Listener feedback per month"),
                                format_number)
    return [airings, feedback]


@bp.get("/reports")
@policy("reports.page")
@page(Role.PRODUCER, Role.STATION, Role.RESEARCHER)
def reports() -> tuple[str, int]:
    """The reach report (producers, admins, a station for itself) and the evidence summary (researchers)."""
    user = page_user()
    args = query_data(ReportQuery)
    report = evidence = None
    error = None
    charts: list[Markup] = []
    try:
        query = validate_model(ReportQuery, args)
        scope = query.scope(utcnow().astimezone(DHAKA).date())
        if user.has_role(Role.PRODUCER, Role.STATION):
            report = build_reach_report(db(), user, scope)
            charts = _charts(report)
        if user.has_role(*EVIDENCE_READERS):
            evidence = evidence_summary(db(), user, scope, max_quotes=20)
            codes = {c["id"]: c["name"] for c in evidence.codes}
            charts.append(stacked_bars_svg(
                [(r["district"], [r["codes"].get(c, 0) for c in codes]) for r in evidence.breakdowns["by_district"]],
                list(codes.values()), _("Codes applied per district"), format_number))
    except DomainError as exc:
        error = error_message(exc.code, exc.message)
        scope = None
    params = {k: v for k, v in request.args.items(multi=False)}
    query_string = request.query_string.decode("ascii", "replace")
    downloads = []
    if report is not None:
        downloads = [(fmt.upper(), url_for(f"api_reports.reach_report_{fmt}") + "?" + query_string)
                     for fmt in ("csv", "xlsx", "pdf")]
    if evidence is not None:
        downloads.append((_("Evidence PDF"), url_for("api_reports.evidence_summary_pdf") + "?" + query_string))
    return render_template("reports/index.html", report=report, evidence=evidence, scope=scope, error=error,
                           charts=charts, params=params, stations=visible_stations(db(), user),
                           chosen_stations=request.args.getlist("station"),
                           districts=request.args.getlist("district"), figures=FIGURES, breakdowns=BREAKDOWNS,
                           counts=FEEDBACK_COUNTS, downloads=downloads), 400 if error else 200
