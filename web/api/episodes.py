"""API for episodes (see SPEC.md)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_episodes", __name__, url_prefix="/api/v1")
