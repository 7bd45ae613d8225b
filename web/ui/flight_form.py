"""The "New flight" form: its fields as the page redraws them, and as ``FlightBody`` (the API's model) takes them.

Window rows left empty are skipped; an error the model or the planner names (``windows.0.start``,
``stations.2``) is put back on the row and the control the producer filled in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from werkzeug.datastructures import MultiDict

from radio.db import new_id
from radio.errors import DomainError
from schedule.flight_planning import DAY_CODES
from web.ui.labels import error_message

WINDOW_ROWS = 3
FIELDS = ("form_id", "campaign", "stations", "episodes", "per_week", "from", "to", "windows")


def blank_flight_form(today: dt.date) -> dict[str, Any]:
    """The form's first values: next Monday for four weeks, three a week, evenings on weekdays."""
    start = today + dt.timedelta(days=7 - today.weekday())
    windows = [{"station": "", "days": [], "start": "", "end": ""} for _n in range(WINDOW_ROWS)]
    windows[0] = {"station": "", "days": list(DAY_CODES[:5]), "start": "19:00", "end": "21:00"}
    return {"form_id": new_id(), "campaign": "", "stations": [], "episodes": [], "per_week": "3",
            "from": start.isoformat(),
            "to": (start + dt.timedelta(days=27)).isoformat(), "windows": windows}


def flight_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The posted form as the page shows it again (lists of checked boxes, one dict per window row)."""
    return {"form_id": form.get("form_id", "")[:100], "campaign": form.get("campaign", ""),
            "stations": form.getlist("stations"),
            "episodes": form.getlist("episodes"), "per_week": form.get("per_week", "").strip(),
            "from": form.get("from", "").strip(), "to": form.get("to", "").strip(),
            "windows": [{"station": form.get(f"windows.{n}.station", ""), "days": form.getlist(f"windows.{n}.days"),
                         "start": form.get(f"windows.{n}.start", "").strip(),
                         "end": form.get(f"windows.{n}.end", "").strip()} for n in range(WINDOW_ROWS)]}


def filled_windows(values: dict[str, Any]) -> list[int]:
    """The window rows the producer filled in (any of days, start or end)."""
    return [n for n, w in enumerate(values["windows"]) if w["days"] or w["start"] or w["end"]]


def flight_body(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as ``FlightBody`` takes them (``per_week`` a number when it is one)."""
    per_week: Any = values["per_week"]
    if per_week.isdigit() and len(per_week) < 6:
        per_week = int(per_week)
    windows = []
    for n in filled_windows(values):
        w = values["windows"][n]
        window = {"days": ",".join(w["days"]), "start": w["start"], "end": w["end"]}
        if w["station"]:
            window["station"] = w["station"]
        windows.append(window)
    return {"campaign": values["campaign"], "stations": values["stations"], "episodes": values["episodes"],
            "per_week": per_week, "from": values["from"], "to": values["to"], "windows": windows}


def flight_form_errors(exc: DomainError, values: dict[str, Any]) -> dict[str, str]:
    """The refusal on the control it names: ``stations.3`` → ``stations``, ``windows.0.x`` → the filled row's."""
    message = error_message(exc.code, exc.message)
    field = str(exc.details.get("field") or "")
    parts = field.split(".")
    if parts[0] in ("stations", "episodes"):
        return {parts[0]: message}
    if parts[0] == "windows" and len(parts) >= 2 and parts[1].isdigit():
        rows = filled_windows(values)
        n = int(parts[1])
        row = rows[n] if n < len(rows) else n
        return {f"windows.{row}.{parts[2] if len(parts) > 2 else 'days'}": message}
    if parts[0] in FIELDS:
        return {parts[0]: message}
    return {"": message}
