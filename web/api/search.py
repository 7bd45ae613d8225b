"""API for search (see SPEC.md)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_search", __name__, url_prefix="/api/v1")
