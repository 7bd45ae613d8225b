"""API for transcripts (see SPEC.md)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_transcripts", __name__, url_prefix="/api/v1")
