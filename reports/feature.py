"""The reports' declaration: reach and evidence reports (JSON, CSV, XLSX, PDF), the bundle's printable cue sheet."""

from __future__ import annotations

from radio.features import Feature
from reports import cue_sheet

FEATURE = Feature(
    name="reports",
    description="reach and evidence reports for a campaign: planned against delivered airings, feedback, codes",
    blueprints=("web.api.reports", "web.ui.reports"),
    hooks={"bundle_documents": cue_sheet.bundle_documents},
)
