"""Producers' schedule: stations, week view, booking."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ui_schedule", __name__)
