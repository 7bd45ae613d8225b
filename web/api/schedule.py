"""API for schedule (see SPEC.md)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_schedule", __name__, url_prefix="/api/v1")
