"""Producers' library: episode list, upload, episode page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ui_library", __name__)
