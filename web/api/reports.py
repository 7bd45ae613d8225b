"""API for the reach report and the evidence summary (see SPEC.md: Reports)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, jsonify

from radio.access import policy
from radio.db import utcnow
from radio.models import Role, User
from reports import evidence as ev
from reports import reach
from reports.pdf import evidence_pdf, reach_pdf
from reports.tables import reach_csv, reach_xlsx
from web.auth import current_user, require_role
from web.context import db
from web.contract import answers, validated
from web.schemas import answers as out
from web.schemas.reports import EvidenceQuery, ReportQuery, RowsQuery

bp = Blueprint("api_reports", __name__, url_prefix="/api/v1")
REACH_READERS = (Role.PRODUCER, Role.STATION)  # admins always pass; a station sees its own station only
EVIDENCE_READERS = ev.READERS
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DHAKA = dt.timezone(dt.timedelta(hours=6))


def _user() -> User:
    user = current_user()
    assert user is not None
    return user


def _today() -> dt.date:
    return utcnow().astimezone(DHAKA).date()


def _report(query: ReportQuery) -> reach.ReachReport:
    return reach.build_reach_report(db(), _user(), query.scope(_today()))


@bp.get("/reports/reach")
@policy("reports.reach")
@require_role(*REACH_READERS)
@validated(query=ReportQuery, resp=answers(200, out.ReachReport, errors=(400, 401, 403, 404)))
def reach_report(query: ReportQuery) -> Response:
    """Planned against delivered airings and listener feedback: totals, by station, district, month, episode."""
    return jsonify(_report(query).as_dict())


@bp.get("/reports/reach.csv")
@policy("reports.reach")
@require_role(*REACH_READERS)
@validated(query=ReportQuery, resp=answers(200, media="text/csv", errors=(400, 401, 403, 404)))
def reach_report_csv(query: ReportQuery) -> Response:
    """The reach report as one CSV (a ``breakdown`` column tells the sections apart)."""
    return _attachment(reach_csv(_report(query)), "text/csv; charset=utf-8", "csv", query)


@bp.get("/reports/reach.xlsx")
@policy("reports.reach")
@require_role(*REACH_READERS)
@validated(query=ReportQuery, resp=answers(200, media=XLSX, errors=(400, 401, 403, 404)))
def reach_report_xlsx(query: ReportQuery) -> Response:
    """The reach report as a workbook: one sheet per breakdown, numbers and dates as such, frozen headers."""
    return _attachment(reach_xlsx(_report(query)), XLSX, "xlsx", query)


@bp.get("/reports/reach.pdf")
@policy("reports.reach")
@require_role(*REACH_READERS)
@validated(query=ReportQuery, resp=answers(200, media="application/pdf", errors=(400, 401, 403, 404)))
def reach_report_pdf(query: ReportQuery) -> Response:
    """The reach report as PDF in ``lang`` (with codes per district for those who may read evidence)."""
    user = _user()
    report = _report(query)
    evidence = ev.evidence_summary(db(), user, report.scope, max_quotes=0) if user.has_role(*EVIDENCE_READERS) \
        else None
    return _attachment(reach_pdf(report, evidence), "application/pdf", "pdf", query)


@bp.get("/reports/reach/airings")
@policy("reports.reach")
@require_role(*REACH_READERS)
@validated(query=RowsQuery, resp=answers(200, out.Items, errors=(400, 401, 403, 404)))
def reach_airings(query: RowsQuery) -> Response:
    """The planned airings behind a figure of the reach report (same filters), with their status."""
    rows = reach.reach_airings(db(), _user(), query.scope(_today()))
    return jsonify({"items": rows[query.offset:query.offset + query.limit], "total": len(rows)})


@bp.get("/reports/reach/feedback")
@policy("reports.reach")
@require_role(*REACH_READERS)
@validated(query=RowsQuery, resp=answers(200, out.Items, errors=(400, 401, 403, 404)))
def reach_feedback(query: RowsQuery) -> Response:
    """The feedback rows behind a figure of the reach report (same filters), by source."""
    rows = reach.reach_feedback(db(), _user(), query.scope(_today()))
    return jsonify({"items": rows[query.offset:query.offset + query.limit], "total": len(rows)})


@bp.get("/reports/evidence")
@policy("reports.evidence")
@require_role(*EVIDENCE_READERS)
@validated(query=EvidenceQuery, resp=answers(200, out.EvidenceSummary, errors=(400, 401, 403, 404)))
def evidence_summary(query: EvidenceQuery) -> Response:
    """How often each code was applied, by district, station, kind and month, and redacted quotes."""
    summary = ev.evidence_summary(db(), _user(), query.scope(_today()), kind=query.kind, max_quotes=query.quotes)
    return jsonify(summary.as_dict())


@bp.get("/reports/evidence.pdf")
@policy("reports.evidence")
@require_role(*EVIDENCE_READERS)
@validated(query=EvidenceQuery, resp=answers(200, media="application/pdf", errors=(400, 401, 403, 404)))
def evidence_summary_pdf(query: EvidenceQuery) -> Response:
    """The evidence summary as PDF in ``lang``."""
    summary = ev.evidence_summary(db(), _user(), query.scope(_today()), kind=query.kind, max_quotes=query.quotes)
    return _attachment(evidence_pdf(summary), "application/pdf", "pdf", query, name="evidence")


def _attachment(body: bytes | str, mimetype: str, suffix: str, query: ReportQuery, name: str = "reach") -> Response:
    scope = query.scope(_today())
    filename = f"{name}-{scope.date_from}-{scope.date_to}-{scope.lang}.{suffix}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})
