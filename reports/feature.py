"""The reports' declaration: reach and evidence reports (JSON, CSV, XLSX, PDF); no tables of its own."""

from __future__ import annotations

from radio.features import Feature

FEATURE = Feature(
    name="reports",
    description="reach and evidence reports for a campaign: planned against delivered airings, feedback, codes",
    blueprints=("web.api.reports", "web.ui.reports"),
)
