"""A station's own pages: schedule, subscription, downloads, feedback."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ui_station", __name__)
